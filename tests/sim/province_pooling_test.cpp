// Province-level pooling in a run (issue 14, "a province may pool at province level (a dated
// parameter; where so, its cities share one fund)"; 省级统筹地区, seed 004 (十一)): the baseline on the
// default world at 1:5000 for 2022–2023, once as is and once with Hainan (460000, 5 pools) pooling
// at province level from 2023-01-01 (clearing.province_pooling; the date is illustrative
// [assumed]). Every random stream is keyed by person, so the two runs draw the same visits; what
// changes is which of them are off-site and which fund pays.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;

namespace {
constexpr int kMonths = 24;      // 2022-01 to 2023-12
constexpr int kMergeMonth = 12;  // 2023-01, the first month Hainan pools at province level

sim::Results run(const sim::World& world, const PolicyBook& book, bool hainan_pooled) {
  sim::Scenario scenario = io::load_scenario("baseline");
  scenario.scale = 5000;
  scenario.months = kMonths;
  if (hainan_pooled) scenario.clearing.province_pooling[RegionCode::of(460000)] = *Date::parse("2023-01-01");
  sim::Simulation s(scenario, book, world);
  while (!s.done()) s.run_month();
  return s.results();
}

/// Σ over a month × region × … dataset's cells of one region and month.
std::int64_t cell_sum(const sim::Results& r, const std::string& name, std::size_t regions, int month, std::size_t region) {
  const auto& v = r.data(name).i;
  const std::size_t cells = v.size() / (static_cast<std::size_t>(kMonths) * regions);
  std::int64_t sum = 0;
  const std::size_t base = (static_cast<std::size_t>(month) * regions + region) * cells;
  for (std::size_t c = 0; c < cells; ++c) sum += v[base + c];
  return sum;
}
}  // namespace

TEST(ProvincePooling, HainanFromA2023DateMakesItsIntraProvinceCareLocalAndItsFundsOne) {
  const sim::World world = io::embedded_world();
  const PolicyBook book = io::load_policy_dir(std::string(YIDI_SOURCE_DIR) + "/scenarios/policy");
  const sim::Results plain = run(world, book, false), pooled = run(world, book, true);
  const std::size_t R = world.size(), P = world.provinces().size();
  const std::size_t hainan = *world.province_index(RegionCode::of(460000));
  const auto& members = world.provinces()[hainan].regions;
  ASSERT_EQ(members.size(), 5u);  // Haikou, Sanya, Sansha, Danzhou, the counties (pools.yaml)
  const std::size_t seat = world.provinces()[hainan].seat;
  ASSERT_EQ(world.region(seat).code, RegionCode::of(460100));  // Haikou

  const auto& flag = pooled.data("region/province_pooled").i;
  std::int64_t intra_before = 0, intra_after_plain = 0;
  for (int m = 0; m < kMonths; ++m) {
    for (std::size_t r = 0; r < R; ++r) {
      const bool in_hainan = world.province_of(r) == hainan;
      // The flag: Hainan's pools from the merge month, nobody else, never before.
      EXPECT_EQ(flag[static_cast<std::size_t>(m) * R + r], in_hainan && m >= kMergeMonth ? 1 : 0) << m << " " << r;
      for (const char* name : {"region/intra_visits", "region/intra_fund", "region/offsite_visits", "region/offsite_fund"}) {
        const std::int64_t a = cell_sum(plain, name, R, m, r), b = cell_sum(pooled, name, R, m, r);
        const bool intra = std::string(name).rfind("region/intra_", 0) == 0;
        if (in_hainan && intra && m >= kMergeMonth) {
          EXPECT_EQ(b, 0) << name << " month " << m << " " << world.region(r).code.str() << ": pooled care is local";
        } else {
          // Before the merge, across provinces, and in every other province: the same visits and payments.
          EXPECT_EQ(a, b) << name << " month " << m << " " << world.region(r).code.str();
        }
      }
      if (in_hainan) {
        (m < kMergeMonth ? intra_before : intra_after_plain) += cell_sum(plain, "region/intra_visits", R, m, r);
      }
    }
  }
  // Without pooling Hainan's insured do visit its other pools, in both years: the test has
  // something to remove.
  EXPECT_GT(intra_before, 0);
  EXPECT_GT(intra_after_plain, 0);

  // Funds: per pool until the merge (the same as without pooling), then one fund whose balance
  // stands on the seat's pool, 0 on the others, and equals the province's funds/balance.
  const auto& pb = pooled.data("region/fund_balance").i;  // month × region × scheme
  const auto& qb = plain.data("region/fund_balance").i;
  const auto& fb = pooled.data("funds/balance").i;  // month × province × scheme
  for (int m = 0; m < kMonths; ++m)
    for (std::size_t s = 0; s < 2; ++s) {
      std::int64_t sum = 0;
      for (const std::size_t r : members) {
        const std::size_t i = (static_cast<std::size_t>(m) * R + r) * 2 + s;
        sum += pb[i];
        if (m < kMergeMonth) {
          EXPECT_EQ(pb[i], qb[i]) << "month " << m << " " << world.region(r).code.str();
        } else if (r != seat) {
          EXPECT_EQ(pb[i], 0) << "month " << m << " " << world.region(r).code.str() << ": merged into 460000";
        }
      }
      EXPECT_GT(sum, 0);
      EXPECT_EQ(sum, fb[(static_cast<std::size_t>(m) * P + hainan) * 2 + s]) << "month " << m;
    }
  // Months payable of the pooled fund are the same on each of its pools.
  const auto& mp = pooled.data("region/months_payable").f;
  for (int m = kMergeMonth; m < kMonths; ++m)
    for (const std::size_t r : members)
      EXPECT_EQ(mp[(static_cast<std::size_t>(m) * R + r) * 2], mp[(static_cast<std::size_t>(m) * R + seat) * 2]) << m;
}
