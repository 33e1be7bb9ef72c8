// Calibration (issue 15): target files, the model's value of each target, and `calibrate`, which
// fits parameters to targets with NLopt's BOBYQA over common random numbers (sim/engine/calibration.hpp,
// docs/calibration.md).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "sim/engine/calibration.hpp"
#include "sim/engine/export.hpp"
#include "sim/engine/run_plan.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/targets_csv.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/params.hpp"

using namespace yidi;
namespace fs = std::filesystem;

namespace {
const std::string kHeader = "year,measure,op,value,tolerance,source\n";

std::string parse_error(const std::string& body) {
  try {
    io::parse_targets(kHeader + body, "t.csv");
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "no error";
}

double export_value(const sim::Results& r, const std::string& measure, int year) {
  sim::ExportOptions o;
  o.level = sim::ExportLevel::national;
  o.measures = {measure};
  const auto t = sim::export_table(r, o);
  for (const auto& row : t.rows)
    if (t.periods[row.period] == std::to_string(year))
      return row.value.kind == sim::ExportValue::Kind::money ? static_cast<double>(row.value.i) / 100
             : row.value.kind == sim::ExportValue::Kind::number ? row.value.f
                                                                 : static_cast<double>(row.value.i);
  return NAN;
}

/// The baseline's 2022 at a tiny sample: one year, quick to run again and again.
sim::Scenario tiny() {
  sim::Scenario s = io::load_scenario("baseline");
  s.scale = 50000;
  s.months = 12;
  return s;
}
}  // namespace

// The shipped file: every row of ../shared/data/national-stats.csv it names, as that file gives it.
TEST(CalibrationTargets, TheEmbeddedFileHoldsTheVerifiedFigures) {
  const auto t = io::load_targets("");
  ASSERT_EQ(t.size(), 38u);
  EXPECT_EQ(t.front().year, 2017);  // "less than 5%" (SCIO 2023-05-18) as a bound
  EXPECT_EQ(t.front().op, sim::CalibrationTarget::Op::at_most);
  EXPECT_EQ(t.front().value, 5);
  const auto find = [&](int year, const std::string& m) {
    for (const auto& x : t)
      if (x.year == year && x.measure == m) return x.value;
    return -1.0;
  };
  EXPECT_EQ(find(2023, "xprov_inpatient_ds_persontimes"), 1125);        // 2023 bulletin: 1125万
  EXPECT_EQ(find(2023, "xprov_outpatient_ds_fund"), 185.48);            // 18.548 billion yuan
  EXPECT_EQ(find(2022, "resident_fund_expenditure"), 9353.44);          // 2022 bulletin
  EXPECT_EQ(find(2023, "employee_fund_expenditure"), 17750.73);         // 28208.38 − 10457.65
  EXPECT_NEAR(find(2022, "xprov_inpatient_ds_persontimes"), 1125 / 1.98, 0.1);  // 2023's +98%
  for (const auto& x : t) EXPECT_TRUE(x.op != sim::CalibrationTarget::Op::equal || x.tolerance == 0.1) << x.measure;
}

TEST(CalibrationTargets, BadRowsAreErrorsNamingTheLineAndField) {
  EXPECT_EQ(parse_error("2023,xprov_inpatient_ds_persontime,=,1125,0.1,s\n"),
            "t.csv:2: field 'measure': unknown measure 'xprov_inpatient_ds_persontime' (did you mean "
            "'xprov_inpatient_ds_persontimes', 'xprov_outpatient_ds_persontimes' or 'xprov_inpatient_ds_rate'?); "
            "expected a measure of `yidi calibration --list`");
  EXPECT_EQ(parse_error("2023,insured_total,~,1,0.1,s\n"), "t.csv:2: field 'op': expected =, <= or >=, got '~'");
  EXPECT_EQ(parse_error("2023,insured_total,=,1,0,s\n"),
            "t.csv:2: field 'tolerance': expected a relative tolerance above 0 and at most 1 (0.1 = ±10%), got '0'");
  EXPECT_EQ(parse_error("2023,insured_total,=,-1,0.1,s\n"), "t.csv:2: field 'value': expected a positive number, got '-1'");
  EXPECT_EQ(parse_error("2023,insured_total,=,1x,0.1,s\n"), "t.csv:2: field 'value': expected a number, got '1x'");
  EXPECT_EQ(parse_error("2023.5,insured_total,=,1,0.1,s\n"),
            "t.csv:2: field 'year': expected a calendar year 1990–2100, got '2023.5'");
  EXPECT_EQ(parse_error("2023,insured_total,=,1,0.1\n"),
            "t.csv:2: expected 6 fields (year,measure,op,value,tolerance,source), got 5");
  EXPECT_EQ(parse_error("# a comment\n2023,insured_total,=,1,0.1,s\n2023,insured_total,=,2,0.1,s\n"),
            "t.csv:4: field 'measure': a second = target for insured_total in 2023; expected one per year, measure and op");
  EXPECT_EQ(parse_error(""), "t.csv: no targets; expected at least one row after the header");
  try {
    io::parse_targets("year,measure,value\n", "t.csv");
    FAIL();
  } catch (const io::InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:1: expected the header year,measure,op,value,tolerance,source");
  }
}

// A tolerance's edge is a penalty of 1; a bound costs nothing on its side.
TEST(Calibration, PenaltiesAndMet) {
  sim::CalibrationRow row;
  row.target.value = 100;
  row.target.tolerance = 0.1;
  row.has_value = true;
  row.model = 110;
  EXPECT_NEAR(row.penalty(), 1.0, 1e-12);
  EXPECT_TRUE(row.met());
  row.model = 100 / 1.1;  // the same distance below in logs
  EXPECT_NEAR(row.penalty(), 1.0, 1e-12);
  row.model = 90;  // within is ±10% of the data: met at 90, where the log distance is a bit more
  EXPECT_TRUE(row.met());
  EXPECT_NEAR(row.penalty(), std::pow(std::log(0.9) / std::log(1.1), 2), 1e-12);
  row.model = 89.9;
  EXPECT_FALSE(row.met());
  row.model = 121;
  EXPECT_NEAR(row.penalty(), 4.0, 1e-12);
  row.target.op = sim::CalibrationTarget::Op::at_most;
  row.model = 50;
  EXPECT_EQ(row.penalty(), 0);
  EXPECT_TRUE(row.met());
  row.model = 121;
  EXPECT_NEAR(row.penalty(), 4.0, 1e-12);
  EXPECT_FALSE(row.met());
  row.model = 0;  // a rate of 0 is below "at most": no cost, though it has no logarithm
  EXPECT_EQ(row.penalty(), 0);
  EXPECT_TRUE(row.met());
  row.has_value = false;
  EXPECT_EQ(row.penalty(), 100);
}

// The model's value of a target is the export's national measure of that year in the target's unit.
TEST(Calibration, MeasuresAreTheExportsInTheTargetsUnits) {
  const sim::Scenario s = tiny();
  const sim::World world = io::embedded_world();
  const sim::Results r = sim::run_scenario(s, io::scenario_policy(s), world);
  const auto rows = sim::calibration(r, io::load_targets(""));
  ASSERT_EQ(rows.size(), 14u);  // the 2022 rows
  std::map<std::string, double> v;
  for (const auto& row : rows) v[row.target.measure] = row.model;
  EXPECT_DOUBLE_EQ(v.at("xprov_inpatient_ds_persontimes"), export_value(r, "cross_inpatient_direct", 2022) / 1e4);
  EXPECT_DOUBLE_EQ(v.at("resident_fund_expenditure"), export_value(r, "fund_expenditure_resident", 2022) / 1e8);
  EXPECT_DOUBLE_EQ(v.at("employee_fund_revenue"), export_value(r, "fund_income_employee", 2022) / 1e8);
  EXPECT_DOUBLE_EQ(v.at("xprov_inpatient_ds_rate"), export_value(r, "cross_dsr_inpatient_official", 2022) * 100);
  EXPECT_DOUBLE_EQ(v.at("insured_total"), export_value(r, "insured", 2022) / 1e4);
  EXPECT_NEAR(v.at("insured_employees"), 36243, 100);  // the 2022 bulletin's, sampled at 1:50000
  // A year the run does not cover whole has no rows.
  sim::Scenario half = s;
  half.months = 6;
  EXPECT_TRUE(sim::calibration(sim::run_scenario(half, io::scenario_policy(half), world), io::load_targets("")).empty());
}

// A target made from a run with a known value is fitted back to that value from elsewhere in its range.
TEST(Calibrate, RecoversAKnownParameterFromItsOwnTarget) {
  const sim::World world = io::embedded_world();
  const sim::RunExecutor ex(world, io::scenario_policy, {2, 2});
  sim::Scenario truth = tiny();
  truth.params.other_spending_resident = 300;
  const sim::Results r = sim::run_scenario(truth, io::scenario_policy(truth), world);
  const double spent = export_value(r, "fund_expenditure_resident", 2022) / 1e8;
  sim::CalibrateOptions o;
  // ±2%: the objective rises by 1 about 25 yuan from the truth, inside the range on both sides.
  o.targets = io::parse_targets(kHeader + "2022,resident_fund_expenditure,=," + std::to_string(spent) + ",0.02,truth\n"
                                "2023,resident_fund_expenditure,=,1,0.1,not covered\n", "t.csv");
  o.params = {sim::calibration_param(tiny(), "funds.other_spending.resident", 0, 80, 400, "test")};
  o.seeds = 1;
  o.max_evaluations = 40;
  o.tolerance = 1e-6;
  EXPECT_EQ(o.params[0].start, 181);  // the default
  const auto res = sim::calibrate(tiny(), o, ex);
  EXPECT_EQ(res.fitted_targets, 1u);
  EXPECT_NEAR(res.best[0], 300, 1.5);  // the other spending is whole fen a month per pool
  EXPECT_LT(res.best_objective, 1e-4);
  EXPECT_GT(res.start_objective, 1);  // 181 yuan a resident is more than 10% below the truth's spending
  ASSERT_EQ(res.best_rows.size(), 1u);
  EXPECT_NEAR(res.best_rows[0].ratio(), 1, 1e-3);
  EXPECT_LE(res.evaluations.size(), 40u);
  EXPECT_EQ(res.fit_evaluations, res.evaluations.size());
  // Common random numbers: the same values give the same objective, evaluation after evaluation;
  // the profile after the fit leaves the fit as it was.
  o.profile = true;
  const auto again = sim::calibrate(tiny(), o, ex);
  EXPECT_EQ(again.best, res.best);
  EXPECT_EQ(again.best_objective, res.best_objective);
  EXPECT_EQ(again.fit_evaluations, res.evaluations.size());
  ASSERT_EQ(again.ranges.size(), 1u);
  const auto& g = again.ranges[0];
  EXPECT_LT(g.low, res.best[0]);
  EXPECT_GT(g.high, res.best[0]);
  EXPECT_FALSE(g.low_open);
  EXPECT_FALSE(g.high_open);
  // Each edge is a point within 1 of the fit, and a point a little beyond it is not.
  for (const double edge : {g.low, g.high}) {
    bool inside = false, beyond = false;
    for (std::size_t k = again.fit_evaluations; k < again.evaluations.size(); ++k) {
      const auto& e = again.evaluations[k];
      if (e.values[0] == edge) inside = e.objective - res.best_objective < 1;
      const bool further = edge < res.best[0] ? e.values[0] < edge : e.values[0] > edge;
      if (further && std::abs(e.values[0] - edge) < 0.05 * 320 && e.objective - res.best_objective >= 1) beyond = true;
    }
    EXPECT_TRUE(inside) << edge;
    EXPECT_TRUE(beyond) << edge;
  }

  // The calibrated scenario reads back with the fitted values.
  const fs::path dir = fs::temp_directory_path() / ("yidi-calibrate-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "cal.yaml") << sim::calibrated_overlay(tiny(), o, res, "baseline");
  }
  const sim::Scenario back = io::load_scenario((dir / "cal.yaml").string());
  EXPECT_EQ(back.name, "baseline-calibrated");
  EXPECT_EQ(back.params.other_spending_resident, res.best[0]);
  // With the profile, the calibrated scenario carries the ranges for its replicates to draw.
  {
    std::ofstream(dir / "calu.yaml") << sim::calibrated_overlay(tiny(), o, again, "baseline");
  }
  const sim::Scenario drawn = io::load_scenario((dir / "calu.yaml").string());
  ASSERT_EQ(drawn.uncertainty.size(), 1u);
  EXPECT_EQ(drawn.uncertainty[0].name, "funds.other_spending.resident");
  EXPECT_EQ(drawn.uncertainty[0].low, g.low);
  EXPECT_EQ(drawn.uncertainty[0].high, g.high);
  fs::remove_all(dir);
}

// A dated parameter is fitted at its points of one year, the others kept; the overlay writes the
// whole series.
TEST(Calibrate, ADatedParameterAtItsPointsOfAYear) {
  const sim::Scenario s = tiny();
  const auto p = sim::calibration_param(s, "mobility.travel_index", 2022, 0.2, 1, "test");
  EXPECT_EQ(p.start, 0.6);  // the COVID year's default
  EXPECT_EQ(p.label(), "mobility.travel_index@2022");
  sim::CalibrateOptions o;
  o.params = {p};
  sim::CalibrateResult r;
  r.start = {0.6};
  r.best = {0.45};
  const std::string text = sim::calibrated_overlay(s, o, r, "baseline");
  EXPECT_NE(text.find("  mobility.travel_index: {2019-12: 1, 2020-01: 0.55, 2020-12: 0.55, 2021-01: 0.8, 2021-12: 0.8, "
                      "2022-01: 0.45, 2022-12: 0.45, 2023-01: 1}"),
            std::string::npos)
      << text;
  const auto error = [&](const std::string& name, int year, double lo, double hi) {
    try {
      sim::calibration_param(s, name, year, lo, hi, "test");
    } catch (const sim::ExperimentError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("mobility.travel_index", 0, 0.2, 1),
            "test: field 'mobility.travel_index': a dated parameter is fitted at its points of one year; expected "
            "mobility.travel_index@YYYY");
  EXPECT_EQ(error("mobility.travel_index", 2024, 0.2, 1),
            "test: field 'mobility.travel_index': has no point dated in 2024; expected a year the scenario's series has a "
            "point in");
  EXPECT_EQ(error("referral.share", 2022, 0.01, 0.05),
            "test: field 'referral.share': a number parameter has no dated points; expected referral.share");
  EXPECT_EQ(error("referral.share", 0, 0.5, 2),
            "test: field 'referral.share': expected a range LO < HI within the parameter's 0–1, got 0.5:2");
  EXPECT_EQ(error("referal.share", 0, 0, 1), "test: field 'referal.share': no such parameter (did you mean 'referral.share'?)");
  // Every parameter marked calibrated can be fitted on the baseline.
  EXPECT_EQ(sim::calibrated_params(s).size(), 11u);
}

TEST(Calibrate, NoTargetOfTheRunsYearsIsAnError) {
  const sim::World world = io::embedded_world();
  const sim::RunExecutor ex(world, io::scenario_policy, {1, 1});
  sim::CalibrateOptions o;
  o.targets = io::parse_targets(kHeader + "2023,insured_total,=,1,0.1,s\n", "t.csv");
  o.params = sim::calibrated_params(tiny());
  try {
    sim::calibrate(tiny(), o, ex);
    FAIL();
  } catch (const sim::ExperimentError& e) {
    EXPECT_STREQ(e.what(), "calibrate: field 'targets': no target of a year the run covers whole; expected the run to "
                           "cover the targets' years (--months, the scenario's start)");
  }
}

// A parameter given twice is refused; an error inside an evaluation comes out as itself, not as
// NLopt's "nlopt failure".
TEST(Calibrate, BadOptionsAndErrorsInsideAnEvaluation) {
  const sim::World world = io::embedded_world();
  const sim::RunExecutor ex(world, io::scenario_policy, {1, 1});
  sim::CalibrateOptions o;
  o.targets = io::parse_targets(kHeader + "2022,insured_total,=,134592,0.1,s\n", "t.csv");
  const auto p = sim::calibration_param(tiny(), "referral.share", 0, 0.01, 0.05, "test");
  o.params = {p, p};
  try {
    sim::calibrate(tiny(), o, ex);
    FAIL();
  } catch (const sim::ExperimentError& e) {
    EXPECT_STREQ(e.what(), "calibrate: field 'referral.share': given twice; expected each parameter (and year) once");
  }
  o.params = {p};
  o.targets[0].measure = "no_such_measure";  // past the file's checks
  o.max_evaluations = 3;
  try {
    sim::calibrate(tiny(), o, ex);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown calibration measure 'no_such_measure'");
  }
}

// The calibrated scenario: one series fitted at two years is written once and reads back with
// both; a fitted parameter the base scenario draws (uncertainty:) is dropped from its draws, so
// the fit is what its replicates run; and the fit ignores the base's draws.
TEST(Calibrate, TheOverlayReadsBackWhateverWasFitted) {
  sim::Scenario base = tiny();
  base.uncertainty = {{"mobility.travel_index", 2022, 0.5, 0.7}, {"referral.share", 0, 0.02, 0.03}};
  sim::CalibrateOptions o;
  o.params = {sim::calibration_param(base, "mobility.travel_index", 2021, 0.2, 1, "test"),
              sim::calibration_param(base, "mobility.travel_index", 2022, 0.2, 1, "test")};
  sim::CalibrateResult r;
  r.start = {0.8, 0.6};
  r.best = {0.7, 0.5};
  const fs::path dir = fs::temp_directory_path() / ("yidi-overlay-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "base.yaml") << "extends: baseline\nname: a-base\nuncertainty:\n"
                                        "  mobility.travel_index@2022: {low: 0.5, high: 0.7}\n"
                                        "  referral.share: {low: 0.02, high: 0.03}\n";
    std::ofstream(dir / "cal.yaml") << sim::calibrated_overlay(base, o, r, (dir / "base.yaml").string());
  }
  const sim::Scenario back = io::load_scenario((dir / "cal.yaml").string());
  EXPECT_EQ(back.name, "baseline-calibrated");
  EXPECT_EQ(back.params.travel.at(2021 * 12), 0.7);
  EXPECT_EQ(back.params.travel.at(2022 * 12), 0.5);
  EXPECT_EQ(back.params.travel.at(2023 * 12), 1);
  ASSERT_EQ(back.uncertainty.size(), 1u);  // the fitted one dropped, the other kept
  EXPECT_EQ(back.uncertainty[0].name, "referral.share");
  fs::remove_all(dir);

  // With the base's draws on the fitted parameter, the fit still sees its values.
  const sim::World world = io::embedded_world();
  const sim::RunExecutor ex(world, io::scenario_policy, {2, 2});
  sim::Scenario drawn = tiny();
  drawn.uncertainty = {{"funds.other_spending.resident", 0, 100, 110}};
  sim::CalibrateOptions f;
  f.targets = io::parse_targets(kHeader + "2022,resident_fund_expenditure,=,9353.44,0.1,s\n", "t.csv");
  f.params = {sim::calibration_param(drawn, "funds.other_spending.resident", 0, 80, 400, "test")};
  f.seeds = 1;
  f.max_evaluations = 4;
  const auto res = sim::calibrate(drawn, f, ex);
  ASSERT_EQ(res.evaluations.size(), 4u);
  EXPECT_NE(res.evaluations[0].objective, res.evaluations[1].objective);  // not flat: the draws do not replace it
}
