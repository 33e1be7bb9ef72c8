#pragma once
// A scenario: what to simulate (period, seed, sample scale), the behavioural parameters, the
// clearing parameters, and policy overlays on the embedded policy data.
#include <cstdint>
#include <string>
#include <vector>

#include "models/clearing.hpp"
#include "sim/model/params.hpp"

namespace yidi::sim {

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
};

}  // namespace yidi::sim
