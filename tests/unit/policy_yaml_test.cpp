// The policy loader and the real policy data (scenarios/policy): values with their sources, the
// file format's shorthands, the embedded copy, and golden cases settled from the real data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/settlement_engine.hpp"
#include "sim/io/policy_yaml.hpp"

using namespace yidi;
namespace fs = std::filesystem;

namespace {
const fs::path kPolicyDir = fs::path(YIDI_SOURCE_DIR) / "scenarios" / "policy";

const RegionCode kBeijing = RegionCode::of(110000);
const RegionCode kHebei = RegionCode::of(130000);
const RegionCode kLangfang = RegionCode::of(131000);
const RegionCode kJiangsu = RegionCode::of(320000);
const RegionCode kSuzhou = RegionCode::of(320500);
const RegionCode kNantong = RegionCode::of(320600);
const RegionCode kLuoyang = RegionCode::of(410300);
const RegionCode kHainan = RegionCode::of(460000);
const RegionCode kSichuan = RegionCode::of(510000);
const RegionCode kBazhong = RegionCode::of(511900);

Date d(const char* s) { return *Date::parse(s); }
Money y(const char* s) { return *Money::parse(s); }
Reduction points(int p) { return Reduction{Reduction::Kind::points, Points::of(p), Ratio::one()}; }
Reduction multiplier(int percent) { return Reduction{Reduction::Kind::multiplier, Points{}, Ratio::percent(percent)}; }

/// The real data, loaded once (it is validated on loading).
const PolicyBook& real() {
  static const PolicyBook book = io::load_policy_dir(kPolicyDir);
  return book;
}

const Param<Reduction>& reduction(const InsuredPolicy& p, VisitType v, FilingCategory c) {
  return p.reduction[index(v)][index(c)];
}

bool starts_with(const std::string* s, std::string_view prefix) { return s && s->rfind(prefix, 0) == 0; }

/// A registry of Jiangsu and Nantong for the format tests, which load small texts of their own.
PolicyBook format_book() {
  PolicyBook book;
  io::load_region_registry(book,
                           "- {code: \"320000\", name: 江苏省, name_en: Jiangsu}\n"
                           "- {code: \"320600\", name: 南通市, name_en: Nantong}\n",
                           "registry.yaml");
  return book;
}

const ParamValue& value(const PolicyBook& b, std::string_view path, const char* date = "2025-06-30") {
  return b.lookup(kNantong, path, d(date)).value;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// The real data

// regions.yaml: the 31 provinces and XPCC (GB/T 2260), and the seeds' cities.
TEST(RealPolicy, RegistryHasEveryProvinceAndTheSeedCities) {
  const auto regions = real().regions();
  std::size_t provinces = 0;
  for (RegionCode r : regions) provinces += r.is_province() ? 1 : 0;
  EXPECT_EQ(provinces, 32u);
  ASSERT_NE(real().region(RegionCode::of(660000)), nullptr);
  EXPECT_EQ(real().region(RegionCode::of(660000))->name, "新疆生产建设兵团");
  for (RegionCode city : {kLangfang, kSuzhou, kNantong, kLuoyang, kBazhong}) EXPECT_TRUE(real().has_region(city));
  EXPECT_EQ(real().region(kLangfang)->name_en, "Langfang");
}

// Every province resolves a full policy and catalogue (national defaults fill the gaps).
TEST(RealPolicy, EveryProvinceResolvesOnADate) {
  for (RegionCode r : real().regions()) {
    SCOPED_TRACE(r.str());
    const InsuredPolicy p = real().insured_policy(r, d("2023-06-30"));
    const Catalogue c = real().catalogue(r, d("2023-06-30"));
    EXPECT_NE(p.filing.temporary_validity_months.source, nullptr);
    EXPECT_NE(c.selfpay_prop_b[index(VisitType::inpatient)].source, nullptr);
    if (r.is_province()) {
      // Each province file sets its own reduction table, temporary validity and deductibles.
      const std::string code = r.str();
      EXPECT_NE(real().lookup(r, "reduction.inpatient.other_temporary", d("2023-06-30")).origin.find(code),
                std::string::npos);
      EXPECT_NE(real().lookup(r, "filing.temporary_validity_months", d("2023-06-30")).origin.find(code),
                std::string::npos);
      EXPECT_NE(real().lookup(r, "benefit.resident.inpatient.deductible.level3.first", d("2023-06-30")).origin.find(code),
                std::string::npos);
    }
  }
}

// national.yaml sets every parameter of the schema from 2017-01-01.
TEST(RealPolicy, NationalDefaultsCoverTheWholeSchema) {
  for (const auto& spec : ParamSchema::get().all()) {
    SCOPED_TRACE(spec.path);
    const DatedValue& v = real().lookup(kNational, spec.path, d("2017-01-01"));
    EXPECT_EQ(v.from, d("2017-01-01"));
    EXPECT_NE(v.origin.find("national.yaml"), std::string::npos);
  }
}

// Every value cites a seed, a secondary source, or says it is assumed.
TEST(RealPolicy, EveryValueSaysWhereItComesFrom) {
  for (RegionCode r : real().regions()) {
    for (Date date : real().change_dates()) {
      for (const auto& spec : ParamSchema::get().all()) {
        if (spec.national_only) continue;
        const DatedValue& v = real().lookup(r, spec.path, date);
        ASSERT_NE(v.source, nullptr);
        EXPECT_TRUE(starts_with(v.source, "seed ") || starts_with(v.source, "assumed: ") ||
                    starts_with(v.source, "secondary: "))
            << spec.path << " in " << r.str() << ": " << *v.source;
      }
    }
  }
}

// National ceilings (seed 003 医保发〔2024〕21号 二): long-term 0, referral and emergency 10, other
// temporary and unfiled 20, binding from 2025-01-01 (Jiangsu's implementation date); no national
// number before. Co-audit at 30,000 yuan (seed 000).
TEST(RealPolicy, NationalCeilingsFrom2025) {
  const NationalRules before = real().national(d("2024-12-31"));
  const NationalRules after = real().national(d("2025-01-01"));
  EXPECT_EQ(before.reduction_ceiling[index(FilingCategory::referral)].value, Points::of(100));
  EXPECT_TRUE(starts_with(before.reduction_ceiling[index(FilingCategory::referral)].source, "assumed: "));
  EXPECT_EQ(after.reduction_ceiling[index(FilingCategory::retiree_resettled)].value, Points::of(0));
  EXPECT_EQ(after.reduction_ceiling[index(FilingCategory::stationed_worker)].value, Points::of(0));
  EXPECT_EQ(after.reduction_ceiling[index(FilingCategory::referral)].value, Points::of(10));
  EXPECT_EQ(after.reduction_ceiling[index(FilingCategory::emergency)].value, Points::of(10));
  EXPECT_EQ(after.reduction_ceiling[index(FilingCategory::other_temporary)].value, Points::of(20));
  EXPECT_EQ(after.reduction_ceiling[index(FilingCategory::unfiled)].value, Points::of(20));
  EXPECT_TRUE(starts_with(after.reduction_ceiling[index(FilingCategory::referral)].source,
                          "seed 003 医保发〔2024〕21号 二"));
  EXPECT_EQ(after.coaudit_threshold.value, Money::yuan(30000));
  EXPECT_TRUE(starts_with(after.coaudit_threshold.source, "seed 000"));
}

// National defaults: the five chronic diseases (seed 002), retroactive filing from the 2022 notice
// (seed 000), manual reimbursement after 2 months (seed 001 §2), calibrated ratios (national-stats.csv).
TEST(RealPolicy, NationalDefaults) {
  const InsuredPolicy hebei = real().insured_policy(kHebei, d("2023-06-30"));
  EXPECT_EQ(hebei.chronic_diseases.value, (std::vector<std::string>{"hypertension", "diabetes", "cancer_outpatient",
                                                                    "uremia_dialysis", "transplant_antirejection"}));
  EXPECT_TRUE(starts_with(hebei.chronic_diseases.source, "seed 002"));
  EXPECT_FALSE(real().insured_policy(kHebei, d("2022-07-25")).filing.retroactive_before_discharge.value);
  EXPECT_TRUE(real().insured_policy(kHebei, d("2022-07-26")).filing.retroactive_before_discharge.value);
  EXPECT_TRUE(starts_with(hebei.filing.retroactive_before_discharge.source, "seed 000"));
  EXPECT_EQ(hebei.manual.lag_months.value, 2);
  EXPECT_TRUE(starts_with(hebei.manual.lag_months.source, "seed 001 §2"));
  EXPECT_EQ(hebei.filing.commitment_days.value, 15);
  EXPECT_EQ(hebei.filing.long_term_lock_months.value, 6);
  const auto& resident = hebei.rule(InsuredGroup::resident, VisitType::inpatient);
  EXPECT_EQ(resident.ratio[index(HospitalLevel::level1)].value, (Bands{RatioBand{Money::unlimited(), Ratio::percent(87)}}));
  EXPECT_EQ(resident.ratio[index(HospitalLevel::level3)].value, (Bands{RatioBand{Money::unlimited(), Ratio::percent(68)}}));
  const auto& retired = hebei.rule(InsuredGroup::employee_retired, VisitType::inpatient);
  EXPECT_EQ(retired.ratio[index(HospitalLevel::level3)].value, (Bands{RatioBand{Money::unlimited(), Ratio::percent(91)}}));
  // Hebei's deductibles: the national 1,000 × its income-level factor 0.8 [assumed].
  EXPECT_EQ(retired.deductible_per_admission[index(HospitalLevel::level3)][0].value, Money::yuan(800));
  EXPECT_TRUE(starts_with(retired.deductible_per_admission[index(HospitalLevel::level3)][0].source, "assumed: "));
  // Critical illness: threshold 10,000, bands 60/70/80 [secondary: DOMAIN §3].
  EXPECT_EQ(hebei.critical_illness.threshold.value, Money::yuan(10000));
  EXPECT_EQ(hebei.critical_illness.bands.value,
            (Bands{RatioBand{Money::yuan(40000), Ratio::percent(60)}, RatioBand{Money::yuan(90000), Ratio::percent(70)},
                   RatioBand{Money::unlimited(), Ratio::percent(80)}}));
}

// Nantong from 2025-01-01 (seed 003 通医保发〔2024〕71号 四): −10 pp for referral and emergency, −20 pp
// for other temporary visitors, on the sum of all layers; the day before, Jiangsu's older table.
TEST(RealPolicy, NantongFrom2025) {
  const InsuredPolicy before = real().insured_policy(kNantong, d("2024-12-31"));
  const InsuredPolicy after = real().insured_policy(kNantong, d("2025-01-01"));
  const auto& other = reduction(after, VisitType::inpatient, FilingCategory::other_temporary);
  EXPECT_EQ(other.value, points(20));
  EXPECT_TRUE(starts_with(other.source, "seed 003 通医保发〔2024〕71号 四"));
  EXPECT_EQ(reduction(after, VisitType::general_outpatient, FilingCategory::other_temporary).value, points(20));
  EXPECT_EQ(reduction(after, VisitType::inpatient, FilingCategory::referral).value, points(10));
  EXPECT_EQ(reduction(after, VisitType::inpatient, FilingCategory::emergency).value, points(10));
  EXPECT_EQ(reduction(after, VisitType::inpatient, FilingCategory::retiree_resettled).value, Reduction{});
  const auto& old = reduction(before, VisitType::inpatient, FilingCategory::other_temporary);
  EXPECT_EQ(old.value, points(10));
  EXPECT_TRUE(starts_with(old.source, "assumed: "));
  EXPECT_EQ(after.reduction_base.value, ReductionBase::all_layers);
  EXPECT_EQ(before.reduction_base.value, ReductionBase::basic_ratio);
  // Filing rules (seed 003 通医保发〔2024〕71号 一, 二; 苏医保发〔2024〕56号 一(二)).
  EXPECT_EQ(after.filing.temporary_validity_months.value, 12);
  EXPECT_TRUE(starts_with(after.filing.temporary_validity_months.source, "seed 003 通医保发〔2024〕71号 二"));
  EXPECT_EQ(before.filing.temporary_validity_months.value, 6);
  EXPECT_EQ(after.filing.commitment_days.value, 15);
  EXPECT_EQ(after.filing.long_term_lock_months.value, 6);
  EXPECT_FALSE(after.filing.long_term_indefinite.value);
  EXPECT_TRUE(before.filing.long_term_indefinite.value);
}

// Jiangsu's province table from 2025 (seed 003 苏医保发〔2024〕56号 二), which Suzhou inherits for
// referrals; Suzhou's own ×0.8 [secondary] only for the categories whose ceiling (20) it fits under.
TEST(RealPolicy, JiangsuAndSuzhou) {
  const InsuredPolicy js = real().insured_policy(kJiangsu, d("2025-06-30"));
  EXPECT_EQ(reduction(js, VisitType::inpatient, FilingCategory::referral).value, points(10));
  EXPECT_TRUE(starts_with(reduction(js, VisitType::inpatient, FilingCategory::referral).source,
                          "seed 003 苏医保发〔2024〕56号 二"));
  EXPECT_EQ(js.filing.temporary_validity_months.value, 6);
  const InsuredPolicy sz = real().insured_policy(kSuzhou, d("2025-06-30"));
  EXPECT_EQ(reduction(sz, VisitType::inpatient, FilingCategory::other_temporary).value, multiplier(80));
  EXPECT_EQ(reduction(sz, VisitType::pharmacy, FilingCategory::unfiled).value, multiplier(80));
  EXPECT_TRUE(starts_with(reduction(sz, VisitType::inpatient, FilingCategory::other_temporary).source, "secondary: "));
  EXPECT_EQ(reduction(sz, VisitType::inpatient, FilingCategory::referral).value, points(10));
  EXPECT_EQ(reduction(sz, VisitType::inpatient, FilingCategory::long_term_resident).value, Reduction{});
}

// Bazhong from 2023-01-01 (seed 004): inpatients −5/−10, outpatients unreduced, temporary filings 6
// months, long-term indefinite, no filing for general outpatient and pharmacy.
TEST(RealPolicy, BazhongFrom2023) {
  const InsuredPolicy bz = real().insured_policy(kBazhong, d("2023-01-01"));
  EXPECT_EQ(reduction(bz, VisitType::inpatient, FilingCategory::referral).value, points(5));
  EXPECT_EQ(reduction(bz, VisitType::inpatient, FilingCategory::emergency).value, points(5));
  EXPECT_EQ(reduction(bz, VisitType::inpatient, FilingCategory::other_temporary).value, points(10));
  EXPECT_TRUE(starts_with(reduction(bz, VisitType::inpatient, FilingCategory::referral).source, "seed 004 (四)"));
  for (VisitType v : {VisitType::general_outpatient, VisitType::chronic_outpatient, VisitType::pharmacy})
    for (FilingCategory c : kFilingCategories) {
      EXPECT_EQ(reduction(bz, v, c).value, Reduction{}) << to_string(v) << " " << to_string(c);
      EXPECT_TRUE(starts_with(reduction(bz, v, c).source, "seed 004 (五)"));
    }
  EXPECT_EQ(bz.filing.temporary_validity_months.value, 6);
  EXPECT_TRUE(starts_with(bz.filing.temporary_validity_months.source, "seed 004 (八)"));
  EXPECT_TRUE(bz.filing.long_term_indefinite.value);
  EXPECT_FALSE(bz.filing.requires_filing[index(VisitType::general_outpatient)].value);
  EXPECT_FALSE(bz.filing.requires_filing[index(VisitType::pharmacy)].value);
  EXPECT_TRUE(bz.filing.requires_filing[index(VisitType::inpatient)].value);
  // The day before, Sichuan's generic table applies; after Sichuan's 2025 change, Bazhong's own.
  EXPECT_TRUE(starts_with(
      reduction(real().insured_policy(kBazhong, d("2022-12-31")), VisitType::inpatient, FilingCategory::referral).source,
      "assumed: "));
  const InsuredPolicy bz25 = real().insured_policy(kBazhong, d("2025-06-30"));
  EXPECT_EQ(reduction(bz25, VisitType::general_outpatient, FilingCategory::other_temporary).value, Reduction{});
  EXPECT_EQ(reduction(real().insured_policy(kSichuan, d("2025-06-30")), VisitType::general_outpatient,
                      FilingCategory::other_temporary)
                .value,
            points(20));
}

// Luoyang (seed 001 §4): unfiled non-emergency cross-province inpatients −20.
TEST(RealPolicy, LuoyangUnfiledInpatients) {
  const InsuredPolicy ly = real().insured_policy(kLuoyang, d("2018-06-15"));
  EXPECT_EQ(reduction(ly, VisitType::inpatient, FilingCategory::unfiled).value, points(20));
  EXPECT_TRUE(starts_with(reduction(ly, VisitType::inpatient, FilingCategory::unfiled).source, "seed 001 §4"));
  EXPECT_EQ(reduction(ly, VisitType::inpatient, FilingCategory::emergency).value, Reduction{});
  EXPECT_EQ(reduction(ly, VisitType::inpatient, FilingCategory::retiree_resettled).value, Reduction{});
}

// Beijing's catalogue: 乙 self-pay-first 10% (seed 000: 3.18 of 31.77).
TEST(RealPolicy, BeijingCatalogue) {
  const Catalogue bj = real().catalogue(kBeijing, d("2022-07-01"));
  EXPECT_EQ(bj.selfpay_prop_b[index(VisitType::chronic_outpatient)].value, Ratio::percent(10));
  EXPECT_TRUE(starts_with(bj.selfpay_prop_b[index(VisitType::chronic_outpatient)].source, "seed 000"));
}

// The copy compiled into the binary holds the same values with the same sources.
TEST(RealPolicy, EmbeddedCopyEqualsTheFolder) {
  const PolicyBook embedded = io::load_embedded_policy();
  ASSERT_EQ(embedded.regions(), real().regions());
  ASSERT_EQ(embedded.change_dates(), real().change_dates());
  for (RegionCode r : real().regions()) EXPECT_EQ(embedded.region(r)->name, real().region(r)->name);
  std::vector<RegionCode> all = real().regions();
  all.push_back(kNational);
  for (RegionCode r : all)
    for (Date date : real().change_dates())
      for (const auto& spec : ParamSchema::get().all()) {
        if (spec.national_only && r != kNational) continue;
        const DatedValue& a = embedded.lookup(r, spec.path, date);
        const DatedValue& b = real().lookup(r, spec.path, date);
        ASSERT_EQ(to_string(a.value), to_string(b.value)) << spec.path << " " << r.str() << " " << date.str();
        ASSERT_EQ(*a.source, *b.source) << spec.path;
        ASSERT_EQ(a.from, b.from) << spec.path;
        ASSERT_EQ(a.origin.rfind("<embedded>/scenarios/policy/", 0), 0u) << a.origin;
      }
}

// ---------------------------------------------------------------------------------------------
// Golden cases settled from the real data

namespace {
Filing filing(FilingCategory c, RegionCode target, const char* on) {
  Filing f;
  f.category = c;
  f.target = target;
  f.filed_on = d(on);
  return f;
}
ClaimLine line(ItemClass c, const char* amount) {
  ClaimLine l;
  l.item_class = c;
  l.amount = y(amount);
  return l;
}
}  // namespace

// DOMAIN §3 golden case 1 [seed 000]: a Langfang retiree's chronic outpatient bill in Beijing on
// 2022-07-01: 甲 32.52, 乙 31.77 with Beijing's 10% self-pay-first (3.18), eligible 61.11, no
// deductible, Langfang's 80% → fund 48.89, individual 15.40.
TEST(GoldenFromRealData, LangfangRetireeChronicOutpatientInBeijing) {
  const Date day = d("2022-07-01");
  SettlementRequest req;
  req.visit.id = "seed-000";
  req.visit.insured_region = kLangfang;
  req.visit.treatment_region = kBeijing;
  req.visit.group = InsuredGroup::employee_retired;
  req.visit.visit_type = VisitType::chronic_outpatient;
  req.visit.disease = "diabetes";  // 阿卡波糖片, 瑞格列奈片
  req.visit.admission = req.visit.discharge = day;
  req.visit.lines = {line(ItemClass::a, "32.52"), line(ItemClass::b, "31.77")};
  req.visit.medfee_sumamt = y("64.29");
  req.filing = filing(FilingCategory::retiree_resettled, kBeijing, "2021-01-01");
  const Settlement s = SettlementEngine::settle(req, real().catalogue(kBeijing, day), real().insured_policy(kLangfang, day),
                                                real().national(day));
  EXPECT_EQ(s.path, SettlementPath::direct);
  EXPECT_EQ(s.preselfpay_amt, y("3.18"));
  EXPECT_EQ(s.inscp_scp_amt, y("61.11"));
  EXPECT_EQ(s.deductible, Money::zero());
  EXPECT_EQ(s.hifp_pay, y("48.89"));
  EXPECT_EQ(s.fund_pay_sumamt, y("48.89"));
  EXPECT_EQ(s.psn_part_amt, y("15.40"));
}

// DOMAIN §3 golden case 2 [seed 001]: a Luoyang retiree with a long-term filing in Hainan, an
// all-eligible inpatient bill of 25,000 in June 2018 → fund 17,500, individual 7,500.
TEST(GoldenFromRealData, LuoyangRetireeLongTermFilingInHainan) {
  SettlementRequest req;
  req.visit.id = "seed-001";
  req.visit.insured_region = kLuoyang;
  req.visit.treatment_region = kHainan;
  req.visit.group = InsuredGroup::employee_retired;
  req.visit.visit_type = VisitType::inpatient;
  req.visit.level = HospitalLevel::level3;
  req.visit.admission = d("2018-06-05");
  req.visit.discharge = d("2018-06-15");
  req.visit.lines = {line(ItemClass::a, "25000")};
  req.visit.medfee_sumamt = y("25000");
  req.filing = filing(FilingCategory::retiree_resettled, kHainan, "2018-01-10");
  const Date day = req.visit.discharge;
  const Settlement s = SettlementEngine::settle(req, real().catalogue(kHainan, day), real().insured_policy(kLuoyang, day),
                                                real().national(day));
  EXPECT_EQ(s.path, SettlementPath::direct);
  EXPECT_EQ(s.deductible, Money::yuan(1000));
  EXPECT_EQ(s.fund_pay_sumamt, Money::yuan(17500));
  EXPECT_EQ(s.psn_part_amt, Money::yuan(7500));
}

// ---------------------------------------------------------------------------------------------
// Intra-province (省内异地) against cross-province (跨省) visits: which reduction table applies
// (reduction_scope, reduction_intra; scenarios/policy/README.md). The cities of Zhengzhou, Chengdu and
// Changsha are not in the registry yet: their visits are settled with their province's catalogue
// (a city inherits it), and only their codes' province matters to the rule.

namespace {
const RegionCode kHenan = RegionCode::of(410000);
const RegionCode kZhengzhou = RegionCode::of(410100);
const RegionCode kChengdu = RegionCode::of(510100);
const RegionCode kHunan = RegionCode::of(430000);
const RegionCode kChangsha = RegionCode::of(430100);

/// An all-甲 level-3 inpatient stay of `yuan`, admitted on the 5th and discharged on the 15th of
/// `month` ("2024-06"), with a filing of `category` (none if unfiled) targeting the treatment region.
SettlementRequest stay(RegionCode insured, RegionCode treatment, InsuredGroup group, FilingCategory category,
                       const std::string& month, const char* yuan) {
  SettlementRequest req;
  req.visit.id = "scope";
  req.visit.insured_region = insured;
  req.visit.treatment_region = treatment;
  req.visit.group = group;
  req.visit.visit_type = VisitType::inpatient;
  req.visit.level = HospitalLevel::level3;
  req.visit.admission = d((month + "-05").c_str());
  req.visit.discharge = d((month + "-15").c_str());
  req.visit.lines = {line(ItemClass::a, yuan)};
  req.visit.medfee_sumamt = y(yuan);
  if (category != FilingCategory::unfiled) req.filing = filing(category, treatment, (month + "-01").c_str());
  return req;
}

Settlement settle_real(const SettlementRequest& req, RegionCode catalogue_region) {
  const Date day = req.visit.discharge;
  return SettlementEngine::settle(req, real().catalogue(catalogue_region, day),
                                  real().insured_policy(req.visit.insured_region, day), real().national(day), true);
}

bool explains(const Settlement& s, std::string_view path, std::string_view source_prefix) {
  for (const auto& step : s.explanation)
    if (step.parameter == path && step.source.rfind(source_prefix, 0) == 0) return true;
  return false;
}
}  // namespace

// Luoyang [seed 001 §4]: "未办理异地备案或转诊转院手续的跨省异地就医住院的(除紧急住院外)，统筹基金报销
// 比例降低20%" is for cross-province stays (reduction_scope cross_province); intra-province stays take
// Henan's reduction_intra, the national [assumed] default (like the cross-province table: −20 for the
// unfiled, −10 for other temporary before 2025). A Luoyang retiree, 10,000 yuan all 甲 at level 3 in
// June 2024: deductible 1,000 (Luoyang's file), 9,000 above it in Luoyang's first band (70%).
//   unfiled, Beijing   (跨省, −20 seed 001):          9,000 × 50% = 4,500.00
//   unfiled, Zhengzhou (省内, −20 assumed):           9,000 × 50% = 4,500.00, from reduction_intra
//   other temporary, Beijing   (−20 seed 001 §4):     9,000 × 50% = 4,500.00
//   other temporary, Zhengzhou (−10 assumed, pre-2025): 9,000 × 60% = 5,400.00
TEST(ReductionScope, LuoyangUnfiledAndTemporaryInZhengzhouAndBeijing) {
  const auto g = InsuredGroup::employee_retired;
  const Settlement bj = settle_real(stay(kLuoyang, kBeijing, g, FilingCategory::unfiled, "2024-06", "10000"), kBeijing);
  const Settlement zz = settle_real(stay(kLuoyang, kZhengzhou, g, FilingCategory::unfiled, "2024-06", "10000"), kHenan);
  EXPECT_TRUE(bj.cross_province);
  EXPECT_FALSE(zz.cross_province);
  EXPECT_TRUE(zz.offsite);
  EXPECT_EQ(bj.path, SettlementPath::manual);  // no filing: paid in full, claimed at home
  EXPECT_EQ(bj.deductible, Money::yuan(1000));
  EXPECT_EQ(bj.fund_pay_sumamt, y("4500.00"));
  EXPECT_EQ(zz.fund_pay_sumamt, y("4500.00"));
  EXPECT_EQ(bj.reduction, points(20));
  EXPECT_EQ(zz.reduction, points(20));
  EXPECT_TRUE(explains(bj, "reduction.inpatient.unfiled", "seed 001 §4"));
  EXPECT_TRUE(explains(zz, "reduction_intra.inpatient.unfiled", "assumed: intra-province"));
  EXPECT_TRUE(explains(zz, "reduction_scope", "seed 001 §4"));

  const auto t = FilingCategory::other_temporary;
  const Settlement bj_t = settle_real(stay(kLuoyang, kBeijing, g, t, "2024-06", "10000"), kBeijing);
  const Settlement zz_t = settle_real(stay(kLuoyang, kZhengzhou, g, t, "2024-06", "10000"), kHenan);
  EXPECT_EQ(bj_t.path, SettlementPath::direct);
  EXPECT_EQ(zz_t.path, SettlementPath::direct);
  EXPECT_EQ(bj_t.fund_pay_sumamt, y("4500.00"));
  EXPECT_EQ(zz_t.fund_pay_sumamt, y("5400.00"));
  EXPECT_EQ(zz_t.psn_part_amt, y("4600.00"));
  EXPECT_EQ(zz_t.reduction, points(10));
}

// Nantong [seed 003 通医保发〔2024〕71号 四]: "临时外出就医在市外定点医疗机构...各项保障基金（资金）的
// 合计支付额...降低...非急诊且未经规定医疗机构审核办理备案手续的，降低20个百分点": outside the city, so
// Suzhou (省内) and Beijing (跨省) alike (reduction_scope all_offsite), on the sum of all layers. An
// in-service employee, 10,000 yuan all 甲 at level 3 in June 2025, other temporary filing:
// deductible 1,300 (Jiangsu), 8,700 × 87% = 7,569.00 unreduced, no large-expense layer (burden
// 2,431 < 20,000); reduced total 7,569.00 − 20% × 8,700 = 5,829.00 in both cities.
TEST(ReductionScope, NantongAllLayersInSuzhouAndBeijing) {
  const auto g = InsuredGroup::employee_in_service;
  const auto t = FilingCategory::other_temporary;
  const Settlement sz = settle_real(stay(kNantong, kSuzhou, g, t, "2025-06", "10000"), kSuzhou);
  const Settlement bj = settle_real(stay(kNantong, kBeijing, g, t, "2025-06", "10000"), kBeijing);
  EXPECT_FALSE(sz.cross_province);
  EXPECT_TRUE(bj.cross_province);
  for (const Settlement* s : {&sz, &bj}) {
    EXPECT_EQ(s->path, SettlementPath::direct);
    EXPECT_EQ(s->deductible, Money::yuan(1300));
    EXPECT_EQ(s->hifp_pay, y("5829.00"));
    EXPECT_EQ(s->fund_pay_sumamt, y("5829.00"));
    EXPECT_EQ(s->psn_part_amt, y("4171.00"));
    EXPECT_TRUE(explains(*s, "reduction.inpatient.other_temporary", "seed 003 通医保发〔2024〕71号 四"));
    EXPECT_TRUE(explains(*s, "reduction_scope", "seed 003 通医保发〔2024〕71号 四"));
  }
}

// Bazhong [seed 004 (三)(四)]: "市外异地就医直接结算的住院..." and "非急诊且未转诊的其他临时外出住院就医
// 人员支付比例在市内同等级医疗机构支付比例基础上降低10个百分点": outside the city, Chengdu (省内) and
// Beijing (跨省) alike. A resident, 10,000 yuan all 甲 at level 3 in June 2024: deductible 800
// (Sichuan), 9,200 × (68% − 10) = 5,336.00 (−5 for an emergency: 9,200 × 63% = 5,796.00); no
// critical illness (burden below 10,000).
TEST(ReductionScope, BazhongInChengduAndBeijing) {
  const auto g = InsuredGroup::resident;
  for (RegionCode where : {kChengdu, kBeijing}) {
    const RegionCode cat = where == kChengdu ? kSichuan : kBeijing;
    const Settlement t = settle_real(stay(kBazhong, where, g, FilingCategory::other_temporary, "2024-06", "10000"), cat);
    EXPECT_EQ(t.cross_province, where == kBeijing);
    EXPECT_EQ(t.deductible, Money::yuan(800));
    EXPECT_EQ(t.fund_pay_sumamt, y("5336.00")) << where.str();
    EXPECT_TRUE(explains(t, "reduction.inpatient.other_temporary", "seed 004 (四)"));
    EXPECT_TRUE(explains(t, "reduction_scope", "seed 004 (三)"));
    SettlementRequest emergency = stay(kBazhong, where, g, FilingCategory::unfiled, "2024-06", "10000");
    emergency.visit.emergency = true;  // deemed filed: the hospital uploads the flag [seed 003]
    const Settlement e = settle_real(emergency, cat);
    EXPECT_EQ(e.category, FilingCategory::emergency);
    EXPECT_EQ(e.fund_pay_sumamt, y("5796.00")) << where.str();
  }
}

// A province with no text of its own (Hunan, its generic [assumed] file): the national defaults.
// Its table is for cross-province visits (reduction_scope cross_province: seed 003 医保发〔2024〕21号
// 二 speaks of 跨省 visitors); intra-province visits take the national reduction_intra [assumed],
// the same numbers. An in-service employee, 10,000 yuan all 甲 at level 3, other temporary:
// deductible 900 (Hunan), 9,100 above it at 87%: June 2024 −10 → 9,100 × 77% = 7,007.00;
// June 2025 −20 → 9,100 × 67% = 6,097.00; in Changsha and in Beijing.
TEST(ReductionScope, ProvinceWithoutItsOwnTextTakesTheDefaults) {
  const auto g = InsuredGroup::employee_in_service;
  const auto t = FilingCategory::other_temporary;
  for (const char* month : {"2024-06", "2025-06"}) {
    const char* expected = std::string(month) == "2024-06" ? "7007.00" : "6097.00";
    const Settlement cs = settle_real(stay(kHunan, kChangsha, g, t, month, "10000"), kHunan);
    const Settlement bj = settle_real(stay(kHunan, kBeijing, g, t, month, "10000"), kBeijing);
    EXPECT_EQ(cs.deductible, Money::yuan(900));
    EXPECT_EQ(cs.fund_pay_sumamt, y(expected)) << month;
    EXPECT_EQ(bj.fund_pay_sumamt, y(expected)) << month;
    EXPECT_TRUE(explains(cs, "reduction_intra.inpatient.other_temporary", "assumed: intra-province"));
    EXPECT_TRUE(explains(bj, "reduction.inpatient.other_temporary", "assumed: "));
    EXPECT_TRUE(explains(bj, "reduction_scope", "seed 003 医保发〔2024〕21号 二"));
  }
}

// The data as read: scopes with their sources, and the [assumed] intra-province default equal to
// the cross-province table wherever no document speaks of intra-province visits (every province,
// and Langfang), so that a region's intra- and cross-province visits differ only where a seed says so.
TEST(ReductionScope, ScopesInTheData) {
  const auto scope = [](RegionCode r, const char* date) { return real().insured_policy(r, d(date)).reduction_scope; };
  EXPECT_EQ(scope(kHunan, "2024-06-30").value, ReductionScope::cross_province);
  EXPECT_EQ(scope(kLuoyang, "2018-06-15").value, ReductionScope::cross_province);
  EXPECT_TRUE(starts_with(scope(kLuoyang, "2018-06-15").source, "seed 001 §4"));
  EXPECT_EQ(scope(kBazhong, "2023-01-01").value, ReductionScope::all_offsite);
  EXPECT_EQ(scope(kBazhong, "2022-12-31").value, ReductionScope::cross_province);
  EXPECT_EQ(scope(kNantong, "2025-01-01").value, ReductionScope::all_offsite);
  EXPECT_EQ(scope(kJiangsu, "2024-12-31").value, ReductionScope::cross_province);
  EXPECT_EQ(scope(kJiangsu, "2025-01-01").value, ReductionScope::all_offsite);
  EXPECT_TRUE(starts_with(scope(kJiangsu, "2025-01-01").source, "seed 003 苏医保发〔2024〕56号 二"));
  EXPECT_EQ(scope(kSuzhou, "2025-06-30").value, ReductionScope::all_offsite);
  EXPECT_EQ(scope(kLangfang, "2022-07-01").value, ReductionScope::cross_province);

  std::vector<RegionCode> silent{kLangfang};
  for (RegionCode r : real().regions())
    if (r.is_province()) silent.push_back(r);
  for (RegionCode r : silent)
    for (Date date : real().change_dates()) {
      const InsuredPolicy p = real().insured_policy(r, date);
      for (auto v : kVisitTypes)
        for (auto c : kFilingCategories)
          ASSERT_EQ(p.reduction_intra[index(v)][index(c)].value, p.reduction[index(v)][index(c)].value)
              << r.str() << " " << date.str() << " " << to_string(v) << " " << to_string(c);
    }
}

// ---------------------------------------------------------------------------------------------
// The file format (scenarios/policy/README.md), on small texts

// A value at a group is set on every parameter beneath it of the type that accepts it.
TEST(PolicyFormat, BroadcastToEveryLeafOfTheMatchingType) {
  PolicyBook book = format_book();
  io::load_policy_text(book, R"(region: "320600"
effective_from: 2025-01-01
source: "test: broadcast"
policy:
  benefit:
    resident:
      inpatient:
        ratio: 0.8
        deductible:
          level3: 1300
          kind: per_admission
      general_outpatient:
        deductible: none
)",
                       "broadcast.yaml");
  const Bands eighty{RatioBand{Money::unlimited(), Ratio::percent(80)}};
  for (const char* level : {"level1", "level2", "level3"})
    EXPECT_EQ(std::get<Bands>(value(book, std::string("benefit.resident.inpatient.ratio.") + level)), eighty);
  for (const char* leaf : {"first", "second", "third_plus", "annual"})
    EXPECT_EQ(std::get<Money>(value(book, std::string("benefit.resident.inpatient.deductible.level3.") + leaf)),
              Money::yuan(1300));
  EXPECT_THROW(value(book, "benefit.resident.inpatient.deductible.level2.first"), PolicyError);
  EXPECT_EQ(std::get<std::string>(value(book, "benefit.resident.inpatient.deductible.kind")), "per_admission");
  // "none" fits only the deductible's kind (a choice), not its amounts.
  EXPECT_EQ(std::get<std::string>(value(book, "benefit.resident.general_outpatient.deductible.kind")), "none");
  EXPECT_THROW(value(book, "benefit.resident.general_outpatient.deductible.level1.annual"), PolicyError);
  EXPECT_EQ(book.lookup(kNantong, "benefit.resident.inpatient.ratio.level2", d("2025-01-01")).origin,
            "broadcast.yaml:8:16");
}

// "inpatient,chronic_outpatient:" applies to each; later lines override earlier ones for the same date.
TEST(PolicyFormat, CommaKeysAndLaterLinesWin) {
  PolicyBook book = format_book();
  io::load_policy_text(book, R"(region: "320600"
effective_from: 2025-01-01
source: "test: comma keys"
policy:
  benefit:
    employee_in_service, employee_retired:
      inpatient,chronic_outpatient:
        covered: false
        ratio: 0.7
    employee_retired:
      inpatient:
        ratio: {level3: 0.75}
)",
                       "comma.yaml");
  for (const char* g : {"employee_in_service", "employee_retired"})
    for (const char* v : {"inpatient", "chronic_outpatient"})
      EXPECT_FALSE(std::get<bool>(value(book, std::string("benefit.") + g + "." + v + ".covered")));
  EXPECT_THROW(value(book, "benefit.employee_retired.general_outpatient.covered"), PolicyError);
  EXPECT_THROW(value(book, "benefit.resident.inpatient.covered"), PolicyError);
  EXPECT_EQ(std::get<Bands>(value(book, "benefit.employee_retired.inpatient.ratio.level3"))[0].ratio, Ratio::percent(75));
  EXPECT_EQ(std::get<Bands>(value(book, "benefit.employee_retired.inpatient.ratio.level2"))[0].ratio, Ratio::percent(70));
  EXPECT_EQ(std::get<Bands>(value(book, "benefit.employee_in_service.inpatient.ratio.level3"))[0].ratio,
            Ratio::percent(70));
}

