#pragma once
// The country the agents live in: provinces (31 + XPCC) with their census figures, and the
// gravity models choosing where long-term movers come from and where trips go.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/region.hpp"
#include "sim/model/params.hpp"

namespace yidi::sim {

struct Province {
  RegionCode code;
  std::string name, name_en;
  double population = 0;     // 2020 census resident population
  double inflow = 0;         // from other provinces (2020 census)
  double lat = 0, lon = 0;   // capital
  double cost_index = 1;     // [assumed]
  double referral_weight = 0;  // [assumed]
};

/// A discrete distribution over provinces as a cumulative table (inverse-CDF draws).
struct Choice {
  std::vector<double> cumulative;  // increasing, last = 1
  std::size_t draw(double u) const;
  /// The choice ∝ the given non-negative weights.
  static Choice from_weights(const std::vector<double>& weights);
};

/// The provinces and what follows from them; read from scenarios/data/provinces.yaml by sim/io
/// (io::world_from_yaml, io::embedded_world in sim/io/world_yaml.hpp).
class World {
public:
  World() = default;
  explicit World(std::vector<Province> provinces);

  std::size_t size() const { return provinces_.size(); }
  const Province& province(std::size_t i) const { return provinces_[i]; }
  const std::vector<Province>& provinces() const { return provinces_; }
  /// The regions' codes in order (the labels of the output's province dimensions).
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& p : provinces_) out.push_back(p.code.str());
    return out;
  }
  /// Index of a province code; throws if unknown.
  std::size_t index_of(RegionCode code) const;
  /// Index of a region code, or nothing if the world does not hold it.
  std::optional<std::size_t> find(RegionCode code) const;
  /// The output row of a figure reported for `code`: its region if the world holds it; otherwise
  /// (a province-level figure in a world of sub-province regions) the first region of its
  /// province, or nothing if the world has none there.
  std::optional<std::size_t> row_of(RegionCode code) const;

  /// Great-circle distance between capitals, km.
  double distance_km(std::size_t a, std::size_t b) const;

  /// Long-term off-site stock, origin × destination, for the given parameters: each destination's
  /// census inflow × offsite_insured_share, shared among origins ∝ population × distance^−beta.
  std::vector<std::vector<double>> offsite_stock(const SimParams& p) const;
  /// Where trips from `origin` go: ∝ destination population × distance^−beta.
  Choice trip_destinations(std::size_t origin, double beta) const;
  /// Where referrals go: the provinces' referral weights, excluding the origin.
  Choice referral_destinations(std::size_t origin) const;

private:
  std::vector<Province> provinces_;
  std::vector<std::pair<std::uint32_t, std::size_t>> by_code_;  // (code, index), sorted by code
};

}  // namespace yidi::sim
