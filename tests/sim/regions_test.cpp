// The simulator on a world of 400 regions (tests/sim/world-400.yaml: the 32 provinces of
// scenarios/data/provinces.yaml split into 12 or 13 synthetic regions each), at a tiny scale: the
// number of regions comes from the world at run time (issue 13, "Regions at run time"), agents
// name regions above 255 in their 10-bit region index, the output's province dimensions are the
// world's regions, and the MPI partition cuts the population into whole insured regions.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sim/engine/comm.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;

namespace {
const std::string kWorldFile = std::string(YIDI_SOURCE_DIR) + "/tests/sim/world-400.yaml";

sim::World world_400() {
  std::ifstream in(kWorldFile);
  std::stringstream text;
  text << in.rdbuf();
  return io::world_from_yaml(text.str(), kWorldFile);
}

/// The baseline scenario's policy with every region of the world registered: a region without
/// policy data of its own inherits its province's (PolicyBook::lookup: region → province → national).
PolicyBook book_for(const sim::Scenario& scenario, const sim::World& world) {
  PolicyBook book = io::scenario_policy(scenario);
  for (const auto& r : world.regions())
    if (!book.has_region(r.code)) book.add_region(RegionInfo{r.code, r.name, r.name_en});
  return book;
}

struct Run400 {
  sim::World world = world_400();
  sim::Scenario scenario;
  PolicyBook book;
  Run400() {
    scenario = io::load_scenario("baseline");
    scenario.scale = 20000;  // 1:20000, about 67,000 agents
    scenario.months = 3;
    book = book_for(scenario, world);
  }
};
}  // namespace

TEST(Regions, TheWorldFileHas400RegionsInTheirProvinces) {
  const sim::World world = world_400();
  ASSERT_EQ(world.size(), 400u);
  // Region 1 of Beijing first, region 12 of XPCC (66) last; 13 regions in Beijing's province.
  EXPECT_EQ(world.region(0).code, RegionCode::of(110100));
  EXPECT_EQ(world.region(399).code, RegionCode::of(661200));
  ASSERT_EQ(world.provinces().size(), 32u);  // derived from the codes: the file has no provinces section
  EXPECT_EQ(world.provinces()[0].code, RegionCode::of(110000));
  EXPECT_EQ(world.provinces()[0].regions.size(), 13u);
  EXPECT_EQ(world.provinces()[0].seat, 0u);  // no seat marked: the first region
}

TEST(Regions, ARegionWithoutPolicyDataInheritsItsProvince) {
  const Run400 f;
  const Date d = *Date::from_ymd(2024, 6, 15);
  // 110700 (synthetic Beijing 7) has no policy file: every value in force is Beijing's.
  for (const char* path : {"assistance.ratio", "filing.temporary_validity_months", "reduction_base"}) {
    try {
      EXPECT_EQ(&f.book.lookup(RegionCode::of(110700), path, d), &f.book.lookup(RegionCode::of(110000), path, d)) << path;
    } catch (const PolicyError& e) {
      ADD_FAILURE() << path << ": " << e.what();
    }
  }
}

