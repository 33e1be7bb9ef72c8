#pragma once
// Calibration target files (docs/calibration.md): CSV with the header
// `year,measure,op,value,tolerance,source`, '#' comment lines, one target a row
// (scenarios/targets/national-2018-2023.csv is embedded and is the default).
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/calibration.hpp"

namespace yidi::io {

/// The embedded default, "scenarios/targets/national-2018-2023.csv".
inline constexpr std::string_view kDefaultTargets = "scenarios/targets/national-2018-2023.csv";

/// The targets of a file's text. InputError (file, line, field, what was expected) for a missing or
/// extra column, a year outside 1990–2100, an unknown measure (with "did you mean"), an op other
/// than =, <= or >=, a value that is not a finite positive number, a tolerance outside 0–1 (above 0
/// for =), or the same (year, measure, op) twice.
std::vector<sim::CalibrationTarget> parse_targets(std::string_view text, const std::string& file);
/// The targets of the file at `path`, or the embedded default when `path` is empty.
std::vector<sim::CalibrationTarget> load_targets(const std::string& path);
/// The sha256 of that file's text (for provenance).
std::string targets_sha256(const std::string& path);

}  // namespace yidi::io
