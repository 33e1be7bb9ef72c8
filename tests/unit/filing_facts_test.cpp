// The filing and channel rules as decided from facts (issue 13, "One path for every caller"): the
// core that `yidi settle` reaches through filing_facts and the simulator calls with the facts it
// drew. Each rule once, with its source.
#include <gtest/gtest.h>

#include "models/filing.hpp"
#include "models/settlement_engine.hpp"
#include "tests/support/policy_fixture.hpp"

using namespace yidi;
using namespace yidi::testing;

namespace {
const RegionCode kNantong = RegionCode::of(320600);
const RegionCode kShanghai = RegionCode::of(310000);
const RegionCode kHangzhou = RegionCode::of(330100);
const RegionCode kLuoyang = RegionCode::of(410300);
const RegionCode kZhengzhou = RegionCode::of(410100);
const RegionCode kBeijing = RegionCode::of(110000);

FilingRules rules() { return simple_policy(kNantong).filing; }  // retroactive filing allowed, filing required

HeldFiling held(FilingCategory c, FiledWhen when = FiledWhen::by_admission) {
  HeldFiling h;
  h.category = c;
  h.filed = when;
  return h;
}
FilingFacts facts(HeldFiling h = {}, VisitType type = VisitType::inpatient) {
  FilingFacts x;
  x.visit_type = type;
  x.filing = h;
  return x;
}
Visit stay(const char* adm, const char* dis, RegionCode where = kShanghai) {
  Visit v = visit(kNantong, where, VisitType::inpatient, Money::yuan(1000));
  v.admission = d(adm);
  v.discharge = d(dis);
  return v;
}
Filing filing(FilingCategory c, const char* on, RegionCode target = kShanghai) {
  Filing f;
  f.category = c;
  f.target = target;
  f.filed_on = d(on);
  return f;
}
}  // namespace

// DOMAIN.md §2 [seed 003 Jiangsu 一（一）2]: a referral filing needs the certificate of a designated
// institution (转诊转院证明材料); other temporary filings need none. Without the certificate the
// filing is other temporary; Nantong's reductions say the same [seed 003 Nantong 四]: −10 for a
// referral reviewed by a designated institution, −20 for a non-emergency filing without that review.
TEST(FilingFacts, AReferralWithoutItsCertificateIsFiledAsOtherTemporary) {
  EXPECT_EQ(filed_category(FilingCategory::referral, true), FilingCategory::referral);
  EXPECT_EQ(filed_category(FilingCategory::referral, false), FilingCategory::other_temporary);
  for (FilingCategory c : kFilingCategories) {  // the certificate matters to referrals only
    if (c != FilingCategory::referral) {
      EXPECT_EQ(filed_category(c, false), c) << to_string(c);
    }
  }

  // The simulator's retroactive referral: filed after admission, before discharge, no certificate.
  HeldFiling h = held(FilingCategory::referral, FiledWhen::by_discharge);
  h.referral_certified = false;
  const FilingStatus st = resolve_filing(facts(h), rules());
  EXPECT_TRUE(st.valid);
  EXPECT_EQ(st.basis, FilingBasis::filing);
  EXPECT_EQ(st.category, FilingCategory::other_temporary);
  h.referral_certified = true;
  EXPECT_EQ(resolve_filing(facts(h), rules()).category, FilingCategory::referral);
}

// The category decides the reduction: DOMAIN.md §3 golden case 3 (eligible 45,000, deductible
// 1,300, 85%): −10 pp (referral) 32,775.00, −20 pp (other temporary) 28,405.00 [seed 003].
TEST(FilingFacts, TheUncertifiedReferralGetsOtherTemporarysReduction) {
  InsuredPolicy pol = simple_policy(kNantong);
  for (auto g : kInsuredGroups) {
    auto& rule = pol.benefit[index(g)][index(VisitType::inpatient)];
    for (auto l : kHospitalLevels) rule.ratio[index(l)].value = flat(Ratio::percent(85));
    rule.deductible_kind.value = DeductibleKind::per_admission;
    for (auto l : kHospitalLevels)
      for (auto& step : rule.deductible_per_admission[index(l)]) step.value = Money::yuan(1300);
  }
  auto& reduction = pol.reduction[index(VisitType::inpatient)];
  reduction[index(FilingCategory::referral)].value = Reduction{Reduction::Kind::points, Points::of(10), Ratio::one()};
  reduction[index(FilingCategory::other_temporary)].value = Reduction{Reduction::Kind::points, Points::of(20), Ratio::one()};
  auto fund_for = [&](bool certified) {
    HeldFiling h = held(FilingCategory::referral, FiledWhen::by_discharge);
    h.referral_certified = certified;
    PolicyInput in;
    in.eligible = Money::yuan(45000);
    in.offsite = true;
    in.category = resolve_filing(facts(h), pol.filing).category;
    return SettlementEngine::apply_policy(in, pol).hifp;
  };
  EXPECT_EQ(fund_for(true).str(), "32775.00");
  EXPECT_EQ(fund_for(false).str(), "28405.00");
}