TEST(Regions, ARunOf400RegionsHasTheirPopulationAwayAgentsAndExtents) {
  const Run400 f;
  sim::Simulation s(f.scenario, f.book, f.world);
  const sim::Layout& l = s.layout();
  ASSERT_EQ(l.regions(), 400u);
  // The population per region and group tiles the agents, in region order.
  std::uint64_t agents = 0;
  for (std::size_t r = 0; r < l.regions(); ++r)
    for (std::size_t g = 0; g < sim::kGroups; ++g) {
      EXPECT_EQ(l.begin[r][g], agents) << r << "/" << g;
      agents += l.count[r][g];
    }
  EXPECT_EQ(agents, l.total);
  EXPECT_GT(l.total, 60000u);
  while (!s.done()) s.run_month();
  const sim::Results& res = s.results();

  // region/insured: 400 × 3, and population/insured its 32 provinces, both summing to the whole
  // (scaled) population.
  EXPECT_EQ(res.shape(sim::dataset("region/insured")), (std::vector<std::size_t>{400, 3}));
  EXPECT_EQ(res.shape(sim::dataset("population/insured")), (std::vector<std::size_t>{32, 3}));
  for (const char* name : {"region/insured", "population/insured"}) {
    std::int64_t insured = 0;
    for (auto v : res.data(name).i) insured += v;
    EXPECT_EQ(insured, static_cast<std::int64_t>(l.total) * f.scenario.scale) << name;
  }
  EXPECT_EQ(res.labels(sim::Dim::region).size(), 400u);
  EXPECT_EQ(res.labels(sim::Dim::region)[399], "661200");
  EXPECT_EQ(res.labels(sim::Dim::province).size(), 32u);
  EXPECT_EQ(res.shape(sim::dataset("clearing/gross")), (std::vector<std::size_t>{3, 32, 32}));
  EXPECT_EQ(res.shape(sim::dataset("offsite/by_treatment")), (std::vector<std::size_t>{3, 32, 32, 4}));
  EXPECT_EQ(res.shape(sim::dataset("region/intra_visits")), (std::vector<std::size_t>{3, 400, 4, 2}));

  // Agents live in regions below 400, and some off-site agents live in regions from 256 on
  // (whose index needs the high bits in traits).
  std::size_t away = 0, high = 0, bad = 0;
  for (std::size_t r = 0; r < l.regions(); ++r)
    for (std::size_t g = 0; g < sim::kGroups; ++g)
      for (std::uint32_t i = l.begin[r][g]; i < l.begin[r][g] + l.count[r][g]; ++i) {
        const sim::Agent& a = s.agents()[i];
        bad += a.region() >= 400;
        if (!a.is_away(r)) continue;
        ++away;
        high += a.region() >= 256;
      }
  EXPECT_EQ(bad, 0u);
  EXPECT_GT(away, 100u);
  EXPECT_GT(high, 10u);
  // People of regions from 256 on went off-site, within and across provinces.
  std::int64_t cross_high = 0, intra_high = 0;
  for (std::size_t m = 0; m < 3; ++m)
    for (std::size_t h = 256; h < 400; ++h)
      for (std::size_t vp = 0; vp < 8; ++vp) {
        cross_high += res.data("region/offsite_visits").i[(m * 400 + h) * 8 + vp];
        intra_high += res.data("region/intra_visits").i[(m * 400 + h) * 8 + vp];
      }
  EXPECT_GT(cross_high, 0);
  EXPECT_GT(intra_high, 0);
}

// Ranks own whole insured regions, contiguous and in order, tiling the agents; each rank's load
// is within one region's agents of an equal share.
TEST(Regions, ThePartitionCutsWholeInsuredRegions) {
  const Run400 f;
  const sim::Layout l = sim::make_layout(f.world, f.scenario.params, f.scenario.scale);
  std::uint32_t largest = 0;
  for (std::size_t r = 0; r < l.regions(); ++r) largest = std::max(largest, l.agents_of(r));
  ASSERT_GT(largest, 0u);
  for (int ranks : {1, 2, 3, 7, 16, 64, 399, 400, 401}) {
    std::size_t next_region = 0;
    std::uint32_t next_agent = 0;
    for (int rank = 0; rank < ranks; ++rank) {
      const sim::Partition p = sim::partition(l, rank, ranks);
      ASSERT_EQ(p.province_begin, next_region) << ranks << " ranks, rank " << rank;
      ASSERT_EQ(p.agent_begin, next_agent) << ranks << " ranks, rank " << rank;
      std::uint32_t load = 0;
      for (std::size_t r = p.province_begin; r < p.province_end; ++r) load += l.agents_of(r);
      EXPECT_EQ(load, p.agents()) << ranks << " ranks, rank " << rank;
      const double share = static_cast<double>(l.total) / ranks;
      EXPECT_LE(std::abs(static_cast<double>(p.agents()) - share), static_cast<double>(largest))
          << ranks << " ranks, rank " << rank;
      next_region = p.province_end;
      next_agent = p.agent_end;
    }
    EXPECT_EQ(next_region, 400u) << ranks;
    EXPECT_EQ(next_agent, l.total) << ranks;
  }
}
