#include "sim/io/embedded.hpp"

namespace yidi::io {

std::optional<std::string_view> embedded_file(std::string_view path) {
  for (const auto& f : embedded_files())
    if (f.path == path) return f.text;
  return std::nullopt;
}

}  // namespace yidi::io
