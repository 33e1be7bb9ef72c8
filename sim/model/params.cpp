#include "sim/model/params.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace yidi::sim {

double Series::at(int m) const {
  if (points.empty()) return 0;
  if (m <= points.front().first) return points.front().second;
  if (m >= points.back().first) return points.back().second;
  const auto it = std::upper_bound(points.begin(), points.end(), m,
                                   [](int x, const std::pair<int, double>& p) { return x < p.first; });
  const auto& [m1, v1] = *it;
  const auto& [m0, v0] = *std::prev(it);
  return v0 + (v1 - v0) * static_cast<double>(m - m0) / static_cast<double>(m1 - m0);
}

const Series& regional_series(const SimParams& p, std::string_view name, const Series& national, std::uint32_t code,
                              std::uint32_t province) {
  const auto by = p.by_region.find(name);
  if (by == p.by_region.end()) return national;
  auto it = by->second.find(code);
  if (it == by->second.end()) it = by->second.find(province);
  return it == by->second.end() ? national : it->second;
}

Series Series::yearly(std::initializer_list<std::pair<int, double>> pts) {
  Series s;
  for (const auto& [year, v] : pts) s.points.emplace_back(year * 12, v);
  return s;
}

Series Series::mid_year(std::initializer_list<std::pair<int, double>> pts) {
  Series s;
  for (const auto& [year, v] : pts) s.points.emplace_back(year * 12 + 6, v);
  return s;
}

double Series::at_growing(int m, double growth) const {
  // A number (Series::flat: one point at month 0, no date) is the same in every month.
  if (points.empty() || m <= points.back().first || points.back().first == 0) return at(m);
  return points.back().second * std::pow(1 + growth, static_cast<double>(m - points.back().first) / 12.0);
}

double care_volume_at(const SimParams& p, int m) { return p.care_volume.at_growing(m, p.care_volume_growth); }
double care_cost_at(const SimParams& p, int m) { return p.care_cost.at_growing(m, p.care_cost_growth); }
double care_spending_at(const SimParams& p, int m) {
  const double s = care_volume_at(p, m) * care_cost_at(p, m);
  if (!(s <= 1e9)) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "care.volume_index × care.cost_index reaches %.3g in %04d-%02d (their growth compounded): beyond 10^9, "
                  "more than the funds' amounts can carry",
                  s, m / 12, m % 12 + 1);
    throw std::overflow_error(buf);
  }
  return s;
}

namespace {
ParamDef num(std::string name, double SimParams::*p, double lo, double hi, std::string source, std::string desc) {
  return ParamDef{std::move(name), ParamDef::Kind::number, p, nullptr, lo, hi, std::move(source), std::move(desc)};
}
ParamDef ser(std::string name, Series SimParams::*p, std::string source, std::string desc,
             ParamDef::Regional regional = ParamDef::Regional::none) {
  return ParamDef{std::move(name), ParamDef::Kind::series, nullptr, p, 0, 1, std::move(source), std::move(desc), regional};
}
ParamDef ser_range(std::string name, Series SimParams::*p, double lo, double hi, std::string source, std::string desc) {
  return ParamDef{std::move(name), ParamDef::Kind::series, nullptr, p, lo, hi, std::move(source), std::move(desc)};
}
}  // namespace

