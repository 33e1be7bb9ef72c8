// `yidi run SCENARIO`: simulates the scenario month by month and writes one HDF5 file
// (outputs/SCHEMA.md), with progress on a terminal and optional month-end checkpoints.
#include <tbb/global_control.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/mpi_comm.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/checkpoint.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct RunOptions {
  std::string scenario = "baseline";
  std::string output;
  int threads = 0;
  io::ScenarioOverrides overrides;  // --scale, --months, --seed as typed (sim/io/scenario_yaml.hpp)
  std::string checkpoint;
  int checkpoint_every = 12;
  bool resume = false;
  bool overwrite = false;
  int stop_after = 0;  // for testing restarts: stop (as if killed) after this many months
};

std::string month_label(int m) { return Date::from_ymd(m / 12, static_cast<unsigned>(m % 12 + 1), 1)->str().substr(0, 7); }

/// The agents must fit in memory before anything is allocated. The ranks on one machine share its
/// memory: with every rank on this machine that is the whole population; spread over machines,
/// this rank's agents times the ranks here.
void check_memory(const sim::Layout& layout, const sim::Comm& comm, const std::string& file) {
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const int here = local ? std::max(1, std::atoi(local)) : 1;
  if (here >= comm.size()) return sim::check_population_fits(layout, sim::memory_available(), file);
  // Spread over machines: this machine holds its ranks' agents (about `here` ranks like this one).
  const sim::Partition part = sim::partition(layout, comm.rank(), comm.size());
  sim::check_population_fits(std::uint64_t{part.agents()} * here, layout.scale, sim::memory_available(), file);
}

/// Resuming without a checkpoint of this rank count while the folder holds checkpoints of this
/// scenario written by another one would silently start again from the beginning: refused.
void refuse_other_rank_counts(const std::string& dir, const std::string& name, int ranks) {
  if (!fs::is_directory(dir)) return;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string f = e.path().filename().string();
    if (!f.starts_with(name + ".") || !f.ends_with(".ckpt")) continue;
    const std::string middle = f.substr(name.size() + 1, f.size() - name.size() - 6);  // "" or "rank-R-of-K"
    int written_by = 1;
    if (!middle.empty()) {
      const auto of = middle.rfind("-of-");
      if (!middle.starts_with("rank-") || of == std::string::npos) continue;
      written_by = std::atoi(middle.c_str() + of + 4);
    }
    if (written_by != ranks)
      throw io::InputError({e.path().string(), 0, 0}, "",
                           "checkpoint written by a run on " + std::to_string(written_by) + " rank(s); expected " +
                               std::to_string(ranks) + " (resume with the rank count that wrote it)");
  }
}

}  // namespace

int run_simulation(const RunOptions& o) {
  sim::Scenario s = io::load_scenario(o.scenario);
  io::apply_overrides(s, o.overrides);
  const std::string resolved = io::resolved_yaml(s);
  const std::string sha = io::sha256_hex(resolved);
  const std::string out = o.output.empty() ? "outputs/" + s.name + "-seed" + std::to_string(s.seed) + ".h5" : o.output;
  if (fs::exists(out) && !o.overwrite)
    throw io::InputError({out, 0, 0}, "", "output exists; choose another with -o or pass --overwrite");

  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  // Under mpirun each rank steps its own provinces' agents (sim/engine/comm.hpp); rank 0 alone
  // talks and writes the output, which is the same bytes for any number of ranks.
  const sim::Comm& comm = sim::MpiSession::current() ? sim::MpiSession::current()->comm() : sim::serial_comm();
  const bool lead = comm.rank() == 0;
  const bool tty = lead && ::isatty(STDERR_FILENO) != 0;
  const auto t0 = std::chrono::steady_clock::now();
  const PolicyBook book = io::scenario_policy(s);
  const sim::World world = sim::embedded_world();
  check_memory(sim::make_layout(world, s.params, s.scale), comm, o.scenario);
  sim::Simulation sim(s, book, world, comm);
  // One checkpoint file per rank: a run resumes with the number of ranks that wrote it.
  const std::string ckpt_name = comm.size() == 1 ? s.name + ".ckpt"
                                                 : s.name + ".rank-" + std::to_string(comm.rank()) + "-of-" +
                                                       std::to_string(comm.size()) + ".ckpt";
  const std::string ckpt = o.checkpoint.empty() ? "" : (fs::path(o.checkpoint) / ckpt_name).string();
  if (o.resume && !ckpt.empty() && fs::exists(ckpt)) sim.restore(io::read_checkpoint(ckpt, sha, sim.take_agents()));
  if (o.resume && !ckpt.empty() && !fs::exists(ckpt)) refuse_other_rank_counts(o.checkpoint, s.name, comm.size());
  if (o.resume && comm.size() > 1) {
    const auto [lo, hi] = comm.min_max(sim.months_done());
    if (lo != hi)
      throw io::InputError({ckpt, 0, 0}, "",
                           "the ranks' checkpoints disagree (months " + std::to_string(lo) + " to " + std::to_string(hi) +
                               "); expected one checkpoint per rank from the same run, written by " +
                               std::to_string(comm.size()) + " ranks");
  }
  if (tty && sim.months_done() > 0) std::cerr << "resumed " << s.name << " at month " << sim.months_done() << "\n";
  const auto agents = static_cast<double>(sim.layout().total);
  const auto t_setup = std::chrono::steady_clock::now();
  const int first = sim.months_done();
  while (!sim.done()) {
    sim.run_month();
    if (!ckpt.empty() && (sim.months_done() % o.checkpoint_every == 0 || sim.done()))
      io::write_checkpoint(ckpt, sim.view(), sha);
    if (tty) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();
      const int done = sim.months_done() - first, left = s.months - sim.months_done();
      const double am = agents * done / std::max(el, 1e-9);
      std::fprintf(stderr, "\r%s  month %s (%d/%d)  elapsed %.1fs  ETA %.1fs  %.3g agent-months/s   ",
                   s.name.c_str(), month_label(sim.current_month() - 1).c_str(), sim.months_done(), s.months, el,
                   done > 0 ? el / done * left : 0.0, am);
    }
    if (o.stop_after > 0 && sim.months_done() >= o.stop_after) {
      if (tty) std::cerr << "\n";
      if (lead) std::cerr << "yidi run: stopped after " << sim.months_done() << " months (--stop-after)\n";
      return kOk;
    }
  }
  if (tty) std::cerr << "\n";
  io::Provenance prov;
  prov.text["yidi_version"] = kVersion;
  prov.text["scenario"] = resolved;
  prov.text["scenario_sha256"] = sha;
  prov.text["scenario_name"] = s.name;
  prov.numbers["seed"] = static_cast<std::int64_t>(s.seed);
  prov.numbers["scale"] = s.scale;
  prov.numbers["threads"] = threads;
  prov.numbers["ranks"] = comm.size();
  prov.numbers["start_month"] = s.start_month;
  prov.numbers["months"] = s.months;
  prov.numbers["agents"] = static_cast<std::int64_t>(sim.layout().total);
  if (!lead) return kOk;
  io::write_results_hdf5(out, sim.results(), prov);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double setup = std::chrono::duration<double>(t_setup - t0).count();
  std::cerr << "yidi run: " << s.name << ", " << sim.layout().total << " agents (1:" << s.scale << "), " << s.months
            << std::fixed << std::setprecision(2) << " months in " << total << " s (set-up " << setup << " s, months "
            << total - setup << " s)";
  if (comm.size() > 1) std::cerr << " on " << comm.size() << " ranks";
  std::cerr << "; wrote " << out << "\n";
  return kOk;
}

