#include "sim/report/report.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <cctype>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "sim/engine/calibration.hpp"
#include "sim/engine/experiments.hpp"
#include "sim/engine/export.hpp"
#include "sim/engine/output_schema.hpp"
#include "sim/engine/sampling_noise.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/targets_csv.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/world.hpp"
#include "sim/report/svg.hpp"
#include "sim/version.hpp"

namespace yidi::report {
namespace {
namespace fs = std::filesystem;

const char* const kExpected =
    "expected a run file (`yidi run`), a replicates summary (`yidi replicates`) or a compare file (`yidi compare`)";
const char* const kNational = "offsite/dsr_inpatient_national";
constexpr double kTarget = 0.70;       // the 70% target [seed 000]
constexpr double kMonthsFloor = 6;     // months payable floor [seed 003]

/// The datasets of a run file the report draws.
const std::vector<std::string>& run_datasets() {
  static const std::vector<std::string> names{
      kNational,          "offsite/dsr_inpatient",       "offsite/visits",         "offsite/fund",
      "offsite/individual", "prepayment/quota",          "prepayment/outstanding", "prepayment/usage",
      "prepayment/warning", "prepayment/topup_requested", "prepayment/topups_paid", "funds/balance",
      "funds/months_payable", "funds/below_floor"};
  return names;
}

/// The first scenario a compare file names (scenario_name "a,b,…").
std::string first_name(const io::Provenance& p) {
  const auto it = p.text.find("scenario_name");
  return it == p.text.end() ? "" : it->second.substr(0, it->second.find(','));
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string out;
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? "×" : "") + std::to_string(shape[i]);
  return out.empty() ? "scalar" : out;
}

/// Reads `file_name` of the schema dataset `name` and checks its shape (with `lead` dimensions first).
io::Dataset64 read_checked(const std::string& path, const std::string& file_name, const std::string& name,
                           std::size_t months, const std::vector<std::size_t>& lead) {
  if (!io::has_dataset_hdf5(path, file_name))
    throw io::InputError({path, 0, 0}, file_name,
                         std::string("missing; expected a dataset of the yidi ") + kVersion + " output schema (outputs/SCHEMA.md)");
  io::Dataset64 d = io::read_dataset_hdf5(path, file_name);
  std::vector<std::size_t> want = lead;
  for (sim::Dim dim : sim::dataset(name).dims) want.push_back(dim == sim::Dim::month ? months : sim::dim_size(dim));
  if (d.shape != want)
    throw io::InputError({path, 0, 0}, file_name, "shape " + shape_text(d.shape) + ", expected " + shape_text(want));
  return d;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v == 0 ? 0.0 : v);
  return buf;
}

/// An integer with thousands separators: 1234567 → "1,234,567".
std::string grouped(std::int64_t v) {
  std::string d = std::to_string(v < 0 ? -v : v), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return (v < 0 ? "-" : "") + out;
}

double fen_to_bn(double fen) { return fen / 1e11; }   // 1 yuan = 100 fen; 1 bn = 1e9 yuan
constexpr double kFenToMillion = 1e-8;                // fen → million yuan

/// Sum of a monthly integer dataset over everything.
double total(const io::Dataset64& d) {
  return static_cast<double>(std::accumulate(d.i.begin(), d.i.end(), std::int64_t{0}));
}

/// Display names of provinces: the English name of the embedded world, else the code.
std::vector<std::string> province_names(const std::vector<std::string>& codes) {
  std::map<std::string, std::string> names;
  const sim::World world = sim::embedded_world();
  for (const auto& p : world.provinces()) names[p.code.str()] = p.name_en;
  std::vector<std::string> out;
  for (const auto& c : codes) out.push_back(names.count(c) ? names[c] : c);
  return out;
}

/// Legend names: scenario names, made unique with the file name when two inputs share one.
std::vector<std::string> display_names(const std::vector<Input>& in) {
  std::map<std::string, int> seen;
  for (const auto& i : in) ++seen[i.name];
  std::vector<std::string> out;
  for (const auto& i : in)
    out.push_back(seen[i.name] > 1 ? i.name + " (" + fs::path(i.path).filename().string() + ")" : i.name);
  return out;
}

const Input& primary(const std::vector<Input>& in) {
  return *std::find_if(in.begin(), in.end(), [](const Input& i) { return i.kind == Input::Kind::run; });
}

std::size_t run_count(const std::vector<Input>& in) {
  return static_cast<std::size_t>(
      std::count_if(in.begin(), in.end(), [](const Input& i) { return i.kind == Input::Kind::run; }));
}

/// Months as "YYYY-MM" labels.
std::vector<std::string> month_labels(const Input& in) {
  std::vector<std::string> out;
  for (auto m : in.months) out.push_back(month_label(m));
  return out;
}

/// Orders category indices by value (NaN last), descending or ascending.
std::vector<std::size_t> order_by(const std::vector<double>& v, bool descending) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const bool fa = std::isfinite(v[a]), fb = std::isfinite(v[b]);
    if (fa != fb) return fa;
    if (!fa) return false;
    return descending ? v[a] > v[b] : v[a] < v[b];
  });
  return idx;
}

template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<std::size_t>& idx) {
  std::vector<T> out;
  for (auto i : idx) out.push_back(v[i]);
  return out;
}

// ---- the charts -------------------------------------------------------------------------

std::string national_rate_chart(const std::vector<Input>& in) {
  LineChart c;
  c.id = "national-rate";
  c.title = "Cross-province inpatient direct-settlement rate, national, by month";
  c.y_label = "direct ÷ all cross-province inpatient stays";
  c.x_labels = month_labels(in.front());
  c.format = Format::percent;
  c.digits = 2;
  c.references.push_back({kTarget, "70% target (end of 2025)", "#d62728"});
  const auto names = display_names(in);
  for (std::size_t k = 0; k < in.size(); ++k) {
    const auto& d = in[k].data.at(in[k].kind == Input::Kind::run ? kNational : std::string("quantiles/") + kNational);
    const std::size_t m = in[k].months.size();
    if (in[k].kind == Input::Kind::run) {
      c.lines.push_back({names[k], d.f, palette(k)});
    } else {
      const auto& numbers = in[k].attributes.numbers;
      const std::string n =
          names[k] + (numbers.count("replicates") ? ", " + std::to_string(numbers.at("replicates")) + " replicates" : "");
      c.bands.push_back({n + ": P5–P95", {d.f.begin(), d.f.begin() + static_cast<std::ptrdiff_t>(m)},
                         {d.f.begin() + static_cast<std::ptrdiff_t>(2 * m), d.f.end()}, palette(k)});
      c.lines.push_back({n + ": P50", {d.f.begin() + static_cast<std::ptrdiff_t>(m), d.f.begin() + static_cast<std::ptrdiff_t>(2 * m)}, palette(k)});
    }
  }
  // The axis spans the data and the target, to the next 5 points, within 0–100% (a 0–100% axis
  // flattens lines that move a few points).
  double lo = kTarget, hi = kTarget;
  for (const auto& l : c.lines)
    for (double v : l.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  for (const auto& b : c.bands) {
    for (double v : b.low)
      if (std::isfinite(v)) lo = std::min(lo, v);
    for (double v : b.high)
      if (std::isfinite(v)) hi = std::max(hi, v);
  }
  c.y_min = std::max(0.0, std::floor(lo * 20 - 1e-9) / 20 - 0.05);
  c.y_max = std::min(1.0, std::ceil(hi * 20 + 1e-9) / 20 + 0.05);
  return line_chart_svg(c);
}

/// A month × province slice (float or integer) at month row `m`, as doubles, scaled.
std::vector<double> row(const io::Dataset64& d, std::size_t m, std::size_t width, double scale = 1) {
  std::vector<double> out(width);
  for (std::size_t p = 0; p < width; ++p)
    out[p] = d.f.empty() ? static_cast<double>(d.i[m * width + p]) * scale : d.f[m * width + p] * scale;
  return out;
}

std::string province_rate_chart(const Input& run, const std::vector<std::string>& names, const std::string& who) {
  const std::size_t last = run.months.size() - 1, P = run.provinces.size();
  const auto v = row(run.data.at("offsite/dsr_inpatient"), last, P);
  const auto idx = order_by(v, false);
  // The stays behind each rate, in the sample: visits are scaled by the run's `scale`.
  const auto& visits = run.data.at("offsite/visits");
  const std::int64_t scale = run.attributes.numbers.count("scale") ? std::max<std::int64_t>(1, run.attributes.numbers.at("scale")) : 1;
  const std::size_t G = sim::dim_size(sim::Dim::group), V = sim::dim_size(sim::Dim::visit_type), Paths = sim::dim_size(sim::Dim::path);
  std::vector<bool> noisy(P);
  for (std::size_t p = 0; p < P; ++p) {
    std::int64_t direct = 0, all = 0;
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t path = 0; path < Paths; ++path) {
        const std::int64_t n = visits.i[(((last * P + p) * G + g) * V + 0) * Paths + path] / scale;  // inpatient
        all += n;
        direct += path == 0 ? n : 0;
      }
    noisy[p] = sim::noise_code(direct, all) == 1;  // with no stays the bar is n/a already
  }
  BarChart c;
  c.id = "province-rate";
  c.title = "Inpatient direct-settlement rate by insured province, " + month_label(run.months[last]) + " (" + who + ")";
  c.value_label = "direct ÷ all cross-province inpatient stays (n/a: no stays)";
  c.categories = pick(names, idx);
  c.series.push_back({"rate", pick(v, idx), palette(0)});
  c.references.push_back({kTarget, "70%", "#d62728"});
  c.format = Format::percent;
  c.flagged = pick(noisy, idx);
  c.flag_label = "mostly sampling noise (standard error above " + fixed(sim::kNoiseSe * 100, 0) + " percentage points)";
  return bar_chart_svg(c);
}