const std::vector<ParamDef>& param_defs() {
  static const std::vector<ParamDef> defs = [] {
    std::vector<ParamDef> v = {
      num("population.employees_in_service", &SimParams::employees_in_service, 0, 2e9, "2022 快报 26,607万 [VERIFIED]", "insured employees in service"),
      num("population.employees_retired", &SimParams::employees_retired, 0, 2e9, "2022 快报 9,636万 [VERIFIED]", "insured retired employees"),
      num("population.residents", &SimParams::residents, 0, 2e9, "2022 bulletin 98,349万 [VERIFIED]", "insured urban-rural residents"),
      num("mobility.offsite_insured_share", &SimParams::offsite_insured_share, 0, 1, "assumed, calibrated to 2023 cross-province inpatient volume", "share of the census inter-province inflow still insured at origin (the long-term off-site stock)"),
      num("mobility.offsite_mix_in_service", &SimParams::offsite_mix_in_service, 0, 1, "assumed", "share of the off-site stock who are employees in service (stationed workers)"),
      num("mobility.offsite_mix_retired", &SimParams::offsite_mix_retired, 0, 1, "assumed", "share of the off-site stock who are retirees resettled"),
      num("mobility.gravity_beta", &SimParams::gravity_beta, 0, 4, "assumed", "distance exponent of the gravity model choosing origins"),
      num("mobility.origin_push_exponent", &SimParams::origin_push_exponent, 0, 3, "assumed form; γ calibrated so that Henan's modelled cross-province outflow is its census 1,610万 (../shared/data/province-outflow-2020.csv, the one origin figure in the data)", "cross-province origins ∝ population × (the origin province's census inflow ÷ population)^−γ × distance^−β: provinces that draw few migrants send many"),
      num("mobility.inflow_seat_factor", &SimParams::inflow_seat_factor, 0, 10, "derived: Zhejiang's 11 pools (2020 census, prefecture-census-2020.csv) put Hangzhou's share of the province's inflow at 1.07 × its population share", "weight of the provincial seat when a province's census inflow is shared among pools without their own figure (others 1, ∝ population)"),
      num("mobility.intra_floating_share", &SimParams::intra_floating_share, 0, 1, "derived: 2020 census 省内流动 250,979,606 ÷ (人户分离 492,762,506 − 跨省 124,837,153) (national-stats.csv)", "share of a province's within-province hukou separation that is 省内流动 (the rest is within city districts)"),
      num("mobility.intra_cross_pool_share", &SimParams::intra_cross_pool_share, 0, 1, "assumed (range 0.3–0.7; the census does not split 省内流动 into within- and across-prefecture)", "share of 省内流动 living in another pooling region of the province"),
      num("mobility.intra_insured_share", &SimParams::intra_insured_share, 0, 1, "assumed: as mobility.offsite_insured_share", "share of intra-province movers still insured at home (the intra-province long-term stock)"),
      num("mobility.intra_seat_factor", &SimParams::intra_seat_factor, 0, 10, "assumed (range 1–4)", "pull of the provincial seat on intra-province movers, relative to population"),
      num("mobility.intra_trip_ratio", &SimParams::intra_trip_ratio, 0, 10, "assumed (range 0.5–2: the census's 2.0 intra- to cross-province migrants × the assumed cross-pool share 0.5)", "temporary trips to another pool of the province per cross-province trip (provinces of one pool: none)"),
      num("mobility.return_per_month", &SimParams::return_per_month, 0, 1, "assumed (stays of 6 years on average)", "monthly hazard of a long-term off-site person returning home"),
      num("mobility.trip_per_month", &SimParams::trip_per_month, 0, 1, "assumed", "probability of a temporary trip to another province in a month"),
      ser_range("mobility.travel_index", &SimParams::travel, 0, 5,
                "assumed path for the COVID years (2020 0.55, 2021 0.8, 2022 0.6, each year flat from January to December; 1 before and from January 2023); its size is to be calibrated on the 2022 direct settlements (the 2023 bulletin's +98%), as no travel series is in ../shared/data",
                "journeys relative to normal years: multiplies temporary trips (cross- and intra-province) and cross-province referrals; the long-term off-site stock is not affected"),
      num("mobility.trip_days", &SimParams::trip_days, 1, 31, "assumed", "average length of a temporary trip, days"),
      num("referral.share", &SimParams::referral_share, 0, 1, "assumed, calibrated", "share of home inpatient stays referred to another province's big medical centres"),
      num("referral.intra_share", &SimParams::intra_referral_share, 0, 1, "assumed (range 0.02–0.10)", "share of home inpatient stays referred to the provincial seat's hospitals (none from the seat or a province of one pool)"),
      num("referral.certificate", &SimParams::referral_certificate, 0, 1, "assumed", "share of referred patients holding a referral certificate (referral filing)"),
      num("care.inpatient_rate.employee_in_service", &SimParams::inpatient_rate_in_service, 0, 5, "assumed split of the 2023 employee rate 21.86% [VERIFIED]", "admissions a year"),
      num("care.inpatient_rate.employee_retired", &SimParams::inpatient_rate_retired, 0, 5, "assumed split of the 2023 employee rate 21.86% [VERIFIED]", "admissions a year"),
      num("care.inpatient_rate.resident", &SimParams::inpatient_rate_resident, 0, 5, "2023 bulletin 20.7% [VERIFIED]", "admissions a year"),
      num("care.inpatient_cost.employee", &SimParams::inpatient_cost_employee, 0, 1e6, "calibrated: the realised mean bill, after province cost indices and referral factors, is the 2023 bulletin's 12,175 yuan [VERIFIED]", "lognormal mean of a bill per admission before cost factors, yuan"),
      num("care.inpatient_cost.resident", &SimParams::inpatient_cost_resident, 0, 1e6, "calibrated: the realised mean bill is the 2023 bulletin's 7,674 yuan [VERIFIED]", "lognormal mean of a bill per admission before cost factors, yuan"),
      num("care.inpatient_cost_sigma", &SimParams::inpatient_cost_sigma, 0, 3, "assumed", "lognormal shape of inpatient bills"),
      num("care.referral_cost_factor", &SimParams::referral_cost_factor, 0, 10, "assumed", "referred stays cost this multiple of the mean"),
      num("care.intra_referral_cost_factor", &SimParams::intra_referral_cost_factor, 0, 10, "assumed (range 1–1.85: between a local stay and a national centre's)", "stays referred to the provincial seat's hospitals cost this multiple of the mean"),
      num("care.level1_share", &SimParams::level1_share, 0, 1, "assumed", "stays in level-1 hospitals"),
      num("care.level2_share", &SimParams::level2_share, 0, 1, "assumed", "stays in level-2 hospitals (level 3: the rest)"),
      num("care.level1_cost", &SimParams::level1_cost, 0, 10, "assumed", "relative bill in a level-1 hospital (the factors are normalised over the level mix, so the mean bill is kept)"),
      num("care.level2_cost", &SimParams::level2_cost, 0, 10, "assumed", "relative bill in a level-2 hospital"),
      num("care.level3_cost", &SimParams::level3_cost, 0, 10, "assumed", "relative bill in a level-3 hospital (referrals always go to level 3)"),
      num("care.class_b_share", &SimParams::class_b_share, 0, 1, "assumed", "乙 share of a bill"),
      num("care.class_c_share", &SimParams::class_c_share, 0, 1, "assumed", "丙 / out-of-catalogue share of a bill"),
      num("care.over_cap_share", &SimParams::over_cap_share, 0, 1, "assumed", "share of a bill above price caps"),
      num("care.outpatient_per_month_away", &SimParams::outpatient_per_month_away, 0, 30, "assumed, calibrated to 118 million 2023 cross-province outpatient settlements [VERIFIED]", "general outpatient visits a month while living off-site"),
      num("care.outpatient_cost", &SimParams::outpatient_cost, 0, 1e5, "assumed", "mean general outpatient bill, yuan"),
      num("care.chronic_share", &SimParams::chronic_share, 0, 1, "assumed", "people with a listed chronic/special condition"),
      num("care.chronic_per_month", &SimParams::chronic_per_month, 0, 30, "assumed", "chronic/special outpatient visits a month"),
      num("care.chronic_cost", &SimParams::chronic_cost, 0, 1e5, "assumed", "mean chronic/special outpatient bill, yuan"),
      num("care.pharmacy_per_month_away", &SimParams::pharmacy_per_month_away, 0, 30, "assumed", "pharmacy purchases a month while off-site"),
      num("care.pharmacy_cost", &SimParams::pharmacy_cost, 0, 1e5, "assumed", "mean pharmacy bill, yuan"),
      num("care.outpatient_cost_sigma", &SimParams::outpatient_cost_sigma, 0, 3, "assumed", "lognormal shape of outpatient and pharmacy bills"),
      num("care.assistance_share", &SimParams::assistance_share, 0, 1, "assumed", "residents eligible for medical assistance (医疗救助)"),
      num("care.resident_child_share", &SimParams::resident_child_share, 0, 1, "assumed", "residents aged under 18"),
      num("population.age_elasticity", &SimParams::age_elasticity, 0, 3, "assumed form (census 60+ shares by pool [SECONDARY], ../shared/data/prefecture-census-2020.csv)", "a pool's retired share of its employees and senior share of its residents scale with (its 60+ share ÷ the nation's)^e, normalised so the national totals stay; 0: the national mix everywhere"),
      num("care.resident_senior_share", &SimParams::resident_senior_share, 0, 1, "assumed", "residents aged 60 and over"),
      num("care.child_rate_factor", &SimParams::child_rate_factor, 0, 10, "assumed", "children's admission rate relative to adult residents (the residents' mean is kept)"),
      num("care.senior_rate_factor", &SimParams::senior_rate_factor, 0, 10, "assumed", "seniors' admission rate relative to adult residents (the residents' mean is kept)"),
      num("behaviour.filing_stake_log_odds", &SimParams::filing_stake_log_odds, 0, 0.5, "assumed (range 0–0.2; no study of filing against the reduction found): 0.05 makes 10 points more at stake 1.65 × the odds", "log-odds of filing (trip and long-term) per percentage point of reduction a filing avoids, beyond the reference; 0: filing ignores policy"),
      num("behaviour.filing_stake_reference_trip", &SimParams::filing_stake_reference_trip, 0, 100, "seed 003 医保发〔2024〕21号 二: unfiled −20, other temporary −10 points", "points a trip filing saves at which the trip-filing lever holds as given"),
      num("behaviour.filing_stake_reference_long_term", &SimParams::filing_stake_reference_long_term, 0, 100, "seed 003: unfiled −20 points, long-term filings none", "points a long-term filing saves at which the long-term-filing lever holds as given"),
      num("care.trip_emergency_share", &SimParams::trip_emergency_share, 0, 1, "assumed", "stays during a temporary trip that are emergencies (deemed filed [seed 003])"),
      ser_range("care.volume_index", &SimParams::care_volume, 0, 10,
                "derived: fund spending per insured person relative to 2023 (bulletins 2018, 2020–2023: 17,822亿 ÷ 134,459万 … 28,208.38亿 ÷ 133,389万, national-stats.csv) ÷ care.cost_index; 2019 interpolated",
                "use of care relative to 2023: multiplies every admission and outpatient rate. The defaults are yearly means placed at each July (a scenario's YYYY is January, as for every dated parameter); past the last dated point it grows by care.volume_growth, and a plain number holds in every month"),
      ser_range("care.cost_index", &SimParams::care_cost, 0, 10, "assumed: prices +4% a year before 2023 (the bulletins give the 2023 cost per admission only)",
                "bills relative to 2023: multiplies every mean bill, inpatient, outpatient and pharmacy, and, with care.volume_index, the funds' other spending (funds.other_spending.*); past the last dated point it grows by care.cost_growth"),
      num("care.volume_growth", &SimParams::care_volume_growth, -0.5, 1, "assumed (ageing; the insured's age mix is not yet dated)", "yearly growth of care.volume_index after its last point"),
      num("care.cost_growth", &SimParams::care_cost_growth, -0.5, 1, "assumed: the price part of the 2018–2023 spending trend", "yearly growth of care.cost_index after its last point"),
      ser("levers.networked_inpatient", &SimParams::networked_inpatient, "assumed path; 1,563 networked institutions mid-2017 → 82,300 end-2023 [VERIFIED]", "share of off-site stays in networked (跨省联网) institutions", ParamDef::Regional::treatment),
      ser("levers.networked_outpatient", &SimParams::networked_outpatient, "assumed path; general outpatient networking from 2021 [seed 002]", "share of off-site outpatient visits and purchases in networked institutions", ParamDef::Regional::treatment),
      ser("levers.long_term_filing", &SimParams::long_term_filing, "assumed path", "share of long-term off-site people holding a filing", ParamDef::Regional::insured),
      ser("levers.trip_filing", &SimParams::trip_filing, "assumed path; online filings 75.6万 (2021) → 804万 (2023) [VERIFIED]", "share of trips filed in advance (online filing adoption)", ParamDef::Regional::insured),
      ser("levers.retroactive_filing", &SimParams::retroactive_filing, "assumed path; allowed nationally from the 2022 notice [seed 000]", "share of unfiled off-site inpatients who file before discharge", ParamDef::Regional::insured),
      ser("levers.credential", &SimParams::credential, "assumed", "share presenting the e-voucher or card [seed 000]"),
      ser("levers.settlement_failure", &SimParams::settlement_failure, "assumed", "share of direct settlements failing (system errors) [seed 003]"),
      num("funds.contribution.employee", &SimParams::contribution_employee, 0, 1e6, "2022 bulletin: 20,793.27亿 ÷ 36,243万 [DERIVED]", "contributions per insured employee a year, yuan"),
      num("funds.contribution.resident", &SimParams::contribution_resident, 0, 1e6, "2022 bulletin: 10,128.90亿 ÷ 98,349万 [DERIVED]", "contributions and subsidies per insured resident a year, yuan"),
      num("funds.contribution_cost_elasticity", &SimParams::contribution_cost_elasticity, 0, 3, "assumed (the bulletins give national means only; dearer pools raise more per person)", "a pool's contributions and other spending per person are the national ones × its cost index^e, normalised over each scheme's insured so that the national totals stay; 0: national amounts everywhere"),
      num("funds.contribution_growth", &SimParams::contribution_growth, -1, 1, "2022→2023 bulletins: +7.8% / +6.6% per person [DERIVED]", "yearly growth of contributions per person"),
      num("funds.other_spending.employee", &SimParams::other_spending_employee, 0, 1e6, "assumed, calibrated to 2022 employee fund expenditure 15,243.8亿 (24,597.24 − 9,353.44) [VERIFIED]", "fund spending per person a year not simulated visit by visit (local outpatient, personal accounts, maternity), at the 2023 level of care: each month it is × care.volume_index × care.cost_index"),
      num("funds.other_spending.resident", &SimParams::other_spending_resident, 0, 1e6, "assumed, calibrated to 2022 resident fund expenditure 9,353.44亿 [VERIFIED]", "likewise for residents"),
      num("funds.opening_months.employee", &SimParams::opening_months_employee, 0, 240, "assumed", "opening balance, in months of contributions"),
      num("funds.opening_months.resident", &SimParams::opening_months_resident, 0, 240, "calibrated to the residents' 8.5 months payable in 2023 [VERIFIED]", "opening balance, in months of contributions"),
      num("funds.response_points", &SimParams::response_points, 0, 20, "seed 003 二: regions below 6 months payable must tighten off-site policy; the size is assumed (0 = no response)",
          "while an insured province's fund is below 6 months payable, its reductions for referral, emergency, other-temporary and unfiled visits deepen by this many points from the next month (capped at the national ceiling)"),
      num("clearing.late_one_month", &SimParams::late_one_month, 0, 1, "assumed", "share of declarations a month late [seed 002 allows ≤ 2]"),
      num("clearing.late_two_months", &SimParams::late_two_months, 0, 1, "assumed", "share of declarations two months late"),
  };
    // The parameters `yidi calibrate` fits by default, with their search ranges [assumed].
    // A dated one is fitted at its points of one year: the COVID year 2022's journeys and networking.
    struct Fitted {
      const char* name;
      double lo, hi;
      int year;
    };
    const Fitted fitted[] = {
        {"mobility.offsite_insured_share", 0.12, 0.4, 0}, {"referral.share", 0.01, 0.05, 0},
        {"care.inpatient_cost.employee", 8000, 14000, 0}, {"care.inpatient_cost.resident", 5000, 9000, 0},
        {"care.outpatient_per_month_away", 0.05, 0.6, 0}, {"care.outpatient_cost", 150, 800, 0},
        {"funds.other_spending.employee", 2000, 4000, 0}, {"funds.other_spending.resident", 80, 400, 0},
        {"funds.opening_months.resident", 4, 14, 0},      {"mobility.travel_index", 0.2, 1, 2022},
        {"levers.networked_inpatient", 0.5, 0.95, 2022},
    };
    for (const auto& f : fitted)
      for (auto& d : v)
        if (d.name == f.name) std::tie(d.fit_lo, d.fit_hi, d.fit_year) = std::make_tuple(f.lo, f.hi, f.year);
    return v;
  }();
  return defs;
}