void register_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "simulate a scenario and write its HDF5 output (outputs/SCHEMA.md)");
  cmd->add_option("scenario", o->scenario, "scenario file, or the name of an embedded scenario (default: baseline)");
  cmd->add_option("-o,--output", o->output, "output HDF5 file (default: outputs/NAME-seedSEED.h5)");
  cmd->add_option("--threads", o->threads, "worker threads (default: all cores); results do not depend on it");
  cmd->add_option("--scale", o->overrides.scale, "override the sampling ratio, e.g. 1:1000, or 1 for full scale");
  cmd->add_option("--months", o->overrides.months, "override the number of months (1 to 600)");
  cmd->add_option("--seed", o->overrides.seed, "override the seed (0 to 2^64-1)");
  cmd->add_option("--checkpoint", o->checkpoint, "folder for month-end checkpoints");
  cmd->add_option("--checkpoint-every", o->checkpoint_every, "months between checkpoints (default 12)");
  cmd->add_flag("--resume", o->resume, "continue from the checkpoint in --checkpoint if there is one");
  cmd->add_flag("--overwrite", o->overwrite, "replace an existing output file");
  cmd->add_option("--stop-after", o->stop_after, "stop after this many months, as if killed (for restart tests)");
  cmd->callback([o] { run_simulation(*o); });
}

void register_calibration(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("calibration", "compare a run (covering 2022–2023) with the calibration targets");
  cmd->add_option("run", *file, "HDF5 output of `yidi run`")->required();
  cmd->callback([file] {
    const auto rows = sim::calibration(io::read_results_hdf5(*file));
    std::cout << sim::calibration_markdown(rows);
    for (const auto& r : rows)
      if (r.ratio() < 0.9 || r.ratio() > 1.1) throw CLI::RuntimeError(kRowsRejected);
  });
}

void register_validate(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("validate", "check a scenario (keys, ranges, policy overlays, memory) without running it");
  cmd->add_option("scenario", *file, "scenario file, or the name of an embedded scenario")->required();
  cmd->callback([file] {
    const sim::Scenario s = io::load_scenario(*file);
    const PolicyBook book = io::scenario_policy(s);  // loads and validates the overlays
    const sim::World world = sim::embedded_world();
    const auto layout = sim::make_layout(world, s.params, s.scale);
    sim::check_population_fits(layout, sim::memory_available(), *file);
    std::cout << "# " << *file << ": valid; " << layout.total << " agents (1:" << s.scale << "), " << s.months
              << " months, " << s.policy_overlays.size() << " policy overlay(s), " << book.regions().size()
              << " regions\n"
              << io::resolved_yaml(s);
  });
}

void register_params(CLI::App& app) {
  auto* cmd = app.add_subcommand("params", "print every simulator parameter with its default and source (docs/parameters.md)");
  cmd->callback([] { std::cout << sim::params_markdown(); });
}

void register_schema(CLI::App& app) {
  auto* cmd = app.add_subcommand("schema", "print the run output schema (outputs/SCHEMA.md)");
  cmd->callback([] { std::cout << sim::schema_markdown(); });
}

}  // namespace yidi::cli
