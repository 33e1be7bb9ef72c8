#include <gtest/gtest.h>

#include "models/money.hpp"
#include "models/ratio.hpp"

using namespace yidi;

TEST(Money, ParsesYuanExactly) {
  EXPECT_EQ(Money::parse("64.29")->fen(), 6429);
  EXPECT_EQ(Money::parse("3.1")->fen(), 310);
  EXPECT_EQ(Money::parse("25000")->fen(), 2500000);
  EXPECT_EQ(Money::parse("-3.18")->fen(), -318);
  EXPECT_EQ(Money::parse("0.00")->fen(), 0);
}

TEST(Money, RejectsMalformedText) {
  for (const char* bad : {"", "1.234", "1e3", " 1", "1,000", "abc", "1.", ".5", "--1", "1.2.3", "1234567890123456"})
    EXPECT_FALSE(Money::parse(bad).has_value()) << bad;
}

TEST(Money, PrintsTwoDecimals) {
  EXPECT_EQ(Money::fen(4889).str(), "48.89");
  EXPECT_EQ(Money::fen(5).str(), "0.05");
  EXPECT_EQ(Money::fen(-1540).str(), "-15.40");
  EXPECT_EQ(Money::yuan(37145).str(), "37145.00");
}

TEST(Ratio, ParsesDecimalsAndPercentages) {
  EXPECT_EQ(Ratio::parse("0.8")->bp(), 8000);
  EXPECT_EQ(Ratio::parse("80%")->bp(), 8000);
  EXPECT_EQ(Ratio::parse("84.6%")->bp(), 8460);
  EXPECT_EQ(Ratio::parse("0.125")->bp(), 1250);
  EXPECT_EQ(Ratio::parse("1")->bp(), 10000);
  EXPECT_EQ(Ratio::parse("0.10000")->bp(), 1000);
  EXPECT_FALSE(Ratio::parse("0.12345").has_value());  // finer than a basis point
  EXPECT_FALSE(Ratio::parse("-0.1").has_value());
  EXPECT_FALSE(Ratio::parse("80 %").has_value());
  EXPECT_EQ(Ratio::bp(8460).str(), "84.6%");
  EXPECT_EQ(Ratio::bp(1250).str(), "12.5%");
}

// DOMAIN.md §3 golden case 1 [seed 000]: 31.77 × 10% = 3.177 → 3.18; 61.11 × 80% = 48.888 → 48.89.
TEST(Ratio, RoundsHalfUpAtTheFen) {
  EXPECT_EQ(apply_ratio_half_up(Money::fen(3177), Ratio::percent(10)).fen(), 318);
  EXPECT_EQ(apply_ratio_half_up(Money::fen(6111), Ratio::percent(80)).fen(), 4889);
  EXPECT_EQ(apply_ratio_half_up(Money::fen(5), Ratio::percent(50)).fen(), 3);    // 2.5 → 3
  EXPECT_EQ(apply_ratio_half_up(Money::fen(-5), Ratio::percent(50)).fen(), -3);  // symmetric
  EXPECT_EQ(apply_ratio_half_up(Money::fen(4), Ratio::percent(50)).fen(), 2);
}

TEST(Ratio, PointsAndMultipliers) {
  EXPECT_EQ(minus_points(Ratio::percent(85), Points::of(10)).bp(), 7500);
  EXPECT_EQ(minus_points(Ratio::percent(5), Points::of(10)).bp(), 0);  // floored at zero
  EXPECT_EQ(times(Ratio::percent(85), Ratio::percent(80)).bp(), 6800);
}
