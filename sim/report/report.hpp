#pragma once
// The HTML report of `yidi report` (docs/report.md): the notebooks' charts for people who do not
// use notebooks, as one self-contained HTML file with inline SVG (sim/report/svg.hpp) and a tiny
// inline script that checks, in a browser, that every chart rendered.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/export.hpp"
#include "sim/engine/results.hpp"
#include "sim/io/hdf5_output.hpp"

namespace yidi::report {

/// One input file, with the datasets the report draws.
struct Input {
  enum class Kind { run, replicates, comparison };
  std::string path;                      // as named on the command line
  Kind kind = Kind::run;
  std::string name;                      // scenario_name, else the file's stem
  io::Provenance attributes;             // every root attribute
  std::vector<std::int64_t> months;      // year × 12 + month − 1
  std::vector<std::string> provinces;    // labels/province
  std::vector<std::string> schemes;      // labels/scheme
  std::map<std::string, io::Dataset64> data;  // run: NAME; replicates: quantiles/NAME
  /// A run's whole results (the answers and the province table, sim/engine/export.hpp).
  std::shared_ptr<const sim::Results> results;
  /// A replicates summary's national yearly rate per replicate (replicate × year) and its years.
  std::vector<double> replicate_rates;
  std::vector<std::int64_t> years;
  /// A compare file (`yidi compare`): its scenarios, the first the baseline, and per scenario the
  /// replicates' yearly values the answers use (replicates/NAME: replicate × year × province, or
  /// replicate × year nationally); replicate r of every scenario ran on the same seed.
  struct Compared {
    std::string name;
    std::size_t replicates = 0;
    std::vector<double> rate;                      // offsite/dsr_inpatient_national
    std::vector<std::int64_t> fund, individual;    // offsite/fund, offsite/individual (fen)
  };
  std::vector<Compared> compared;
  /// A replicates summary's prepayment per replicate, year and province (replicates/prepayment/
  /// peak_outstanding, red_months, topup_requested: replicate × year × province) and its
  /// scenario's red usage in basis points, read from the `scenario` attribute (0, with the reason
  /// in red_note, when that cannot be read); the answers' proposed quotas (sim::propose_quota).
  struct Prepayment {
    std::size_t replicates = 0;
    std::vector<std::int64_t> peak, red_months, topups;
    std::int64_t red_bp = 0;
    std::string red_note;
  };
  Prepayment prepayment;
  /// A replicates summary's year-end funds per replicate, year, province and scheme
  /// (replicates/funds/months_payable, replicates/funds/balance); empty when the file has none.
  std::vector<double> year_months_payable;
  std::vector<std::int64_t> year_balance;
};

/// Reads a run file (`yidi run`), a replicates summary (`yidi replicates`) or a compare file (`yidi
/// compare`: its scenarios' differences with intervals in the answers). InputError naming the
/// file (and the dataset) for a missing file, a file that is not HDF5, not yidi's, or not of
/// this version's schema.
Input load_input(const std::string& path);

/// The report puts its inputs side by side: every input must have the first one's months and
/// provinces, and at least one must be a run file; a compare file must hold the yearly values
/// the answers use. InputError naming the file otherwise.
void check_inputs(const std::vector<Input>& inputs);

/// The charts a report of these inputs holds (their ids), in order.
std::vector<std::string> chart_ids(const std::vector<Input>& inputs);

/// The whole HTML document. `title` heads it; `command` (the command line) is recorded in it.
/// `year`: the year the answers and the province table are about; 0: the last year with 12
/// simulated months (else the last year).
/// `red_probability`: the accepted chance of a red prepayment warning in the year for the quotas
/// the answers propose from a replicates summary (as `yidi prepay --red-probability`).
std::string render_html(const std::vector<Input>& inputs, const std::string& title, const std::string& command,
                        int year = 0, double red_probability = 0.05);

/// The year the answers are about (as render_html chooses it); InputError if `year` is given
/// and not simulated.
int answer_year(const std::vector<Input>& inputs, int year);

/// The per-province table's download: the tidy rows of `yidi export --by province,year` for that
/// year and the table's measures (docs/report.md).
std::string province_csv(const Input& run, int year);

using sim::month_label;  // "YYYY-MM", from sim/engine/export

}  // namespace yidi::report
