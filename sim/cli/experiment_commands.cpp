// The experiment layer (docs/experiments.md): `yidi replicates`, `compare`, `sweep`, `seek` and
// `prepay`, on the run-plan executor (sim/engine/run_plan.hpp): runs side by side, one per thread
// (--concurrent-runs), folded in plan order, so the output depends neither on the thread count
// nor on the runs at once. Summaries are written by the HDF5 sink (sim/io/summary_sink.hpp).
// Progress goes to a terminal only.
#include <tbb/global_control.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/cli/progress.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/experiments.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/output.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/summary_sink.hpp"
#include "sim/io/targets_csv.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct Common {
  int n = 0;
  std::string output;
  io::ScenarioOverrides overrides;  // --scale, --months, --seed as typed (sim/io/scenario_yaml.hpp)
  int threads = 0;  // given: at least 1; not given: all cores
  int concurrent = 0;  // given: at least 1; not given: one run per thread, as many as fit in memory
  bool overwrite = false;
  bool quiet = false;  // no progress lines
  const CLI::Option* threads_opt = nullptr;
  const CLI::Option* concurrent_opt = nullptr;
};

void add_common(CLI::App* cmd, Common& c, bool output = true) {
  cmd->add_option("-n,--replicates", c.n, "number of replicates (seeds seed … seed+N−1)")->required();
  if (output) cmd->add_option("-o,--output", c.output, "output file");
  cmd->add_option("--scale", c.overrides.scale, "override the sampling ratio, e.g. 1:1000");
  cmd->add_option("--months", c.overrides.months, "override the number of months (1 to 600)");
  cmd->add_option("--seed", c.overrides.seed, "override the first seed (0 to 2^64-1)");
  c.threads_opt = cmd->add_option("--threads", c.threads, "worker threads, at least 1 (default: all cores); results do not depend on it");
  c.concurrent_opt = cmd->add_option("--concurrent-runs", c.concurrent,
                                     "runs at once, at least 1 (default: one per thread, as many as fit in memory); "
                                     "results do not depend on it");
  if (output) cmd->add_flag("--overwrite", c.overwrite, "replace an existing output (yidi's own only)");
  cmd->add_flag("--quiet", c.quiet, "no progress (on a terminal: a line redrawn; otherwise a line every 10 s)");
}

/// Options checked before anything is read or written.
void check_common(const Common& c) {
  if (c.threads_opt->count() > 0 && c.threads < 1)
    throw io::InputError({"--threads", 0, 0}, "threads",
                         "expected a number of worker threads of at least 1, got '" + std::to_string(c.threads) + "'");
  if (c.concurrent_opt->count() > 0 && c.concurrent < 1)
    throw io::InputError({"--concurrent-runs", 0, 0}, "concurrent-runs",
                         "expected a number of runs at once of at least 1, got '" + std::to_string(c.concurrent) + "'");
}

/// The files an experiment reads: its scenario files, the scenarios they extend, and their policy
/// overlays (so no output replaces any of them).
io::InputFiles inputs_of(const std::vector<std::string>& names, const std::vector<sim::Scenario>& ss) {
  io::InputFiles in;
  for (const auto& n : names) in.add(n);
  for (const auto& s : ss) {
    for (const auto& file : s.files) in.add(file);
    for (const auto& overlay : s.policy_overlays) in.add(overlay);
  }
  return in;
}

sim::Scenario load(const std::string& name, const Common& c) {
  sim::Scenario s = io::load_scenario(name);
  io::apply_overrides(s, c.overrides);
  return s;
}

/// The command line, for the `experiment` attribute.
std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), {}), out;
  std::size_t start = 0;
  bool first = true;
  for (std::size_t i = 0; i <= raw.size(); ++i) {
    if (i < raw.size() && raw[i] != '\0') continue;
    if (i > start) {
      std::string arg = raw.substr(start, i - start);
      if (first) arg = "yidi";
      out += (out.empty() ? "" : " ") + (arg.find(' ') != std::string::npos ? "'" + arg + "'" : arg);
      first = false;
    }
    start = i + 1;
  }
  return out;
}

int thread_count(const Common& c) {
  return c.threads > 0 ? c.threads : static_cast<int>(std::thread::hardware_concurrency());
}

/// The executor of an experiment's plans: every thread of --threads, runs side by side up to
/// --concurrent-runs (default one per thread), no more than fit in memory beside each other.
sim::RunExecutor executor(const std::vector<sim::Scenario>& ss, const Common& c, const sim::World& world) {
  int wanted = c.concurrent > 0 ? c.concurrent : thread_count(c);
  for (const auto& s : ss)
    wanted = sim::runs_that_fit(sim::make_layout(world, s.params, s.scale), sim::memory_available(), wanted);
  return sim::RunExecutor(world, io::scenario_policy, {thread_count(c), wanted});
}

sim::Attributes provenance(const std::vector<sim::Scenario>& ss, const Common& c, const sim::World& world) {
  sim::Attributes p;
  std::string resolved, names;
  for (const auto& s : ss) {
    resolved += (resolved.empty() ? "" : "---\n") + io::resolved_yaml(s);
    names += (names.empty() ? "" : ",") + s.name;
  }
  const sim::Scenario& s = ss.front();
  p.text["yidi_version"] = kVersion;
  p.text["scenario"] = resolved;
  p.text["scenario_sha256"] = io::sha256_hex(resolved);
  p.text["scenario_name"] = names;
  p.text["experiment"] = command_line();
  p.numbers["seed"] = static_cast<std::int64_t>(s.seed);
  p.numbers["scale"] = s.scale;
  p.numbers["threads"] = thread_count(c);
  p.numbers["ranks"] = 1;
  p.numbers["start_month"] = s.start_month;
  p.numbers["months"] = s.months;
  p.numbers["agents"] = static_cast<std::int64_t>(sim::make_layout(world, s.params, s.scale).total);
  p.numbers["replicates"] = c.n;
  return p;
}

