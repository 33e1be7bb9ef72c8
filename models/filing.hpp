#pragma once
// Filing rules (备案) [seed 000, 003, 004] and the direct-vs-manual decision (§4), as pure functions.
#include <optional>

#include "models/claim.hpp"
#include "models/policy.hpp"

namespace yidi {

/// How a filing stands for one visit.
struct FilingStatus {
  bool valid = false;                                 // the visit may settle directly as far as filing goes
  FilingCategory category = FilingCategory::unfiled;  // whose reduction applies
  PathReason reason = PathReason::no_filing;          // when not valid
  std::string detail;
};

/// Last day the filing covers an admission: temporary = filed_on + validity months (or its own
/// valid_until), long-term = indefinite or until its material's end. nullopt = indefinite.
std::optional<Date> filing_valid_until(const Filing& filing, const FilingRules& rules);
/// The day a commitment filing is revoked if its documents are still missing; nullopt if never.
std::optional<Date> commitment_revocation_date(const Filing& filing, const FilingRules& rules);
/// Whether the filing may be cancelled on `date` (long-term filings are locked for N months [seed 003, 004]).
bool may_cancel(const Filing& filing, Date date, const FilingRules& rules);
/// A filing's recorded cancellation against the lock: a long-term filing cannot be cancelled or
/// changed within filing.long_term_lock_months of being made (DOMAIN.md §2 [seed 003, 004]), so a
/// cancelled_on inside the lock is not a cancellation that can have happened. Throws InvalidClaim
/// naming cancel_date ("expected a cancel_date on or after ..., got '...'"); a bad record, which
/// callers report and skip, rather than a guess at whether the filing ended.
void check_cancellation(const Filing& filing, const FilingRules& rules);
/// Whether `target` (a city, or a province) covers treatment in `region`.
bool filing_covers_region(RegionCode target, RegionCode region);

/// The filing status of one visit under the insured region's rules:
/// emergency is deemed filed; a filing made on or before discharge counts (retroactive);
/// an admission inside the validity window may be discharged after it [seed 003, 004]; a
/// cancellation counts only where the lock allows it (check_cancellation: InvalidClaim otherwise).
/// `with_detail` false skips the human-readable `detail` (the simulator's hot path).
FilingStatus resolve_filing(const Visit& visit, const std::optional<Filing>& filing, const FilingRules& rules,
                            bool with_detail = true);

struct PathDecision {
  SettlementPath path = SettlementPath::direct;
  PathReason reason = PathReason::direct;
};

/// Direct settlement needs: a networked institution, a valid filing (or none required), the
/// credential presented, and no settlement failure [seed 000, 001, 003]. First failing test wins.
PathDecision decide_path(const Visit& visit, const FilingStatus& filing);
/// The same from the four facts alone (the simulator's hot path).
PathDecision decide_path(bool networked, const FilingStatus& filing, bool credential_presented, bool settlement_failed);

}  // namespace yidi
