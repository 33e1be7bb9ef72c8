#pragma once
// Month-end checkpoints: the agents, the clearing inputs fed so far and the results, in one
// binary file written under a temporary name and renamed. A restart from it continues to the
// same bytes as an uninterrupted run.
#include <string>

#include "sim/engine/simulation.hpp"

namespace yidi::io {

/// Writes `resume` for the scenario whose resolved YAML hashes to `scenario_sha256`.
void write_checkpoint(const std::string& path, const sim::Simulation::Resume& resume, const std::string& scenario_sha256);
/// Reads a checkpoint; throws InputError if it is not one, or is for another scenario.
sim::Simulation::Resume read_checkpoint(const std::string& path, const std::string& scenario_sha256);

}  // namespace yidi::io
