#pragma once
// The experiment layer (docs/experiments.md): many runs of a scenario turned into answers.
// Replicates use seeds seed, seed+1, …, seed+N−1 and run one after the other, each with every
// thread oneTBB allows (parallelism inside Simulation), so results are folded in seed order and
// do not depend on the thread count. Summary statistics are float64 by design; money that is
// reported as an amount (prepay) stays in whole fen.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/money.hpp"
#include "sim/engine/results.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/model/scenario.hpp"
#include "sim/model/world.hpp"

namespace yidi::sim {

/// The P² estimator of one quantile (Jain & Chlamtac 1985): five markers, constant memory.
/// With 5 or fewer observations the markers hold every observation and value() is the exact
/// order statistic (linear interpolation between order statistics, "type 7"). NaN when empty.
class P2Quantile {
public:
  explicit P2Quantile(double p = 0.5) : p_(p) {}
  void add(double x);
  double value() const;
  std::uint32_t count() const { return count_; }
  double p() const { return p_; }

private:
  double p_;
  std::uint32_t count_ = 0;
  std::array<double, 5> q_{};         // marker heights
  std::array<std::int32_t, 5> n_{};   // marker positions (1-based)
};

/// Exact quantile of a sample (type 7: linear interpolation between order statistics).
double exact_quantile(std::vector<double> xs, double p);

/// The quantiles every summary holds, with their labels (labels/quantile).
inline constexpr std::array<double, 3> kSummaryQuantiles{0.05, 0.5, 0.95};
inline const std::array<const char*, 3> kSummaryQuantileLabels{"P5", "P50", "P95"};

/// Names of the datasets a summary covers: every monthly dataset of the schema but `months`.
const std::vector<std::string>& summary_datasets();

/// Distribution over replicates of every element of every monthly dataset.
struct Summary {
  std::size_t replicates = 0;
  std::size_t months = 0;
  std::vector<std::int64_t> month_index;                  // the `months` dataset
  std::vector<std::int64_t> insured;                      // population/insured (of the first replicate)
  std::map<std::string, std::vector<double>> mean;        // NAME → the dataset's shape
  std::map<std::string, std::vector<double>> quantiles;   // NAME → 3 × the dataset's shape
};

/// Streams replicates into per-element P² quantiles and means; keeps no Results. A NaN (a ratio
/// undefined in that replicate, 0 ÷ 0) is not an observation: each element's statistics are over
/// the replicates where it is defined, NaN where it never is. In a difference, an element
/// undefined in both runs counts as 0 (no difference), in one only as undefined.
class SummaryAccumulator {
public:
  /// Folds one replicate in. All replicates must cover the same months.
  void add(const Results& r);
  /// Folds in the element-wise difference a − b (integers subtracted exactly before conversion).
  void add_difference(const Results& a, const Results& b);
  std::size_t count() const { return count_; }
  Summary summary() const;

private:
  struct Element {
    std::array<P2Quantile, 3> q{P2Quantile(kSummaryQuantiles[0]), P2Quantile(kSummaryQuantiles[1]),
                                P2Quantile(kSummaryQuantiles[2])};
    double sum = 0;
  };
  void start(const Results& r);
  void fold(const std::string& name, std::size_t i, double x);
  std::size_t count_ = 0;
  std::size_t months_ = 0;
  std::vector<std::int64_t> month_index_, insured_;
  std::map<std::string, std::vector<Element>> elements_;
};

/// Called with a one-line progress message (for a terminal); may be empty.
using Progress = std::function<void(const std::string&)>;

/// Runs one scenario to the end with its own seed and returns the results.
Results run_scenario(const Scenario& s, const World& world);

/// The summary of seeds seed … seed+n−1.
Summary replicates(const Scenario& s, int n, const World& world, const Progress& progress = {});

struct Comparison {
  std::vector<std::string> names;     // unique group names, in the order given
  std::vector<Summary> scenarios;     // one per scenario
  std::vector<Summary> differences;   // scenario k − scenario 0, for k = 1 … (size names − 1)
};
/// Common random numbers: replicate r of every scenario uses the first scenario's seed + r.
/// Scenarios must share the start month and the number of months.
Comparison compare(const std::vector<Scenario>& scenarios, int n, const World& world, const Progress& progress = {});

/// A scenario with one parameter set: a number parameter to `value` (range-checked); a dated
/// (Series) parameter flat at `value` from the scenario's start month on, its earlier points kept.
/// Errors are io::InputError naming `source` and the parameter.
Scenario with_param(const Scenario& s, const std::string& name, double value, const std::string& source);

struct GridAxis {
  std::string name;
  std::vector<double> values;
};
struct SweepPoint {
  int index = 0;
  std::vector<double> values;  // one per axis
  std::string file;            // file name inside the sweep folder
  bool computed = false;       // false: a complete file was already there
};
/// The cartesian grid, first axis slowest; files point-0000.h5, point-0001.h5, …
std::vector<SweepPoint> sweep_points(const std::vector<GridAxis>& grid);
/// How a sweep writes: whether it may replace point files of another sweep (--overwrite; yidi's
/// own files only), and the files the command reads (never written).
struct SweepOutput {
  bool overwrite = false;
  io::InputFiles inputs;
};
/// Runs the grid into the folder `dir` (io::open_output_folder): one summary file per point (with
/// `provenance` plus the point's values as text attributes `grid.NAME`, `point` and `replicates`)
/// and dir/index.csv. A point whose file exists with the same scenario hash, replicates and values
/// is skipped (files are put in place only when complete, so an existing file is complete); one
/// that exists with others is replaced only with `output.overwrite`, else refused before any work.
std::vector<SweepPoint> sweep(const Scenario& s, const std::vector<GridAxis>& grid, int n, const std::string& dir,
                              const io::Provenance& provenance, const World& world, const Progress& progress = {},
                              const SweepOutput& output = {});

/// A target "MEASURE >= VALUE by YYYY-MM". MEASURE is `dsr_inpatient_national` (the national
/// cross-province inpatient direct-settlement rate) or `dsr_inpatient[CODE]` (that of the insured
/// province CODE, e.g. `dsr_inpatient[540000]`).
struct Target {
  std::string measure = "dsr_inpatient_national";
  double threshold = 0;
  int month_index = 0;
  std::size_t province = kNational;  // index into the province dimension, or kNational
  static constexpr std::size_t kNational = static_cast<std::size_t>(-1);
};
Target parse_target(const std::string& text);
/// Whether a run meets the target; throws io::InputError if the month is outside the run.
bool target_met(const Results& r, const Target& t);

struct Wilson {
  double low = 0, high = 0;
};
/// Wilson score 95% interval for k successes of n.
Wilson wilson95(int k, int n);

struct SeekResult {
  bool found = false;
  double answer = 0;             // smallest lever value found meeting the target (when found)
  double low = 0, high = 0;      // bracket: `low` fails (or is the range's low end), `high` meets
  int successes = 0, trials = 0; // at the answer (or at the range's high end when not found)
  Wilson interval;
  std::vector<std::pair<double, int>> evaluations;  // lever value → replicates meeting the target
};
/// Bisection on `lever` over [lo, hi] for the smallest value with P(target) ≥ p, estimated over
/// n common-random-number replicates per value, to `tolerance` (assumes P rises with the lever).
SeekResult seek(const Scenario& s, const std::string& lever, double lo, double hi, const Target& target, double p,
                int n, double tolerance, const World& world, const Progress& progress = {});

struct PrepayRow {
  std::string province;
  Money peak_quantile;     // (1 − α) order statistic over replicates of the peak outstanding
  Money proposed_quota;    // ⌈peak_quantile ÷ 0.9⌉
  Money rule_quota;        // median over replicates of the run's peak prepayment/quota (the 2× rule)
  Money rule_2x_gross;     // median over replicates of 2 × the average monthly clearing/gross row sum, previous year
};
/// Per insured province, the quota keeping P(red warning) below alpha.
std::vector<PrepayRow> prepay(const Scenario& s, double alpha, int n, const World& world, const Progress& progress = {});

}  // namespace yidi::sim
