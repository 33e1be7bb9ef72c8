#include <gtest/gtest.h>

#include "models/settlement_engine.hpp"
#include "tests/support/policy_fixture.hpp"

using namespace yidi;
using namespace yidi::testing;

namespace {
const RegionCode kLangfang = RegionCode::of(131000);
const RegionCode kBeijing = RegionCode::of(110000);
const RegionCode kLuoyang = RegionCode::of(410300);
const RegionCode kHainan = RegionCode::of(460000);
const RegionCode kNantong = RegionCode::of(320600);
const RegionCode kShanghai = RegionCode::of(310000);
const std::string kSrc = "test";

Filing filing(FilingCategory c, RegionCode target, const char* on) {
  Filing f;
  f.category = c;
  f.target = target;
  f.filed_on = d(on);
  return f;
}

void set_all_ratios(InsuredPolicy& p, VisitType v, Ratio r) {
  for (auto g : kInsuredGroups)
    for (auto l : kHospitalLevels) p.benefit[index(g)][index(v)].ratio[index(l)].value = flat(r);
}
void set_deductible(InsuredPolicy& p, VisitType v, Money first, Money second, Money third) {
  for (auto g : kInsuredGroups) {
    auto& rule = p.benefit[index(g)][index(v)];
    rule.deductible_kind.value = DeductibleKind::per_admission;
    for (auto l : kHospitalLevels) rule.deductible_per_admission[index(l)] = {Param<Money>{first, &kSrc},
                                                                               Param<Money>{second, &kSrc},
                                                                               Param<Money>{third, &kSrc}};
  }
}
void check_parts(const Settlement& s) {
  EXPECT_EQ(s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt, s.medfee_sumamt);
  EXPECT_EQ(s.hifp_pay + s.hifmi_pay + s.hifob_pay + s.maf_pay, s.fund_pay_sumamt);
  EXPECT_EQ(s.fund_pay_sumamt + s.psn_part_amt, s.medfee_sumamt);
}
}  // namespace

// DOMAIN.md §3 golden case 1 [seed 000]: Langfang retiree, chronic outpatient in Beijing, 2022-07-01.
// 甲 32.52; 乙 31.77 with 10% self-pay-first → 3.18, eligible 28.59; eligible 61.11; no deductible;
// 80% → fund 48.89; individual 15.40.
TEST(GoldenCase, LangfangRetireeChronicOutpatientInBeijing) {
  InsuredPolicy pol = simple_policy(kLangfang);
  Catalogue cat = simple_catalogue(kBeijing);
  SettlementRequest req;
  req.visit = visit(kLangfang, kBeijing, VisitType::chronic_outpatient, y("32.52"), y("31.77"));
  req.visit.group = InsuredGroup::employee_retired;
  req.visit.disease = "diabetes";
  req.visit.admission = req.visit.discharge = d("2022-07-01");
  req.filing = filing(FilingCategory::retiree_resettled, kBeijing, "2021-01-01");
  const Settlement s = SettlementEngine::settle(req, cat, pol, national_rules());
  EXPECT_EQ(s.medfee_sumamt.str(), "64.29");
  EXPECT_EQ(s.preselfpay_amt.str(), "3.18");
  EXPECT_EQ(s.inscp_scp_amt.str(), "61.11");
  EXPECT_EQ(s.deductible.str(), "0.00");
  EXPECT_EQ(s.hifp_pay.str(), "48.89");
  EXPECT_EQ(s.fund_pay_sumamt.str(), "48.89");
  EXPECT_EQ(s.psn_part_amt.str(), "15.40");
  EXPECT_EQ(s.path, SettlementPath::direct);
  EXPECT_TRUE(s.cross_province);
  check_parts(s);
}

// DOMAIN.md §3 golden case 2 [seed 001]: Luoyang retiree with a long-term filing in Hainan,
// inpatient total 25,000 → fund 17,500, individual 7,500. The article gives only the totals; a
// parameter set producing them (all eligible, 70% effective after deductible 0) is the check.
TEST(GoldenCase, LuoyangRetireeLongTermFilingInHainan) {
  InsuredPolicy pol = simple_policy(kLuoyang);
  set_all_ratios(pol, VisitType::inpatient, Ratio::percent(70));
  SettlementRequest req;
  req.visit = visit(kLuoyang, kHainan, VisitType::inpatient, Money::yuan(25000));
  req.visit.group = InsuredGroup::employee_retired;
  req.filing = filing(FilingCategory::retiree_resettled, kHainan, "2018-01-10");
  req.visit.admission = d("2018-06-05");
  req.visit.discharge = d("2018-06-15");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kHainan), pol, national_rules());
  EXPECT_EQ(s.fund_pay_sumamt, Money::yuan(17500));
  EXPECT_EQ(s.psn_part_amt, Money::yuan(7500));
  EXPECT_EQ(s.reason, PathReason::direct);
  check_parts(s);
}

