// `yidi run SCENARIO`: simulates the scenario month by month and writes one HDF5 file
// (outputs/SCHEMA.md), with progress on a terminal and optional month-end checkpoints.
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/cli/progress.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/mpi_comm.hpp"
#include "sim/engine/fund_alarms.hpp"
#include "sim/engine/sampling_noise.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/checkpoint.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/output.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/targets_csv.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct RunOptions {
  std::string scenario = "baseline";
  std::string output;
  int threads = 0;  // given: at least 1; not given: all cores
  io::ScenarioOverrides overrides;  // --scale, --months, --seed as typed (sim/io/scenario_yaml.hpp)
  std::string checkpoint;
  int checkpoint_every = 12;
  bool resume = false;
  bool overwrite = false;
  bool quiet = false;   // no progress lines
  int stop_after = -1;  // for testing restarts: stop (as if killed) once this many months are done; -1: never
  // Which options were given (CLI11).
  const CLI::Option *threads_opt = nullptr, *every_opt = nullptr, *stop_opt = nullptr;
};

std::string month_label(int m) { return Date::month_label(m); }

std::string four(int m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", m);
  return buf;
}

/// Options checked before anything is read or written, in the form of every other bad value.
void check_options(const RunOptions& o) {
  if (o.threads_opt->count() > 0 && o.threads < 1)
    throw io::InputError({"--threads", 0, 0}, "threads",
                         "expected a number of worker threads of at least 1, got '" + std::to_string(o.threads) + "'");
  if (o.every_opt->count() > 0 && o.checkpoint_every < 1)
    throw io::InputError({"--checkpoint-every", 0, 0}, "checkpoint-every",
                         "expected a number of months of at least 1, got '" + std::to_string(o.checkpoint_every) + "'");
  if (o.stop_opt->count() > 0 && o.stop_after < 0)
    throw io::InputError({"--stop-after", 0, 0}, "stop-after",
                         "expected a number of months of 0 or more, got '" + std::to_string(o.stop_after) + "'");
  if (o.checkpoint.empty() && o.resume)
    throw io::InputError({"--resume", 0, 0}, "resume", "expected --checkpoint DIR with it (the folder of the checkpoints)");
  if (o.checkpoint.empty() && o.every_opt->count() > 0)
    throw io::InputError({"--checkpoint-every", 0, 0}, "checkpoint-every",
                         "expected --checkpoint DIR with it (the folder of the checkpoints)");
}

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

/// The checkpoints of one run in --checkpoint DIR (docs/outputs.md, "Checkpoints"): one file per
/// rank and month, NAME.mMMMM.ckpt (one process) or NAME.rank-R-of-K.mMMMM.ckpt. A new month's
/// files are written beside the previous set; only when every rank has put its file in place (a
/// collective) does any rank remove its previous one. So at any moment, whatever was killed, some
/// month has a whole set: --resume finds the latest month every rank has a file for.
class CheckpointSeries {
public:
  CheckpointSeries(const std::string& dir, const std::string& scenario_name, const sim::Comm& comm, io::InputFiles& inputs)
      : comm_(comm), name_(io::file_name_part(scenario_name)) {
    // One rank after the other: ranks on one machine would see each other's marker being written.
    for (int r = 0; r < comm.size(); ++r) {
      if (comm.rank() == r) dir_ = io::open_output_folder(dir, "checkpoint folder", inputs);
      (void)comm.min_max(r);
    }
    shown_ = dir;
    scan(inputs);
  }

  /// This rank's file of month `m`.
  std::string path(int m) const { return shown_ + "/" + file_name(m); }
  bool any_on_some_rank() const { return comm_.min_max(mine_.empty() ? 0 : 1).second > 0; }
  const std::map<int, std::string>& mine() const { return mine_; }