// A list of dated maps is a history; each value takes the nearest enclosing source.
TEST(PolicyFormat, DatedHistoryAndSources) {
  PolicyBook book = format_book();
  io::load_policy_text(book, R"(region: "320600"
effective_from: 2017-01-01
source: "test: file source"
policy:
  reduction:
    inpatient:
      other_temporary:
        - {value: -10pp}
        - {value: -20pp, from: 2025-01-01, source: "seed 003 §四"}
      referral: x0.9
  filing:
    source: "test: filing source"
    temporary_validity_months: {value: 12, from: 2025-01-01}
    commitment_days: 15
)",
                       "history.yaml");
  const auto at = [&](const char* path, const char* date) { return book.lookup(kNantong, path, d(date)); };
  EXPECT_EQ(std::get<Reduction>(at("reduction.inpatient.other_temporary", "2024-12-31").value), points(10));
  EXPECT_EQ(*at("reduction.inpatient.other_temporary", "2024-12-31").source, "test: file source");
  EXPECT_EQ(std::get<Reduction>(at("reduction.inpatient.other_temporary", "2025-01-01").value), points(20));
  EXPECT_EQ(*at("reduction.inpatient.other_temporary", "2025-01-01").source, "seed 003 §四");
  EXPECT_EQ(std::get<Reduction>(at("reduction.inpatient.referral", "2020-01-01").value), multiplier(90));
  EXPECT_EQ(*at("filing.temporary_validity_months", "2025-01-01").source, "test: filing source");
  EXPECT_EQ(at("filing.temporary_validity_months", "2025-01-01").from, d("2025-01-01"));
  EXPECT_THROW(at("filing.temporary_validity_months", "2024-12-31"), PolicyError);
  EXPECT_EQ(std::get<std::int64_t>(at("filing.commitment_days", "2017-01-01").value), 15);
}

