#include "models/policy.hpp"

namespace yidi {

Points Reduction::worst_case_points() const {
  switch (kind) {
    case Kind::none: return Points{0};
    case Kind::points: return points;
    case Kind::multiplier: return Points{Ratio::kOne - multiplier.bp()};
  }
  return Points{0};
}

std::string Reduction::str() const {
  switch (kind) {
    case Kind::none: return "none";
    case Kind::points: {
      std::string pct = Ratio::bp(points.bp).str();  // "10%"
      pct.back() = 'p';
      return "-" + pct + "p";
    }
    case Kind::multiplier: return "x" + multiplier.str();
  }
  return "?";
}

bool FilingRules::in_free_zone(RegionCode province) const {
  const std::string code = province.province().str();
  for (const auto& z : free_zone.value)
    if (z == code) return true;
  return false;
}

}  // namespace yidi
