#pragma once
// Money: an exact count of fen (分, 0.01 yuan) in a strong type.
// No floating point ever touches an amount; rounding is a named step (see ratio.hpp).
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace yidi {

class Money {
public:
  constexpr Money() = default;
  static constexpr Money fen(std::int64_t f) { return Money(f); }
  static constexpr Money yuan(std::int64_t y) { return Money(y * 100); }
  static constexpr Money zero() { return Money(0); }
  /// A bound larger than any real amount (used for open-ended bands and caps).
  static constexpr Money unlimited() { return Money(std::numeric_limits<std::int64_t>::max() / 4); }

  constexpr std::int64_t fen() const { return fen_; }
  constexpr bool is_zero() const { return fen_ == 0; }
  constexpr bool is_negative() const { return fen_ < 0; }
  constexpr bool is_unlimited() const { return fen_ >= unlimited().fen_; }

  constexpr Money operator+(Money o) const { return Money(fen_ + o.fen_); }
  constexpr Money operator-(Money o) const { return Money(fen_ - o.fen_); }
  constexpr Money operator-() const { return Money(-fen_); }
  constexpr Money& operator+=(Money o) { fen_ += o.fen_; return *this; }
  constexpr Money& operator-=(Money o) { fen_ -= o.fen_; return *this; }
  constexpr Money operator*(std::int64_t k) const { return Money(fen_ * k); }
  constexpr auto operator<=>(const Money&) const = default;

  /// Parses "1234", "1234.5", "1234.56", "-3.18" (yuan, at most 2 decimals) exactly.
  /// Returns nullopt on anything else (spaces, exponents, 3+ decimals, overflow).
  static std::optional<Money> parse(std::string_view text);
  /// "1234.56", "-3.18", "0.00"; unlimited() prints as "unlimited".
  std::string str() const;

private:
  constexpr explicit Money(std::int64_t f) : fen_(f) {}
  std::int64_t fen_ = 0;
};

/// amount × numerator ÷ denominator exactly (128-bit intermediate), rounded half away from zero
/// to the fen: the rounding rule of ratio.hpp for proportions that are not basis points
/// (e.g. a yearly amount spread over 12 months). denominator > 0.
Money scale_half_up(Money amount, std::int64_t numerator, std::int64_t denominator);

constexpr Money min(Money a, Money b) { return a < b ? a : b; }
constexpr Money max(Money a, Money b) { return a < b ? b : a; }
/// max(0, m): the part of an amount that is positive.
constexpr Money positive_part(Money m) { return m.is_negative() ? Money::zero() : m; }

}  // namespace yidi
