#pragma once
// A scenario: what to simulate (period, seed, sample scale), the behavioural parameters, the
// clearing parameters, and policy overlays on the embedded policy data.
#include <cstdint>
#include <string>
#include <vector>

#include "models/clearing.hpp"
#include "sim/model/params.hpp"

namespace yidi::sim {

/// Read from YAML by sim/io/scenario_yaml.hpp (docs/scenarios.md), which keeps these invariants:
/// `name` is 1–64 characters of A-Z a-z 0-9 _ - . (it becomes file names), months are 1–600 and
/// every month start .. start + months - 1 lies within the supported years (sim/io/strict_yaml.hpp).
struct Scenario {
  std::string name = "baseline";
  std::string description;
  int start_month = 2022 * 12;   // Date::month_index() of the first simulated month
  int months = 24;
  std::uint64_t seed = 20260101;
  std::int64_t scale = 1000;     // each agent stands for `scale` persons; 1 = full scale (1:1)
  SimParams params;
  ClearingParams clearing;
  std::vector<std::string> policy_overlays;  // extra policy files applied on the embedded data
  /// The scenario files read from disk for it (those it extends first), which a command's outputs
  /// may never replace; not part of the resolved scenario.
  std::vector<std::string> files;
};

}  // namespace yidi::sim
