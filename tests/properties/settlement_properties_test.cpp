// Properties of the settlement engine over many random policies and visits (fixed seed):
// zero in → zero out; parts sum to the whole; the funds never pay more than the eligible amount;
// a larger reduction never pays more; annual caps hold over a year of visits.
#include <gtest/gtest.h>

#include <random>

#include "models/settlement_engine.hpp"
#include "tests/support/policy_fixture.hpp"

using namespace yidi;
using namespace yidi::testing;

namespace {
const std::string kSrc = "property test";
const RegionCode kHome = RegionCode::of(320600);
const RegionCode kAway = RegionCode::of(310000);

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); }
  bool coin() { return uniform(0, 1) == 1; }
  Ratio ratio(int lo_pct = 0, int hi_pct = 100) { return Ratio::bp(static_cast<std::int32_t>(uniform(lo_pct * 100, hi_pct * 100))); }
  Money money(std::int64_t max_yuan) { return Money::fen(uniform(0, max_yuan * 100)); }
  Bands bands() {
    Bands b;
    const int n = static_cast<int>(uniform(1, 3));
    Money upto;
    for (int i = 0; i < n; ++i) {
      upto += Money::fen(uniform(1, 5000000));
      b.push_back({i + 1 == n ? Money::unlimited() : upto, ratio(40, 100)});
    }
    return b;
  }
  Reduction reduction() {
    switch (uniform(0, 2)) {
      case 0: return Reduction{};
      case 1: return Reduction{Reduction::Kind::points, Points{static_cast<std::int32_t>(uniform(0, 2000))}, Ratio::one()};
      default: return Reduction{Reduction::Kind::multiplier, Points{}, ratio(80, 100)};
    }
  }
};

InsuredPolicy random_policy(Gen& g) {
  InsuredPolicy p = simple_policy(kHome);
  for (auto& by_visit : p.benefit) {
    const ByEnum<CapPool, Money> caps = {Money::yuan(g.uniform(1000, 600000)), Money::yuan(g.uniform(500, 20000))};
    for (auto& rule : by_visit) {
      rule.annual_cap.value = caps[index(rule.cap_pool.value)];
      rule.covered.value = g.uniform(0, 9) != 0;
      rule.deductible_kind.value = static_cast<DeductibleKind>(g.uniform(0, 2));
      for (auto& lv : rule.deductible_per_admission) {
        const Money first = g.money(2000);
        lv[0].value = first;
        lv[1].value = min(first, g.money(2000));
        lv[2].value = min(lv[1].value, g.money(2000));
      }
      for (auto& a : rule.deductible_annual) a.value = g.money(1500);
      for (auto& r : rule.ratio) r.value = g.bands();
    }
  }
  for (Layer* l : {&p.critical_illness, &p.large_expense}) {
    l->enabled.value = g.coin();
    l->threshold.value = g.money(20000);
    l->bands.value = g.bands();
    l->annual_cap.value = Money::yuan(g.uniform(1000, 400000));
  }
  p.assistance.ratio.value = g.ratio();
  p.assistance.annual_cap.value = g.money(50000);
  p.reduction_base.value = g.coin() ? ReductionBase::basic_ratio : ReductionBase::all_layers;
  p.manual.extra_reduction.value = Points{static_cast<std::int32_t>(g.uniform(0, 500))};
  return p;
}

SettlementRequest random_request(Gen& g) {
  SettlementRequest req;
  const auto type = kVisitTypes[static_cast<std::size_t>(g.uniform(0, 3))];
  const std::int64_t scale = type == VisitType::inpatient ? 200000 : 3000;
  req.visit = visit(kHome, g.uniform(0, 4) == 0 ? kHome : kAway, type, g.money(scale), g.money(scale), g.money(scale / 5));
  if (!req.visit.lines.empty() && g.coin()) req.visit.lines[0].over_price_cap = Money::fen(g.uniform(0, req.visit.lines[0].amount.fen()));
  req.visit.group = kInsuredGroups[static_cast<std::size_t>(g.uniform(0, 2))];
  req.visit.level = kHospitalLevels[static_cast<std::size_t>(g.uniform(0, 2))];
  req.visit.disease = g.uniform(0, 4) == 0 ? "gout" : "diabetes";
  req.visit.assistance_eligible = g.coin();
  req.visit.networked = g.uniform(0, 5) != 0;
  req.visit.emergency = g.uniform(0, 6) == 0;
  if (g.coin()) {
    Filing f;
    f.category = kFilingCategories[static_cast<std::size_t>(g.uniform(0, 6))];
    f.target = kAway;
    f.filed_on = d("2024-01-01");
    req.filing = f;
  }
  req.ytd.admissions = static_cast<std::int32_t>(g.uniform(0, 3));
  req.ytd.pooled_paid = {g.money(100000), g.money(5000)};
  req.ytd.annual_deductible_met = g.money(1000);
  req.ytd.layer_base = g.money(50000);
  return req;
}