std::string quota_chart(const Input& run, const std::vector<std::string>& names, const std::string& who) {
  const std::size_t last = run.months.size() - 1, P = run.provinces.size();
  const auto quota = row(run.data.at("prepayment/quota"), last, P, kFenToMillion);
  const auto out = row(run.data.at("prepayment/outstanding"), last, P, kFenToMillion);
  const auto idx = order_by(quota, true);
  BarChart c;
  c.id = "quota";
  c.title = "Prepayment quota and outstanding by insured province, " + month_label(run.months[last]) + " (" + who + ")";
  c.value_label = "million yuan";
  c.categories = pick(names, idx);
  c.series.push_back({"quota", pick(quota, idx), palette(0)});
  c.series.push_back({"outstanding (settled, not yet cleared)", pick(out, idx), palette(1)});
  return bar_chart_svg(c);
}

std::string usage_chart(const Input& run, const std::vector<std::string>& names, const std::string& who) {
  const std::size_t last = run.months.size() - 1, P = run.provinces.size();
  const auto usage = row(run.data.at("prepayment/usage"), last, P);
  const auto idx = order_by(usage, true);
  BarChart c;
  c.id = "usage";
  c.title = "Prepayment usage (outstanding ÷ quota), " + month_label(run.months[last]) + " (" + who + ")";
  c.value_label = "usage (n/a: no quota; bars beyond 150% are cut, with their value)";
  c.value_max = 1.5;
  c.categories = pick(names, idx);
  c.series.push_back({"usage", pick(usage, idx), palette(0)});
  c.references.push_back({0.70, "yellow 70%", "#c49000"});
  c.references.push_back({0.90, "red 90%", "#d62728"});
  c.format = Format::percent;
  return bar_chart_svg(c);
}

std::string topups_chart(const Input& run, const std::vector<std::string>& names, const std::string& who) {
  const std::size_t M = run.months.size(), P = run.provinces.size();
  std::vector<double> sum(P, 0);
  for (std::size_t m = 0; m < M; ++m) {
    const auto r = row(run.data.at("prepayment/topup_requested"), m, P, kFenToMillion);
    for (std::size_t p = 0; p < P; ++p) sum[p] += r[p];
  }
  const auto idx = order_by(sum, true);
  BarChart c;
  c.id = "topups";
  c.title = "Emergency top-ups requested by insured province, " + month_label(run.months.front()) + " to " +
            month_label(run.months.back()) + " (" + who + ")";
  c.value_label = "million yuan, summed over the months";
  c.categories = pick(names, idx);
  c.series.push_back({"top-ups requested", pick(sum, idx), palette(3)});
  return bar_chart_svg(c);
}

std::string months_payable_chart(const Input& run, const std::vector<std::string>& names, const std::string& who) {
  const std::size_t last = run.months.size() - 1, P = run.provinces.size(), S = run.schemes.size();
  const auto& mp = run.data.at("funds/months_payable");
  BarChart c;
  c.id = "months-payable";
  c.title = "Fund months payable by province and scheme, " + month_label(run.months[last]) + " (" + who + ")";
  c.value_label = "months of expenditure the fund holds (balance + prepayment held)";
  c.categories = names;
  for (std::size_t s = 0; s < S; ++s) {
    std::vector<double> v(P);
    for (std::size_t p = 0; p < P; ++p) v[p] = mp.f[(last * P + p) * S + s];
    c.series.push_back({run.schemes[s], v, palette(s)});
  }
  c.references.push_back({kMonthsFloor, "6 months", "#d62728"});
  c.flag_below = kMonthsFloor;
  c.flag_label = "below 6 months (must tighten off-site policy)";
  c.digits = 2;
  return bar_chart_svg(c);
}

/// Sum of an offsite money dataset over the whole run, bn yuan.
/// The first replicates summary with months-payable quantiles, or nullptr.
const Input* fan_summary(const std::vector<Input>& in) {
  for (const auto& i : in)
    if (i.kind == Input::Kind::replicates && i.data.count("quantiles/funds/months_payable")) return &i;
  return nullptr;
}

/// A fan chart of the residents' months payable over the months, for the three insured provinces
/// with the lowest P50 at the last month: each one's P50 and its P5–P95 band over the replicates,
/// against the 6-month floor.
std::string months_payable_fan_chart(const Input& sum, const std::string& who) {
  const std::size_t M = sum.months.size(), P = sum.provinces.size(), S = sum.schemes.size();
  const std::size_t res = static_cast<std::size_t>(
      std::find(sum.schemes.begin(), sum.schemes.end(), "resident") - sum.schemes.begin());
  const std::size_t s = res < S ? res : S - 1;
  const auto& q = sum.data.at("quantiles/funds/months_payable").f;  // quantile × month × province × scheme
  auto at = [&](std::size_t k, std::size_t m, std::size_t p) { return q[((k * M + m) * P + p) * S + s]; };
  std::vector<std::pair<double, std::size_t>> last;
  for (std::size_t p = 0; p < P; ++p)
    if (std::isfinite(at(1, M - 1, p))) last.emplace_back(at(1, M - 1, p), p);
  std::sort(last.begin(), last.end());
  const auto names = province_names(sum.provinces);
  LineChart c;
  c.id = "months-payable-fan";
  c.title = "Residents' fund months payable, the 3 lowest provinces at " + month_label(sum.months.back()) +
            ": P50 and P5–P95 (" + who + ")";
  c.y_label = "months of expenditure the fund holds";
  c.x_labels = month_labels(sum);
  c.digits = 2;
  c.references.push_back({kMonthsFloor, "6-month floor", "#d62728"});
  for (std::size_t i = 0; i < last.size() && i < 3; ++i) {
    const std::size_t p = last[i].second;
    std::vector<double> lo(M), mid(M), hi(M);
    for (std::size_t m = 0; m < M; ++m) lo[m] = at(0, m, p), mid[m] = at(1, m, p), hi[m] = at(2, m, p);
    c.bands.push_back({names[p] + ": P5–P95", lo, hi, palette(i)});
    c.lines.push_back({names[p] + ": P50", mid, palette(i)});
  }
  return line_chart_svg(c);
}

double offsite_bn(const Input& run, const std::string& name) { return fen_to_bn(total(run.data.at(name))); }

double mean_finite(const std::vector<double>& v) {
  double s = 0;
  std::size_t n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n ? s / static_cast<double>(n) : std::nan("");
}

std::string who_pays_chart(const std::vector<Input>& in, const std::vector<std::string>& names) {
  BarChart c;
  c.id = "who-pays";
  c.title = "Who pays for off-site care: funds and individuals, " + month_label(in.front().months.front()) + " to " +
            month_label(in.front().months.back());
  c.value_label = "bn yuan, summed over the months";
  Series fund{"off-site fund paid", {}, palette(0)}, indiv{"individual burden", {}, palette(1)};
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (in[k].kind != Input::Kind::run) continue;
    c.categories.push_back(names[k]);
    fund.values.push_back(offsite_bn(in[k], "offsite/fund"));
    indiv.values.push_back(offsite_bn(in[k], "offsite/individual"));
  }
  c.series = {fund, indiv};
  c.digits = 3;
  return bar_chart_svg(c);
}

std::string rate_by_run_chart(const std::vector<Input>& in, const std::vector<std::string>& names) {
  BarChart c;
  c.id = "rate-by-run";
  c.title = "Cross-province inpatient direct-settlement rate, national, by run";
  c.value_label = "direct ÷ all cross-province inpatient stays";
  Series mean{"mean over the months", {}, palette(0)}, last{"last month", {}, palette(2)};
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (in[k].kind != Input::Kind::run) continue;
    const auto& v = in[k].data.at(kNational).f;
    c.categories.push_back(names[k]);
    mean.values.push_back(mean_finite(v));
    last.values.push_back(v.back());
  }
  c.series = {mean, last};
  c.references.push_back({kTarget, "70%", "#d62728"});
  c.format = Format::percent;
  return bar_chart_svg(c);
}

// ---- tables -------------------------------------------------------------------------------

std::string cell(const std::string& id, const std::string& text, bool number = true) {
  return std::string("<td") + (number ? " class=\"num\"" : "") + " id=\"" + escape(id) + "\">" + escape(text) + "</td>";
}

std::string header_row(const std::vector<Input>& in, const std::vector<std::string>& names) {
  std::string h = "<tr><th></th>";
  for (std::size_t k = 0; k < in.size(); ++k) h += "<th>" + escape(names[k]) + "</th>";
  return h + "</tr>\n";
}

