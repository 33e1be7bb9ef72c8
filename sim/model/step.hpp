#pragma once
// One agent, one month, in the fixed step order of sim/README.md: moves → care events → channel
// and settlement (through the real engine) → accumulation into the month's totals.
#include <array>
#include <vector>

#include "models/settlement_engine.hpp"
#include "sim/model/agent.hpp"
#include "sim/model/population.hpp"

namespace yidi::sim {

/// One (home, group) cell's month as integer thresholds [sim/README.md, "The month's screen"].
///
/// A person's month is decided by four words (w0 moves, w1 stays, w2 trips, w3 off-site outpatient
/// care) through the floating-point comparisons of the full step; each threshold here equals its
/// comparison bit for bit (words_below: w "is below" T when w < T). Most months nothing happens,
/// so a person first gets one 32-bit *screen* s: s < nothing_below means nothing happens;
/// s < lean_below means a trip with no visit at most (counted, nothing else); otherwise the four
/// words are drawn conditioned on something happening (conditional_words) and the full step runs.
/// The entries of the screen are by state index (CellThresholds::state).
struct CellThresholds {
  std::uint16_t home = 0;  // region index (< Agent::kMaxRegions)
  std::uint64_t move_below = 0, return_below = 0, trip_below = 0;
  std::array<std::uint64_t, 4> no_stay_below{};     // by age band (3 repeats 2)
  std::array<std::uint64_t, 2> no_op_below{};       // by chronic condition, living off-site
  std::array<std::uint64_t, 2> no_op_trip_below{};  // by chronic condition, on a trip
  std::array<std::uint64_t, 16> nothing_below{}, lean_below{};  // screen thresholds, ≤ 2^32
  alignas(32) std::array<std::uint32_t, 16> nothing_hi{}, lean_hi{};  // their high 16 bits (≤ 65536)
  /// Conditional sampling: P(first event | something happens) and P(second | not the first, something
  /// happens) as cuts on a word (≤ 2^32); events are (move or return, stay, trip with care or care).
  std::array<std::uint64_t, 16> first_cut{}, second_cut{};

  /// An agent's state index: off-site · 8 + chronic · 4 + age band.
  static unsigned state(const Agent& a, std::size_t home) {
    return (a.is_away(home) ? 8u : 0u) | (a.traits & 7u);
  }
  /// Fills the screen thresholds and cuts from the word thresholds above.
  void derive_screen();
};

/// Everything an agent step reads for one month: set up once, shared read-only by all threads.
struct MonthContext {
  int month = 0;                // Date::month_index()
  Date settle_date;             // visits of the month settle under the parameters in force on it
  const SimParams* params = nullptr;
  const Rng* rng = nullptr;
  const Mobility* mobility = nullptr;
  const World* world = nullptr;
  std::size_t regions = 0;                    // World::size(): the extent of every by-region table below
  std::vector<const InsuredPolicy*> policy;   // insured side, by home region
  std::vector<const Catalogue*> catalogue;    // treatment side, by region
  Money coaudit_threshold;
  // levers in force this month
  std::vector<double> networked_inpatient, networked_outpatient;  // by treatment region
  double long_term_filing = 0, trip_filing = 0, retroactive = 0, credential = 0, failure = 0;
  std::array<double, 3> level_cost{};  // bill factor by hospital level, mean 1 over the level mix
  double volume = 1, cost = 1;         // care.volume_index and care.cost_index this month (1: 2023)
  double travel = 1;                   // mobility.travel_index this month
  double referral_share = 0;           // cross-province referrals: referral.share × travel
  std::vector<double> trip_rate;       // by home region: the probability of a trip this month (× travel)
  // derived
  std::array<std::array<double, 3>, kGroups> stay_rate{};  // monthly admissions, [group][age band]
  std::array<std::array<double, 3>, kGroups> no_stay{};    // exp(−rate): probability of no stay this month
  std::array<double, 2> log_mean_inpatient{};             // lognormal μ by scheme
  std::array<double, 3> log_mean_outpatient{};            // general, chronic, pharmacy
  Ratio class_b, class_c, over_cap;                        // bill shares
  /// Off-site outpatient visits a month by kind (general, chronic, pharmacy), their total and
  /// exp(−total), the probability of none: [on a trip (else living off-site)][chronic].
  struct OutpatientRates {
    std::array<double, 3> rates{};
    double total = 0, none = 1;
  };
  std::array<std::array<OutpatientRates, 2>, 2> outpatient{};
  bool new_year = false;                                   // January: accumulators reset
  std::vector<std::array<CellThresholds, kGroups>> cells;  // [home][group]
  /// [home · regions + treatment]: the home region's insured need no filing there (free-filing zones).
  std::vector<std::uint8_t> free_zone;
  bool in_free_zone(std::size_t home, std::size_t treatment) const { return free_zone[home * regions + treatment] != 0; }
  /// By home region: 1 where its province pools at province level this month (省级统筹,
  /// clearing.province_pooling): care anywhere in the province is then local, not off-site.
  std::vector<std::uint8_t> province_pooled;
  /// Whether a visit of `home`'s insured in `treatment` is off-site (another pooling fund's region).
  bool offsite(std::size_t home, std::size_t treatment) const {
    return treatment != home && !(province_pooled[home] != 0 && world->same_province(home, treatment));
  }
  /// By home region and insured group: the probability that a long-term off-site person holds a
  /// filing, and that a trip is filed, this month: the levers, with their odds moved by what a
  /// filing saves under the home region's policy against the reference (sim/README.md "Filing and
  /// the stake").
  std::vector<std::array<double, kGroups>> long_term_filing_of;
  std::vector<double> trip_filing_of;
  std::vector<double> retroactive_of;  // by home region: the retroactive-filing lever
  /// Fills free_zone and the filing probabilities from the policy snapshots (call after setting
  /// `policy`).
  void set_free_zones();

