// Properties of clearing over random years of settlements (fixed seeds): every fen is accounted
// for after any sequence of operations; submitting a month's settlements in any order gives the
// same result; the cleared amounts over all pairs equal the settlements' fund payments.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "models/clearing.hpp"

using namespace yidi;

namespace {
const std::vector<RegionCode> kPools = {RegionCode::of(320600), RegionCode::of(310000), RegionCode::of(511900),
                                        RegionCode::of(410300)};
const std::vector<RegionCode> kTreatment = {RegionCode::of(110105), RegionCode::of(310104), RegionCode::of(320500),
                                            RegionCode::of(440106), RegionCode::of(320600), RegionCode::of(511900)};

struct Year {
  std::vector<std::vector<SettlementRecord>> months;  // 12 months of records
};

/// A year of random records; `max_fund_fen` bounds each record's fund payment (the patient's part
/// is up to 40% of it).
Year random_year(std::uint64_t seed, std::int64_t max_fund_fen = 5000000) {
  std::mt19937_64 rng(seed);
  auto u = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  Year y;
  for (int m = 0; m < 12; ++m) {
    std::vector<SettlementRecord> recs;
    const int n = static_cast<int>(u(0, 40));
    for (int i = 0; i < n; ++i) {
      SettlementRecord r;
      r.reference = "r" + std::to_string(m) + "-" + std::to_string(i);
      r.insured_region = kPools[static_cast<std::size_t>(u(0, 3))];
      r.scheme = u(0, 1) ? Scheme::resident : Scheme::employee;
      r.treatment_region = kTreatment[static_cast<std::size_t>(u(0, 5))];
      r.settled_on = *Date::from_ymd(2024, static_cast<unsigned>(m + 1), static_cast<unsigned>(u(1, 28)));
      r.path = u(0, 5) == 0 ? SettlementPath::manual : SettlementPath::direct;
      r.fund_pay = Money::fen(u(0, max_fund_fen));
      r.patient_pay = Money::fen(u(0, max_fund_fen / 5 * 2));
      r.coaudit_fund_pay = u(0, 4) == 0 ? r.fund_pay : Money::zero();
      r.declaration_delay_months = static_cast<int>(u(0, 2));
      if (r.path == SettlementPath::manual && u(0, 2) != 0) r.reimburse_on = r.settled_on.plus_months(static_cast<int>(u(1, 5)));
      recs.push_back(r);
    }
    y.months.push_back(recs);
  }
  return y;
}

/// Every intra-province flow under annual DRG/DIP clearing at 96% (the default rule), unless
/// `params` says otherwise.
ClearingParams drg_everywhere() {
  ClearingParams p;
  p.intra_province.default_rule.annual = IntraAnnual::drg_dip;
  p.intra_province.default_rule.drg_ratio = Ratio::percent(96);
  return p;
}

ClearingSystem make_system(Money opening = Money::yuan(5000000), Money quota = Money::yuan(100000),
                           const ClearingParams& p = drg_everywhere()) {
  ClearingSystem cs(p, Date::parse("2024-01-01")->month_index());
  for (auto pool : kPools)
    for (auto s : {Scheme::employee, Scheme::resident}) {
      cs.add_fund(pool, s, opening, *Date::parse("2024-01-01"));
      cs.set_initial_quota(pool, s, RegionCode::of(110000), quota);
    }
  return cs;
}

/// Runs the year and 4 more months (so the year closes), returning every report.
std::vector<MonthReport> run(ClearingSystem& cs, const Year& y, bool check_each_month = true,
                             Money contribution = Money::yuan(30000), Money local = Money::yuan(20000)) {
  std::vector<MonthReport> out;
  for (int m = 0; m < 16; ++m) {
    if (m < 12)
      for (const auto& r : y.months[static_cast<std::size_t>(m)]) cs.submit(r);
    if (m % 3 == 0) {
      for (auto pool : kPools) {
        const Date on = *Date::from_ymd(2024 + m / 12, static_cast<unsigned>(m % 12 + 1), 28);
        cs.post_contribution(pool, Scheme::employee, on, contribution);
        cs.post_local_benefit(pool, Scheme::resident, on, local);
      }
    }
    out.push_back(cs.close_month());
    if (check_each_month) {
      EXPECT_EQ(cs.ledger().total(), Money::zero()) << "month " << m;
      EXPECT_EQ(cs.ledger().replay(), cs.ledger().balances()) << "month " << m;
    }
  }
  return out;
}

bool same(const MonthReport& a, const MonthReport& b) {
  auto cl = [](const std::vector<ClearedAmount>& v) {
    std::vector<std::tuple<RegionCode, Scheme, RegionCode, Money, std::int64_t>> o;
    for (const auto& x : v) o.emplace_back(x.insured, x.scheme, x.treatment, x.amount, x.visits);
    return o;
  };
  auto pp = [](const std::vector<PrepaymentPosition>& v) {
    std::vector<std::tuple<RegionCode, Scheme, RegionCode, Money, Money, std::int64_t, Money>> o;
    for (const auto& x : v) o.emplace_back(x.pool, x.scheme, x.treatment_province, x.quota, x.outstanding, x.usage_bp, x.topup_requested);
    return o;
  };
  auto fp = [](const std::vector<FundPosition>& v) {
    std::vector<std::tuple<RegionCode, Scheme, Money, Money, Money, Money>> o;
    for (const auto& x : v) o.emplace_back(x.pool, x.scheme, x.balance, x.prepayment_held, x.income, x.expenditure);
    return o;
  };
  return cl(a.cleared_cross) == cl(b.cleared_cross) && cl(a.cleared_intra) == cl(b.cleared_intra) &&
         pp(a.prepayments) == pp(b.prepayments) && fp(a.funds) == fp(b.funds) && a.topups_paid == b.topups_paid &&
         a.clawbacks == b.clawbacks && a.manual_paid == b.manual_paid && a.drg_adjustment == b.drg_adjustment &&
         a.quota_rebased == b.quota_rebased;
}
}  // namespace

