// Per-pool contributions (issue 15, "contributions per capita by year and province"; the bulletins
// give national means only): a pool raises per person the national amount × its cost index^e
// (funds.contribution_cost_elasticity, 1 [assumed]), normalised over each scheme's insured so that
// the national total is the bulletin's. Beijing (cost index 1.45, scenarios/data/provinces.yaml
// [assumed]) then raises 1.45 times Henan's (1.0) per person, and a dear pool's fund is no longer
// drained by its own bills (the baseline drove Shanghai's and Beijing's resident funds below zero).
#include <gtest/gtest.h>

#include <cmath>

#include "sim/engine/simulation.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;

namespace {
struct Month0 {
  std::vector<std::int64_t> income;  // province × scheme, fen, the first month
  std::vector<std::int64_t> insured; // province × group, persons
};
Month0 first_month(double elasticity) {
  const sim::World world = io::embedded_world();
  sim::Scenario scenario = io::load_scenario("baseline");
  scenario.scale = 5000;
  scenario.months = 1;
  scenario.params.contribution_cost_elasticity = elasticity;
  const PolicyBook book = io::scenario_policy(scenario);
  sim::Simulation s(scenario, book, world);
  s.run_month();
  return {s.results().data("funds/income").i, s.results().data("population/insured").i};
}
double per_person(const Month0& m, std::size_t province, std::size_t scheme) {
  const double persons = scheme == 0 ? static_cast<double>(m.insured[province * 3] + m.insured[province * 3 + 1])
                                     : static_cast<double>(m.insured[province * 3 + 2]);
  return static_cast<double>(m.income[province * 2 + scheme]) / persons;
}
}  // namespace

TEST(PoolFunds, ContributionsPerPersonFollowTheCostIndexAndKeepTheNationalTotal) {
  const sim::World world = io::embedded_world();
  const std::size_t beijing = *world.province_index(RegionCode::of(110000)),
                    henan = *world.province_index(RegionCode::of(410000));
  const Month0 flat = first_month(0), dear = first_month(1);
  for (std::size_t s = 0; s < 2; ++s) {
    // Elasticity 0: the national amount everywhere (5,737 and 1,030 yuan a year, 2022 bulletin).
    EXPECT_NEAR(per_person(flat, beijing, s) / per_person(flat, henan, s), 1.0, 1e-6) << s;
    EXPECT_NEAR(per_person(flat, henan, s), (s == 0 ? 573700.0 : 103000.0) / 12, 0.01) << s;
    // Elasticity 1: Beijing 1.45 × Henan's; the national total the same.
    // (per-person amounts are whole fen a year: relative rounding of a few 1e-6)
    EXPECT_NEAR(per_person(dear, beijing, s) / per_person(dear, henan, s), 1.45, 1e-5) << s;
    std::int64_t a = 0, b = 0;
    for (std::size_t p = 0; p < world.provinces().size(); ++p) {
      a += flat.income[p * 2 + s];
      b += dear.income[p * 2 + s];
    }
    EXPECT_NEAR(static_cast<double>(b) / static_cast<double>(a), 1.0, 1e-5) << s;
  }
}