std::string provenance_table(const std::vector<Input>& in, const std::vector<std::string>& names) {
  // The attributes of outputs/SCHEMA.md and docs/experiments.md first, then any other.
  std::vector<std::string> order{"yidi_version", "scenario_name", "scenario_sha256", "seed",   "scale",
                                 "threads",      "ranks",         "start_month",     "months", "agents",
                                 "replicates",   "experiment"};
  std::set<std::string> known(order.begin(), order.end());
  known.insert("scenario");
  for (const auto& i : in) {
    for (const auto& [k, v] : i.attributes.text)
      if (!known.count(k)) order.push_back(k), known.insert(k);
    for (const auto& [k, v] : i.attributes.numbers)
      if (!known.count(k)) order.push_back(k), known.insert(k);
  }
  std::string t = "<table class=\"provenance\">\n" + header_row(in, names);
  t += "<tr><th>file</th>";
  for (std::size_t k = 0; k < in.size(); ++k) t += cell("p-file-" + std::to_string(k), in[k].path, false);
  t += "</tr>\n<tr><th>kind</th>";
  for (std::size_t k = 0; k < in.size(); ++k)
    t += cell("p-kind-" + std::to_string(k),
              in[k].kind == Input::Kind::run          ? "run (yidi run)"
              : in[k].kind == Input::Kind::replicates ? "replicates summary (yidi replicates)"
                                                      : "comparison (yidi compare)",
              false);
  t += "</tr>\n";
  for (const auto& a : order) {
    bool any = false;
    std::string r = "<tr><th>" + escape(a) + "</th>";
    for (std::size_t k = 0; k < in.size(); ++k) {
      const auto& at = in[k].attributes;
      std::string v = "—";
      if (at.text.count(a)) {
        v = at.text.at(a), any = true;
      } else if (at.numbers.count(a)) {
        const auto n = at.numbers.at(a);
        v = a == "scale" ? "1:" + std::to_string(n) : a == "start_month" ? month_label(n) : std::to_string(n);
        any = true;
      }
      r += std::string("<td id=\"p-") + escape(a) + "-" + std::to_string(k) + "\">" +
           (a == "scenario_sha256" ? "<code>" + escape(v) + "</code>" : escape(v)) + "</td>";
    }
    if (any) t += r + "</tr>\n";
  }
  t += "</table>\n";
  for (std::size_t k = 0; k < in.size(); ++k)
    if (in[k].attributes.text.count("scenario"))
      t += "<details><summary>resolved scenario of " + escape(in[k].path) + "</summary><pre>" +
           escape(in[k].attributes.text.at("scenario")) + "</pre></details>\n";
  return t;
}

std::string numbers_table(const std::vector<Input>& in, const std::vector<std::string>& names) {
  struct Row {
    std::string id, label;
    std::function<std::string(const Input&)> run, replicates;
  };
  const auto pct = [](double v) { return format_value(v, Format::percent, 2); };
  auto scheme_balance = [](const Input& i, const std::string& scheme) -> std::string {
    const auto it = std::find(i.schemes.begin(), i.schemes.end(), scheme);
    if (it == i.schemes.end()) return "—";
    const std::size_t s = static_cast<std::size_t>(it - i.schemes.begin()), S = i.schemes.size(),
                      P = i.provinces.size(), last = i.months.size() - 1;
    const auto& b = i.data.at("funds/balance");
    double sum = 0;
    for (std::size_t p = 0; p < P; ++p) sum += static_cast<double>(b.i[(last * P + p) * S + s]);
    return fixed(fen_to_bn(sum), 2);
  };
  const auto dash = [](const Input&) { return std::string("—"); };
  const std::vector<Row> rows{
      {"months", "months",
       [](const Input& i) { return month_label(i.months.front()) + " to " + month_label(i.months.back()) + " (" + std::to_string(i.months.size()) + ")"; },
       [](const Input& i) { return month_label(i.months.front()) + " to " + month_label(i.months.back()) + " (" + std::to_string(i.months.size()) + ")"; }},
      {"dsr-last", "national inpatient direct-settlement rate, last month",
       [&](const Input& i) { return pct(i.data.at(kNational).f.back()); },
       [&](const Input& i) {
         const auto& q = i.data.at(std::string("quantiles/") + kNational).f;
         const std::size_t m = i.months.size();
         return "P50 " + pct(q[2 * m - 1]) + " (P5 " + pct(q[m - 1]) + ", P95 " + pct(q[3 * m - 1]) + ")";
       }},
      {"dsr-mean", "national inpatient direct-settlement rate, mean over the months",
       [&](const Input& i) { return pct(mean_finite(i.data.at(kNational).f)); },
       [&](const Input& i) {
         const auto& q = i.data.at(std::string("quantiles/") + kNational).f;
         const std::size_t m = i.months.size();
         return "P50 " + pct(mean_finite({q.begin() + static_cast<std::ptrdiff_t>(m), q.begin() + static_cast<std::ptrdiff_t>(2 * m)}));
       }},
      {"dsr-above", "months at or above 70%",
       [](const Input& i) {
         const auto& v = i.data.at(kNational).f;
         const auto n = std::count_if(v.begin(), v.end(), [](double x) { return x >= kTarget; });
         return std::to_string(n) + " of " + std::to_string(v.size());
       },
       dash},
      {"visits", "cross-province visits (all types, both paths), whole run",
       [](const Input& i) { return grouped(static_cast<std::int64_t>(total(i.data.at("offsite/visits")))); }, dash},
      {"fund", "off-site fund paid, whole run (bn yuan)",
       [](const Input& i) { return fixed(offsite_bn(i, "offsite/fund"), 3); }, dash},
      {"individual", "off-site individual burden, whole run (bn yuan)",
       [](const Input& i) { return fixed(offsite_bn(i, "offsite/individual"), 3); }, dash},
      {"balance-employee", "fund balance, employees, last month (bn yuan, all provinces)",
       [&](const Input& i) { return scheme_balance(i, "employee"); }, dash},
      {"balance-resident", "fund balance, residents, last month (bn yuan, all provinces)",
       [&](const Input& i) { return scheme_balance(i, "resident"); }, dash},
      {"below-floor", "funds below 6 months payable, last month",
       [](const Input& i) {
         const std::size_t S = i.schemes.size(), P = i.provinces.size(), last = i.months.size() - 1;
         const auto& b = i.data.at("funds/below_floor").i;
         const auto pnames = province_names(i.provinces);
         std::string out;
         std::size_t n = 0;
         for (std::size_t p = 0; p < P; ++p)
           for (std::size_t s = 0; s < S; ++s)
             if (b[(last * P + p) * S + s] != 0) out += (n++ ? ", " : "") + pnames[p] + " " + i.schemes[s];
         return n ? std::to_string(n) + ": " + out : std::string("none");
       },
       dash},
      {"red", "provinces in red prepayment warning (usage ≥ 90%), last month",
       [](const Input& i) {
         const std::size_t P = i.provinces.size(), last = i.months.size() - 1;
         const auto& w = i.data.at("prepayment/warning").i;
         std::size_t n = 0;
         for (std::size_t p = 0; p < P; ++p) n += w[last * P + p] == 2;
         return std::to_string(n) + " of " + std::to_string(P);
       },
       dash},
      {"topups-requested", "emergency top-ups requested, whole run (bn yuan)",
       [](const Input& i) { return fixed(fen_to_bn(total(i.data.at("prepayment/topup_requested"))), 3); }, dash},
      {"topups-paid", "emergency top-ups paid, whole run (bn yuan)",
       [](const Input& i) { return fixed(fen_to_bn(total(i.data.at("prepayment/topups_paid"))), 3); }, dash},
  };
  std::string t = "<table class=\"numbers\">\n" + header_row(in, names);
  for (const auto& r : rows) {
    t += "<tr><th>" + escape(r.label) + "</th>";
    for (std::size_t k = 0; k < in.size(); ++k)
      t += cell("n-" + r.id + "-" + std::to_string(k), in[k].kind == Input::Kind::run ? r.run(in[k]) : r.replicates(in[k]));
    t += "</tr>\n";
  }
  return t + "</table>\n";
}

// The browser self-check (docs/report.md): every chart has a non-empty box, as many data marks as
// it declares, and every mark inside the chart. Writes "N rendered" (and the failures) on <body>.
const char* const kSelfCheck = R"(<script>
window.addEventListener('load', function () {
  var ok = 0, bad = [], marks = 0;
  document.querySelectorAll('svg.chart').forEach(function (s) {
    var b = s.getBBox(), vb = s.viewBox.baseVal, m = s.querySelectorAll('.mark');
    var good = b.width > 0 && b.height > 0 && m.length === Number(s.dataset.marks);
    m.forEach(function (e) {
      var r = e.getBBox();
      if (!(r.width > 0 || r.height > 0) || r.x < 0 || r.y < 0 || r.x + r.width > vb.width + 0.5 ||
          r.y + r.height > vb.height + 0.5) good = false;
    });
    if (good) ok++; else bad.push(s.id);
    marks += m.length;
  });
  document.body.dataset.charts = ok + ' rendered' + (bad.length ? ', failed: ' + bad.join(' ') : '');
  document.body.dataset.marks = String(marks);
});
</script>
)";