// DOMAIN.md §3 golden case 3 (illustrative): eligible 45,000, deductible 1,300, ratio 85%:
// long-term 37,145.00; −10 pp 32,775.00; −20 pp 28,405.00; ×0.8 29,716.00.
class ReductionCase : public ::testing::TestWithParam<std::tuple<FilingCategory, Reduction, const char*>> {};

TEST_P(ReductionCase, GoldenCase3) {
  const auto& [category, reduction, expected] = GetParam();
  InsuredPolicy pol = simple_policy(kNantong);
  set_all_ratios(pol, VisitType::inpatient, Ratio::percent(85));
  set_deductible(pol, VisitType::inpatient, Money::yuan(1300), Money::yuan(1300), Money::yuan(1300));
  pol.reduction[index(VisitType::inpatient)][index(category)].value = reduction;
  SettlementRequest req;
  req.visit = visit(kNantong, kShanghai, VisitType::inpatient, Money::yuan(45000));
  req.filing = filing(category, kShanghai, "2024-01-01");
  NationalRules n = national_rules();
  n.reduction_ceiling[index(category)].value = Points::of(20);
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kShanghai), pol, n);
  EXPECT_EQ(s.inscp_scp_amt, Money::yuan(45000));
  EXPECT_EQ(s.deductible, Money::yuan(1300));
  EXPECT_EQ(s.hifp_pay.str(), expected);
  EXPECT_EQ(s.category, category);
  check_parts(s);
}

INSTANTIATE_TEST_SUITE_P(
    Reductions, ReductionCase,
    ::testing::Values(
        std::make_tuple(FilingCategory::long_term_resident, Reduction{}, "37145.00"),
        std::make_tuple(FilingCategory::referral, Reduction{Reduction::Kind::points, Points::of(10), Ratio::one()},
                        "32775.00"),
        std::make_tuple(FilingCategory::other_temporary,
                        Reduction{Reduction::Kind::points, Points::of(20), Ratio::one()}, "28405.00"),
        std::make_tuple(FilingCategory::other_temporary,
                        Reduction{Reduction::Kind::multiplier, Points{}, Ratio::percent(80)}, "29716.00")));

TEST(Settlement, DeductibleStepsDownForLaterAdmissions) {
  InsuredPolicy pol = simple_policy(kNantong);
  set_deductible(pol, VisitType::inpatient, Money::yuan(1000), Money::yuan(600), Money::yuan(300));
  SettlementRequest req;
  req.visit = visit(kNantong, kNantong, VisitType::inpatient, Money::yuan(5000));
  const auto cat = simple_catalogue(kNantong);
  const char* expected[] = {"3200.00", "3520.00", "3760.00", "3760.00"};  // (5000 − D) × 80%
  for (int i = 0; i < 4; ++i) {
    const Settlement s = SettlementEngine::settle(req, cat, pol, national_rules());
    EXPECT_EQ(s.hifp_pay.str(), expected[i]) << "admission " << i + 1;
    EXPECT_EQ(s.ytd_after.admissions, i + 1);
    req.ytd = s.ytd_after;
  }
}

TEST(Settlement, AnnualDeductibleIsMetOnceAYear) {
  InsuredPolicy pol = simple_policy(kNantong);
  auto& rule = pol.benefit[index(InsuredGroup::employee_in_service)][index(VisitType::general_outpatient)];
  rule.deductible_kind.value = DeductibleKind::annual;
  for (auto l : kHospitalLevels) rule.deductible_annual[index(l)].value = Money::yuan(500);
  SettlementRequest req;
  req.visit = visit(kNantong, kNantong, VisitType::general_outpatient, Money::yuan(300));
  const auto cat = simple_catalogue(kNantong);
  Settlement s1 = SettlementEngine::settle(req, cat, pol, national_rules());
  EXPECT_EQ(s1.deductible, Money::yuan(300));
  EXPECT_EQ(s1.hifp_pay, Money::zero());
  req.ytd = s1.ytd_after;
  Settlement s2 = SettlementEngine::settle(req, cat, pol, national_rules());
  EXPECT_EQ(s2.deductible, Money::yuan(200));
  EXPECT_EQ(s2.hifp_pay, Money::yuan(80));  // (300 − 200) × 80%
  EXPECT_EQ(s2.ytd_after.annual_deductible_met, Money::yuan(500));
}

