#pragma once
// Money: an exact count of fen (分, 0.01 yuan) in a strong type.
// No floating point ever touches an amount; rounding is a named step (see rounding.hpp).
//
// Range (issue 12). Every finite amount is within ±kMaxFen (just under 10^16 yuan), and so is the
// result of every +, −, × on amounts: an operation whose exact result falls outside throws
// MoneyOverflow naming the operation, never wraps. Money::parse accepts at most ±kMaxInputFen
// (10^12 yuan, a trillion: about 20× the largest provincial fund balance and a million times the
// largest bill), so that 10,000 amounts read at the maximum still sum inside the range, and every
// product with a ratio is taken in 128 bits (rounding.hpp). "No limit" (unlimited()) is a distinct
// value outside the finite range: no arithmetic produces it, and arithmetic on it throws.
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace yidi {

/// An exact intermediate for products of money and ratios (fen × bp², up to about 10^26).
__extension__ using Wide = __int128;
__extension__ using WideUnsigned = unsigned __int128;

/// An amount or an operation on amounts outside Money's range; the message names the operation
/// and its operands, e.g. "money overflow: 9999999999999999.99 + 0.01 is outside ±9999999999999999.99 yuan".
class MoneyOverflow : public std::overflow_error {
public:
  using std::overflow_error::overflow_error;
};

namespace detail {
[[noreturn, gnu::cold, gnu::noinline]] void money_overflow(std::int64_t a, char op, std::int64_t b);
[[noreturn, gnu::cold, gnu::noinline]] void money_out_of_range(Wide fen, const char* what);
}  // namespace detail

class Money {
public:
  /// Largest magnitude of a finite amount: 9,999,999,999,999,999.99 yuan.
  static constexpr std::int64_t kMaxFen = 999'999'999'999'999'999;
  /// Largest magnitude parse() accepts: 1,000,000,000,000.00 yuan (10^12 yuan = 10^14 fen).
  static constexpr std::int64_t kMaxInputFen = 100'000'000'000'000;
  /// What parse() accepts, for "expected ..., got '...'" messages.
  static constexpr std::string_view kInputForm =
      "an amount in yuan with at most 2 decimals and at most 1000000000000 (10^12 yuan), such as 1234.56";

  constexpr Money() = default;
  /// Throws MoneyOverflow outside ±kMaxFen.
  [[gnu::always_inline]] static constexpr Money fen(std::int64_t f) {
    if (!in_range(f)) [[unlikely]]
      detail::money_out_of_range(f, "Money::fen");
    return Money(f);
  }
  static constexpr Money yuan(std::int64_t y) {
    if (y > kMaxFen / 100 || y < -kMaxFen / 100) [[unlikely]]
      detail::money_out_of_range(static_cast<Wide>(y) * 100, "Money::yuan");
    return Money(y * 100);
  }
  static constexpr Money zero() { return Money(0); }
  static constexpr Money max_input() { return Money(kMaxInputFen); }
  /// "No limit" (an open-ended band, a cap that does not bind): greater than every finite amount,
  /// never the result of arithmetic; + − × on it throw MoneyOverflow.
  static constexpr Money unlimited() { return Money(kUnlimitedFen); }

  constexpr std::int64_t fen() const { return fen_; }
  constexpr bool is_zero() const { return fen_ == 0; }
  constexpr bool is_negative() const { return fen_ < 0; }
  constexpr bool is_unlimited() const { return fen_ == kUnlimitedFen; }

  [[gnu::always_inline]] constexpr Money operator+(Money o) const {
    std::int64_t r = 0;
    if (__builtin_add_overflow(fen_, o.fen_, &r) || !in_range(r)) [[unlikely]]
      detail::money_overflow(fen_, '+', o.fen_);
    return Money(r);
  }
  [[gnu::always_inline]] constexpr Money operator-(Money o) const {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(fen_, o.fen_, &r) || !in_range(r) || !in_range(fen_)) [[unlikely]]
      detail::money_overflow(fen_, '-', o.fen_);  // !in_range(fen_): unlimited − unlimited is not 0
    return Money(r);
  }
  [[gnu::always_inline]] constexpr Money operator-() const {
    if (!in_range(fen_)) [[unlikely]]
      detail::money_overflow(0, '-', fen_);
    return Money(-fen_);
  }
  [[gnu::always_inline]] constexpr Money& operator+=(Money o) { return *this = *this + o; }
  [[gnu::always_inline]] constexpr Money& operator-=(Money o) { return *this = *this - o; }
  [[gnu::always_inline]] constexpr Money operator*(std::int64_t k) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(fen_, k, &r) || !in_range(r) || !in_range(fen_)) [[unlikely]]
      detail::money_overflow(fen_, '*', k);  // !in_range(fen_): unlimited × 0 is not 0
    return Money(r);
  }
  constexpr auto operator<=>(const Money&) const = default;

  /// Parses "1234", "1234.5", "1234.56", "-3.18" (yuan, at most 2 decimals, at most ±10^12 yuan)
  /// exactly. Returns nullopt on anything else (spaces, exponents, 3+ decimals, beyond the maximum);
  /// callers say what was expected with kInputForm.
  static std::optional<Money> parse(std::string_view text);
  /// "1234.56", "-3.18", "0.00"; unlimited() prints as "unlimited".
  std::string str() const;

private:
  static constexpr std::int64_t kUnlimitedFen = std::numeric_limits<std::int64_t>::max();
  constexpr explicit Money(std::int64_t f) : fen_(f) {}
  /// Whether a count of fen is a finite amount, |f| ≤ kMaxFen (one unsigned comparison).
  /// unlimited() (2^63 − 1) is far outside, so a sum or difference with it is outside too (or
  /// overflows 64 bits, which the builtins report).
  static constexpr bool in_range(std::int64_t f) {
    return static_cast<std::uint64_t>(f) + static_cast<std::uint64_t>(kMaxFen) <= 2 * static_cast<std::uint64_t>(kMaxFen);
  }
  std::int64_t fen_ = 0;
};

constexpr Money min(Money a, Money b) { return a < b ? a : b; }
constexpr Money max(Money a, Money b) { return a < b ? b : a; }
/// max(0, m): the part of an amount that is positive.
constexpr Money positive_part(Money m) { return m.is_negative() ? Money::zero() : m; }
/// What is left of `cap` once `used` is spent, never below zero; an unlimited cap leaves unlimited room.
constexpr Money room_under(Money cap, Money used) {
  return cap.is_unlimited() ? Money::unlimited() : positive_part(cap - used);
}

}  // namespace yidi