const char* const kStyle = R"(<style>
body { font-family: sans-serif; max-width: 980px; margin: 0 auto; padding: 12px; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
td.num { text-align: right; }
td code { word-break: break-all; font-size: 11px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 14px 0; }
.note { color: #555; font-size: 13px; }
.warning { color: #a00; font-size: 14px; border-left: 4px solid #a00; padding-left: 8px; }
pre { font-size: 11px; max-height: 320px; overflow: auto; background: #f6f6f6; padding: 6px; }
tr.miss td { background: #fdecea; }
</style>
)";

}  // namespace

Input load_input(const std::string& path) {
  if (!fs::exists(path)) throw io::InputError({path, 0, 0}, "", std::string("no such file; ") + kExpected);
  if (!fs::is_regular_file(path)) throw io::InputError({path, 0, 0}, "", std::string("not a file; ") + kExpected);
  if (!io::is_hdf5_file(path)) throw io::InputError({path, 0, 0}, "", std::string("not an HDF5 file; ") + kExpected);
  Input in;
  in.path = path;
  try {
    in.attributes = io::read_root_attributes_hdf5(path);
    if (!in.attributes.text.count("yidi_version"))
      throw io::InputError({path, 0, 0}, "", std::string("not a yidi file (no root attribute 'yidi_version'); ") + kExpected);
    if (io::has_dataset_hdf5(path, kNational)) {
      in.kind = Input::Kind::run;
    } else if (io::has_dataset_hdf5(path, std::string("quantiles/") + kNational)) {
      in.kind = Input::Kind::replicates;
    } else if (io::has_dataset_hdf5(path, "scenarios/" + first_name(in.attributes) + "/replicates/seed")) {
      in.kind = Input::Kind::comparison;
    } else {
      throw io::InputError({path, 0, 0}, "",
                           std::string("a yidi file but neither a run (no dataset '") + kNational +
                               "'), a replicates summary (no 'quantiles/" + kNational + "') nor a compare file; " + kExpected);
    }
    if (!io::has_dataset_hdf5(path, "months"))
      throw io::InputError({path, 0, 0}, "months", "missing; expected the month of each row (outputs/SCHEMA.md)");
    io::Dataset64 months = io::read_dataset_hdf5(path, "months");
    if (months.shape.size() != 1 || months.i.empty())
      throw io::InputError({path, 0, 0}, "months", "expected a non-empty list of integer months, got shape " + shape_text(months.shape));
    in.months = std::move(months.i);
    for (const char* dim : {"province", "scheme"}) {
      const std::string name = std::string("labels/") + dim;
      if (!io::has_dataset_hdf5(path, name))
        throw io::InputError({path, 0, 0}, name, "missing; expected the dimension's labels (outputs/SCHEMA.md)");
      auto labels = io::read_labels_hdf5(path, name);
      const std::size_t want = sim::dim_size(dim == std::string("province") ? sim::Dim::province : sim::Dim::scheme);
      if (labels.size() != want)
        throw io::InputError({path, 0, 0}, name, std::to_string(labels.size()) + " labels, expected " + std::to_string(want));
      (dim == std::string("province") ? in.provinces : in.schemes) = std::move(labels);
    }
    if (in.kind == Input::Kind::run) {
      for (const auto& name : run_datasets()) in.data[name] = read_checked(path, name, name, in.months.size(), {});
      in.results = std::make_shared<const sim::Results>(io::read_results_hdf5(path));
    } else if (in.kind == Input::Kind::comparison) {
      if (!io::has_dataset_hdf5(path, "years"))
        throw io::InputError({path, 0, 0}, "years", "missing; expected the calendar years of the replicates' yearly values");
      in.years = io::read_dataset_hdf5(path, "years").i;
      const std::size_t Y = in.years.size(), P = in.provinces.size();
      std::string names = in.attributes.text.count("scenario_name") ? in.attributes.text.at("scenario_name") : "";
      for (std::size_t at = 0; at <= names.size();) {
        const auto comma = std::min(names.find(',', at), names.size());
        Input::Compared c;
        c.name = names.substr(at, comma - at);
        at = comma + 1;
        const std::string g = "scenarios/" + c.name + "/replicates/";
        for (const char* d : {"seed", "offsite/dsr_inpatient_national", "offsite/fund", "offsite/individual"})
          if (!io::has_dataset_hdf5(path, g + d))
            throw io::InputError({path, 0, 0}, g + d,
                                 std::string("missing; expected the replicates' yearly values of yidi ") + kVersion +
                                     " (an older compare file: run yidi compare again)");
        c.replicates = io::read_dataset_hdf5(path, g + "seed").i.size();
        const auto rate = io::read_dataset_hdf5(path, g + "offsite/dsr_inpatient_national");
        const auto fund = io::read_dataset_hdf5(path, g + "offsite/fund");
        const auto individual = io::read_dataset_hdf5(path, g + "offsite/individual");
        if (rate.f.size() != c.replicates * Y || fund.i.size() != c.replicates * Y * P || individual.i.size() != fund.i.size())
          throw io::InputError({path, 0, 0}, g + "offsite/fund",
                               "shape " + shape_text(fund.shape) + ", expected " + std::to_string(c.replicates) + "×" +
                                   std::to_string(Y) + "×" + std::to_string(P));
        c.rate = rate.f;
        c.fund = fund.i;
        c.individual = individual.i;
        in.compared.push_back(std::move(c));
      }
      if (in.compared.size() < 2)
        throw io::InputError({path, 0, 0}, "scenario_name", "names fewer than 2 scenarios; expected a compare file's");
    } else {
      const std::string q = std::string("quantiles/") + kNational;
      in.data[q] = read_checked(path, q, kNational, in.months.size(), {3});
      const std::string mp = "quantiles/funds/months_payable";  // the funds' fan chart
      if (io::has_dataset_hdf5(path, mp)) in.data[mp] = read_checked(path, mp, "funds/months_payable", in.months.size(), {3});
      const std::string r = std::string("replicates/") + kNational;
      if (io::has_dataset_hdf5(path, r) && io::has_dataset_hdf5(path, "years")) {
        in.years = io::read_dataset_hdf5(path, "years").i;
        const auto d = io::read_dataset_hdf5(path, r);
        if (d.shape.size() == 2 && d.shape[1] == in.years.size()) in.replicate_rates = d.f;
      }
      // The funds' outlook: each replicate's year-end months payable and balance.
      const std::string fm = "replicates/funds/months_payable", fb = "replicates/funds/balance";
      if (!in.years.empty() && io::has_dataset_hdf5(path, fm) && io::has_dataset_hdf5(path, fb)) {
        auto payable = io::read_dataset_hdf5(path, fm), bal = io::read_dataset_hdf5(path, fb);
        const std::size_t Y = in.years.size(), P = in.provinces.size(), S = in.schemes.size();
        const auto fits = [&](const io::Dataset64& d, std::size_t values) {
          return d.shape.size() == 4 && d.shape[0] > 0 && d.shape[1] == Y && d.shape[2] == P && d.shape[3] == S &&
                 values == d.shape[0] * Y * P * S && d.shape[0] == payable.shape[0];
        };
        if (!fits(payable, payable.f.size()))
          throw io::InputError({path, 0, 0}, fm, "shape " + shape_text(payable.shape) + ", expected replicates×" + std::to_string(Y) +
                                                     "×" + std::to_string(P) + "×" + std::to_string(S) + " float64");
        if (!fits(bal, bal.i.size()))
          throw io::InputError({path, 0, 0}, fb, "shape " + shape_text(bal.shape) + ", expected replicates×" + std::to_string(Y) +
                                                     "×" + std::to_string(P) + "×" + std::to_string(S) + " int64");
        in.year_months_payable = std::move(payable.f);
        in.year_balance = std::move(bal.i);
      }
      // The prepayment proposal: the replicates' yearly peaks, red months and top-ups by province.
      const std::string pk = "replicates/prepayment/peak_outstanding", rm = "replicates/prepayment/red_months",
                        tu = "replicates/prepayment/topup_requested";
      if (!in.years.empty() && io::has_dataset_hdf5(path, pk) && io::has_dataset_hdf5(path, rm) && io::has_dataset_hdf5(path, tu)) {
        auto peak = io::read_dataset_hdf5(path, pk), red = io::read_dataset_hdf5(path, rm), top = io::read_dataset_hdf5(path, tu);
        const std::size_t Y = in.years.size(), P = in.provinces.size();
        for (const auto* d : {&peak, &red, &top}) {
          const bool ok = d->shape.size() == 3 && d->shape[0] > 0 && d->shape[1] == Y && d->shape[2] == P &&
                          d->i.size() == d->shape[0] * Y * P && d->shape[0] == peak.shape[0];
          if (!ok)
            throw io::InputError({path, 0, 0}, d == &peak ? pk : d == &red ? rm : tu,
                                 "shape " + shape_text(d->shape) + ", expected replicates×" + std::to_string(Y) + "×" +
                                     std::to_string(P) + " int64 (replicate × year × province)");
        }
        in.prepayment.replicates = peak.shape[0];
        in.prepayment.peak = std::move(peak.i);
        in.prepayment.red_months = std::move(red.i);
        in.prepayment.topups = std::move(top.i);
        try {
          const auto text = in.attributes.text.count("scenario") ? in.attributes.text.at("scenario") : std::string();
          if (text.empty()) throw std::runtime_error("the file has no scenario attribute");
          in.prepayment.red_bp = io::parse_scenario(text, path + " (scenario attribute)").clearing.red_usage.bp();
        } catch (const std::exception& e) {
          in.prepayment.red_note = e.what();
        }
      }
    }
  } catch (const H5::Exception& e) {
    throw io::InputError({path, 0, 0}, "", "cannot read it as a yidi file: " + e.getDetailMsg() + "; " + kExpected);
  }
  in.name = in.attributes.text.count("scenario_name") && !in.attributes.text.at("scenario_name").empty()
                ? in.attributes.text.at("scenario_name")
                : fs::path(path).stem().string();
  return in;
}

void check_inputs(const std::vector<Input>& in) {
  if (in.empty()) throw std::invalid_argument("report: no input");
  if (run_count(in) == 0)
    throw io::InputError({in.front().path, 0, 0}, "",
                         std::string(in.front().kind == Input::Kind::comparison ? "a compare file" : "a replicates summary") +
                             " alone: expected at least one run file (`yidi run`) beside it; a summary adds P5–P95 "
                             "bands to the runs' rate chart, a compare file its differences to the answers");
  const Input& first = in.front();
  const auto span = [](const Input& i) {
    return month_label(i.months.front()) + " to " + month_label(i.months.back()) + " (" + std::to_string(i.months.size()) +
           " months)";
  };
  for (const auto& i : in) {
    if (i.months != first.months)
      throw io::InputError({i.path, 0, 0}, "months",
                           "covers " + span(i) + ", but " + first.path + " covers " + span(first) +
                               "; the report puts its inputs side by side, so they must cover the same months");
    if (i.provinces != first.provinces)
      throw io::InputError({i.path, 0, 0}, "labels/province",
                           "its provinces differ from those of " + first.path +
                               "; the report puts its inputs side by side, so they must have the same provinces");
    if (i.schemes != first.schemes)
      throw io::InputError({i.path, 0, 0}, "labels/scheme",
                           "its schemes differ from those of " + first.path + "; expected the same schemes");
  }
}

std::vector<std::string> chart_ids(const std::vector<Input>& in) {
  std::vector<std::string> ids{"national-rate", "province-rate", "quota", "usage", "topups", "months-payable"};
  if (fan_summary(in)) ids.push_back("months-payable-fan");
  if (run_count(in) >= 2) ids.insert(ids.end(), {"who-pays", "rate-by-run"});
  return ids;
}

namespace {

/// The measures of the province table, in its column order, with their headings.
const std::vector<std::pair<std::string, std::string>>& table_measures() {
  static const std::vector<std::pair<std::string, std::string>> m{
      {"cross_dsr_inpatient", "inpatient direct-settlement rate"},
      {"cross_dsr_inpatient_official", "the same, as officially counted"},
      {"cross_inpatient_stays", "cross-province inpatient stays"},
      {"cross_fund", "funds' cross-province payments (亿元)"},
      {"prepayment_quota", "prepayment quota at year end (亿元)"},
      {"prepayment_peak_usage", "peak usage"},
      {"prepayment_red_months", "red months"},
      {"prepayment_topup_requested", "top-ups asked (亿元)"},
      {"months_payable_employee", "employees' months payable"},
      {"months_payable_resident", "residents' months payable"},
  };
  return m;
}

sim::ExportTable year_table(const Input& run, sim::ExportLevel level, int year, std::vector<std::string> measures) {
  sim::ExportOptions o;
  o.level = level;
  o.period = sim::ExportPeriod::year;
  o.measures = std::move(measures);
  sim::ExportTable t = sim::export_table(*run.results, o);
  // Keep the year's rows only.
  const auto at = std::find(t.periods.begin(), t.periods.end(), std::to_string(year));
  const std::size_t p = static_cast<std::size_t>(at - t.periods.begin());
  std::vector<sim::ExportRow> kept;
  for (const auto& r : t.rows)
    if (r.period == p) kept.push_back(r);
  t.rows = std::move(kept);
  return t;
}

double number_of(const sim::ExportValue& v) {
  switch (v.kind) {
    case sim::ExportValue::Kind::none: return std::nan("");
    case sim::ExportValue::Kind::integer: return static_cast<double>(v.i);
    case sim::ExportValue::Kind::money: return static_cast<double>(v.i) / 100.0;
    case sim::ExportValue::Kind::number: return v.f;
  }
  return std::nan("");
}

/// One measure of a run by year (national): year → value.
std::map<int, double> national_by_year(const Input& run, const std::string& measure) {
  sim::ExportOptions o;
  o.level = sim::ExportLevel::national;
  o.period = sim::ExportPeriod::year;
  o.measures = {measure};
  const auto t = sim::export_table(*run.results, o);
  std::map<int, double> out;
  for (const auto& r : t.rows) out[std::stoi(t.periods[r.period])] = number_of(r.value);
  return out;
}

std::string yi(double yuan) { return format_value(yuan / 1e8, Format::number, 1); }

/// Finance: the quotas a replicates summary proposes for the year, per insured province, as `yidi
/// prepay` computes them from the same seeds (sim::propose_quota), beside what the scenario's own
/// quotas gave: P(a red month in the year) and the top-ups asked.
std::string prepayment_answers(const Input& sum, const std::string& who, std::size_t year_index, double alpha) {
  const auto& pp = sum.prepayment;
  const std::size_t n = pp.replicates, Y = sum.years.size(), P = sum.provinces.size();
  const std::string y = std::to_string(sum.years[year_index]);
  const auto provinces = province_names(sum.provinces);
  const auto pct = [](double x) { return format_value(x, Format::percent, 0); };
  std::string h = "<h3>Finance: prepayment quotas for " + y + " (" + escape(who) + ", " + std::to_string(n) +
                  " replicates)</h3>\n";
  if (pp.red_bp <= 0) {
    return h + "<p class=\"note\" id=\"a-prepay\">No proposal: the red usage of the summary's scenario could not be read (" +
           escape(pp.red_note) + ").</p>\n";
  }
  Money proposed_total = Money::zero();
  std::string rows;
  std::vector<std::pair<int, std::size_t>> risky_at;  // (−replicates in red, province)
  double exceedance = 0;
  for (std::size_t p = 0; p < P; ++p) {
    std::vector<std::int64_t> peaks;
    std::vector<double> asked;
    int red = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const std::size_t i = (r * Y + year_index) * P + p;
      peaks.push_back(pp.peak[i]);
      asked.push_back(static_cast<double>(pp.topups[i]));
      red += pp.red_months[i] > 0 ? 1 : 0;
    }
    const sim::QuotaProposal q = sim::propose_quota(peaks, alpha, pp.red_bp);
    exceedance = q.exceedance;
    proposed_total += q.quota;  // checked: Money throws on overflow
    const sim::Band b = sim::band_of(asked);
    const sim::Wilson w = sim::wilson95(red, static_cast<int>(n));
    if (w.low > alpha) risky_at.emplace_back(-red, p);
    const std::string id = "p-" + sum.provinces[p] + "-";
    rows += "<tr><td>" + escape(provinces[p]) + "</td>" + cell(id + "quota", yi(static_cast<double>(q.quota.fen()) / 100)) +
            cell(id + "peak", yi(static_cast<double>(q.peak_quantile.fen()) / 100)) +
            cell(id + "red", std::to_string(red) + "/" + std::to_string(n) + " (" + pct(w.low) + "–" + pct(w.high) + ")") +
            cell(id + "topups", yi(b.mean / 100) + " (" + yi(b.p5 / 100) + "–" + yi(b.p95 / 100) + ")") + "</tr>\n";
  }
  // The provinces most often red first (up to 6 named).
  std::sort(risky_at.begin(), risky_at.end());
  std::string risky;
  for (std::size_t i = 0; i < risky_at.size() && i < 6; ++i)
    risky += (i ? ", " : "") + provinces[risky_at[i].second] + " " + std::to_string(-risky_at[i].first) + "/" + std::to_string(n);
  if (risky_at.size() > 6) risky += " and " + std::to_string(risky_at.size() - 6) + " more";
  const std::size_t n_risky = risky_at.size();
  char abuf[32];
  const std::string a(abuf, std::to_chars(abuf, abuf + sizeof abuf, alpha).ptr);  // as typed: 0.05
  // With too few replicates the bound is the largest peak's, above α: the headline says what it is.
  const bool few = exceedance > alpha;
  const std::string bound = few ? format_value(exceedance, Format::number, 3) : a;
  h += "<p class=\"answer\" id=\"a-prepay\">Quotas keeping P(a red warning in " + y + ") ≤ " + bound +
       (few ? " (not " + a + ": too few replicates)" : std::string()) + ": <b>" +
       yi(static_cast<double>(proposed_total.fen()) / 100) + " 亿元</b> in all. Under the scenario's own quotas, " +
       (n_risky == 0 ? std::string("no province") : std::to_string(n_risky) + " province(s)") +
       " had a red month in " + y + " more often than that (Wilson 95% low end above " + a + ")" +
       (risky.empty() ? "" : ": " + escape(risky)) + ".</p>\n";
  if (few)
    h += "<p class=\"warning\" id=\"a-prepay-few\">" + std::to_string(n) + " replicates bound P(red) only by " + bound +
         ", not " + a + ": at least " + std::to_string(sim::QuotaProposal::replicates_needed(alpha)) +
         " replicates are needed.</p>\n";
  // The command that gives the same quotas: the summary's scenario (a file of that name, or the
  // embedded one), scale, months and first seed; a sweep point's grid values are named beside it.
  const auto& num = sum.attributes.numbers;
  std::string run_options = (num.count("scale") ? " --scale 1:" + std::to_string(num.at("scale")) : std::string()) +
                            (num.count("months") ? " --months " + std::to_string(num.at("months")) : std::string());
  if (num.count("seed")) run_options += " --seed " + std::to_string(static_cast<std::uint64_t>(num.at("seed")));
  else if (sum.attributes.text.count("seed")) run_options += " --seed " + sum.attributes.text.at("seed");
  std::string grid;
  for (const auto& [k, v] : sum.attributes.text)
    if (k.rfind("grid.", 0) == 0) grid += (grid.empty() ? "" : ", ") + k.substr(5) + " = " + v;
  h += "<p class=\"note\">As <code>yidi prepay " + escape(sum.name) + run_options + " --year " + y + " -n " + std::to_string(n) +
       " --red-probability " + a + "</code> computes them" +
       (grid.empty() ? std::string() : " with the sweep point's " + escape(grid)) + " from the same seeds: per insured province, the ⌈(1 − α)(n + 1)⌉-th "
       "smallest of the replicates' peak month-end outstanding in the year, divided by the red usage (" +
       format_value(static_cast<double>(pp.red_bp) / 10000, Format::percent, 0) +
       "); <code>--backtest</code> there checks the proposal on fresh seeds and <code>--quotas</code> writes it as a scenario.</p>\n";
  h += "<details><summary>per insured province</summary>\n<table class=\"answers\" id=\"answer-prepay\"><tr><th>insured "
       "province</th><th>proposed quota (亿元)</th><th>peak outstanding at the bound (亿元)</th><th>replicates with a red "
       "month under the scenario's quotas (Wilson 95%)</th><th>top-ups asked in " + y + " (亿元): mean (P5–P95)</th></tr>\n" +
       rows + "</table></details>\n";
  return h;
}

/// Finance: the funds' outlook over a replicates summary's replicates, as trustees publish it: per
/// insured province and scheme, P(months payable below the 6-month floor at the end of year Y or
/// an earlier year) and P(a negative balance at a year end by the run's last year), each a count
/// of replicates with its Wilson 95% interval, and the median year of the first negative year-end
/// balance (over all replicates, "after" the run when fewer than half go negative). The same
/// counts as `yidi export SUMMARY --probability "months_payable_resident < 6"` ("by" rows).
std::string fund_outlook_answers(const Input& sum, const std::string& who, std::size_t year_index) {
  const std::size_t R = sum.year_balance.size() / (sum.years.size() * sum.provinces.size() * sum.schemes.size());
  const std::size_t Y = sum.years.size(), P = sum.provinces.size(), S = sum.schemes.size();
  const std::string y = std::to_string(sum.years[year_index]), last = std::to_string(sum.years.back());
  const auto provinces = province_names(sum.provinces);
  const auto pct = [](double x) { return format_value(x, Format::percent, 0); };
  std::string rows, flagged;
  int n_flagged = 0;
  for (std::size_t p = 0; p < P; ++p) {
    std::string cells;
    bool flag = false;
    for (std::size_t s = 0; s < S; ++s) {
      int below = 0, negative = 0;
      std::vector<std::int64_t> first;  // per replicate: the first year ending negative (a year after the run: none)
      for (std::size_t r = 0; r < R; ++r) {
        bool b = false;
        std::int64_t year_negative = sum.years.back() + 1;
        for (std::size_t k = 0; k < Y; ++k) {
          const std::size_t i = ((r * Y + k) * P + p) * S + s;
          if (k <= year_index && std::isfinite(sum.year_months_payable[i]) && sum.year_months_payable[i] < kMonthsFloor) b = true;
          if (sum.year_balance[i] < 0 && year_negative > sum.years.back()) year_negative = sum.years[k];
        }
        below += b ? 1 : 0;
        negative += year_negative <= sum.years.back() ? 1 : 0;
        first.push_back(year_negative);
      }
      std::sort(first.begin(), first.end());
      const std::int64_t median = first[(first.size() - 1) / 2];  // the lower median: at least half by then
      const sim::Wilson wb = sim::wilson95(below, static_cast<int>(R)), wn = sim::wilson95(negative, static_cast<int>(R));
      const std::string id = "f-" + sum.provinces[p] + "-" + sum.schemes[s] + "-";
      cells += cell(id + "below", std::to_string(below) + "/" + std::to_string(R) + " (" + pct(wb.low) + "–" + pct(wb.high) + ")") +
               cell(id + "negative", std::to_string(negative) + "/" + std::to_string(R) + " (" + pct(wn.low) + "–" + pct(wn.high) + ")") +
               cell(id + "year", median > sum.years.back() ? "after " + last : std::to_string(median), false);
      flag = flag || 2 * below >= static_cast<int>(R) || negative > 0;
    }
    if (flag) {
      flagged += (flagged.empty() ? "" : ", ") + provinces[p];
      ++n_flagged;
    }
    rows += "<tr><td>" + escape(provinces[p]) + "</td>" + cells + "</tr>\n";
  }
  std::string h = "<h3>Finance: the funds' outlook (" + escape(who) + ", " + std::to_string(R) + " replicates)</h3>\n";
  h += "<p class=\"answer\" id=\"a-outlook\">" +
       (n_flagged == 0 ? std::string("No province") : std::to_string(n_flagged) + " province(s)") +
       " had a fund below 6 months payable by the end of " + y + " in at least half of the replicates, or a negative "
       "balance at a year end by " + last + " in any" + (flagged.empty() ? "" : ": " + escape(flagged)) + ".</p>\n";
  h += "<details><summary>per insured province and scheme</summary>\n<table class=\"answers\" id=\"answer-outlook\"><tr>"
       "<th rowspan=\"2\">insured province</th>";
  for (const auto& scheme : sum.schemes) h += "<th colspan=\"3\">" + escape(scheme) + "</th>";
  h += "</tr>\n<tr>";
  for (std::size_t s = 0; s < S; ++s)
    h += "<th>below 6 months by " + y + "</th><th>negative by " + last + "</th><th>median first negative year</th>";
  h += "</tr>\n" + rows + "</table></details>\n<p class=\"note\">Year-end values of each replicate "
       "(<code>replicates/funds/months_payable</code>, <code>replicates/funds/balance</code>); counts of replicates with "
       "their Wilson 95% intervals: the \"in this year or earlier\" shares of <code>yidi export " + escape(sum.path) +
       " --by province,year --probability \"months_payable_SCHEME &lt; 6\"</code> (below the floor) and <code>"
       "\"fund_balance_SCHEME &lt; 0\"</code> (negative) at the years named.</p>\n";
  return h;
}

std::string answers(const std::vector<Input>& in, const std::vector<std::string>& names, int year, double alpha) {
  const Input& run = primary(in);
  const std::string y = std::to_string(year);
  std::string h = "<h2 id=\"answers\">Answers for " + y + "</h2>\n";
  // Planner: the 70% target.
  h += "<h3>Planner: is the 70% target met?</h3>\n<table class=\"answers\" id=\"answer-target\"><tr><th>run</th><th>"
       "national rate " + y + "</th><th>70% met in " + y + "</th><th>at or above 70% for good from</th><th>provinces "
       "below 70% in " + y + "</th></tr>\n";
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (in[k].kind != Input::Kind::run) continue;
    const auto rates = national_by_year(in[k], "cross_dsr_inpatient");
    const double r = rates.count(year) ? rates.at(year) : std::nan("");
    std::string from = "not in the run";
    for (auto it = rates.begin(); it != rates.end(); ++it) {
      bool all = true;
      for (auto j = it; j != rates.end(); ++j) all = all && j->second >= kTarget;
      if (all) {
        from = std::to_string(it->first);
        break;
      }
    }
    const auto t = year_table(in[k], sim::ExportLevel::province, year, {"cross_dsr_inpatient"});
    std::string below;
    int n_below = 0;
    for (const auto& row : t.rows) {
      const double v = number_of(row.value);
      if (std::isfinite(v) && v < kTarget) {
        below += (below.empty() ? "" : ", ") + t.names[row.unit] + " " + format_value(v, Format::percent, 1);
        ++n_below;
      }
    }
    h += "<tr><td>" + escape(names[k]) + "</td>" + cell("a-rate-" + std::to_string(k), format_value(r, Format::percent, 2)) +
         cell("a-met-" + std::to_string(k), std::isnan(r) ? "—" : r >= kTarget ? "yes" : "no", false) +
         cell("a-from-" + std::to_string(k), from, false) +
         cell("a-below-" + std::to_string(k), n_below == 0 ? "none" : std::to_string(n_below) + ": " + below, false) + "</tr>\n";
  }
  h += "</table>\n";
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (in[k].kind != Input::Kind::replicates || in[k].replicate_rates.empty()) continue;
    const auto at = std::find(in[k].years.begin(), in[k].years.end(), year);
    if (at == in[k].years.end()) continue;
    const std::size_t Y = in[k].years.size(), yi_ = static_cast<std::size_t>(at - in[k].years.begin()),
                      n = in[k].replicate_rates.size() / Y;
    int met = 0;
    for (std::size_t r = 0; r < n; ++r) met += in[k].replicate_rates[r * Y + yi_] >= kTarget ? 1 : 0;
    const sim::Wilson w = sim::wilson95(met, static_cast<int>(n));  // as yidi export --probability
    const double lo = w.low, hi = w.high;
    h += "<p class=\"answer\" id=\"a-probability-" + std::to_string(k) + "\">" + escape(names[k]) + ": P(national rate ≥ 70% in " + y +
         ") = " + std::to_string(met) + "/" + std::to_string(n) + " replicates = " + format_value(met / static_cast<double>(n), Format::percent, 0) +
         " (Wilson 95%: " + format_value(lo, Format::percent, 0) + "–" + format_value(hi, Format::percent, 0) +
         "); per province: <code>yidi export " + escape(in[k].path) + " --probability \"cross_dsr_inpatient &gt;= 0.7\"</code></p>\n";
  }
  // Finance: prepayment and funds of the primary run.
  {
    const auto t = year_table(run, sim::ExportLevel::national, year,
                              {"prepayment_quota", "prepayment_topup_requested", "prepayment_topups_paid"});
    std::map<std::string, double> v;
    for (const auto& r : t.rows) v[sim::export_measures()[r.measure].name] = number_of(r.value);
    const auto p = year_table(run, sim::ExportLevel::province, year, {"prepayment_red_months", "months_payable_resident"});
    int red = 0, red_provinces = 0;
    std::vector<std::pair<double, std::string>> lowest;
    for (const auto& r : p.rows) {
      const double x = number_of(r.value);
      if (sim::export_measures()[r.measure].name == "prepayment_red_months") {
        red += static_cast<int>(x);
        red_provinces += x > 0 ? 1 : 0;
      } else if (std::isfinite(x)) {
        lowest.emplace_back(x, p.names[r.unit]);
      }
    }
    std::sort(lowest.begin(), lowest.end());
    std::string low;
    for (std::size_t i = 0; i < lowest.size() && i < 3; ++i)
      low += (i ? ", " : "") + lowest[i].second + " " + format_value(lowest[i].first, Format::number, 1);
    h += "<h3>Finance: prepayment and funds (" + escape(names[static_cast<std::size_t>(&run - in.data())]) + ")</h3>\n<ul class=\"answers\">\n";
    h += "<li id=\"a-quota\">prepayment quotas at the end of " + y + ": <b>" + yi(v["prepayment_quota"]) + " 亿元</b> in all</li>\n";
    h += "<li id=\"a-topups\">emergency top-ups in " + y + ": " + yi(v["prepayment_topup_requested"]) + " 亿元 asked, <b>" +
         yi(v["prepayment_topups_paid"]) + " 亿元 paid</b>; " + std::to_string(red) + " red province-months in " +
         std::to_string(red_provinces) + " province(s)</li>\n";
    h += "<li id=\"a-lowest\">lowest residents' months payable at the end of " + y + ": " + escape(low) + " (floor 6)</li>\n";
    if (run.attributes.text.count("sampling_noise_prepayment"))
      h += "<li class=\"note\">" + escape(run.attributes.text.at("sampling_noise_prepayment")) + "</li>\n";
    h += "</ul>\n";
  }
  // Finance: the quotas the first replicates summary that holds the year proposes.
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (in[k].kind != Input::Kind::replicates || in[k].prepayment.replicates == 0) continue;
    const auto at = std::find(in[k].years.begin(), in[k].years.end(), year);
    if (at == in[k].years.end()) continue;
    h += prepayment_answers(in[k], names[k], static_cast<std::size_t>(at - in[k].years.begin()), alpha);
    break;
  }
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (in[k].kind != Input::Kind::replicates || in[k].year_balance.empty()) continue;
    const auto at = std::find(in[k].years.begin(), in[k].years.end(), year);
    if (at == in[k].years.end()) continue;
    h += fund_outlook_answers(in[k], names[k], static_cast<std::size_t>(at - in[k].years.begin()));
    break;
  }
  // Researcher: the funds' cross-province payments of each run against the first.
  if (run_count(in) >= 2) {
    std::vector<std::size_t> runs;
    for (std::size_t k = 0; k < in.size(); ++k)
      if (in[k].kind == Input::Kind::run) runs.push_back(k);
    const auto first = national_by_year(in[runs[0]], "cross_fund");
    h += "<h3>Researcher: what each run's funds pay for cross-province care in " + y + "</h3>\n<table class=\"answers\" "
         "id=\"answer-funds\"><tr><th>run</th><th>funds pay (亿元)</th><th>against " + escape(names[runs[0]]) + " (亿元)</th></tr>\n";
    for (std::size_t k : runs) {
      const auto f = national_by_year(in[k], "cross_fund");
      const double a = f.count(year) ? f.at(year) : std::nan(""), b = first.count(year) ? first.at(year) : std::nan("");
      h += "<tr><td>" + escape(names[k]) + "</td>" + cell("a-fund-" + std::to_string(k), yi(a)) +
           cell("a-fund-diff-" + std::to_string(k), k == runs[0] ? "—" : (a - b >= 0 ? "+" : "") + yi(a - b)) + "</tr>\n";
    }
    h += "</table>\n<p class=\"note\">The same seed gives the same visits in every run (common random numbers), so "
         "the differences are the policies'; a summary from <code>yidi compare</code> gives their intervals.</p>\n";
  }
  return h;
}

