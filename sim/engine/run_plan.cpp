#include "sim/engine/run_plan.hpp"

#include <tbb/task_arena.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "sim/engine/simulation.hpp"
#include "sim/model/names.hpp"

namespace yidi::sim {

namespace {
std::string compose(const std::string& source, const std::string& field, const std::string& message) {
  return source + ": " + (field.empty() ? "" : "field '" + field + "': ") + message;
}
/// "[k/N] label": run k of the N of a plan vector starts (the CLI turns it into a percentage).
std::string started(std::size_t i, const RunPlanVector& plans) {
  return "[" + std::to_string(i + 1) + "/" + std::to_string(plans.size()) + "] " + plans[i].label;
}
}  // namespace

ExperimentError::ExperimentError(std::string source, std::string field, const std::string& message)
    : std::invalid_argument(compose(source, field, message)), source_(std::move(source)), field_(std::move(field)) {}

Scenario with_param(const Scenario& s, const std::string& name, double value, const std::string& source) {
  const ParamDef* def = find_param(name);
  if (!def) {
    std::string names;
    std::vector<std::string> all;
    for (const auto& d : param_defs()) {
      names += (names.empty() ? "" : ", ") + d.name;
      all.push_back(d.name);
    }
    throw ExperimentError(source, name,
                          "unknown parameter '" + name + "'" + did_you_mean_text(name, all) + "; expected one of: " + names);
  }
  if (!(value >= def->min && value <= def->max)) {
    std::ostringstream m;
    m << "value " << value << " is out of range; expected a number from " << def->min << " to " << def->max;
    throw ExperimentError(source, name, m.str());
  }
  Scenario out = s;
  if (def->kind == ParamDef::Kind::number) {
    out.params.*(def->number) = value;
  } else {
    Series& series = out.params.*(def->series);
    std::vector<std::pair<int, double>> kept;
    for (const auto& pt : series.points)
      if (pt.first < s.start_month) kept.push_back(pt);
    kept.emplace_back(s.start_month, value);
    series.points = std::move(kept);
  }
  return out;
}

namespace {
/// `base` up to the month before `from`, then `value` (flat): the point at from − 1 lies on the
/// base's own segment there (no base point falls between it and the last one kept), so every
/// month before `from` keeps its value.
Series from_month_on(const Series& base, int from, double value) {
  Series out;
  for (const auto& pt : base.points)
    if (pt.first < from) out.points.push_back(pt);
  if (out.points.empty() || out.points.back().first != from - 1) out.points.emplace_back(from - 1, base.at(from - 1));
  out.points.emplace_back(from, value);
  return out;
}
}  // namespace

Scenario with_param(const Scenario& s, const ParamOverride& o, const std::string& source) {
  Scenario out = with_param(s, o.name, o.value, source);  // the name and range checks; national, from the start
  if (o.from_month < 0 && o.regions.empty()) return out;
  const ParamDef* def = find_param(o.name);
  if (!o.regions.empty() && def->regional == ParamDef::Regional::none) {
    std::string regional;
    for (const auto& d : param_defs())
      if (d.regional != ParamDef::Regional::none) regional += (regional.empty() ? "" : ", ") + d.name;
    throw ExperimentError(source, o.name, "does not act by region; expected one of the levers that do: " + regional);
  }
  if (def->kind != ParamDef::Kind::series)
    throw ExperimentError(source, o.name, "is a number, not a dated parameter; a start month (--from) applies to dated ones");
  const int from = std::max(o.from_month, s.start_month);
  const Series& national = s.params.*(def->series);
  if (o.regions.empty()) {
    if (from == s.start_month) return out;
    out = s;
    out.params.*(def->series) = from_month_on(national, from, o.value);
    return out;
  }
  out = s;
  // A province covers all of it: its pools with series of their own are set too (each from its own).
  std::vector<std::uint32_t> codes = o.regions;
  if (const auto by = s.params.by_region.find(o.name); by != s.params.by_region.end())
    for (const std::uint32_t code : o.regions)
      if (RegionCode::of(code).is_province())
        for (const auto& [pool, series] : by->second)
          if (pool != code && RegionCode::of(pool).province().value() == code) codes.push_back(pool);
  for (const std::uint32_t code : codes) {
    const std::uint32_t province = RegionCode::of(code).province().value();
    out.params.by_region[o.name][code] = from_month_on(regional_series(s.params, o.name, national, code, province), from, o.value);
  }
  return out;
}

Scenario planned_scenario(const RunPlan& plan) {
  // The replicate's draws of the uncertain parameters first, so that a plan's own overrides (a
  // sweep's or seek's lever) win over them.
  Scenario s = plan.scenario.uncertainty.empty() ? plan.scenario : with_uncertain_params(plan.scenario, plan.seed);
  for (const auto& o : plan.overrides) s = with_param(s, o, "plan");
  s.seed = plan.seed;
  return s;
}

Results run_scenario(const Scenario& s, const PolicyBook& book, const World& world) {
  Simulation sim(s, book, world);
  while (!sim.done()) sim.run_month();
  return sim.results();
}

int runs_that_fit(const Layout& layout, std::uint64_t available, int wanted) {
  int k = std::max(1, wanted);
  // fewer while k populations side by side do not fit
  while (k > 1 && population_memory_shortfall(static_cast<std::uint64_t>(layout.total) * static_cast<std::uint64_t>(k),
                                              layout.scale, available))
    --k;
  return k;
}

RunExecutor::RunExecutor(const World& world, PolicyLoader policy, ExecutorOptions options)
    : world_(world), policy_(std::move(policy)), options_(options) {}

int RunExecutor::concurrent_runs(std::size_t plans) const {
  const int threads = options_.threads > 0 ? options_.threads : tbb::this_task_arena::max_concurrency();
  int k = options_.concurrent_runs > 0 ? options_.concurrent_runs : threads;
  k = std::min(k, threads);
  k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(k, 1)), std::max<std::size_t>(plans, 1)));
  return std::max(k, 1);
}

