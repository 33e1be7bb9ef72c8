#pragma once
// Month-end checkpoints (format 3, docs/outputs.md): the agents, the clearing inputs fed so far and
// the results, in one binary file written through io::OutputFile (a temporary beside the target,
// renamed when complete). A restart from it continues to the same bytes as an uninterrupted run.
//
// Layout: a header (magic YIDICKP3, the file's length, the scenario hash, rank, rank count,
// months done, the month of the set before it, the population and this rank's part, and a crc32
// of the header), this rank's agents as they are in memory, the rest (clearing inputs per month,
// then the results) and a trailer (the crc32 of everything before it, and YIDIEND3). A reader
// checks the header, the length and the checksum over the whole file before it uses anything, and
// range-checks every field it reads, with every count bounded by what the scenario implies before
// anything is allocated from it.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/io/output.hpp"

namespace yidi::io {

/// What a checkpoint's header records.
struct CheckpointHeader {
  std::string scenario_sha256;  // of the resolved scenario (at most 128 bytes)
  std::int32_t rank = 0, ranks = 1;
  std::int32_t months_done = 0;
  std::int32_t previous = -1;  // months_done of the checkpoint set this one follows; -1: the run's first
  std::int32_t start_month = 0;  // the scenario's first month (Date::month_index)
  std::uint64_t population = 0;   // agents of the whole run
  std::uint64_t agent_begin = 0;  // this rank's first agent
  std::uint64_t agents = 0;       // this rank's agents
  std::uint64_t rest_bytes = 0;   // clearing inputs and results (set by the writer)
  std::uint64_t file_bytes = 0;   // the whole file (set by the writer)
};

/// What a resuming run expects of a checkpoint; every field of a file is checked against it.
struct CheckpointExpect {
  std::string scenario_sha256;
  int rank = 0, ranks = 1;
  int start_month = 0;       // the scenario's first month (Date::month_index)
  int scenario_months = 0;   // a checkpoint is of 1 to this many months done
  std::uint64_t population = 0, agent_begin = 0, agents = 0;
  /// The run's region codes (its world, in order); empty: the output schema's provinces. Agents'
  /// region indices, clearing inputs' regions and the results' extents are checked against them.
  std::vector<std::string> regions;
};
/// The expectation of a simulation (its scenario, layout and partition) for `scenario_sha256`.
CheckpointExpect expect_of(const sim::Simulation& sim, const std::string& scenario_sha256);

/// The magic at the start of every checkpoint of this format.
inline constexpr std::string_view kCheckpointMagic = "YIDICKP3";

/// Writes a checkpoint of `resume` into `out` (not committed: the caller puts it in place). The
/// header's rest_bytes and file_bytes are computed here. Errors name out's target and the reason.
void write_checkpoint(OutputFile& out, const sim::Simulation::ResumeView& resume, CheckpointHeader header);
/// Reads and checks a checkpoint's header, its length and its trailer (not the checksum of its
/// contents: read_checkpoint does that). InputError naming `path` and what is wrong.
CheckpointHeader read_checkpoint_header(const std::string& path);
/// Checks a header (read_checkpoint_header) against what the run expects: the scenario, the rank
/// and rank count, the start month, the months done, the population and this rank's part.
void check_checkpoint_header(const std::string& path, const CheckpointHeader& header, const CheckpointExpect& expect);
/// Reads a checkpoint whose header must match `expect`, its agents into `storage` in place
/// (Simulation::take_agents(), of `expect.agents` agents), so that a restart holds one population.
/// Nothing is used before the checksum over the whole file matches. InputError naming `path`.
sim::Simulation::Resume read_checkpoint(const std::string& path, const CheckpointExpect& expect, sim::AgentVector storage);

/// Reads the checkpoint at `path` for `sim` (its scenario, layout and partition) into the
/// simulation's own storage and restores it; every failure is an InputError naming `path`.
void restore_checkpoint(const std::string& path, sim::Simulation& sim, const std::string& scenario_sha256);

/// A single process's checkpoint of `resume` at `path` (replacing an earlier checkpoint there).
void write_checkpoint(const std::string& path, const sim::Simulation::ResumeView& resume, const std::string& scenario_sha256);
/// Reads such a checkpoint back, its agents into `storage` (the same number of agents, else
/// InputError naming both), checking it is of the scenario whose resolved YAML hashes to `scenario_sha256`.
sim::Simulation::Resume read_checkpoint(const std::string& path, const std::string& scenario_sha256, sim::AgentVector storage);

/// Where the sections of a valid checkpoint start (for tests and tools): header at 0, agents,
/// clearing inputs, results, trailer, and the end of the file.
struct CheckpointSections {
  std::uint64_t agents = 0, fed = 0, results = 0, trailer = 0, end = 0;
};
CheckpointSections checkpoint_sections(const std::string& path);

/// crc32 (zlib) of `n` bytes continuing `crc`, over large buffers in parallel chunks.
std::uint32_t crc32_of(std::uint32_t crc, const void* data, std::size_t n);

}  // namespace yidi::io
