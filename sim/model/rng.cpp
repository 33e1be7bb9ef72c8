#include "sim/model/rng.hpp"

#include <immintrin.h>

namespace yidi::sim::detail {

void philox_batch_scalar(std::uint32_t k0, std::uint32_t k1, std::uint32_t first, std::uint32_t c1, std::uint32_t c2,
                         std::uint32_t c3, WordBatch& out) {
  const r123::Philox4x32::key_type key{{k0, k1}};
  for (std::uint32_t j = 0; j < kBatch; ++j) {
    const r123::Philox4x32::ctr_type ctr{{first + j, c1, c2, c3}};
    const auto r = r123::Philox4x32()(ctr, key);
    for (int k = 0; k < 4; ++k) out.w[k][j] = r[static_cast<std::size_t>(k)];
  }
}

namespace {
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Philox4x32 multipliers (Random123)
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments (Random123)

void mulhilo_scalar(std::uint32_t m, std::uint32_t x, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(m) * x;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
}

/// hi and lo halves of m × x for the eight 32-bit lanes of x.
__attribute__((target("avx2"), always_inline)) inline void mulhilo8(__m256i m, __m256i x, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(x, m);                         // 64-bit products of lanes 0, 2, 4, 6
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);  // of lanes 1, 3, 5, 7
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

__attribute__((target("avx2"), always_inline)) inline __m256i bcast(std::uint32_t v) {
  return _mm256_set1_epi32(static_cast<int>(v));
}

struct Lanes {
  __m256i x0, x1, x2, x3;
};

/// One full Philox4x32 round on eight counters.
__attribute__((target("avx2"), always_inline)) inline void round8(Lanes& c, __m256i m0, __m256i m1, __m256i key0,
                                                                  __m256i key1) {
  __m256i hi0, lo0, hi1, lo1;
  mulhilo8(m0, c.x0, hi0, lo0);
  mulhilo8(m1, c.x2, hi1, lo1);
  c.x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c.x1), key0);
  c.x1 = lo1;
  c.x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c.x3), key1);
  c.x3 = lo0;
}
}  // namespace

__attribute__((target("avx2"))) void philox_batch_avx2(std::uint32_t k0, std::uint32_t k1, std::uint32_t first,
                                                       std::uint32_t c1, std::uint32_t c2, std::uint32_t c3,
                                                       WordBatch& out) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0)), m1 = _mm256_set1_epi32(static_cast<int>(kM1));
  const __m256i step = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i ctr_a = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(first)), step);
  const __m256i ctr_b = _mm256_add_epi32(ctr_a, _mm256_set1_epi32(8));

  // Round 1: words 1–3 of the counter are the same in every lane, so M1 × c2 is one scalar product.
  std::uint32_t hi1, lo1;
  mulhilo_scalar(kM1, c2, hi1, lo1);
  const std::uint32_t x0 = hi1 ^ c1 ^ k0, x1 = lo1;  // words 0 and 1 after round 1, lane-invariant
  Lanes a, b;
  {
    __m256i hi0a, lo0a, hi0b, lo0b;
    mulhilo8(m0, ctr_a, hi0a, lo0a);
    mulhilo8(m0, ctr_b, hi0b, lo0b);
    const __m256i key1 = bcast(c3 ^ k1);
    a.x2 = _mm256_xor_si256(hi0a, key1);
    a.x3 = lo0a;
    b.x2 = _mm256_xor_si256(hi0b, key1);
    b.x3 = lo0b;
  }
  // Round 2: words 0 and 1 are still lane-invariant, so M0 × x0 is one scalar product.
  std::uint32_t key_0 = k0 + kW0, key_1 = k1 + kW1;
  {
    std::uint32_t hi0, lo0;
    mulhilo_scalar(kM0, x0, hi0, lo0);
    __m256i hi1a, lo1a, hi1b, lo1b;
    mulhilo8(m1, a.x2, hi1a, lo1a);
    mulhilo8(m1, b.x2, hi1b, lo1b);
    const __m256i w0 = bcast(x1 ^ key_0), w2 = bcast(hi0 ^ key_1), w3 = bcast(lo0);
    a = {_mm256_xor_si256(hi1a, w0), lo1a, _mm256_xor_si256(a.x3, w2), w3};
    b = {_mm256_xor_si256(hi1b, w0), lo1b, _mm256_xor_si256(b.x3, w2), w3};
  }
  // Rounds 3–10, unrolled, the round keys bumped in vector registers.
  __m256i kv0 = bcast(key_0), kv1 = bcast(key_1);
  const __m256i w0v = bcast(kW0), w1v = bcast(kW1);
#pragma GCC unroll 8
  for (int r = 2; r < 10; ++r) {
    kv0 = _mm256_add_epi32(kv0, w0v);
    kv1 = _mm256_add_epi32(kv1, w1v);
    round8(a, m0, m1, kv0, kv1);
    round8(b, m0, m1, kv0, kv1);
  }
  auto* o = reinterpret_cast<__m256i*>(&out.w[0][0]);
  _mm256_store_si256(o + 0, a.x0);
  _mm256_store_si256(o + 1, b.x0);
  _mm256_store_si256(o + 2, a.x1);
  _mm256_store_si256(o + 3, b.x1);
  _mm256_store_si256(o + 4, a.x2);
  _mm256_store_si256(o + 5, b.x2);
  _mm256_store_si256(o + 6, a.x3);
  _mm256_store_si256(o + 7, b.x3);
}

bool philox_batch_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

const PhiloxBatchFn philox_batch = philox_batch_has_avx2() ? &philox_batch_avx2 : &philox_batch_scalar;

}  // namespace yidi::sim::detail
