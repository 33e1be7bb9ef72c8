// The month's screen (sim/model/step.*): the mask's AVX2 and scalar forms agree exactly, the
// screen thresholds are the probabilities that nothing (or only a trip with no visit) happens,
// and the words drawn when something happens have the distribution of four uniform words
// conditioned on the full step doing something.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "sim/model/step.hpp"

using namespace yidi::sim;

namespace {
constexpr double kWords = 4294967296.0;

std::uint32_t pick_hi(std::mt19937_64& gen) {
  switch (gen() % 4) {
    case 0: return 0;
    case 1: return 65536;
    default: return static_cast<std::uint32_t>(gen() % 65537);
  }
}

/// Realistic word thresholds (the baseline's order of magnitude), with the screen derived.
CellThresholds baseline_like() {
  CellThresholds t;
  t.home = 11;
  t.move_below = static_cast<std::uint64_t>(0.0015 * kWords);
  t.return_below = static_cast<std::uint64_t>(kWords / 72);
  t.trip_below = static_cast<std::uint64_t>(0.025 * kWords);
  t.no_stay_below = {static_cast<std::uint64_t>(0.99 * kWords), static_cast<std::uint64_t>(0.985 * kWords),
                     static_cast<std::uint64_t>(0.97 * kWords), static_cast<std::uint64_t>(0.97 * kWords)};
  t.no_op_below = {static_cast<std::uint64_t>(std::exp(-0.36) * kWords), static_cast<std::uint64_t>(std::exp(-0.81) * kWords)};
  t.no_op_trip_below = {static_cast<std::uint64_t>(std::exp(-0.096) * kWords),
                        static_cast<std::uint64_t>(std::exp(-0.216) * kWords)};
  t.derive_screen();
  return t;
}
}  // namespace

