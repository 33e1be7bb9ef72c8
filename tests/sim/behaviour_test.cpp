// Filing responds to what is at stake (issue 16, "Choices with what is at stake"; sim/README.md
// "Filing and the stake"): the trip- and long-term-filing levers hold where a filing saves the
// reference points of the national guidance (unfiled −20 against other temporary −10 and long-term
// none [seed 003 医保发〔2024〕21号 二]); each point more or less at stake moves the log-odds of
// filing by behaviour.filing_stake_log_odds (0.05 [assumed]).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/step.hpp"

using namespace yidi;

namespace {
constexpr int kJune2022 = 2022 * 12 + 5;

Reduction points(int p) {
  Reduction r;
  r.kind = Reduction::Kind::points;
  r.points = Points::of(p);
  return r;
}

/// The month's filing probabilities when every region's inpatient unfiled cut is `unfiled`
/// points and other temporary stays' `temporary` points (long-term categories: none).
struct Probabilities {
  double trip, long_term_retired, lever_trip, lever_long_term;
};
Probabilities with_cuts(int unfiled, int temporary, double beta = 0.05) {
  const sim::World world = io::embedded_world();
  sim::Scenario scenario = io::load_scenario("baseline");
  scenario.params.filing_stake_log_odds = beta;
  const PolicyBook book = io::scenario_policy(scenario);
  const sim::Layout layout = sim::make_layout(world, scenario.params, 100000);
  const sim::Mobility mob = sim::Mobility::build(world, scenario.params, layout);
  const sim::Rng rng{1};
  sim::MonthContext ctx = sim::MonthContext::make(kJune2022, scenario.params, rng, mob, world);
  std::vector<InsuredPolicy> policies;
  policies.reserve(world.size());
  for (std::size_t i = 0; i < world.size(); ++i) {
    InsuredPolicy pol = book.insured_policy(world.region(i).code, ctx.settle_date);
    auto& inpatient = pol.reduction[index(VisitType::inpatient)];
    inpatient[index(FilingCategory::unfiled)].value = points(unfiled);
    inpatient[index(FilingCategory::other_temporary)].value = points(temporary);
    for (FilingCategory c : {FilingCategory::retiree_resettled, FilingCategory::long_term_resident,
                             FilingCategory::stationed_worker})
      inpatient[index(c)].value = Reduction{};
    policies.push_back(pol);
    ctx.policy[i] = &policies.back();
    ctx.catalogue[i] = nullptr;
  }
  ctx.set_free_zones();
  return {ctx.trip_filing_of[0], ctx.long_term_filing_of[0][index(InsuredGroup::employee_retired)], ctx.trip_filing,
          ctx.long_term_filing};
}
double logistic_shift(double p, double log_odds) { return 1 / (1 + (1 - p) / p * std::exp(-log_odds)); }
}  // namespace

TEST(FilingStake, TheLeversHoldAtTheNationalGuidancesStake) {
  const Probabilities at = with_cuts(20, 10);
  EXPECT_DOUBLE_EQ(at.trip, at.lever_trip);                // 10 points saved: the reference
  EXPECT_DOUBLE_EQ(at.long_term_retired, at.lever_long_term);  // 20 points saved: the reference
  EXPECT_NEAR(at.lever_trip, 0.36 + (0.5 - 0.36) * 5 / 12.0, 1e-9);  // levers.trip_filing, mid-2022
}

TEST(FilingStake, MoreAtStakeFilesMoreMonotonically) {
  // Worked: trip lever p, 20 points saved against the reference 10: log-odds + 0.5.
  const Probabilities deep = with_cuts(30, 10);
  EXPECT_NEAR(deep.trip, logistic_shift(deep.lever_trip, 0.5), 1e-12);
  EXPECT_NEAR(deep.long_term_retired, logistic_shift(deep.lever_long_term, 0.5), 1e-12);
  // No reduction at all: nothing saved, log-odds −0.5 (trips) and −1.0 (long-term).
  const Probabilities none = with_cuts(0, 0);
  EXPECT_NEAR(none.trip, logistic_shift(none.lever_trip, -0.5), 1e-12);
  EXPECT_NEAR(none.long_term_retired, logistic_shift(none.lever_long_term, -1.0), 1e-12);
  double last = 0;
  for (int unfiled = 0; unfiled <= 40; unfiled += 5) {
    const double p = with_cuts(unfiled, 0).trip;
    EXPECT_GT(p, last) << unfiled;
    last = p;
  }
  // Switched off, filing ignores policy.
  const Probabilities off = with_cuts(0, 0, 0.0);
  EXPECT_DOUBLE_EQ(off.trip, off.lever_trip);
  EXPECT_DOUBLE_EQ(off.long_term_retired, off.lever_long_term);
}

// In runs under common random numbers: without reductions fewer people file, so fewer
// cross-province stays settle directly, on the same visits; with the response switched off the
// rates are the same, as before issue 16.
TEST(FilingStake, NoReductionLowersTheDirectShareOnTheSameVisits) {
  const sim::World world = io::embedded_world();
  auto rate = [&](const char* name, double beta) {
    sim::Scenario s = io::load_scenario(name);
    s.scale = 5000;
    s.months = 12;
    s.params.filing_stake_log_odds = beta;
    const PolicyBook book = io::scenario_policy(s);
    sim::Simulation sim(s, book, world);
    while (!sim.done()) sim.run_month();
    const auto& v = sim.results().data("offsite/visits").i;  // month × province × group × type × path
    std::int64_t direct = 0, all = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if ((i / 2) % 4 != 0) continue;  // inpatient
      all += v[i];
      if (i % 2 == 0) direct += v[i];
    }
    return std::pair<double, std::int64_t>{static_cast<double>(direct) / static_cast<double>(all), all};
  };
  const auto base = rate("baseline", 0.05), none = rate("no-reduction", 0.05);
  EXPECT_EQ(base.second, none.second);  // the same stays
  EXPECT_LT(none.first, base.first - 0.02);
  const auto base_off = rate("baseline", 0.0), none_off = rate("no-reduction", 0.0);
  EXPECT_DOUBLE_EQ(base_off.first, none_off.first);
}