/// mean, its 95% interval (mean ± 1.96 standard errors) and the replicates' P5–P95, as text.
struct Spread {
  double mean = 0, low = 0, high = 0, p5 = 0, p95 = 0;
};
Spread spread_of(const std::vector<double>& xs) {
  Spread s;
  const double n = static_cast<double>(xs.size());
  if (xs.empty()) return s;
  for (double x : xs) s.mean += x / n;
  double ss = 0;
  for (double x : xs) ss += (x - s.mean) * (x - s.mean);
  const double se = xs.size() > 1 ? std::sqrt(ss / (n - 1) / n) : std::nan("");
  s.low = s.mean - sim::kZ95 * se;
  s.high = s.mean + sim::kZ95 * se;
  s.p5 = sim::exact_quantile(xs, 0.05);
  s.p95 = sim::exact_quantile(xs, 0.95);
  return s;
}

/// A compare file's answers for `year`: per scenario, P(national rate ≥ 70%) with its Wilson
/// interval; and each scenario's differences from the first, replicate by replicate (the same
/// seed: common random numbers), in the funds' cross-province payments, the individuals' burden
/// and the national rate, with the mean's 95% interval and the replicates' P5–P95.
std::string comparison_answers(const Input& c, std::size_t k, int year) {
  const std::string y = std::to_string(year), K = std::to_string(k);
  const auto at = std::find(c.years.begin(), c.years.end(), year);
  if (at == c.years.end()) return "";
  const std::size_t Y = c.years.size(), yi_ = static_cast<std::size_t>(at - c.years.begin()), P = c.provinces.size();
  auto yearly_sum = [&](const std::vector<std::int64_t>& v, std::size_t r) {
    std::int64_t t = 0;
    for (std::size_t p = 0; p < P; ++p) t = sim::checked_add(t, v[(r * Y + yi_) * P + p]);
    return static_cast<double>(t) / 100;  // yuan
  };
  const auto pct = [](double v) { return format_value(v, Format::percent, 1); };
  const auto pp = [](double v) { return (v >= 0 ? "+" : "") + format_value(v * 100, Format::number, 2) + " pp"; };
  const auto signed_yi = [](double v) { return (v >= 0 ? "+" : "") + yi(v); };
  std::string h = "<h3>Researcher: " + escape(fs::path(c.path).filename().string()) + " (yidi compare) — differences from " +
                  escape(c.compared[0].name) + " in " + y +
                  "</h3>\n<table class=\"answers\" id=\"answer-compare-" + K + "\"><tr><th>scenario</th><th>replicates</th>"
                  "<th>P(national rate ≥ 70%)</th><th>national rate, mean</th><th>funds pay (亿元), mean</th>"
                  "<th>against " + escape(c.compared[0].name) + ": funds pay (亿元)</th><th>individuals' burden (亿元)</th>"
                  "<th>national rate</th></tr>\n";
  const auto& base = c.compared[0];
  for (std::size_t s = 0; s < c.compared.size(); ++s) {
    const auto& sc = c.compared[s];
    const std::size_t n = std::min(sc.replicates, base.replicates);
    int met = 0;
    std::vector<double> rate, fund, d_fund, d_ind, d_rate;
    for (std::size_t r = 0; r < sc.replicates; ++r) {
      const double x = sc.rate[r * Y + yi_];
      met += x >= kTarget ? 1 : 0;  // NaN: not met
      if (std::isfinite(x)) rate.push_back(x);
      fund.push_back(yearly_sum(sc.fund, r));
    }
    for (std::size_t r = 0; r < n && s > 0; ++r) {
      d_fund.push_back(yearly_sum(sc.fund, r) - yearly_sum(base.fund, r));
      d_ind.push_back(yearly_sum(sc.individual, r) - yearly_sum(base.individual, r));
      const double a = sc.rate[r * Y + yi_], b = base.rate[r * Y + yi_];
      if (std::isfinite(a) && std::isfinite(b)) d_rate.push_back(a - b);
    }
    const sim::Wilson w = sim::wilson95(met, static_cast<int>(sc.replicates));
    const std::string id = "c-" + K + "-" + std::to_string(s);
    auto diff = [&](const std::vector<double>& v, const std::function<std::string(double)>& f) {
      if (s == 0 || v.empty()) return std::string("—");
      const Spread sp = spread_of(v);
      return f(sp.mean) + " (95% CI " + f(sp.low) + " to " + f(sp.high) + "; P5–P95 " + f(sp.p5) + " to " + f(sp.p95) + ")";
    };
    h += "<tr><td>" + escape(sc.name) + "</td>" + cell(id + "-n", std::to_string(sc.replicates)) +
         cell(id + "-p70", std::to_string(met) + "/" + std::to_string(sc.replicates) + " = " +
                               format_value(met / static_cast<double>(sc.replicates), Format::percent, 0) + " (Wilson 95% " +
                               format_value(w.low, Format::percent, 0) + "–" + format_value(w.high, Format::percent, 0) + ")") +
         cell(id + "-rate", rate.empty() ? "—" : pct(spread_of(rate).mean)) + cell(id + "-fund", yi(spread_of(fund).mean)) +
         cell(id + "-d-fund", diff(d_fund, signed_yi), false) + cell(id + "-d-individual", diff(d_ind, signed_yi), false) +
         cell(id + "-d-rate", diff(d_rate, pp), false) + "</tr>\n";
  }
  h += "</table>\n<p class=\"note\">Replicate r of every scenario ran on the same seed, so each difference is taken "
       "replicate by replicate; the 95% CI is the mean difference's (± 1.96 standard errors), P5–P95 the replicates' "
       "spread, sampling noise at the file's scale included. Per province: <code>yidi export " +
       escape(c.path) + " --by province,year</code>.</p>\n";
  return h;
}

