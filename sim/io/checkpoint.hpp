#pragma once
// Month-end checkpoints: the agents, the clearing inputs fed so far and the results, in one
// binary file written under a temporary name and renamed. A restart from it continues to the
// same bytes as an uninterrupted run.
#include <string>

#include "sim/engine/simulation.hpp"

namespace yidi::io {

/// Writes the live state `resume` (no copy of the population) for the scenario whose resolved
/// YAML hashes to `scenario_sha256`.
void write_checkpoint(const std::string& path, const sim::Simulation::ResumeView& resume, const std::string& scenario_sha256);
/// Reads a checkpoint, its agents into `storage` in place (Simulation::take_agents(); the same
/// number of agents, else InputError naming both), so that a restart holds one population.
/// Throws InputError if the file is not a checkpoint, or is for another scenario.
sim::Simulation::Resume read_checkpoint(const std::string& path, const std::string& scenario_sha256,
                                        sim::AgentVector storage);

}  // namespace yidi::io
