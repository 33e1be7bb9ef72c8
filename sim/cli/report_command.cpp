// `yidi report RUN.h5 [MORE.h5 ...] -o REPORT.html`: the notebooks' charts as one self-contained
// HTML file (docs/report.md). Every input is read and checked before anything is written.
#include <filesystem>
#include <iostream>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/io/input_error.hpp"
#include "sim/report/report.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct ReportOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string title = "yidi report";
  bool overwrite = false;
};

std::string quoted(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t'\"\\$") == std::string::npos) return a;
  std::string out = "'";
  for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void run_report(const ReportOptions& o) {
  if (fs::exists(o.output) && !o.overwrite)
    throw io::InputError({o.output, 0, 0}, "", "output exists; choose another with -o or pass --overwrite");
  std::vector<report::Input> inputs;
  for (const auto& path : o.inputs) inputs.push_back(report::load_input(path));
  report::check_inputs(inputs);
  std::string command = "yidi report";
  for (const auto& p : o.inputs) command += " " + quoted(p);
  command += " -o " + quoted(o.output) + " --title " + quoted(o.title);
  const std::string html = report::render_html(inputs, o.title, command);
  io::write_text_file_atomically(o.output, html, "report");
  std::cerr << "yidi report: " << inputs.size() << " file(s), " << report::chart_ids(inputs).size() << " charts, "
            << html.size() << " bytes; wrote " << o.output << "\n";
}

}  // namespace

void register_report(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "one self-contained HTML report with the notebooks' charts (docs/report.md)");
  cmd->add_option("files", o->inputs, "run files of `yidi run` and replicates summaries of `yidi replicates`")
      ->required();
  cmd->add_option("-o,--output", o->output, "the HTML file to write")->required();
  cmd->add_option("--title", o->title, "the report's title (default: yidi report)");
  cmd->add_flag("--overwrite", o->overwrite, "replace an existing output file");
  cmd->callback([o] { run_report(*o); });
}

}  // namespace yidi::cli
