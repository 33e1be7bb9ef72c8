// Each pool's age mix from its census 60+ share (issue 14, "Population: insured persons by pool
// from its census share within the province (and its age shares, which the file has)"): a pool's
// retired share of employees and senior share of residents are the national ones × (its 60+ share
// ÷ the nation's)^population.age_elasticity, normalised so that the national totals stay
// (sim/README.md "Population"; docs/world.md). Worked by hand on a three-pool world; the
// default world's figures are ../shared/data/prefecture-census-2020.csv's [SECONDARY].
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/io/input_error.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/population.hpp"

using namespace yidi;

namespace {
// Nanjing 10%, Wuxi unknown (takes Jiangsu's known 10%), Zhengzhou 25%; populations 1:1:2.
// Nation (population-weighted): (1000·10 + 1000·10 + 2000·25) ÷ 4000 = 17.5%.
const char* kWorld =
    "regions:\n"
    "  - {code: \"320100\", name: 南京市, name_en: Nanjing, population: 1000, age60: 10, lat: 32.06, lon: 118.8, cost_index: 1, referral_weight: 0, seat: true}\n"
    "  - {code: \"320200\", name: 无锡市, name_en: Wuxi, population: 1000, age60: null, lat: 31.49, lon: 120.31, cost_index: 1, referral_weight: 0}\n"
    "  - {code: \"410100\", name: 郑州市, name_en: Zhengzhou, population: 2000, age60: 25, lat: 34.75, lon: 113.62, cost_index: 1, referral_weight: 0, seat: true}\n";

double retired_share(const sim::Layout& l, std::size_t r) {
  return l.insured[r][index(InsuredGroup::employee_retired)] /
         (l.insured[r][index(InsuredGroup::employee_retired)] + l.insured[r][index(InsuredGroup::employee_in_service)]);
}
}  // namespace

TEST(AgeMix, FactorsAreThePoolsSixtyPlusShareOverTheNations) {
  const sim::World w = io::world_from_yaml(kWorld, "three.yaml");
  EXPECT_NEAR(w.age60_factor(0), 10 / 17.5, 1e-12);
  EXPECT_NEAR(w.age60_factor(1), 10 / 17.5, 1e-12);  // unknown: Jiangsu's known pools' 10%
  EXPECT_NEAR(w.age60_factor(2), 25 / 17.5, 1e-12);
}

TEST(AgeMix, RetiredAndSeniorSharesFollowTheFactorAndKeepTheNationalTotals) {
  const sim::World w = io::world_from_yaml(kWorld, "three.yaml");
  sim::SimParams p;  // 266.07 M in service, 96.36 M retired, 983.49 M residents; seniors 25% of residents
  const sim::Layout l = sim::make_layout(w, p, 1);
  const double national_retired = 96.36 / (266.07 + 96.36);  // 26.59%
  EXPECT_NEAR(retired_share(l, 0), national_retired * 10 / 17.5, 1e-9);  // 15.19%
  EXPECT_NEAR(retired_share(l, 2), national_retired * 25 / 17.5, 1e-9);  // 37.98%
  EXPECT_NEAR(l.senior_share[0], 0.25 * 10 / 17.5, 1e-12);              // 14.29%
  EXPECT_NEAR(l.senior_share[2], 0.25 * 25 / 17.5, 1e-12);              // 35.71%
  // Employees and residents by population (1:1:2); the national totals kept.
  double retired = 0, in_service = 0, residents = 0;
  for (std::size_t r = 0; r < 3; ++r) {
    retired += l.insured[r][index(InsuredGroup::employee_retired)];
    in_service += l.insured[r][index(InsuredGroup::employee_in_service)];
    residents += l.insured[r][index(InsuredGroup::resident)];
  }
  EXPECT_NEAR(retired, 96.36e6, 1e-3);
  EXPECT_NEAR(in_service, 266.07e6, 1e-3);
  EXPECT_NEAR(residents, 983.49e6, 1e-3);
  EXPECT_NEAR(l.insured[2][index(InsuredGroup::resident)], 983.49e6 / 2, 1e-3);
}

