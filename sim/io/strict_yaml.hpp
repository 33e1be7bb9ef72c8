#pragma once
// Strict YAML for yidi's own input files: scenarios (scenarios/*.yaml), policy files
// (scenarios/policy/README.md) and clearing configurations (docs/clear-formats.md).
//
// yaml-cpp accepts, and then silently drops or coerces, several things a hand-written file can
// contain by mistake. Here each is an InputError naming the file, line, column and field:
//   - a second document (`---` and more): yaml-cpp's Load reads only the first;
//   - a tag (`!foo x`, `!!str 5`): yaml-cpp keeps it but nobody reads it;
//   - an anchor or alias (`&a`, `*a`): one node shared by several keys;
//   - a key that is not a plain name (a list or mapping as key, or no key);
//   - the same key twice in one mapping: the last one would win;
//   - a key with no value (`months:`, `- `, `~`, `null`): a value was forgotten;
//   - a file larger than kMaxConfigFileBytes.
// Anything else (syntax errors) is an InputError "FILE:LINE:COL: YAML syntax error: ...".
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/date.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::io {

/// The largest scenario, policy, overlay or clearing configuration file yidi reads: 4 MiB (the
/// largest shipped one, scenarios/policy/national.yaml, has 12 KB).
inline constexpr std::uintmax_t kMaxConfigFileBytes = std::uintmax_t{4} << 20;

/// The years a scenario may simulate and a scenario or policy date may name: 1900 to 2200, the
/// range yidi::Date accepts today. One statement of it for the loaders; when models/date.hpp
/// names its own range, point these two at it.
inline constexpr int kFirstSupportedYear = Date::kMinYear;  // the one supported range (models/date.hpp)
inline constexpr int kLastSupportedYear = Date::kMaxYear;
/// The same as "1900-01 to 2200-12", for messages.
std::string supported_months_text();
/// An ISO date "YYYY-MM-DD" (Date::parse) within those years; nullopt otherwise.
std::optional<Date> parse_supported_date(std::string_view text);
/// The form of such a date, for messages: "an ISO date from 1900-01-01 to 2200-12-31 such as 2025-01-01".
std::string supported_date_form();

/// Parses `text` (the file `file`) under the rules above and returns its one document (a Null
/// node for an empty file). Fields in messages are dotted key paths from the top ("params.x",
/// "funds[0].pool"); `strip_field_prefix` is removed from their front (the policy loader names
/// fields without their "policy." prefix).
YAML::Node load_strict_yaml(std::string_view text, const std::string& file, const std::string& strip_field_prefix = "");

/// Runs `f`, turning any yaml-cpp exception it lets out (a conversion or a subscript the loader
/// did not guard) into an InputError naming `file` and the node's position, so that no message
/// reaches the user without the file's name.
template <class F>
auto with_file_name(const std::string& file, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const YAML::Exception& e) {
    throw InputError(e.mark.is_null() ? InputLocation{file, 0, 0} : InputLocation{file, e.mark.line + 1, e.mark.column + 1},
                     "", "unexpected YAML: " + e.msg);
  }
}

/// A scenario, policy or clearing file: read_text_file with the kMaxConfigFileBytes limit.
std::string read_config_file(const std::string& path, const std::string& what);

/// Strict numbers as they are written in those files (no hex, no trailing junk, no exponent in
/// whole numbers). nullopt if `text` is not of the form.
/// Whole number: decimal digits only, optionally one leading '-', within the type's range.
std::optional<std::int64_t> parse_whole_number(std::string_view text);
std::optional<std::uint64_t> parse_unsigned_number(std::string_view text);
/// Decimal: [-+]?(digits[.digits] | .digits)([eE][-+]?digits)?, finite.
std::optional<double> parse_decimal(std::string_view text);

}  // namespace yidi::io