TEST(ClearingProperties, EveryFenIsAccountedFor) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    ClearingSystem cs = make_system();
    run(cs, random_year(seed));
    ASSERT_FALSE(::testing::Test::HasFailure()) << "seed " << seed;
  }
}

TEST(ClearingProperties, OrderOfSubmissionDoesNotMatter) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Year y = random_year(seed);
    Year shuffled = y;
    std::mt19937_64 rng(seed * 7919);
    for (auto& m : shuffled.months) std::shuffle(m.begin(), m.end(), rng);
    ClearingSystem a = make_system(), b = make_system();
    const auto ra = run(a, y, false), rb = run(b, shuffled, false);
    for (std::size_t i = 0; i < ra.size(); ++i) ASSERT_TRUE(same(ra[i], rb[i])) << "seed " << seed << " month " << i;
    EXPECT_EQ(a.ledger().balances(), b.ledger().balances()) << "seed " << seed;
  }
}

TEST(ClearingProperties, PairsSumToSettlements) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Year y = random_year(seed);
    ClearingSystem cs = make_system();
    const auto reports = run(cs, y, false);
    Money settled_cross, settled_intra, cleared_cross, cleared_intra;
    std::int64_t visits_settled = 0, visits_cleared = 0;
    for (const auto& m : y.months)
      for (const auto& r : m) {
        if (r.path != SettlementPath::direct || r.insured_region == r.treatment_region) continue;
        if (is_cross_province(r.insured_region, r.treatment_region)) {
          settled_cross += r.fund_pay;
          visits_settled += r.visits;
        } else {
          settled_intra += r.fund_pay;
        }
      }
    for (const auto& rep : reports) {
      for (const auto& c : rep.cleared_cross) {
        cleared_cross += c.amount;
        visits_cleared += c.visits;
      }
      for (const auto& c : rep.cleared_intra) cleared_intra += c.amount;
      Money net;
      for (const auto& n : rep.net_positions) net += n.net();
      EXPECT_EQ(net, Money::zero());
    }
    EXPECT_EQ(cleared_cross, settled_cross) << "seed " << seed;
    EXPECT_EQ(cleared_intra, settled_intra) << "seed " << seed;
    EXPECT_EQ(visits_cleared, visits_settled) << "seed " << seed;
    ASSERT_TRUE(reports[14].year_close.has_value());  // March 2025 closes 2024
    EXPECT_EQ(reports[14].year_close->year, 2024);
    EXPECT_TRUE(reports[14].year_close->complete());
    EXPECT_EQ(reports[14].year_close->settled, settled_cross);
  }
}

// Issue 12: the same properties with every record, balance, quota and contribution near the most
// Money::parse accepts (10^12 yuan): no sum wraps, every fen is accounted for, pairs sum to settlements.
TEST(ClearingProperties, EveryFenIsAccountedForNearTheMaximum) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Year y = random_year(seed, Money::kMaxInputFen);
    ClearingSystem cs = make_system(Money::max_input(), Money::max_input());
    const auto reports = run(cs, y, true, Money::max_input(), Money::max_input());
    ASSERT_FALSE(::testing::Test::HasFailure()) << "seed " << seed;
    Wide settled = 0, cleared = 0;
    for (const auto& m : y.months)
      for (const auto& r : m)
        if (r.path == SettlementPath::direct && is_cross_province(r.insured_region, r.treatment_region))
          settled += r.fund_pay.fen();
    for (const auto& rep : reports)
      for (const auto& c : rep.cleared_cross) cleared += c.amount.fen();
    EXPECT_EQ(cleared, settled) << "seed " << seed;
    EXPECT_GT(settled, Wide{Money::kMaxInputFen} * 10) << "seed " << seed;  // well past any one input
    for (const auto& rep : reports)
      for (const auto& f : rep.funds) EXPECT_FALSE(f.balance.is_unlimited());
  }
}

