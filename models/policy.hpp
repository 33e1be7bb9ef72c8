#pragma once
// Typed snapshots of the rule parameters for one region on one date (OpenFisca style: the
// engine never sees dates or inheritance, only the values in force). Every value carries the
// document it comes from, so a settlement can explain itself.
#include <array>
#include <string>
#include <vector>

#include "models/categories.hpp"
#include "models/date.hpp"
#include "models/money.hpp"
#include "models/ratio.hpp"
#include "models/region.hpp"

namespace yidi {

/// A parameter's value and the source it cites (e.g. "seed 003 §四"; "assumed: ..."), never null
/// once a snapshot is built.
template <class T>
struct Param {
  T value{};
  const std::string* source = nullptr;
};

/// One band of a progressive schedule: the ratio applies to the part of the base up to `upto`
/// (cumulative, measured from the start of the schedule); the last band is unlimited.
struct RatioBand {
  Money upto = Money::unlimited();
  Ratio ratio;
  bool operator==(const RatioBand&) const = default;
};
using Bands = std::vector<RatioBand>;

/// Deductible (起付标准): per admission with a step-down for the 2nd and 3rd+ admission of the
/// year, or annual (usual for outpatient) [secondary].
enum class DeductibleKind : std::uint8_t { none, per_admission, annual };
inline constexpr std::array kDeductibleKinds{DeductibleKind::none, DeductibleKind::per_admission, DeductibleKind::annual};
/// Which admission of the year a per-admission deductible is for: the first, the second, or the
/// third and later.
enum class AdmissionOrdinal : std::uint8_t { first, second, third_plus };
inline constexpr std::array kAdmissionOrdinals{AdmissionOrdinal::first, AdmissionOrdinal::second,
                                               AdmissionOrdinal::third_plus};
/// The ordinal of the next admission, given how many the year already has.
constexpr AdmissionOrdinal admission_ordinal(std::int32_t admissions_before) {
  return admissions_before <= 0 ? AdmissionOrdinal::first
       : admissions_before == 1 ? AdmissionOrdinal::second
                                : AdmissionOrdinal::third_plus;
}
/// Which annual cap (最高支付限额) a visit type counts against [assumed: inpatient and chronic
/// outpatient share one, general outpatient and pharmacy another].
enum class CapPool : std::uint8_t { inpatient, outpatient };
inline constexpr std::array kCapPools{CapPool::inpatient, CapPool::outpatient};

/// Off-site reduction (异地就医报销比例降低) for a filing category: minus points off the ratio
/// (national −10/−20 [seed 003], Bazhong −5/−10 [seed 004]) or a multiplier (Suzhou ×0.8 [secondary]).
struct Reduction {
  enum class Kind : std::uint8_t { none, points, multiplier };
  Kind kind = Kind::none;
  Points points{};
  Ratio multiplier = Ratio::one();
  /// The cut, in points, on a 100% ratio: what the national ceiling is checked against.
  Points worst_case_points() const;
  std::string str() const;
  bool operator==(const Reduction&) const = default;
};
/// What the reduction is taken off: the pooled fund's ratio (national guidance) or the sum of
/// all layers (Nantong: "各项保障基金的合计支付额...降低" [seed 003]).
enum class ReductionBase : std::uint8_t { basic_ratio, all_layers };
inline constexpr std::array kReductionBases{ReductionBase::basic_ratio, ReductionBase::all_layers};
/// Which off-site visits the `reduction` table applies to. The national guidance is for
/// cross-province (跨省) visitors only ("跨省临时外出就医人员...", seed 003 医保发〔2024〕21号 二); the
/// city and provincial notices of the seeds speak of every visit outside the city (市外, 异地: seed 003
/// 苏医保发〔2024〕56号 二, 通医保发〔2024〕71号 四; seed 004 (三)(四)). `all_offsite`: the table applies to
/// intra-province (省内异地) and cross-province visits alike; `cross_province`: it applies to
/// cross-province visits, and intra-province visits take `reduction_intra`.
enum class ReductionScope : std::uint8_t { all_offsite, cross_province };
inline constexpr std::array kReductionScopes{ReductionScope::all_offsite, ReductionScope::cross_province};

constexpr std::string_view to_string(DeductibleKind k) {
  switch (k) {
    case DeductibleKind::none: return "none";
    case DeductibleKind::per_admission: return "per_admission";
    case DeductibleKind::annual: return "annual";
  }
  return "?";
}
constexpr std::string_view to_string(AdmissionOrdinal o) {
  switch (o) {
    case AdmissionOrdinal::first: return "first";
    case AdmissionOrdinal::second: return "second";
    case AdmissionOrdinal::third_plus: return "third_plus";
  }
  return "?";
}
constexpr std::string_view to_string(CapPool p) {
  switch (p) {
    case CapPool::inpatient: return "inpatient";
    case CapPool::outpatient: return "outpatient";
  }
  return "?";
}
constexpr std::string_view to_string(ReductionBase b) {
  switch (b) {
    case ReductionBase::basic_ratio: return "basic_ratio";
    case ReductionBase::all_layers: return "all_layers";
  }
  return "?";
}
constexpr std::string_view to_string(ReductionScope s) {
  switch (s) {
    case ReductionScope::all_offsite: return "all_offsite";
    case ReductionScope::cross_province: return "cross_province";
  }
  return "?";
}
constexpr const auto& members(DeductibleKind) { return kDeductibleKinds; }
constexpr const auto& members(AdmissionOrdinal) { return kAdmissionOrdinals; }
constexpr const auto& members(CapPool) { return kCapPools; }
constexpr const auto& members(ReductionBase) { return kReductionBases; }
constexpr const auto& members(ReductionScope) { return kReductionScopes; }
static_assert(lists_every_member<DeductibleKind>());
static_assert(lists_every_member<AdmissionOrdinal>());
static_assert(lists_every_member<CapPool>());
static_assert(lists_every_member<ReductionBase>());
static_assert(lists_every_member<ReductionScope>());

struct BenefitRule {
  Param<bool> covered;
  Param<DeductibleKind> deductible_kind;
  ByEnum<HospitalLevel, ByEnum<AdmissionOrdinal, Param<Money>>> deductible_per_admission;  // [level][ordinal]
  ByEnum<HospitalLevel, Param<Money>> deductible_annual;
  ByEnum<HospitalLevel, Param<Bands>> ratio;
  Param<Money> annual_cap;
  Param<CapPool> cap_pool;
};

/// A layer on the remaining in-policy burden after the pooled fund: residents' critical-illness
/// insurance (大病保险 → hifmi_pay) or employees' large-expense subsidy (大额补助 → hifob_pay).
/// Progressive bands over the year's cumulative burden above the threshold [secondary].
struct Layer {
  Param<bool> enabled;
  Param<Money> threshold;
  Param<Bands> bands;
  Param<Money> annual_cap;
  ByEnum<VisitType, Param<bool>> applies;
};

/// Medical assistance (医疗救助 → maf_pay) for eligible people.
struct Assistance {
  Param<Ratio> ratio;
  Param<Money> annual_cap;
  ByEnum<VisitType, Param<bool>> applies;
};

struct FilingRules {
  Param<std::int64_t> temporary_validity_months;  // Nantong 12, Bazhong 6 [seed 003, 004]
  Param<std::int64_t> commitment_days;            // 15 [seed 003]
  Param<std::int64_t> long_term_lock_months;      // 6 [seed 003, 004]
  Param<bool> long_term_indefinite;               // Bazhong yes; Jiangsu: as long as the material [seed 003, 004]
  ByEnum<VisitType, Param<bool>> requires_filing;  // Bazhong outpatient/pharmacy no [seed 004]
  Param<bool> retroactive_before_discharge;       // [seed 000, 003, 004]
  Param<std::vector<std::string>> free_zone;      // provinces needing no filing (视同备案 / 免备案 zones) [seed 003]
  Param<FilingCategory> free_zone_category;       // whose reduction a free-zone visit gets [assumed]
  /// Whether treatment in `province` (a province code) needs no filing.
  bool in_free_zone(RegionCode province) const;
};

struct ManualRules {
  Param<Points> extra_reduction;          // further cut on the manual path [assumed 0]
  Param<std::int64_t> lag_months;         // months from discharge to reimbursement [assumed]
  Param<Ratio> claim_share;               // share of manual-path patients who ever claim [assumed]
};

/// The insured region's policy (参保地政策) in force on one date.
struct InsuredPolicy {
  RegionCode region;
  Date as_of;
  ByEnum<InsuredGroup, ByEnum<VisitType, BenefitRule>> benefit;
  Layer critical_illness;                             // residents
  Layer large_expense;                                // employees
  Assistance assistance;
  /// Reductions by visit type and filing category, for the off-site visits `reduction_scope` names.
  using ReductionTable = ByEnum<VisitType, ByEnum<FilingCategory, Param<Reduction>>>;
  ReductionTable reduction;
  Param<ReductionScope> reduction_scope;
  ReductionTable reduction_intra;  // intra-province visits, where reduction_scope is cross_province
  Param<ReductionBase> reduction_base;
  Param<std::vector<std::string>> chronic_diseases;  // 门诊慢特病病种范围
  FilingRules filing;
  ManualRules manual;

  const BenefitRule& rule(InsuredGroup g, VisitType v) const { return benefit[index(g)][index(v)]; }
  /// Whether an off-site visit takes `reduction_intra` rather than `reduction`.
  bool uses_intra_table(bool cross_province) const {
    return !cross_province && reduction_scope.value == ReductionScope::cross_province;
  }
};

/// The treatment region's catalogue (就医地目录) in force on one date.
struct Catalogue {
  RegionCode region;
  Date as_of;
  ByEnum<VisitType, Param<Ratio>> selfpay_prop_b;  // 乙 self-pay-first share [secondary: 5–20%]
};

/// National rules every region's parameters are checked against.
struct NationalRules {
  Date as_of;
  ByEnum<FilingCategory, Param<Points>> reduction_ceiling;  // [seed 003]
  Param<Money> coaudit_threshold;                  // 30,000 yuan [seed 000, 003]
};


}  // namespace yidi
