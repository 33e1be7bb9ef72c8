#include "models/ratio.hpp"

#include <charconv>

namespace yidi {

std::optional<Ratio> Ratio::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool percent = false;
  if (text.back() == '%') {
    percent = true;
    text.remove_suffix(1);
  }
  const auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 5) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
  for (char c : whole) if (c < '0' || c > '9') return std::nullopt;
  for (char c : frac) if (c < '0' || c > '9') return std::nullopt;
  // Scale: a plain decimal is in units of 1 (4 decimals = bp); a percentage in units of 1% (2 decimals = bp).
  const std::size_t digits = percent ? 2 : 4;
  while (frac.size() > digits && frac.back() == '0') frac.remove_suffix(1);
  if (frac.size() > digits) return std::nullopt;
  std::int64_t w = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), w);
  std::int64_t f = 0;
  if (!frac.empty()) std::from_chars(frac.data(), frac.data() + frac.size(), f);
  for (std::size_t i = frac.size(); i < digits; ++i) f *= 10;
  const std::int64_t unit = percent ? 100 : 10000;
  const std::int64_t bp = w * unit + f;
  if (bp > 1000000) return std::nullopt;
  return Ratio::bp(static_cast<std::int32_t>(bp));
}

std::string Ratio::str() const {
  std::string out = std::to_string(bp_ / 100);
  const std::int32_t f = bp_ % 100;
  if (f != 0) {
    out += '.';
    out += static_cast<char>('0' + f / 10);
    if (f % 10 != 0) out += static_cast<char>('0' + f % 10);
  }
  out += '%';
  return out;
}

}  // namespace yidi