std::string params_markdown(const SimParams& d) {
  std::string out =
      "# Simulator parameters\n\n"
      "Generated by `yidi params` from `sim/model/params.cpp`; do not edit by hand. A scenario sets any of\n"
      "them under `params:` by name; a dated parameter takes a number or `{YYYY or YYYY-MM: number}`\n"
      "(linear between dates, flat outside). Values outside the range are errors. The levers marked\n"
      "*by region* also take series for a province or a pool that override the national one there\n"
      "(a pool's own over its province's): `levers.networked_inpatient.by_region: {\"440000\": {2024: 0.98},\n"
      "\"510100\": 0.99}`. A key is a province's or pool's code or name (`四川`, `Chengdu`; a province\n"
      "before a pool of the same name). The networked levers act where care is given, the filing levers on\n"
      "the insured of the region. `.by_province` is read as `.by_region`. The parameters *calibrated in* a\n"
      "range are those `yidi calibrate` fits by default (docs/calibration.md).\n\n"
      "| parameter | default | range | source | meaning |\n|---|---|---|---|---|\n";
  char buf[64];
  for (const auto& p : param_defs()) {
    std::string value;
    if (p.kind == ParamDef::Kind::number) {
      std::snprintf(buf, sizeof buf, "%.6g", d.*(p.number));
      value = buf;
    } else {
      for (const auto& [m, v] : (d.*(p.series)).points) {
        if (m % 12 == 0) std::snprintf(buf, sizeof buf, "%s%d: %.6g", value.empty() ? "" : ", ", m / 12, v);
        else std::snprintf(buf, sizeof buf, "%s%d-%02d: %.6g", value.empty() ? "" : ", ", m / 12, m % 12 + 1, v);
        value += buf;
      }
    }
    std::snprintf(buf, sizeof buf, "%.6g–%.6g", p.min, p.max);
    std::string range = buf;
    if (p.calibrated()) {
      std::snprintf(buf, sizeof buf, " (calibrated in %.6g–%.6g)", p.fit_lo, p.fit_hi);
      range += buf;
      if (p.fit_year != 0) range.insert(range.size() - 1, ", its " + std::to_string(p.fit_year) + " points");
    }
    const char* where = p.regional == ParamDef::Regional::treatment ? "; *by region* (where care is given)"
                        : p.regional == ParamDef::Regional::insured ? "; *by region* (the insured's home)"
                                                                     : "";
    out += "| `" + p.name + "` | " + value + " | " + range + " | " + p.source + " | " + p.description + where + " |\n";
  }
  return out;
}

const ParamDef* find_param(std::string_view name) {
  for (const auto& d : param_defs())
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace yidi::sim
