#pragma once
// Filing rules (备案) [seed 000, 003, 004] and the direct-vs-manual decision (§4), as pure functions.
#include <optional>

#include "models/claim.hpp"
#include "models/policy.hpp"

namespace yidi {

/// Which rule made a visit's filing valid (none: not valid).
enum class FilingBasis : std::uint8_t {
  none,
  filing,        // the person's own filing
  emergency,     // deemed filed: the hospital uploaded the emergency flag [seed 003]
  free_zone,     // treated as filed in a free-filing zone (视同备案 / 免备案) [seed 003]
  not_required,  // the insured region needs no filing for this visit type [seed 004]
};

/// How a filing stands for one visit.
struct FilingStatus {
  bool valid = false;                                 // the visit may settle directly as far as filing goes
  FilingCategory category = FilingCategory::unfiled;  // whose reduction applies
  PathReason reason = PathReason::no_filing;          // when not valid
  FilingBasis basis = FilingBasis::none;              // when valid
  std::string detail;
};

/// When the person's filing was made, against the visit's dates.
enum class FiledWhen : std::uint8_t {
  by_admission,     // on or before admission
  by_discharge,     // after admission, on or before discharge: retroactive [seed 000, 003, 004]
  after_discharge,  // too late to settle directly (a manual claim only) [seed 003, 004]
};

/// The person's filing as facts about one visit: what filing_facts reads off a claim's dates, or
/// what the simulator draws. Facts only; resolve_filing(FilingFacts) applies the rules to them.
struct HeldFiling {
  FilingCategory category = FilingCategory::unfiled;  // the category applied for; unfiled: none held
  FiledWhen filed = FiledWhen::by_admission;
  bool covers_region = true;       // its target covers the treatment region (filing_covers_region)
  bool cancelled = false;          // cancelled on or before admission
  bool revoked = false;            // a commitment filing revoked on or before discharge
  bool expired = false;            // admitted after the end of its validity (filing_valid_until)
  bool referral_certified = true;  // a referral: the referral certificate was supplied (filed_category)
};

/// The facts of one off-site visit that decide its filing status.
struct FilingFacts {
  VisitType visit_type = VisitType::inpatient;
  bool emergency = false;  // the hospital uploaded the emergency flag
  bool free_zone = false;  // the treatment region is in a free-filing zone of the insured region (in_free_zone)
  HeldFiling filing;
};

/// The category a filing is made in. A referral filing (异地转诊) needs the referral certificate
/// (转诊转院证明材料) from an institution the insured region designates; a non-emergency temporary
/// filing without one is other temporary (其他临时外出就医), which needs no certificate [seed 003,
/// Jiangsu 一（一）2; DOMAIN.md §2]. Nantong says the same of the reductions: −10 points for a
/// referral filed after review by a designated institution, −20 for a non-emergency filing
/// without that review [seed 003, Nantong 四]. So a referred patient who files without the
/// certificate (in the simulator: retroactively, before discharge) is other temporary.
constexpr FilingCategory filed_category(FilingCategory applied_for, bool referral_certified) {
  return applied_for == FilingCategory::referral && !referral_certified ? FilingCategory::other_temporary : applied_for;
}

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

/// The filing status of one off-site visit from its facts, under the insured region's rules: the
/// one statement of the filing rules, used by `yidi settle` (through the overload below) and by the
/// simulator (with the facts it drew). In order:
/// 1. the person's filing, if it covers the treatment region, was not cancelled before admission
///    nor revoked before discharge (commitment), was made by admission — or by discharge where the
///    region allows retroactive filing [seed 000, 003, 004] — and the admission is inside its
///    validity (the discharge may be after it) [seed 003, 004]: valid, in filed_category;
/// 2. else an emergency is deemed filed [seed 003];
/// 3. else a free-filing zone is treated as filed, in the region's free_zone_category [seed 003];
/// 4. else a visit type the region needs no filing for settles unfiled [seed 004];
/// 5. else not valid: the filing's failure (wrong region, cancelled, revoked, expired) or no_filing.
/// No `detail`.
FilingStatus resolve_filing(const FilingFacts& facts, const FilingRules& rules);

/// The facts of a claim's visit and filing: its dates against the filing's (filing_valid_until,
/// commitment_revocation_date), its target against the treatment region, the free-filing zones.
/// Checks the cancellation against the lock (check_cancellation: InvalidClaim); DateRangeError
/// where a filing's validity or deadline leaves the supported range.
FilingFacts filing_facts(const Visit& visit, const std::optional<Filing>& filing, const FilingRules& rules);

/// The filing status of one visit from its claim: resolve_filing(filing_facts(...)), with a
/// human-readable `detail` unless `with_detail` is false.
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
/// A visit in the insured region itself settles locally, directly, under local rules.
inline constexpr PathDecision kLocalSettlement{SettlementPath::direct, PathReason::local};

}  // namespace yidi