void expect_well_formed(const Settlement& s) {
  EXPECT_EQ(s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt, s.medfee_sumamt);
  EXPECT_EQ(s.hifp_pay + s.hifmi_pay + s.hifob_pay + s.maf_pay, s.fund_pay_sumamt);
  EXPECT_EQ(s.fund_pay_sumamt + s.psn_part_amt, s.medfee_sumamt);
  for (Money m : {s.fulamt_ownpay_amt, s.overlmt_selfpay, s.preselfpay_amt, s.inscp_scp_amt, s.hifp_pay, s.hifmi_pay,
                  s.hifob_pay, s.maf_pay, s.psn_part_amt, s.acct_pay, s.psn_cash_pay, s.deductible})
    EXPECT_FALSE(m.is_negative());
  EXPECT_LE(s.fund_pay_sumamt, s.inscp_scp_amt);  // the funds pay only within the eligible amount
  EXPECT_LE(s.deductible, s.inscp_scp_amt);
}
}  // namespace

TEST(SettlementProperties, ZeroInZeroOut) {
  Gen g(1);
  for (int i = 0; i < 500; ++i) {
    const InsuredPolicy pol = random_policy(g);
    SettlementRequest req = random_request(g);
    req.visit.lines.clear();
    req.visit.medfee_sumamt = Money::zero();
    const Settlement s = SettlementEngine::settle(req, simple_catalogue(kAway), pol, national_rules());
    ASSERT_EQ(s.fund_pay_sumamt, Money::zero());
    ASSERT_EQ(s.psn_part_amt, Money::zero());
    ASSERT_EQ(s.psn_cash_pay, Money::zero());
    ASSERT_EQ(s.ytd_after.pooled_paid, req.ytd.pooled_paid);
    ASSERT_EQ(s.ytd_after.layer_base, req.ytd.layer_base);
  }
}

TEST(SettlementProperties, PartsSumAndFundsStayWithinEligible) {
  Gen g(2);
  for (int i = 0; i < 5000; ++i) {
    const InsuredPolicy pol = random_policy(g);
    const SettlementRequest req = random_request(g);
    const Settlement s = SettlementEngine::settle(req, simple_catalogue(kAway), pol, national_rules());
    expect_well_formed(s);
    if (::testing::Test::HasFailure()) FAIL() << "case " << i;
  }
}

// Raising the reduction (more points, or a smaller multiplier) never raises what the funds pay.
TEST(SettlementProperties, LargerReductionNeverPaysMore) {
  Gen g(3);
  for (int i = 0; i < 3000; ++i) {
    InsuredPolicy pol = random_policy(g);
    SettlementRequest req = random_request(g);
    req.visit.treatment_region = kAway;
    req.visit.networked = true;
    req.visit.emergency = false;
    Filing f;
    f.category = FilingCategory::other_temporary;
    f.target = kAway;
    f.filed_on = d("2024-01-01");
    req.filing = f;
    const bool points = g.coin();
    Money previous = Money::unlimited();
    for (int step = 0; step <= 20; ++step) {
      pol.reduction[index(req.visit.visit_type)][index(FilingCategory::other_temporary)].value =
          points ? Reduction{Reduction::Kind::points, Points::of(step), Ratio::one()}
                 : Reduction{Reduction::Kind::multiplier, Points{}, Ratio::percent(100 - step)};
      const Settlement s = SettlementEngine::settle(req, simple_catalogue(kAway), pol, national_rules());
      ASSERT_LE(s.fund_pay_sumamt, previous) << "case " << i << " step " << step;
      previous = s.fund_pay_sumamt;
    }
  }
}

