#pragma once
// The domain's categories. Switches over these have no `default:` so that adding a member
// breaks the build until every rule handles it (STYLE.md).
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

std::string_view to_string(InsuredGroup);
std::string_view to_string(Scheme);
std::string_view to_string(VisitType);
std::string_view to_string(HospitalLevel);
std::string_view to_string(FilingCategory);
std::string_view to_string(FilingGroup);
std::string_view to_string(ItemClass);

std::optional<InsuredGroup> parse_insured_group(std::string_view);
std::optional<VisitType> parse_visit_type(std::string_view);
std::optional<HospitalLevel> parse_hospital_level(std::string_view);
std::optional<FilingCategory> parse_filing_category(std::string_view);

template <class E>
constexpr std::size_t index(E e) { return static_cast<std::size_t>(e); }

}  // namespace yidi
