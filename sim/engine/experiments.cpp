#include "sim/engine/experiments.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "models/date.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/output.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/version.hpp"

namespace yidi::sim {
namespace fs = std::filesystem;

// ---- P² ------------------------------------------------------------------------------------

double exact_quantile(std::vector<double> xs, double p) {
  if (xs.empty()) return 0.0;
  std::sort(xs.begin(), xs.end());
  const double h = (static_cast<double>(xs.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, xs.size() - 1);
  return xs[lo] + (h - static_cast<double>(lo)) * (xs[hi] - xs[lo]);
}

void P2Quantile::add(double x) {
  if (count_ < 5) {
    // Keep the first five observations sorted in the marker heights.
    std::size_t i = count_;
    while (i > 0 && q_[i - 1] > x) {
      q_[i] = q_[i - 1];
      --i;
    }
    q_[i] = x;
    ++count_;
    if (count_ == 5)
      for (int k = 0; k < 5; ++k) n_[static_cast<std::size_t>(k)] = k + 1;
    return;
  }
  // 1. The cell of x; extremes move the end markers.
  std::size_t k = 0;
  if (x < q_[0]) {
    q_[0] = x;
    k = 0;
  } else if (x >= q_[4]) {
    q_[4] = x;
    k = 3;
  } else {
    k = 0;
    while (k < 3 && x >= q_[k + 1]) ++k;
  }
  // 2. Positions of the markers above the cell.
  for (std::size_t i = k + 1; i < 5; ++i) ++n_[i];
  ++count_;
  // 3. Adjust the middle markers toward their desired positions 1 + (count − 1)·dn.
  const std::array<double, 5> dn{0.0, p_ / 2, p_, (1 + p_) / 2, 1.0};
  for (std::size_t i = 1; i <= 3; ++i) {
    const double desired = 1.0 + (static_cast<double>(count_) - 1.0) * dn[i];
    const double d = desired - n_[i];
    if ((d >= 1 && n_[i + 1] - n_[i] > 1) || (d <= -1 && n_[i - 1] - n_[i] < -1)) {
      const int s = d > 0 ? 1 : -1;
      const double ni = n_[i], nm = n_[i - 1], np = n_[i + 1];
      const double qp = q_[i] + s / (np - nm) *
                                    ((ni - nm + s) * (q_[i + 1] - q_[i]) / (np - ni) +
                                     (np - ni - s) * (q_[i] - q_[i - 1]) / (ni - nm));
      if (q_[i - 1] < qp && qp < q_[i + 1]) {
        q_[i] = qp;
      } else {
        const std::size_t j = s > 0 ? i + 1 : i - 1;
        q_[i] = q_[i] + s * (q_[j] - q_[i]) / (n_[j] - ni);
      }
      n_[i] += s;
    }
  }
}

double P2Quantile::value() const {
  if (count_ == 0) return std::nan("");
  if (count_ <= 5) return exact_quantile(std::vector<double>(q_.begin(), q_.begin() + count_), p_);
  return q_[2];
}

// ---- summaries -----------------------------------------------------------------------------

const std::vector<std::string>& summary_datasets() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& d : output_schema())
      if (d.dims.front() == Dim::month && d.name != "months") out.push_back(d.name);
    return out;
  }();
  return names;
}

void SummaryAccumulator::start(const Results& r) {
  if (count_ == 0) {
    months_ = r.months();
    month_index_ = r.data("months").i;
    insured_ = r.data("population/insured").i;
    for (const auto& name : summary_datasets())
      elements_[name].resize(Results::slice_size(dataset(name)) * months_);
  } else if (r.months() != months_ || r.data("months").i != month_index_) {
    throw std::invalid_argument("summary: replicates cover different months");
  }
}

void SummaryAccumulator::fold(const std::string& name, std::size_t i, double x) {
  if (std::isnan(x)) return;  // undefined in this replicate (a ratio of 0 ÷ 0): not an observation
  Element& e = elements_.at(name)[i];
  for (auto& q : e.q) q.add(x);
  e.sum += x;
}

