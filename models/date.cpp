#include "models/date.hpp"

#include <charconv>

namespace yidi {
namespace {
using namespace std::chrono;

year_month_day ymd_of(std::int32_t days) { return year_month_day{sys_days{std::chrono::days{days}}}; }

bool parse_uint(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  for (char c : s) if (c < '0' || c > '9') return false;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return true;
}
}  // namespace

std::optional<Date> Date::from_ymd(int y, unsigned m, unsigned d) {
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok() || y < 1900 || y > 2200) return std::nullopt;
  return Date(static_cast<std::int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()));
}

std::optional<Date> Date::parse(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  unsigned y = 0, m = 0, d = 0;
  if (!parse_uint(t.substr(0, 4), y) || !parse_uint(t.substr(5, 2), m) || !parse_uint(t.substr(8, 2), d))
    return std::nullopt;
  return from_ymd(static_cast<int>(y), m, d);
}

int Date::year() const { return static_cast<int>(ymd_of(days_).year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd_of(days_).month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd_of(days_).day()); }

Date Date::plus_months(int n) const {
  const auto ymd = ymd_of(days_);
  const auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{n};
  const auto last = std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}}.day();
  const auto d = ymd.day() > last ? last : ymd.day();
  return Date(static_cast<std::int32_t>(std::chrono::sys_days{std::chrono::year_month_day{ym.year(), ym.month(), d}}.time_since_epoch().count()));
}

std::string Date::str() const {
  const auto ymd = ymd_of(days_);
  char buf[16];
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + m / 10);
  buf[6] = static_cast<char>('0' + m % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + d / 10);
  buf[9] = static_cast<char>('0' + d % 10);
  return std::string(buf, 10);
}

}  // namespace yidi
