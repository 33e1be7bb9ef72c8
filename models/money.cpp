#include "models/money.hpp"

#include <charconv>

namespace yidi {

std::optional<Money> Money::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 15) return std::nullopt;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 2)) return std::nullopt;
  for (char c : whole) if (c < '0' || c > '9') return std::nullopt;
  for (char c : frac) if (c < '0' || c > '9') return std::nullopt;
  std::int64_t y = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), y);
  std::int64_t f = 0;
  if (!frac.empty()) {
    std::from_chars(frac.data(), frac.data() + frac.size(), f);
    if (frac.size() == 1) f *= 10;
  }
  const std::int64_t total = y * 100 + f;
  return Money::fen(negative ? -total : total);
}

Money scale_half_up(Money amount, std::int64_t numerator, std::int64_t denominator) {
  __extension__ using i128 = __int128;
  const i128 num = static_cast<i128>(amount.fen()) * numerator;
  const i128 half = denominator / 2;
  const i128 q = num >= 0 ? (num + half) / denominator : -((-num + half) / denominator);
  return Money::fen(static_cast<std::int64_t>(q));
}

std::string Money::str() const {
  if (is_unlimited()) return "unlimited";
  const bool negative = fen_ < 0;
  const std::int64_t a = negative ? -fen_ : fen_;
  std::string out = negative ? "-" : "";
  out += std::to_string(a / 100);
  out += '.';
  const std::int64_t f = a % 100;
  out += static_cast<char>('0' + f / 10);
  out += static_cast<char>('0' + f % 10);
  return out;
}

}  // namespace yidi