void SummaryAccumulator::add(const Results& r) {
  start(r);
  for (const auto& name : summary_datasets()) {
    const auto& d = r.data(name);
    if (dataset(name).integer)
      for (std::size_t i = 0; i < d.i.size(); ++i) fold(name, i, static_cast<double>(d.i[i]));
    else
      for (std::size_t i = 0; i < d.f.size(); ++i) fold(name, i, d.f[i]);
  }
  ++count_;
}

void SummaryAccumulator::add_difference(const Results& a, const Results& b) {
  if (a.months() != b.months() || a.data("months").i != b.data("months").i)
    throw std::invalid_argument("summary: compared runs cover different months");
  start(a);
  for (const auto& name : summary_datasets()) {
    const auto& x = a.data(name);
    const auto& y = b.data(name);
    if (dataset(name).integer)
      for (std::size_t i = 0; i < x.i.size(); ++i) fold(name, i, static_cast<double>(x.i[i] - y.i[i]));
    else
      for (std::size_t i = 0; i < x.f.size(); ++i)
        fold(name, i, std::isnan(x.f[i]) && std::isnan(y.f[i]) ? 0.0 : x.f[i] - y.f[i]);
  }
  ++count_;
}

Summary SummaryAccumulator::summary() const {
  Summary s;
  s.replicates = count_;
  s.months = months_;
  s.month_index = month_index_;
  s.insured = insured_;
  for (const auto& [name, elems] : elements_) {
    auto& mean = s.mean[name];
    auto& qs = s.quantiles[name];
    mean.resize(elems.size());
    qs.resize(elems.size() * kSummaryQuantiles.size());
    for (std::size_t i = 0; i < elems.size(); ++i) {
      const std::uint32_t n = elems[i].q[0].count();
      mean[i] = n ? elems[i].sum / n : std::nan("");
      for (std::size_t k = 0; k < kSummaryQuantiles.size(); ++k) qs[k * elems.size() + i] = elems[i].q[k].value();
    }
  }
  return s;
}

// ---- runs ----------------------------------------------------------------------------------

Results run_scenario(const Scenario& s, const World& world) {
  const PolicyBook book = io::scenario_policy(s);
  Simulation sim(s, book, world);
  while (!sim.done()) sim.run_month();
  return sim.results();
}

namespace {
Scenario with_seed(Scenario s, std::uint64_t seed) {
  s.seed = seed;
  return s;
}
void say(const Progress& p, const std::string& text) {
  if (p) p(text);
}
void check_n(int n) {
  if (n < 1) throw io::InputError({"-n", 0, 0}, "replicates", "expected a number of replicates of at least 1");
}
}  // namespace

Summary replicates(const Scenario& s, int n, const World& world, const Progress& progress) {
  check_n(n);
  const PolicyBook book = io::scenario_policy(s);
  SummaryAccumulator acc;
  for (int r = 0; r < n; ++r) {
    say(progress, s.name + ": replicate " + std::to_string(r + 1) + "/" + std::to_string(n));
    Simulation sim(with_seed(s, s.seed + static_cast<std::uint64_t>(r)), book, world);
    while (!sim.done()) sim.run_month();
    acc.add(sim.results());
  }
  return acc.summary();
}

