#pragma once
// Counter-based random streams (SUMO's RandHelper idea, Random123's Philox): every draw is a pure
// function of (seed, person, month, purpose, index), never of which thread or rank asks, so the
// same seed gives the same bytes at any thread or rank count.
#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace yidi::sim {

/// Named purposes: one independent stream each.
enum class Purpose : std::uint32_t {
  init = 1,        // initial population: off-site status, destination, traits
  month = 2,       // the month's four words of a person to whom something happens (step.hpp)
  move = 3,        // destination of a long-term move
  trip = 4,        // temporary trip destination and timing
  stay = 5,        // an inpatient stay's details
  outpatient = 6,  // outpatient visits and purchases off-site
  channel = 7,     // networked, filing, credential, failure for one visit
  latent = 8,      // a person's lasting propensities (filing)
  screen = 9,      // the month's screen: the high 16 bits of eight persons per draw (Rng::screen_hi)
  screen_low = 10, // the low 16 bits of a person's screen, drawn only when the high bits tie
  uncertainty = 11,  // a replicate's draws of uncertain parameters (person = the parameter's index)
};

/// Persons per batched draw (Rng::words_batch).
inline constexpr std::uint32_t kBatch = 16;
/// Persons whose screen high bits share one Philox draw (8 × 16 bits = 128 bits).
inline constexpr std::uint32_t kScreenShare = 8;
/// Persons per batched screen draw: kBatch draws of kScreenShare persons, aligned to multiples of it.
inline constexpr std::uint32_t kScreenBlock = kBatch * kScreenShare;

/// The Philox words of kBatch consecutive persons for one (month, purpose, index), structure of
/// arrays: w[k][j] is word k of person first + j.
struct WordBatch {
  alignas(32) std::uint32_t w[4][kBatch];
};

namespace detail {
/// Philox4x32-10 of the counters (first + j, c1, c2, c3), j < kBatch, under key (k0, k1) — the
/// same words as r123::Philox4x32 lane by lane. The scalar form calls r123; the AVX2 form computes
/// the 16 lanes at once and is only callable where the CPU has AVX2 (philox_batch_has_avx2()).
void philox_batch_scalar(std::uint32_t k0, std::uint32_t k1, std::uint32_t first, std::uint32_t c1, std::uint32_t c2,
                         std::uint32_t c3, WordBatch& out);
void philox_batch_avx2(std::uint32_t k0, std::uint32_t k1, std::uint32_t first, std::uint32_t c1, std::uint32_t c2,
                       std::uint32_t c3, WordBatch& out);
bool philox_batch_has_avx2();
using PhiloxBatchFn = void (*)(std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t,
                               WordBatch&);
/// The form used by Rng::words_batch: AVX2 where the CPU has it, else scalar (chosen once).
extern const PhiloxBatchFn philox_batch;
}  // namespace detail

