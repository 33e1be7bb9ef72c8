#include "models/date.hpp"

#include <charconv>

namespace yidi {
namespace {
using namespace std::chrono;

year_month_day ymd_of(std::int32_t days) { return year_month_day{sys_days{std::chrono::days{days}}}; }
std::int32_t days_of(const year_month_day& ymd) {
  return static_cast<std::int32_t>(sys_days{ymd}.time_since_epoch().count());
}

bool parse_uint(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  for (char c : s) if (c < '0' || c > '9') return false;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return true;
}

/// The month a month index names; the caller has checked the range.
year_month month_of(int month_index) {
  return year_month{std::chrono::year{month_index / 12}, std::chrono::month{static_cast<unsigned>(month_index % 12 + 1)}};
}

void check_month(int month_index, const char* what) {
  if (!Date::month_in_range(month_index)) detail::month_out_of_range(month_index, what);
}
}  // namespace

namespace detail {
void date_out_of_range(std::int64_t days, const char* what) {
  // Name the date when chrono can still spell it (it can for any 32-bit day count).
  std::string when = std::to_string(days) + " days from 1970-01-01";
  if (days >= -2'000'000 && days <= 2'000'000) {
    const auto ymd = ymd_of(static_cast<std::int32_t>(days));
    when = std::to_string(static_cast<int>(ymd.year())) + "-" + std::to_string(static_cast<unsigned>(ymd.month())) +
           "-" + std::to_string(static_cast<unsigned>(ymd.day()));
  }
  throw DateRangeError(std::string(what) + ": " + when + " is outside the supported dates, " +
                       std::string(Date::kRangeText));
}
void month_out_of_range(std::int64_t month_index, const char* what) {
  throw DateRangeError(std::string(what) + ": month " + Date::month_label(static_cast<int>(month_index)) +
                       " is outside the supported dates, " + std::string(Date::kRangeText));
}
}  // namespace detail

std::optional<Date> Date::from_ymd(int y, unsigned m, unsigned d) {
  if (y < kMinYear || y > kMaxYear) return std::nullopt;
  const year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return Date(days_of(ymd));
}

std::optional<Date> Date::parse(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  unsigned y = 0, m = 0, d = 0;
  if (!parse_uint(t.substr(0, 4), y) || !parse_uint(t.substr(5, 2), m) || !parse_uint(t.substr(8, 2), d))
    return std::nullopt;
  return from_ymd(static_cast<int>(y), m, d);
}

Date Date::first_of_month(int month_index) {
  check_month(month_index, "Date::first_of_month");
  return Date(days_of(year_month_day{month_of(month_index) / 1}));
}

Date Date::last_of_month(int month_index) {
  check_month(month_index, "Date::last_of_month");
  return Date(days_of(year_month_day{month_of(month_index) / last}));
}

Date Date::day_of_month(int month_index, int day) {
  check_month(month_index, "Date::day_of_month");
  const Date last_day = last_of_month(month_index);
  if (day < 1) return first_of_month(month_index);
  return day >= static_cast<int>(last_day.day()) ? last_day : Date(first_of_month(month_index).days_ + day - 1);
}

std::string Date::month_label(int month_index) {
  const int y = month_index / 12, m = month_index % 12 + 1;
  std::string out = std::to_string(y);
  while (out.size() < 4) out.insert(out.begin(), '0');
  out += m < 10 ? "-0" : "-";
  out += std::to_string(m);
  return out;
}

int Date::year() const { return static_cast<int>(ymd_of(days_).year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd_of(days_).month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd_of(days_).day()); }

Date Date::plus_months(int n) const {
  const auto ymd = ymd_of(days_);
  const std::int64_t target = static_cast<std::int64_t>(month_index()) + n;
  if (!month_in_range(target)) detail::month_out_of_range(target, "Date::plus_months");
  const year_month ym = month_of(static_cast<int>(target));
  const auto last_day = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  const auto d = ymd.day() > last_day ? last_day : ymd.day();
  return Date(days_of(year_month_day{ym.year(), ym.month(), d}));
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
