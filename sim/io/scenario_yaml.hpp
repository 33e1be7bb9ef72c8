#pragma once
// Scenario files (scenarios/*.yaml, format: docs/scenarios.md): parsing with located errors, the
// command line's overrides, and the resolved form stored with every run.
#include <optional>
#include <string>
#include <string_view>

#include "models/parameters.hpp"
#include "sim/io/input_error.hpp"
// A scenario runs in the world read beside it: the commands that load scenarios find
// embedded_world and check_population_fits here.
#include "sim/io/world_yaml.hpp"
#include "sim/model/scenario.hpp"

namespace yidi::io {

/// Parses a scenario's text over `base` (the defaults, or the scenario it extends). Unknown keys,
/// malformed or out-of-range values, and everything strict YAML refuses (sim/io/strict_yaml.hpp)
/// are InputError naming file, line, column, field and form. An `extends:` key is checked but
/// not followed (load_scenario follows it).
sim::Scenario parse_scenario(std::string_view text, const std::string& file, const sim::Scenario& base = {});
/// Loads a scenario by path, or by name from the embedded scenarios ("baseline" →
/// scenarios/baseline.yaml) when no such file exists, following its `extends:` chain (a cycle is
/// an error naming the chain).
sim::Scenario load_scenario(const std::string& path_or_name);

/// A scenario's name becomes file names (outputs/NAME-seedS.h5, NAME.ckpt): 1 to 64 characters
/// from A-Z a-z 0-9 _ - ., the first a letter or digit. Empty if `name` is one; else what is wrong.
std::string check_scenario_name(std::string_view name);
/// The form of a scenario name, for messages.
extern const char* const kScenarioNameForm;

/// The months a scenario simulates, start .. start + months - 1, must lie within the supported
/// range (kFirstSupportedYear-01 to kLastSupportedYear-12, sim/io/strict_yaml.hpp); InputError at
/// `where` naming `field` if not.
void check_scenario_period(const sim::Scenario& s, const InputLocation& where, const std::string& field);

/// The command line's --scale, --months and --seed, as typed (nullopt: not given).
struct ScenarioOverrides {
  std::optional<std::string> scale;
  std::optional<std::string> months;
  std::optional<std::string> seed;
};
/// Applies them to `s`, read exactly as the scenario keys scale, months and seed are, then checks
/// the period again. InputError "command line: field '--months': expected ..., got '-3'".
void apply_overrides(sim::Scenario& s, const ScenarioOverrides& o);

/// The policy book a scenario runs under: the embedded policy data with its overlays.
PolicyBook scenario_policy(const sim::Scenario& s);
/// Every value of the scenario, in a canonical YAML form: stored in outputs, hashed for provenance.
std::string resolved_yaml(const sim::Scenario& s);

}  // namespace yidi::io