TEST(Settlement, ProgressiveBandsAndAnnualCap) {
  InsuredPolicy pol = simple_policy(kNantong);
  auto& rule = pol.benefit[index(InsuredGroup::resident)][index(VisitType::inpatient)];
  // 60% on the first 10,000 above the deductible, 70% up to 50,000, 80% beyond.
  rule.ratio[index(HospitalLevel::level3)].value =
      Bands{{Money::yuan(10000), Ratio::percent(60)}, {Money::yuan(50000), Ratio::percent(70)},
            {Money::unlimited(), Ratio::percent(80)}};
  rule.annual_cap.value = Money::yuan(60000);
  SettlementRequest req;
  req.visit = visit(kNantong, kNantong, VisitType::inpatient, Money::yuan(60000));
  req.visit.group = InsuredGroup::resident;
  Settlement s = SettlementEngine::settle(req, simple_catalogue(kNantong), pol, national_rules());
  EXPECT_EQ(s.hifp_pay, Money::yuan(6000 + 28000 + 8000));  // 42,000
  req.ytd = s.ytd_after;
  s = SettlementEngine::settle(req, simple_catalogue(kNantong), pol, national_rules());
  EXPECT_EQ(s.hifp_pay, Money::yuan(18000));  // cap 60,000 less 42,000 already paid
  EXPECT_EQ(s.ytd_after.pooled_paid[index(CapPool::inpatient)], Money::yuan(60000));
}

TEST(Settlement, CriticalIllnessLayerForResidents) {
  InsuredPolicy pol = simple_policy(kNantong);
  pol.critical_illness.enabled.value = true;
  pol.critical_illness.threshold.value = Money::yuan(10000);
  pol.critical_illness.bands.value = Bands{{Money::yuan(100000), Ratio::percent(60)},
                                           {Money::unlimited(), Ratio::percent(70)}};
  SettlementRequest req;
  req.visit = visit(kNantong, kNantong, VisitType::inpatient, Money::yuan(100000));
  req.visit.group = InsuredGroup::resident;
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kNantong), pol, national_rules());
  EXPECT_EQ(s.hifp_pay, Money::yuan(80000));
  // burden 20,000; above the 10,000 threshold: 10,000 × 60% = 6,000
  EXPECT_EQ(s.hifmi_pay, Money::yuan(6000));
  EXPECT_EQ(s.hifob_pay, Money::zero());
  EXPECT_EQ(s.ytd_after.layer_base, Money::yuan(20000));
  check_parts(s);
}

TEST(Settlement, LargeExpenseLayerForEmployeesAndAssistance) {
  InsuredPolicy pol = simple_policy(kNantong);
  pol.large_expense.enabled.value = true;
  pol.large_expense.threshold.value = Money::yuan(5000);
  pol.large_expense.bands.value = flat(Ratio::percent(90));
  SettlementRequest req;
  req.visit = visit(kNantong, kNantong, VisitType::inpatient, Money::yuan(50000));
  req.visit.assistance_eligible = true;
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kNantong), pol, national_rules());
  EXPECT_EQ(s.hifp_pay, Money::yuan(40000));
  EXPECT_EQ(s.hifob_pay, Money::yuan(4500));  // (10,000 − 5,000) × 90%
  EXPECT_EQ(s.maf_pay, Money::yuan(3850));    // (50,000 − 40,000 − 4,500) × 70%
  EXPECT_EQ(s.psn_part_amt, Money::yuan(1650));
  check_parts(s);
}

