#include "sim/model/world.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace yidi::sim {

std::size_t Choice::draw(double u) const {
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
  return it == cumulative.end() ? cumulative.size() - 1 : static_cast<std::size_t>(it - cumulative.begin());
}

Choice Choice::from_weights(const std::vector<double>& w) {
  double total = 0;
  for (double x : w) total += x;
  Choice c;
  double acc = 0;
  for (double x : w) {
    acc += total > 0 ? x / total : 0;
    c.cumulative.push_back(acc);
  }
  if (!c.cumulative.empty()) c.cumulative.back() = 1.0;
  return c;
}

World::World(std::vector<Province> provinces) : provinces_(std::move(provinces)) {
  for (std::size_t i = 0; i < provinces_.size(); ++i) by_code_.emplace_back(provinces_[i].code.value(), i);
  std::sort(by_code_.begin(), by_code_.end());
}

std::size_t World::index_of(RegionCode code) const {
  if (const auto i = find(code)) return *i;
  throw std::out_of_range("province " + code.str() + " is not in the world");
}

std::optional<std::size_t> World::row_of(RegionCode code) const {
  if (const auto i = find(code)) return i;
  for (std::size_t i = 0; i < provinces_.size(); ++i)
    if (provinces_[i].code.province() == code.province()) return i;
  return std::nullopt;
}

std::optional<std::size_t> World::find(RegionCode code) const {
  const auto it = std::lower_bound(by_code_.begin(), by_code_.end(), std::make_pair(code.value(), std::size_t{0}));
  if (it == by_code_.end() || it->first != code.value()) return std::nullopt;
  return it->second;
}

double World::distance_km(std::size_t a, std::size_t b) const {
  if (a == b) return 0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const auto& p = provinces_[a];
  const auto& q = provinces_[b];
  const double dlat = (q.lat - p.lat) * kRad, dlon = (q.lon - p.lon) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(p.lat * kRad) * std::cos(q.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0 * std::asin(std::sqrt(h));
}

std::vector<std::vector<double>> World::offsite_stock(const SimParams& p) const {
  const std::size_t n = size();
  std::vector<std::vector<double>> stock(n, std::vector<double>(n, 0.0));
  for (std::size_t d = 0; d < n; ++d) {
    std::vector<double> w(n, 0.0);
    double total = 0;
    for (std::size_t o = 0; o < n; ++o) {
      if (o == d) continue;
      // Distances below 100 km are floored so that neighbours do not dominate.
      w[o] = provinces_[o].population / std::pow(std::max(100.0, distance_km(o, d)), p.gravity_beta);
      total += w[o];
    }
    const double s = provinces_[d].inflow * p.offsite_insured_share;
    for (std::size_t o = 0; o < n; ++o) stock[o][d] = total > 0 ? s * w[o] / total : 0;
  }
  return stock;
}

Choice World::trip_destinations(std::size_t origin, double beta) const {
  std::vector<double> w(size(), 0.0);
  for (std::size_t d = 0; d < size(); ++d)
    if (d != origin) w[d] = provinces_[d].population / std::pow(std::max(100.0, distance_km(origin, d)), beta);
  return Choice::from_weights(w);
}

Choice World::referral_destinations(std::size_t origin) const {
  std::vector<double> w(size(), 0.0);
  for (std::size_t d = 0; d < size(); ++d)
    if (d != origin) w[d] = provinces_[d].referral_weight;
  return Choice::from_weights(w);
}

}  // namespace yidi::sim
