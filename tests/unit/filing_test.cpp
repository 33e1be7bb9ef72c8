#include <gtest/gtest.h>

#include "models/filing.hpp"
#include "tests/support/policy_fixture.hpp"

using namespace yidi;
using namespace yidi::testing;

namespace {
const RegionCode kNantong = RegionCode::of(320600);
const RegionCode kShanghai = RegionCode::of(310000);
const RegionCode kPudong = RegionCode::of(310115);
const RegionCode kHangzhou = RegionCode::of(330100);

Visit stay(const char* adm, const char* dis, RegionCode where = kShanghai) {
  Visit v = visit(kNantong, where, VisitType::inpatient, Money::yuan(1000));
  v.admission = d(adm);
  v.discharge = d(dis);
  return v;
}
Filing make(FilingCategory c, const char* on, RegionCode target = kShanghai) {
  Filing f;
  f.category = c;
  f.target = target;
  f.filed_on = d(on);
  return f;
}
FilingRules rules(int temporary_months = 12, bool indefinite = false) {
  FilingRules r = simple_policy(kNantong).filing;
  r.temporary_validity_months.value = temporary_months;
  r.long_term_indefinite.value = indefinite;
  return r;
}
}  // namespace

// Every category: with a valid filing its own rules apply; the long-term ones need no renewal.
TEST(Filing, EachCategoryWithAValidFilingSettlesDirectly) {
  for (auto c : kFilingCategories) {
    if (c == FilingCategory::unfiled) continue;
    const auto st = resolve_filing(stay("2024-03-01", "2024-03-10"), make(c, "2024-01-15"), rules());
    EXPECT_TRUE(st.valid) << to_string(c);
    EXPECT_EQ(st.category, c);
  }
  const auto st = resolve_filing(stay("2024-03-01", "2024-03-10"), make(FilingCategory::unfiled, "2024-01-15"), rules());
  EXPECT_FALSE(st.valid);
  EXPECT_EQ(st.category, FilingCategory::unfiled);
  EXPECT_EQ(st.reason, PathReason::no_filing);
}

// Temporary filings last 6 (Bazhong) or 12 (Nantong) months [seed 003, 004].
TEST(Filing, TemporaryValidityDependsOnTheRegion) {
  const Filing f = make(FilingCategory::other_temporary, "2024-01-15");
  EXPECT_EQ(filing_valid_until(f, rules(6))->str(), "2024-07-14");
  EXPECT_EQ(filing_valid_until(f, rules(12))->str(), "2025-01-14");
  EXPECT_TRUE(resolve_filing(stay("2024-07-14", "2024-07-20"), f, rules(6)).valid);
  const auto late = resolve_filing(stay("2024-07-15", "2024-07-20"), f, rules(6));
  EXPECT_FALSE(late.valid);
  EXPECT_EQ(late.reason, PathReason::filing_expired);
  EXPECT_TRUE(resolve_filing(stay("2024-07-15", "2024-07-20"), f, rules(12)).valid);
}

// An admission inside the window may be discharged after it [seed 003 一(二), seed 004 (八)].
TEST(Filing, AdmissionInsideWindowMayBeDischargedAfterIt) {
  const Filing f = make(FilingCategory::referral, "2024-01-15");
  EXPECT_TRUE(resolve_filing(stay("2024-07-10", "2024-08-30"), f, rules(6)).valid);
}

// Long-term: indefinite (Bazhong) or as long as its material (Jiangsu) [seed 003, 004].
TEST(Filing, LongTermValidity) {
  Filing f = make(FilingCategory::retiree_resettled, "2020-01-01");
  f.valid_until = d("2023-12-31");
  EXPECT_FALSE(filing_valid_until(f, rules(12, true)).has_value());
  EXPECT_TRUE(resolve_filing(stay("2025-05-01", "2025-05-09"), f, rules(12, true)).valid);
  EXPECT_EQ(filing_valid_until(f, rules(12, false))->str(), "2023-12-31");
  EXPECT_EQ(resolve_filing(stay("2024-05-01", "2024-05-09"), f, rules(12, false)).reason, PathReason::filing_expired);
}

