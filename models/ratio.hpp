#pragma once
// Ratio: an exact proportion in basis points (1/10000). Applying one to an amount is a rounding
// step: see rounding.hpp.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yidi {

class Ratio {
public:
  static constexpr std::int32_t kOne = 10000;
  constexpr Ratio() = default;
  static constexpr Ratio bp(std::int32_t b) { return Ratio(b); }
  static constexpr Ratio percent(std::int32_t p) { return Ratio(p * 100); }
  static constexpr Ratio zero() { return Ratio(0); }
  static constexpr Ratio one() { return Ratio(kOne); }

  constexpr std::int32_t bp() const { return bp_; }
  constexpr bool in_unit_interval() const { return bp_ >= 0 && bp_ <= kOne; }
  constexpr auto operator<=>(const Ratio&) const = default;

  /// "0.8", "0.125", "80%", "84.6%", "1" -> exact basis points; nullopt if finer than 1 bp,
  /// negative, or not a plain decimal.
  static std::optional<Ratio> parse(std::string_view text);
  /// "80%", "84.6%", "12.5%".
  std::string str() const;

private:
  constexpr explicit Ratio(std::int32_t b) : bp_(b) {}
  std::int32_t bp_ = 0;
};

/// Percentage points, as in "the ratio is cut by 10 points" (降低10个百分点); stored in bp.
struct Points {
  std::int32_t bp = 0;
  static constexpr Points of(std::int32_t points) { return Points{points * 100}; }
  constexpr auto operator<=>(const Points&) const = default;
};

/// r - points, floored at zero.
constexpr Ratio minus_points(Ratio r, Points p) {
  const std::int32_t v = r.bp() - p.bp;
  return Ratio::bp(v < 0 ? 0 : v);
}
/// r * m, rounded half-up to a basis point.
constexpr Ratio times(Ratio r, Ratio m) {
  const std::int64_t prod = static_cast<std::int64_t>(r.bp()) * m.bp();
  return Ratio::bp(static_cast<std::int32_t>((prod + Ratio::kOne / 2) / Ratio::kOne));
}

}  // namespace yidi

// Applying a ratio to an amount is a rounding step (apply_ratio_half_up, Rounding): callers that
// include this header have always had it, so it comes with it.
#include "models/rounding.hpp"