  /// Chooses the month to resume from: the latest one every rank has a checkpoint for, its header
  /// checked against `expect`; -1 to start from the first month (no checkpoint at all, or a run
  /// stopped while writing its first set). Collective.
  int plan_resume(const io::CheckpointExpect& expect) {
    const bool have = comm_.min_max(mine_.empty() ? 0 : 1).second > 0;
    if (!have) {
      refuse_others(expect.ranks);
      return -1;
    }
    int previous = -1;
    for (const auto& [m, p] : mine_) {
      const io::CheckpointHeader h = io::read_checkpoint_header(p);
      io::check_checkpoint_header(p, h, expect);
      if (h.months_done != m)
        throw io::InputError({p, 0, 0}, "", "checkpoint is of month " + std::to_string(h.months_done) +
                                                "; its name says month " + std::to_string(m) + " (was it renamed?)");
      previous = std::max(previous, h.previous);
    }
    int bound = std::numeric_limits<int>::max(), common = -1;
    for (;;) {
      int best = -1;
      for (const auto& [m, p] : mine_)
        if (m <= bound) best = m;
      const auto [lo, hi] = comm_.min_max(best);
      if (lo == hi) {
        common = static_cast<int>(lo);
        break;
      }
      bound = static_cast<int>(lo);
    }
    if (common >= 0) {
      last_set_ = common;
      return common;
    }
    // No month on every rank. Only a run killed while writing its first set leaves that (every
    // file then says it follows no set); anything else means files were removed or moved.
    if (comm_.min_max(previous).second < 0) {
      if (comm_.rank() == 0)
        std::cerr << "yidi run: no checkpoint month is complete on every rank (a run was stopped while writing its "
                     "first set); starting from the first month\n";
      return -1;
    }
    std::string months;
    for (const auto& [m, p] : mine_) months += (months.empty() ? "" : ", ") + std::to_string(m);
    throw io::InputError({mine_.empty() ? path(0) : mine_.rbegin()->second, 0, 0}, "",
                         "the ranks' checkpoints do not form a complete set: rank " + std::to_string(comm_.rank()) +
                             " holds month(s) " + (months.empty() ? "none" : months) + ", and no month is held by all " +
                             std::to_string(comm_.size()) + " ranks; expected one checkpoint per rank of the same month "
                             "(were files removed?)");
  }

  /// Opens the file of the next month due, before the months that lead to it (so that an
  /// unwritable folder is found at once).
  void open(int month) {
    pending_month_ = month;
    pending_.emplace(path(month), "checkpoint", io::OutputKind::checkpoint, true);
  }
  bool is_open() const { return pending_.has_value(); }
  int pending_month() const { return pending_month_; }

  /// Writes this rank's checkpoint of the open month, puts it in place, waits for every rank to
  /// have done so, then removes this rank's other files of the run.
  void write(const sim::Simulation& sim, const std::string& sha) {
    const int m = sim.months_done();
    if (!pending_ || pending_month_ != m) throw std::logic_error("CheckpointSeries::write: month not open");
    io::CheckpointHeader h;
    h.scenario_sha256 = sha;
    h.rank = comm_.rank();
    h.ranks = comm_.size();
    h.previous = last_set_;
    h.start_month = sim.scenario().start_month;
    h.population = sim.layout().total;
    h.agent_begin = sim.part().agent_begin;
    io::write_checkpoint(*pending_, sim.view(), h);
    pending_->commit();
    pending_.reset();
    const std::string point = "checkpoint:rank-" + std::to_string(comm_.rank()) + "-of-" + std::to_string(comm_.size()) +
                              ":m" + four(m) + ":";
    io::crash_point(point + "placed");
    const auto [lo, hi] = comm_.min_max(m);
    if (lo != m || hi != m) throw std::logic_error("CheckpointSeries::write: the ranks wrote different months");
    io::crash_point(point + "agreed");
    for (const auto& [old, p] : mine_) {
      if (old == m) continue;
      if (::unlink(p.c_str()) != 0 && errno != ENOENT)
        std::cerr << "yidi run: " << p << ": cannot remove the previous checkpoint: " << io::os_reason(errno) << "\n";
      io::crash_point(point + "removed");
    }
    mine_ = {{m, path(m)}};
    last_set_ = m;
  }

private:
  std::string file_name(int m) const {
    const std::string rank = comm_.size() == 1 ? "" : "rank-" + std::to_string(comm_.rank()) + "-of-" + std::to_string(comm_.size()) + ".";
    return name_ + "." + rank + "m" + four(m) + ".ckpt";
  }