// Nantong: the reduction applies to the sum of all layers [seed 003 §四].
TEST(Settlement, ReductionOnAllLayers) {
  InsuredPolicy pol = simple_policy(kNantong);
  pol.reduction_base.value = ReductionBase::all_layers;
  pol.reduction[index(VisitType::inpatient)][index(FilingCategory::referral)].value =
      Reduction{Reduction::Kind::points, Points::of(10), Ratio::one()};
  pol.large_expense.enabled.value = true;
  pol.large_expense.threshold.value = Money::yuan(5000);
  pol.large_expense.bands.value = flat(Ratio::percent(90));
  SettlementRequest req;
  req.visit = visit(kNantong, kShanghai, VisitType::inpatient, Money::yuan(50000));
  req.filing = filing(FilingCategory::referral, kShanghai, "2024-02-01");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kShanghai), pol, national_rules());
  // unreduced: 40,000 + 4,500 = 44,500; cut 10 points of 50,000 = 5,000 → 39,500
  EXPECT_EQ(s.fund_pay_sumamt, Money::yuan(39500));
  // shared by the rule (DOMAIN.md §3): pooled 39,500 × 40,000 / 44,500 = 35,505.618… → 35,505.62
  // (half-up); the layer, the last non-zero part, the rest 3,994.38
  EXPECT_EQ(s.hifob_pay.str(), "3994.38");
  EXPECT_EQ(s.hifp_pay.str(), "35505.62");
  EXPECT_EQ(s.ytd_after.pooled_paid[index(CapPool::inpatient)].str(), "35505.62");
  EXPECT_EQ(s.ytd_after.large_expense_paid.str(), "3994.38");
  check_parts(s);
}

// Issue 13: the reduced total of all layers was shared by truncation, the fen left going to the
// pooled fund (17,944.33 / 16.08 / 3,128.99 here); by the rule each part is half-up and the last
// by subtraction [seed 003 §四; DOMAIN.md §3].
TEST(Settlement, ReductionOnAllLayersIsSharedByTheRoundingRule) {
  InsuredPolicy pol = simple_policy(kNantong);
  pol.reduction_base.value = ReductionBase::all_layers;
  pol.reduction[index(VisitType::inpatient)][index(FilingCategory::referral)].value =
      Reduction{Reduction::Kind::points, Points::of(10), Ratio::one()};
  pol.large_expense.enabled.value = true;
  pol.large_expense.threshold.value = Money::yuan(5000);
  pol.large_expense.bands.value = flat(Ratio::percent(90));
  SettlementRequest req;
  req.visit = visit(kNantong, kShanghai, VisitType::inpatient, Money::yuan(25100));
  req.visit.assistance_eligible = true;
  req.filing = filing(FilingCategory::referral, kShanghai, "2024-02-01");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kShanghai), pol, national_rules());
  // Unreduced: pooled 25,100 × 80% = 20,080.00; burden 5,020, large expense 20 × 90% = 18.00;
  // assistance 5,002 × 70% = 3,501.40; total 23,599.40, less 10 points of 25,100 → 21,089.40.
  EXPECT_EQ(s.fund_pay_sumamt.str(), "21089.40");
  EXPECT_EQ(s.hifp_pay.str(), "17944.32");  // 21,089.40 × 20,080 / 23,599.40 = 17,944.3186
  EXPECT_EQ(s.hifob_pay.str(), "16.09");    // × 18 / 23,599.40 = 16.0855
  EXPECT_EQ(s.maf_pay.str(), "3128.99");    // the rest (exact 3,128.9959)
  EXPECT_EQ(s.ytd_after.pooled_paid[index(CapPool::inpatient)].str(), "17944.32");
  EXPECT_EQ(s.ytd_after.large_expense_paid.str(), "16.09");
  EXPECT_EQ(s.ytd_after.assistance_paid.str(), "3128.99");
  check_parts(s);
}

TEST(Settlement, CatalogueSplitsClassesAndPriceCaps) {
  InsuredPolicy pol = simple_policy(kLangfang);
  SettlementRequest req;
  req.visit = visit(kLangfang, kBeijing, VisitType::inpatient, y("1000.00"), y("500.00"), y("200.00"));
  req.visit.lines[0].over_price_cap = y("100.00");
  req.visit.lines[1].selfpay_prop = Ratio::percent(15);
  req.filing = filing(FilingCategory::long_term_resident, kBeijing, "2023-01-01");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules());
  EXPECT_EQ(s.fulamt_ownpay_amt, Money::yuan(200));
  EXPECT_EQ(s.overlmt_selfpay, Money::yuan(100));
  EXPECT_EQ(s.preselfpay_amt, Money::yuan(75));
  EXPECT_EQ(s.inscp_scp_amt, Money::yuan(1325));
  EXPECT_EQ(s.hifp_pay, Money::yuan(1060));
  check_parts(s);
}

