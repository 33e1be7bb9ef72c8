// `yidi bench sim`: in one run, the machine's memory bandwidth (a STREAM-like triad) and the
// simulator's agent-months per second on 1 and 2 threads, bytes per agent, and the time a
// simulated national year would take at full scale beside the bandwidth-bound time for the same
// agent size. `yidi bench replicates`: `replicates baseline -n N` one run after another (each on
// every thread) and on the run-plan executor (runs side by side), seconds per replicate, the
// ratio, and whether both wrote the same summary bytes. Timings only: nothing here is asserted in
// tests.
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/engine/experiments.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/output.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/summary_sink.hpp"

namespace yidi::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Bytes per second of a[i] = b[i] + 3 c[i] over arrays far larger than the caches (best of 3).
double triad_bandwidth(int threads, std::size_t n) {
  std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
  tbb::task_arena arena(threads);
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t i = r.begin(); i < r.end(); ++i) a[i] = b[i] + 3.0 * c[i];
      });
    });
    const double s = seconds_since(t0);
    best = std::max(best, 3.0 * sizeof(double) * static_cast<double>(n) / s);
  }
  if (a[n / 2] != 7.0) std::fprintf(stderr, "triad check failed\n");
  return best;
}

struct SimBench {
  double agent_months_per_s = 0;  // over the whole months, month ends included
  double visits_per_s = 0;
  double setup_s = 0;
  double step_s_per_agent_month = 0;  // stepping the agents: grows with the population
  double month_end_s = 0;             // the rest of a month (clearing, ledgers, snapshots): does not
};

SimBench bench_sim(const sim::Scenario& s, const PolicyBook& book, const sim::World& world, int threads) {
  tbb::task_arena arena(threads);
  SimBench out;
  arena.execute([&] {
    const auto t0 = std::chrono::steady_clock::now();
    sim::Simulation simulation(s, book, world);
    out.setup_s = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    while (!simulation.done()) simulation.run_month();
    const double secs = seconds_since(t1);
    std::int64_t visits = 0;
    for (auto v : simulation.results().data("offsite/visits").i) visits += v;
    for (auto v : simulation.results().data("local/inpatient_stays").i) visits += v;
    const double agent_months = static_cast<double>(simulation.agents().size()) * s.months;
    out.agent_months_per_s = agent_months / secs;
    out.visits_per_s = static_cast<double>(visits) / static_cast<double>(s.scale) / secs;
    out.step_s_per_agent_month = simulation.stepping_seconds() / agent_months;
    out.month_end_s = (secs - simulation.stepping_seconds()) / s.months;
  });
  return out;
}

/// CPU seconds of the process so far (user + system, every thread).
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// The 1-minute load average (other work on a shared machine), or -1.
double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = -1;
  in >> l;
  return l;
}

struct Timing {
  double wall = 0, cpu = 0;
};

/// Wall and CPU seconds for the summary of `n` replicates on `ex`, written to `path`.
Timing time_replicates(const sim::Scenario& s, int n, const sim::RunExecutor& ex, const std::string& path) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  const sim::Summary sum = sim::replicates(s, n, ex);
  io::OutputFile out(path, "summary", io::OutputKind::hdf5, true);
  io::Hdf5SummarySink sink(out);
  sim::Attributes attributes;
  attributes.text["experiment"] = "yidi bench replicates";
  sim::write_summary(sink, sum, attributes);
  return {seconds_since(t0), cpu_seconds() - c0};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// --scale as the other commands take it: "1:N" (or plain N) to N.
std::string ratio_form(std::string s) { return s.rfind("1:", 0) == 0 ? s.substr(2) : s; }

