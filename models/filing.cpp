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

FilingStatus resolve_filing(const Visit& v, const std::optional<Filing>& filing, const FilingRules& rules,
                            bool with_detail) {
  FilingStatus st;
  // Text for people, built only when asked for.
  auto say = [&](auto&& make) {
    if (with_detail) st.detail = make();
  };
  // A filing of the person's, if it is of some use for this visit.
  if (filing && filing->category != FilingCategory::unfiled) {
    const Filing& f = *filing;
    check_cancellation(f, rules);
    if (!filing_covers_region(f.target, v.treatment_region)) {
      st.reason = PathReason::filing_wrong_region;
      say([&] { return std::string("filed for " + f.target.str() + ", treated in " + v.treatment_region.str()); });
    } else if (f.cancelled_on && *f.cancelled_on <= v.admission) {
      st.reason = PathReason::filing_cancelled;
      say([&] { return std::string("cancelled on " + f.cancelled_on->str()); });
    } else if (const auto rev = commitment_revocation_date(f, rules); rev && *rev <= v.discharge) {
      st.reason = PathReason::filing_revoked;
      say([&] { return std::string("commitment filing revoked on " + rev->str()); });
    } else {
      const auto until = filing_valid_until(f, rules);
      const bool started = f.filed_on <= v.admission ||
                           (rules.retroactive_before_discharge.value && f.filed_on <= v.discharge);
      const bool not_ended = !until || v.admission <= *until;
      if (started && not_ended) {
        st.valid = true;
        st.category = f.category;
        st.reason = PathReason::direct;
        say([&] { return std::string(f.filed_on <= v.admission ? "filed on " + f.filed_on.str()
                                              : "filed on " + f.filed_on.str() + ", before discharge (retroactive)"); });
        if (until && with_detail) st.detail += ", valid until " + until->str();
        return st;
      }
      st.reason = started ? PathReason::filing_expired : PathReason::no_filing;
      say([&] { return std::string(started ? "valid until " + until->str() + ", admitted " + v.admission.str()
                          : "filed on " + f.filed_on.str() + ", after discharge"); });
    }
  }
  // Emergency is deemed filed: the hospital uploads the flag [seed 003].
  if (v.emergency) {
    st.valid = true;
    st.category = FilingCategory::emergency;
    st.reason = PathReason::direct;
    say([&] { return std::string("emergency: deemed filed"); });
    return st;
  }
  // A free-filing zone: treated as filed (视同备案 / 免备案) [seed 003]; after the emergency flag,
  // which the hospital sets and which keeps its own category.
  if (rules.in_free_zone(v.treatment_region)) {
    st.valid = true;
    st.category = rules.free_zone_category.value;
    st.reason = PathReason::direct;
    say([&] { return std::string("free-filing zone: treated as filed"); });
    return st;
  }
  // Some regions need no filing for outpatient care or pharmacy purchases [seed 004].
  if (!rules.requires_filing[index(v.visit_type)].value) {
    st.valid = true;
    st.category = FilingCategory::unfiled;  // any filing it had was not valid, or it would have returned
    st.reason = PathReason::direct;
    say([&] { return std::string("no filing required for " + std::string(to_string(v.visit_type))); });
    return st;
  }
  st.category = FilingCategory::unfiled;
  if (with_detail && st.detail.empty()) st.detail = "no filing";
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
