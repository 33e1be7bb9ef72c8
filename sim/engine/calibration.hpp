#pragma once
// Model against data (issue 15): calibration targets, each a figure of one calendar year with its
// tolerance (scenarios/targets/national-2018-2023.csv, read by sim/io/targets_csv.hpp), compared with
// a run by `yidi calibration RUN.h5` and fitted by `yidi calibrate` (calibrate() below, NLopt's
// BOBYQA over the parameters marked calibrated, common random numbers, several seeds).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/results.hpp"
#include "sim/engine/run_plan.hpp"
#include "sim/model/scenario.hpp"

namespace yidi::sim {

/// A measure a target can name: the national-stats.csv metric it is compared with, in that file's
/// unit (万人次, 亿元, %, yuan, months, 万人).
struct CalibrationMeasure {
  std::string name;         // e.g. "xprov_inpatient_ds_persontimes"
  std::string unit;         // e.g. "10k person-times"
  std::string description;  // how the model's value is computed
  /// The model's value in a calendar year the run covers whole (all 12 months); nothing where it
  /// has none (a rate with no stays).
  std::function<std::optional<double>(const Results&, int year)> value;
};
const std::vector<CalibrationMeasure>& calibration_measures();
const CalibrationMeasure* find_calibration_measure(const std::string& name);
/// The measures' names, comma-separated (for messages).
std::string calibration_measure_names();

/// One row of a target file.
struct CalibrationTarget {
  int year = 0;
  std::string measure;
  /// equal: within ±tolerance (relative) of value; at_most / at_least: a bound, met when the model
  /// is on its side (no tolerance).
  enum class Op : std::uint8_t { equal, at_most, at_least } op = Op::equal;
  double value = 0;
  double tolerance = 0.1;
  std::string source;
  int line = 0;  // its line in the file (for messages)
};

/// The calendar years a run covers whole.
std::vector<int> whole_years(const Results& r);

struct CalibrationRow {
  CalibrationTarget target;
  double model = 0;
  bool has_value = false;
  double ratio() const { return target.value != 0 ? model / target.value : 0; }
  /// Within tolerance (equal) or on the bound's side.
  bool met() const;
  /// The fit's penalty: (ln(model ÷ data) ÷ ln(1 + tolerance))² for equal (1 at the tolerance's
  /// edge), for a bound the same past it and 0 on its side; no value: 100.
  double penalty() const;
};

/// The rows of the targets whose year the run covers whole, in the file's order.
std::vector<CalibrationRow> calibration(const Results& r, const std::vector<CalibrationTarget>& targets);
/// A Markdown table of the rows, then a line "K of N targets met; M not covered by the run's years".
std::string calibration_markdown(const std::vector<CalibrationRow>& rows, std::size_t targets_in_file);

/// One parameter to fit between lo and hi: a number parameter of `yidi params`, or the points of a
/// dated one in `year` (all set to the one value; the other points kept).
struct CalibrationParam {
  std::string name;
  double lo = 0, hi = 0;
  double start = 0;  // the scenario's value (clamped into [lo, hi]); of a dated one, its first point in the year
  int year = 0;      // a dated parameter's year; 0 for a number
  std::string label() const { return year ? name + "@" + std::to_string(year) : name; }
};
/// The parameter `name` (a dated one at its points of `year`) with its range and the scenario's
/// value; ExperimentError (naming `source`) for an unknown one (with "did you mean"), a number
/// given a year, a dated one without a year or without a point in it, or a range outside the
/// parameter's.
CalibrationParam calibration_param(const Scenario& s, const std::string& name, int year, double lo, double hi,
                                   const std::string& source);
/// The parameters marked calibrated (ParamDef::calibrated) with their ranges and the scenario's
/// values.
std::vector<CalibrationParam> calibrated_params(const Scenario& s);

struct CalibrateOptions {
  std::vector<CalibrationParam> params;
  std::vector<CalibrationTarget> targets;
  int seeds = 2;          // replicates per evaluation: seeds seed … seed+seeds−1, the same every time
  int fit_until = 9999;   // fit on targets of years ≤ this only (a back-test predicts the later ones)
  int max_evaluations = 60;
  double tolerance = 1e-3;  // BOBYQA's relative tolerance on the parameters (scaled to [0, 1])
  /// After the fit, each parameter's range where the objective stays within 1 of the fit's, the
  /// others held (CalibrateResult::ranges): the overlay's `uncertainty:` block.
  bool profile = false;
};
struct CalibrationRange {
  double low = 0, high = 0;
  bool low_open = false, high_open = false;  // the objective had not risen by 1 at the last step
};
struct CalibrateEvaluation {
  std::vector<double> values;
  double objective = 0;
};
struct CalibrateResult {
  std::vector<double> start, best;  // one per parameter
  double start_objective = 0, best_objective = 0;
  std::vector<CalibrationRow> start_rows, best_rows;  // every covered target, over the seeds' mean
  std::vector<CalibrateEvaluation> evaluations;     // in the order made
  std::string stop_reason;                          // NLopt's
  std::size_t fitted_targets = 0;                   // targets of years ≤ fit_until the run covers
  std::size_t fit_evaluations = 0;                  // of `evaluations`, the fit's (the rest: the profile's)
  std::vector<CalibrationRange> ranges;             // with profile: one per parameter
  bool profile_found_lower = false;                 // a profile point below the fit (the fit was not at a minimum)
};
/// Minimises the sum of the fitted targets' penalties, the model's value of a target being its
/// mean over the seeds (common random numbers: every evaluation runs the same seeds), with NLopt's
/// derivative-free BOBYQA on the parameters scaled to [0, 1]. ExperimentError when no target the
/// run covers is to be fitted, or a parameter is unknown, not a number or its range is outside the
/// parameter's.
CalibrateResult calibrate(const Scenario& s, const CalibrateOptions& o, const RunExecutor& ex,
                          const Progress& progress = {});
/// The calibrated scenario: `base` extended with the fitted parameters set.
std::string calibrated_overlay(const Scenario& s, const CalibrateOptions& o, const CalibrateResult& r,
                               const std::string& base);

}  // namespace yidi::sim
