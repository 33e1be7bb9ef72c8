#pragma once
// Scenario files (scenarios/*.yaml): parsing with located errors, and the resolved form stored
// with every run.
#include <string>
#include <string_view>

#include "models/parameters.hpp"
#include "sim/io/input_error.hpp"
#include "sim/model/scenario.hpp"

namespace yidi::io {

/// Parses a scenario's text over `base` (the defaults, or the scenario it extends). Unknown keys,
/// malformed or out-of-range values are InputError naming file, line, column, field and form.
sim::Scenario parse_scenario(std::string_view text, const std::string& file, const sim::Scenario& base = {});
/// Loads a scenario by path, or by name from the embedded scenarios ("baseline" →
/// scenarios/baseline.yaml) when no such file exists.
sim::Scenario load_scenario(const std::string& path_or_name);
/// The policy book a scenario runs under: the embedded policy data with its overlays.
PolicyBook scenario_policy(const sim::Scenario& s);
/// Every value of the scenario, in a canonical YAML form: stored in outputs, hashed for provenance.
std::string resolved_yaml(const sim::Scenario& s);

}  // namespace yidi::io