/// The experiment's progress: "[k/N] label" (sim/engine/run_plan.hpp) as k − 1 of N runs done; other
/// messages on a terminal only.
std::shared_ptr<ProgressReporter> current_progress;
sim::Progress progress(const std::string& command, const Common& c) {
  current_progress = std::make_shared<ProgressReporter>(command, !c.quiet);
  auto bar = current_progress;
  const bool quiet = c.quiet;
  return [bar, quiet](const std::string& m) {
    std::size_t k = 0, n = 0;
    char close = 0;
    int used = 0;
    if (std::sscanf(m.c_str(), "[%zu/%zu%c %n", &k, &n, &close, &used) == 3 && close == ']' && n > 0 && k >= 1) {
      bar->update(static_cast<double>(k - 1) / static_cast<double>(n), "run " + std::to_string(k) + " of " +
                                                                          std::to_string(n) + " starting: " + m.substr(static_cast<std::size_t>(used)));
    } else if (bar->tty() && !quiet) {
      std::fprintf(stderr, "\r%-100s", m.c_str());
    }
  };
}
void end_progress() {
  if (current_progress) current_progress->finish();
  current_progress.reset();
}

double parse_number(const std::string& text, const std::string& source, const std::string& field) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw io::InputError({source, 0, 0}, field, "expected a number, got '" + text + "'");
  return v;
}

std::string num(double v) {
  std::ostringstream o;
  o.precision(10);
  o << v;
  return o.str();
}

/// The short table a summary command prints: per scenario and year, the national cross-province
/// inpatient rate over the replicates (P5, P50, P95 of the replicates' yearly rates) and the share
/// of replicates at or above 70% with its Wilson 95% interval, read back from the file written
/// (group "" or "scenarios/NAME/"); `yidi export FILE` gives every value.
struct TableSource {
  std::string path, group, name;
};
std::string summary_table(const std::vector<TableSource>& sources, const std::string& shown) {
  std::ostringstream t;
  char line[200];
  std::snprintf(line, sizeof line, "%-40s %6s %6s %8s %8s %8s %10s %15s\n", "scenario", "year", "months", "rate P5",
                "P50", "P95", "P(>=70%)", "Wilson 95%");
  t << line;
  for (const auto& src : sources) {
    // A point file of an older sweep (skipped, not recomputed) may lack the yearly values.
    if (!io::has_dataset_hdf5(src.path, src.group + "replicates/offsite/dsr_inpatient_national") ||
        !io::has_dataset_hdf5(src.path, "years") || !io::has_dataset_hdf5(src.path, "year_months")) {
      t << "# " << src.name << ": " << src.path << " holds no yearly values per replicate\n";
      continue;
    }
    const auto years = io::read_dataset_hdf5(src.path, "years").i;
    const auto year_months = io::read_dataset_hdf5(src.path, "year_months").i;
    const auto d = io::read_dataset_hdf5(src.path, src.group + "replicates/offsite/dsr_inpatient_national");
    if (d.shape.size() != 2 || d.shape[1] != years.size()) continue;
    const std::size_t n = d.shape[0];
    for (std::size_t y = 0; y < years.size(); ++y) {
      std::vector<double> xs;
      int met = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double v = d.f[k * years.size() + y];
        if (std::isfinite(v)) xs.push_back(v);
        met += v >= 0.70 ? 1 : 0;
      }
      const sim::Wilson w = sim::wilson95(met, static_cast<int>(n));
      auto q = [&](double p) { return xs.empty() ? std::nan("") : sim::exact_quantile(xs, p); };
      std::snprintf(line, sizeof line, "%-40s %6lld %6lld %8.4f %8.4f %8.4f %10.3f %7.3f-%-7.3f\n", src.name.c_str(),
                    static_cast<long long>(years[y]), static_cast<long long>(year_months[y]), q(0.05), q(0.5), q(0.95),
                    static_cast<double>(met) / static_cast<double>(n), w.low, w.high);
      t << line;
    }
  }
  t << "# every replicate's yearly values, per province: yidi export " << shown << " [--probability \"MEASURE >= X\"]\n";
  return t.str();
}

// ---- replicates ---------------------------------------------------------------------------------

struct ReplicatesOptions {
  std::string scenario;
  Common c;
};

void run_replicates(const ReplicatesOptions& o) {
  check_common(o.c);
  const sim::Scenario s = load(o.scenario, o.c);
  const std::string out = o.c.output.empty()
                              ? "outputs/" + io::file_name_part(s.name) + "-replicates" + std::to_string(o.c.n) + ".h5"
                              : o.c.output;
  // Opened before the work: an unwritable place or an existing file is found at once.
  io::OutputFile file(out, "summary", io::OutputKind::hdf5, o.c.overwrite, inputs_of({o.scenario}, {s}));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(thread_count(o.c)));
  const sim::World world = sim::embedded_world();
  sim::check_population_fits(sim::make_layout(world, s.params, s.scale), sim::memory_available(), o.scenario);
  const sim::Attributes prov = provenance({s}, o.c, world);
  const sim::Summary sum = sim::replicates(s, o.c.n, executor({s}, o.c, world), progress("yidi replicates", o.c));
  end_progress();
  io::Hdf5SummarySink sink(file);
  sim::write_summary(sink, sum, prov);
  std::cerr << "yidi replicates: " << s.name << ", " << o.c.n << " replicates of " << s.months << " months; wrote "
            << out << "\n";
  std::cout << summary_table({{out, "", s.name}}, out);
}