// Filed before discharge counts where the region allows it (出院前补办备案 [seed 000; seed 003 三;
// seed 004 (九)]); filed after discharge never settles directly (a manual claim) [seed 003, 004].
TEST(FilingFacts, RetroactiveFilingCountsOnlyWhereAllowed) {
  FilingRules r = rules();
  ASSERT_TRUE(r.retroactive_before_discharge.value);
  EXPECT_TRUE(resolve_filing(facts(held(FilingCategory::other_temporary, FiledWhen::by_discharge)), r).valid);
  const FilingStatus late = resolve_filing(facts(held(FilingCategory::other_temporary, FiledWhen::after_discharge)), r);
  EXPECT_FALSE(late.valid);
  EXPECT_EQ(late.reason, PathReason::no_filing);
  EXPECT_EQ(late.category, FilingCategory::unfiled);
  r.retroactive_before_discharge.value = false;
  const FilingStatus refused = resolve_filing(facts(held(FilingCategory::stationed_worker, FiledWhen::by_discharge)), r);
  EXPECT_FALSE(refused.valid);
  EXPECT_EQ(refused.reason, PathReason::no_filing);
  EXPECT_TRUE(resolve_filing(facts(held(FilingCategory::stationed_worker)), r).valid);
}

// The order of the rules (filing.hpp): the person's valid filing first, then the emergency flag
// [seed 003], the free-filing zone [seed 003], the visit types needing no filing [seed 004].
TEST(FilingFacts, ThePersonsValidFilingComesFirst) {
  FilingRules r = rules();
  r.free_zone_category.value = FilingCategory::unfiled;
  r.requires_filing[index(VisitType::inpatient)].value = false;
  FilingFacts x = facts(held(FilingCategory::stationed_worker));
  x.emergency = true;
  x.free_zone = true;
  FilingStatus st = resolve_filing(x, r);
  EXPECT_EQ(st.basis, FilingBasis::filing);
  EXPECT_EQ(st.category, FilingCategory::stationed_worker);
  x.filing.expired = true;  // no longer of use: the emergency flag decides
  st = resolve_filing(x, r);
  EXPECT_EQ(st.basis, FilingBasis::emergency);
  EXPECT_EQ(st.category, FilingCategory::emergency);
  x.emergency = false;
  st = resolve_filing(x, r);
  EXPECT_EQ(st.basis, FilingBasis::free_zone);
  EXPECT_EQ(st.category, FilingCategory::unfiled);
  r.free_zone_category.value = FilingCategory::other_temporary;
  EXPECT_EQ(resolve_filing(x, r).category, FilingCategory::other_temporary);
  x.free_zone = false;
  st = resolve_filing(x, r);
  EXPECT_TRUE(st.valid);
  EXPECT_EQ(st.basis, FilingBasis::not_required);
  EXPECT_EQ(st.category, FilingCategory::unfiled);
  r.requires_filing[index(VisitType::inpatient)].value = true;
  st = resolve_filing(x, r);
  EXPECT_FALSE(st.valid);
  EXPECT_EQ(st.basis, FilingBasis::none);
  EXPECT_EQ(st.reason, PathReason::filing_expired);  // the filing's own failure is the reason
}

// A filing of no use names the first thing wrong with it: region, cancellation, revocation,
// timing, validity (DOMAIN.md §2).
TEST(FilingFacts, TheFirstFailureOfTheFilingIsTheReason) {
  const FilingRules r = rules();
  HeldFiling h = held(FilingCategory::referral, FiledWhen::after_discharge);
  h.covers_region = false;
  h.cancelled = h.revoked = h.expired = true;
  EXPECT_EQ(resolve_filing(facts(h), r).reason, PathReason::filing_wrong_region);
  h.covers_region = true;
  EXPECT_EQ(resolve_filing(facts(h), r).reason, PathReason::filing_cancelled);
  h.cancelled = false;
  EXPECT_EQ(resolve_filing(facts(h), r).reason, PathReason::filing_revoked);
  h.revoked = false;
  EXPECT_EQ(resolve_filing(facts(h), r).reason, PathReason::no_filing);
  h.filed = FiledWhen::by_admission;
  EXPECT_EQ(resolve_filing(facts(h), r).reason, PathReason::filing_expired);
  h.expired = false;
  EXPECT_TRUE(resolve_filing(facts(h), r).valid);
  // No filing at all, or an "unfiled" one, is no_filing.
  EXPECT_EQ(resolve_filing(facts(), r).reason, PathReason::no_filing);
  EXPECT_EQ(resolve_filing(facts(held(FilingCategory::unfiled)), r).reason, PathReason::no_filing);
}

