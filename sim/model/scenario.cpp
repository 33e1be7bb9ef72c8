#include "sim/model/scenario.hpp"

#include "sim/model/rng.hpp"

namespace yidi::sim {

bool set_param_at(SimParams& p, const ParamDef& d, int year, double v) {
  if (d.kind == ParamDef::Kind::number) {
    p.*(d.number) = v;
    return true;
  }
  bool any = false;
  for (auto& [m, x] : (p.*(d.series)).points)
    if (m / 12 == year) {
      x = v;
      any = true;
    }
  return any;
}

std::optional<double> param_at(const SimParams& p, const ParamDef& d, int year) {
  if (d.kind == ParamDef::Kind::number) return p.*(d.number);
  for (const auto& [m, v] : (p.*(d.series)).points)
    if (m / 12 == year) return v;
  return std::nullopt;
}

std::vector<double> draw_uncertain_params(const Scenario& s, std::uint64_t seed) {
  const Rng rng(seed);
  std::vector<double> out;
  for (std::size_t k = 0; k < s.uncertainty.size(); ++k) {
    const auto& u = s.uncertainty[k];
    const double x = Rng::to_unit(rng.words(static_cast<std::uint32_t>(k), 0, Purpose::uncertainty)[0]);
    out.push_back(u.low + x * (u.high - u.low));
  }
  return out;
}

Scenario with_uncertain_params(const Scenario& s, std::uint64_t seed) {
  Scenario out = s;
  const auto values = draw_uncertain_params(s, seed);
  for (std::size_t k = 0; k < s.uncertainty.size(); ++k)
    if (const ParamDef* d = find_param(s.uncertainty[k].name)) set_param_at(out.params, *d, s.uncertainty[k].year, values[k]);
  return out;
}

}  // namespace yidi::sim