// ---- compare ------------------------------------------------------------------------------------

struct CompareOptions {
  std::vector<std::string> scenarios;
  Common c;
};

void run_compare(const CompareOptions& o) {
  check_common(o.c);
  std::vector<sim::Scenario> ss;
  for (const auto& name : o.scenarios) ss.push_back(load(name, o.c));
  for (auto& s : ss) s.seed = ss.front().seed;  // common random numbers
  const std::string out =
      o.c.output.empty() ? "outputs/compare-" + io::file_name_part(ss.front().name) + ".h5" : o.c.output;
  io::OutputFile file(out, "comparison", io::OutputKind::hdf5, o.c.overwrite, inputs_of(o.scenarios, ss));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(thread_count(o.c)));
  const sim::World world = sim::embedded_world();
  for (std::size_t k = 0; k < ss.size(); ++k)
    sim::check_population_fits(sim::make_layout(world, ss[k].params, ss[k].scale), sim::memory_available(),
                               o.scenarios[k]);
  const sim::Attributes prov = provenance(ss, o.c, world);
  const sim::Comparison cmp = sim::compare(ss, o.c.n, executor(ss, o.c, world), progress("yidi compare", o.c));
  end_progress();
  std::vector<std::pair<std::string, const sim::Summary*>> groups;
  for (std::size_t k = 0; k < cmp.names.size(); ++k) groups.emplace_back("scenarios/" + cmp.names[k] + "/", &cmp.scenarios[k]);
  for (std::size_t k = 0; k < cmp.differences.size(); ++k)
    groups.emplace_back("differences/" + cmp.names[k + 1] + "/", &cmp.differences[k]);
  io::Hdf5SummarySink sink(file);
  sim::write_summaries(sink, groups, prov);
  std::cerr << "yidi compare: " << ss.size() << " scenarios, " << o.c.n << " replicates each; wrote " << out << "\n";
  std::vector<TableSource> tables;
  for (const auto& name : cmp.names) tables.push_back({out, "scenarios/" + name + "/", name});
  std::cout << summary_table(tables, out);
}

// ---- sweep --------------------------------------------------------------------------------------

/// --from YYYY-MM as a month index (−1 when not given).
int parse_from(const std::string& from) {
  if (from.empty()) return -1;
  const auto d = from.size() == 7 ? Date::parse(from + "-01") : std::nullopt;
  if (!d) throw io::InputError({"--from", 0, 0}, "from", "expected a month YYYY-MM, got '" + from + "'");
  return d->month_index();
}

/// --regions: provinces or pools by code or name, comma-separated (a province before a pool of the
/// same name: 北京 is the province 110000, whose pool has the same code), returned in code order;
/// `codes` gets them as "510000 510100". Empty when not given; refused when given empty, with an
/// empty name, unknown or twice.
std::vector<std::uint32_t> parse_regions(const std::string& text, bool given, const std::vector<sim::NamedRegion>& provinces,
                                         const std::vector<sim::NamedRegion>& pools, std::string& codes) {
  if (given && text.find_first_not_of(" ,") == std::string::npos)
    throw io::InputError({"--regions", 0, 0}, "regions", "empty; expected provinces or pools, e.g. 四川,成都 (or leave it out: national)");
  std::vector<std::uint32_t> out;
  for (std::size_t at = 0; !text.empty() && at <= text.size();) {
    const auto comma = std::min(text.find(',', at), text.size());
    std::string name = text.substr(at, comma - at);
    at = comma + 1;
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name.empty())
      throw io::InputError({"--regions", 0, 0}, "regions",
                           "an empty name in '" + text + "'; expected provinces or pools separated by single commas, e.g. 四川,成都");
    std::string error;
    const auto hit = sim::resolve_region(provinces, pools, name, false, error);
    if (!hit) throw io::InputError({"--regions", 0, 0}, "regions", error);
    const sim::NamedRegion& found = hit->pool ? pools[hit->index] : provinces[hit->index];
    const std::uint32_t code = RegionCode::parse(found.code)->value();
    if (std::find(out.begin(), out.end(), code) != out.end())
      throw io::InputError({"--regions", 0, 0}, "regions", "'" + name + "' (" + found.code + ") given twice");
    out.push_back(code);
  }
  // In code order, so that the same regions in another order are the same lever (a sweep resumes).
  std::sort(out.begin(), out.end());
  for (const std::uint32_t c : out) codes += (codes.empty() ? "" : " ") + RegionCode::of(c).str();
  return out;
}

struct SweepOptions {
  std::string scenario;
  std::vector<std::string> grid;
  std::string from, regions;
  const CLI::Option* regions_opt = nullptr;
  Common c;
};

