#pragma once
// The experiment layer (docs/experiments.md): many runs of a scenario turned into answers. Every
// experiment is a plan generator plus a fold on the RunExecutor (sim/engine/run_plan.hpp):
// replicates use seeds seed, seed+1, …, seed+N−1, run side by side or one after the other, and are
// folded in plan order, so results depend neither on the thread count nor on the runs at once.
// Files are written through a SummarySink (sim/engine/summary_sink.hpp), never sim/io. Summary
// statistics are float64 by design; money that is reported as an amount (prepay) stays in whole
// fen, and so do the per-replicate yearly amounts.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/money.hpp"
#include "sim/engine/export.hpp"
#include "sim/engine/results.hpp"
#include "sim/engine/run_plan.hpp"
#include "sim/engine/summary_sink.hpp"
#include "sim/model/scenario.hpp"
#include "sim/model/world.hpp"
#include "sim/model/names.hpp"

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

/// Names of the datasets a summary covers with means and quantiles: every monthly dataset of the
/// schema but `months` and `prepayment/warning` (a state, summarised by its shares instead).
const std::vector<std::string>& summary_datasets();

/// The states of `prepayment/warning` (0, 1, 2), labels/warning.
inline const std::array<const char*, 3> kWarningLabels{"none", "yellow", "red"};

/// A per-replicate yearly scalar (`replicates/NAME`, replicate × year × dims): one value per
/// replicate and calendar year, kept so that probabilities over replicates are exact counts.
struct YearlyDataset {
  std::string name;        // e.g. "offsite/dsr_inpatient_national"
  std::vector<Dim> dims;   // after replicate × year
  bool integer = false;
  std::string unit, description;
};
const std::vector<YearlyDataset>& yearly_datasets();
const YearlyDataset& yearly_dataset(const std::string& name);

/// Distribution over replicates of every element of every monthly dataset, and every replicate's
/// yearly scalars.
struct Summary {
  std::size_t replicates = 0;
  std::size_t months = 0;
  std::vector<std::int64_t> month_index;                  // the `months` dataset
  std::vector<std::int64_t> insured;                      // population/insured (of the first replicate)
  std::map<std::string, std::vector<double>> mean;        // NAME → the dataset's shape
  std::map<std::string, std::vector<double>> quantiles;   // NAME → 3 × the dataset's shape
  /// Share of replicates in each prepayment warning state: warning × month × province (in a
  /// difference: the scenario's shares minus the first scenario's).
  std::vector<double> warning_shares;
  std::vector<std::int64_t> years;        // calendar years with a simulated month, in order
  std::vector<std::int64_t> year_months;  // simulated months of each
  std::vector<std::uint64_t> seeds;       // of each replicate, in fold order (empty in a difference)
  std::map<std::string, Series64> yearly; // NAME of yearly_datasets() → replicate × year × dims (empty in a difference)
  /// The scenario's uncertain parameters (labels, UncertainParam::label) and each replicate's draws
  /// of them, replicate × parameter; empty without an `uncertainty:` block (and in a difference).
  std::vector<std::string> uncertain;
  std::vector<double> drawn;

  /// Elements per replicate and year of a yearly dataset.
  static std::size_t yearly_slice(const YearlyDataset& d);
  /// The yearly value of replicate `r`, year index `y` (into `years`), element `e`.
  double yearly_value(const std::string& name, std::size_t r, std::size_t y, std::size_t e = 0) const;
};

/// The share of replicates whose yearly value `name` in calendar year `year` (element `e`) is at
/// least `threshold`, an exact count ÷ replicates; an undefined value (NaN) does not meet it.
/// ExperimentError if the year was not simulated.
double share_at_least(const Summary& s, const std::string& name, std::int64_t year, std::size_t e, double threshold);

/// Streams replicates into per-element P² quantiles and means, warning-state counts and the
/// replicates' yearly scalars; keeps no Results. A NaN (a ratio undefined in that replicate,
/// 0 ÷ 0) is not an observation: each element's statistics are over the replicates where it is
/// defined, NaN where it never is. In a difference, an element undefined in both runs counts as 0
/// (no difference), in one only as undefined.
class SummaryAccumulator {
public:
  /// Folds one replicate in (its seed for `replicates/seed`). All replicates must cover the same months.
  /// A replicate's results; with the scenario it ran (before its draws), its draws of the
  /// uncertain parameters are kept too.
  void add(const Results& r, std::uint64_t seed, const Scenario* scenario = nullptr);
  /// Folds in the element-wise difference a − b (integers subtracted exactly before conversion);
  /// no shares or yearly scalars.
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
  void fold(std::vector<Element>& elems, std::size_t i, double x);
  std::size_t count_ = 0;
  std::size_t months_ = 0;
  std::vector<std::int64_t> month_index_, insured_;
  std::map<std::string, std::vector<Element>> elements_;
  std::vector<std::int64_t> warning_counts_;  // warning × month × province
  std::vector<std::int64_t> years_, year_months_;
  std::vector<std::uint64_t> seeds_;
  std::vector<std::string> uncertain_;
  std::vector<double> drawn_;
  std::map<std::string, Series64> yearly_;
};

