#include "models/money.hpp"

#include <charconv>

namespace yidi {
namespace {
/// Yuan with two decimals for any 128-bit count of fen (messages about out-of-range values).
std::string yuan_text(Wide fen) {
  const bool negative = fen < 0;
  WideUnsigned a = negative ? static_cast<WideUnsigned>(-(fen + 1)) + 1 : static_cast<WideUnsigned>(fen);
  const unsigned f = static_cast<unsigned>(a % 100);
  a /= 100;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<unsigned>(a % 10)));
    a /= 10;
  } while (a != 0);
  std::string out = negative ? "-" : "";
  out += digits;
  out += '.';
  out += static_cast<char>('0' + f / 10);
  out += static_cast<char>('0' + f % 10);
  return out;
}
std::string operand_text(std::int64_t fen) {
  return fen == Money::unlimited().fen() ? std::string("unlimited") : yuan_text(fen);
}
const std::string& range_text() {
  static const std::string r = "±" + yuan_text(Money::kMaxFen) + " yuan";
  return r;
}
}  // namespace

namespace detail {
void money_overflow(std::int64_t a, char op, std::int64_t b) {
  if (op == '-' && a == 0 && b != 0)  // unary minus
    throw MoneyOverflow("money overflow: −" + operand_text(b) + " is outside " + range_text());
  if (op == '*')
    throw MoneyOverflow("money overflow: " + operand_text(a) + " × " + std::to_string(b) + " is outside " + range_text());
  throw MoneyOverflow("money overflow: " + operand_text(a) + " " + op + " " + operand_text(b) + " is outside " +
                      range_text());
}
void money_out_of_range(Wide fen, const char* what) {
  throw MoneyOverflow(std::string("money overflow: ") + what + " gives " + yuan_text(fen) + ", outside " + range_text());
}
}  // namespace detail

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
  const std::int64_t total = y * 100 + f;  // ≤ 10^17: no overflow with at most 15 digits
  if (total > kMaxInputFen) return std::nullopt;
  return Money(negative ? -total : total);
}

std::string Money::str() const {
  if (is_unlimited()) return "unlimited";
  const bool negative = fen_ < 0;
  const std::int64_t a = negative ? -fen_ : fen_;  // |fen_| ≤ kMaxFen: no overflow
  std::string out = negative ? "-" : "";
  out += std::to_string(a / 100);
  out += '.';
  const std::int64_t f = a % 100;
  out += static_cast<char>('0' + f / 10);
  out += static_cast<char>('0' + f % 10);
  return out;
}

}  // namespace yidi
