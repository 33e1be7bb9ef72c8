#pragma once
// A run's results as a tidy long table (issue 18, `yidi export`): one row per (region, period,
// measure), the headline measures users ask for, computed from the run's datasets with the right
// aggregation over a period (flows summed, stocks at the period's last month, rates recomputed from
// their summed parts, never averaged), money exact to the fen. docs/export.md lists the measures.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/results.hpp"

namespace yidi::sim {

enum class ExportLevel : std::uint8_t { national, province, region };
enum class ExportPeriod : std::uint8_t { month, quarter, year, all };
const char* level_name(ExportLevel l);
const char* period_name(ExportPeriod p);
/// A month index (year × 12 + month − 1) as "YYYY-MM", as Date::month_label writes it, but for any
/// int64 (a file's `months` may hold anything; Date's takes an int).
std::string month_label(std::int64_t m);
/// A period's label as the export writes it: "2025-06", "2025Q2", "2025", or "2025-01..2027-12"
/// for the whole span (first and last month of the period).
std::string period_label(ExportPeriod p, std::int64_t first_month, std::int64_t last_month);

struct ExportMeasure {
  std::string name, unit, description;
  bool national = false, province = false, region = false;  // the levels it is given at
  bool at(ExportLevel l) const {
    return l == ExportLevel::national ? national : l == ExportLevel::province ? province : region;
  }
};
/// Every measure, in table order.
const std::vector<ExportMeasure>& export_measures();

/// One value: an integer (counts; money in fen, shown in yuan), a number, or none (a rate with no
/// stays, a months-payable without spending: an empty cell).
struct ExportValue {
  enum class Kind : std::uint8_t { none, integer, money, number } kind = Kind::none;
  std::int64_t i = 0;
  double f = 0;
  /// The value as a CSV cell: integers as they are, money in yuan with two decimals (exact), numbers
  /// in the shortest form that reads back exactly ("inf" for an infinite one), none as "".
  std::string text() const;
};

struct ExportRow {
  std::size_t unit = 0;     // into ExportTable::codes
  std::size_t period = 0;   // into ExportTable::periods
  std::size_t measure = 0;  // into export_measures()
  ExportValue value;
};

struct ExportTable {
  ExportLevel level = ExportLevel::province;
  std::vector<std::string> codes, names, names_en;  // the units (national: "000000", 全国, National)
  std::vector<std::string> periods;                 // "2022", "2022Q1", "2022-01", or "2022-01..2026-12"
  std::vector<int> period_months;                   // the run's months in each period
  std::vector<ExportRow> rows;                      // unit by unit, then period, then measure
};

struct ExportOptions {
  ExportLevel level = ExportLevel::province;
  ExportPeriod period = ExportPeriod::year;
  std::vector<std::string> measures;  // names from export_measures(); empty: every one at the level
  std::vector<std::size_t> units;     // indices into the level's units; empty: all
};

/// a + b; std::overflow_error if it does not fit in 64 bits (sums of fen and of counts).
std::int64_t checked_add(std::int64_t a, std::int64_t b);

/// The units of a level in these results (codes, names, English names).
void export_units(const Results& r, ExportLevel level, std::vector<std::string>& codes, std::vector<std::string>& names,
                  std::vector<std::string>& names_en);

/// The table. std::invalid_argument names an unknown measure (with "did you mean") or one not
/// given at the level (with the levels it is given at); std::overflow_error if a sum of fen would
/// not fit in 64 bits.
ExportTable export_table(const Results& r, const ExportOptions& o);

}  // namespace yidi::sim