  void scan(io::InputFiles& inputs) {
    const std::string own_prefix = comm_.size() == 1 ? "" : "rank-" + std::to_string(comm_.rank()) + "-of-" + std::to_string(comm_.size()) + ".";
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string f = e.path().filename().string();
      // A temporary of a checkpoint of this run: removed if its process no longer runs.
      const auto tmp = f.find(".ckpt.yidi-");
      if (f.starts_with("." + name_ + ".") && tmp != std::string::npos) {
        io::remove_stale_temporaries(shown_ + "/" + f.substr(1, tmp + 5 - 1));
        continue;
      }
      const auto legacy = f.find(".ckpt.tmp-");  // yidi 0.1's NAME[.rank-R-of-K].ckpt.tmp-PID
      if (f.starts_with(name_ + ".") && legacy != std::string::npos) {
        io::remove_stale_temporaries(shown_ + "/" + f.substr(0, legacy + 5));
        continue;
      }
      if (!f.starts_with(name_ + ".") || !f.ends_with(".ckpt")) continue;
      inputs.add(shown_ + "/" + f);
      const std::string middle = f.substr(name_.size() + 1, f.size() - name_.size() - 6);  // [rank-R-of-K.]mMMMM
      int m = -1;
      std::string ranks;
      const auto dot = middle.rfind(".m");
      const std::string tag = dot == std::string::npos ? middle : middle.substr(dot + 1);
      if (dot != std::string::npos) ranks = middle.substr(0, dot + 1);
      if (tag.size() == 5 && tag[0] == 'm' && std::all_of(tag.begin() + 1, tag.end(), [](char c) { return c >= '0' && c <= '9'; })) m = std::stoi(tag.substr(1));
      if (m >= 0 && ranks == own_prefix) {
        mine_[m] = shown_ + "/" + f;
        continue;
      }
      // Another rank's of this run, another rank count's, or a checkpoint of yidi 0.1 (NAME.ckpt).
      others_.push_back(shown_ + "/" + f);
    }
  }

  /// Resuming without a checkpoint of this rank count while the folder holds checkpoints of this
  /// scenario written by another one would silently start again from the beginning: refused.
  void refuse_others(int ranks) const {
    for (const auto& p : others_) {
      const std::string f = fs::path(p).filename().string();
      const std::string middle = f.substr(name_.size() + 1, f.size() - name_.size() - 6);
      if (middle.empty() || (middle.starts_with("rank-") && middle.find(".m") == std::string::npos))
        throw io::InputError({p, 0, 0}, "", "checkpoint of an earlier yidi (format 2, no month in its name); start the "
                                            "run again (--overwrite instead of --resume)");
      const auto of = middle.find("-of-");
      if (!middle.starts_with("rank-") || of == std::string::npos) continue;
      const int written_by = std::atoi(middle.c_str() + of + 4);
      if (written_by != ranks)
        throw io::InputError({p, 0, 0}, "",
                             "checkpoint written by a run on " + std::to_string(written_by) + " rank(s); expected " +
                                 std::to_string(ranks) + " (resume with the rank count that wrote it)");
    }
  }

  const sim::Comm& comm_;
  std::string name_, dir_, shown_;
  std::map<int, std::string> mine_;  // month → path: this rank's files of this run
  std::vector<std::string> others_;
  std::optional<io::OutputFile> pending_;
  int pending_month_ = -1;
  int last_set_ = -1;  // the latest month whose set is complete on every rank
};

/// The first month after `done` at which a checkpoint is due.
int next_due(int done, int every, int months) { return std::min(months, (done / every + 1) * every); }

}  // namespace