int RunExecutor::threads_per_run(std::size_t plans) const {
  const int threads = options_.threads > 0 ? options_.threads : tbb::this_task_arena::max_concurrency();
  return std::max(1, threads / concurrent_runs(plans));
}

void RunExecutor::execute(const RunPlanVector& plans, const Fold& fold, const Progress& progress) const {
  // Policy books first, in plan order, one per distinct list of overlays: a bad overlay fails
  // before any run, and the runs share the books read-only.
  std::map<std::vector<std::string>, PolicyBook> books;
  std::vector<const PolicyBook*> book_of(plans.size());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    auto it = books.find(plans[i].scenario.policy_overlays);
    if (it == books.end()) it = books.emplace(plans[i].scenario.policy_overlays, policy_(plans[i].scenario)).first;
    book_of[i] = &it->second;
  }
  const std::size_t K = static_cast<std::size_t>(concurrent_runs(plans.size()));
  const int per_run = threads_per_run(plans.size());
  auto run = [&](std::size_t i) { return run_scenario(planned_scenario(plans[i]), *book_of[i], world_); };

  if (K <= 1) {
    tbb::task_arena arena(per_run);
    for (std::size_t i = 0; i < plans.size(); ++i) {
      if (progress) progress(started(i, plans));
      const Results r = arena.execute([&] { return run(i); });
      fold(i, plans[i], r);
    }
    return;
  }

  // K workers take plans in order; whichever finishes a run folds every finished run that is next
  // in plan order (one folder at a time), so the fold sees plan order whatever finishes first.
  struct Slot {
    std::optional<Results> results;
    std::exception_ptr error;
    bool done = false;
  };
  std::vector<Slot> slots(plans.size());
  std::mutex m;
  std::condition_variable cv;
  std::size_t next = 0, folded = 0;
  bool stop = false, folding = false;
  std::exception_ptr fold_error;
  const std::size_t window = 2 * K;
  auto worker = [&] {
    tbb::task_arena arena(per_run);
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return stop || next >= plans.size() || next < folded + window; });
        if (stop || next >= plans.size()) return;
        i = next++;
        if (progress) progress(started(i, plans));
      }
      Slot s;
      try {
        s.results.emplace(arena.execute([&] { return run(i); }));
      } catch (...) {
        s.error = std::current_exception();
      }
      std::unique_lock lock(m);
      s.done = true;
      if (s.error) stop = true;  // later plans do not start; earlier ones finish and are folded
      slots[i] = std::move(s);
      while (!folding && !fold_error && folded < plans.size() && slots[folded].done && !slots[folded].error) {
        folding = true;
        const std::size_t f = folded;
        lock.unlock();
        std::exception_ptr err;
        try {
          fold(f, plans[f], *slots[f].results);
        } catch (...) {
          err = std::current_exception();
        }
        lock.lock();
        folding = false;
        slots[f].results.reset();
        if (err) {
          fold_error = err;
          stop = true;
          break;
        }
        ++folded;
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(K);
  for (std::size_t k = 0; k < K; ++k) workers.emplace_back(worker);
  for (auto& w : workers) w.join();
  if (fold_error) std::rethrow_exception(fold_error);
  if (folded < plans.size() && slots[folded].error) std::rethrow_exception(slots[folded].error);
}

}  // namespace yidi::sim
