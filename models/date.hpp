#pragma once
// A civil date (no time of day, no clock): settlement, admission, discharge and filing dates.
//
// One supported range (issue 12): 1900-01-01 to 2200-12-31 (Date::min() to Date::max(); months
// Date::kMinMonthIndex to Date::kMaxMonthIndex). parse and from_ymd refuse dates outside it; every
// operation that makes a date (from_days, plus_days, plus_months, first_of_month, ...) either stays
// inside or throws DateRangeError naming the operation; no Date outside the range exists.
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace yidi {

/// A date outside the supported range, or an operation that would make one.
class DateRangeError : public std::out_of_range {
public:
  using std::out_of_range::out_of_range;
};

namespace detail {
[[noreturn, gnu::cold, gnu::noinline]] void date_out_of_range(std::int64_t days, const char* what);
[[noreturn, gnu::cold, gnu::noinline]] void month_out_of_range(std::int64_t month_index, const char* what);
}  // namespace detail

class Date {
public:
  static constexpr int kMinYear = 1900;
  static constexpr int kMaxYear = 2200;
  /// Month indices (year × 12 + month − 1) of 1900-01 and 2200-12.
  static constexpr int kMinMonthIndex = kMinYear * 12;
  static constexpr int kMaxMonthIndex = kMaxYear * 12 + 11;
  /// For messages: "expected a date from 1900-01-01 to 2200-12-31".
  static constexpr std::string_view kRangeText = "1900-01-01 to 2200-12-31";

  constexpr Date() = default;
  static constexpr Date min() { return Date(kMinDays); }  // 1900-01-01
  static constexpr Date max() { return Date(kMaxDays); }  // 2200-12-31

  /// nullopt if the triple is not a real calendar date or is outside the supported range.
  static std::optional<Date> from_ymd(int year, unsigned month, unsigned day);
  /// Strict ISO "YYYY-MM-DD" within the supported range.
  static std::optional<Date> parse(std::string_view text);
  /// Throws DateRangeError outside the supported range.
  static constexpr Date from_days(std::int32_t days_since_epoch) { return checked(days_since_epoch, "Date::from_days"); }
  static constexpr bool month_in_range(std::int64_t month_index) {
    return month_index >= kMinMonthIndex && month_index <= kMaxMonthIndex;
  }
  /// The first day, the last day, and day `day` (clamped to the month's last day) of a month
  /// given by its index; throw DateRangeError outside the supported range.
  static Date first_of_month(int month_index);
  static Date last_of_month(int month_index);
  static Date day_of_month(int month_index, int day);
  /// "YYYY-MM" of a month index ≥ 0, inside the range or not (for messages and labels).
  static std::string month_label(int month_index);

  constexpr std::int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  /// Months since year 0 (year*12 + month-1): a month index for monthly series.
  int month_index() const { return year() * 12 + static_cast<int>(month()) - 1; }

  /// Throws DateRangeError if the result is outside the supported range.
  constexpr Date plus_days(std::int32_t n) const {
    return checked(static_cast<std::int64_t>(days_) + n, "Date::plus_days");
  }
  /// Same day n months later, clamped to the month's last day (2024-01-31 + 1 month = 2024-02-29).
  /// Throws DateRangeError if the result is outside the supported range.
  Date plus_months(int n) const;
  /// Number of days from `earlier` to this date.
  constexpr std::int32_t days_since(Date earlier) const { return days_ - earlier.days_; }

  std::string str() const;
  constexpr auto operator<=>(const Date&) const = default;

private:
  static constexpr std::int32_t kMinDays =
      static_cast<std::int32_t>(std::chrono::sys_days{std::chrono::year{kMinYear} / 1 / 1}.time_since_epoch().count());
  static constexpr std::int32_t kMaxDays =
      static_cast<std::int32_t>(std::chrono::sys_days{std::chrono::year{kMaxYear} / 12 / 31}.time_since_epoch().count());
  static constexpr Date checked(std::int64_t days, const char* what) {
    if (days < kMinDays || days > kMaxDays) [[unlikely]]
      detail::date_out_of_range(days, what);
    return Date(static_cast<std::int32_t>(days));
  }
  constexpr explicit Date(std::int32_t d) : days_(d) {}
  std::int32_t days_ = 0;  // days since 1970-01-01
};

static_assert(Date::min().days() == -25567 && Date::max().days() == 84370);

}  // namespace yidi
