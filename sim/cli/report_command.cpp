// `yidi report RUN.h5 [MORE.h5 ...] -o REPORT.html`: the notebooks' charts as one self-contained
// HTML file (docs/report.md). Every input is read and checked before anything is written.
#include <charconv>
#include <filesystem>
#include <iostream>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/output.hpp"
#include "sim/report/report.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct ReportOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string title = "yidi report";
  bool overwrite = false;
  int year = 0;  // the answers' year; 0: the last full year
  double red_probability = 0.05;  // for the quotas proposed from a replicates summary
};

std::string quoted(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t'\"\\$") == std::string::npos) return a;
  std::string out = "'";
  for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shortest(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void run_report(const ReportOptions& o) {
  if (!(o.red_probability > 0 && o.red_probability < 1))
    throw io::InputError({"--red-probability", 0, 0}, "red-probability", "expected a probability strictly between 0 and 1");
  // The report is never one of its inputs; opened before the inputs are read, so that an existing
  // file or an unwritable place is found at once.
  io::InputFiles files;
  for (const auto& path : o.inputs) files.add(path);
  io::OutputFile out(o.output, "report", io::OutputKind::html, o.overwrite, files);
  std::vector<report::Input> inputs;
  for (const auto& path : o.inputs) inputs.push_back(report::load_input(path));
  report::check_inputs(inputs);
  const int year = report::answer_year(inputs, o.year);  // a year outside the runs is refused before writing
  std::string command = "yidi report";
  for (const auto& p : o.inputs) command += " " + quoted(p);
  command += " -o " + quoted(o.output) + " --title " + quoted(o.title) + " --year " + std::to_string(year) +
             " --red-probability " + shortest(o.red_probability);
  const std::string html = report::render_html(inputs, o.title, command, year, o.red_probability);
  out << html;
  out.commit();
  std::cerr << "yidi report: " << inputs.size() << " file(s), " << report::chart_ids(inputs).size() << " charts, "
            << html.size() << " bytes; wrote " << o.output << "\n";
}

}  // namespace

void register_report(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "one self-contained HTML report with the notebooks' charts (docs/report.md)");
  cmd->add_option("files", o->inputs, "run files of `yidi run`, replicates summaries of `yidi replicates` and compare files of `yidi compare`")
      ->required();
  cmd->add_option("-o,--output", o->output, "the HTML file to write")->required();
  cmd->add_option("--title", o->title, "the report's title (default: yidi report)");
  cmd->add_option("--year", o->year, "the year the answers and the province table are about (default: the last full year simulated)");
  cmd->add_option("--red-probability", o->red_probability,
                  "the accepted chance of a red prepayment warning in the year, for the quotas proposed from a replicates "
                  "summary (as yidi prepay; default 0.05)");
  cmd->add_flag("--overwrite", o->overwrite, "replace an existing report (yidi's own only)");
  cmd->callback([o] { run_report(*o); });
}

}  // namespace yidi::cli
