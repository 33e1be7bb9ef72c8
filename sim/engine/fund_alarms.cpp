#include "sim/engine/fund_alarms.hpp"

#include <algorithm>
#include <cstdio>

#include "models/date.hpp"

namespace yidi::sim {

std::vector<FundAlarm> funds_below_zero(const Results& results) {
  std::vector<FundAlarm> out;
  const std::size_t regions = results.run_labels().regions.size(), months = results.months();
  if (regions == 0 || months == 0) return out;
  const auto& balance = results.data("region/fund_balance").i;  // month × region × scheme
  for (std::size_t r = 0; r < regions; ++r)
    for (std::size_t s = 0; s < 2; ++s) {
      FundAlarm a{r, s, 0, 0, 0};
      for (std::size_t m = 0; m < months; ++m) {
        const std::int64_t b = balance[(m * regions + r) * 2 + s];
        if (b >= 0) continue;
        if (a.months == 0) a.first = m;
        ++a.months;
        a.lowest = std::min(a.lowest, b);
      }
      if (a.months > 0) out.push_back(a);
    }
  return out;
}

std::string funds_below_zero_sentence(const Results& results, const std::vector<FundAlarm>& alarms, int start_month,
                                      std::size_t shown) {
  if (alarms.empty()) return {};
  std::vector<FundAlarm> by_depth = alarms;
  std::stable_sort(by_depth.begin(), by_depth.end(), [](const FundAlarm& a, const FundAlarm& b) { return a.lowest < b.lowest; });
  const RunLabels& l = results.run_labels();
  std::string s = "WARNING: " + std::to_string(alarms.size()) + " pool fund(s) went below zero at a month end (region/below_zero): ";
  for (std::size_t i = 0; i < by_depth.size() && i < shown; ++i) {
    const FundAlarm& a = by_depth[i];
    char lowest[64];
    const double yuan = static_cast<double>(a.lowest) / 100.0;
    if (yuan <= -1e6) std::snprintf(lowest, sizeof lowest, "%.1f million", yuan / 1e6);
    else std::snprintf(lowest, sizeof lowest, "%.2f", yuan);
    const bool named = a.region < l.region_names_en.size() && !l.region_names_en[a.region].empty();
    s += (i ? ", " : "") + l.regions[a.region] + (named ? " " + l.region_names_en[a.region] : "") +
         (a.scheme == 0 ? " employee" : " resident") + " from " +
         Date::month_label(start_month + static_cast<int>(a.first)) + " (" + std::to_string(a.months) +
         " month(s), lowest " + lowest + " yuan)";
  }
  if (by_depth.size() > shown) s += ", and " + std::to_string(by_depth.size() - shown) + " more";
  return s;
}

}  // namespace yidi::sim
