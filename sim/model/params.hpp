#pragma once
// The simulator's behavioural and calibration parameters: one registry naming each, with its
// type, range, default and source, so scenarios, validation and documentation all come from it.
// Money amounts that feed distributions (mean costs) are plain numbers here; every amount that
// reaches the settlement engine is rounded to the fen at a named step (sim/model/care.hpp).
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "models/date.hpp"

namespace yidi::sim {

/// A value that changes over time: piecewise linear between dated points, flat outside them.
struct Series {
  std::vector<std::pair<int, double>> points;  // (month index, value), sorted
  double at(int month_index) const;
  static Series flat(double v) { return Series{{{0, v}}}; }
  /// {year: value} points placed at January of each year.
  static Series yearly(std::initializer_list<std::pair<int, double>> pts);
  /// {year: value} points placed at July of each year: a year's mean, so that the linear path
  /// through them averages about that value over the year.
  static Series mid_year(std::initializer_list<std::pair<int, double>> pts);
  /// As at(), but past the last dated point the last value grows by `growth` a year, compounded by
  /// month: last × (1 + growth)^((m − last month) / 12). Before the first point it is flat, and a
  /// number (flat(), given without a date) is the same in every month.
  double at_growing(int month_index, double growth) const;
};

struct SimParams {
  // ---- population (DOMAIN.md §7; ../shared/data/national-stats.csv)
  double employees_in_service = 266.07e6;  // 2022 快报 [VERIFIED]
  double employees_retired = 96.36e6;      // 2022 快报 [VERIFIED]
  double residents = 983.49e6;             // 2022 bulletin [VERIFIED]
  double age_elasticity = 1.0;             // pool age mix ∝ (its census 60+ share ÷ the nation's)^e [assumed]
  // ---- long-term off-site stock (异地长期居住)
  double offsite_insured_share = 0.24;  // share of the census inflow insured at origin [assumed, calibrated]
  double offsite_mix_in_service = 0.22; // of that stock: stationed workers [assumed]
  double offsite_mix_retired = 0.16;    // retirees resettled [assumed]; the rest are residents
  double gravity_beta = 1.0;            // distance exponent of the origin gravity model [assumed]
  double origin_push_exponent = 0.45;   // origins ∝ population × (province inflow share)^−γ [assumed form; γ calibrated on Henan's outflow]
  double inflow_seat_factor = 1.0;      // a provincial seat's weight when a province's inflow is shared among its pools [DERIVED, Zhejiang's 11 pools]
  // ---- intra-province mobility (省内异地)
  double intra_floating_share = 0.6822; // within-province hukou separation that is 省内流动 (not 市辖区内) [DERIVED national 2020 census]
  double intra_cross_pool_share = 0.5;  // of 省内流动, the share living in another pool (prefecture) [assumed]
  double intra_insured_share = 0.24;    // of those, insured at home [assumed: as cross-province]
  double intra_seat_factor = 2.0;       // the provincial seat's pull on intra-province movers [assumed]
  double intra_trip_ratio = 1.0;        // intra-province trips per cross-province trip [assumed]
  double return_per_month = 1.0 / 72;   // monthly hazard of returning home (6-year stays) [assumed]
  // ---- temporary trips and referrals
  double trip_per_month = 0.025;        // probability of a temporary trip out of province in a month [assumed]
  double trip_days = 8;                 // average trip length [assumed]
  /// Journeys relative to normal years: multiplies temporary trips (cross- and intra-province) and
  /// cross-province referrals, not the long-term stock. The COVID years 2020–2022 [assumed path].
  /// Each year flat at its level, a month's ramp between years (reopening in January 2023).
  Series travel = Series{{{2019 * 12 + 11, 1.0}, {2020 * 12, 0.55}, {2020 * 12 + 11, 0.55}, {2021 * 12, 0.8},
                          {2021 * 12 + 11, 0.8}, {2022 * 12, 0.6}, {2022 * 12 + 11, 0.6}, {2023 * 12, 1.0}}};
  double referral_share = 0.024;        // share of home inpatient stays referred out of province [assumed]
  double referral_certificate = 0.80;   // referred patients holding a referral certificate [assumed]
  double intra_referral_share = 0.05;   // share of home inpatient stays referred to the provincial seat [assumed]
  // ---- care (2023 bulletin [VERIFIED]: hospitalisation 21.86% employees, 20.7% residents;
  //      12,175 / 7,674 yuan per admission)
  double inpatient_rate_in_service = 0.128;  // a year [assumed split, calibrated to the 21.86% employee rate]
  double inpatient_rate_retired = 0.46;      // a year [assumed split]
  double inpatient_rate_resident = 0.207;    // a year [VERIFIED 2023]
  double inpatient_cost_employee = 11000;    // lognormal mean before province cost indices and referral factors, set so the realised mean is 12,175 [VERIFIED 2023]
  double inpatient_cost_resident = 6950;     // likewise, realised mean 7,674 [VERIFIED 2023]
  double inpatient_cost_sigma = 0.85;        // lognormal shape [assumed]
  double referral_cost_factor = 1.85;         // referred stays at big centres cost more [assumed]
  double intra_referral_cost_factor = 1.3;    // stays referred to the provincial seat [assumed]
  double level1_share = 0.15, level2_share = 0.35;  // hospital level mix; level 3 the rest [assumed]
  double level1_cost = 0.45, level2_cost = 0.75, level3_cost = 1.25;  // relative bill by level, mean kept [assumed]
  double class_b_share = 0.25;               // 乙 share of a bill [assumed]
  double class_c_share = 0.07;               // 丙 / out of catalogue share [assumed]
  double over_cap_share = 0.03;              // above price caps [assumed]
  double outpatient_per_month_away = 0.2;   // general outpatient visits a month while living off-site [assumed, calibrated]
  double outpatient_cost = 260;              // mean general outpatient bill, yuan [assumed]
  double chronic_share = 0.12;               // people with a listed chronic condition [assumed]
  double chronic_per_month = 0.45;            // chronic/special outpatient visits a month [assumed]
  double chronic_cost = 420;                 // mean, yuan [assumed]
  double pharmacy_per_month_away = 0.16;     // pharmacy purchases a month while off-site [assumed]
  double pharmacy_cost = 150;                // mean, yuan [assumed]
  double outpatient_cost_sigma = 0.7;        // lognormal shape [assumed]
  double assistance_share = 0.04;            // residents eligible for medical assistance [assumed]
  double resident_child_share = 0.2;         // residents' age mix [assumed]
  double resident_senior_share = 0.25;
  double child_rate_factor = 0.45;           // admission rate relative to adult residents [assumed]
  double senior_rate_factor = 2.6;
  double trip_emergency_share = 0.6;         // stays during a trip that are emergencies [assumed]
  // ---- care over time (sim/README.md "Care over time"): 1 = the 2023 levels above. Their product
  //      is the insured's fund spending per person relative to 2023 (bulletins 2018, 2020–2023
  //      [DERIVED]); the split between use and price is [assumed] (prices +4% a year). The points
  //      are placed at July so that each year's mean is its figure (scripts/fit-care-index.py).
  Series care_volume = Series::mid_year({{2018, 0.8225}, {2020, 0.8509}, {2021, 0.9533}, {2022, 0.8906}, {2023, 1.0162}});
  Series care_cost = Series::mid_year({{2018, 0.8182}, {2020, 0.8906}, {2021, 0.9258}, {2022, 0.9629}, {2023, 1.0015}});
  double care_volume_growth = 0.02;          // a year after the last point [assumed: ageing]
  double care_cost_growth = 0.04;            // a year after the last point [assumed: the 2018–2023 price share of the trend]
  // ---- behaviour: filing responds to what is at stake (sim/README.md "Filing and the stake")
  double filing_stake_log_odds = 0.05;       // log-odds of filing per point of reduction avoided, beyond the reference [assumed]
  double filing_stake_reference_trip = 10;   // points a trip filing saves under the national guidance: unfiled −20 vs other temporary −10 [seed 003]
  double filing_stake_reference_long_term = 20; // points a long-term filing saves: unfiled −20 vs none [seed 003]
  // ---- channel levers (dated): what makes a visit direct
  Series networked_inpatient = Series::yearly({{2017, 0.18}, {2019, 0.62}, {2021, 0.86}, {2022, 0.9}, {2023, 0.93}, {2025, 0.95}});
  Series networked_outpatient = Series::yearly({{2020, 0.15}, {2021, 0.55}, {2022, 0.74}, {2023, 0.85}, {2025, 0.92}});
  Series long_term_filing = Series::yearly({{2017, 0.15}, {2019, 0.45}, {2021, 0.68}, {2022, 0.75}, {2023, 0.8}, {2025, 0.86}});
  Series trip_filing = Series::yearly({{2017, 0.02}, {2020, 0.1}, {2021, 0.22}, {2022, 0.36}, {2023, 0.5}, {2025, 0.62}});
  Series retroactive_filing = Series::yearly({{2017, 0.0}, {2022, 0.12}, {2023, 0.3}, {2025, 0.45}});
  Series credential = Series::yearly({{2017, 0.85}, {2022, 0.95}, {2025, 0.97}});
  Series settlement_failure = Series::yearly({{2017, 0.1}, {2022, 0.025}, {2025, 0.015}});
  /// Regional series of the regional levers (ParamDef::regional): parameter name → region code
  /// (a province or a pool) → series, overriding the national series above for that region
  /// (`levers.networked_inpatient.by_region: {"440000": {2024: 0.98}}`). A pool's own series wins
  /// over its province's. The networked levers act by treatment region, the filing levers by the
  /// insured's home region.
  std::map<std::string, std::map<std::uint32_t, Series>, std::less<>> by_region;
  // ---- funds (2022 bulletin [VERIFIED], per insured person)
  double contribution_employee = 5737;   // 20,793.27亿 ÷ 36,243万 [DERIVED]
  double contribution_resident = 1030;   // 10,128.90亿 ÷ 98,349万 [DERIVED]
  double contribution_growth = 0.07;     // a year [DERIVED 2022→2023: +7.8% employees, +6.6% residents]
  double contribution_cost_elasticity = 1; // a pool's contributions and other spending per person ∝ its cost index^e, normalised [assumed]
  double other_spending_employee = 2937; // local outpatient, personal-account and other spending per person a year at the 2023 level of care, not simulated visit by visit [assumed, calibrated]
  double other_spending_resident = 181;  // likewise [assumed, calibrated]
  double opening_months_employee = 17.0; // opening balance in months of contributions [assumed]
  double response_points = 0;            // policy response: extra reduction points while a fund is below 6 months (0 = off) [seed 003; size assumed]
  double opening_months_resident = 8.6;   // [calibrated to 8.5 months payable in 2023]
  // ---- clearing records
  double late_one_month = 0.05;          // declarations a month late [assumed]
  double late_two_months = 0.02;         // two months late [assumed]
};

struct ParamDef {
  std::string name;
  enum class Kind { number, series } kind;
  double SimParams::*number = nullptr;
  Series SimParams::*series = nullptr;
  double min = 0, max = 1;
  std::string source;
  std::string description;
  /// A dated lever that also takes series by region (SimParams::by_region): by the region where
  /// care is given (treatment) or by the insured's home region (insured).
  enum class Regional { none, treatment, insured } regional = Regional::none;
  /// A parameter `yidi calibrate` fits by default, within [fit_lo, fit_hi] (fit_lo < fit_hi; both 0:
  /// not calibrated); of a dated one, its points dated in fit_year. The ranges are [assumed]: wide
  /// enough to hold every plausible value.
  double fit_lo = 0, fit_hi = 0;
  int fit_year = 0;
  bool calibrated() const { return fit_hi > fit_lo; }
};

/// Every parameter of SimParams, in documentation order.
const std::vector<ParamDef>& param_defs();
const ParamDef* find_param(std::string_view name);
/// The series a regional lever has in the region `code` of province `province`: the region's own,
/// else its province's, else the national one (`national`, the SimParams member).
const Series& regional_series(const SimParams& p, std::string_view name, const Series& national, std::uint32_t code,
                              std::uint32_t province);
/// care.volume_index and care.cost_index in the month `month_index`, each grown past its last point
/// by its growth parameter (Series::at_growing): the month's use and prices relative to 2023.
double care_volume_at(const SimParams& p, int month_index);
double care_cost_at(const SimParams& p, int month_index);
/// Their product, the month's fund spending per person relative to 2023; std::overflow_error once
/// it passes 10⁹ (growth compounded over decades), beyond what the funds' amounts can carry.
double care_spending_at(const SimParams& p, int month_index);
/// docs/parameters.md: every parameter with its default, range and source (`yidi params`).
std::string params_markdown(const SimParams& defaults = {});

}  // namespace yidi::sim
