#pragma once
// One agent, one month, in the fixed step order of sim/README.md: moves → care events → channel
// and settlement (through the real engine) → accumulation into the month's totals.
#include <array>

#include "models/settlement_engine.hpp"
#include "sim/model/agent.hpp"
#include "sim/model/population.hpp"

namespace yidi::sim {

/// The common case of a month as integer thresholds on the month's four words (w0 moves, w1
/// stays, w2 trips, w3 off-site outpatient care): each equals the floating-point comparison of
/// the full step bit for bit (derived by bisection over the same predicate), so step_range takes
/// the full step exactly when it would do something. A word w "is below" T when w < T.
struct LeanThresholds {
  std::array<std::array<std::uint64_t, kGroups>, kProvinces> move_below{};  // at home: moves away
  std::uint64_t return_below = 0;                                           // off-site: returns home
  std::uint64_t trip_below = 0;                                             // at home: a trip
  std::array<std::array<std::uint64_t, 3>, kGroups> no_stay_below{};        // [group][age band]: no stay
  std::array<std::uint64_t, 2> no_outpatient_away_below{};                  // [chronic]: off-site, no visit
};

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
  LeanThresholds lean;
  /// [home][treatment]: the home province's insured need no filing there (free-filing zones).
  std::array<std::array<bool, kProvinces>, kProvinces> free_zone{};
  /// Fills free_zone from the policy snapshots (call after setting `policy`).
  void set_free_zones();

  static MonthContext make(int month, const SimParams& p, const Rng& rng, const Mobility& mob, const World& world);
};

/// Advances one agent (global person number `person`, of cell (home, group)) by one month, adding
/// to `totals`.
void step_agent(Agent& agent, std::uint32_t person, std::size_t home, std::size_t group, const MonthContext& ctx,
                MonthTotals& totals);

/// Advances agents[0, count), global person numbers first_person, first_person + 1, ..., by one
/// month, adding to `totals` — the same result as step_agent on each, faster: the month's words
/// are drawn in batches and an agent to whom nothing happens is settled by a few integer
/// comparisons. The range may span several (home, group) cells of `layout`; a rank holding a
/// part of the population passes its part and the global number of its first agent.
void step_range(Agent* agents, std::uint32_t first_person, std::uint32_t count, const Layout& layout,
                const MonthContext& ctx, MonthTotals& totals);

}  // namespace yidi::sim