std::string province_table(const Input& run, const std::string& who, int year) {
  std::vector<std::string> measures;
  for (const auto& [m, label] : table_measures()) measures.push_back(m);
  const auto t = year_table(run, sim::ExportLevel::province, year, measures);
  std::string h = "<h2 id=\"provinces\">By insured province, " + std::to_string(year) + " (" + escape(who) + ")</h2>\n";
  h += "<p class=\"note\">The numbers of <code>yidi export --by province,year</code> (rates over the year's stays, "
       "amounts and quotas at the year's end); <a id=\"province-csv\" download=\"provinces-" + std::to_string(year) +
       ".csv\" href=\"data:text/csv;charset=utf-8,%EF%BB%BF";  // a byte-order mark: spreadsheets read the names
  const std::string csv = province_csv(run, year);
  static const char* hex = "0123456789ABCDEF";
  for (const unsigned char c : csv) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') h += static_cast<char>(c);
    else h += std::string("%") + hex[c >> 4] + hex[c & 15];
  }
  h += "\">download as CSV</a>.</p>\n<table class=\"provinces\" id=\"province-table\"><tr><th>province</th>";
  for (const auto& [m, label] : table_measures()) h += "<th>" + escape(label) + "</th>";
  h += "</tr>\n";
  const std::size_t M = table_measures().size();
  for (std::size_t r = 0; r + M <= t.rows.size(); r += M) {
    const std::size_t u = t.rows[r].unit;
    h += "<tr><td>" + escape(t.names[u]) + " " + escape(t.names_en[u]) + "</td>";
    for (std::size_t m = 0; m < M; ++m) {
      const auto& v = t.rows[r + m].value;
      const std::string& name = table_measures()[m].first;
      const double x = number_of(v);
      std::string text = v.kind == sim::ExportValue::Kind::none ? "—"
                         : v.kind == sim::ExportValue::Kind::money ? yi(x)
                         : name.find("dsr") != std::string::npos || name.find("usage") != std::string::npos
                             ? format_value(x, Format::percent, 1)
                         : v.kind == sim::ExportValue::Kind::integer ? std::to_string(v.i)
                                                                     : format_value(x, Format::number, 1);
      h += cell("pt-" + t.codes[u] + "-" + name, text);
    }
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

}  // namespace

