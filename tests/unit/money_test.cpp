#include <gtest/gtest.h>

#include "models/money.hpp"
#include "models/ratio.hpp"
#include "models/rounding.hpp"

#include <limits>

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

// ---- Range and checked arithmetic (issue 12)

TEST(Money, ParseAcceptsUpToTheDocumentedMaximum) {
  EXPECT_EQ(Money::parse("1000000000000")->fen(), Money::kMaxInputFen);       // 10^12 yuan
  EXPECT_EQ(Money::parse("1000000000000.00")->fen(), Money::kMaxInputFen);
  EXPECT_EQ(Money::parse("-1000000000000")->fen(), -Money::kMaxInputFen);
  EXPECT_EQ(Money::parse("999999999999.99")->fen(), Money::kMaxInputFen - 1);
  EXPECT_EQ(*Money::parse("1000000000000"), Money::max_input());
  // Beyond it: refused, where 15 digits used to be read (up to 10^15 yuan).
  for (const char* big : {"1000000000000.01", "-1000000000000.01", "1000000000001", "999999999999999"})
    EXPECT_FALSE(Money::parse(big).has_value()) << big;
  EXPECT_NE(Money::kInputForm.find("1000000000000"), std::string_view::npos);
}

TEST(Money, SumsBeyondTheRangeThrowNamingTheOperation) {
  const Money top = Money::fen(Money::kMaxFen);
  EXPECT_EQ(top.str(), "9999999999999999.99");
  try {
    (void)(top + Money::fen(1));
    FAIL() << "no overflow reported";
  } catch (const MoneyOverflow& e) {
    EXPECT_EQ(std::string(e.what()),
              "money overflow: 9999999999999999.99 + 0.01 is outside ±9999999999999999.99 yuan");
  }
  EXPECT_THROW((void)(-top - Money::fen(1)), MoneyOverflow);
  EXPECT_THROW((void)(top - -top), MoneyOverflow);
  EXPECT_THROW((void)(Money::fen(Money::kMaxFen / 2 + 1) * 2), MoneyOverflow);
  EXPECT_THROW((void)(Money::yuan(1) * std::numeric_limits<std::int64_t>::min()), MoneyOverflow);
  EXPECT_THROW((void)Money::fen(Money::kMaxFen + 1), MoneyOverflow);
  EXPECT_THROW((void)Money::fen(std::numeric_limits<std::int64_t>::min()), MoneyOverflow);
  EXPECT_THROW((void)Money::yuan(Money::kMaxFen / 100 + 1), MoneyOverflow);
  Money acc = top;
  EXPECT_THROW(acc += Money::fen(1), MoneyOverflow);
  EXPECT_EQ(acc, top);  // unchanged by the failed addition
  // In range: exact, right up to the edge.
  EXPECT_EQ((top - Money::fen(1) + Money::fen(1)), top);
  EXPECT_EQ((Money::fen(Money::kMaxFen / 2) * 2).fen(), Money::kMaxFen - 1);
  EXPECT_EQ((-top).fen(), -Money::kMaxFen);
}

// The old sentinel INT64_MAX/4 fen was reachable by sums of real amounts (and printed "unlimited").
// "No limit" is now a distinct value that no arithmetic reaches and that arithmetic refuses.
TEST(Money, UnlimitedIsADistinctStateArithmeticNeverReaches) {
  const Money u = Money::unlimited();
  EXPECT_TRUE(u.is_unlimited());
  EXPECT_EQ(u.str(), "unlimited");
  EXPECT_GT(u, Money::fen(Money::kMaxFen));
  EXPECT_FALSE(Money::fen(Money::kMaxFen).is_unlimited());
  EXPECT_THROW((void)Money::fen(std::numeric_limits<std::int64_t>::max() / 4), MoneyOverflow);
  EXPECT_THROW((void)(u + Money::fen(1)), MoneyOverflow);
  EXPECT_THROW((void)(u + -Money::fen(Money::kMaxFen)), MoneyOverflow);
  EXPECT_THROW((void)(u - Money::fen(1)), MoneyOverflow);
  EXPECT_THROW((void)(u - u), MoneyOverflow);
  EXPECT_THROW((void)(Money::zero() - u), MoneyOverflow);
  EXPECT_THROW((void)(-u), MoneyOverflow);
  EXPECT_THROW((void)(u * 0), MoneyOverflow);
  EXPECT_THROW((void)(u * 1), MoneyOverflow);
  try {
    (void)(u + Money::yuan(5));
  } catch (const MoneyOverflow& e) {
    EXPECT_EQ(std::string(e.what()), "money overflow: unlimited + 5.00 is outside ±9999999999999999.99 yuan");
  }
  // Room under a cap: an unlimited cap leaves unlimited room; a finite one never goes below zero.
  EXPECT_TRUE(room_under(u, Money::fen(Money::kMaxFen)).is_unlimited());
  EXPECT_EQ(room_under(Money::yuan(100), Money::yuan(30)), Money::yuan(70));
  EXPECT_EQ(room_under(Money::yuan(100), Money::yuan(130)), Money::zero());
}