// What `yidi settle` reads off a claim: the same facts the simulator passes [seed 003, 004 dates].
TEST(FilingFacts, AClaimsDatesGiveTheFacts) {
  const FilingRules r = rules();  // temporary filings valid 6 months, commitment 15 days
  const Visit v = stay("2024-03-01", "2024-03-10");
  auto of = [&](const Filing& f) { return filing_facts(v, f, r).filing; };
  EXPECT_EQ(of(filing(FilingCategory::referral, "2024-03-01")).filed, FiledWhen::by_admission);
  EXPECT_EQ(of(filing(FilingCategory::referral, "2024-03-02")).filed, FiledWhen::by_discharge);
  EXPECT_EQ(of(filing(FilingCategory::referral, "2024-03-10")).filed, FiledWhen::by_discharge);
  EXPECT_EQ(of(filing(FilingCategory::referral, "2024-03-11")).filed, FiledWhen::after_discharge);
  EXPECT_FALSE(of(filing(FilingCategory::referral, "2024-01-01", kHangzhou)).covers_region);
  // Valid 2023-09-01 .. 2024-02-29: admitted on 2024-03-01, after it.
  EXPECT_TRUE(of(filing(FilingCategory::referral, "2023-09-01")).expired);
  EXPECT_FALSE(of(filing(FilingCategory::referral, "2023-09-02")).expired);
  Filing c = filing(FilingCategory::other_temporary, "2024-01-01");
  c.cancelled_on = d("2024-03-01");
  EXPECT_TRUE(of(c).cancelled);
  c.cancelled_on = d("2024-03-02");
  EXPECT_FALSE(of(c).cancelled);
  Filing m = filing(FilingCategory::other_temporary, "2024-02-20");
  m.commitment = true;  // revoked on 2024-03-07 (15 days, then the next day), before discharge
  EXPECT_TRUE(of(m).revoked);
  EXPECT_TRUE(of(filing(FilingCategory::referral, "2024-01-01")).referral_certified);
  const FilingFacts none = filing_facts(v, std::nullopt, r);
  EXPECT_EQ(none.filing.category, FilingCategory::unfiled);
  EXPECT_FALSE(none.emergency);
  EXPECT_FALSE(none.free_zone);
  // Both ways to the status agree.
  for (const char* on : {"2023-09-01", "2024-02-01", "2024-03-05", "2024-03-11"}) {
    const Filing f = filing(FilingCategory::stationed_worker, on);
    const FilingStatus a = resolve_filing(v, f, r, false), b = resolve_filing(filing_facts(v, f, r), r);
    EXPECT_EQ(a.valid, b.valid) << on;
    EXPECT_EQ(a.category, b.category) << on;
    EXPECT_EQ(a.reason, b.reason) << on;
  }
}

// Co-audit (协查): a single cross-province inpatient bill of 30,000 yuan or more (DOMAIN.md §5
// [seed 000, 003, 004]); the one test both `yidi settle` and the simulator use.
TEST(FilingFacts, CoauditIsForLargeCrossProvinceInpatientBills) {
  const Money threshold = national_rules().coaudit_threshold.value;
  ASSERT_EQ(threshold, Money::yuan(30000));
  EXPECT_TRUE(sent_to_coaudit(true, VisitType::inpatient, y("30000.00"), threshold));
  EXPECT_FALSE(sent_to_coaudit(true, VisitType::inpatient, y("29999.99"), threshold));
  EXPECT_FALSE(sent_to_coaudit(false, VisitType::inpatient, y("50000.00"), threshold));  // intra-province
  EXPECT_FALSE(sent_to_coaudit(true, VisitType::chronic_outpatient, y("50000.00"), threshold));
  // What settle reports is that test.
  SettlementRequest req;
  Filing f = filing(FilingCategory::referral, "2024-01-01", kBeijing);
  req.filing = f;
  req.visit = visit(kLuoyang, kBeijing, VisitType::inpatient, y("30000.00"));
  EXPECT_TRUE(SettlementEngine::settle(req, simple_catalogue(kBeijing), simple_policy(kLuoyang), national_rules()).coaudit);
  req.visit = visit(kLuoyang, kZhengzhou, VisitType::inpatient, y("30000.00"));
  f.target = kZhengzhou;
  req.filing = f;
  EXPECT_FALSE(SettlementEngine::settle(req, simple_catalogue(kZhengzhou), simple_policy(kLuoyang), national_rules()).coaudit);
}

// A visit in the insured region settles locally and directly, whatever its filing (DOMAIN.md §4).
TEST(FilingFacts, AVisitAtHomeSettlesLocally) {
  EXPECT_EQ(kLocalSettlement.path, SettlementPath::direct);
  EXPECT_EQ(kLocalSettlement.reason, PathReason::local);
  SettlementRequest req;
  req.visit = visit(kLuoyang, kLuoyang, VisitType::inpatient, y("1000.00"));
  req.visit.credential_presented = false;  // not asked for at home
  const Settlement s = SettlementEngine::settle(req, simple_catalogue(kLuoyang), simple_policy(kLuoyang), national_rules());
  EXPECT_EQ(s.path, kLocalSettlement.path);
  EXPECT_EQ(s.reason, kLocalSettlement.reason);
}
