#pragma once
// Many runs (docs/experiments.md): a vector of run plans executed by one executor, after FLAME GPU
// 2's RunPlanVector and CUDAEnsemble. A plan is a scenario, a seed, parameter overrides and a
// label; the executor runs the plans and hands each run's Results to a fold, in plan order. Small
// runs execute side by side, one per core (each run then single-threaded inside its own oneTBB
// arena); a run's results do not depend on the threads it had (sim/engine/simulation.hpp) and the
// fold sees them in plan order, so what a fold builds is the same bytes for any number of runs at
// once and any number of threads. Experiments (sim/engine/experiments.hpp) are plan generators
// plus folds.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/parameters.hpp"
#include "sim/engine/results.hpp"
#include "sim/model/population.hpp"
#include "sim/model/scenario.hpp"
#include "sim/model/world.hpp"

namespace yidi::sim {

/// A bad option of an experiment. The message is "SOURCE: field 'FIELD': MESSAGE" (the field part
/// omitted when empty), the form of io::InputError for a source with no line: the experiment
/// layer does not depend on sim/io.
class ExperimentError : public std::invalid_argument {
public:
  ExperimentError(std::string source, std::string field, const std::string& message);
  const std::string& source() const { return source_; }
  const std::string& field() const { return field_; }

private:
  std::string source_, field_;
};

/// A scenario with one parameter set: a number parameter to `value` (range-checked); a dated
/// (Series) parameter flat at `value` from the scenario's start month on, its earlier points kept.
/// Errors are ExperimentError naming `source` and the parameter.
Scenario with_param(const Scenario& s, const std::string& name, double value, const std::string& source);

/// One parameter of `yidi params` set for one run (with_param).
struct ParamOverride {
  std::string name;
  double value = 0;
  /// A dated parameter: the month it takes the value from, its path before kept as it was (−1:
  /// the scenario's start month).
  int from_month = -1;
  /// A regional lever (ParamDef::regional): the provinces or pools whose own series are set (each
  /// starting from the series it had there); empty: the national series.
  std::vector<std::uint32_t> regions;
};
/// A scenario with the override applied: with_param above for the national series from the start;
/// from a later month, the series keeps its path to the month before and holds the value from
/// `from_month` on; for regions, each region's series (its own, its province's or the national
/// one) is so changed and set as that region's, a province's pools with series of their own with
/// it. The national series does not reach regions with series of their own. ExperimentError when the parameter is not dated
/// (a month given) or not regional (regions given).
Scenario with_param(const Scenario& s, const ParamOverride& o, const std::string& source);

/// One run: `scenario` with the `overrides` applied in order, run with `seed`.
struct RunPlan {
  Scenario scenario;
  std::uint64_t seed = 0;
  std::vector<ParamOverride> overrides;
  std::string label;  // for progress messages, e.g. "baseline: replicate 3/20"
};
using RunPlanVector = std::vector<RunPlan>;

/// The scenario a plan runs: the draws of its uncertain parameters for its seed
/// (with_uncertain_params), then its overrides (source "plan" in errors), and its seed.
Scenario planned_scenario(const RunPlan& plan);

/// Called with a one-line progress message (for a terminal); may be empty. Called from the
/// thread that starts a run, never from two threads at once.
/// Progress messages: "[k/N] label" as run k of the N runs of a plan vector starts; other
/// messages (a sweep's "point 3: complete, skipped") carry no prefix.
using Progress = std::function<void(const std::string&)>;

/// The policy book a scenario runs under (io::scenario_policy: the embedded data and the
/// scenario's overlays). Called once per distinct list of overlays, before any run starts.
using PolicyLoader = std::function<PolicyBook(const Scenario&)>;

/// Receives every run of a plan vector, in plan order, one at a time: plan `index` of the vector
/// and its results (valid during the call only).
using Fold = std::function<void(std::size_t index, const RunPlan& plan, const Results& results)>;

struct ExecutorOptions {
  /// Worker threads in all (0: what the calling oneTBB arena allows, which `--threads` limits).
  int threads = 0;
  /// Runs at once (0: one per thread). Never more than the plans, nor more than the threads.
  int concurrent_runs = 0;
};

/// Runs plan vectors. With one run at a time each run gets every thread (as `yidi run`); with K
/// runs at once each gets threads ÷ K (at least 1) inside its own task arena, on K threads of
/// its own. Results wait for the fold in a window of 2K plans, so at most that many are held.
/// The first failure in plan order (a run's or the fold's) is rethrown after the runs in flight
/// finish; plans after it do not start, and every plan before it is folded: what a failing
/// vector folds is what running it one plan after another folds before the failure.
class RunExecutor {
public:
  RunExecutor(const World& world, PolicyLoader policy, ExecutorOptions options = {});
  void execute(const RunPlanVector& plans, const Fold& fold, const Progress& progress = {}) const;
  /// Runs at once and threads per run for a vector of `plans` plans.
  int concurrent_runs(std::size_t plans) const;
  int threads_per_run(std::size_t plans) const;
  const World& world() const { return world_; }
  const ExecutorOptions& options() const { return options_; }

private:
  const World& world_;
  PolicyLoader policy_;
  ExecutorOptions options_;
};

/// The most runs of `layout`'s population (at most `wanted`, at least 1) that fit side by side
/// in `available` bytes (0 = unknown: `wanted`), by the estimate of check_population_fits.
int runs_that_fit(const Layout& layout, std::uint64_t available, int wanted);

/// One run on the calling arena's threads (no executor).
Results run_scenario(const Scenario& s, const PolicyBook& book, const World& world);

}  // namespace yidi::sim
