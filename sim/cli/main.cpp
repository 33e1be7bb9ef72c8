// yidi: a thin executable over the library (FLAME GPU 2's idea); each subcommand lives in its own file.
#include <cstdio>
#include <iostream>
#include <string>

#include "sim/cli/commands.hpp"
#include "sim/engine/mpi_comm.hpp"
#include "sim/io/input_error.hpp"
#include "sim/version.hpp"
#include "models/parameters.hpp"

namespace {
/// Under mpirun with several ranks, every rank reports its error (they may differ) and all end at once.
int fail(const yidi::sim::MpiSession& mpi, const std::string& message) {
  const auto& comm = mpi.comm();
  if (comm.size() == 1) {
    std::cerr << message << "\n";
    return yidi::cli::kFailure;
  }
  // One write per line, so that the ranks' lines do not interleave.
  const std::string line = "[rank " + std::to_string(comm.rank()) + " of " + std::to_string(comm.size()) + "] " + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  mpi.abort(yidi::cli::kFailure);
}
}  // namespace

int main(int argc, char** argv) {
  const yidi::sim::MpiSession mpi(argc, argv);
  CLI::App app{"yidi: simulation and capacity planning for off-site medical-insurance direct settlement"};
  app.set_version_flag("--version", std::string("yidi ") + yidi::kVersion);
  app.require_subcommand(1);
  yidi::cli::register_settle(app);
  yidi::cli::register_bench(app);
  yidi::cli::register_bench_sim(app);
  yidi::cli::register_clear(app);
  yidi::cli::register_run(app);
  yidi::cli::register_schema(app);
  yidi::cli::register_calibration(app);
  yidi::cli::register_params(app);
  yidi::cli::register_validate(app);
  yidi::cli::register_experiments(app);
  yidi::cli::register_report(app);
  yidi::cli::register_export(app);
  if (mpi.comm().size() > 1) {
    // Only a run is split over ranks; anything else would just run K times.
    std::string command;
    for (int i = 1; i < argc && command.empty(); ++i)
      if (argv[i][0] != '-') command = argv[i];
    if (command != "run")
      return fail(mpi, "yidi: only `yidi run` runs over MPI ranks; start `yidi " + command + "` without mpirun");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0, a command's own CLI::RuntimeError carries its code (2: rows
    // rejected); every usage error (missing or unknown option, bad value) is the documented 1.
    const int code = app.exit(e);
    return code == yidi::cli::kOk || code == yidi::cli::kRowsRejected ? code : yidi::cli::kFailure;
  } catch (const yidi::io::InputError& e) {
    return fail(mpi, std::string("yidi: ") + e.what());
  } catch (const yidi::PolicyError& e) {
    return fail(mpi, std::string("yidi: policy error: ") + e.what());
  } catch (const std::exception& e) {
    return fail(mpi, std::string("yidi: ") + e.what());
  }
  return yidi::cli::kOk;
}