TEST(Settlement, ChronicDiseaseOffTheListIsNotPayable) {
  InsuredPolicy pol = simple_policy(kLangfang);
  SettlementRequest req;
  req.visit = visit(kLangfang, kBeijing, VisitType::chronic_outpatient, y("100.00"));
  req.visit.disease = "gout";
  req.filing = filing(FilingCategory::retiree_resettled, kBeijing, "2021-01-01");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules());
  EXPECT_FALSE(s.payable);
  EXPECT_EQ(s.fund_pay_sumamt, Money::zero());
  EXPECT_EQ(s.psn_part_amt, y("100.00"));
  EXPECT_NE(s.note.find("gout"), std::string::npos);
}

TEST(Settlement, ManualPathPaysInFullAndAppliesExtraCut) {
  InsuredPolicy pol = simple_policy(kLuoyang);
  pol.reduction[index(VisitType::inpatient)][index(FilingCategory::unfiled)].value =
      Reduction{Reduction::Kind::points, Points::of(20), Ratio::one()};  // Luoyang: unfiled −20 [seed 001]
  pol.manual.extra_reduction.value = Points::of(5);
  SettlementRequest req;
  req.visit = visit(kLuoyang, kBeijing, VisitType::inpatient, Money::yuan(10000));
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules());
  EXPECT_EQ(s.path, SettlementPath::manual);
  EXPECT_EQ(s.reason, PathReason::no_filing);
  EXPECT_EQ(s.category, FilingCategory::unfiled);
  EXPECT_EQ(s.hifp_pay, Money::yuan(5500));  // 80 − 20 − 5 = 55%
  EXPECT_EQ(s.psn_cash_pay, Money::yuan(10000));
}

TEST(Settlement, CoauditFlagsLargeCrossProvinceInpatientBills) {
  InsuredPolicy pol = simple_policy(kLuoyang);
  SettlementRequest req;
  req.filing = filing(FilingCategory::referral, kBeijing, "2024-01-01");
  req.visit = visit(kLuoyang, kBeijing, VisitType::inpatient, y("29999.99"));
  EXPECT_FALSE(SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules()).coaudit);
  req.visit = visit(kLuoyang, kBeijing, VisitType::inpatient, y("30000.00"));
  EXPECT_TRUE(SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules()).coaudit);
  req.visit = visit(kLuoyang, RegionCode::of(410100), VisitType::inpatient, y("50000.00"));  // intra-province
  req.filing = filing(FilingCategory::referral, RegionCode::of(410100), "2024-01-01");
  EXPECT_FALSE(SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules()).coaudit);
}

TEST(Settlement, PersonalAccountPaysTheIndividualPart) {
  InsuredPolicy pol = simple_policy(kLuoyang);
  SettlementRequest req;
  req.visit = visit(kLuoyang, kLuoyang, VisitType::general_outpatient, y("200.00"));
  req.visit.use_personal_account = true;
  req.visit.personal_account_balance = y("25.00");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kLuoyang), pol, national_rules());
  EXPECT_EQ(s.psn_part_amt, y("40.00"));
  EXPECT_EQ(s.acct_pay, y("25.00"));
  EXPECT_EQ(s.psn_cash_pay, y("15.00"));
}

