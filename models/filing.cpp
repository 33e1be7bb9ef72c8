#include "models/filing.hpp"

namespace yidi {

std::string_view describe(PathReason r) {
  switch (r) {
    case PathReason::direct: return "settled directly";
    case PathReason::local: return "treated in the insured region: local settlement";
    case PathReason::not_networked: return "institution not networked for this visit type";
    case PathReason::no_filing: return "no filing, not an emergency, not filed before discharge";
    case PathReason::filing_wrong_region: return "the filing is for another region";
    case PathReason::filing_expired: return "admission outside the filing's validity";
    case PathReason::filing_revoked: return "commitment filing revoked: documents not supplied in time";
    case PathReason::filing_cancelled: return "filing cancelled before admission";
    case PathReason::no_credential: return "e-voucher or card not presented";
    case PathReason::settlement_failed: return "settlement failed (system error)";
  }
  return "?";
}

std::optional<Date> filing_valid_until(const Filing& f, const FilingRules& rules) {
  switch (group_of(f.category)) {
    case FilingGroup::long_term:
      if (rules.long_term_indefinite.value) return std::nullopt;
      return f.valid_until;  // as long as the supporting material (none given: indefinite)
    case FilingGroup::temporary:
      if (f.valid_until) return f.valid_until;
      return f.filed_on.plus_months(static_cast<int>(rules.temporary_validity_months.value)).plus_days(-1);
    case FilingGroup::none: return f.filed_on.plus_days(-1);  // an "unfiled" filing covers nothing
  }
  return std::nullopt;
}

std::optional<Date> commitment_revocation_date(const Filing& f, const FilingRules& rules) {
  if (!f.commitment) return std::nullopt;
  const Date deadline = f.filed_on.plus_days(static_cast<std::int32_t>(rules.commitment_days.value));
  if (f.documents_supplied_on && *f.documents_supplied_on <= deadline) return std::nullopt;
  return deadline.plus_days(1);
}

bool may_cancel(const Filing& f, Date date, const FilingRules& rules) {
  if (group_of(f.category) != FilingGroup::long_term) return true;  // temporary: any time [seed 003]
  return date >= f.filed_on.plus_months(static_cast<int>(rules.long_term_lock_months.value));
}

void check_cancellation(const Filing& f, const FilingRules& rules) {
  if (!f.cancelled_on || may_cancel(f, *f.cancelled_on, rules)) return;
  const Date from = f.filed_on.plus_months(static_cast<int>(rules.long_term_lock_months.value));
  throw InvalidClaim("cancel_date", "expected a cancel_date on or after " + from.str() + ": a long-term filing made on " +
                                        f.filed_on.str() + " cannot be cancelled within " +
                                        std::to_string(rules.long_term_lock_months.value) +
                                        " months (DOMAIN.md §2 [seed 003, 004]), got '" + f.cancelled_on->str() + "'");
}

bool filing_covers_region(RegionCode target, RegionCode region) {
  if (target == region) return true;
  return target.is_province() && target.province_number() == region.province_number();
}

FilingStatus resolve_filing(const FilingFacts& x, const FilingRules& rules) {
  FilingStatus st;
  // 1. A filing of the person's, if it is of some use for this visit.
  if (const HeldFiling& f = x.filing; f.category != FilingCategory::unfiled) {
    const bool started = f.filed == FiledWhen::by_admission ||
                         (rules.retroactive_before_discharge.value && f.filed == FiledWhen::by_discharge);
    if (!f.covers_region) {
      st.reason = PathReason::filing_wrong_region;
    } else if (f.cancelled) {
      st.reason = PathReason::filing_cancelled;
    } else if (f.revoked) {
      st.reason = PathReason::filing_revoked;
    } else if (!started) {
      st.reason = PathReason::no_filing;
    } else if (f.expired) {
      st.reason = PathReason::filing_expired;
    } else {
      st.valid = true;
      st.category = filed_category(f.category, f.referral_certified);
      st.reason = PathReason::direct;
      st.basis = FilingBasis::filing;
      return st;
    }
  }
  auto valid_as = [&](FilingCategory category, FilingBasis basis) {
    st.valid = true;
    st.category = category;
    st.reason = PathReason::direct;
    st.basis = basis;
    return st;
  };
  // 2. Emergency is deemed filed: the hospital uploads the flag [seed 003].
  if (x.emergency) return valid_as(FilingCategory::emergency, FilingBasis::emergency);
  // 3. A free-filing zone: treated as filed (视同备案 / 免备案) [seed 003]; after the emergency flag,
  // which the hospital sets and which keeps its own category.
  if (x.free_zone) return valid_as(rules.free_zone_category.value, FilingBasis::free_zone);
  // 4. Some regions need no filing for outpatient care or pharmacy purchases [seed 004]; any
  // filing the person had was not valid, or it would have returned.
  if (!rules.requires_filing[index(x.visit_type)].value) return valid_as(FilingCategory::unfiled, FilingBasis::not_required);
  // 5. Not valid: the filing's failure, or no filing.
  st.category = FilingCategory::unfiled;
  return st;
}

FilingFacts filing_facts(const Visit& v, const std::optional<Filing>& filing, const FilingRules& rules) {
  FilingFacts x;
  x.visit_type = v.visit_type;
  x.emergency = v.emergency;
  x.free_zone = rules.in_free_zone(v.treatment_region);
  if (!filing || filing->category == FilingCategory::unfiled) return x;
  const Filing& f = *filing;
  check_cancellation(f, rules);
  HeldFiling& h = x.filing;
  h.category = f.category;
  h.filed = f.filed_on <= v.admission   ? FiledWhen::by_admission
            : f.filed_on <= v.discharge ? FiledWhen::by_discharge
                                        : FiledWhen::after_discharge;
  h.covers_region = filing_covers_region(f.target, v.treatment_region);
  h.cancelled = f.cancelled_on && *f.cancelled_on <= v.admission;
  const auto rev = commitment_revocation_date(f, rules);
  h.revoked = rev && *rev <= v.discharge;
  const auto until = filing_valid_until(f, rules);
  h.expired = until && *until < v.admission;
  h.referral_certified = true;  // a referral filing on record was registered with its certificate
  return x;
}

namespace {
/// The sentence for people about a visit's filing status.
std::string filing_detail(const FilingStatus& st, const Visit& v, const std::optional<Filing>& filing,
                          const FilingRules& rules) {
  switch (st.basis) {
    case FilingBasis::filing: {
      const Filing& f = *filing;
      std::string s = f.filed_on <= v.admission ? "filed on " + f.filed_on.str()
                                                : "filed on " + f.filed_on.str() + ", before discharge (retroactive)";
      if (const auto until = filing_valid_until(f, rules)) s += ", valid until " + until->str();
      return s;
    }
    case FilingBasis::emergency: return "emergency: deemed filed";
    case FilingBasis::free_zone: return "free-filing zone: treated as filed";
    case FilingBasis::not_required: return "no filing required for " + std::string(to_string(v.visit_type));
    case FilingBasis::none: break;
  }
  if (!filing || filing->category == FilingCategory::unfiled) return "no filing";
  const Filing& f = *filing;
  switch (st.reason) {
    case PathReason::filing_wrong_region: return "filed for " + f.target.str() + ", treated in " + v.treatment_region.str();
    case PathReason::filing_cancelled: return "cancelled on " + f.cancelled_on->str();
    case PathReason::filing_revoked: return "commitment filing revoked on " + commitment_revocation_date(f, rules)->str();
    case PathReason::filing_expired:
      return "valid until " + filing_valid_until(f, rules)->str() + ", admitted " + v.admission.str();
    default: return "filed on " + f.filed_on.str() + ", after discharge";
  }
}
}  // namespace

FilingStatus resolve_filing(const Visit& v, const std::optional<Filing>& filing, const FilingRules& rules,
                            bool with_detail) {
  FilingStatus st = resolve_filing(filing_facts(v, filing, rules), rules);
  if (with_detail) st.detail = filing_detail(st, v, filing, rules);
  return st;
}

PathDecision decide_path(bool networked, const FilingStatus& filing, bool credential_presented, bool settlement_failed) {
  if (!networked) return {SettlementPath::manual, PathReason::not_networked};
  if (!filing.valid) return {SettlementPath::manual, filing.reason};
  if (!credential_presented) return {SettlementPath::manual, PathReason::no_credential};
  if (settlement_failed) return {SettlementPath::manual, PathReason::settlement_failed};
  return {SettlementPath::direct, PathReason::direct};
}

PathDecision decide_path(const Visit& v, const FilingStatus& filing) {
  return decide_path(v.networked, filing, v.credential_presented, v.settlement_failed);
}

}  // namespace yidi