  static MonthContext make(int month, const SimParams& p, const Rng& rng, const Mobility& mob, const World& world);
};

namespace detail {
/// What the agents left out of the full step add to the month's totals.
struct LeanCounts {
  std::int64_t away = 0;   // living off-site
  std::int64_t trips = 0;  // on a trip with no visit
};
/// Bit j set: agent j of agents[0, n) (n ≤ kBatch), whose screen has the high bits screen_hi[j],
/// may have something happen this month and needs its screen resolved (step.cpp): its high bits
/// tie a threshold's, or lie at or above lean_hi. Adds the agents whose bit is clear to `counts`.
/// The AVX2 form takes n == kBatch and gives the same bits and counts; lean_mask is the AVX2
/// form where the CPU has it.
std::uint32_t lean_mask_scalar(const Agent* agents, const std::uint16_t* screen_hi, std::uint32_t n,
                               const CellThresholds& t, LeanCounts& counts);
std::uint32_t lean_mask_avx2(const Agent* agents, const std::uint16_t* screen_hi, const CellThresholds& t,
                             LeanCounts& counts);
using LeanMaskFn = std::uint32_t (*)(const Agent*, const std::uint16_t*, const CellThresholds&, LeanCounts&);
extern const LeanMaskFn lean_mask;

/// What a screen decides: nothing happens, a trip with no visit only, or the full step; `tie`
/// only from the high bits alone (screen_of_hi), when the low bits must be drawn to decide.
enum class Screen : std::uint8_t { nothing, trip_only, full, tie };
/// What a whole 32-bit screen s decides for an agent in state q (never `tie`).
inline Screen screen_of(const CellThresholds& t, unsigned q, std::uint32_t s) {
  return s < t.nothing_below[q] ? Screen::nothing : s < t.lean_below[q] ? Screen::trip_only : Screen::full;
}
/// What the high 16 bits h of the screen decide on their own for an agent in state q: the same as
/// screen_of for every low bits, or `tie` when h equals a threshold's high bits. The one statement
/// of the rule that lean_mask_scalar and the agent's step use (lean_mask_avx2 restates it in lanes).
inline Screen screen_of_hi(const CellThresholds& t, unsigned q, std::uint32_t h) {
  if (h < t.nothing_hi[q]) return Screen::nothing;
  if (h > t.nothing_hi[q] && h < t.lean_hi[q]) return Screen::trip_only;
  return h > t.lean_hi[q] ? Screen::full : Screen::tie;
}
/// The month's four words of an agent in state q given that something happens (Screen::full),
/// from four fresh uniform words x: distributed as four uniform words conditioned on the full
/// step doing something, up to the 32-bit resolution of the words.
std::array<std::uint32_t, 4> conditional_words(const CellThresholds& t, unsigned q, const std::array<std::uint32_t, 4>& x);
}  // namespace detail

/// Advances one agent (global person number `person`, of cell (home, group)) by one month, adding
/// to `totals`.
void step_agent(Agent& agent, std::uint32_t person, std::size_t home, std::size_t group, const MonthContext& ctx,
                MonthTotals& totals);

/// The model the screen must reproduce in distribution, for tests: the four words drawn for every
/// person, unconditionally ((person, month, `month`, index 1)), and the full step run on them.
void step_agent_unscreened(Agent& agent, std::uint32_t person, std::size_t home, std::size_t group,
                           const MonthContext& ctx, MonthTotals& totals);

/// Advances agents[0, count), global person numbers first_person, first_person + 1, ..., by one
/// month, adding to `totals` — the same result as step_agent on each, faster: the screens' high
/// bits are drawn 128 persons at a time and an agent to whom nothing happens is settled by two
/// integer comparisons. The range may span several (home, group) cells of `layout`; a rank holding a
/// part of the population passes its part and the global number of its first agent.
void step_range(Agent* agents, std::uint32_t first_person, std::uint32_t count, const Layout& layout,
                const MonthContext& ctx, MonthTotals& totals);

}  // namespace yidi::sim
