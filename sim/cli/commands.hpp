#pragma once
// Each subcommand of `yidi` registers itself on the app. One file per command.
#include <CLI/CLI.hpp>

namespace yidi::cli {

/// Exit codes shared by all commands.
enum ExitCode : int {
  kOk = 0,
  kFailure = 1,        // the command could not run (bad scenario, unreadable file, ...)
  kRowsRejected = 2,   // it ran, but some input rows were rejected and skipped
};

void register_settle(CLI::App& app);
void register_bench(CLI::App& app);
/// Adds `bench sim` to the `bench` subcommand registered by register_bench.
void register_bench_sim(CLI::App& app);
void register_clear(CLI::App& app);
void register_run(CLI::App& app);
void register_schema(CLI::App& app);
void register_calibration(CLI::App& app);
void register_params(CLI::App& app);
void register_validate(CLI::App& app);
/// replicates, compare, sweep, seek, prepay (docs/experiments.md)
void register_experiments(CLI::App& app);
/// report: the notebooks' charts as one self-contained HTML file (docs/report.md)
void register_report(CLI::App& app);
/// export: a run as one tidy CSV table (docs/export.md)
void register_export(CLI::App& app);

}  // namespace yidi::cli
