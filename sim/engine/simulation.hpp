#pragma once
// The parallel engine: agents stepped month by month over fixed blocks with oneTBB, the month's
// integer totals settled into the clearing system, everything recorded in Results. The step order
// is fixed and written down in sim/README.md.
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/clearing.hpp"
#include "models/parameters.hpp"
#include "models/policy_snapshots.hpp"
#include "sim/engine/comm.hpp"
#include "sim/engine/recorders.hpp"
#include "sim/engine/results.hpp"
#include "sim/model/population.hpp"
#include "sim/model/scenario.hpp"
#include "sim/model/step.hpp"

namespace yidi::sim {

/// What a run keeps beyond its outputs.
struct SimulationOptions {
  /// Keep the fund ledger's event log (every posting). No output of `yidi run` reads it — the
  /// balances are kept either way — and at 1:1000 it is about a seventh of a run's CPU time and
  /// half its memory, so runs leave it off; tests that replay the ledger turn it on.
  bool ledger_events = false;
};

class Simulation {
public:
  /// Agents are processed in blocks of this many; the block size does not change results.
  static constexpr std::uint32_t kBlock = 1u << 15;

  /// A whole run on one process, or with `comm` over several ranks: this rank then owns and steps
  /// only the agents of partition(layout, rank, ranks) and the month totals are summed over the
  /// ranks, so every rank holds the same clearing system and results.
  Simulation(const Scenario& scenario, const PolicyBook& book, const World& world, const Comm& comm = serial_comm(),
             SimulationOptions options = {});

  /// Runs the next month (step order: sim/README.md). The number of threads is whatever the
  /// calling oneTBB arena allows; results do not depend on it.
  void run_month();
  bool done() const { return months_done_ >= scenario_.months; }
  int months_done() const { return months_done_; }
  int current_month() const { return scenario_.start_month + months_done_; }
  /// Wall seconds spent stepping agents (steps 1–3, this rank), summed over the months run so far:
  /// the part of a month's time that grows with the population, for benchmarks (yidi bench sim).
  double stepping_seconds() const { return stepping_seconds_; }

  const Results& results() const { return results_; }
  const Layout& layout() const { return layout_; }
  const World& world() const { return world_; }
  /// This rank's agents (all of them on one process): agents()[i] is person part().agent_begin + i.
  const AgentVector& agents() const { return agents_; }
  const Partition& part() const { return part_; }
  const Comm& comm() const { return comm_; }
  const ClearingSystem& clearing() const { return clearing_; }
  const Scenario& scenario() const { return scenario_; }

  /// What a checkpoint holds beyond the agents: the clearing inputs fed so far (replayed on
  /// restart) and the results.
  struct Resume {
    int months_done = 0;
    AgentVector agents;  // this rank's
    std::vector<std::vector<SettlementRecord>> fed;  // per month
    Results results;
  };
  /// The same, as a view of the live state: a checkpoint is written from it without copying the
  /// population (at full scale a copy would not fit beside it).
  struct ResumeView {
    int months_done = 0;
    std::span<const Agent> agents;
    const std::vector<std::vector<SettlementRecord>>& fed;
    const Results& results;
  };
  ResumeView view() const { return ResumeView{months_done_, {agents_.data(), agents_.size()}, fed_, results_}; }
  /// Hands the population's storage out so that a checkpoint can be read into it in place; the
  /// simulation is unusable until restore() gives it back.
  AgentVector take_agents() { return std::move(agents_); }
  /// Restores a checkpoint of a simulation of the same scenario and partition
  /// (std::invalid_argument if the number of agents differs).
  void restore(Resume r);

private:
  void feed_clearing(const MonthTotals& t, const MonthContext& ctx);
  /// The month's outputs, through the recorders (sim/engine/recorders.hpp).
  /// `offsite`: t.offsite.sorted(), sorted once a month for clearing and the recorders.
  void record(const MonthTotals& t, const std::vector<std::pair<std::uint64_t, Flow>>& offsite, const MonthReport& rep,
              std::span<const std::int32_t> claim_share_bp);
  /// Points the fund policy response adds to a responding province's reductions (0: none).
  std::int32_t response_extra_points() const;
  /// The fund policy response: provinces whose fund fell below the floor this month.
  void update_response(const MonthReport& rep);
  /// Posts a month's records, contributions and other spending, and closes the month.
  MonthReport apply_records(const std::vector<SettlementRecord>& recs, int month);

  Scenario scenario_;
  const PolicyBook& book_;
  /// Policy snapshots by (region, latest change date): rebuilt only when the book changes.
  PolicySnapshots snapshots_;
  const World& world_;
  const Comm& comm_;
  Rng rng_;
  Layout layout_;
  Partition part_;
  Mobility mobility_;
  AgentVector agents_;
  SimulationOptions options_;
  ClearingSystem clearing_;
  std::unique_ptr<const Recorders> recorders_;  // not movable: held by pointer
  Results results_;
  int months_done_ = 0;
  double stepping_seconds_ = 0;
  std::vector<std::vector<SettlementRecord>> fed_;
  // By region of the world (World::size()), then scheme.
  std::vector<std::array<Money, 2>> contribution_;  // per person a year, this year
  std::vector<std::array<Money, 2>> other_spending_;  // per person a year at the 2023 level of care (care.*_index = 1)
  std::vector<std::uint8_t> response_;  // deepened reductions in force next month (0/1)
};

/// Bytes of memory available now (MemAvailable in /proc/meminfo), or 0 if unknown.
std::uint64_t memory_available();
/// Why `agents` agents sampled at 1:`scale` would not fit in `available` bytes (0 = unknown: they
/// fit), naming the smallest sampling ratio that fits; nothing if they fit. Under MPI, `agents` is
/// what one machine holds. io::check_population_fits (sim/io/world_yaml.hpp) makes it an input
/// error of the scenario's `scale`, before anything is allocated.
std::optional<std::string> population_memory_shortfall(std::uint64_t agents, std::int64_t scale,
                                                        std::uint64_t available);

}  // namespace yidi::sim