// Filed after admission but before discharge: direct settlement still [seed 000, 003 三, 004 (九)].
TEST(Filing, RetroactiveFilingBeforeDischarge) {
  const Filing f = make(FilingCategory::other_temporary, "2024-03-05");
  const Visit v = stay("2024-03-01", "2024-03-10");
  auto st = resolve_filing(v, f, rules());
  EXPECT_TRUE(st.valid);
  EXPECT_NE(st.detail.find("retroactive"), std::string::npos);
  FilingRules no_retro = rules();
  no_retro.retroactive_before_discharge.value = false;
  EXPECT_FALSE(resolve_filing(v, f, no_retro).valid);
  // filed after discharge: manual claim only [seed 003 三]
  const auto after = resolve_filing(v, make(FilingCategory::other_temporary, "2024-03-11"), rules());
  EXPECT_FALSE(after.valid);
  EXPECT_EQ(decide_path(v, after).path, SettlementPath::manual);
}

// Emergency is deemed filed: the hospital uploads the flag [seed 003 一(一)2].
TEST(Filing, EmergencyIsDeemedFiled) {
  Visit v = stay("2024-03-01", "2024-03-10");
  v.emergency = true;
  const auto st = resolve_filing(v, std::nullopt, rules());
  EXPECT_TRUE(st.valid);
  EXPECT_EQ(st.category, FilingCategory::emergency);
}

// Commitment filing: documents within 15 days or it is revoked [seed 003 一].
TEST(Filing, CommitmentFilingIsRevokedWithoutDocuments) {
  Filing f = make(FilingCategory::long_term_resident, "2024-01-01");
  f.commitment = true;
  EXPECT_EQ(commitment_revocation_date(f, rules())->str(), "2024-01-17");
  EXPECT_TRUE(resolve_filing(stay("2024-01-05", "2024-01-16"), f, rules()).valid);
  EXPECT_EQ(resolve_filing(stay("2024-01-05", "2024-01-20"), f, rules()).reason, PathReason::filing_revoked);
  f.documents_supplied_on = d("2024-01-16");
  EXPECT_FALSE(commitment_revocation_date(f, rules()).has_value());
  EXPECT_TRUE(resolve_filing(stay("2024-03-05", "2024-03-20"), f, rules()).valid);
  f.documents_supplied_on = d("2024-01-17");  // one day late
  EXPECT_TRUE(commitment_revocation_date(f, rules()).has_value());
}

// Long-term filings cannot be cancelled within 6 months; temporary ones any time [seed 003 一(二)].
TEST(Filing, LongTermLockAndCancellation) {
  const Filing lt = make(FilingCategory::stationed_worker, "2024-01-10");
  EXPECT_FALSE(may_cancel(lt, d("2024-07-09"), rules()));
  EXPECT_TRUE(may_cancel(lt, d("2024-07-10"), rules()));
  EXPECT_TRUE(may_cancel(make(FilingCategory::referral, "2024-01-10"), d("2024-01-11"), rules()));
  Filing cancelled = lt;
  cancelled.cancelled_on = d("2024-08-01");
  EXPECT_EQ(resolve_filing(stay("2024-08-02", "2024-08-05"), cancelled, rules()).reason, PathReason::filing_cancelled);
  EXPECT_TRUE(resolve_filing(stay("2024-07-25", "2024-08-05"), cancelled, rules()).valid);
}

// A filing targets a city, or a whole province-level pool [seed 001, 004].
TEST(Filing, TargetRegionMustCoverTheTreatmentRegion) {
  EXPECT_TRUE(filing_covers_region(kShanghai, kPudong));
  EXPECT_FALSE(filing_covers_region(kPudong, kShanghai));
  const auto st = resolve_filing(stay("2024-03-01", "2024-03-10", kHangzhou), make(FilingCategory::referral, "2024-01-01"),
                                 rules());
  EXPECT_EQ(st.reason, PathReason::filing_wrong_region);
}

// Outpatient and pharmacy may need no filing (Bazhong) [seed 004 (十一)].
TEST(Filing, SomeVisitTypesNeedNoFiling) {
  FilingRules r = rules();
  r.requires_filing[index(VisitType::general_outpatient)].value = false;
  Visit v = stay("2024-03-01", "2024-03-01");
  v.visit_type = VisitType::general_outpatient;
  EXPECT_TRUE(resolve_filing(v, std::nullopt, r).valid);
  v.visit_type = VisitType::inpatient;
  EXPECT_FALSE(resolve_filing(v, std::nullopt, r).valid);
}