std::vector<sim::GridAxis> parse_grid(const std::vector<std::string>& specs) {
  std::vector<sim::GridAxis> grid;
  for (const auto& g : specs) {
    const auto eq = g.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == g.size())
      throw io::InputError({"--grid", 0, 0}, "grid", "expected NAME=V1,V2,…, got '" + g + "'");
    sim::GridAxis axis{g.substr(0, eq), {}, -1, {}};
    std::stringstream values(g.substr(eq + 1));
    for (std::string v; std::getline(values, v, ',');) axis.values.push_back(parse_number(v, "--grid", axis.name));
    for (const auto& a : grid)
      if (a.name == axis.name) throw io::InputError({"--grid", 0, 0}, axis.name, "expected each parameter once");
    grid.push_back(std::move(axis));
  }
  return grid;
}

void run_sweep(const SweepOptions& o) {
  check_common(o.c);
  const sim::Scenario s = load(o.scenario, o.c);
  auto grid = parse_grid(o.grid);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(thread_count(o.c)));
  const sim::World world = sim::embedded_world();
  std::vector<sim::NamedRegion> provinces, pools;
  sim::named_regions(world, provinces, pools);
  std::string region_codes;  // not printed: each point file records them (grid.NAME.regions)
  const int from = parse_from(o.from);
  const auto regions = parse_regions(o.regions, o.regions_opt->count() > 0, provinces, pools, region_codes);
  for (auto& axis : grid) {  // every axis, as seek's one lever
    axis.from_month = from;
    axis.regions = regions;
  }
  sim::check_population_fits(sim::make_layout(world, s.params, s.scale), sim::memory_available(), o.scenario);
  const sim::Attributes prov = provenance({s}, o.c, world);
  // The point's own values are attributes; the command line may differ between resumed runs.
  io::Hdf5SweepStore store(o.c.output, o.c.overwrite, inputs_of({o.scenario}, {s}));
  const auto points = sim::sweep(s, grid, o.c.n, store, prov, executor({s}, o.c, world), progress("yidi sweep", o.c));
  end_progress();
  int computed = 0;
  for (const auto& p : points) {
    if (!p.computed) std::cerr << "yidi sweep: " << p.file << " complete, skipped\n";
    computed += p.computed ? 1 : 0;
  }
  std::cerr << "yidi sweep: " << points.size() << " points (" << computed << " computed, "
            << points.size() - static_cast<std::size_t>(computed) << " skipped); wrote " << o.c.output << "/index.csv\n";
  std::vector<TableSource> tables;
  for (const auto& p : points) {
    std::string label;
    for (std::size_t a = 0; a < grid.size(); ++a) label += (a ? " " : "") + grid[a].name + "=" + num(p.values[a]);
    tables.push_back({(fs::path(o.c.output) / p.file).string(), "", label});
  }
  std::cout << summary_table(tables, o.c.output + "/point-NNNN.h5");
}

// ---- seek ---------------------------------------------------------------------------------------

struct SeekOptions {
  std::string scenario, lever, range, target, from, regions;
  const CLI::Option* regions_opt = nullptr;
  double probability = 0.9;
  double tolerance = 0;
  Common c;
};

void run_seek(const SeekOptions& o) {
  check_common(o.c);
  const sim::Scenario s = load(o.scenario, o.c);
  const auto colon = o.range.find(':');
  if (colon == std::string::npos) throw io::InputError({"--range", 0, 0}, "range", "expected LO:HI, got '" + o.range + "'");
  const double lo = parse_number(o.range.substr(0, colon), "--range", "range");
  const double hi = parse_number(o.range.substr(colon + 1), "--range", "range");
  const sim::World world = sim::embedded_world();
  std::vector<sim::NamedRegion> provinces, pools;
  sim::named_regions(world, provinces, pools);
  const sim::Target target = sim::parse_target(o.target, provinces, pools);
  // The lever: from a month (--from YYYY-MM), for some provinces or pools (--regions).
  sim::ParamOverride lever;
  lever.name = o.lever;
  lever.from_month = parse_from(o.from);
  std::string region_codes;
  lever.regions = parse_regions(o.regions, o.regions_opt->count() > 0, provinces, pools, region_codes);
  const double tol = o.tolerance > 0 ? o.tolerance : (hi - lo) / 64;
  std::optional<io::OutputFile> file;
  if (!o.c.output.empty())
    file.emplace(o.c.output, "seek table", io::OutputKind::text, o.c.overwrite, inputs_of({o.scenario}, {s}));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(thread_count(o.c)));
  sim::check_population_fits(sim::make_layout(world, s.params, s.scale), sim::memory_available(), o.scenario);
  const auto r = sim::seek(s, lever, lo, hi, target, o.probability, o.c.n, tol > 0 ? tol : 1e-9,
                           executor({s}, o.c, world), progress("yidi seek", o.c));
  end_progress();
  const std::string sha = io::sha256_hex(io::resolved_yaml(s));
  const std::string from = lever.from_month >= 0 ? Date::month_label(lever.from_month) : Date::month_label(s.start_month);
  std::ostringstream out;
  out << "# yidi " << kVersion << ": " << command_line() << "\n"
      << "# scenario " << s.name << " (sha256 " << sha << "), seeds " << s.seed << "…"
      << s.seed + static_cast<std::uint64_t>(o.c.n) - 1 << "\n"
      << "lever: " << o.lever << "\n"
      << "from: " << from << "\n"
      << "regions: " << (region_codes.empty() ? "national" : region_codes) << "\n"
      << "target: " << target.text() << "\n"
      << "probability: " << num(o.probability) << "\n"
      << "found: " << (r.found ? "yes" : "no") << "\n";
  if (r.found) out << "answer: " << num(r.answer) << "\n";
  out << "bracket: " << num(r.low) << ":" << num(r.high) << "\n"
      << "estimated_probability: " << num(static_cast<double>(r.successes) / r.trials) << " (" << r.successes << "/"
      << r.trials << (r.found ? " at the answer" : " at the range's high end") << ")\n"
      << "wilson95: " << num(r.interval.low) << ":" << num(r.interval.high) << "\n"
      << "evaluations:";
  for (const auto& [v, k] : r.evaluations) out << " " << num(v) << "=" << k << "/" << r.trials;
  out << "\n";
  std::cout << out.str();
  if (!file) return;
  // -o: every lever value evaluated, one row each, with the provenance and the answer's role.
  std::ostringstream csv;
  csv << "yidi_version,scenario,scenario_sha256,first_seed,replicates,scale,lever,from,regions,target,probability,"
         "lever_value,met,share,wilson95_low,wilson95_high,role\n";
  const std::string lead = io::csv_field(kVersion) + "," + io::csv_field(s.name) + "," + sha + "," + std::to_string(s.seed) + "," +
                           std::to_string(o.c.n) + ",1:" + std::to_string(s.scale) + "," + io::csv_field(o.lever) + "," + from +
                           "," + io::csv_field(region_codes.empty() ? "national" : region_codes) + "," +
                           io::csv_field(target.text()) + "," + num(o.probability) + ",";
  for (const auto& [v, k] : r.evaluations) {
    const sim::Wilson w = sim::wilson95(k, r.trials);
    const std::string role = r.found && v == r.answer ? "answer"
                             : !r.found && v == r.high ? "high_end_not_met"
                             : v == r.low              ? "bracket_low"
                                                       : "evaluated";
    csv << lead << num(v) << "," << k << "," << num(static_cast<double>(k) / r.trials) << "," << num(w.low) << "," << num(w.high)
        << "," << role << "\n";
  }
  *file << "\xEF\xBB\xBF" << csv.str();  // UTF-8 byte-order mark, as every table yidi writes
  file->commit();
  std::cerr << "yidi seek: wrote " << o.c.output << "\n";
}

