#include "sim/model/world.hpp"

#include <algorithm>
#include <cmath>
#include <map>
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

World::World(std::vector<Region> regions, std::vector<ProvinceData> provinces)
    : regions_(std::move(regions)), provinces_(std::move(provinces)) {
  for (std::size_t i = 0; i < regions_.size(); ++i) by_code_.emplace_back(regions_[i].code.value(), i);
  std::sort(by_code_.begin(), by_code_.end());
  // Provinces not given: one per province part of the regions' codes, in code order.
  if (provinces_.empty()) {
    std::map<std::uint32_t, ProvinceData> derived;
    for (const Region& r : regions_) {
      ProvinceData& p = derived[r.code.province().value()];
      p.code = r.code.province();
      if (p.name.empty() || r.code == p.code) {
        p.name = r.name;
        p.name_en = r.name_en;
      }
      p.population += r.population;
      p.inflow += std::isnan(r.inflow) ? 0.0 : r.inflow;
    }
    for (auto& [code, p] : derived) provinces_.push_back(std::move(p));
  }
  std::sort(provinces_.begin(), provinces_.end(), [](const ProvinceData& a, const ProvinceData& b) { return a.code < b.code; });
  for (auto& p : provinces_) p.regions.clear();
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    const auto p = province_index(regions_[i].code);
    if (!p) throw std::invalid_argument("region " + regions_[i].code.str() + " has no province " + regions_[i].code.province().str());
    regions_[i].province = *p;
    provinces_[*p].regions.push_back(i);
  }
  for (auto& p : provinces_) {
    if (p.regions.empty()) throw std::invalid_argument("province " + p.code.str() + " has no region");
    p.seat = p.regions.front();
    for (std::size_t r : p.regions)
      if (regions_[r].seat) p.seat = r;
  }
  // Age: each region's 60+ share, gaps filled from its province's known regions, else the nation's.
  const auto weighted_mean = [&](const std::vector<std::size_t>& which) {
    double pop = 0, sum = 0;
    for (std::size_t r : which)
      if (!std::isnan(regions_[r].age60) && regions_[r].population > 0) {
        pop += regions_[r].population;
        sum += regions_[r].population * regions_[r].age60;
      }
    return pop > 0 ? sum / pop : kUnknown;
  };
  std::vector<std::size_t> all(regions_.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const double nation_known = weighted_mean(all);
  std::vector<double> age(regions_.size(), 1.0);
  if (!std::isnan(nation_known)) {
    for (const auto& p : provinces_) {
      const double prov = weighted_mean(p.regions);
      for (std::size_t r : p.regions)
        age[r] = !std::isnan(regions_[r].age60) ? regions_[r].age60 : !std::isnan(prov) ? prov : nation_known;
    }
  }
  double pop = 0, sum = 0;
  for (std::size_t r = 0; r < regions_.size(); ++r) {
    pop += regions_[r].population;
    sum += regions_[r].population * age[r];
  }
  const double nation = pop > 0 && sum > 0 ? sum / pop : 1.0;
  age60_factor_.resize(regions_.size());
  for (std::size_t r = 0; r < regions_.size(); ++r) age60_factor_[r] = std::isnan(nation_known) ? 1.0 : age[r] / nation;
}

std::vector<std::string> World::codes() const {
  std::vector<std::string> out;
  for (const auto& r : regions_) out.push_back(r.code.str());
  return out;
}

std::vector<std::string> World::province_codes() const {
  std::vector<std::string> out;
  for (const auto& p : provinces_) out.push_back(p.code.str());
  return out;
}

std::size_t World::index_of(RegionCode code) const {
  if (const auto i = find(code)) return *i;
  throw std::out_of_range("region " + code.str() + " is not in the world");
}

