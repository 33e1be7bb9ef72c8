// The common-case mask of step_range: the scalar form is exact against the thresholds; the AVX2
// form lets through at least every agent the scalar form does (so the full step still decides
// everything), and both count the off-site agents they leave out.
#include <gtest/gtest.h>

#include <random>

#include "sim/model/step.hpp"

using namespace yidi::sim;

namespace {
std::uint64_t pick_threshold(std::mt19937_64& gen) {
  switch (gen() % 5) {
    case 0: return 0;
    case 1: return std::uint64_t{1} << 32;
    case 2: return (std::uint64_t{1} << 32) - 1;
    default: return gen() % ((std::uint64_t{1} << 32) + 1);
  }
}
}  // namespace

TEST(LeanMask, Avx2LetsThroughEveryAgentTheExactFormDoes) {
  if (!detail::philox_batch_has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  std::mt19937_64 gen(42);
  for (int trial = 0; trial < 20000; ++trial) {
    detail::CellThresholds t;
    t.home = static_cast<std::uint8_t>(gen() % kProvinces);
    t.move_below = pick_threshold(gen);
    t.return_below = pick_threshold(gen);
    t.trip_below = pick_threshold(gen);
    for (auto& x : t.no_stay_below) x = pick_threshold(gen);
    for (auto& x : t.no_op_below) x = pick_threshold(gen);
    for (auto& x : t.no_op_trip_below) x = pick_threshold(gen);
    Agent agents[kBatch];
    WordBatch wb;
    int away_agents = 0, trips = 0;
    for (std::uint32_t j = 0; j < kBatch; ++j) {
      agents[j].away = gen() % 3 == 0 ? static_cast<std::uint8_t>(gen() % kProvinces) : t.home;
      agents[j].set_traits(static_cast<unsigned>(gen() % 3), gen() % 2 == 0, gen() % 2 == 0);
      agents[j].set_admissions(static_cast<unsigned>(gen() % 4));
      agents[j].op_deductible = static_cast<std::uint16_t>(gen());
      agents[j].ytd_pooled = agents[j].ytd_layer = static_cast<std::uint32_t>(gen());
      away_agents += agents[j].is_away(t.home);
      for (auto& w : wb.w) w[j] = gen() % 4 == 0 ? static_cast<std::uint32_t>(gen() % 3) : static_cast<std::uint32_t>(gen());
      if (gen() % 8 == 0) wb.w[gen() % 4][j] = 0xFFFFFFFFu;
      trips += !agents[j].is_away(t.home) && wb.w[2][j] < t.trip_below;
    }
    detail::LeanCounts exact_counts, fast_counts;
    const std::uint32_t exact = detail::lean_mask_scalar(agents, kBatch, wb, t, exact_counts);
    const std::uint32_t fast = detail::lean_mask_avx2(agents, kBatch, wb, t, fast_counts);
    ASSERT_EQ(exact & ~fast, 0u) << "trial " << trial;
    // Every off-site agent and every trip is counted once: by the mask if left out, else by the full step.
    for (const auto& [mask, counts] : {std::pair{exact, exact_counts}, std::pair{fast, fast_counts}}) {
      int away_full = 0, trips_full = 0;
      for (std::uint32_t j = 0; j < kBatch; ++j) {
        const bool full = mask >> j & 1u;
        away_full += agents[j].is_away(t.home) && full;
        trips_full += !agents[j].is_away(t.home) && wb.w[2][j] < t.trip_below && full;
      }
      ASSERT_EQ(counts.away + away_full, away_agents) << "trial " << trial;
      ASSERT_EQ(counts.trips + trips_full, trips) << "trial " << trial;
    }
    // Only the edge thresholds may differ.
    if (exact != fast) {
      const bool edge = t.move_below == 0 || t.return_below == 0 || t.trip_below == 0 ||
                        t.no_stay_below[0] >> 32 || t.no_stay_below[1] >> 32 || t.no_stay_below[2] >> 32 ||
                        t.no_stay_below[3] >> 32 || t.no_op_below[0] >> 32 || t.no_op_below[1] >> 32 ||
                        t.no_op_trip_below[0] >> 32 || t.no_op_trip_below[1] >> 32;
      ASSERT_TRUE(edge) << "trial " << trial;
    }
  }
}
