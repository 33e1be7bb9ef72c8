#pragma once
// A scenario: what to simulate (period, seed, sample scale), the behavioural parameters, the
// clearing parameters, and policy overlays on the embedded policy data.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/clearing.hpp"
#include "sim/model/params.hpp"

namespace yidi::sim {

/// A parameter drawn anew by every replicate of an experiment (issue 15, parameter uncertainty):
/// uniform on [low, high] [assumed form], from the replicate's seed (draw_uncertain_params). A
/// number parameter (year 0), or a dated one's points of `year`, all set to the one draw.
struct UncertainParam {
  std::string name;
  int year = 0;
  double low = 0, high = 0;
  std::string label() const { return year ? name + "@" + std::to_string(year) : name; }
};

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
  /// Parameters each replicate draws (`uncertainty:`); a single `yidi run` keeps `params`' values.
  std::vector<UncertainParam> uncertainty;
  /// The scenario files read from disk for it (those it extends first), which a command's outputs
  /// may never replace; not part of the resolved scenario.
  std::vector<std::string> files;
};

/// Sets the number parameter `d` to v, or a dated one's points of `year` (year ≠ 0) to v; false
/// when the dated parameter has no point in that year.
bool set_param_at(SimParams& p, const ParamDef& d, int year, double v);
/// The scenario's parameter (its first point of `year` for a dated one), if it has one.
std::optional<double> param_at(const SimParams& p, const ParamDef& d, int year);
/// The values replicate seed `seed` draws for s.uncertainty, in its order: uniform on [low, high]
/// from the counter-based stream (seed, parameter k, Purpose::uncertainty); the same at any thread
/// count, rank count or run order.
std::vector<double> draw_uncertain_params(const Scenario& s, std::uint64_t seed);
/// The scenario with s.uncertainty's draws for `seed` set (the parameters it names).
Scenario with_uncertain_params(const Scenario& s, std::uint64_t seed);

}  // namespace yidi::sim
