#include "models/region.hpp"

namespace yidi {

std::optional<RegionCode> RegionCode::parse(std::string_view t) {
  if (t.size() != 6) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v / 10000 < 11) return std::nullopt;
  return RegionCode(v);
}

}  // namespace yidi
