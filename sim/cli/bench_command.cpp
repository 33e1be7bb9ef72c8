#include "sim/cli/commands.hpp"

namespace yidi::cli {
void register_bench(CLI::App& app) { app.add_subcommand("bench", "benchmarks (pending)"); }
}  // namespace yidi::cli
