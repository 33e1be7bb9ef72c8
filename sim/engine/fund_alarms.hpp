#pragma once
// Funds below zero (issue 15, "no fund may go below zero without a loud warning in the run's
// summary, a dataset, and the report"): which pools' funds ended a month with a negative balance
// (region/below_zero, from region/fund_balance), summed up for the `yidi run` warning line, the
// funds_below_zero root attributes and the report (outputs/SCHEMA.md, "Funds below zero").
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/results.hpp"

namespace yidi::sim {

/// One pool and scheme whose fund went below zero.
struct FundAlarm {
  std::size_t region = 0;  // row of the region dimension
  std::size_t scheme = 0;  // 0 employee, 1 resident
  std::size_t first = 0;   // first month (row) with a negative month-end balance
  std::size_t months = 0;  // months with one
  std::int64_t lowest = 0; // the lowest month-end balance, fen (< 0)
};

/// Every (pool, scheme) whose region/fund_balance is negative at some month end, in region then
/// scheme order.
std::vector<FundAlarm> funds_below_zero(const Results& results);

/// The `yidi run` sentence (without "yidi run: "): empty when no fund went below zero; else
/// "WARNING: N pool fund(s) went below zero …: CODE NAME scheme from YYYY-MM (M month(s), lowest X yuan), …"
/// listing at most `shown` of them, the lowest first.
std::string funds_below_zero_sentence(const Results& results, const std::vector<FundAlarm>& alarms,
                                      int start_month, std::size_t shown = 5);

}  // namespace yidi::sim
