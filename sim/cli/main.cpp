// yidi: a thin executable over the library (FLAME GPU 2's idea); each subcommand lives in its own file.
#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/io/input_error.hpp"
#include "sim/version.hpp"
#include "models/parameters.hpp"

int main(int argc, char** argv) {
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0, a command's own CLI::RuntimeError carries its code (2: rows
    // rejected); every usage error (missing or unknown option, bad value) is the documented 1.
    const int code = app.exit(e);
    return code == yidi::cli::kOk || code == yidi::cli::kRowsRejected ? code : yidi::cli::kFailure;
  } catch (const yidi::io::InputError& e) {
    std::cerr << "yidi: " << e.what() << "\n";
    return yidi::cli::kFailure;
  } catch (const yidi::PolicyError& e) {
    std::cerr << "yidi: policy error: " << e.what() << "\n";
    return yidi::cli::kFailure;
  } catch (const std::exception& e) {
    std::cerr << "yidi: " << e.what() << "\n";
    return yidi::cli::kFailure;
  }
  return yidi::cli::kOk;
}