Comparison compare(const std::vector<Scenario>& scenarios, int n, const World& world, const Progress& progress) {
  check_n(n);
  if (scenarios.empty()) throw io::InputError({"compare", 0, 0}, "scenarios", "expected at least one scenario");
  const Scenario& first = scenarios.front();
  Comparison out;
  std::vector<PolicyBook> books;
  for (const auto& s : scenarios)
    if (s.start_month != first.start_month || s.months != first.months)
      throw io::InputError({s.name, 0, 0}, "start/months",
                           "expected the same start month and number of months as " + first.name);
  for (const auto& s : scenarios) {
    std::string name = s.name;
    for (int k = 2; std::find(out.names.begin(), out.names.end(), name) != out.names.end(); ++k)
      name = s.name + "-" + std::to_string(k);
    out.names.push_back(name);
    books.push_back(io::scenario_policy(s));
  }
  std::vector<SummaryAccumulator> acc(scenarios.size()), diff(scenarios.size() > 1 ? scenarios.size() - 1 : 0);
  for (int r = 0; r < n; ++r) {
    const std::uint64_t seed = first.seed + static_cast<std::uint64_t>(r);
    Results base;
    for (std::size_t k = 0; k < scenarios.size(); ++k) {
      say(progress, out.names[k] + ": replicate " + std::to_string(r + 1) + "/" + std::to_string(n));
      Simulation sim(with_seed(scenarios[k], seed), books[k], world);
      while (!sim.done()) sim.run_month();
      acc[k].add(sim.results());
      if (k == 0) base = sim.results();
      else diff[k - 1].add_difference(sim.results(), base);
    }
  }
  for (const auto& a : acc) out.scenarios.push_back(a.summary());
  for (const auto& d : diff) out.differences.push_back(d.summary());
  return out;
}

Scenario with_param(const Scenario& s, const std::string& name, double value, const std::string& source) {
  const ParamDef* def = find_param(name);
  if (!def) {
    std::string names;
    for (const auto& d : param_defs()) names += (names.empty() ? "" : ", ") + d.name;
    throw io::InputError({source, 0, 0}, name, "unknown parameter '" + name + "'; expected one of: " + names);
  }
  if (!(value >= def->min && value <= def->max)) {
    std::ostringstream m;
    m << "value " << value << " is out of range; expected a number from " << def->min << " to " << def->max;
    throw io::InputError({source, 0, 0}, name, m.str());
  }
  Scenario out = s;
  if (def->kind == ParamDef::Kind::number) {
    out.params.*(def->number) = value;
  } else {
    Series& series = out.params.*(def->series);
    std::vector<std::pair<int, double>> kept;
    for (const auto& pt : series.points)
      if (pt.first < s.start_month) kept.push_back(pt);
    kept.emplace_back(s.start_month, value);
    series.points = std::move(kept);
  }
  return out;
}

// ---- sweep ---------------------------------------------------------------------------------

std::vector<SweepPoint> sweep_points(const std::vector<GridAxis>& grid) {
  std::vector<SweepPoint> out;
  std::size_t total = grid.empty() ? 0 : 1;
  for (const auto& a : grid) total *= a.values.size();
  for (std::size_t p = 0; p < total; ++p) {
    SweepPoint pt;
    pt.index = static_cast<int>(p);
    pt.values.resize(grid.size());
    std::size_t rest = p;
    for (std::size_t a = grid.size(); a-- > 0;) {
      pt.values[a] = grid[a].values[rest % grid[a].values.size()];
      rest /= grid[a].values.size();
    }
    char name[32];
    std::snprintf(name, sizeof name, "point-%04zu.h5", p);
    pt.file = name;
    out.push_back(std::move(pt));
  }
  return out;
}

