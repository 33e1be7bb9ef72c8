#pragma once
// The country the agents live in: pooling regions (统筹地区: cities, municipalities, province-level
// pools) grouped into provinces, with their census figures, and the gravity models choosing where
// long-term movers come from and go, within and across provinces, and where trips and referrals go
// (sim/README.md "Mobility"; docs/world.md for the sources).
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/region.hpp"
#include "sim/model/names.hpp"
#include "sim/model/params.hpp"

namespace yidi::sim {

inline constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

/// A pooling region: the unit that insures people and holds their fund.
struct Region {
  RegionCode code;
  std::string name, name_en;
  double population = 0;       // 2020 census resident population
  double inflow = kUnknown;    // residents registered in another province (2020 census); unknown: shared
                               // from the province's inflow (World::cross_inflow)
  double lat = 0, lon = 0;     // seat of the region's government
  double age60 = kUnknown;     // % of residents aged 60 and over (2020 census); unknown: its province's
  double cost_index = 1;       // [assumed] relative price level of a stay
  double referral_weight = 0;  // [assumed] share of cross-province referrals its big centres receive
  bool seat = false;           // holds the provincial capital
  std::size_t province = 0;    // index into World::provinces(), set by World
};

/// A province (31 provinces, autonomous regions and municipalities, and the XPCC): the regions it
/// groups and its census figures.
struct ProvinceData {
  RegionCode code;
  std::string name, name_en;
  double population = 0;              // 2020 census
  double inflow = 0;                  // residents registered in another province (2020 census)
  double within_province = kUnknown;  // residents registered elsewhere in the province (户口登记地在省内
                                      // 其他乡镇街道, incl. 市辖区内人户分离; 2020 census); unknown: no intra-province stock
  double outflow = kUnknown;          // residents of other provinces registered here (census; only Henan's is known)
  std::vector<std::size_t> regions;   // its regions, in world order
  std::size_t seat = 0;               // the region holding the capital (the first region if none is marked)
};

/// A discrete distribution over regions as a cumulative table (inverse-CDF draws).
struct Choice {
  std::vector<double> cumulative;  // increasing, last = 1
  std::size_t draw(double u) const;
  /// The choice ∝ the given non-negative weights.
  static Choice from_weights(const std::vector<double>& weights);
};

/// The regions and provinces and what follows from them; read from scenarios/data/pools.yaml (or
/// any world file) by sim/io (io::world_from_yaml, io::embedded_world in sim/io/world_yaml.hpp).
class World {
public:
  World() = default;
  /// Regions with their provinces' figures; provinces not given are derived from the regions'
  /// codes (population and inflow summed, within-province movement unknown), so a world whose
  /// regions are the provinces needs none. Throws std::invalid_argument on a region whose
  /// province is missing or a province without regions.
  explicit World(std::vector<Region> regions, std::vector<ProvinceData> provinces = {});

  /// Regions (pools): every by-region table has this extent.
  std::size_t size() const { return regions_.size(); }
  const Region& region(std::size_t i) const { return regions_[i]; }
  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<ProvinceData>& provinces() const { return provinces_; }
  std::size_t province_of(std::size_t region) const { return regions_[region].province; }
  /// Both regions in one province (an off-site visit between them is intra-province).
  bool same_province(std::size_t a, std::size_t b) const { return regions_[a].province == regions_[b].province; }
  /// The regions' codes in order (the labels of the output's region dimension).
  std::vector<std::string> codes() const;
  /// The provinces' codes in order (the labels of the output's province dimensions).
  std::vector<std::string> province_codes() const;
  /// Index of a region code; throws if unknown.
  std::size_t index_of(RegionCode code) const;
  /// Index of a region code, or nothing if the world does not hold it.
  std::optional<std::size_t> find(RegionCode code) const;
  /// Index in provinces() of the province of a region or province code, or nothing.
  std::optional<std::size_t> province_index(RegionCode code) const;

  /// Region r's share of residents aged 60+ relative to the nation's (population-weighted over the
  /// regions): its census figure, else its province's known regions' (population-weighted), else
  /// the nation's; 1 everywhere when no region has a figure (e.g. a world of provinces).
  double age60_factor(std::size_t r) const { return age60_factor_[r]; }

  /// Great-circle distance between seats, km.
  double distance_km(std::size_t a, std::size_t b) const;

  /// Residents of region r registered in another province: its census figure where known, else
  /// its share of what its province's known regions leave, ∝ population × (inflow_seat_factor at
  /// the seat, 1 elsewhere) [assumed; sim/README.md].
  double cross_inflow(std::size_t r, const SimParams& p) const;
  /// Long-term off-site stock (insured at home, living in another region), origin × destination:
  /// cross-province, each destination's cross_inflow × offsite_insured_share shared among the
  /// regions of other provinces ∝ population × push × distance^−β, where push = (the origin
  /// province's inflow share of its population)^−origin_push_exponent [assumed, calibrated on
  /// Henan's outflow]; intra-province, the province's within-province movers × intra_floating_share ×
  /// intra_cross_pool_share × intra_insured_share, destinations ∝ population × (intra_seat_factor at
  /// the seat), origins in the same province ∝ population × distance^−β.
  std::vector<std::vector<double>> offsite_stock(const SimParams& p) const;
  /// Where trips from `origin` go: to another province ∝ population × distance^−β; within the
  /// province (another region) likewise, the two weighted 1 : intra_trip_ratio (a province of one
  /// region has cross-province trips only).
  Choice trip_destinations(std::size_t origin, const SimParams& p) const;
  /// The relative trip rate of `origin`: 1 + intra_trip_ratio where its province has other regions.
  double trip_rate_factor(std::size_t origin, const SimParams& p) const;
  /// Where cross-province referrals go: the regions' referral weights outside the origin's province.
  Choice referral_destinations(std::size_t origin) const;
  /// The region intra-province referrals go to (the provincial seat), or nothing from the seat
  /// itself or a province of one region.
  std::optional<std::size_t> intra_referral(std::size_t origin) const;

private:
  std::vector<Region> regions_;
  std::vector<ProvinceData> provinces_;
  std::vector<std::pair<std::uint32_t, std::size_t>> by_code_;  // (code, index), sorted by code
  std::vector<double> age60_factor_;                             // per region, see age60_factor
};

/// The first series of a regional lever (SimParams::by_region) for a code that is neither a
/// province nor a pool of `world` (it would act nowhere): {field, message}, e.g.
/// {"params.levers.trip_filing.by_region", "'519900' is neither …"}; nothing when all are. Scenario files
/// are checked as they are read (io::parse_scenario, at the key's line); the Simulation checks a
/// scenario built in code.
std::optional<std::pair<std::string, std::string>> unknown_regional_code(const World& world, const SimParams& p);

/// The world's provinces and pools by code and names, as resolve_region takes them.
void named_regions(const World& world, std::vector<NamedRegion>& provinces, std::vector<NamedRegion>& pools);

}  // namespace yidi::sim
