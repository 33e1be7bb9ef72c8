// Care over time (issue 15, "dated inputs ... medical cost growth; hospitalisation rates"): the
// rates and bills the parameters state are 2023's; care.volume_index and care.cost_index carry them
// through the years (sim/README.md "Care over time"). Their product's annual means are the
// bulletins' fund spending per insured person relative to 2023, the insured weighted by an
// employee's spending over a resident's in 2022 (scripts/fit-care-index.py).
#include <gtest/gtest.h>

#include <cmath>

#include "sim/engine/simulation.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/rng.hpp"
#include "sim/model/step.hpp"

using namespace yidi;

TEST(Series, MidYearPointsAndGrowthPastTheLastPoint) {
  const sim::Series s = sim::Series::mid_year({{2023, 1.0}, {2024, 2.0}});
  ASSERT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.points[0].first, 2023 * 12 + 6);  // July 2023
  EXPECT_DOUBLE_EQ(s.at(2024 * 12), 1.5);       // January 2024: half-way
  EXPECT_DOUBLE_EQ(s.at_growing(2024 * 12, 0.1), 1.5);         // between points: at()
  EXPECT_DOUBLE_EQ(s.at_growing(2020 * 12, 0.1), 1.0);         // before the first: flat
  EXPECT_DOUBLE_EQ(s.at_growing(2025 * 12 + 6, 0.1), 2.2);     // a year past the last: × 1.1
  EXPECT_NEAR(s.at_growing(2026 * 12 + 6, 0.1), 2.42, 1e-12);  // two years: × 1.21
  EXPECT_NEAR(s.at_growing(2024 * 12 + 12, 0.1), 2.0 * std::sqrt(1.1), 1e-12);  // half a year
  EXPECT_DOUBLE_EQ(s.at_growing(2025 * 12, 0.0), 2.0);         // no growth: flat, as at()
  // A number without a date (a scenario's `care.cost_index: 1.1`) is that value in every month.
  EXPECT_DOUBLE_EQ(sim::Series::flat(1.1).at_growing(2030 * 12, 0.1), 1.1);
}

namespace {
double annual_mean(int year, bool cost_only) {
  const sim::SimParams p;
  double sum = 0;
  for (int m = year * 12; m < year * 12 + 12; ++m)
    sum += cost_only ? sim::care_cost_at(p, m) : sim::care_volume_at(p, m) * sim::care_cost_at(p, m);
  return sum / 12;
}
}  // namespace

TEST(CareOverTime, TheDefaultIndicesAverageTheBulletinsSpendingPerInsuredPerson) {
  // ../shared/data/national-stats.csv: fund expenditure (亿元) and insured employees, residents (万).
  struct Year {
    int year;
    double spent, employees, residents;
  };
  const Year years[] = {{2018, 17822, 31681, 134459 - 31681},  // residents: total − employees
                        {2020, 21032, 34455, 101676},
                        {2021, 24043.1, 35431, 100866},
                        {2022, 24597.24, 36243, 98349},
                        {2023, 28208.38, 37095, 96294}};
  // 2022: employees 24,597.24 − 9,353.44 over 36,243万; residents 9,353.44 over 98,349万.
  const double k = ((24597.24 - 9353.44) / 36243) / (9353.44 / 98349);
  EXPECT_NEAR(k, 4.4225, 1e-4);
  const auto per = [&](const Year& y) { return y.spent / (k * y.employees + y.residents); };
  for (const Year& y : years) {
    EXPECT_NEAR(annual_mean(y.year, false), per(y) / per(years[4]), 5e-4) << y.year;
    EXPECT_NEAR(annual_mean(y.year, true), std::pow(1.04, y.year - 2023), 5e-4) << y.year;  // prices +4% [assumed]
  }
  // 2022 → 2023: +13.9% spending per weighted person (the bulletins' per-scheme +13.8% and +14.2%).
  EXPECT_NEAR(annual_mean(2023, false) / annual_mean(2022, false), 1.139, 2e-3);
  // Past the last point (July 2023): use +2% and prices +4% a year [assumed].
  const sim::SimParams p;
  EXPECT_NEAR(sim::care_volume_at(p, 2025 * 12 + 6) / sim::care_volume_at(p, 2024 * 12 + 6), 1.02, 1e-12);
  EXPECT_NEAR(sim::care_cost_at(p, 2025 * 12 + 6) / sim::care_cost_at(p, 2024 * 12 + 6), 1.04, 1e-12);
}