// ---- prepay -------------------------------------------------------------------------------------

struct PrepayOptions {
  std::string scenario;
  double alpha = 0.05;
  int year = 0;
  bool backtest = false;
  std::string quotas;  // --quotas FILE.yaml: the proposal as a scenario overlay
  Common c;
};

/// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string out = "\"";
  for (const char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}
std::string yuan_text(double fen) {
  char b[48];
  std::snprintf(b, sizeof b, "%.2f", fen / 100.0);
  return b;
}
std::string fixed_text(double v, int decimals) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

void run_prepay(const PrepayOptions& o) {
  check_common(o.c);
  const sim::Scenario s = load(o.scenario, o.c);
  std::optional<io::OutputFile> file, overlay;
  if (!o.c.output.empty())
    file.emplace(o.c.output, "prepayment quotas", io::OutputKind::text, o.c.overwrite, inputs_of({o.scenario}, {s}));
  if (!o.quotas.empty())
    overlay.emplace(o.quotas, "prepayment proposal", io::OutputKind::text, o.c.overwrite, inputs_of({o.scenario}, {s}));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(thread_count(o.c)));
  const sim::World world = sim::embedded_world();
  sim::check_population_fits(sim::make_layout(world, s.params, s.scale), sim::memory_available(), o.scenario);
  const sim::Attributes prov = provenance({s}, o.c, world);
  sim::PrepayOptions po;
  po.alpha = o.alpha;
  po.n = o.c.n;
  po.year = o.year;
  po.backtest = o.backtest;
  const sim::PrepayResult r = sim::prepay(s, po, executor({s}, o.c, world), progress("yidi prepay", o.c));
  end_progress();
  // One table, every row self-describing (provenance as columns), so that it opens cleanly in a
  // spreadsheet: no comment lines; amounts in yuan and 亿元; province names beside the codes.
  std::map<std::string, std::pair<std::string, std::string>> names;
  for (const auto& p : world.provinces()) names[p.code.str()] = {p.name, p.name_en};
  const std::string seeds = std::to_string(s.seed) + ".." + std::to_string(s.seed + static_cast<std::uint64_t>(o.c.n) - 1);
  const std::string fresh = std::to_string(s.seed + static_cast<std::uint64_t>(o.c.n)) + ".." +
                            std::to_string(s.seed + 2 * static_cast<std::uint64_t>(o.c.n) - 1);
  std::ostringstream csv;
  csv << "yidi_version,scenario,scenario_sha256,scale,seeds,red_probability,year,province_code,province,province_en,"
         "proposed_quota_yuan,proposed_quota_yi,peak_outstanding_yuan,exceedance,rule_quota_yuan,rule_2x_gross_yuan,"
         "rule_red_replicates,rule_topups_mean,rule_topups_p5,rule_topups_p95,rule_topup_yuan_mean,rule_topup_yuan_p5,"
         "rule_topup_yuan_p95,usage_noisy_share,threads,ranks,command";
  if (o.backtest)
    csv << ",backtest_seeds,backtest_red_replicates,backtest_p_red,backtest_p_red_low,backtest_p_red_high,"
           "backtest_within,backtest_topups_mean,backtest_topup_yuan_mean,backtest_topup_yuan_p95";
  csv << "\n";
  std::size_t within = 0;
  Money proposed_total, rule_total;
  for (const auto& row : r.rows) {
    const auto nm = names.count(row.province) ? names.at(row.province) : std::pair<std::string, std::string>{};
    csv << kVersion << "," << csv_field(s.name) << "," << prov.text.at("scenario_sha256") << ",1:" << s.scale << ","
        << seeds << "," << num(o.alpha) << "," << r.year << "," << row.province << "," << csv_field(nm.first) << ","
        << csv_field(nm.second) << "," << row.proposed_quota.str() << ","
        << fixed_text(static_cast<double>(row.proposed_quota.fen()) / 1e10, 4) << "," << row.peak_quantile.str() << ","
        << fixed_text(row.exceedance, 4) << ","
        << row.rule_quota.str() << "," << row.rule_2x_gross.str() << "," << row.red_replicates << ","
        << fixed_text(row.topups.mean, 2) << "," << num(row.topups.p5) << "," << num(row.topups.p95) << ","
        << yuan_text(row.topup_amount.mean) << "," << yuan_text(row.topup_amount.p5) << ","
        << yuan_text(row.topup_amount.p95) << "," << fixed_text(row.noisy_share, 3) << "," << prov.numbers.at("threads")
        << "," << prov.numbers.at("ranks") << "," << csv_field(prov.text.at("experiment"));
    proposed_total += row.proposed_quota;
    rule_total += row.rule_quota;
    if (o.backtest) {
      const double p_red = static_cast<double>(row.backtest_red) / o.c.n;
      const bool ok = row.backtest_interval.low <= o.alpha;
      within += ok ? 1 : 0;
      csv << "," << fresh << "," << row.backtest_red << "," << fixed_text(p_red, 4) << ","
          << fixed_text(row.backtest_interval.low, 4) << "," << fixed_text(row.backtest_interval.high, 4) << ","
          << (ok ? "yes" : "no") << "," << fixed_text(row.backtest_topups.mean, 2) << ","
          << yuan_text(row.backtest_topup_amount.mean) << "," << yuan_text(row.backtest_topup_amount.p95);
    }
    csv << "\n";
  }
  if (overlay) {
    std::error_code ec;
    const std::string base = fs::is_regular_file(o.scenario, ec) ? fs::absolute(o.scenario).string() : o.scenario;
    *overlay << sim::prepay_overlay(s, r, base);  // put in place with the table, below
  }
  const auto yi = [](Money m) { return fixed_text(static_cast<double>(m.fen()) / 1e10, 1); };
  std::ostringstream line;
  line << "yidi prepay: " << s.name << " " << r.year << ", " << o.c.n << " replicates at 1:" << s.scale
       << ": proposed quotas " << yi(proposed_total) << " 亿元 in all (the 2x rule's peak " << yi(rule_total)
       << " 亿元) for P(red in the year) <= " << num(o.alpha);
  if (!r.rows.empty() && r.rows[0].exceedance > o.alpha)
    line << " (WARNING: " << o.c.n << " replicates bound P(red) only by " << fixed_text(r.rows[0].exceedance, 3)
         << "; at least " << sim::QuotaProposal::replicates_needed(o.alpha) << " are needed for " << num(o.alpha) << ")";
  if (o.backtest)
    line << "; backtest on seeds " << fresh << ": P(red) within " << num(o.alpha) << " (Wilson 95% low end) in "
         << within << " of " << r.rows.size() << " provinces";
  if (o.c.output.empty()) {
    if (overlay) overlay->commit();
    std::cout << csv.str();
    std::cerr << line.str() << "\n";
    return;
  }
  *file << "\xEF\xBB\xBF" << csv.str();  // UTF-8 byte-order mark: spreadsheets then read the Chinese names
  file->commit();
  if (overlay) overlay->commit();
  std::cerr << line.str() << "\n";
  std::cerr << "yidi prepay: wrote " << o.c.output << (overlay ? " and " + o.quotas : std::string()) << "\n";
}

