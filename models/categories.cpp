#include "models/categories.hpp"

namespace yidi {
namespace {
template <class E, std::size_t N>
std::optional<E> parse_with(std::string_view s, const std::array<E, N>& all) {
  for (E e : all)
    if (to_string(e) == s) return e;
  return std::nullopt;
}
}  // namespace

std::string_view to_string(InsuredGroup g) {
  switch (g) {
    case InsuredGroup::employee_in_service: return "employee_in_service";
    case InsuredGroup::employee_retired: return "employee_retired";
    case InsuredGroup::resident: return "resident";
  }
  return "?";
}
std::string_view to_string(Scheme s) {
  switch (s) {
    case Scheme::employee: return "employee";
    case Scheme::resident: return "resident";
  }
  return "?";
}
std::string_view to_string(VisitType v) {
  switch (v) {
    case VisitType::inpatient: return "inpatient";
    case VisitType::general_outpatient: return "general_outpatient";
    case VisitType::chronic_outpatient: return "chronic_outpatient";
    case VisitType::pharmacy: return "pharmacy";
  }
  return "?";
}
std::string_view to_string(HospitalLevel l) {
  switch (l) {
    case HospitalLevel::level1: return "level1";
    case HospitalLevel::level2: return "level2";
    case HospitalLevel::level3: return "level3";
  }
  return "?";
}
std::string_view to_string(FilingCategory c) {
  switch (c) {
    case FilingCategory::retiree_resettled: return "retiree_resettled";
    case FilingCategory::long_term_resident: return "long_term_resident";
    case FilingCategory::stationed_worker: return "stationed_worker";
    case FilingCategory::referral: return "referral";
    case FilingCategory::emergency: return "emergency";
    case FilingCategory::other_temporary: return "other_temporary";
    case FilingCategory::unfiled: return "unfiled";
  }
  return "?";
}
std::string_view to_string(FilingGroup g) {
  switch (g) {
    case FilingGroup::long_term: return "long_term";
    case FilingGroup::temporary: return "temporary";
    case FilingGroup::none: return "none";
  }
  return "?";
}
std::string_view to_string(ItemClass c) {
  switch (c) {
    case ItemClass::a: return "a";
    case ItemClass::b: return "b";
    case ItemClass::c: return "c";
  }
  return "?";
}

std::optional<InsuredGroup> parse_insured_group(std::string_view s) { return parse_with(s, kInsuredGroups); }
std::optional<VisitType> parse_visit_type(std::string_view s) { return parse_with(s, kVisitTypes); }
std::optional<HospitalLevel> parse_hospital_level(std::string_view s) { return parse_with(s, kHospitalLevels); }
std::optional<FilingCategory> parse_filing_category(std::string_view s) { return parse_with(s, kFilingCategories); }

}  // namespace yidi