std::optional<std::size_t> World::find(RegionCode code) const {
  const auto it = std::lower_bound(by_code_.begin(), by_code_.end(), std::make_pair(code.value(), std::size_t{0}));
  if (it == by_code_.end() || it->first != code.value()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> World::province_index(RegionCode code) const {
  const RegionCode p = code.province();
  const auto it = std::lower_bound(provinces_.begin(), provinces_.end(), p,
                                   [](const ProvinceData& a, RegionCode c) { return a.code < c; });
  if (it == provinces_.end() || it->code != p) return std::nullopt;
  return static_cast<std::size_t>(it - provinces_.begin());
}

double World::distance_km(std::size_t a, std::size_t b) const {
  if (a == b) return 0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const auto& p = regions_[a];
  const auto& q = regions_[b];
  const double dlat = (q.lat - p.lat) * kRad, dlon = (q.lon - p.lon) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(p.lat * kRad) * std::cos(q.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0 * std::asin(std::sqrt(h));
}

namespace {
/// Distances below 100 km are floored so that neighbours do not dominate.
double gravity(double population, double km, double beta) { return population / std::pow(std::max(100.0, km), beta); }
}  // namespace

double World::cross_inflow(std::size_t r, const SimParams& p) const {
  const Region& reg = regions_[r];
  if (!std::isnan(reg.inflow)) return reg.inflow;
  const ProvinceData& prov = provinces_[reg.province];
  double known = 0, weight = 0;
  auto w = [&](std::size_t i) { return regions_[i].population * (i == prov.seat ? p.inflow_seat_factor : 1.0); };
  for (std::size_t i : prov.regions) {
    if (!std::isnan(regions_[i].inflow)) known += regions_[i].inflow;
    else weight += w(i);
  }
  const double rest = std::max(0.0, prov.inflow - known);
  return weight > 0 ? rest * w(r) / weight : 0.0;
}

std::vector<std::vector<double>> World::offsite_stock(const SimParams& p) const {
  const std::size_t n = size();
  std::vector<std::vector<double>> stock(n, std::vector<double>(n, 0.0));
  // Cross-province: who comes to each destination, from the regions of other provinces.
  std::vector<double> push(provinces_.size(), 1.0);
  for (std::size_t i = 0; i < provinces_.size(); ++i) {
    const double share = provinces_[i].population > 0 ? provinces_[i].inflow / provinces_[i].population : 0;
    push[i] = share > 0 ? std::pow(share, -p.origin_push_exponent) : 1.0;
  }
  std::vector<double> w(n, 0.0);
  for (std::size_t d = 0; d < n; ++d) {
    double total = 0;
    for (std::size_t o = 0; o < n; ++o) {
      w[o] = same_province(o, d) ? 0.0 : gravity(regions_[o].population * push[province_of(o)], distance_km(o, d), p.gravity_beta);
      total += w[o];
    }
    const double s = cross_inflow(d, p) * p.offsite_insured_share;
    for (std::size_t o = 0; o < n; ++o) stock[o][d] = total > 0 ? s * w[o] / total : 0;
  }
  // Intra-province: the province's movers between its regions.
  for (const ProvinceData& prov : provinces_) {
    if (prov.regions.size() < 2 || std::isnan(prov.within_province)) continue;
    const double movers =
        prov.within_province * p.intra_floating_share * p.intra_cross_pool_share * p.intra_insured_share;
    double dest_total = 0;
    for (std::size_t d : prov.regions) dest_total += regions_[d].population * (d == prov.seat ? p.intra_seat_factor : 1.0);
    for (std::size_t d : prov.regions) {
      const double s = dest_total > 0 ? movers * regions_[d].population * (d == prov.seat ? p.intra_seat_factor : 1.0) / dest_total : 0;
      double total = 0;
      for (std::size_t o : prov.regions) {
        w[o] = o == d ? 0.0 : gravity(regions_[o].population, distance_km(o, d), p.gravity_beta);
        total += w[o];
      }
      for (std::size_t o : prov.regions)
        if (total > 0) stock[o][d] += s * w[o] / total;
    }
  }
  return stock;
}

double World::trip_rate_factor(std::size_t origin, const SimParams& p) const {
  return provinces_[province_of(origin)].regions.size() > 1 ? 1.0 + p.intra_trip_ratio : 1.0;
}

Choice World::trip_destinations(std::size_t origin, const SimParams& p) const {
  std::vector<double> w(size(), 0.0);
  double cross = 0, intra = 0;
  for (std::size_t d = 0; d < size(); ++d) {
    if (d == origin) continue;
    w[d] = gravity(regions_[d].population, distance_km(origin, d), p.gravity_beta);
    (same_province(origin, d) ? intra : cross) += w[d];
  }
  // The two parts weighted 1 : intra_trip_ratio, whatever their gravity totals.
  for (std::size_t d = 0; d < size(); ++d) {
    if (d == origin) continue;
    if (same_province(origin, d)) w[d] = intra > 0 ? w[d] / intra * p.intra_trip_ratio : 0.0;
    else w[d] = cross > 0 ? w[d] / cross : 0.0;
  }
  return Choice::from_weights(w);
}

Choice World::referral_destinations(std::size_t origin) const {
  std::vector<double> w(size(), 0.0);
  for (std::size_t d = 0; d < size(); ++d)
    if (!same_province(origin, d)) w[d] = regions_[d].referral_weight;
  return Choice::from_weights(w);
}

std::optional<std::size_t> World::intra_referral(std::size_t origin) const {
  const ProvinceData& prov = provinces_[province_of(origin)];
  if (prov.regions.size() < 2 || prov.seat == origin) return std::nullopt;
  return prov.seat;
}

void named_regions(const World& world, std::vector<NamedRegion>& provinces, std::vector<NamedRegion>& pools) {
  for (const auto& p : world.provinces()) provinces.push_back({p.code.str(), p.name, p.name_en});
  for (const auto& r : world.regions()) pools.push_back({r.code.str(), r.name, r.name_en});
}

std::optional<std::pair<std::string, std::string>> unknown_regional_code(const World& world, const SimParams& p) {
  for (const auto& [name, by] : p.by_region)
    for (const auto& [code, series] : by) {
      const RegionCode c = RegionCode::of(code);
      if (!world.find(c) && !(c.is_province() && world.province_index(c)))
        return std::make_pair("params." + name + ".by_region",
                              "'" + c.str() + "' is neither a province nor a pool of the world; expected the code of one");
    }
  return std::nullopt;
}

}  // namespace yidi::sim