int run_simulation(const RunOptions& o) {
  check_options(o);
  sim::Scenario s = io::load_scenario(o.scenario);
  io::apply_overrides(s, o.overrides);
  const std::string resolved = io::resolved_yaml(s);
  const std::string sha = io::sha256_hex(resolved);
  // The default output is named after the scenario, inside outputs/ whatever the name holds.
  const std::string out =
      o.output.empty() ? "outputs/" + io::file_name_part(s.name) + "-seed" + std::to_string(s.seed) + ".h5" : o.output;

  // Under mpirun each rank steps its own provinces' agents (sim/engine/comm.hpp); rank 0 alone
  // talks and writes the output, which is the same bytes for any number of ranks.
  const sim::Comm& comm = sim::MpiSession::current() ? sim::MpiSession::current()->comm() : sim::serial_comm();
  const bool lead = comm.rank() == 0;
  const bool tty = lead && ::isatty(STDERR_FILENO) != 0;

  // What the run reads may never be what it writes.
  io::InputFiles inputs;
  inputs.add(o.scenario);
  for (const auto& file : s.files) inputs.add(file);  // and the scenarios it extends
  for (const auto& overlay : s.policy_overlays) inputs.add(overlay);
  std::optional<CheckpointSeries> series;
  if (!o.checkpoint.empty()) {
    series.emplace(o.checkpoint, s.name, comm, inputs);
    if (!o.resume && series->any_on_some_rank() && !o.overwrite) {
      const auto& mine = series->mine();
      throw io::InputError({mine.empty() ? o.checkpoint : mine.rbegin()->second, 0, 0}, "",
                           "checkpoint of an earlier run of " + s.name +
                               "; pass --resume to continue it, or --overwrite to start again and replace it");
    }
  }
  // The output is opened now, before the work: an unwritable place or an existing file is found at once.
  std::optional<io::OutputFile> output;
  if (lead) output.emplace(out, "run output", io::OutputKind::hdf5, o.overwrite, inputs);

  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const auto t0 = std::chrono::steady_clock::now();
  const PolicyBook book = io::scenario_policy(s);
  const sim::World world = sim::embedded_world();
  const sim::Layout layout = sim::make_layout(world, s.params, s.scale);
  check_memory(layout, comm, o.scenario);
  int resume_from = -1;
  if (series && o.resume) {
    const sim::Partition part = sim::partition(layout, comm.rank(), comm.size());
    io::CheckpointExpect expect;
    expect.scenario_sha256 = sha;
    expect.rank = comm.rank();
    expect.ranks = comm.size();
    expect.start_month = s.start_month;
    expect.scenario_months = s.months;
    expect.population = layout.total;
    expect.agent_begin = part.agent_begin;
    expect.agents = part.agents();
    resume_from = series->plan_resume(expect);
  }
  sim::Simulation sim(s, book, world, comm);
  if (resume_from >= 0) {
    const std::string ckpt = series->path(resume_from);
    io::restore_checkpoint(ckpt, sim, sha);
    if (tty) std::cerr << "resumed " << s.name << " at month " << sim.months_done() << "\n";
  }
  if (series && !sim.done()) series->open(next_due(sim.months_done(), o.checkpoint_every, s.months));
  const auto agents = static_cast<double>(sim.layout().total);
  const auto t_setup = std::chrono::steady_clock::now();
  const int first = sim.months_done();
  ProgressReporter bar("yidi run", lead && !o.quiet);
  while (!sim.done()) {
    if (o.stop_after >= 0 && sim.months_done() >= o.stop_after) {
      bar.finish();
      if (lead) std::cerr << "yidi run: stopped after " << sim.months_done() << " months (--stop-after)\n";
      return kOk;
    }
    sim.run_month();
    io::crash_point("run:m" + four(sim.months_done()));
    if (series && series->pending_month() == sim.months_done()) {
      series->write(sim, sha);
      if (!sim.done()) series->open(next_due(sim.months_done(), o.checkpoint_every, s.months));
    }
    {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_setup).count();
      const int done = sim.months_done() - first;
      char what[160];
      std::snprintf(what, sizeof what, "%s, month %s, %d/%d, %.3g agent-months/s", s.name.c_str(),
                    month_label(sim.current_month() - 1).c_str(), sim.months_done(), s.months,
                    agents * done / std::max(el, 1e-9));
      bar.update(static_cast<double>(done) / std::max(1, s.months - first), what);
    }
  }
  bar.finish();
  if (!lead) return kOk;
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
  // How much of the pools' rates is sampling noise at this scale (outputs/SCHEMA.md, "Sampling noise").
  const sim::NoiseSummary noise = sim::noise_summary(sim.results(), s.scale);
  const std::string noise_line = sim::noise_sentence(noise);
  prov.text["sampling_noise"] = noise_line;
  prov.numbers["noise_months"] = noise.months;
  prov.numbers["noise_cross_pools"] = static_cast<std::int64_t>(noise.cross.pools);
  prov.numbers["noise_cross_noisy"] = static_cast<std::int64_t>(noise.cross.noisy);
  prov.numbers["noise_cross_ratio"] = noise.cross.ratio;
  prov.numbers["noise_intra_pools"] = static_cast<std::int64_t>(noise.intra.pools);
  prov.numbers["noise_intra_noisy"] = static_cast<std::int64_t>(noise.intra.noisy);
  prov.numbers["noise_intra_ratio"] = noise.intra.ratio;
  // Whose prepayment answer is mostly sampling noise at this scale (issue 17).
  const sim::PrepaymentNoise prepay_noise = sim::prepayment_noise(sim.results(), s.scale);
  const std::string prepay_noise_line = sim::prepayment_noise_sentence(sim.results(), prepay_noise);
  prov.text["sampling_noise_prepayment"] = prepay_noise_line;
  prov.numbers["noise_prepayment_provinces"] = static_cast<std::int64_t>(prepay_noise.provinces);
  prov.numbers["noise_prepayment_noisy"] = static_cast<std::int64_t>(prepay_noise.noisy);
  prov.numbers["noise_prepayment_ratio"] = prepay_noise.ratio;
  // Funds that went below zero: loud in the summary, the attributes and the report.
  const auto alarms = sim::funds_below_zero(sim.results());
  const std::string alarm_line = sim::funds_below_zero_sentence(sim.results(), alarms, s.start_month);
  prov.numbers["funds_below_zero"] = static_cast<std::int64_t>(alarms.size());
  if (!alarm_line.empty()) prov.text["funds_below_zero_warning"] = alarm_line;
  io::write_results_hdf5(*output, sim.results(), prov);
  output->commit();
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double setup = std::chrono::duration<double>(t_setup - t0).count();
  std::cerr << "yidi run: " << s.name << ", " << sim.layout().total << " agents (1:" << s.scale << "), " << s.months
            << std::fixed << std::setprecision(2) << " months in " << total << " s (set-up " << setup << " s, months "
            << total - setup << " s)";
  if (comm.size() > 1) std::cerr << " on " << comm.size() << " ranks";
  std::cerr << "; wrote " << out << "\n";
  std::cerr << "yidi run: " << noise_line << "\n";
  std::cerr << "yidi run: " << prepay_noise_line << "\n";
  if (!alarm_line.empty()) std::cerr << "yidi run: " << alarm_line << "\n";
  return kOk;
}