void register_bench_replicates(CLI::App* bench) {
  auto n = std::make_shared<int>(20);
  auto scale = std::make_shared<long long>(1000);
  auto months = std::make_shared<int>(0);
  auto threads = std::make_shared<int>(0);
  auto rounds = std::make_shared<int>(1);
  CLI::App* cmd = bench->add_subcommand(
      "replicates", "replicates baseline -n N one run after another and on the executor (runs side by side)");
  cmd->add_option("-n,--replicates", *n, "replicates (default 20)")->check(CLI::PositiveNumber);
  cmd->add_option("--scale", *scale, "sampling ratio, 1:N (or N) as elsewhere (default 1:1000)")
      ->transform(ratio_form, "1:N")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--months", *months, "months to simulate (default: the scenario's)")->check(CLI::Range(1, 600));
  cmd->add_option("--threads", *threads, "threads in all (default: all cores)")->check(CLI::PositiveNumber);
  cmd->add_option("--rounds", *rounds, "rounds, each running both ways (default 1)")->check(CLI::PositiveNumber);
  cmd->callback([n, scale, months, threads, rounds] {
    sim::Scenario s = io::load_scenario("baseline");
    s.scale = *scale;
    if (*months > 0) s.months = *months;
    const int t = *threads > 0 ? *threads : static_cast<int>(std::thread::hardware_concurrency());
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(t));
    const sim::World world = sim::embedded_world();
    const auto layout = sim::make_layout(world, s.params, s.scale);
    sim::check_population_fits(layout, sim::memory_available(), "baseline");
    const sim::RunExecutor one_by_one(world, io::scenario_policy, {t, 1});
    const sim::RunExecutor side_by_side(world, io::scenario_policy,
                                        {t, sim::runs_that_fit(layout, sim::memory_available(), t)});
    const std::size_t plans = static_cast<std::size_t>(*n);
    const std::string dir = (std::filesystem::temp_directory_path() /
                             ("yidi-bench-replicates-" + std::to_string(::getpid())))
                                .string();
    std::filesystem::create_directories(dir);
    struct RemoveDir {
      std::string dir;
      ~RemoveDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    } remove_dir{dir};
    const std::string a = dir + "/one-by-one.h5", b = dir + "/side-by-side.h5";
    std::printf("replicates baseline -n %d at 1:%lld, %d months, %u agents, %d threads; load average %.2f\n", *n,
                static_cast<long long>(s.scale), s.months, layout.total, t, load_average());
    // Rounds alternate the two ways, so that other work on a shared machine weighs on both alike.
    Timing t1, t2;
    bool same = true;
    for (int round = 1; round <= *rounds; ++round) {
      std::fflush(stdout);
      const Timing r1 = time_replicates(s, *n, one_by_one, a);
      std::printf("round %d: one after another (1 run at once, %d threads each): %.2f s, %.3f s a replicate (CPU "
                  "%.3f s a replicate); load average %.2f\n",
                  round, one_by_one.threads_per_run(plans), r1.wall, r1.wall / *n, r1.cpu / *n, load_average());
      std::fflush(stdout);
      const Timing r2 = time_replicates(s, *n, side_by_side, b);
      std::printf("round %d: executor (%d runs at once, %d thread%s each): %.2f s, %.3f s a replicate (CPU %.3f s a "
                  "replicate); load average %.2f\n",
                  round, side_by_side.concurrent_runs(plans), side_by_side.threads_per_run(plans),
                  side_by_side.threads_per_run(plans) == 1 ? "" : "s", r2.wall, r2.wall / *n, r2.cpu / *n,
                  load_average());
      same = same && slurp(a) == slurp(b);
      t1.wall += r1.wall;
      t1.cpu += r1.cpu;
      t2.wall += r2.wall;
      t2.cpu += r2.cpu;
    }
    const double runs = static_cast<double>(*n) * *rounds;
    std::printf("one after another %.3f s a replicate, executor %.3f s a replicate: ratio %.2f× wall (CPU %.3f vs "
                "%.3f s a replicate); summaries %s (%ju bytes)\n",
                t1.wall / runs, t2.wall / runs, t1.wall / t2.wall, t1.cpu / runs, t2.cpu / runs,
                same ? "byte-identical" : "DIFFER", static_cast<std::uintmax_t>(std::filesystem::file_size(a)));
    if (!same) throw std::runtime_error("bench replicates: the two summaries differ");
  });
}
}  // namespace

void register_bench_sim(CLI::App& app) {
  CLI::App* bench = app.get_subcommand("bench");
  register_bench_replicates(bench);
  auto scale = std::make_shared<long long>(200);
  auto months = std::make_shared<int>(3);
  auto mb = std::make_shared<std::size_t>(512);
  CLI::App* cmd = bench->add_subcommand("sim", "memory bandwidth, then agent-months per second on 1 and 2 threads");
  cmd->add_option("--scale", *scale, "sampling ratio, 1:N (or N) as elsewhere (default 1:200)")
      ->transform(ratio_form, "1:N")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--months", *months, "months to simulate (default 3)");
  cmd->add_option("--triad-mib", *mb, "size of each triad array, MiB (default 512)");
  cmd->callback([scale, months, mb] {
    const std::size_t n = *mb * (1u << 20) / sizeof(double);
    const double bw1 = triad_bandwidth(1, n), bw2 = triad_bandwidth(2, n);
    std::printf("memory bandwidth (triad, 3 × %zu MiB): 1 thread %.2f GB/s, 2 threads %.2f GB/s\n", *mb, bw1 / 1e9, bw2 / 1e9);
    sim::Scenario s = io::load_scenario("baseline");
    s.scale = *scale;
    s.months = *months;
    const PolicyBook book = io::scenario_policy(s);
    const sim::World world = sim::embedded_world();
    const auto layout = sim::make_layout(world, s.params, s.scale);
    const double full_agents = static_cast<double>(layout.total) * static_cast<double>(s.scale);
    std::printf("population 1:%lld: %u agents × %zu bytes = %.1f MiB (full scale: %.2f billion agents, %.1f GiB)\n",
                static_cast<long long>(s.scale), layout.total, sizeof(sim::Agent),
                layout.total * sizeof(sim::Agent) / 1048576.0, full_agents / 1e9, full_agents * sizeof(sim::Agent) / 1073741824.0);
    // Every agent-month reads and writes its bytes at least once: the bandwidth bound.
    const double bound = full_agents * 12 * 2 * sizeof(sim::Agent) / bw2;
    for (int threads : {1, 2}) {
      const SimBench b = bench_sim(s, book, world, threads);
      // A national year: the stepping scaled to the full population, the month ends as measured
      // (they grow only with the number of flows, most of which a sample already has).
      const double stepping = full_agents * 12 * b.step_s_per_agent_month, month_ends = 12 * b.month_end_s;
      const double year = stepping + month_ends;
      std::printf("%d thread%s: set-up %.2f s, %.3g agent-months/s, %.3g settlements/s; full-scale national year ≈ %.0f s "
                  "(stepping %.0f s, month ends %.1f s) = %.0f × the bandwidth-bound %.1f s\n",
                  threads, threads == 1 ? " " : "s", b.setup_s, b.agent_months_per_s, b.visits_per_s, year, stepping,
                  month_ends, year / bound, bound);
    }
  });
}

}  // namespace yidi::cli
