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
/// Which annual cap (最高支付限额) a visit type counts against [assumed: inpatient and chronic
/// outpatient share one, general outpatient and pharmacy another].
enum class CapPool : std::uint8_t { inpatient, outpatient };
inline constexpr std::size_t kCapPools = 2;

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

struct BenefitRule {
  Param<bool> covered;
  Param<DeductibleKind> deductible_kind;
  /// [level][0 = first admission, 1 = second, 2 = third and later]
  std::array<std::array<Param<Money>, 3>, 3> deductible_per_admission;
  std::array<Param<Money>, 3> deductible_annual;  // [level]
  std::array<Param<Bands>, 3> ratio;              // [level]
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
  std::array<Param<bool>, 4> applies;  // [visit type]
};

/// Medical assistance (医疗救助 → maf_pay) for eligible people.
struct Assistance {
  Param<Ratio> ratio;
  Param<Money> annual_cap;
  std::array<Param<bool>, 4> applies;  // [visit type]
};

struct FilingRules {
  Param<std::int64_t> temporary_validity_months;  // Nantong 12, Bazhong 6 [seed 003, 004]
  Param<std::int64_t> commitment_days;            // 15 [seed 003]
  Param<std::int64_t> long_term_lock_months;      // 6 [seed 003, 004]
  Param<bool> long_term_indefinite;               // Bazhong yes; Jiangsu: as long as the material [seed 003, 004]
  std::array<Param<bool>, 4> requires_filing;     // [visit type]; Bazhong outpatient/pharmacy no [seed 004]
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
  std::array<std::array<BenefitRule, 4>, 3> benefit;  // [insured group][visit type]
  Layer critical_illness;                             // residents
  Layer large_expense;                                // employees
  Assistance assistance;
  std::array<std::array<Param<Reduction>, 7>, 4> reduction;  // [visit type][filing category]
  Param<ReductionBase> reduction_base;
  Param<std::vector<std::string>> chronic_diseases;  // 门诊慢特病病种范围
  FilingRules filing;
  ManualRules manual;

  const BenefitRule& rule(InsuredGroup g, VisitType v) const { return benefit[index(g)][index(v)]; }
};

/// The treatment region's catalogue (就医地目录) in force on one date.
struct Catalogue {
  RegionCode region;
  Date as_of;
  std::array<Param<Ratio>, 4> selfpay_prop_b;  // 乙 self-pay-first share by visit type [secondary: 5–20%]
};

/// National rules every region's parameters are checked against.
struct NationalRules {
  Date as_of;
  std::array<Param<Points>, 7> reduction_ceiling;  // [filing category] [seed 003]
  Param<Money> coaudit_threshold;                  // 30,000 yuan [seed 000, 003]
};

std::string_view to_string(DeductibleKind);
std::string_view to_string(CapPool);
std::string_view to_string(ReductionBase);

}  // namespace yidi
