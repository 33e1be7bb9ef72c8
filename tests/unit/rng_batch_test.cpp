// The batched Philox (sim/model/rng.*) gives the same words as Random123's Philox4x32, lane by
// lane, in both its scalar and AVX2 forms — over random keys and counters, including person
// numbers that wrap around 2^32 inside a batch.
#include <gtest/gtest.h>

#include <random>

#include "sim/model/rng.hpp"

using namespace yidi::sim;

namespace {
void expect_same_as_r123(detail::PhiloxBatchFn fn, const char* name) {
  std::mt19937_64 gen(20260101);
  std::uniform_int_distribution<std::uint32_t> any;
  for (int trial = 0; trial < 20000; ++trial) {
    const std::uint32_t k0 = any(gen), k1 = any(gen);
    std::uint32_t first = any(gen);
    if (trial % 10 == 0) first = 0xFFFFFFFFu - static_cast<std::uint32_t>(trial % kBatch);  // wraps inside the batch
    const std::uint32_t c1 = trial % 3 == 0 ? static_cast<std::uint32_t>(trial % 120) : any(gen);
    const std::uint32_t c2 = trial % 3 == 0 ? static_cast<std::uint32_t>(trial % 9) : any(gen);
    const std::uint32_t c3 = trial % 3 == 0 ? 0u : any(gen);
    WordBatch out{};
    fn(k0, k1, first, c1, c2, c3, out);
    for (std::uint32_t j = 0; j < kBatch; ++j) {
      const r123::Philox4x32::ctr_type ctr{{first + j, c1, c2, c3}};
      const auto r = r123::Philox4x32()(ctr, r123::Philox4x32::key_type{{k0, k1}});
      for (std::size_t k = 0; k < 4; ++k)
        ASSERT_EQ(out.w[k][j], r[k]) << name << " trial " << trial << " lane " << j << " word " << k;
    }
  }
}
}  // namespace

TEST(PhiloxBatch, ScalarFormEqualsRandom123) { expect_same_as_r123(&detail::philox_batch_scalar, "scalar"); }

TEST(PhiloxBatch, Avx2FormEqualsRandom123) {
  if (!detail::philox_batch_has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  expect_same_as_r123(&detail::philox_batch_avx2, "avx2");
}

TEST(PhiloxBatch, RngWordsBatchEqualsWords) {
  const Rng rng(0x0123456789ABCDEFull);
  for (std::uint32_t first : {0u, 17u, 1000003u, 0xFFFFFFF8u}) {
    WordBatch out{};
    rng.words_batch(first, 7, Purpose::month, 3, out);
    for (std::uint32_t j = 0; j < kBatch; ++j) {
      const auto w = rng.words(first + j, 7, Purpose::month, 3);
      for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(out.w[k][j], w[k]);
    }
  }
}

// The screen's high bits: person p's are the 16 bits (p mod 8) of the draw (p / 8, month, screen),
// in person order, whether drawn one by one or 128 persons at a time (step_range).
TEST(PhiloxBatch, ScreenHighBitsBatchEqualsOneByOne) {
  const Rng rng(20261123);
  for (std::uint32_t block : {0u, 1u, 99991u, 0xFFFFFFFFu / kScreenBlock}) {
    std::uint16_t out[kScreenBlock];
    rng.screen_hi_batch(block, 31, out);
    for (std::uint32_t i = 0; i < kScreenBlock; ++i) {
      const std::uint32_t person = block * kScreenBlock + i;
      ASSERT_EQ(out[i], rng.screen_hi(person, 31)) << "person " << person;
      const auto shared = rng.words(person / 8, 31, Purpose::screen);
      ASSERT_EQ(out[i], (shared[(i % 8) / 2] >> (16 * (i % 2))) & 0xFFFFu) << "person " << person;
    }
  }
  // Eight persons share a draw, and their high bits are not all equal.
  std::uint16_t out[kScreenBlock];
  rng.screen_hi_batch(5, 0, out);
  int distinct = 0;
  for (std::uint32_t i = 1; i < 8; ++i) distinct += out[i] != out[0];
  EXPECT_GT(distinct, 0);
}