TEST(LeanMask, Avx2EqualsScalarAndTheRule) {
  if (!detail::philox_batch_has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  std::mt19937_64 gen(42);
  for (int trial = 0; trial < 20000; ++trial) {
    CellThresholds t;
    // Homes and residences over 1024 regions, so that the region's high bits (traits' bits 6–7) count.
    t.home = static_cast<std::uint16_t>(gen() % (trial % 2 == 0 ? 32 : Agent::kMaxRegions));
    for (unsigned q = 0; q < 16; ++q) {
      const std::uint32_t a = pick_hi(gen), b = pick_hi(gen);
      t.nothing_hi[q] = std::min(a, b);
      t.lean_hi[q] = q >= 8 ? t.nothing_hi[q] : std::max(a, b);
    }
    Agent agents[kBatch];
    std::uint16_t hi[kBatch];
    for (std::uint32_t j = 0; j < kBatch; ++j) {
      agents[j].traits = 0;
      agents[j].set_traits(static_cast<unsigned>(gen() % 3), gen() % 2 == 0, gen() % 2 == 0);
      // Away: anywhere, or a region that differs from home only in its low byte or high bits.
      const std::size_t pick = gen() % 6;
      agents[j].set_region(pick == 0   ? gen() % Agent::kMaxRegions
                           : pick == 1 ? (t.home & 0x300u) | (gen() & 0xFFu)
                           : pick == 2 ? (t.home & 0xFFu) | ((gen() & 3u) << 8)
                                       : t.home);
      agents[j].set_admissions(static_cast<unsigned>(gen() % 4));
      agents[j].op_deductible = static_cast<std::uint16_t>(gen());
      agents[j].ytd_pooled = agents[j].ytd_layer = static_cast<std::uint32_t>(gen());
      const unsigned q = CellThresholds::state(agents[j], t.home);
      switch (gen() % 4) {  // ties with a threshold are the interesting case
        case 0: hi[j] = static_cast<std::uint16_t>(std::min<std::uint32_t>(t.nothing_hi[q], 65535)); break;
        case 1: hi[j] = static_cast<std::uint16_t>(std::min<std::uint32_t>(t.lean_hi[q], 65535)); break;
        default: hi[j] = static_cast<std::uint16_t>(gen());
      }
    }
    detail::LeanCounts exact_counts, fast_counts;
    const std::uint32_t exact = detail::lean_mask_scalar(agents, hi, kBatch, t, exact_counts);
    const std::uint32_t fast = detail::lean_mask_avx2(agents, hi, t, fast_counts);
    ASSERT_EQ(exact, fast) << "trial " << trial;
    ASSERT_EQ(exact_counts.away, fast_counts.away) << "trial " << trial;
    ASSERT_EQ(exact_counts.trips, fast_counts.trips) << "trial " << trial;
    // The rule, restated: left out if surely nothing (below) or surely a trip only (strictly between).
    std::int64_t away = 0, trips = 0;
    for (std::uint32_t j = 0; j < kBatch; ++j) {
      const unsigned q = CellThresholds::state(agents[j], t.home);
      const bool nothing = hi[j] < t.nothing_hi[q], trip = hi[j] > t.nothing_hi[q] && hi[j] < t.lean_hi[q];
      ASSERT_EQ((exact >> j) & 1u, nothing || trip ? 0u : 1u) << "trial " << trial << " agent " << j;
      away += agents[j].is_away(t.home) && nothing;
      trips += trip;
    }
    ASSERT_EQ(exact_counts.away, away);
    ASSERT_EQ(exact_counts.trips, trips);
  }
}

// The screen thresholds are the products of the word probabilities (to the nearest 2^-32).
TEST(Screen, ThresholdsAreTheProbabilitiesOfQuietMonths) {
  const CellThresholds t = baseline_like();
  auto share = [](std::uint64_t w) { return static_cast<double>(w) / kWords; };
  for (unsigned q = 0; q < 16; ++q) {
    const bool away = q >= 8;
    const unsigned chronic = (q >> 2) & 1u, age = q & 3u;
    const double first = share(away ? t.return_below : t.move_below), stay = 1 - share(t.no_stay_below[age]);
    double nothing, lean;
    if (away) {
      nothing = lean = (1 - first) * (1 - stay) * share(t.no_op_below[chronic]);
    } else {
      const double trip = share(t.trip_below), no_care = share(t.no_op_trip_below[chronic]);
      nothing = (1 - first) * (1 - stay) * (1 - trip);
      lean = nothing + (1 - first) * (1 - stay) * trip * no_care;
    }
    EXPECT_NEAR(static_cast<double>(t.nothing_below[q]), nothing * kWords, 1.0) << "q " << q;
    EXPECT_NEAR(static_cast<double>(t.lean_below[q]), lean * kWords, 1.0) << "q " << q;
    EXPECT_EQ(t.nothing_hi[q], t.nothing_below[q] >> 16);
    EXPECT_EQ(t.lean_hi[q], t.lean_below[q] >> 16);
  }
  // A baseline at-home adult: about 95.9% of months are quiet, 2.3% a trip with no visit.
  EXPECT_NEAR(static_cast<double>(t.nothing_below[1]) / kWords, 0.9985 * 0.985 * 0.975, 1e-9);
  EXPECT_NEAR(static_cast<double>(t.lean_below[1] - t.nothing_below[1]) / kWords,
              0.9985 * 0.985 * 0.025 * std::exp(-0.096), 1e-9);
}

// Given that something happens, the four words fall where the full step does something, and each
// event has its conditional probability: P(event | something) = P(event) / P(something), and so on
// down the sequence. 200,000 draws per state; bounds are 5 standard errors.
TEST(Screen, ConditionalWordsHaveTheConditionalDistribution) {
  const CellThresholds t = baseline_like();
  std::mt19937 gen(7);
  auto word = [&gen] { return static_cast<std::uint32_t>(gen()); };
  auto share = [](std::uint64_t w) { return static_cast<double>(w) / kWords; };
  for (unsigned q : {0u, 1u, 6u, 8u, 13u}) {
    const bool away = q >= 8;
    const unsigned chronic = (q >> 2) & 1u, age = q & 3u;
    const std::uint64_t first_below = away ? t.return_below : t.move_below, stay_from = t.no_stay_below[age];
    const double p_first = share(first_below), p_stay = 1 - share(stay_from);
    const double p_trip = share(t.trip_below);
    const double p_care = 1 - share(away ? t.no_op_below[chronic] : t.no_op_trip_below[chronic]);
    const double p_last = away ? p_care : p_trip * p_care;
    const double p_any = 1 - (1 - p_first) * (1 - p_stay) * (1 - p_last);
    const int n = 200000;
    int firsts = 0, stays = 0, lasts = 0, stays_without_first = 0, low_stay_word = 0;
    for (int i = 0; i < n; ++i) {
      const std::array<std::uint32_t, 4> x{word(), word(), word(), word()};
      const auto w = detail::conditional_words(t, q, x);
      const bool first = w[0] < first_below, stay = w[1] >= stay_from;
      const bool last = away ? w[3] >= t.no_op_below[chronic] : (w[2] < t.trip_below && w[3] >= t.no_op_trip_below[chronic]);
      ASSERT_TRUE(first || stay || last) << "q " << q << " draw " << i;  // something happens
      firsts += first;
      stays += stay;
      lasts += last;
      stays_without_first += stay && !first;
      // Within the stay region the word stays uniform: half of it lies in the lower half.
      if (stay) low_stay_word += w[1] < stay_from + (std::uint64_t{1} << 32) / 2 - stay_from / 2;
    }
    auto within = [&](int count, double p, const char* what) {
      const double se = std::sqrt(p * (1 - p) / n);
      EXPECT_NEAR(count / static_cast<double>(n), p, 5 * se + 1e-9) << what << ", q " << q;
    };
    within(firsts, p_first / p_any, "first event");
    within(stays, p_stay / p_any, "stay");
    within(lasts, p_last / p_any, "last event");
    within(stays_without_first, (1 - p_first) * p_stay / p_any, "stay without the first event");
    EXPECT_NEAR(low_stay_word / static_cast<double>(stays), 0.5, 5 * std::sqrt(0.25 / stays)) << "q " << q;
  }
}

// The agent's 10-bit region index (sim/model/agent.hpp): the low byte in `away`, bits 8–9 in
// traits' top two bits, the other traits untouched, and 12 bytes still.
TEST(AgentRegion, TenBitsAtTheEdges) {
  static_assert(sizeof(Agent) == 12);
  for (std::size_t r : {std::size_t{0}, std::size_t{255}, std::size_t{256}, std::size_t{1023}}) {
    Agent a{};
    a.set_traits(2, true, true);  // age band 2, chronic, assistance: 0b1110
    a.set_admissions(3);          // 0b11 << 4
    a.set_region(r);
    EXPECT_EQ(a.region(), r);
    EXPECT_EQ(a.away, r & 0xFF) << r;
    EXPECT_EQ(a.traits >> 6, r >> 8) << r;
    EXPECT_EQ(a.age_band(), 2u);
    EXPECT_TRUE(a.chronic());
    EXPECT_TRUE(a.assistance());
    EXPECT_EQ(a.admissions(), 3u);
    EXPECT_FALSE(a.is_away(r));
    EXPECT_TRUE(a.is_away(r ^ 256));  // differs in bit 8 only
    EXPECT_TRUE(a.is_away(r ^ 1));    // differs in bit 0 only
    // The traits setters keep the region's high bits.
    a.set_traits(0, false, false);
    a.reset_year();
    EXPECT_EQ(a.region(), r);
  }
  // Below 256 regions the bytes are those of the former 8-bit field: traits' top bits stay 0.
  Agent b{};
  b.set_traits(1, true, false);
  b.set_region(31);
  EXPECT_EQ(b.away, 31);
  EXPECT_EQ(b.traits, 0b0101);
}
