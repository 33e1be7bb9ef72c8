#pragma once
// One agent, one month, in the fixed step order of sim/README.md: moves → care events → channel
// and settlement (through the real engine) → accumulation into the month's totals.
#include <array>

#include "models/settlement_engine.hpp"
#include "sim/model/agent.hpp"
#include "sim/model/population.hpp"

namespace yidi::sim {

/// Everything an agent step reads for one month: set up once, shared read-only by all threads.
struct MonthContext {
  int month = 0;                // Date::month_index()
  Date settle_date;             // visits of the month settle under the parameters in force on it
  const SimParams* params = nullptr;
  const Rng* rng = nullptr;
  const Mobility* mobility = nullptr;
  const World* world = nullptr;
  std::array<const InsuredPolicy*, kProvinces> policy{};   // insured side, by home province
  std::array<const Catalogue*, kProvinces> catalogue{};    // treatment side, by province
  Money coaudit_threshold;
  // levers in force this month
  std::array<double, kProvinces> networked_inpatient{}, networked_outpatient{};  // by treatment province
  double long_term_filing = 0, trip_filing = 0, retroactive = 0, credential = 0, failure = 0;
  std::array<double, 3> level_cost{};  // bill factor by hospital level, mean 1 over the level mix
  // derived
  std::array<std::array<double, 3>, kGroups> stay_rate{};  // monthly admissions, [group][age band]
  std::array<std::array<double, 3>, kGroups> no_stay{};    // exp(−rate): probability of no stay this month
  std::array<double, 2> log_mean_inpatient{};             // lognormal μ by scheme
  std::array<double, 3> log_mean_outpatient{};            // general, chronic, pharmacy
  Ratio class_b, class_c, over_cap;                        // bill shares
  bool new_year = false;                                   // January: accumulators reset
  /// [home][treatment]: the home province's insured need no filing there (free-filing zones).
  std::array<std::array<bool, kProvinces>, kProvinces> free_zone{};
  /// Fills free_zone from the policy snapshots (call after setting `policy`).
  void set_free_zones();

  static MonthContext make(int month, const SimParams& p, const Rng& rng, const Mobility& mob, const World& world);
};

/// Advances one agent (global person number `person`) by one month, adding to `totals`.
void step_agent(Agent& agent, std::uint32_t person, const MonthContext& ctx, MonthTotals& totals);

}  // namespace yidi::sim
