#pragma once
// The settlement engine (QuantLib's pricing-engine idea): stateless; a request goes in with the
// treatment region's catalogue and the insured region's policy as arguments, a result comes out.
// "Not payable" and "not filed" are values in the result; only malformed input throws.
#include "models/claim.hpp"
#include "models/filing.hpp"
#include "models/policy.hpp"
#include "models/rounding.hpp"

namespace yidi {

/// Step A: the treatment region's catalogue splits the bill [seed 000, 004].
struct CatalogueSplit {
  Money fulamt_ownpay_amt;  // 丙
  Money overlmt_selfpay;    // above price caps
  Money preselfpay_amt;     // 乙 self-pay-first, rounded half-up per line
  Money inscp_scp_amt;      // policy-eligible: the rest, by subtraction
};

/// Step B's inputs once the path, the filing category and the eligible amount are known: plain
/// values, no strings or containers, so the simulator can call it hundreds of millions of times.
struct PolicyInput {
  InsuredGroup group = InsuredGroup::employee_in_service;
  VisitType visit_type = VisitType::inpatient;
  HospitalLevel level = HospitalLevel::level3;
  Money eligible;                                    // inscp_scp_amt from Step A
  bool offsite = false;                              // treated outside the insured region
  // Offsite and in another province (is_cross_province): picks the reduction table
  // (InsuredPolicy::reduction_scope). True unless the caller says otherwise, as every off-site visit
  // was while the simulator's pools were provinces; settle and the simulator set it from the codes.
  bool cross_province = true;
  SettlementPath path = SettlementPath::direct;
  FilingCategory category = FilingCategory::unfiled; // whose reduction applies (offsite only)
  bool assistance_eligible = false;
  bool disease_listed = true;                        // chronic/special outpatient: on the insured region's list
  YearToDate ytd;
};

enum class NotPayable : std::uint8_t { none, visit_type_not_covered, disease_not_listed };

/// Step B's result.
struct PolicyResult {
  NotPayable not_payable = NotPayable::none;
  Money deductible;
  Reduction reduction;
  Money hifp;   // pooled fund
  Money layer;  // critical illness (residents) or large expense (employees)
  Money maf;    // medical assistance
  YearToDate ytd_after;
  Money fund() const { return hifp + layer + maf; }
};

/// A cross-province inpatient bill at or above the national threshold (national.coaudit_threshold,
/// 30,000 yuan) is sent to co-audit (协查) [seed 000, 003]. The one statement of the test, for
/// `yidi settle` (Settlement::coaudit) and the simulator (the co-audited fund pay it clears).
inline bool sent_to_coaudit(bool cross_province, VisitType type, Money medfee, Money threshold) {
  return cross_province && type == VisitType::inpatient && medfee >= threshold;
}

class SettlementEngine {
public:
  /// Step A for class totals (one line per class): 丙 and the over-cap part self-paid, 乙's
  /// self-pay-first share rounded half-up, the eligible amount by subtraction.
  static CatalogueSplit split_classes(Money class_a, Money class_b, Money class_c, Money over_price_cap, Ratio selfpay_prop_b);

  /// Step B: deductible, reduction, pooled fund with its cap, the critical-illness or large-expense
  /// layer, medical assistance [DOMAIN.md §3]. `explain`, when given, receives each step.
  static PolicyResult apply_policy(const PolicyInput& in, const InsuredPolicy& insured, Explanation* explain = nullptr);

  /// Checks a request once, on entry; throws InvalidClaim naming the field.
  static void validate(const SettlementRequest& request);

  static CatalogueSplit split(const Visit& visit, const Catalogue& treatment, Explanation* explain = nullptr);

  /// Settles one visit. `treatment` is the treatment region's catalogue and `insured` the insured
  /// region's policy, both in force on the discharge date; `national` supplies the co-audit threshold.
  static Settlement settle(const SettlementRequest& request, const Catalogue& treatment,
                           const InsuredPolicy& insured, const NationalRules& national, bool explain = false);
};

}  // namespace yidi