namespace {
/// The shortest text that reads back as the same double.
std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

bool point_complete(const std::string& path, const io::Provenance& expected) {
  if (!fs::exists(path)) return false;
  try {
    for (const auto& [k, v] : expected.text)
      if (k.rfind("grid.", 0) == 0 || k == "scenario_sha256")
        if (io::read_text_attribute_hdf5(path, k) != v) return false;
    for (const char* k : {"replicates", "point"})
      if (io::read_number_attribute_hdf5(path, k) != expected.numbers.at(k)) return false;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}
}  // namespace

std::vector<SweepPoint> sweep(const Scenario& s, const std::vector<GridAxis>& grid, int n, const std::string& dir,
                              const io::Provenance& provenance, const World& world, const Progress& progress,
                              const SweepOutput& output) {
  check_n(n);
  if (grid.empty()) throw io::InputError({"--grid", 0, 0}, "grid", "expected at least one --grid NAME=V1,V2,…");
  for (const auto& a : grid) {
    if (a.values.empty()) throw io::InputError({"--grid", 0, 0}, a.name, "expected at least one value");
    for (double v : a.values) (void)with_param(s, a.name, v, "--grid");  // validates names and ranges up front
  }
  (void)io::open_output_folder(dir, "sweep folder", output.inputs);
  auto points = sweep_points(grid);
  // Before any work: which points are complete, and whether every other one may be written.
  std::vector<Scenario> scenarios;
  std::vector<io::Provenance> provs;
  std::vector<bool> complete;
  for (auto& pt : points) {
    Scenario sp = s;
    io::Provenance prov = provenance;
    for (std::size_t a = 0; a < grid.size(); ++a) {
      sp = with_param(sp, grid[a].name, pt.values[a], "--grid");
      prov.text["grid." + grid[a].name] = number_text(pt.values[a]);
    }
    prov.numbers["point"] = pt.index;
    prov.numbers["replicates"] = n;
    const std::string path = (fs::path(dir) / pt.file).string();
    const bool done = point_complete(path, prov);
    std::error_code ec;
    if (!done && fs::exists(fs::symlink_status(path, ec))) {
      if (!output.overwrite)
        throw io::InputError({path, 0, 0}, "",
                             "holds a point of another sweep (its scenario, values or replicates differ); choose "
                             "another folder, or pass --overwrite to replace it");
      if (!io::is_own_output(path, io::OutputKind::hdf5))
        throw io::InputError({path, 0, 0}, "",
                             "exists and is not a yidi HDF5 output; yidi replaces only its own outputs (choose another "
                             "folder)");
    }
    scenarios.push_back(std::move(sp));
    provs.push_back(std::move(prov));
    complete.push_back(done);
  }
  // The index is rewritten by every sweep into the folder; opened now, so an unwritable folder is found at once.
  io::OutputFile index((fs::path(dir) / "index.csv").string(), "sweep index", io::OutputKind::text, true, output.inputs);
  for (auto& pt : points) {
    const auto k = static_cast<std::size_t>(pt.index);
    if (complete[k]) {
      say(progress, "point " + std::to_string(pt.index) + ": complete, skipped");
      continue;
    }
    io::OutputFile file((fs::path(dir) / pt.file).string(), "sweep point", io::OutputKind::hdf5, output.overwrite,
                        output.inputs);
    const Summary sum = replicates(scenarios[k], n, world, [&](const std::string& m) {
      say(progress, "point " + std::to_string(pt.index + 1) + "/" + std::to_string(points.size()) + " " + m);
    });
    io::write_summary_hdf5(file, sum, provs[k]);
    file.commit();
    pt.computed = true;
  }
  std::ostringstream o;
  o << "# yidi " << kVersion << " sweep index (docs/experiments.md)\npoint";
  for (const auto& a : grid) o << "," << a.name;
  o << ",file\n";
  for (const auto& pt : points) {
    o << pt.index;
    for (double v : pt.values) o << "," << number_text(v);
    o << "," << pt.file << "\n";
  }
  index << o.str();
  index.commit();
  return points;
}

// ---- seek ----------------------------------------------------------------------------------

Target parse_target(const std::string& text) {
  std::istringstream in(text);
  std::string measure, op, by, month;
  double x = 0;
  const bool ok = static_cast<bool>(in >> measure >> op >> x >> by >> month);
  std::string rest;
  in >> rest;
  const auto d = Date::parse(month + "-01");
  if (!ok || !rest.empty() || op != ">=" || by != "by" || month.size() != 7 || !d)
    throw io::InputError({"--target", 0, 0}, "target",
                         "expected \"MEASURE >= VALUE by YYYY-MM\", got '" + text + "'");
  Target t{measure, x, d->month_index()};
  const std::string prefix = "dsr_inpatient[";
  if (measure.starts_with(prefix) && measure.ends_with("]")) {
    const std::string code = measure.substr(prefix.size(), measure.size() - prefix.size() - 1);
    const auto labels = dim_labels(Dim::province);
    const auto at = std::find(labels.begin(), labels.end(), code);
    if (at == labels.end())
      throw io::InputError({"--target", 0, 0}, "target",
                           "unknown province '" + code + "'; expected a province code such as 110000 (yidi schema lists them)");
    t.province = static_cast<std::size_t>(at - labels.begin());
  } else if (measure != "dsr_inpatient_national") {
    throw io::InputError({"--target", 0, 0}, "target",
                         "unknown measure '" + measure + "'; expected dsr_inpatient_national or dsr_inpatient[CODE]");
  }
  return t;
}

bool target_met(const Results& r, const Target& t) {
  const auto& months = r.data("months").i;
  for (std::size_t k = 0; k < months.size(); ++k) {
    if (months[k] != t.month_index) continue;
    // A province with no off-site stays that month has no rate (NaN): the target is not met.
    if (t.province == Target::kNational) return r.data("offsite/dsr_inpatient_national").f[k] >= t.threshold;
    return r.data("offsite/dsr_inpatient").f[k * dim_size(Dim::province) + t.province] >= t.threshold;
  }
  throw io::InputError({"--target", 0, 0}, "target", "expected a month within the scenario's simulated period");
}

Wilson wilson95(int k, int n) {
  if (n <= 0) return {0.0, 1.0};
  const double z = 1.959963984540054, nn = n, ph = k / nn;
  const double denom = 1 + z * z / nn;
  const double centre = (ph + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

SeekResult seek(const Scenario& s, const std::string& lever, double lo, double hi, const Target& target, double p,
                int n, double tolerance, const World& world, const Progress& progress) {
  check_n(n);
  if (!(lo <= hi)) throw io::InputError({"--range", 0, 0}, "range", "expected LO:HI with LO ≤ HI");
  if (!(p > 0 && p <= 1)) throw io::InputError({"--probability", 0, 0}, "probability", "expected a number in (0, 1]");
  if (!(tolerance > 0)) throw io::InputError({"--tolerance", 0, 0}, "tolerance", "expected a positive number");
  const int months_in = target.month_index - s.start_month;
  if (months_in < 0 || months_in >= s.months)
    throw io::InputError({"--target", 0, 0}, "target", "expected a month within the scenario's simulated period");
  Scenario base = s;
  base.months = months_in + 1;  // nothing after the target month matters
  (void)with_param(base, lever, lo, "--range");
  (void)with_param(base, lever, hi, "--range");
  SeekResult out;
  auto successes = [&](double v) {
    const Scenario sv = with_param(base, lever, v, "--range");
    const PolicyBook book = io::scenario_policy(sv);
    int k = 0;
    for (int r = 0; r < n; ++r) {
      say(progress, lever + " = " + number_text(v) + ": replicate " + std::to_string(r + 1) + "/" + std::to_string(n));
      Simulation sim(with_seed(sv, s.seed + static_cast<std::uint64_t>(r)), book, world);
      while (!sim.done()) sim.run_month();
      k += target_met(sim.results(), target) ? 1 : 0;
    }
    out.evaluations.emplace_back(v, k);
    return k;
  };
  auto meets = [&](int k) { return static_cast<double>(k) >= p * n - 1e-9; };
  out.trials = n;
  const int k_lo = successes(lo);
  if (meets(k_lo)) {
    out.found = true;
    out.answer = out.low = out.high = lo;
    out.successes = k_lo;
    out.interval = wilson95(k_lo, n);
    return out;
  }
  int k_hi = successes(hi);
  if (!meets(k_hi)) {
    out.low = lo;
    out.high = hi;
    out.successes = k_hi;
    out.interval = wilson95(k_hi, n);
    return out;
  }
  while (hi - lo > tolerance) {
    const double mid = lo + (hi - lo) / 2;
    const int k = successes(mid);
    if (meets(k)) {
      hi = mid;
      k_hi = k;
    } else {
      lo = mid;
    }
  }
  out.found = true;
  out.answer = hi;
  out.low = lo;
  out.high = hi;
  out.successes = k_hi;
  out.interval = wilson95(k_hi, n);
  return out;
}

// ---- prepay --------------------------------------------------------------------------------

namespace {
Money median_money(std::vector<std::int64_t> xs) {
  std::sort(xs.begin(), xs.end());
  return Money::fen(xs.empty() ? 0 : xs[(xs.size() - 1) / 2]);
}
}  // namespace

std::vector<PrepayRow> prepay(const Scenario& s, double alpha, int n, const World& world, const Progress& progress) {
  check_n(n);
  if (!(alpha > 0 && alpha < 1))
    throw io::InputError({"--red-probability", 0, 0}, "red-probability", "expected a probability strictly between 0 and 1");
  const std::size_t P = dim_size(Dim::province), T = dim_size(Dim::treatment_province);
  std::vector<std::vector<std::int64_t>> peaks(P), quotas(P), gross2x(P);
  const PolicyBook book = io::scenario_policy(s);
  for (int r = 0; r < n; ++r) {
    say(progress, s.name + ": replicate " + std::to_string(r + 1) + "/" + std::to_string(n));
    Simulation sim(with_seed(s, s.seed + static_cast<std::uint64_t>(r)), book, world);
    while (!sim.done()) sim.run_month();
    const Results& res = sim.results();
    const auto& months = res.data("months").i;
    const auto& out = res.data("prepayment/outstanding").i;
    const auto& quota = res.data("prepayment/quota").i;
    const auto& gross = res.data("clearing/gross").i;
    const std::size_t M = res.months();
    // The previous year: the calendar year before the last simulated month's year, the months of
    // it that were simulated; all simulated months when none were.
    const std::int64_t prev_year = M ? months[M - 1] / 12 - 1 : 0;
    std::vector<std::size_t> rows;
    for (std::size_t m = 0; m < M; ++m)
      if (months[m] / 12 == prev_year) rows.push_back(m);
    if (rows.empty())
      for (std::size_t m = 0; m < M; ++m) rows.push_back(m);
    for (std::size_t p = 0; p < P; ++p) {
      std::int64_t peak = 0, qmax = 0, sum = 0;
      for (std::size_t m = 0; m < M; ++m) {
        peak = std::max(peak, out[m * P + p]);
        qmax = std::max(qmax, quota[m * P + p]);
      }
      for (std::size_t m : rows)
        for (std::size_t t = 0; t < T; ++t) sum += gross[(m * P + p) * T + t];
      const auto cnt = static_cast<std::int64_t>(rows.size());
      peaks[p].push_back(peak);
      quotas[p].push_back(qmax);
      gross2x[p].push_back(cnt ? (2 * sum + cnt / 2) / cnt : 0);  // rounded to the fen
    }
  }
  std::vector<PrepayRow> rows;
  const auto labels = dim_labels(Dim::province);
  for (std::size_t p = 0; p < P; ++p) {
    std::vector<std::int64_t> xs = peaks[p];
    std::sort(xs.begin(), xs.end());
    // The smallest observed peak with at least (1 − α) of the replicates at or below it.
    auto k = static_cast<std::size_t>(std::ceil((1.0 - alpha) * static_cast<double>(n) - 1e-9));
    k = std::clamp<std::size_t>(k, 1, xs.size());
    const std::int64_t q = xs[k - 1];
    PrepayRow row;
    row.province = labels[p];
    row.peak_quantile = Money::fen(q);
    row.proposed_quota = Money::fen(q <= 0 ? 0 : (q * 10 + 8) / 9);  // ⌈q ÷ 0.9⌉
    row.rule_quota = median_money(quotas[p]);
    row.rule_2x_gross = median_money(gross2x[p]);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace yidi::sim