int answer_year(const std::vector<Input>& in, int year) {
  const Input& run = primary(in);
  std::map<int, int> months;
  for (const auto m : run.months) ++months[static_cast<int>(m / 12)];
  if (year != 0) {
    if (!months.count(year))
      throw io::InputError({"--year", 0, 0}, "year",
                           std::to_string(year) + " is not simulated; the runs cover " + month_label(run.months.front()) +
                               " to " + month_label(run.months.back()));
    return year;
  }
  int last_full = 0;
  for (const auto& [y, n] : months)
    if (n == 12) last_full = y;
  return last_full != 0 ? last_full : months.rbegin()->first;
}

std::string province_csv(const Input& run, int year) {
  std::vector<std::string> measures;
  for (const auto& [m, label] : table_measures()) measures.push_back(m);
  const auto t = year_table(run, sim::ExportLevel::province, year, measures);
  std::string csv = "region_code,region,region_en,period,measure,value,unit\n";
  for (const auto& r : t.rows) {
    const auto& m = sim::export_measures()[r.measure];
    csv += t.codes[r.unit] + "," + io::csv_field(t.names[r.unit]) + "," + io::csv_field(t.names_en[r.unit]) + "," +
           t.periods[r.period] + "," + m.name +
           "," + r.value.text() + "," + m.unit + "\n";
  }
  return csv;
}

