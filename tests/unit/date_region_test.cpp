#include <gtest/gtest.h>

#include "models/clearing.hpp"
#include "models/date.hpp"
#include "models/region.hpp"

#include <limits>

using namespace yidi;

TEST(Date, ParsesAndPrintsIso) {
  auto d = Date::parse("2022-07-01");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year(), 2022);
  EXPECT_EQ(d->month(), 7u);
  EXPECT_EQ(d->day(), 1u);
  EXPECT_EQ(d->str(), "2022-07-01");
  EXPECT_FALSE(Date::parse("2022-02-30"));
  EXPECT_FALSE(Date::parse("2022-7-1"));
  EXPECT_FALSE(Date::parse("20220701"));
}

TEST(Date, MonthArithmeticClampsToMonthEnd) {
  EXPECT_EQ(Date::parse("2024-01-31")->plus_months(1).str(), "2024-02-29");
  EXPECT_EQ(Date::parse("2023-08-15")->plus_months(6).str(), "2024-02-15");
  EXPECT_EQ(Date::parse("2024-03-01")->plus_days(-1).str(), "2024-02-29");
  EXPECT_EQ(Date::parse("2024-03-10")->days_since(*Date::parse("2024-03-01")), 9);
}

TEST(RegionCode, ProvinceIsFirstTwoDigits) {
  auto langfang = RegionCode::parse("131000");
  auto beijing = RegionCode::parse("110000");
  ASSERT_TRUE(langfang && beijing);
  EXPECT_EQ(langfang->province().value(), 130000u);
  EXPECT_TRUE(beijing->is_province());
  EXPECT_TRUE(is_cross_province(*langfang, *beijing));
  EXPECT_FALSE(is_cross_province(*RegionCode::parse("320600"), *RegionCode::parse("320500")));
  EXPECT_TRUE(is_intra_province_offsite(*RegionCode::parse("320600"), *RegionCode::parse("320500")));
  EXPECT_FALSE(RegionCode::parse("13100"));
  EXPECT_FALSE(RegionCode::parse("0x1000"));
  EXPECT_FALSE(RegionCode::parse("001000"));
}

// ---- One supported range (issue 12): 1900-01-01 to 2200-12-31

