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
  std::array<std::uint64_t, 2> no_outpatient_trip_below{};                  // [chronic]: on a trip, no visit
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

namespace detail {
/// One (home, group) cell's common-case thresholds for a month (from LeanThresholds).
struct CellThresholds {
  std::uint8_t home = 0;
  std::uint64_t move_below = 0, return_below = 0, trip_below = 0;
  std::array<std::uint64_t, 4> no_stay_below{};  // by age band (3 repeats 2)
  std::array<std::uint64_t, 2> no_op_below{};    // by chronic condition, living off-site
  std::array<std::uint64_t, 2> no_op_trip_below{};  // by chronic condition, on a trip
};
/// What the agents left out of the full step add to the month's totals.
struct LeanCounts {
  std::int64_t away = 0;   // living off-site
  std::int64_t trips = 0;  // on a trip with no visit
};
/// Bit j set: agent j of agents[0, n) (n ≤ kBatch), with the month's words wb.w[.][j], may have
/// something happen this month beyond a trip with no visit, and takes the full step. Adds the
/// agents whose bit is clear to `counts`. The scalar form is exact; the AVX2 form (32-bit lanes)
/// may set a bit the scalar form does not — only at a threshold of 0 or 2^32, and the full step
/// then decides exactly — never fewer. lean_mask is the AVX2 form where the CPU has it.
std::uint32_t lean_mask_scalar(const Agent* agents, std::uint32_t n, const WordBatch& wb, const CellThresholds& t,
                               LeanCounts& counts);
std::uint32_t lean_mask_avx2(const Agent* agents, std::uint32_t n, const WordBatch& wb, const CellThresholds& t,
                             LeanCounts& counts);
using LeanMaskFn = std::uint32_t (*)(const Agent*, std::uint32_t, const WordBatch&, const CellThresholds&, LeanCounts&);
extern const LeanMaskFn lean_mask;
}  // namespace detail

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