void register_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "simulate a scenario and write its HDF5 output (outputs/SCHEMA.md)");
  cmd->add_option("scenario", o->scenario, "scenario file, or the name of an embedded scenario (default: baseline)");
  cmd->add_option("-o,--output", o->output, "output HDF5 file (default: outputs/NAME-seedSEED.h5)");
  o->threads_opt = cmd->add_option("--threads", o->threads, "worker threads, at least 1 (default: all cores); results do not depend on it");
  cmd->add_option("--scale", o->overrides.scale, "override the sampling ratio, e.g. 1:1000, or 1 for full scale");
  cmd->add_option("--months", o->overrides.months, "override the number of months (1 to 600)");
  cmd->add_option("--seed", o->overrides.seed, "override the seed (0 to 2^64-1)");
  cmd->add_option("--checkpoint", o->checkpoint, "folder for month-end checkpoints (docs/outputs.md)");
  o->every_opt = cmd->add_option("--checkpoint-every", o->checkpoint_every, "months between checkpoints, at least 1 (default 12)");
  cmd->add_flag("--resume", o->resume, "continue from the latest complete checkpoint in --checkpoint, if there is one");
  cmd->add_flag("--overwrite", o->overwrite,
                "replace an existing output file (yidi's own only) and, without --resume, an earlier run's checkpoints");
  cmd->add_flag("--quiet", o->quiet, "no progress (on a terminal: a line redrawn; otherwise a line every 10 s)");
  o->stop_opt = cmd->add_option("--stop-after", o->stop_after,
                                "stop once this many months are done, as if killed (for restart tests)");
  cmd->callback([o] { run_simulation(*o); });
}

void register_calibration(CLI::App& app) {
  struct Options {
    std::string file, targets;
    bool list = false, check = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("calibration", "compare a run with the calibration targets of the years it covers");
  cmd->add_option("run", o->file, "HDF5 output of `yidi run`");
  cmd->add_option("--targets", o->targets,
                  "target file (CSV: year,measure,op,value,tolerance,source; default: the embedded " +
                      std::string(io::kDefaultTargets) + ")");
  cmd->add_flag("--list", o->list, "list the measures a target may name, with their units, and exit");
  cmd->add_flag("--check", o->check, "exit with status 2 when a target of the run's years is not met");
  cmd->callback([o] {
    if (o->list) {
      std::cout << "| measure | unit | the model's value |\n|---|---|---|\n";
      for (const auto& m : sim::calibration_measures())
        std::cout << "| " << m.name << " | " << m.unit << " | " << m.description << " |\n";
      return;
    }
    if (o->file.empty()) throw CLI::RequiredError("run");
    const auto targets = io::load_targets(o->targets);
    const auto rows = sim::calibration(io::read_results_hdf5(o->file), targets);
    std::cout << sim::calibration_markdown(rows, targets.size());
    if (o->check)
      for (const auto& r : rows)
        if (!r.met()) throw CLI::RuntimeError(kRowsRejected);
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