// Bands: a plain ratio is one open band; a list with `upto` is progressive; either may be the
// `value:` of a dated map. Name lists are YAML sequences.
TEST(PolicyFormat, BandsAndNameLists) {
  PolicyBook book = format_book();
  io::load_policy_text(book, R"(region: "320600"
effective_from: 2020-01-01
source: "test: bands"
policy:
  benefit:
    resident:
      inpatient:
        ratio:
          level3:
            - {upto: 10000, ratio: 0.7}
            - {ratio: 75%}
          level2:
            - {value: 0.8}
            - value: [{upto: 5000, ratio: 0.5}, {ratio: 0.9}]
              from: 2025-01-01
  chronic_diseases: [hypertension, diabetes]
)",
                       "bands.yaml");
  EXPECT_EQ(std::get<Bands>(value(book, "benefit.resident.inpatient.ratio.level3")),
            (Bands{RatioBand{Money::yuan(10000), Ratio::percent(70)}, RatioBand{Money::unlimited(), Ratio::percent(75)}}));
  EXPECT_EQ(std::get<Bands>(value(book, "benefit.resident.inpatient.ratio.level2", "2024-12-31")),
            (Bands{RatioBand{Money::unlimited(), Ratio::percent(80)}}));
  EXPECT_EQ(std::get<Bands>(value(book, "benefit.resident.inpatient.ratio.level2", "2025-01-01")),
            (Bands{RatioBand{Money::yuan(5000), Ratio::percent(50)}, RatioBand{Money::unlimited(), Ratio::percent(90)}}));
  EXPECT_EQ(std::get<std::vector<std::string>>(value(book, "chronic_diseases")),
            (std::vector<std::string>{"hypertension", "diabetes"}));
}