/// Writes summary groups into `sink` and closes it: at the root the attributes, labels/* (with
/// labels/quantile and labels/warning), `months`, `population/insured`, `years` and
/// `year_months` of the first group; for every (prefix, summary) group `PREFIXmean/NAME`,
/// `PREFIXquantiles/NAME`, `PREFIXshares/prepayment/warning`, `PREFIXreplicates/seed` and
/// `PREFIXreplicates/NAME` of the yearly datasets (docs/experiments.md). Prefix "" is the root,
/// "scenarios/a/" a group.
void write_summaries(SummarySink& sink, const std::vector<std::pair<std::string, const Summary*>>& groups,
                     const Attributes& attributes);
void write_summary(SummarySink& sink, const Summary& summary, const Attributes& attributes);

/// Replicate r (0 … n−1) of `s` runs with seed s.seed + r, labelled "NAME: replicate r+1/n".
RunPlanVector replicate_plans(const Scenario& s, int n);

/// The summary of seeds seed … seed+n−1.
Summary replicates(const Scenario& s, int n, const RunExecutor& ex, const Progress& progress = {});

struct Comparison {
  std::vector<std::string> names;     // unique group names, in the order given
  std::vector<Summary> scenarios;     // one per scenario
  std::vector<Summary> differences;   // scenario k − scenario 0, for k = 1 … (size names − 1)
};
/// Common random numbers: replicate r of every scenario uses the first scenario's seed + r.
/// Scenarios must share the start month and the number of months.
Comparison compare(const std::vector<Scenario>& scenarios, int n, const RunExecutor& ex, const Progress& progress = {});

struct GridAxis {
  std::string name;
  std::vector<double> values;
  /// As a seek lever's (ParamOverride): a dated parameter takes each value from this month, its
  /// path before kept (−1: the scenario's start); a regional lever, for these provinces or pools
  /// only (empty: the national series).
  int from_month = -1;
  std::vector<std::uint32_t> regions;
};
struct SweepPoint {
  int index = 0;
  std::vector<double> values;  // one per axis
  std::string file;            // file name inside the sweep folder
  bool computed = false;       // false: a complete file was already there
};
/// The cartesian grid, first axis slowest; files point-0000.h5, point-0001.h5, …
std::vector<SweepPoint> sweep_points(const std::vector<GridAxis>& grid);
/// Runs the grid into `store`: one summary file per point (with `provenance` plus the point's
/// values as text attributes `grid.NAME`, `point` and `replicates`) and the index. A point whose
/// file exists with the same scenario hash, replicates and values is skipped (files are put in
/// place only when complete, so an existing file is complete); one that exists with others is
/// replaced only if the store allows it (--overwrite), else refused before any work. The points
/// still to compute are one plan vector, point after point; each point's file is written as soon
/// as its last replicate is folded.
std::vector<SweepPoint> sweep(const Scenario& s, const std::vector<GridAxis>& grid, int n, SweepStore& store,
                              const Attributes& provenance, const RunExecutor& ex, const Progress& progress = {});

/// A target of `seek` (docs/experiments.md): "MEASURE[REGION] OP VALUE in PERIOD". MEASURE is a
/// measure of `yidi export --list`; [REGION] (a province or a pool, by code or name) gives its
/// value there, none the national one; OP is >=, >, <= or <; PERIOD is a month (2025-06), a
/// quarter (2025Q2) or a year (2025), aggregated as the export aggregates it (flows summed, stocks
/// at the period's end, rates from the summed parts). Money is in yuan. The earlier form
/// "dsr_inpatient_national >= VALUE by YYYY-MM" (and dsr_inpatient[PROVINCE]) reads as
/// cross_dsr_inpatient in that month.
struct Target {
  std::string measure = "cross_dsr_inpatient";
  ExportLevel level = ExportLevel::national;
  std::string code;  // the province's or pool's code; empty nationally
  enum class Op : std::uint8_t { ge, gt, le, lt } op = Op::ge;
  double threshold = 0;
  ExportPeriod period = ExportPeriod::month;
  int first_month = 0, last_month = 0;  // the period's months (Date::month_index)
  std::string period_label() const;     // "2025-06", "2025Q2" or "2025"
  std::string text() const;             // the canonical form, e.g. "cross_dsr_inpatient[510000] >= 0.7 in 2025"
  bool meets(double value) const;
};
/// Parses a target; names are resolved against `provinces` and `pools` (code, name, English
/// name); with no provinces given, the province dimension's codes. ExperimentError otherwise.
Target parse_target(const std::string& text, const std::vector<NamedRegion>& provinces = {},
                    const std::vector<NamedRegion>& pools = {});