// Over a year of visits, the pooled fund never exceeds its annual cap and the layers theirs.
TEST(SettlementProperties, AnnualCapsHoldOverAYear) {
  Gen g(4);
  for (int person = 0; person < 300; ++person) {
    const InsuredPolicy pol = random_policy(g);
    SettlementRequest req = random_request(g);
    req.ytd = YearToDate{};
    ByEnum<CapPool, Money> pooled_total{};
    Money layer_total, maf_total;
    for (int visit_no = 0; visit_no < 25; ++visit_no) {
      SettlementRequest r = random_request(g);
      r.visit.group = req.visit.group;
      r.ytd = req.ytd;
      const Settlement s = SettlementEngine::settle(r, simple_catalogue(kAway), pol, national_rules());
      expect_well_formed(s);
      const auto& rule = pol.rule(r.visit.group, r.visit.visit_type);
      pooled_total[index(rule.cap_pool.value)] += s.hifp_pay;
      layer_total += s.hifmi_pay + s.hifob_pay;
      maf_total += s.maf_pay;
      ASSERT_EQ(s.ytd_after.pooled_paid[index(rule.cap_pool.value)],
                pooled_total[index(rule.cap_pool.value)]);
      req.ytd = s.ytd_after;
    }
    for (auto g2 : kVisitTypes) {
      const auto& rule = pol.rule(req.visit.group, g2);
      EXPECT_LE(pooled_total[index(rule.cap_pool.value)], rule.annual_cap.value)
          << "pool " << to_string(rule.cap_pool.value);
    }
    const Layer& layer = scheme_of(req.visit.group) == Scheme::resident ? pol.critical_illness : pol.large_expense;
    EXPECT_LE(layer_total, layer.annual_cap.value);
    EXPECT_LE(maf_total, pol.assistance.annual_cap.value);
  }
}

// ---- At the maximum (issue 12): lines, caps, thresholds and year-to-date sums anywhere up to
// Money::max_input() (10^12 yuan, the most Money::parse accepts), some caps unlimited.

namespace {
Money near_max(Gen& g) { return Money::fen(g.uniform(Money::kMaxInputFen - Money::kMaxInputFen / 100, Money::kMaxInputFen)); }
Money up_to_max(Gen& g) { return g.coin() ? near_max(g) : Money::fen(g.uniform(0, Money::kMaxInputFen)); }

void scale_to_max(InsuredPolicy& p, Gen& g) {
  for (auto& by_visit : p.benefit) {
    const ByEnum<CapPool, Money> caps = {g.uniform(0, 3) == 0 ? Money::unlimited() : up_to_max(g), up_to_max(g)};
    for (auto& rule : by_visit) {
      rule.annual_cap.value = caps[index(rule.cap_pool.value)];
      for (auto& lv : rule.deductible_per_admission)
        for (auto& x : lv) x.value = Money::fen(g.uniform(0, Money::kMaxInputFen / 1000));
      for (auto& r : rule.ratio)
        if (g.coin()) r.value = Bands{{Money::fen(g.uniform(1, Money::kMaxInputFen)), g.ratio(40, 100)}, {Money::unlimited(), g.ratio(40, 100)}};
    }
  }
  for (Layer* l : {&p.critical_illness, &p.large_expense}) {
    l->threshold.value = Money::fen(g.uniform(0, Money::kMaxInputFen));
    l->annual_cap.value = g.coin() ? Money::unlimited() : up_to_max(g);
  }
  p.assistance.annual_cap.value = g.coin() ? Money::unlimited() : up_to_max(g);
}
}  // namespace

TEST(SettlementProperties, AtTheMaximumPartsSumAndSharesAreExact) {
  Gen g(5);
  for (int i = 0; i < 3000; ++i) {
    InsuredPolicy pol = random_policy(g);
    scale_to_max(pol, g);
    SettlementRequest req = random_request(g);
    const Money a = up_to_max(g), b = up_to_max(g), c = up_to_max(g);
    req.visit.lines = {ClaimLine{ItemClass::a, a, Money::fen(g.uniform(0, a.fen())), {}}, ClaimLine{ItemClass::b, b, {}, {}},
                       ClaimLine{ItemClass::c, c, {}, {}}};
    req.visit.medfee_sumamt = a + b + c;
    req.ytd.pooled_paid = {up_to_max(g), up_to_max(g)};
    req.ytd.layer_base = up_to_max(g);
    req.ytd.critical_illness_paid = up_to_max(g);
    req.ytd.large_expense_paid = up_to_max(g);
    req.ytd.assistance_paid = up_to_max(g);
    const Settlement s = SettlementEngine::settle(req, simple_catalogue(kAway), pol, national_rules());
    expect_well_formed(s);
    // 乙's self-pay-first share (the fixture's 10%) to the fen, computed here in 128 bits.
    EXPECT_EQ(s.preselfpay_amt.fen(), static_cast<std::int64_t>((static_cast<Wide>(b.fen()) * 1000 + 5000) / 10000));
    EXPECT_EQ(s.overlmt_selfpay, req.visit.lines[0].over_price_cap);
    EXPECT_EQ(s.fulamt_ownpay_amt, c);
    if (::testing::Test::HasFailure()) FAIL() << "case " << i;
  }
}