// An overlay (a reform) replaces one value of the baseline from its date, and is validated with it.
TEST(PolicyFormat, OverlayOnTheRealData) {
  const fs::path overlay = fs::temp_directory_path() / "yidi-policy-overlay-test.yaml";
  {
    std::ofstream out(overlay);
    out << "region: \"320600\"\neffective_from: 2026-01-01\nsource: \"test: reform overlay\"\npolicy:\n"
           "  reduction:\n    inpatient:\n      other_temporary: -15pp\n";
  }
  const PolicyBook book = io::load_policy_dir(kPolicyDir, {overlay});
  fs::remove(overlay);
  EXPECT_EQ(reduction(book.insured_policy(kNantong, d("2025-12-31")), VisitType::inpatient, FilingCategory::other_temporary)
                .value,
            points(20));
  const InsuredPolicy after = book.insured_policy(kNantong, d("2026-01-01"));
  const auto& reformed = reduction(after, VisitType::inpatient, FilingCategory::other_temporary);
  EXPECT_EQ(reformed.value, points(15));
  EXPECT_EQ(*reformed.source, "test: reform overlay");
}

// Every shipped overlay (scenarios/overlays/) loads over the real data under the strict rules
// (sim/io/strict_yaml.hpp), whether or not a shipped scenario names it.
TEST(PolicyFormat, EveryShippedOverlayIsStrictlyValid) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(YIDI_SOURCE_DIR) / "scenarios" / "overlays")) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().string());
    EXPECT_NO_THROW((void)io::load_policy_dir(kPolicyDir, {e.path()}));
    ++n;
  }
  EXPECT_EQ(n, 5);  // the five scenarios/overlays/*.yaml
}

// Whole-number parameters count months or days and are used as int: above 1200 they are refused
// at a leaf and by a broadcast alike (4294967308 months would wrap to 12; 1200 is still taken).
TEST(PolicyFormat, WholeNumbersAreCappedBeforeTheyCouldWrap) {
  auto error_of = [](const std::string& policy) {
    PolicyBook book = format_book();
    try {
      io::load_policy_text(book, "region: \"320600\"\neffective_from: 2025-01-01\nsource: s\npolicy:\n" + policy, "t.yaml");
    } catch (const io::InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of("  filing:\n    temporary_validity_months: 4294967308\n"),
            "t.yaml:6:32: field 'filing.temporary_validity_months': expected a whole number from 0 to 1200, got "
            "'4294967308'");
  EXPECT_EQ(error_of("  manual:\n    lag_months: 1200\n"), "(no error)");
  EXPECT_EQ(error_of("  manual:\n    lag_months: {value: 1201, from: 2026-01-01}\n"),
            "t.yaml:6:25: field 'manual.lag_months': expected a whole number from 0 to 1200, got '1201'");
}