TEST(CareOverTime, SpendingGrownPastWhatFundsCarryIsAnError) {
  sim::SimParams p;
  p.care_volume_growth = p.care_cost_growth = 1.0;  // doubling a year, each: × 4 a year
  EXPECT_NEAR(sim::care_spending_at(p, 2025 * 12 + 6), 16 * sim::care_spending_at(p, 2023 * 12 + 6), 1e-9);
  try {
    sim::care_spending_at(p, 2040 * 12);  // 4^16.5 ≈ 8.6 × 10⁹
    FAIL() << "no error";
  } catch (const std::overflow_error& e) {
    EXPECT_NE(std::string(e.what()).find("care.volume_index × care.cost_index reaches 8."), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("in 2040-01"), std::string::npos) << e.what();
  }
}

namespace {
struct Context {
  sim::World world = io::embedded_world();
  sim::Scenario scenario = io::load_scenario("baseline");
  sim::Layout layout = sim::make_layout(world, scenario.params, 100000);
  sim::Mobility mob = sim::Mobility::build(world, scenario.params, layout);
  sim::Rng rng{1};
  sim::MonthContext make(double volume, double cost) {
    scenario.params.care_volume = sim::Series::flat(volume);
    scenario.params.care_cost = sim::Series::flat(cost);
    return sim::MonthContext::make(2022 * 12 + 5, scenario.params, rng, mob, world);
  }
};
}  // namespace

TEST(CareOverTime, TheMonthsRatesAndBillsFollowTheIndices) {
  Context c;
  const sim::MonthContext one = c.make(1.0, 1.0), more = c.make(1.5, 1.2);
  EXPECT_DOUBLE_EQ(more.volume, 1.5);
  EXPECT_DOUBLE_EQ(more.cost, 1.2);
  // Admissions: the 2023 rates a year ÷ 12 × the volume index (in-service employees 0.128 a year).
  EXPECT_DOUBLE_EQ(one.stay_rate[index(InsuredGroup::employee_in_service)][1], 0.128 / 12);
  for (std::size_t g = 0; g < 3; ++g)
    for (std::size_t a = 0; a < 3; ++a) {
      EXPECT_DOUBLE_EQ(more.stay_rate[g][a], 1.5 * one.stay_rate[g][a]) << g << a;
      EXPECT_NEAR(more.no_stay[g][a], std::exp(-more.stay_rate[g][a]), 1e-15);
    }
  // Outpatient visits a month: general 0.2, chronic 0.45, pharmacy 0.16 while living off-site.
  EXPECT_NEAR(one.outpatient[0][1].total, 0.2 + 0.45 + 0.16, 1e-12);
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t ch = 0; ch < 2; ++ch) {
      EXPECT_NEAR(more.outpatient[t][ch].total, 1.5 * one.outpatient[t][ch].total, 1e-12);
      for (std::size_t k = 0; k < 3; ++k)
        EXPECT_NEAR(more.outpatient[t][ch].rates[k], 1.5 * one.outpatient[t][ch].rates[k], 1e-12);
    }
  // Bills: the lognormal's μ moves by ln 1.2, so every mean bill is 1.2 times.
  for (std::size_t s = 0; s < 2; ++s)
    EXPECT_NEAR(more.log_mean_inpatient[s] - one.log_mean_inpatient[s], std::log(1.2), 1e-12);
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_NEAR(more.log_mean_outpatient[k] - one.log_mean_outpatient[k], std::log(1.2), 1e-12);
  // The mean employee bill at index 1: 11,000 yuan before cost factors (e^{μ + σ²/2}).
  EXPECT_NEAR(std::exp(one.log_mean_inpatient[0] + 0.85 * 0.85 / 2), 11000, 1e-6);
}

namespace {
/// The funds' expenditure in the first month of a run with no care at all (every rate 0), so that
/// all of it is the other spending, by province × scheme, fen; and the insured by province × group.
struct Spent {
  std::vector<std::int64_t> expenditure, insured;
};
Spent spending_alone(double volume, double cost) {
  const sim::World world = io::embedded_world();
  sim::Scenario scenario = io::load_scenario("baseline");
  scenario.scale = 5000;
  scenario.months = 1;
  sim::SimParams& p = scenario.params;
  p.contribution_cost_elasticity = 0;  // the national amount in every pool
  p.inpatient_rate_in_service = p.inpatient_rate_retired = p.inpatient_rate_resident = 0;
  p.outpatient_per_month_away = p.chronic_per_month = p.pharmacy_per_month_away = 0;
  p.care_volume = sim::Series::flat(volume);
  p.care_cost = sim::Series::flat(cost);
  const PolicyBook book = io::scenario_policy(scenario);
  sim::Simulation s(scenario, book, world);
  s.run_month();
  return {s.results().data("funds/expenditure").i, s.results().data("population/insured").i};
}
}  // namespace