TEST(AgeMix, ElasticityZeroIsTheNationalMixAndTwoIsNormalised) {
  const sim::World w = io::world_from_yaml(kWorld, "three.yaml");
  sim::SimParams p;
  p.age_elasticity = 0;
  const sim::Layout flat = sim::make_layout(w, p, 1);
  for (std::size_t r = 0; r < 3; ++r) {
    EXPECT_NEAR(retired_share(flat, r), 96.36 / (266.07 + 96.36), 1e-12) << r;
    EXPECT_DOUBLE_EQ(flat.senior_share[r], 0.25) << r;
  }
  // e = 2: factors (10/17.5)² and (25/17.5)², divided by their population mean
  // (0.25·0.3265·2 + 0.5·2.0408 = 1.1837): 0.2759 and 1.7241.
  p.age_elasticity = 2;
  const sim::Layout steep = sim::make_layout(w, p, 1);
  const double a = std::pow(10 / 17.5, 2), b = std::pow(25 / 17.5, 2), mean = 0.25 * a * 2 + 0.5 * b;
  EXPECT_NEAR(steep.senior_share[0], 0.25 * a / mean, 1e-12);
  EXPECT_NEAR(steep.senior_share[2], 0.25 * b / mean, 1e-12);
  EXPECT_NEAR(steep.senior_share[2], 0.431, 0.001);
}

TEST(AgeMix, AWorldWithoutAgeFiguresKeepsTheNationalMix) {
  const sim::World w = io::world_from_yaml(
      "regions:\n"
      "  - {code: \"110000\", name: 北京市, name_en: Beijing, population: 100, lat: 39.9, lon: 116.4, cost_index: 1, referral_weight: 0}\n"
      "  - {code: \"410000\", name: 河南省, name_en: Henan, population: 300, lat: 34.75, lon: 113.62, cost_index: 1, referral_weight: 0}\n",
      "provinces.yaml");
  EXPECT_DOUBLE_EQ(w.age60_factor(0), 1.0);
  EXPECT_DOUBLE_EQ(w.age60_factor(1), 1.0);
}

TEST(AgeMix, TheDefaultWorldsOldestAndYoungestPools) {
  const sim::World w = io::embedded_world();
  const sim::Layout l = sim::make_layout(w, sim::SimParams{}, 1);
  // Nantong 320600 (30.01% aged 60+ in 2020) against Shenzhen 440300 (5.36%) [SECONDARY], the
  // nation about 18.7%: 42.6% and 7.6% of employees retired (26.6% nationally).
  const std::size_t nantong = w.index_of(RegionCode::of(320600)), shenzhen = w.index_of(RegionCode::of(440300));
  EXPECT_NEAR(retired_share(l, nantong) / retired_share(l, shenzhen), 30.01 / 5.36, 1e-9);
  EXPECT_NEAR(l.senior_share[nantong] / l.senior_share[shenzhen], 30.01 / 5.36, 1e-9);
  EXPECT_NEAR(retired_share(l, nantong), 0.426, 0.005);
  EXPECT_NEAR(retired_share(l, shenzhen), 0.076, 0.005);
}

TEST(AgeMix, AnAgeShareAboveOneHundredIsRefused) {
  try {
    io::world_from_yaml(
        "regions:\n"
        "  - {code: \"110000\", name: 北京市, name_en: Beijing, population: 100, age60: 130, lat: 39.9, lon: 116.4, cost_index: 1, referral_weight: 0}\n",
        "bad.yaml");
    FAIL() << "expected an error";
  } catch (const io::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "bad.yaml:2:81: field 'age60': expected the percentage of residents aged 60+ (0 to 100), got '130'");
  }
}
