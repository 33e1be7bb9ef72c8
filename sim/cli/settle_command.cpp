#include "sim/cli/commands.hpp"

namespace yidi::cli {
void register_settle(CLI::App& app) { app.add_subcommand("settle", "settle a CSV of claims (pending)"); }
}  // namespace yidi::cli
