#include <gtest/gtest.h>

#include "models/date.hpp"
#include "models/region.hpp"

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
