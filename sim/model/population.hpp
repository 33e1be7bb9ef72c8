#pragma once
// The synthetic insured population: agents laid out by home region then group, a sample of
// 1 in `scale` (1 = full scale, 1:1), allocated once.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/model/agent.hpp"
#include "sim/model/params.hpp"
#include "sim/model/rng.hpp"
#include "sim/model/totals.hpp"
#include "sim/model/world.hpp"

namespace yidi::sim {

struct Layout {
  std::int64_t scale = 1;  // each agent stands for `scale` insured persons
  // By region of the world (World::size() rows), then group.
  std::vector<std::array<std::uint32_t, kGroups>> begin;  // first agent of (region, group)
  std::vector<std::array<std::uint32_t, kGroups>> count;  // agents of (region, group)
  std::vector<std::array<double, kGroups>> insured;       // full-scale insured persons
  std::vector<double> senior_share;                       // of the region's residents, aged 60+
  std::uint32_t total = 0;
  std::size_t regions() const { return count.size(); }
  /// Agents insured in region r (all groups): the region's weight in a partition.
  std::uint32_t agents_of(std::size_t r) const { return count[r][0] + count[r][1] + count[r][2]; }
  /// (province, group) of agent `i` (agents are sorted by both).
  std::pair<std::size_t, std::size_t> cell_of(std::uint32_t i) const;
};

/// Derived once from the world and the parameters: who lives off-site, where, and how they move.
struct Mobility {
  std::vector<std::vector<double>> stock;                          // full-scale, origin × destination
  std::vector<std::array<double, kGroups>> away_share;   // equilibrium share off-site, [region][group]
  std::vector<std::array<double, kGroups>> move_hazard;  // monthly, keeps the stock stationary
  std::vector<Choice> destination;                                  // of a long-term mover, by origin
  std::vector<Choice> trip;                                         // of a trip, by origin
  std::vector<double> trip_rate;                                    // monthly trip probability, by origin
  std::vector<Choice> referral;                                     // of a cross-province referral, by origin
  std::vector<std::int32_t> intra_referral;                         // the seat intra-province referrals go to, or −1
  static Mobility build(const World& world, const SimParams& p, const Layout& layout);
};

/// Full-scale insured persons per (province, group): national counts shared by census population.
Layout make_layout(const World& world, const SimParams& p, std::int64_t scale);

/// Draws the initial state (off-site status and destination, age band, chronic condition,
/// assistance eligibility) of agents [first, last) of the layout (all by default; a rank of an
/// MPI run builds only its own) from the init stream, keyed by the global person number.
/// `parallel` splits the work with oneTBB; the result is the same either way.
AgentVector build_agents(const World& world, const SimParams& p, const Layout& layout, const Mobility& mob,
                         const Rng& rng, bool parallel = true, std::uint32_t first = 0, std::uint32_t last = UINT32_MAX);

}  // namespace yidi::sim
