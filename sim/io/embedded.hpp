#pragma once
// Scenario and policy files compiled into the binary (cmake/embed_files.cmake), so the `yidi`
// command runs the default scenario with no files beside it.
#include <optional>
#include <string_view>
#include <vector>

namespace yidi::io {

struct EmbeddedFile {
  std::string_view path;  // relative to the source root, e.g. "scenarios/policy/national.yaml"
  std::string_view text;
};

const std::vector<EmbeddedFile>& embedded_files();
/// The embedded file at `path`, if any.
std::optional<std::string_view> embedded_file(std::string_view path);

}  // namespace yidi::io
