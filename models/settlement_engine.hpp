#pragma once
// The settlement engine (QuantLib's pricing-engine idea): stateless; a request goes in with the
// treatment region's catalogue and the insured region's policy as arguments, a result comes out.
// "Not payable" and "not filed" are values in the result; only malformed input throws.
#include "models/claim.hpp"
#include "models/filing.hpp"
#include "models/policy.hpp"

namespace yidi {

/// Step A: the treatment region's catalogue splits the bill [seed 000, 004].
struct CatalogueSplit {
  Money fulamt_ownpay_amt;  // 丙
  Money overlmt_selfpay;    // above price caps
  Money preselfpay_amt;     // 乙 self-pay-first, rounded half-up per line
  Money inscp_scp_amt;      // policy-eligible: the rest, by subtraction
};

class SettlementEngine {
public:
  /// Checks a request once, on entry; throws InvalidClaim naming the field.
  static void validate(const SettlementRequest& request);

  static CatalogueSplit split(const Visit& visit, const Catalogue& treatment, Explanation* explain = nullptr);

  /// Settles one visit. `treatment` is the treatment region's catalogue and `insured` the insured
  /// region's policy, both in force on the discharge date; `national` supplies the co-audit threshold.
  static Settlement settle(const SettlementRequest& request, const Catalogue& treatment,
                           const InsuredPolicy& insured, const NationalRules& national, bool explain = false);
};

}  // namespace yidi
