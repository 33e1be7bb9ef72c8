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

std::optional<InsuredGroup> parse_insured_group(std::string_view s) { return parse_with(s, kInsuredGroups); }
std::optional<VisitType> parse_visit_type(std::string_view s) { return parse_with(s, kVisitTypes); }
std::optional<HospitalLevel> parse_hospital_level(std::string_view s) { return parse_with(s, kHospitalLevels); }
std::optional<FilingCategory> parse_filing_category(std::string_view s) { return parse_with(s, kFilingCategories); }

}  // namespace yidi