TEST(CareOverTime, TheFundsOtherSpendingFollowsUseTimesPrices) {
  const sim::World world = io::embedded_world();
  const std::size_t henan = *world.province_index(RegionCode::of(410000));
  const Spent one = spending_alone(1.0, 1.0), dear = spending_alone(1.25, 1.2);
  const double employees = static_cast<double>(one.insured[henan * 3] + one.insured[henan * 3 + 1]),
               residents = static_cast<double>(one.insured[henan * 3 + 2]);
  ASSERT_GT(employees, 0);
  // funds.other_spending: 2,937 and 181 yuan a year per person at the 2023 level of care.
  EXPECT_NEAR(static_cast<double>(one.expenditure[henan * 2]) / employees, 293700.0 / 12, 0.01);
  EXPECT_NEAR(static_cast<double>(one.expenditure[henan * 2 + 1]) / residents, 18100.0 / 12, 0.01);
  // Use × prices 1.25 × 1.2 = 1.5: every pool's other spending is 1.5 times, to the fen's rounding.
  std::int64_t a = 0, b = 0;
  for (std::size_t i = 0; i < one.expenditure.size(); ++i) {
    a += one.expenditure[i];
    b += dear.expenditure[i];
    if (one.expenditure[i] > 100000) {
      EXPECT_NEAR(static_cast<double>(dear.expenditure[i]) / static_cast<double>(one.expenditure[i]), 1.5, 1e-6) << i;
    }
  }
  EXPECT_GT(a, 0);
  EXPECT_NEAR(static_cast<double>(b) / static_cast<double>(a), 1.5, 1e-7);
}

TEST(Travel, TheCovidYearsCutTripsAndReferralsNotTheLongTermStock) {
  // mobility.travel_index [assumed]: 2020 0.55, 2021 0.8, 2022 0.6, flat within each year, 1 before
  // and from January 2023 (reopening).
  const sim::SimParams d;
  EXPECT_DOUBLE_EQ(d.travel.at(2019 * 12 + 5), 1.0);
  EXPECT_DOUBLE_EQ(d.travel.at(2020 * 12 + 5), 0.55);
  EXPECT_DOUBLE_EQ(d.travel.at(2021 * 12 + 11), 0.8);
  EXPECT_DOUBLE_EQ(d.travel.at(2022 * 12 + 5), 0.6);
  EXPECT_DOUBLE_EQ(d.travel.at(2023 * 12), 1.0);
  EXPECT_DOUBLE_EQ(d.travel.at(2027 * 12), 1.0);
  Context c;
  c.scenario.params.travel = sim::Series::flat(1.0);
  const sim::MonthContext one = c.make(1.0, 1.0);
  c.scenario.params.travel = sim::Series::flat(0.5);
  const sim::MonthContext half = c.make(1.0, 1.0);
  EXPECT_DOUBLE_EQ(one.referral_share, c.scenario.params.referral_share);  // referral.share 0.024
  EXPECT_DOUBLE_EQ(half.referral_share, 0.5 * c.scenario.params.referral_share);
  ASSERT_EQ(half.trip_rate.size(), c.world.size());
  for (std::size_t r = 0; r < c.world.size(); ++r) {
    EXPECT_DOUBLE_EQ(one.trip_rate[r], c.mob.trip_rate[r]) << r;
    EXPECT_DOUBLE_EQ(half.trip_rate[r], 0.5 * c.mob.trip_rate[r]) << r;
    for (std::size_t g = 0; g < 3; ++g) {
      // The screen's threshold is the full step's probability (to_unit(w) < trip_rate), × travel.
      EXPECT_EQ(half.cells[r][g].trip_below, sim::unit_below(half.trip_rate[r])) << r << g;
      if (one.trip_rate[r] > 0) {
        EXPECT_LT(half.cells[r][g].trip_below, one.cells[r][g].trip_below) << r << g;
      }
      EXPECT_EQ(half.cells[r][g].move_below, one.cells[r][g].move_below) << r << g;  // moves: not journeys
    }
  }
}
