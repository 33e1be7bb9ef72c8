#pragma once
// Policy data in YAML (scenarios/policy/): the region registry and dated parameter values,
// loaded into a PolicyBook. Format documented in scenarios/policy/README.md.
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/parameters.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::io {

/// Loads a policy folder laid out as scenarios/policy/: regions.yaml, national.yaml,
/// provinces/*.yaml, regions/*.yaml (each folder in file-name order), then `overlays` in the
/// order given; validates the result (PolicyBook::validate). Throws InputError naming file,
/// line, field and the expected form.
PolicyBook load_policy_dir(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& overlays = {});

/// The same from the policy data embedded in the binary.
PolicyBook load_embedded_policy(const std::vector<std::filesystem::path>& overlays = {});

/// Adds the regions of a registry file's text to `book`.
void load_region_registry(PolicyBook& book, std::string_view text, const std::string& file_name);
/// Adds the values of one policy file's text to `book` (a later file overrides equal dates). An
/// `overlay` (a reform) makes each of its values hold from its date on, dropping later-dated ones.
void load_policy_text(PolicyBook& book, std::string_view text, const std::string& file_name, bool overlay = false);

/// An overlay's text and the name it is shown under: the file at `p` if there is one, else the
/// embedded file of that path ("<embedded>/..."). Reading errors throw InputError.
std::pair<std::string, std::string> overlay_text(const std::filesystem::path& p);
/// "sha256 <hex>" of that text ("embedded, sha256 <hex>" for an embedded one), or "not readable".
std::string overlay_digest(const std::filesystem::path& p);

}  // namespace yidi::io