/// The target's value in a run (money in yuan), or nothing where the measure has none (a rate
/// without stays). ExperimentError if the period is not in the run.
std::optional<double> target_value(const Results& r, const Target& t);
/// Whether a run meets the target (no value: not met).
bool target_met(const Results& r, const Target& t);

/// The standard normal's 97.5% quantile: the z of every 95% interval yidi prints.
inline constexpr double kZ95 = 1.959963984540054;

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
/// Each lever value evaluated is one plan vector of n replicates.
/// `lever` names the parameter and, for a dated one, the month it takes the value from
/// (from_month, −1: the start) and the regions it is set for (a regional lever; with_param).
SeekResult seek(const Scenario& s, const ParamOverride& lever, double lo, double hi, const Target& target, double p,
                int n, double tolerance, const RunExecutor& ex, const Progress& progress = {});

/// A spread over replicates: mean, 5th and 95th percentiles (interpolated, exact_quantile).
struct Band {
  double mean = 0, p5 = 0, p95 = 0;
};
/// The Band of values over replicates (all zero for none).
Band band_of(const std::vector<double>& xs);

struct PrepayRow {
  std::string province;    // insured province code
  Money peak_quantile;     // the ⌈(1 − α)(n + 1)⌉-th smallest of the replicates' peak month-end outstanding in the year
  double exceedance = 0;   // the chance a new replicate's peak is above it: (n + 1 − k) ÷ (n + 1), above α when n is too small
  Money proposed_quota;    // the smallest quota whose usage at that peak is below red: ⌊peak × 10000 ÷ red_bp⌋ + 1 fen
  Money rule_quota;        // median over replicates of the year's peak prepayment/quota (the 2× rule, top-ups included)
  Money rule_2x_gross;     // median over replicates of 2 × the average monthly clearing/gross row sum, the year before
  int red_replicates = 0;  // replicates with a red month in the year under the rule
  Band topups;             // under the rule: top-ups asked for in the year (months with one), over replicates
  Band topup_amount;       // and their amount, fen
  double noisy_share = 0;  // share of (replicate, month) of the year with prepayment/noisy = 1
  // The backtest: the proposal set as the province's quota from the year's 1 January
  // (clearing.quotas) and run on fresh seeds.
  int backtest_red = 0;    // replicates with a red month in the year
  Wilson backtest_interval;
  Band backtest_topups, backtest_topup_amount;
};

/// The quota of one province for P(red warning in the year) <= alpha from n replicates' peak
/// month-end outstanding of the year (the outstanding does not depend on the quota): a new
/// replicate's peak exceeds the k-th smallest of n with probability (n + 1 − k) ÷ (n + 1), whatever
/// the distribution, so k = ⌈(1 − α)(n + 1)⌉ (clamped to 1..n: with too few replicates the largest
/// peak, and `exceedance` above alpha says so); the quota is the smallest whose usage at that peak,
/// ⌊peak × 10000 ÷ quota⌋ basis points, is below red_bp. `yidi prepay` and `yidi report` (from a
/// summary's replicates/prepayment/peak_outstanding) both use it.
struct QuotaProposal {
  Money peak_quantile, quota;
  double exceedance = 0;
  /// The fewest replicates whose bound reaches alpha: ⌈1 ÷ α − 1⌉ (19 for 0.05).
  static int replicates_needed(double alpha);
};
QuotaProposal propose_quota(std::vector<std::int64_t> peaks, double alpha, std::int64_t red_bp);

struct PrepayOptions {
  double alpha = 0.05;     // the accepted probability of a red warning in the year
  int n = 20;              // replicates (seeds seed … seed + n − 1)
  int year = 0;            // the year proposed for; 0: the last fully simulated year
  bool backtest = false;   // run the proposal on n fresh seeds (seed + n … seed + 2n − 1)
};
struct PrepayResult {
  int year = 0;
  std::vector<PrepayRow> rows;  // per insured province, in the schema's order
};
/// Per insured province, the quota for `year` keeping P(a red warning in the year) below alpha:
/// the outstanding amount does not depend on the quota, so a quota above the (1 − α) quantile of
/// the year's peak outstanding ÷ red_usage is red in at most α of the replicates. Throws
/// ExperimentError for a year the scenario does not simulate.
PrepayResult prepay(const Scenario& s, const PrepayOptions& o, const RunExecutor& ex, const Progress& progress = {});
/// The proposal as the scenario overlay that sets it (clearing.quotas from the year's 1 January).
std::string prepay_overlay(const Scenario& s, const PrepayResult& r, const std::string& base);

}  // namespace yidi::sim