struct CalibrateCliOptions {
  std::string scenario, targets;
  std::vector<std::string> params;  // NAME=LO:HI
  int fit_until = 9999;
  int max_evaluations = 60;
  bool uncertainty = false;
  Common c;
};

/// `--param NAME[@YYYY][=LO:HI]` (no range: its calibrated one).
sim::CalibrationParam parse_calibration_param(const std::string& text, const sim::Scenario& s) {
  const auto eq = text.find('=');
  std::string name = text.substr(0, eq);
  int year = 0;
  if (const auto at = name.find('@'); at != std::string::npos) {
    const std::string y = name.substr(at + 1);
    name = name.substr(0, at);
    const double v = parse_number(y, "--param", name);
    if (v != std::floor(v) || v < 1990 || v > 2100)
      throw io::InputError({"--param", 0, 0}, name, "expected NAME@YYYY with a year 1990–2100, got '" + text + "'");
    year = static_cast<int>(v);
  }
  const sim::ParamDef* d = sim::find_param(name);
  double lo = d ? d->fit_lo : 0, hi = d ? d->fit_hi : 0;
  if (eq != std::string::npos) {
    const std::string range = text.substr(eq + 1);
    const auto colon = range.find(':');
    if (colon == std::string::npos)
      throw io::InputError({"--param", 0, 0}, name, "expected NAME=LO:HI, got '" + text + "'");
    lo = parse_number(range.substr(0, colon), "--param", name);
    hi = parse_number(range.substr(colon + 1), "--param", name);
  } else if (d && !d->calibrated()) {
    throw io::InputError({"--param", 0, 0}, name, "has no calibration range; expected NAME=LO:HI");
  }
  return sim::calibration_param(s, name, year, lo, hi, "--param");
}

