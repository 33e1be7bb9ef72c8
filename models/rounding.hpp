#pragma once
// Rounding: the one way an exact quotient of fen becomes an amount (QuantLib's `Rounding`: one
// type, named modes). Every split, rate and proportion in the rules goes through it, so the rule
// "round half-up at each named step" (DOMAIN.md §3 [assumed]) lives in one place.
#include <cstddef>
#include <cstdint>
#include <span>

#include "models/money.hpp"
#include "models/ratio.hpp"

namespace yidi {

class Rounding {
public:
  enum class Type : std::uint8_t {
    half_up,  // to the nearest unit, halves away from zero (the project's rule, DOMAIN.md §3 [assumed])
    down,     // toward zero
    up,       // away from zero
  };

  /// Rounds to a multiple of `unit_fen` (> 0) by `type`.
  constexpr Rounding(Type type, std::int64_t unit_fen) : type_(type), unit_(unit_fen) {}
  /// Half away from zero to the fen: the rule of every named step.
  static constexpr Rounding half_up() { return Rounding(Type::half_up, 1); }
  /// Toward zero to the fen.
  static constexpr Rounding down() { return Rounding(Type::down, 1); }
  /// Away from zero to the whole yuan (a top-up asked for in whole yuan).
  static constexpr Rounding up_to_yuan() { return Rounding(Type::up, 100); }

  constexpr Type type() const { return type_; }
  constexpr std::int64_t unit_fen() const { return unit_; }

  /// numerator / denominator fen, exactly, then rounded. denominator > 0. Throws MoneyOverflow
  /// if the rounded amount is outside Money's range.
  [[gnu::always_inline]] constexpr Money quotient(Wide numerator, Wide denominator) const {
    const auto n = static_cast<std::int64_t>(numerator);
    const auto d = static_cast<std::int64_t>(denominator);
    if (n == numerator && d == denominator) [[likely]]
      return quotient64(n, d);
    return quotient_wide(numerator, denominator);
  }
  /// amount × r (r in basis points), rounded.
  [[gnu::always_inline]] constexpr Money operator()(Money amount, Ratio r) const {
    std::int64_t n = 0;
    if (!__builtin_mul_overflow(finite(amount), static_cast<std::int64_t>(r.bp()), &n)) [[likely]]
      return quotient64(n, Ratio::kOne);
    return quotient_wide(static_cast<Wide>(amount.fen()) * r.bp(), Ratio::kOne);
  }
  /// amount × numerator ÷ denominator, rounded (e.g. a yearly amount over 12 months). denominator > 0.
  [[gnu::always_inline]] constexpr Money scale(Money amount, std::int64_t numerator, std::int64_t denominator) const {
    std::int64_t n = 0;
    if (!__builtin_mul_overflow(finite(amount), numerator, &n)) [[likely]]
      return quotient64(n, denominator);
    return quotient_wide(static_cast<Wide>(amount.fen()) * numerator, denominator);
  }
  /// An amount rounded to the unit.
  constexpr Money operator()(Money amount) const { return quotient64(finite(amount), 1); }

private:
  /// n / d in units of unit_ fen, rounded by type_ (n ≥ 0, d > 0, n + d representable in U).
  template <class U>
  [[gnu::always_inline]] constexpr U divide(U n, U d) const {
    switch (type_) {
      case Type::half_up: return (n + d / 2) / d;
      case Type::down: return n / d;
      case Type::up: return (n + d - 1) / d;
    }
    return 0;
  }
  /// Ordinary amounts: numerator and denominator × unit below 2^62, divided in 64 bits (a 128-bit
  /// division is a slow library call); anything larger goes to quotient_wide.
  [[gnu::always_inline]] constexpr Money quotient64(std::int64_t numerator, std::int64_t denominator) const {
    const bool negative = numerator < 0;
    const std::uint64_t n = negative ? 0 - static_cast<std::uint64_t>(numerator) : static_cast<std::uint64_t>(numerator);
    std::uint64_t d = 0;
    if (__builtin_mul_overflow(static_cast<std::uint64_t>(denominator), static_cast<std::uint64_t>(unit_), &d) ||
        ((n | d) >> 62) != 0) [[unlikely]]
      return quotient_wide(numerator, denominator);
    const std::uint64_t q = divide<std::uint64_t>(n, d);
    if (q > static_cast<std::uint64_t>(Money::kMaxFen / unit_)) [[unlikely]]
      return quotient_wide(numerator, denominator);  // reports the overflow
    const auto fen = static_cast<std::int64_t>(q) * unit_;
    return Money::fen(negative ? -fen : fen);
  }
  /// The same in 128 bits.
  constexpr Money quotient_wide(Wide numerator, Wide denominator) const {
    const bool negative = numerator < 0;
    const auto n = static_cast<WideUnsigned>(negative ? -numerator : numerator);
    const WideUnsigned d = static_cast<WideUnsigned>(denominator) * static_cast<WideUnsigned>(unit_);
    const WideUnsigned q = divide<WideUnsigned>(n, d);
    const Wide fen = static_cast<Wide>(q) * unit_;
    if (q > static_cast<WideUnsigned>(Money::kMaxFen / unit_)) [[unlikely]]
      detail::money_out_of_range(negative ? -fen : fen, "rounding");
    return Money::fen(static_cast<std::int64_t>(negative ? -fen : fen));
  }
  static constexpr std::int64_t finite(Money m) {
    if (m.is_unlimited()) [[unlikely]]
      detail::money_out_of_range(m.fen(), "rounding of 'unlimited'");
    return m.fen();
  }
  Type type_;
  std::int64_t unit_;
};

/// amount × r, half away from zero to the fen: shorthand for Rounding::half_up()(amount, r).
constexpr Money apply_ratio_half_up(Money amount, Ratio r) { return Rounding::half_up()(amount, r); }
/// amount × numerator ÷ denominator, half away from zero to the fen: Rounding::half_up().scale(...).
constexpr Money scale_half_up(Money amount, std::int64_t numerator, std::int64_t denominator) {
  return Rounding::half_up().scale(amount, numerator, denominator);
}

/// Splits `whole` in proportion to `weights` (each ≥ 0) into `parts` (same size): a zero weight
/// gets zero; every other part but the last non-zero one is whole × weight ÷ Σ weights, rounded
/// by `rounding`; the last non-zero one is the rest, by subtraction, so the parts sum to `whole`
/// exactly (DOMAIN.md §3). With half-up rounding and 0 ≤ whole ≤ Σ weights, no part exceeds its
/// weight and none is negative for up to 3 parts. All weights zero: all parts zero (whole must be 0).
void split_in_proportion(Money whole, std::span<const Money> weights, std::span<Money> parts,
                         Rounding rounding = Rounding::half_up());

}  // namespace yidi