TEST(Settlement, ExplainNamesEachParameterAndSource) {
  InsuredPolicy pol = simple_policy(kLangfang);
  SettlementRequest req;
  req.visit = visit(kLangfang, kBeijing, VisitType::chronic_outpatient, y("32.52"), y("31.77"));
  req.visit.disease = "diabetes";
  req.filing = filing(FilingCategory::retiree_resettled, kBeijing, "2021-01-01");
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules(), true);
  bool saw_selfpay = false, saw_ratio = false;
  for (const auto& st : s.explanation) {
    if (st.parameter == "catalogue.selfpay_prop_b.chronic_outpatient") {
      saw_selfpay = true;
      EXPECT_EQ(st.value, "10%");
      EXPECT_EQ(st.source, "test fixture");
    }
    if (st.parameter == "benefit.employee_in_service.chronic_outpatient.ratio.level3") {
      saw_ratio = true;
      EXPECT_EQ(st.value, "80%");
      EXPECT_NE(st.detail.find("48.89"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_selfpay);
  EXPECT_TRUE(saw_ratio);
  EXPECT_TRUE(SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules(), false).explanation.empty());
}

// The pooled fund's rounding (half-up to the fen, DOMAIN.md §3 [assumed]) holds for amounts whose
// numerator at bp² scale (eligible × ratio_bp × 10^4) no longer fits in 64 bits (above about 92
// billion yuan) as for ordinary ones. The expected values are computed here in 128 bits at bp
// scale: fund = ⌊(E × 8555 + 5000) / 10^4⌋.
TEST(Rounding, PooledFundRoundsHalfUpBeyondSixtyFourBits) {
  InsuredPolicy pol = simple_policy(kNantong);
  set_all_ratios(pol, VisitType::inpatient, Ratio::bp(8555));
  for (auto g : kInsuredGroups) pol.benefit[index(g)][index(VisitType::inpatient)].annual_cap.value = Money::unlimited();
  __extension__ using i128 = __int128;
  // 12,347 and 1e11 + 7 fen: numerators below 2^63 (8.6e18); 2e11 + 5 and 3e13 + 1 fen: above.
  for (std::int64_t fen : {std::int64_t{12347}, std::int64_t{100000000007}, std::int64_t{200000000005},
                           std::int64_t{30000000000001}}) {
    PolicyInput in;
    in.group = InsuredGroup::employee_in_service;
    in.visit_type = VisitType::inpatient;
    in.eligible = Money::fen(fen);
    const PolicyResult r = SettlementEngine::apply_policy(in, pol);
    const auto expected = static_cast<std::int64_t>((static_cast<i128>(fen) * 8555 + 5000) / 10000);
    EXPECT_EQ(r.hifp.fen(), expected) << fen << " fen";
  }
  // Worked: 100,000,000,007 fen × 85.55% = 85,550,000,005.9885 → 85,550,000,006 (half-up);
  // 30,000,000,000,001 fen × 85.55% = 25,665,000,000,000.8555 → 25,665,000,000,001.
  PolicyInput in;
  in.visit_type = VisitType::inpatient;
  in.eligible = Money::fen(100000000007);
  EXPECT_EQ(SettlementEngine::apply_policy(in, pol).hifp.fen(), 85550000006);
  in.eligible = Money::fen(30000000000001);
  EXPECT_EQ(SettlementEngine::apply_policy(in, pol).hifp.fen(), 25665000000001);
}

// A filing whose validity would end after the supported dates (2200-12-31): a bad claim naming
// filing_date, not an exception past the caller (issue 12).
TEST(Settlement, FilingDatesPastTheSupportedRangeAreABadClaim) {
  InsuredPolicy pol = simple_policy(kLuoyang);
  SettlementRequest req;
  req.visit = visit(kLuoyang, kBeijing, VisitType::inpatient, Money::yuan(1000));
  req.visit.admission = d("2200-10-01");
  req.visit.discharge = d("2200-10-05");
  req.filing = filing(FilingCategory::referral, kBeijing, "2200-09-01");  // 6 months: to 2201-02-28
  try {
    (void)SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules());
    FAIL() << "no error";
  } catch (const InvalidClaim& e) {
    EXPECT_EQ(e.field(), "filing_date");
    EXPECT_NE(std::string(e.what()).find("outside the supported dates, 1900-01-01 to 2200-12-31"), std::string::npos)
        << e.what();
  }
  req.filing = filing(FilingCategory::referral, kBeijing, "2200-06-01");  // valid to 2200-11-30: settles
  EXPECT_EQ(SettlementEngine::settle(req, simple_catalogue(kBeijing), pol, national_rules()).reason, PathReason::direct);
}

// The long-term lock (DOMAIN.md §2 [seed 003, 004]) holds for every row with a filing, local
// visits included: a cancellation inside it is a bad claim naming cancel_date.
TEST(Settlement, ACancellationInsideTheLockIsABadClaimEvenForALocalVisit) {
  InsuredPolicy pol = simple_policy(kNantong);
  SettlementRequest req;
  req.visit = visit(kNantong, kNantong, VisitType::inpatient, Money::yuan(1000));
  req.filing = filing(FilingCategory::retiree_resettled, kShanghai, "2024-01-01");
  req.filing->cancelled_on = d("2024-02-01");
  try {
    (void)SettlementEngine::settle(req, simple_catalogue(kNantong), pol, national_rules());
    FAIL() << "the lock was not applied";
  } catch (const InvalidClaim& e) {
    EXPECT_EQ(e.field(), "cancel_date");
  }
  req.filing->cancelled_on = d("2024-07-01");  // after the lock: settles, locally
  EXPECT_EQ(SettlementEngine::settle(req, simple_catalogue(kNantong), pol, national_rules()).reason, PathReason::local);
}
