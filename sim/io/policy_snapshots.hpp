#pragma once
// The policy snapshot cache moved to models/policy_snapshots.hpp (the simulator's engine uses it,
// and the engine does not include sim/io); io::PolicySnapshots remains its name for the commands.
#include "models/policy_snapshots.hpp"

namespace yidi::io {
using yidi::PolicySnapshots;
}  // namespace yidi::io