TEST(Date, OneSupportedRangeEnforcedEverywhere) {
  EXPECT_EQ(Date::min().str(), "1900-01-01");
  EXPECT_EQ(Date::max().str(), "2200-12-31");
  EXPECT_EQ(Date::first_of_month(Date::kMinMonthIndex), Date::min());
  EXPECT_EQ(Date::last_of_month(Date::kMaxMonthIndex), Date::max());
  EXPECT_EQ(*Date::parse("1900-01-01"), Date::min());
  EXPECT_EQ(*Date::parse("2200-12-31"), Date::max());
  for (const char* outside : {"1899-12-31", "2201-01-01", "6867-11-09", "0000-01-01", "9999-12-31"})
    EXPECT_FALSE(Date::parse(outside).has_value()) << outside;
  EXPECT_FALSE(Date::from_ymd(2201, 1, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(1899, 12, 31).has_value());
  EXPECT_EQ(Date::from_days(Date::max().days()), Date::max());
  EXPECT_THROW((void)Date::from_days(Date::max().days() + 1), DateRangeError);
  EXPECT_THROW((void)Date::from_days(Date::min().days() - 1), DateRangeError);
}

TEST(Date, ArithmeticStaysInsideOrThrows) {
  EXPECT_EQ(Date::max().plus_days(0), Date::max());
  EXPECT_EQ(Date::max().plus_days(-1).str(), "2200-12-30");
  EXPECT_EQ(Date::parse("2200-06-30")->plus_months(6).str(), "2200-12-30");
  EXPECT_EQ(Date::parse("1900-03-31")->plus_months(-1).str(), "1900-02-28");
  try {
    (void)Date::max().plus_days(1);
    FAIL() << "no error past the range";
  } catch (const DateRangeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Date::plus_days: 2201-1-1 is outside the supported dates, 1900-01-01 to 2200-12-31");
  }
  try {
    (void)Date::parse("2200-07-15")->plus_months(6);
    FAIL() << "no error past the range";
  } catch (const DateRangeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Date::plus_months: month 2201-01 is outside the supported dates, 1900-01-01 to 2200-12-31");
  }
  EXPECT_THROW((void)Date::min().plus_days(-1), DateRangeError);
  EXPECT_THROW((void)Date::min().plus_months(-1), DateRangeError);
  EXPECT_THROW((void)Date::max().plus_days(std::numeric_limits<std::int32_t>::max()), DateRangeError);
  EXPECT_THROW((void)Date::min().plus_months(std::numeric_limits<int>::min()), DateRangeError);
}

TEST(Date, MonthHelpersByIndex) {
  const int feb2024 = Date::parse("2024-02-10")->month_index();
  EXPECT_EQ(Date::first_of_month(feb2024).str(), "2024-02-01");
  EXPECT_EQ(Date::last_of_month(feb2024).str(), "2024-02-29");
  EXPECT_EQ(Date::day_of_month(feb2024, 20).str(), "2024-02-20");
  EXPECT_EQ(Date::day_of_month(feb2024, 31).str(), "2024-02-29");  // clamped to the month's end
  EXPECT_EQ(Date::month_label(feb2024), "2024-02");
  EXPECT_EQ(Date::month_label(Date::kMaxMonthIndex + 1), "2201-01");  // labels never fail
  EXPECT_TRUE(Date::month_in_range(Date::kMaxMonthIndex));
  EXPECT_FALSE(Date::month_in_range(Date::kMaxMonthIndex + 1));
  EXPECT_FALSE(Date::month_in_range(Date::kMinMonthIndex - 1));
  EXPECT_THROW((void)Date::first_of_month(Date::kMaxMonthIndex + 1), DateRangeError);
  EXPECT_THROW((void)Date::last_of_month(Date::kMinMonthIndex - 1), DateRangeError);
  EXPECT_THROW((void)Date::day_of_month(Date::kMaxMonthIndex + 1, 20), DateRangeError);
}

// Clearing's calendar at the end of the range: the last supported month closes; the month after it
// is a clear DateRangeError (it used to dereference an empty optional: garbage labels and dates).
TEST(Date, ClearingCalendarAtTheEndOfTheRange) {
  EXPECT_THROW(ClearingSystem(ClearingParams{}, Date::kMaxMonthIndex + 1), ClearingError);
  ClearingSystem cs(ClearingParams{}, Date::kMaxMonthIndex);
  const RegionCode pool = RegionCode::of(320600);
  cs.add_fund(pool, Scheme::employee, Money::yuan(1000), *Date::parse("2200-12-01"));
  SettlementRecord r;
  r.reference = "last";
  r.insured_region = pool;
  r.treatment_region = RegionCode::of(320500);
  r.settled_on = *Date::parse("2200-12-10");
  r.fund_pay = Money::yuan(10);
  cs.submit(r);
  const MonthReport rep = cs.close_month();
  EXPECT_EQ(rep.clearing_date.str(), "2200-12-20");
  try {
    (void)cs.close_month();
    FAIL() << "a month past the range was closed";
  } catch (const DateRangeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Date::day_of_month: month 2201-01 is outside the supported dates, 1900-01-01 to 2200-12-31");
  }
  r.settled_on = *Date::parse("2200-12-11");
  try {
    cs.submit(r);
    FAIL() << "a record of a closed month was accepted";
  } catch (const ClearingError& e) {
    EXPECT_EQ(std::string(e.what()), "settlement 'last': dated 2200-12-11 but the open month is 2201-01; months must be "
                                     "submitted in order");
  }
}