// A pair whose outstanding amount would leave Money's range: the submission throws MoneyOverflow
// (naming the sum) instead of wrapping, and the ledger still balances.
TEST(ClearingProperties, ASumPastTheRangeThrowsAndTheLedgerStillBalances) {
  ClearingSystem cs = make_system(Money::max_input(), Money::max_input());
  SettlementRecord r;
  r.insured_region = kPools[0];
  r.scheme = Scheme::employee;
  r.treatment_region = RegionCode::of(110105);
  r.settled_on = *Date::parse("2024-01-15");
  r.fund_pay = Money::max_input();
  int submitted = 0;
  try {
    for (; submitted < 20000; ++submitted) {
      r.reference = "big-" + std::to_string(submitted);
      cs.submit(r);
    }
    FAIL() << "20,000 records of 10^12 yuan summed without overflow";
  } catch (const MoneyOverflow& e) {
    EXPECT_NE(std::string(e.what()).find("money overflow: "), std::string::npos);
  }
  // The first sum to leave the range is a fund's or a prepayment's balance: about 10,000 records in.
  EXPECT_GE(submitted, 9999);
  EXPECT_LE(submitted, 10001);
  EXPECT_EQ(cs.ledger().total(), Money::zero());
  EXPECT_EQ(cs.ledger().replay(), cs.ledger().balances());
}

// Without the event log (Ledger::keep_events(false), for callers that only read balances), every
// month report and every balance is the same as with it, and no event is kept.
TEST(ClearingProperties, TheEventLogChangesNoPositionOrBalance) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Year y = random_year(seed);
    ClearingSystem with = make_system(), without = make_system();
    without.keep_event_log(false);
    const auto a = run(with, y, false), b = run(without, y, false);
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(same(a[i], b[i])) << "seed " << seed << " month " << i;
    EXPECT_EQ(with.ledger().balances(), without.ledger().balances()) << "seed " << seed;
    EXPECT_EQ(without.ledger().total(), Money::zero()) << "seed " << seed;
    EXPECT_FALSE(with.ledger().events().empty()) << "seed " << seed;
    // Only the opening and initial-quota postings made before the log was switched off remain.
    const std::size_t before = make_system().ledger().events().size();
    EXPECT_EQ(without.ledger().events().size(), before) << "seed " << seed;
  }
}

// Dated per-province rules (issue 14; seed 003 三, Jiangsu from 2024-12-01, here moved to July so
// that a random year has flows on both sides): Jiangsu's intra-province flows dated from
// 2024-07-01 are re-priced at 97% at the year's clearing, per pair, half-up to the fen; its flows
// before, and Shanghai's (310000 → 310104, under the default), are not. Every fen stays in the
// ledger every month, and the year's adjustment is exactly that sum.
TEST(ClearingProperties, PerProvinceRulesRepriceOnlyTheirFlowsAndConserveEveryFen) {
  ClearingParams p;  // default rule: monthly fee-for-service, final [assumed]
  IntraRule jiangsu;
  jiangsu.from = *Date::parse("2024-07-01");
  jiangsu.annual = IntraAnnual::drg_dip;
  jiangsu.drg_ratio = Ratio::percent(97);
  p.intra_province.by_province[RegionCode::of(320000)] = {jiangsu};
  Money total_adjustments;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Year y = random_year(seed);
    ClearingSystem cs = make_system(Money::yuan(5000000), Money::yuan(100000), p);
    const auto reports = run(cs, y);  // checks Σ balances = 0 and replay = balances each month
    ASSERT_FALSE(::testing::Test::HasFailure()) << "seed " << seed;
    std::map<std::tuple<RegionCode, Scheme, RegionCode>, Money> under_drg;
    bool shanghai_intra = false;
    for (const auto& m : y.months)
      for (const auto& r : m) {
        if (r.path != SettlementPath::direct || r.insured_region == r.treatment_region ||
            is_cross_province(r.insured_region, r.treatment_region))
          continue;
        if (r.insured_region.province() == RegionCode::of(310000)) shanghai_intra = true;
        if (r.insured_region.province() == RegionCode::of(320000) && r.settled_on >= jiangsu.from)
          under_drg[{r.insured_region, r.scheme, r.treatment_region}] += r.fund_pay;
      }
    Money expected;
    for (const auto& [pair, flow] : under_drg) expected += Rounding::half_up()(flow, jiangsu.drg_ratio) - flow;
    Money reported;
    for (const auto& rep : reports) reported += rep.drg_adjustment;
    EXPECT_EQ(reported, expected) << "seed " << seed;
    EXPECT_EQ(reports[14].drg_adjustment, expected) << "seed " << seed << ": posted at the close in March 2025";
    EXPECT_TRUE(shanghai_intra) << "seed " << seed << ": the default province has flows to leave alone";
    total_adjustments += expected;
  }
  EXPECT_LT(total_adjustments, Money::zero());  // the rule did re-price something
}
