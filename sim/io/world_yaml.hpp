#pragma once
// The world a run lives in, read from scenarios/data/pools.yaml (sim/model holds only the
// data structure, sim::World), and the check that a sample of its population fits in memory, an
// input error of the scenario's `scale`.
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/model/population.hpp"
#include "sim/model/world.hpp"

namespace yidi::io {

/// The world of a regions file's text (`regions:` or `provinces:`, a list of regions in the
/// order of their indices; a region's province is its code's). InputError naming `file`, line and
/// field on a bad or repeated region code or a count outside 1 to sim::Agent::kMaxRegions.
sim::World world_from_yaml(std::string_view text, const std::string& file);
/// The world the runs live in unless told otherwise: the 341 pooling regions of the 2020 census
/// and the XPCC, grouped into their provinces (scenarios/data/pools.yaml, docs/world.md).
inline constexpr const char* kDefaultWorld = "pools.yaml";
/// The world of an embedded file under scenarios/data/ (pools.yaml, provinces.yaml).
sim::World embedded_world(const std::string& name);
/// The default world, embedded_world(kDefaultWorld).
sim::World embedded_world();

/// Refuses, before anything is allocated, `agents` agents sampled at 1:`scale` that would not fit
/// in `available` bytes (0 = unknown: no check): InputError naming `file`, the field `scale` and
/// the smallest sampling ratio that fits (sim::population_memory_shortfall). Under MPI, `agents` is
/// what one machine holds.
void check_population_fits(std::uint64_t agents, std::int64_t scale, std::uint64_t available, const std::string& file);
/// The same for a whole population.
void check_population_fits(const sim::Layout& layout, std::uint64_t available, const std::string& file);

}  // namespace yidi::io

namespace yidi::sim {
// The names the commands call them by (sim/cli/experiment_commands.cpp, owned by branch plans, and
// run/bench): call the io:: names directly once those files include this header themselves.
using io::check_population_fits;
using io::embedded_world;
}  // namespace yidi::sim
