#pragma once
// A civil date (no time of day, no clock): settlement, admission, discharge and filing dates.
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yidi {

class Date {
public:
  constexpr Date() = default;
  /// nullopt if the triple is not a real calendar date.
  static std::optional<Date> from_ymd(int year, unsigned month, unsigned day);
  /// Strict ISO "YYYY-MM-DD".
  static std::optional<Date> parse(std::string_view text);
  static constexpr Date from_days(std::int32_t days_since_epoch) { return Date(days_since_epoch); }

  std::int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  /// Months since year 0 (year*12 + month-1): a month index for monthly series.
  int month_index() const { return year() * 12 + static_cast<int>(month()) - 1; }

  Date plus_days(std::int32_t n) const { return Date(days_ + n); }
  /// Same day n months later, clamped to the month's last day (2024-01-31 + 1 month = 2024-02-29).
  Date plus_months(int n) const;
  /// Number of days from `earlier` to this date.
  std::int32_t days_since(Date earlier) const { return days_ - earlier.days_; }

  std::string str() const;
  constexpr auto operator<=>(const Date&) const = default;

private:
  constexpr explicit Date(std::int32_t d) : days_(d) {}
  std::int32_t days_ = 0;  // days since 1970-01-01
};

}  // namespace yidi