// A person with 1,000 inpatient stays of 10^12 yuan each in one year: every year-to-date sum is
// exact (checked here in 128 bits); one more stay whose sums would leave Money's range is a
// rejected claim naming the amount, never a wrapped (negative) sum.
TEST(SettlementProperties, YearToDateSumsOverManyVisitsAtTheMaximum) {
  InsuredPolicy pol = simple_policy(kHome);
  for (auto& by_visit : pol.benefit)
    for (auto& rule : by_visit) rule.annual_cap.value = Money::unlimited();
  pol.large_expense.enabled.value = true;
  pol.large_expense.threshold.value = Money::yuan(20000);
  pol.large_expense.bands.value = flat(Ratio::percent(50));
  pol.large_expense.annual_cap.value = Money::unlimited();
  pol.assistance.annual_cap.value = Money::unlimited();
  SettlementRequest req;
  req.visit = visit(kHome, kHome, VisitType::inpatient, Money::max_input());
  req.visit.assistance_eligible = true;
  Wide pooled = 0, base = 0, layer = 0, maf = 0;
  for (int n = 1; n <= 1000; ++n) {
    const Settlement s = SettlementEngine::settle(req, simple_catalogue(kHome), pol, national_rules());
    expect_well_formed(s);
    EXPECT_EQ(s.hifp_pay.fen(), Money::kMaxInputFen / 10 * 8);  // 80%, no cap
    pooled += s.hifp_pay.fen();
    base += (s.inscp_scp_amt - s.hifp_pay).fen();
    layer += s.hifob_pay.fen();
    maf += s.maf_pay.fen();
    ASSERT_EQ(s.ytd_after.admissions, n);
    ASSERT_EQ(s.ytd_after.pooled_paid[index(CapPool::inpatient)].fen(), pooled) << "stay " << n;
    ASSERT_EQ(s.ytd_after.layer_base.fen(), base) << "stay " << n;
    ASSERT_EQ(s.ytd_after.large_expense_paid.fen(), layer) << "stay " << n;
    ASSERT_EQ(s.ytd_after.assistance_paid.fen(), maf) << "stay " << n;
    req.ytd = s.ytd_after;
  }
  EXPECT_EQ(req.ytd.pooled_paid[index(CapPool::inpatient)].fen(), Money::kMaxInputFen * 800);  // 8 × 10^14 yuan
  // Sums at the edge of the range: the next stay would take the layer base past it.
  req.ytd.layer_base = Money::fen(Money::kMaxFen - Money::kMaxInputFen / 10);
  try {
    (void)SettlementEngine::settle(req, simple_catalogue(kHome), pol, national_rules());
    FAIL() << "a sum past the range was not reported";
  } catch (const InvalidClaim& e) {
    EXPECT_EQ(e.field(), "medfee_sumamt");
    EXPECT_NE(std::string(e.what()).find("money overflow"), std::string::npos) << e.what();
  }
}

// The split of a reduced total over all layers (Nantong's rule, seed 003 §四) by the project's
// rounding rule: parts sum to the whole, none negative and none above its unreduced amount.
TEST(SettlementProperties, ProportionalSplitStaysWithinEachPart) {
  Gen g(6);
  for (int i = 0; i < 200000; ++i) {
    const std::int64_t scale = g.coin() ? 1000 : Money::kMaxInputFen;
    Money w[3];
    for (Money& x : w) x = g.uniform(0, 3) == 0 ? Money::zero() : Money::fen(g.uniform(0, scale));
    const Money total = w[0] + w[1] + w[2];
    const Money whole = Money::fen(g.uniform(0, total.fen()));
    Money parts[3];
    split_in_proportion(whole, w, parts);
    ASSERT_EQ(parts[0] + parts[1] + parts[2], whole) << i;
    for (int k = 0; k < 3; ++k) {
      ASSERT_FALSE(parts[k].is_negative()) << i;
      ASSERT_LE(parts[k], w[k]) << i;
    }
  }
}