/// The primary run against the embedded calibration targets (docs/calibration.md) of the years it
/// covers whole: the rows `yidi calibration` prints, misses first marked.
std::string calibration_section(const Input& run, const std::string& who) {
  std::string h = "<h2 id=\"calibration\">Model against data (" + escape(who) + ")</h2>\n";
  if (!run.results) {
    return h + "<p class=\"note\">A summary of replicates holds no single run to compare; give a run file, or use "
               "<code>yidi calibration RUN.h5</code>.</p>\n";
  }
  const auto targets = io::load_targets("");
  const auto rows = sim::calibration(*run.results, targets);
  if (rows.empty()) {
    return h + "<p class=\"note\" id=\"calibration-none\">The run covers no calendar year whole, so none of the " +
           std::to_string(targets.size()) + " targets of <code>" + std::string(io::kDefaultTargets) +
           "</code> (figures of 2017–2023) can be compared.</p>\n";
  }
  std::size_t met = 0;
  for (const auto& r : rows) met += r.met() ? 1 : 0;
  h += "<p class=\"answer\" id=\"calibration-met\">" + std::to_string(met) + " of " + std::to_string(rows.size()) +
       " targets met</p>\n<p class=\"note\">The [VERIFIED] national figures of the years the run covers whole (<code>" +
       std::string(io::kDefaultTargets) + "</code>, in its units: 万人次, 亿元, %, yuan, months, 万人), each within ±10%; "
       "the same table as <code>yidi calibration</code>. At a coarse scale the cross-province rows carry sampling noise.</p>\n";
  h += "<table>\n<tr><th>year</th><th>measure</th><th>model</th><th>data</th><th>model ÷ data</th><th>within</th></tr>\n";
  char buf[64];
  for (const auto& r : rows) {
    std::snprintf(buf, sizeof buf, "%.6g", r.model);
    const std::string model = r.has_value ? buf : "—";
    std::snprintf(buf, sizeof buf, "%.6g", r.target.value);
    const std::string data = std::string(r.target.op == sim::CalibrationTarget::Op::at_most ? "≤ "
                                         : r.target.op == sim::CalibrationTarget::Op::at_least ? "≥ " : "") + buf;
    std::snprintf(buf, sizeof buf, "%.3f", r.ratio());
    h += std::string("<tr") + (r.met() ? "" : " class=\"miss\"") + "><td>" + std::to_string(r.target.year) + "</td><td>" +
         escape(r.target.measure) + "</td><td>" + model + "</td><td>" + data + "</td><td>" + (r.has_value ? buf : "—") +
         "</td><td>" + (r.met() ? "yes" : "<b>no</b>") + "</td></tr>\n";
  }
  return h + "</table>\n";
}

std::string render_html(const std::vector<Input>& all, const std::string& title, const std::string& command, int year,
                        double red_probability) {
  check_inputs(all);
  if (!(red_probability > 0 && red_probability < 1))
    throw std::invalid_argument("report: the red probability must lie strictly between 0 and 1");
  // Runs and replicates summaries side by side; compare files in the answers (and the provenance).
  std::vector<Input> in;
  std::vector<std::size_t> comparisons;
  for (std::size_t k = 0; k < all.size(); ++k)
    if (all[k].kind == Input::Kind::comparison) comparisons.push_back(k);
    else in.push_back(all[k]);
  const auto all_names = display_names(all);
  const auto names = display_names(in);
  const Input& run = primary(in);
  const std::size_t primary_index = static_cast<std::size_t>(&run - in.data());
  const std::string who = names[primary_index];
  const auto provinces = province_names(run.provinces);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += std::string("<meta name=\"generator\" content=\"yidi ") + kVersion + "\">\n";
  h += "<title>" + escape(title) + "</title>\n" + kStyle + "</head>\n<body>\n";
  h += "<h1>" + escape(title) + "</h1>\n";
  h += std::string("<p class=\"note\">Made by yidi ") + kVersion + " with <code>" + escape(command) + "</code> from " +
       std::to_string(in.size()) + " file(s). Money is at full scale (a sample agent stands for <i>scale</i> persons); " +
       "charts show each value in a tooltip.</p>\n";

  const int y = answer_year(in, year);
  h += answers(in, names, y, red_probability);
  for (std::size_t k : comparisons) h += comparison_answers(all[k], k, y);
  h += "<h2>Numbers</h2>\n<p class=\"note\">Rates in percent of cross-province inpatient stays; amounts in billions of "
       "yuan; — where the file does not hold the figure.</p>\n" +
       numbers_table(in, names);

  h += "<h2>Planner: the 70% target</h2>\n<p class=\"note\">The target: at least 70% of cross-province inpatient stays "
       "settled directly by the end of 2025 (NHSA document Yibaofa [2022] No. 22). Bands: P5–P95 over the replicates of a summary.</p>\n";
  h += national_rate_chart(in);
  h += province_rate_chart(run, provinces, who);
  if (run.attributes.text.count("sampling_noise"))
    h += "<p class=\"note\" id=\"sampling-noise\">Pools of " + escape(who) + ": " +
         escape(run.attributes.text.at("sampling_noise")) +
         ". A pool's rate rests on the few sampled stays behind it; region/dsr_noisy flags each month's (outputs/SCHEMA.md).</p>\n";

  h += "<h2>Finance: prepayment and funds (" + escape(who) + ")</h2>\n<p class=\"note\">Quotas are re-based each "
       "January to 2 × last year's average monthly payments; usage ≥ 70% is a yellow warning, ≥ 90% red with an "
       "emergency top-up; a fund below 6 months payable must tighten its off-site policy.</p>\n";
  if (run.attributes.text.count("funds_below_zero_warning"))
    h += "<p class=\"warning\" id=\"funds-below-zero\"><b>" + escape(who) + ": " +
         escape(run.attributes.text.at("funds_below_zero_warning")) + ".</b> A fund below zero cannot pay: the run's "
         "contributions, costs or opening balances do not hold up for these pools (region/below_zero).</p>\n";
  h += quota_chart(run, provinces, who);
  h += usage_chart(run, provinces, who);
  h += topups_chart(run, provinces, who);
  h += months_payable_chart(run, provinces, who);
  if (const Input* fan = fan_summary(in)) {
    h += months_payable_fan_chart(*fan, names[static_cast<std::size_t>(fan - in.data())]);
    h += "<p class=\"note\">The band is each month's P5–P95 over the summary's replicates, the line its P50: the "
         "spread of the fund's path between sampled worlds, sampling noise at the summary's scale included.</p>\n";
  }

  h += "<h2>Researcher: runs side by side</h2>\n";
  if (run_count(in) >= 2) {
    h += "<p class=\"note\">Runs of the same seed see the same visits (common random numbers), so differences are "
         "policy. The national rate of every run is in the first chart.</p>\n";
    h += who_pays_chart(in, names);
    h += rate_by_run_chart(in, names);
  } else {
    h += "<p class=\"note\">Give two or more run files to compare them side by side.</p>\n";
  }
  h += province_table(run, who, y);
  h += calibration_section(run, who);
  h += "<h2 id=\"provenance\">Inputs and provenance</h2>\n" + provenance_table(all, all_names);
  h += kSelfCheck;
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace yidi::report