void run_calibrate(const CalibrateCliOptions& o) {
  check_common(o.c);
  const sim::Scenario s = load(o.scenario, o.c);
  sim::CalibrateOptions co;
  co.targets = io::load_targets(o.targets);
  co.seeds = o.c.n;
  co.fit_until = o.fit_until;
  co.max_evaluations = o.max_evaluations;
  co.profile = o.uncertainty;
  if (o.params.empty()) co.params = sim::calibrated_params(s);
  for (const auto& text : o.params) co.params.push_back(parse_calibration_param(text, s));
  std::vector<std::string> inputs = {o.scenario};
  if (!o.targets.empty()) inputs.push_back(o.targets);
  std::optional<io::OutputFile> file;
  if (!o.c.output.empty())
    file.emplace(o.c.output, "calibrated scenario", io::OutputKind::text, o.c.overwrite, inputs_of(inputs, {s}));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(thread_count(o.c)));
  const sim::World world = sim::embedded_world();
  sim::check_population_fits(sim::make_layout(world, s.params, s.scale), sim::memory_available(), o.scenario);
  const auto r = sim::calibrate(s, co, executor({s}, o.c, world), progress("yidi calibrate", o.c));
  end_progress();
  std::ostringstream md;
  md << "# yidi calibrate: " << s.name << ", " << r.fit_evaluations << " evaluations of " << co.seeds
     << (co.seeds == 1 ? " seed" : " seeds") << " at 1:" << s.scale << ", stopped at " << r.stop_reason;
  if (co.profile) md << "; " << r.evaluations.size() - r.fit_evaluations << " more for the uncertainty ranges";
  md << "\n\n| parameter | start | fitted | range |" << (co.profile ? " uncertainty (objective within 1) |" : "")
     << "\n|---|---|---|---|" << (co.profile ? "---|" : "") << "\n";
  for (std::size_t k = 0; k < co.params.size(); ++k) {
    md << "| " << co.params[k].label() << " | " << num(r.start[k]) << " | " << num(r.best[k]) << " | " << num(co.params[k].lo)
       << "–" << num(co.params[k].hi) << " |";
    if (co.profile)
      md << " " << (r.ranges[k].low_open ? "≤ " : "") << num(r.ranges[k].low) << "–" << num(r.ranges[k].high)
         << (r.ranges[k].high_open ? " or more" : "") << " |";
    md << "\n";
  }
  if (r.profile_found_lower)
    md << "\nWARNING: a point of the uncertainty profile fits better than the fit: BOBYQA stopped before a minimum "
          "(raise --max-evaluations).\n";
  md << "\nObjective (Σ of (ln(model ÷ data) ÷ ln(1 + tolerance))² over the " << r.fitted_targets
     << " fitted targets): " << num(r.start_objective) << " at the start, " << num(r.best_objective) << " fitted.\n\n"
     << "| year | measure | data | start | fitted | fitted ÷ data | within | role |\n|---|---|---|---|---|---|---|---|\n";
  std::size_t met = 0, predicted = 0, predicted_met = 0;
  for (std::size_t k = 0; k < r.best_rows.size(); ++k) {
    const auto& b = r.best_rows[k];
    const bool fitted = b.target.year <= co.fit_until;
    met += b.met() ? 1 : 0;
    if (!fitted) {
      ++predicted;
      predicted_met += b.met() ? 1 : 0;
    }
    md << "| " << b.target.year << " | " << b.target.measure << " | " << num(b.target.value) << " | "
       << fixed_text(r.start_rows[k].model, 4) << " | " << fixed_text(b.model, 4) << " | " << fixed_text(b.ratio(), 3) << " | "
       << (b.met() ? "yes" : "**no**") << " | " << (fitted ? "fitted" : "predicted (back-test)") << " |\n";
  }
  md << "\n" << met << " of " << r.best_rows.size() << " targets met";
  if (predicted > 0) md << "; of the " << predicted << " predicted, " << predicted_met << " met";
  md << ".\n";
  std::cout << md.str();
  if (file) {
    std::error_code ec;
    const std::string base = fs::is_regular_file(o.scenario, ec) ? fs::absolute(o.scenario).string() : o.scenario;
    const sim::Attributes prov = provenance({s}, o.c, world);
    std::ostringstream head;
    head << "# provenance: yidi " << kVersion << ", scenario " << s.name << " sha256 " << prov.text.at("scenario_sha256")
         << ", targets " << (o.targets.empty() ? "<embedded>/" + std::string(io::kDefaultTargets) : o.targets) << " sha256 "
         << io::targets_sha256(o.targets) << ", seeds " << s.seed << ".." << s.seed + static_cast<std::uint64_t>(co.seeds) - 1
         << ", threads " << prov.numbers.at("threads") << ", ranks 1; " << prov.text.at("experiment") << "\n";
    *file << head.str()
          << sim::calibrated_overlay(s, co, r, base);
    file->commit();
    std::cerr << "yidi calibrate: wrote " << o.c.output << "\n";
  }
}

}  // namespace

