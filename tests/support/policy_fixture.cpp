#include "tests/support/policy_fixture.hpp"

#include <stdexcept>

namespace yidi::testing {
namespace {
const std::string kSource = "test fixture";
template <class T>
Param<T> p(T v) {
  return Param<T>{std::move(v), &kSource};
}
}  // namespace

Bands flat(Ratio r) { return Bands{RatioBand{Money::unlimited(), r}}; }
Date d(const char* iso) {
  auto x = Date::parse(iso);
  if (!x) throw std::invalid_argument(iso);
  return *x;
}
Money y(const char* yuan) {
  auto x = Money::parse(yuan);
  if (!x) throw std::invalid_argument(yuan);
  return *x;
}

InsuredPolicy simple_policy(RegionCode region) {
  InsuredPolicy pol;
  pol.region = region;
  pol.as_of = d("2024-01-01");
  for (auto g : kInsuredGroups) {
    for (auto v : kVisitTypes) {
      BenefitRule& r = pol.benefit[index(g)][index(v)];
      r.covered = p(true);
      r.deductible_kind = p(DeductibleKind::none);
      for (auto l : kHospitalLevels) {
        for (auto& x : r.deductible_per_admission[index(l)]) x = p(Money::zero());
        r.deductible_annual[index(l)] = p(Money::zero());
        r.ratio[index(l)] = p(flat(Ratio::percent(80)));
      }
      const bool inpatient_pool = v == VisitType::inpatient || v == VisitType::chronic_outpatient;
      r.annual_cap = p(inpatient_pool ? Money::yuan(500000) : Money::yuan(10000));
      r.cap_pool = p(inpatient_pool ? CapPool::inpatient : CapPool::outpatient);
    }
  }
  for (Layer* l : {&pol.critical_illness, &pol.large_expense}) {
    l->enabled = p(false);
    l->threshold = p(Money::yuan(10000));
    l->bands = p(flat(Ratio::percent(60)));
    l->annual_cap = p(Money::yuan(400000));
    for (auto v : kVisitTypes) l->applies[index(v)] = p(v == VisitType::inpatient || v == VisitType::chronic_outpatient);
  }
  pol.assistance.ratio = p(Ratio::percent(70));
  pol.assistance.annual_cap = p(Money::yuan(50000));
  for (auto v : kVisitTypes) {
    pol.assistance.applies[index(v)] = p(true);
    for (auto c : kFilingCategories) pol.reduction[index(v)][index(c)] = p(Reduction{});
    pol.filing.requires_filing[index(v)] = p(true);
  }
  pol.reduction_base = p(ReductionBase::basic_ratio);
  pol.chronic_diseases = p(std::vector<std::string>{"hypertension", "diabetes", "cancer_outpatient", "uremia_dialysis",
                                                    "transplant_antirejection"});
  pol.filing.temporary_validity_months = p<std::int64_t>(6);
  pol.filing.commitment_days = p<std::int64_t>(15);
  pol.filing.long_term_lock_months = p<std::int64_t>(6);
  pol.filing.long_term_indefinite = p(true);
  pol.filing.retroactive_before_discharge = p(true);
  pol.filing.free_zone = p(std::vector<std::string>{});
  pol.filing.free_zone_category = p(FilingCategory::other_temporary);
  pol.manual.extra_reduction = p(Points{0});
  pol.manual.lag_months = p<std::int64_t>(3);
  pol.manual.claim_share = p(Ratio::percent(70));
  return pol;
}

Catalogue simple_catalogue(RegionCode region) {
  Catalogue c;
  c.region = region;
  c.as_of = d("2024-01-01");
  for (auto v : kVisitTypes) c.selfpay_prop_b[index(v)] = p(Ratio::percent(10));
  return c;
}

NationalRules national_rules() {
  NationalRules n;
  n.as_of = d("2024-01-01");
  for (auto c : kFilingCategories) {
    std::int32_t pts = 0;
    switch (group_of(c)) {
      case FilingGroup::long_term: pts = 0; break;
      case FilingGroup::temporary: pts = c == FilingCategory::other_temporary ? 20 : 10; break;
      case FilingGroup::none: pts = 20; break;
    }
    n.reduction_ceiling[index(c)] = p(Points::of(pts));
  }
  n.coaudit_threshold = p(Money::yuan(30000));
  return n;
}

Visit visit(RegionCode insured, RegionCode treatment, VisitType type, Money a, Money b, Money c) {
  Visit v;
  v.id = "t";
  v.insured_region = insured;
  v.treatment_region = treatment;
  v.visit_type = type;
  v.admission = d("2024-03-01");
  v.discharge = d("2024-03-10");
  if (!a.is_zero()) v.lines.push_back(ClaimLine{ItemClass::a, a, {}, {}});
  if (!b.is_zero()) v.lines.push_back(ClaimLine{ItemClass::b, b, {}, {}});
  if (!c.is_zero()) v.lines.push_back(ClaimLine{ItemClass::c, c, {}, {}});
  v.medfee_sumamt = a + b + c;
  return v;
}

}  // namespace yidi::testing