// Free-filing zones (视同备案 / 示范区内免备案, seed 003 医保发〔2024〕21号 一(二)): treatment in a
// listed province needs no filing and is treated as the zone's category.
TEST(Filing, FreeFilingZoneIsTreatedAsFiled) {
  FilingRules r = rules();
  r.free_zone.value = {"310000", "330000"};
  r.free_zone_category.value = FilingCategory::other_temporary;
  const auto in_zone = resolve_filing(stay("2024-03-01", "2024-03-10", kPudong), std::nullopt, r);
  EXPECT_TRUE(in_zone.valid);
  EXPECT_EQ(in_zone.category, FilingCategory::other_temporary);
  EXPECT_EQ(in_zone.detail, "free-filing zone: treated as filed");
  EXPECT_TRUE(r.in_free_zone(kHangzhou));
  EXPECT_FALSE(resolve_filing(stay("2024-03-01", "2024-03-10", RegionCode::of(340100)), std::nullopt, r).valid);
  // An emergency stays an emergency inside the zone (the hospital's flag decides).
  Visit emergency = stay("2024-03-01", "2024-03-10", kPudong);
  emergency.emergency = true;
  EXPECT_EQ(resolve_filing(emergency, std::nullopt, r).category, FilingCategory::emergency);
  // A valid filing of the person's own still decides the category.
  EXPECT_EQ(resolve_filing(stay("2024-03-01", "2024-03-10"), make(FilingCategory::referral, "2024-01-01"), r).category,
            FilingCategory::referral);
}

// §4: networked, filed, credential, no failure — the first failing test is the reason.
TEST(DirectEligibility, EachConditionHasItsReason) {
  Visit v = stay("2024-03-01", "2024-03-10");
  const FilingStatus ok = resolve_filing(v, make(FilingCategory::referral, "2024-01-01"), rules());
  EXPECT_EQ(decide_path(v, ok).reason, PathReason::direct);
  Visit nn = v;
  nn.networked = false;
  EXPECT_EQ(decide_path(nn, ok).reason, PathReason::not_networked);
  Visit nc = v;
  nc.credential_presented = false;
  EXPECT_EQ(decide_path(nc, ok).reason, PathReason::no_credential);
  Visit sf = v;
  sf.settlement_failed = true;
  EXPECT_EQ(decide_path(sf, ok).path, SettlementPath::manual);
  EXPECT_EQ(decide_path(sf, ok).reason, PathReason::settlement_failed);
  EXPECT_EQ(decide_path(v, resolve_filing(v, std::nullopt, rules())).reason, PathReason::no_filing);
}

// Issue 13: a cancellation inside a long-term filing's lock (DOMAIN.md §2 [seed 003, 004]) used to
// end the filing all the same. It is now refused: a bad claim naming cancel_date. A temporary
// filing may be cancelled at any time [seed 003].
TEST(Filing, ACancellationInsideTheLongTermLockIsRefused) {
  Filing lt = make(FilingCategory::long_term_resident, "2025-01-10");
  lt.cancelled_on = d("2025-03-01");
  try {
    (void)resolve_filing(stay("2025-04-01", "2025-04-10"), lt, rules());
    FAIL() << "the lock was not applied";
  } catch (const InvalidClaim& e) {
    EXPECT_EQ(e.field(), "cancel_date");
    EXPECT_EQ(std::string(e.what()),
              "cancel_date: expected a cancel_date on or after 2025-07-10: a long-term filing made on 2025-01-10 cannot be "
              "cancelled within 6 months (DOMAIN.md §2 [seed 003, 004]), got '2025-03-01'");
  }
  EXPECT_THROW(check_cancellation(lt, rules()), InvalidClaim);
  lt.cancelled_on = d("2025-07-09");  // the last day of the lock
  EXPECT_THROW((void)resolve_filing(stay("2025-08-01", "2025-08-10"), lt, rules()), InvalidClaim);
  lt.cancelled_on = d("2025-07-10");  // the first day it may be cancelled: the cancellation stands
  EXPECT_EQ(resolve_filing(stay("2025-08-01", "2025-08-10"), lt, rules()).reason, PathReason::filing_cancelled);
  FilingRules unlocked = rules();
  unlocked.long_term_lock_months.value = 0;
  lt.cancelled_on = d("2025-03-01");
  EXPECT_EQ(resolve_filing(stay("2025-04-01", "2025-04-10"), lt, unlocked).reason, PathReason::filing_cancelled);
  Filing temporary = make(FilingCategory::referral, "2025-01-10");
  temporary.cancelled_on = d("2025-01-11");
  EXPECT_NO_THROW(check_cancellation(temporary, rules()));
  EXPECT_EQ(resolve_filing(stay("2025-04-01", "2025-04-10"), temporary, rules()).reason, PathReason::filing_cancelled);
}