void register_experiments(CLI::App& app) {
  {
    auto o = std::make_shared<ReplicatesOptions>();
    auto* cmd = app.add_subcommand("replicates", "summarise N seeds of a scenario (P5/P50/P95 and mean per element)");
    cmd->add_option("scenario", o->scenario, "scenario file or embedded name")->required();
    add_common(cmd, o->c);
    cmd->callback([o] { run_replicates(*o); });
  }
  {
    auto o = std::make_shared<CompareOptions>();
    auto* cmd = app.add_subcommand("compare", "compare scenarios with common random numbers; differences to the first");
    cmd->add_option("scenarios", o->scenarios,
                    "two to 64 scenarios (files or embedded names); the differences are to the first")
        ->required()
        ->expected(2, 64);
    add_common(cmd, o->c);
    cmd->callback([o] { run_compare(*o); });
  }
  {
    auto o = std::make_shared<SweepOptions>();
    auto* cmd = app.add_subcommand("sweep", "summaries over a cartesian grid of parameter values (resumable)");
    cmd->add_option("scenario", o->scenario, "scenario file or embedded name")->required();
    cmd->add_option("--grid", o->grid, "NAME=V1,V2,… (repeat for more parameters)")->required()->allow_extra_args(false);
    cmd->add_option("--from", o->from,
                    "the grid's parameters take their values from this month, YYYY-MM (default: the run's start), their "
                    "paths before kept; dated parameters only (a number parameter with --from is refused)");
    o->regions_opt = cmd->add_option("--regions", o->regions,
                                     "set the grid's levers for these provinces or pools only (codes or names, comma-separated; "
                                     "the levers marked by region in yidi params)");
    add_common(cmd, o->c);
    cmd->get_option("-o")->required()->description("output folder");
    cmd->callback([o] { run_sweep(*o); });
  }
  {
    auto o = std::make_shared<SeekOptions>();
    auto* cmd = app.add_subcommand("seek", "smallest lever value meeting a target with a given probability (bisection)");
    cmd->add_option("scenario", o->scenario, "scenario file or embedded name")->required();
    cmd->add_option("--lever", o->lever, "parameter name, e.g. levers.networked_inpatient")->required();
    cmd->add_option("--range", o->range, "LO:HI")->required();
    cmd->add_option("--target", o->target,
                    "\"MEASURE[REGION] OP VALUE in PERIOD\": a measure of yidi export --list, optionally of a province or "
                    "pool; OP >=, >, <= or <; PERIOD YYYY, YYYYQn or YYYY-MM; e.g. \"cross_dsr_inpatient[四川] >= 0.7 in 2025\"")
        ->required();
    cmd->add_option("--from", o->from, "the month the lever takes each value from, YYYY-MM (default: the run's start); its path before is kept");
    o->regions_opt = cmd->add_option("--regions", o->regions,
                    "set the lever for these provinces or pools only (codes or names, comma-separated; the levers marked by "
                    "region in yidi params)");
    cmd->add_option("--probability", o->probability, "required probability of meeting the target (default 0.9)");
    cmd->add_option("--tolerance", o->tolerance, "bisection tolerance (default (HI − LO) / 64)");
    add_common(cmd, o->c);
    cmd->get_option("-o")->description("also write every lever value evaluated as a CSV table");
    cmd->callback([o] { run_seek(*o); });
  }
  {
    auto o = std::make_shared<PrepayOptions>();
    auto* cmd = app.add_subcommand("prepay", "prepayment quotas for a year keeping P(red warning) below A, beside the 2x rule (CSV)");
    cmd->add_option("scenario", o->scenario, "scenario file or embedded name")->required();
    cmd->add_option("--red-probability", o->alpha, "A: the accepted probability of a red warning in the year")->required();
    cmd->add_option("--year", o->year, "the year to propose quotas for (default: the last fully simulated year)");
    cmd->add_flag("--backtest", o->backtest, "run the proposal on N fresh seeds and report P(red) with its Wilson interval");
    cmd->add_option("--quotas", o->quotas, "also write the proposal as a scenario overlay (clearing.quotas) to this YAML file");
    add_common(cmd, o->c);
    cmd->get_option("-o")->description("output CSV (default: standard output)");
    cmd->callback([o] { run_prepay(*o); });
  }
  {
    auto o = std::make_shared<CalibrateCliOptions>();
    auto* cmd = app.add_subcommand("calibrate", "fit parameters to calibration targets (NLopt BOBYQA, common random numbers)");
    cmd->add_option("scenario", o->scenario, "scenario file or embedded name")->required();
    cmd->add_option("--targets", o->targets,
                    "target file (CSV: year,measure,op,value,tolerance,source; default: the embedded " +
                        std::string(io::kDefaultTargets) + ")");
    cmd->add_option("--param", o->params,
                    "NAME=LO:HI, a number parameter to fit in that range, or NAME@YYYY=LO:HI, a dated one's points of that "
                    "year; without =LO:HI its calibrated range (repeat; default: every parameter marked calibrated in "
                    "yidi params)");
    cmd->add_option("--fit-until", o->fit_until, "fit on the targets of years up to this one; later ones are predicted (a back-test)");
    cmd->add_option("--max-evaluations", o->max_evaluations, "at most this many evaluations (each one N seeds)");
    cmd->add_flag("--uncertainty", o->uncertainty,
                  "after the fit, each parameter's range where the objective stays within 1 of the fit's (the others "
                  "held), written as the calibrated scenario's uncertainty: block (replicates then draw them)");
    add_common(cmd, o->c);
    cmd->get_option("-n")->description("seeds per evaluation (seed … seed+N−1, the same in every evaluation)");
    cmd->get_option("-o")->description("write the calibrated scenario (the scenario extended with the fitted parameters) to this YAML file");
    cmd->callback([o] { run_calibrate(*o); });
  }
}

}  // namespace yidi::cli