class Rng {
public:
  using Philox = r123::Philox4x32;
  explicit Rng(std::uint64_t seed)
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}} {}

  /// Four independent 32-bit words for (person, month, purpose, index).
  std::array<std::uint32_t, 4> words(std::uint32_t person, std::uint32_t month, Purpose purpose,
                                     std::uint32_t index = 0) const {
    const Philox::ctr_type ctr{{person, month, static_cast<std::uint32_t>(purpose), index}};
    const auto r = Philox()(ctr, key_);
    return {r[0], r[1], r[2], r[3]};
  }

  /// words(first + j, month, purpose, index) for j < kBatch, in one batched (vectorised) call.
  void words_batch(std::uint32_t first, std::uint32_t month, Purpose purpose, std::uint32_t index, WordBatch& out) const {
    detail::philox_batch(key_[0], key_[1], first, month, static_cast<std::uint32_t>(purpose), index, out);
  }

  /// The month's screen of a person, a uniform 32-bit number (step.hpp): the high 16 bits come
  /// from the draw (person / 8, month, screen) shared by eight persons (16 bits each, in person
  /// order), the low 16 bits from the person's own draw (person, month, screen_low). Keyed by
  /// person like every draw; the split only lets the common case skip the second draw.
  static std::uint32_t screen_hi_of(const std::array<std::uint32_t, 4>& shared, std::uint32_t person) {
    return (shared[(person >> 1) & 3u] >> (16 * (person & 1u))) & 0xFFFFu;
  }
  std::uint32_t screen_hi(std::uint32_t person, std::uint32_t month) const {
    return screen_hi_of(words(person / kScreenShare, month, Purpose::screen), person);
  }
  std::uint32_t screen_low(std::uint32_t person, std::uint32_t month) const {
    return words(person, month, Purpose::screen_low)[0] & 0xFFFFu;
  }
  /// The screen high bits of persons block × kScreenBlock + i, i < kScreenBlock, in one batched
  /// call: out[i] == screen_hi(block × kScreenBlock + i, month).
  void screen_hi_batch(std::uint32_t block, std::uint32_t month, std::uint16_t (&out)[kScreenBlock]) const {
    WordBatch wb;
    detail::philox_batch(key_[0], key_[1], block * kBatch, month, static_cast<std::uint32_t>(Purpose::screen), 0, wb);
    for (std::uint32_t j = 0; j < kBatch; ++j)
      for (std::uint32_t k = 0; k < 4; ++k) {
        out[j * kScreenShare + 2 * k] = static_cast<std::uint16_t>(wb.w[k][j]);
        out[j * kScreenShare + 2 * k + 1] = static_cast<std::uint16_t>(wb.w[k][j] >> 16);
      }
  }

  /// A stream for Boost.Random distributions: a UniformRandomBitGenerator over (person, month,
  /// purpose), drawing index 0, 1, 2, ... four words at a time.
  class Stream {
  public:
    using result_type = std::uint32_t;
    Stream(const Rng& rng, std::uint32_t person, std::uint32_t month, Purpose purpose)
        : rng_(&rng), person_(person), month_(month), purpose_(purpose) {}
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()() {
      if (used_ == 4) {
        buf_ = rng_->words(person_, month_, purpose_, next_++);
        used_ = 0;
      }
      return buf_[used_++];
    }
    /// Uniform in (0, 1).
    double uniform() { return to_unit((*this)()); }

  private:
    const Rng* rng_;
    std::uint32_t person_, month_;
    Purpose purpose_;
    std::uint32_t next_ = 0;
    std::array<std::uint32_t, 4> buf_{};
    int used_ = 4;
  };

  Stream stream(std::uint32_t person, std::uint32_t month, Purpose purpose) const {
    return Stream(*this, person, month, purpose);
  }

  /// A 32-bit word as a uniform number in (0, 1).
  static double to_unit(std::uint32_t w) { return (static_cast<double>(w) + 0.5) * (1.0 / 4294967296.0); }

private:
  Philox::key_type key_;
};

/// How many words w satisfy `holds(w)`, for a predicate true on [0, T) and false on [T, 2^32):
/// that T, found by bisection over the exact predicate, so that comparing w < T decides bit for
/// bit as the predicate (a floating-point comparison of a uniform) does.
template <class Pred>
std::uint64_t words_below(Pred holds) {
  std::uint64_t lo = 0, hi = std::uint64_t{1} << 32;  // holds on [0, lo), fails on [hi, 2^32)
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (holds(static_cast<std::uint32_t>(mid))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
/// T with Rng::to_unit(w) < x ⇔ w < T.
inline std::uint64_t unit_below(double x) {
  return words_below([x](std::uint32_t w) { return Rng::to_unit(w) < x; });
}
/// T with Rng::to_unit(w) <= x ⇔ w < T.
inline std::uint64_t unit_at_most(double x) {
  return words_below([x](std::uint32_t w) { return Rng::to_unit(w) <= x; });
}

}  // namespace yidi::sim
