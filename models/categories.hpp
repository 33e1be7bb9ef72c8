#pragma once
// The domain's categories. Switches over these have no `default:` so that adding a member
// breaks the build until every rule handles it (STYLE.md).
//
// Each category has the list of its members in order (kInsuredGroups, kFilingCategories, ...) and
// its labels (to_string). Arrays indexed by a category are sized by it (ByEnum<E, T>), and the
// static_asserts at the end check that each list holds every member, in order: a new member
// breaks the build (an unhandled case in to_string, then the list, then every array it sizes)
// instead of being written past the end of an array.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace yidi {

/// Insured group: scheme (职工医保 employee / 城乡居民医保 resident) and, for employees,
/// in service (在职) or retired (退休). The insured region's policy is keyed by it.
enum class InsuredGroup : std::uint8_t { employee_in_service, employee_retired, resident };
inline constexpr std::array kInsuredGroups{InsuredGroup::employee_in_service, InsuredGroup::employee_retired,
                                           InsuredGroup::resident};

enum class Scheme : std::uint8_t { employee, resident };
inline constexpr std::array kSchemes{Scheme::employee, Scheme::resident};
constexpr Scheme scheme_of(InsuredGroup g) {
  return g == InsuredGroup::resident ? Scheme::resident : Scheme::employee;
}

/// Visit type (医疗类别 `med_type`): inpatient 住院 (21), general outpatient 普通门诊 (11),
/// chronic/special outpatient 门诊慢特病 (14), pharmacy purchase 定点药店购药 (41).
enum class VisitType : std::uint8_t { inpatient, general_outpatient, chronic_outpatient, pharmacy };
inline constexpr std::array kVisitTypes{VisitType::inpatient, VisitType::general_outpatient,
                                        VisitType::chronic_outpatient, VisitType::pharmacy};

/// Hospital level (医院等级): 一级 / 二级 / 三级. Pharmacies settle at level 1.
enum class HospitalLevel : std::uint8_t { level1, level2, level3 };
inline constexpr std::array kHospitalLevels{HospitalLevel::level1, HospitalLevel::level2, HospitalLevel::level3};

/// Filing category (异地就医备案类型) [seed 000, 003, 004]: three long-term (长期异地居住),
/// three temporary (临时外出就医), and unfiled.
enum class FilingCategory : std::uint8_t {
  retiree_resettled,   // 异地安置退休人员
  long_term_resident,  // 异地长期居住人员
  stationed_worker,    // 常驻异地工作人员
  referral,            // 异地转诊人员
  emergency,           // 异地急诊抢救人员
  other_temporary,     // 其他临时外出就医人员
  unfiled,             // 未备案
};
inline constexpr std::array kFilingCategories{
    FilingCategory::retiree_resettled, FilingCategory::long_term_resident, FilingCategory::stationed_worker,
    FilingCategory::referral,          FilingCategory::emergency,          FilingCategory::other_temporary,
    FilingCategory::unfiled};

enum class FilingGroup : std::uint8_t { long_term, temporary, none };
inline constexpr std::array kFilingGroups{FilingGroup::long_term, FilingGroup::temporary, FilingGroup::none};
constexpr FilingGroup group_of(FilingCategory c) {
  switch (c) {
    case FilingCategory::retiree_resettled:
    case FilingCategory::long_term_resident:
    case FilingCategory::stationed_worker: return FilingGroup::long_term;
    case FilingCategory::referral:
    case FilingCategory::emergency:
    case FilingCategory::other_temporary: return FilingGroup::temporary;
    case FilingCategory::unfiled: return FilingGroup::none;
  }
  return FilingGroup::none;
}

/// Catalogue class of a line (`chrgitm_lv`): 甲 fully eligible, 乙 eligible after a
/// self-pay-first share, 丙 / out of catalogue fully self-paid.
enum class ItemClass : std::uint8_t { a, b, c };
inline constexpr std::array kItemClasses{ItemClass::a, ItemClass::b, ItemClass::c};

constexpr std::string_view to_string(InsuredGroup g) {
  switch (g) {
    case InsuredGroup::employee_in_service: return "employee_in_service";
    case InsuredGroup::employee_retired: return "employee_retired";
    case InsuredGroup::resident: return "resident";
  }
  return "?";
}
constexpr std::string_view to_string(Scheme s) {
  switch (s) {
    case Scheme::employee: return "employee";
    case Scheme::resident: return "resident";
  }
  return "?";
}
constexpr std::string_view to_string(VisitType v) {
  switch (v) {
    case VisitType::inpatient: return "inpatient";
    case VisitType::general_outpatient: return "general_outpatient";
    case VisitType::chronic_outpatient: return "chronic_outpatient";
    case VisitType::pharmacy: return "pharmacy";
  }
  return "?";
}
constexpr std::string_view to_string(HospitalLevel l) {
  switch (l) {
    case HospitalLevel::level1: return "level1";
    case HospitalLevel::level2: return "level2";
    case HospitalLevel::level3: return "level3";
  }
  return "?";
}
constexpr std::string_view to_string(FilingCategory c) {
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
constexpr std::string_view to_string(FilingGroup g) {
  switch (g) {
    case FilingGroup::long_term: return "long_term";
    case FilingGroup::temporary: return "temporary";
    case FilingGroup::none: return "none";
  }
  return "?";
}
constexpr std::string_view to_string(ItemClass c) {
  switch (c) {
    case ItemClass::a: return "a";
    case ItemClass::b: return "b";
    case ItemClass::c: return "c";
  }
  return "?";
}

std::optional<InsuredGroup> parse_insured_group(std::string_view);
std::optional<VisitType> parse_visit_type(std::string_view);
std::optional<HospitalLevel> parse_hospital_level(std::string_view);
std::optional<FilingCategory> parse_filing_category(std::string_view);

template <class E>
constexpr std::size_t index(E e) { return static_cast<std::size_t>(e); }

/// The member list of a category, found by overload: members(VisitType{}) is kVisitTypes.
constexpr const auto& members(InsuredGroup) { return kInsuredGroups; }
constexpr const auto& members(Scheme) { return kSchemes; }
constexpr const auto& members(VisitType) { return kVisitTypes; }
constexpr const auto& members(HospitalLevel) { return kHospitalLevels; }
constexpr const auto& members(FilingCategory) { return kFilingCategories; }
constexpr const auto& members(FilingGroup) { return kFilingGroups; }
constexpr const auto& members(ItemClass) { return kItemClasses; }

/// How many members a category has.
template <class E>
inline constexpr std::size_t kCount = members(E{}).size();
/// An array indexed by a category (with index(e)), sized by it.
template <class E, class T>
using ByEnum = std::array<T, kCount<E>>;

/// Member i of the list has index i, and no member after the last has a label: the list is the
/// whole category, in order.
template <class E>
constexpr bool lists_every_member() {
  const auto& all = members(E{});
  for (std::size_t i = 0; i < all.size(); ++i)
    if (index(all[i]) != i) return false;
  return to_string(static_cast<E>(all.size())) == "?";
}
static_assert(lists_every_member<InsuredGroup>());
static_assert(lists_every_member<Scheme>());
static_assert(lists_every_member<VisitType>());
static_assert(lists_every_member<HospitalLevel>());
static_assert(lists_every_member<FilingCategory>());
static_assert(lists_every_member<FilingGroup>());
static_assert(lists_every_member<ItemClass>());

}  // namespace yidi