// ---- One rounding API (issue 13)

TEST(Rounding, HalfUpDownAndUpToTheYuan) {
  const Rounding half = Rounding::half_up();
  EXPECT_EQ(half(Money::fen(3177), Ratio::percent(10)).fen(), 318);   // 317.7 → 318
  EXPECT_EQ(half.quotient(25, 10).fen(), 3);                          // 2.5 → 3
  EXPECT_EQ(half.quotient(-25, 10).fen(), -3);                        // halves away from zero
  EXPECT_EQ(half.quotient(24, 10).fen(), 2);
  EXPECT_EQ(half.quotient(7, 3).fen(), 2);                            // odd denominators: 2.33 → 2
  EXPECT_EQ(half.quotient(5, 3).fen(), 2);                            // 1.67 → 2
  EXPECT_EQ(Rounding::down().quotient(29, 10).fen(), 2);
  EXPECT_EQ(Rounding::down().quotient(-29, 10).fen(), -2);
  EXPECT_EQ(Rounding::up_to_yuan()(Money::fen(1)).fen(), 100);        // 0.01 → 1.00
  EXPECT_EQ(Rounding::up_to_yuan()(Money::fen(100)).fen(), 100);
  EXPECT_EQ(Rounding::up_to_yuan()(Money::fen(-101)).fen(), -200);    // away from zero
  EXPECT_EQ(Rounding(Rounding::Type::half_up, 100)(Money::fen(150)).fen(), 200);
  EXPECT_EQ(Rounding(Rounding::Type::half_up, 100)(Money::fen(149)).fen(), 100);
  EXPECT_EQ(Rounding::half_up().scale(Money::yuan(100), 1, 12).str(), "8.33");   // 833.33 fen
  EXPECT_EQ(Rounding::half_up().scale(Money::yuan(100), 5, 12).str(), "41.67");  // 4166.67 fen
  // The shorthands are the same rule.
  EXPECT_EQ(apply_ratio_half_up(Money::fen(6111), Ratio::percent(80)), half(Money::fen(6111), Ratio::percent(80)));
  EXPECT_EQ(scale_half_up(Money::yuan(100), 5, 12), half.scale(Money::yuan(100), 5, 12));
}

// fen × basis points overflowed 64 bits from about 9.2e14 fen (9e12 yuan): 乙's self-pay-first share
// came out wrong while the parts still summed. The product is now taken in 128 bits.
TEST(Rounding, ProductsWithRatiosAreExactAtTheTopOfTheRange) {
  const Money top = Money::fen(Money::kMaxFen);
  EXPECT_EQ(apply_ratio_half_up(top, Ratio::bp(9999)).fen(), 999'899'999'999'999'999);  // …999.0001 → …999
  EXPECT_EQ(apply_ratio_half_up(top, Ratio::percent(15)).fen(), 150'000'000'000'000'000);  // …999.85 → up
  EXPECT_EQ(apply_ratio_half_up(-top, Ratio::percent(15)).fen(), -150'000'000'000'000'000);
  EXPECT_EQ(scale_half_up(top, 11, 12).fen(), 916'666'666'666'666'666);  // 916…665.75 → …666
  // A result outside the range throws instead of wrapping.
  EXPECT_THROW((void)apply_ratio_half_up(top, Ratio::bp(10001)), MoneyOverflow);
  EXPECT_THROW((void)scale_half_up(top, 13, 12), MoneyOverflow);
  EXPECT_THROW((void)apply_ratio_half_up(Money::unlimited(), Ratio::percent(50)), MoneyOverflow);
}

TEST(Rounding, SplitInProportionSumsToTheWholeWithTheLastBySubtraction) {
  Money parts[3];
  const Money w1[3] = {Money::fen(1), Money::fen(1), Money::fen(1)};
  split_in_proportion(Money::fen(2), w1, parts);  // 0.67, 0.67 → 1, 1; the last 2 − 2 = 0
  EXPECT_EQ(parts[0].fen(), 1);
  EXPECT_EQ(parts[1].fen(), 1);
  EXPECT_EQ(parts[2].fen(), 0);
  const Money w2[3] = {Money::fen(1), Money::fen(1), Money::zero()};
  split_in_proportion(Money::fen(1), w2, parts);  // a zero weight gets zero; the last non-zero takes the rest
  EXPECT_EQ(parts[0].fen(), 1);                   // 0.5 → 1 (half up)
  EXPECT_EQ(parts[1].fen(), 0);
  EXPECT_EQ(parts[2].fen(), 0);
  const Money w3[3] = {Money::zero(), Money::zero(), Money::zero()};
  split_in_proportion(Money::zero(), w3, parts);
  for (Money p : parts) EXPECT_TRUE(p.is_zero());
  EXPECT_THROW(split_in_proportion(Money::fen(1), w3, parts), std::invalid_argument);
  const Money negative[3] = {Money::fen(-1), Money::fen(1), Money::fen(1)};
  EXPECT_THROW(split_in_proportion(Money::fen(1), negative, parts), std::invalid_argument);
}
