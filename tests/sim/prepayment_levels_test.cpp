// Prepayment quotas where the rules put them (issue 17): one cross-province quota per insured
// province (年度预付金额度 per province, adjusted yearly, with emergency top-ups [seed 000, 002];
// DOMAIN.md §5), warned and topped up on the province's usage, and quotas set by hand
// (clearing.quotas) to test a proposal. The baseline on the default world at 1:5000, 2022-01 to
// 2024-01. The worked cases to the fen are tests/cases/clearing/province-quota-*.yaml.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "sim/engine/simulation.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;

namespace {
constexpr int kMonths = 25;  // 2022-01 to 2024-01: two years and the re-base after them

sim::Results run(const sim::World& world, const PolicyBook& book, const std::string& clearing_yaml) {
  sim::Scenario scenario = io::parse_scenario("name: p\nclearing: " + clearing_yaml + "\n", "p.yaml");
  scenario.scale = 5000;
  scenario.months = kMonths;
  sim::Simulation s(scenario, book, world);
  while (!s.done()) s.run_month();
  return s.results();
}

std::int64_t total(const std::vector<std::int64_t>& v) {
  std::int64_t s = 0;
  for (const auto x : v) s += x;
  return s;
}
}  // namespace

TEST(ProvinceQuotas, TopUpsFollowTheProvincesUsageAndArePaidTheNextMonth) {
  const sim::World world = io::embedded_world();
  const PolicyBook book = io::load_policy_dir(std::string(YIDI_SOURCE_DIR) + "/scenarios/policy");
  const sim::Results r = run(world, book, "{}");
  const std::size_t P = world.provinces().size();
  const auto& warning = r.data("prepayment/warning").i;
  const auto& asked = r.data("prepayment/topup_requested").i;
  const auto& quota = r.data("prepayment/quota").i;
  const auto& outstanding = r.data("prepayment/outstanding").i;
  const auto& paid = r.data("prepayment/topups_paid").i;
  int reds = 0;
  for (int m = 0; m < kMonths; ++m) {
    std::int64_t asked_in_month = 0;
    for (std::size_t p = 0; p < P; ++p) {
      const std::size_t i = static_cast<std::size_t>(m) * P + p;
      // red (≥ 90%) asks for what brings usage to 50%: ⌈2 × outstanding − quota⌉ yuan; else nothing
      if (warning[i] == 2) {
        ++reds;
        const std::int64_t want = 2 * outstanding[i] - quota[i];
        EXPECT_GE(asked[i], want) << m << " " << p;
        EXPECT_LT(asked[i], want + 100) << m << " " << p;
      } else {
        EXPECT_EQ(asked[i], 0) << m << " " << p;
      }
      asked_in_month += asked[i];
    }
    // asked at a month end, paid 10 days later [assumed lag]: in the next month
    if (m + 1 < kMonths) {
      EXPECT_EQ(paid[static_cast<std::size_t>(m) + 1], asked_in_month) << m;
    }
  }
  EXPECT_GT(reds, 0);  // at 1:5000 small provinces' sampled flows still turn red (sampling noise)

  // A pair's own usage no longer asks: the same visits with quota_level pair ask far more, since
  // each (pool, scheme, treatment province) pair holds a few sampled stays.
  const sim::Results pair = run(world, book, "{quota_level: pair}");
  EXPECT_EQ(total(pair.data("offsite/fund").i), total(r.data("offsite/fund").i));
  EXPECT_GT(total(pair.data("prepayment/topups_paid").i), 5 * total(paid));
}

TEST(ProvinceQuotas, AQuotaSetByHandHoldsToItsYearsEndThenTheRuleReturns) {
  const sim::World world = io::embedded_world();
  const PolicyBook book = io::load_policy_dir(std::string(YIDI_SOURCE_DIR) + "/scenarios/policy");
  const sim::Results plain = run(world, book, "{}");
  const sim::Results set = run(world, book, "{quotas: {\"440000\": [{from: 2023-01-01, quota: 50亿元}]}}");
  const std::size_t P = world.provinces().size();
  const std::size_t gd = *world.province_index(RegionCode::of(440000));
  const auto& quota = set.data("prepayment/quota").i;
  const auto& asked = set.data("prepayment/topup_requested").i;
  std::int64_t topped_up = 0;
  for (int m = 0; m < kMonths; ++m) {
    for (std::size_t p = 0; p < P; ++p) {
      const std::size_t i = static_cast<std::size_t>(m) * P + p;
      if (p == gd && m >= 12 && m < 24) {
        // 50亿元 = 5 × 10^11 fen from 2023-01-01, plus the top-ups paid since
        EXPECT_EQ(quota[i], 500'000'000'000 + topped_up) << m;
        topped_up += asked[i];
      } else {
        // every other province, Guangdong's 2022 and its 2024 re-base from 2023's flows: as the rule
        EXPECT_EQ(quota[i], plain.data("prepayment/quota").i[i]) << m << " " << p;
      }
    }
  }
  // the visits and what the funds pay for care do not depend on where the prepayment sits
  EXPECT_EQ(set.data("offsite/fund").i, plain.data("offsite/fund").i);
}
