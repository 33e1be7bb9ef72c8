#include "sim/io/targets_csv.hpp"

#include <charconv>
#include <cmath>
#include <set>
#include <tuple>

#include "sim/io/claims_csv.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/input_error.hpp"
#include "sim/model/names.hpp"

namespace yidi::io {
namespace {
constexpr const char* kColumns[] = {"year", "measure", "op", "value", "tolerance", "source"};

double number(const std::string& text, const InputLocation& at, const char* field) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || !std::isfinite(v))
    throw InputError(at, field, "expected a number, got '" + shown(text) + "'");
  return v;
}
}  // namespace

std::vector<sim::CalibrationTarget> parse_targets(std::string_view text, const std::string& file) {
  const auto records = read_csv(text, file);
  if (records.empty())
    throw InputError({file, 0, 0}, "", "no header; expected the columns year,measure,op,value,tolerance,source");
  const auto& header = records.front();
  std::string expected;
  for (const char* c : kColumns) expected += (expected.empty() ? "" : ",") + std::string(c);
  if (header.fields.size() != std::size(kColumns))
    throw InputError({file, header.line, 0}, "", "expected the header " + expected);
  for (std::size_t k = 0; k < std::size(kColumns); ++k)
    if (header.fields[k] != kColumns[k])
      throw InputError({file, header.line, 0}, header.fields[k],
                       "expected the column '" + std::string(kColumns[k]) + "' here (header " + expected + ")");
  std::vector<std::string> names;
  for (const auto& m : sim::calibration_measures()) names.push_back(m.name);
  std::vector<sim::CalibrationTarget> out;
  std::set<std::tuple<int, std::string, int>> seen;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& rec = records[i];
    const InputLocation at{file, rec.line, 0};
    if (rec.fields.size() != std::size(kColumns))
      throw InputError(at, "", "expected " + std::to_string(std::size(kColumns)) + " fields (" + expected + "), got " +
                                   std::to_string(rec.fields.size()));
    sim::CalibrationTarget t;
    t.line = rec.line;
    const double year = number(rec.fields[0], at, "year");
    if (year != std::floor(year) || year < 1990 || year > 2100)
      throw InputError(at, "year", "expected a calendar year 1990–2100, got '" + shown(rec.fields[0]) + "'");
    t.year = static_cast<int>(year);
    t.measure = rec.fields[1];
    if (!sim::find_calibration_measure(t.measure))
      throw InputError(at, "measure",
                       "unknown measure '" + shown(t.measure) + "'" + sim::did_you_mean_text(t.measure, names) +
                           "; expected a measure of `yidi calibration --list`");
    const std::string& op = rec.fields[2];
    if (op == "=") t.op = sim::CalibrationTarget::Op::equal;
    else if (op == "<=") t.op = sim::CalibrationTarget::Op::at_most;
    else if (op == ">=") t.op = sim::CalibrationTarget::Op::at_least;
    else throw InputError(at, "op", "expected =, <= or >=, got '" + shown(op) + "'");
    t.value = number(rec.fields[3], at, "value");
    if (!(t.value > 0)) throw InputError(at, "value", "expected a positive number, got '" + shown(rec.fields[3]) + "'");
    t.tolerance = number(rec.fields[4], at, "tolerance");
    if (t.tolerance < 0 || t.tolerance > 1 || (t.op == sim::CalibrationTarget::Op::equal && t.tolerance <= 0))
      throw InputError(at, "tolerance",
                       std::string("expected a relative tolerance ") +
                           (t.op == sim::CalibrationTarget::Op::equal ? "above 0 and at most 1 (0.1 = ±10%)" : "0–1") +
                           ", got '" + shown(rec.fields[4]) + "'");
    t.source = rec.fields[5];
    if (!seen.insert({t.year, t.measure, static_cast<int>(t.op)}).second)
      throw InputError(at, "measure", "a second " + op + " target for " + t.measure + " in " + std::to_string(t.year) +
                                          "; expected one per year, measure and op");
    out.push_back(std::move(t));
  }
  if (out.empty()) throw InputError({file, 0, 0}, "", "no targets; expected at least one row after the header");
  return out;
}

namespace {
std::string targets_text(const std::string& path) {
  if (path.empty()) {
    const auto text = embedded_file(kDefaultTargets);
    if (!text) throw InputError({std::string(kDefaultTargets), 0, 0}, "", "the embedded targets are missing");
    return std::string(*text);
  }
  return read_text_file(path, "targets file", std::uintmax_t{1} << 20);
}
}  // namespace

std::string targets_sha256(const std::string& path) { return sha256_hex(targets_text(path)); }

std::vector<sim::CalibrationTarget> load_targets(const std::string& path) {
  if (path.empty()) {
    const auto text = embedded_file(kDefaultTargets);
    if (!text) throw InputError({std::string(kDefaultTargets), 0, 0}, "", "the embedded targets are missing");
    return parse_targets(*text, "<embedded>/" + std::string(kDefaultTargets));
  }
  return parse_targets(read_text_file(path, "targets file", std::uintmax_t{1} << 20), path);
}

}  // namespace yidi::io
