// Parameter uncertainty (issue 15): a scenario's `uncertainty:` block names parameters that each
// replicate of an experiment draws anew, uniformly on [low, high], from its seed (sim/model/scenario.hpp),
// so that the bands cover parameter uncertainty as well as sampling noise; `yidi calibrate
// --uncertainty` writes the block.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "sim/engine/experiments.hpp"
#include "sim/engine/run_plan.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/params.hpp"

using namespace yidi;

namespace {
const char* kBlock =
    "name: u\n"
    "uncertainty:\n"
    "  funds.other_spending.resident: {low: 100, high: 300}\n"
    "  mobility.travel_index@2022: {low: 0.5, high: 0.9}\n";

sim::Scenario baseline() { return io::load_scenario("baseline"); }

std::string error_of(const std::string& text) {
  try {
    io::parse_scenario(text, "u.yaml", baseline());
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(Uncertainty, TheBlockIsReadAndRoundTrips) {
  const sim::Scenario s = io::parse_scenario(kBlock, "u.yaml", baseline());
  ASSERT_EQ(s.uncertainty.size(), 2u);
  EXPECT_EQ(s.uncertainty[0].name, "funds.other_spending.resident");
  EXPECT_EQ(s.uncertainty[0].year, 0);
  EXPECT_EQ(s.uncertainty[0].low, 100);
  EXPECT_EQ(s.uncertainty[0].high, 300);
  EXPECT_EQ(s.uncertainty[1].label(), "mobility.travel_index@2022");
  const std::string once = io::resolved_yaml(s);
  EXPECT_NE(once.find("uncertainty:\n  funds.other_spending.resident: {low: 100, high: 300}\n"
                      "  mobility.travel_index@2022: {low: 0.5, high: 0.90000000000000002}\n"),
            std::string::npos)
      << once;
  const sim::Scenario back = io::parse_scenario(once, "resolved");
  EXPECT_EQ(io::resolved_yaml(back), once);
  // A child's entry replaces its parent's for the same parameter; others are added.
  const sim::Scenario child =
      io::parse_scenario("uncertainty:\n  funds.other_spending.resident: {low: 150, high: 200}\n"
                         "  referral.share: {low: 0.02, high: 0.03}\n",
                         "child.yaml", s);
  ASSERT_EQ(child.uncertainty.size(), 3u);
  EXPECT_EQ(child.uncertainty[0].low, 150);
  EXPECT_EQ(child.uncertainty[2].name, "referral.share");
  // `none` drops an entry of the scenario extended.
  const sim::Scenario fixed = io::parse_scenario("uncertainty:\n  mobility.travel_index@2022: none\n", "fixed.yaml", child);
  ASSERT_EQ(fixed.uncertainty.size(), 2u);
  EXPECT_EQ(fixed.uncertainty[0].name, "funds.other_spending.resident");
  EXPECT_EQ(fixed.uncertainty[1].name, "referral.share");
}

TEST(Uncertainty, BadEntriesAreErrorsAtTheirLine) {
  EXPECT_EQ(error_of("uncertainty:\n  referal.share: {low: 0.01, high: 0.03}\n").substr(0, 100),
            "u.yaml:2:3: field 'uncertainty.referal.share': unknown parameter 'referal.share' (did you mean 'refe");
  EXPECT_EQ(error_of("uncertainty:\n  referral.share@2022: {low: 0.01, high: 0.03}\n"),
            "u.yaml:2:3: field 'uncertainty.referral.share@2022': a number parameter has no dated points; expected "
            "referral.share");
  EXPECT_EQ(error_of("uncertainty:\n  mobility.travel_index: {low: 0.5, high: 0.9}\n"),
            "u.yaml:2:3: field 'uncertainty.mobility.travel_index': a dated parameter is drawn at its points of one "
            "year; expected mobility.travel_index@YYYY");
  EXPECT_EQ(error_of("uncertainty:\n  mobility.travel_index@2024: {low: 0.5, high: 0.9}\n"),
            "u.yaml:2:3: field 'uncertainty.mobility.travel_index@2024': mobility.travel_index has no point dated in "
            "2024; expected a year its series (params) has a point in");
  EXPECT_EQ(error_of("uncertainty:\n  referral.share: {low: 0.03, high: 0.01}\n"),
            "u.yaml:2:19: field 'uncertainty.referral.share': expected low below high, got low 0.03 and high 0.01");
  EXPECT_EQ(error_of("uncertainty:\n  referral.share: {low: 0.01, high: 2}\n"),
            "u.yaml:2:37: field 'uncertainty.referral.share.high': value 2 is out of range; expected a number from 0 to 1");
  EXPECT_EQ(error_of("uncertainty:\n  referral.share: {low: 0.01}\n"),
            "u.yaml:2:19: field 'uncertainty.referral.share': expected {low: L, high: H} or none, got a mapping");
  EXPECT_EQ(error_of("uncertainty:\n  referral.share@20x2: {low: 0.01, high: 0.02}\n"),
            "u.yaml:2:3: field 'uncertainty.referral.share@20x2': expected NAME@YYYY, a dated parameter and a year "
            "1900–2200, got 'referral.share@20x2'");
  EXPECT_EQ(error_of("uncertainty:\n  referral.share@0000: {low: 0.01, high: 0.02}\n"),
            "u.yaml:2:3: field 'uncertainty.referral.share@0000': expected NAME@YYYY, a dated parameter and a year "
            "1900–2200, got 'referral.share@0000'");
  EXPECT_EQ(error_of("uncertainty: [referral.share]\n"),
            "u.yaml:1:14: field 'uncertainty': expected a mapping of parameter names to {low: L, high: H}, got a list");
}

// The draws are a function of the seed alone: the same for the same seed, uniform over seeds.
TEST(Uncertainty, DrawsAreKeyedByTheSeed) {
  const sim::Scenario s = io::parse_scenario(kBlock, "u.yaml", baseline());
  EXPECT_EQ(sim::draw_uncertain_params(s, 7), sim::draw_uncertain_params(s, 7));
  EXPECT_NE(sim::draw_uncertain_params(s, 7), sim::draw_uncertain_params(s, 8));
  double sum = 0, lo = 1e9, hi = -1e9;
  const int n = 2000;
  for (int k = 0; k < n; ++k) {
    const auto d = sim::draw_uncertain_params(s, 1000 + static_cast<std::uint64_t>(k));
    ASSERT_EQ(d.size(), 2u);
    EXPECT_GE(d[1], 0.5);
    EXPECT_LE(d[1], 0.9);
    sum += d[0];
    lo = std::min(lo, d[0]);
    hi = std::max(hi, d[0]);
  }
  EXPECT_NEAR(sum / n, 200, 4);  // the mean of U(100, 300): σ of the mean 57.7/√2000 = 1.3
  EXPECT_LT(lo, 102);
  EXPECT_GT(hi, 298);
  // The draw sets the number, and the dated parameter's points of 2022 only.
  const sim::Scenario d = sim::with_uncertain_params(s, 7);
  const auto v = sim::draw_uncertain_params(s, 7);
  EXPECT_EQ(d.params.other_spending_resident, v[0]);
  for (const auto& [m, x] : d.params.travel.points) {
    if (m / 12 == 2022) EXPECT_EQ(x, v[1]) << m;
    else EXPECT_EQ(x, s.params.travel.at(m)) << m;
  }
}

// A plan's own overrides win over its draws (a sweep's or a seek's lever).
TEST(Uncertainty, APlansOverridesWinOverItsDraws) {
  const sim::Scenario s = io::parse_scenario(kBlock, "u.yaml", baseline());
  sim::RunPlan plan{s, 42, {}, "p"};
  EXPECT_EQ(sim::planned_scenario(plan).params.other_spending_resident, sim::draw_uncertain_params(s, 42)[0]);
  plan.overrides = {{"funds.other_spending.resident", 250, -1, {}}};
  EXPECT_EQ(sim::planned_scenario(plan).params.other_spending_resident, 250);
  // Without a block nothing is drawn: the scenario's own value.
  sim::RunPlan plain{baseline(), 42, {}, "p"};
  EXPECT_EQ(sim::planned_scenario(plain).params.other_spending_resident, 181);
}

// Each replicate runs with its draw: on the same seeds (common random numbers) a replicate's
// residents' fund at the end of 2022 is lower than without the block by exactly what its drawn
// other spending adds, and the summary keeps each replicate's draws.
TEST(Uncertainty, ReplicatesRunWithTheirDraws) {
  const sim::World world = io::embedded_world();
  const sim::RunExecutor ex(world, io::scenario_policy, {2, 2});
  sim::Scenario plain = baseline();
  plain.scale = 50000;
  plain.months = 12;
  sim::Scenario drawn = plain;
  drawn.uncertainty = {{"funds.other_spending.resident", 0, 100, 300}};
  const int n = 4;
  const sim::Summary a = sim::replicates(plain, n, ex), b = sim::replicates(drawn, n, ex);
  EXPECT_TRUE(a.uncertain.empty());
  EXPECT_TRUE(a.drawn.empty());
  ASSERT_EQ(b.uncertain, std::vector<std::string>{"funds.other_spending.resident"});
  ASSERT_EQ(b.drawn.size(), static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r)
    EXPECT_EQ(b.drawn[static_cast<std::size_t>(r)], sim::draw_uncertain_params(drawn, drawn.seed + static_cast<std::uint64_t>(r))[0]);
  // The residents' balance at the end of 2022, national, per replicate (fen).
  const auto balances = [&](const sim::Summary& s) {
    const std::size_t slice = sim::Summary::yearly_slice(sim::yearly_dataset("funds/balance"));
    std::vector<double> out;
    for (std::size_t r = 0; r < s.replicates; ++r) {
      double total = 0;
      for (std::size_t e = 1; e < slice; e += 2) total += s.yearly_value("funds/balance", r, 0, e);  // scheme 1: residents
      out.push_back(total);
    }
    return out;
  };
  const auto sa = balances(a), sb = balances(b);
  // Per yuan of other spending a resident a year: 98,349万 residents × 100 fen × 2022's mean
  // care.volume_index × care.cost_index (0.8576, docs/parameters.md), national amounts kept.
  double index = 0;
  for (int m = 2022 * 12; m < 2023 * 12; ++m) index += sim::care_spending_at(plain.params, m) / 12;
  const double per_yuan = 983.49e6 * 100 * index;
  for (std::size_t r = 0; r < sa.size(); ++r) {
    const double extra = b.drawn[r] - 181;
    EXPECT_NEAR((sa[r] - sb[r]) / (extra * per_yuan), 1.0, 0.02) << "replicate " << r << ", drew " << b.drawn[r];
  }
}
