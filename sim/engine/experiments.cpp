#include "sim/engine/experiments.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "models/date.hpp"
#include "sim/version.hpp"
#include "sim/model/names.hpp"

namespace yidi::sim {

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
    // Monthly datasets by province or nation; not region/ (a run's own regions, hundreds of pools:
    // read them from the replicates' run files).
    for (const auto& d : output_schema())
      if (d.dims.front() == Dim::month && d.name != "months" && d.name != "prepayment/warning" &&
          d.name.rfind("region/", 0) != 0)
        out.push_back(d.name);
    return out;
  }();
  return names;
}

const std::vector<YearlyDataset>& yearly_datasets() {
  using D = Dim;
  static const std::vector<YearlyDataset> defs = {
      {"offsite/dsr_inpatient_national", {}, false, "ratio",
       "the year's national cross-province inpatient direct-settlement rate: direct ÷ all off-site inpatient stays "
       "settled in the year's simulated months (NaN when none)"},
      {"offsite/dsr_inpatient", {D::province}, false, "ratio",
       "the same by insured province (NaN when the province had no off-site stay that year)"},
      {"offsite/fund", {D::province}, true, "fen",
       "what the funds pay for the year's cross-province visits of the insured province's insured (fund_pay_sumamt, "
       "both paths; manual: the entitlement)"},
      {"offsite/individual", {D::province}, true, "fen",
       "the individuals' burden of those visits (psn_part_amt = medfee − fund)"},
      {"funds/balance", {D::province, D::scheme}, true, "fen",
       "pooling fund balance at the end of the year's last simulated month"},
      {"funds/months_payable", {D::province, D::scheme}, false, "months",
       "months of spending the balance covers at the end of the year's last simulated month"},
      {"funds/months_below_floor", {D::province, D::scheme}, true, "months",
       "simulated months of the year ending with the fund below the floor (funds/below_floor = 1)"},
      {"prepayment/peak_outstanding", {D::province}, true, "fen",
       "the year's largest month-end outstanding (settled, not yet cleared)"},
      {"prepayment/red_months", {D::province}, true, "months",
       "simulated months of the year ending at a red warning (usage ≥ 90%)"},
      {"prepayment/topup_requested", {D::province}, true, "fen", "emergency top-ups asked for in the year"},
      {"prepayment/topups_paid", {}, true, "fen", "emergency top-ups paid in the year, national"},
  };
  return defs;
}

const YearlyDataset& yearly_dataset(const std::string& name) {
  for (const auto& d : yearly_datasets())
    if (d.name == name) return d;
  throw std::out_of_range("no yearly dataset " + name);
}

std::size_t Summary::yearly_slice(const YearlyDataset& d) {
  std::size_t n = 1;
  for (Dim dim : d.dims) n *= dim_size(dim);
  return n;
}

double Summary::yearly_value(const std::string& name, std::size_t r, std::size_t y, std::size_t e) const {
  const YearlyDataset& d = yearly_dataset(name);
  const std::size_t slice = yearly_slice(d);
  const std::size_t at = (r * years.size() + y) * slice + e;
  const Series64& v = yearly.at(name);
  return d.integer ? static_cast<double>(v.i.at(at)) : v.f.at(at);
}

double share_at_least(const Summary& s, const std::string& name, std::int64_t year, std::size_t e, double threshold) {
  const auto it = std::find(s.years.begin(), s.years.end(), year);
  if (it == s.years.end())
    throw ExperimentError("summary", name, "year " + std::to_string(year) + " was not simulated");
  const auto y = static_cast<std::size_t>(it - s.years.begin());
  std::size_t k = 0;
  for (std::size_t r = 0; r < s.replicates; ++r) k += s.yearly_value(name, r, y, e) >= threshold ? 1 : 0;  // NaN: no
  return s.replicates ? static_cast<double>(k) / static_cast<double>(s.replicates) : std::nan("");
}

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio(std::int64_t a, std::int64_t b) { return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : kNaN; }

/// The calendar years of a run's months, and the rows of each.
struct Years {
  std::vector<std::int64_t> year;
  std::vector<std::vector<std::size_t>> rows;
};
Years years_of(const std::vector<std::int64_t>& months) {
  Years y;
  for (std::size_t m = 0; m < months.size(); ++m) {
    const std::int64_t cal = months[m] / 12;
    if (y.year.empty() || y.year.back() != cal) {
      y.year.push_back(cal);
      y.rows.emplace_back();
    }
    y.rows.back().push_back(m);
  }
  return y;
}

/// One replicate's yearly scalars, appended to `out` (NAME → replicate × year × dims).
void append_yearly(const Results& r, const Years& years, std::map<std::string, Series64>& out) {
  const std::size_t P = dim_size(Dim::province), S = dim_size(Dim::scheme), G = dim_size(Dim::group),
                    V = dim_size(Dim::visit_type), A = dim_size(Dim::path);
  const auto& visits = r.data("offsite/visits").i;  // month × province × group × visit_type × path
  const auto& fund = r.data("offsite/fund").i;       // likewise, fen
  const auto& individual = r.data("offsite/individual").i;
  const auto& balance = r.data("funds/balance").i;
  const auto& payable = r.data("funds/months_payable").f;
  const auto& floor = r.data("funds/below_floor").i;
  const auto& outstanding = r.data("prepayment/outstanding").i;
  const auto& warning = r.data("prepayment/warning").i;
  const auto& topup = r.data("prepayment/topup_requested").i;
  const auto& paid = r.data("prepayment/topups_paid").i;
  const std::size_t inpatient = 0, direct = 0;  // labels: visit_type "inpatient", path "direct"
  for (std::size_t y = 0; y < years.year.size(); ++y) {
    const auto& rows = years.rows[y];
    const std::size_t last = rows.back();
    std::int64_t nat_direct = 0, nat_all = 0;
    for (std::size_t p = 0; p < P; ++p) {
      std::int64_t d = 0, all = 0;
      for (std::size_t m : rows)
        for (std::size_t g = 0; g < G; ++g)
          for (std::size_t a = 0; a < A; ++a) {
            const std::int64_t v = visits[(((m * P + p) * G + g) * V + inpatient) * A + a];
            all += v;
            if (a == direct) d += v;
          }
      out["offsite/dsr_inpatient"].f.push_back(ratio(d, all));
      nat_direct += d;
      nat_all += all;
    }
    out["offsite/dsr_inpatient_national"].f.push_back(ratio(nat_direct, nat_all));
    const std::size_t cell = G * V * A;  // a province's elements in a month
    for (std::size_t p = 0; p < P; ++p) {
      std::int64_t f = 0, ind = 0;
      for (std::size_t m : rows)
        for (std::size_t e = 0; e < cell; ++e) {
          f = checked_add(f, fund[(m * P + p) * cell + e]);
          ind = checked_add(ind, individual[(m * P + p) * cell + e]);
        }
      out["offsite/fund"].i.push_back(f);
      out["offsite/individual"].i.push_back(ind);
    }
    for (std::size_t ps = 0; ps < P * S; ++ps) {
      out["funds/balance"].i.push_back(balance[last * P * S + ps]);
      out["funds/months_payable"].f.push_back(payable[last * P * S + ps]);
      std::int64_t below = 0;
      for (std::size_t m : rows) below += floor[m * P * S + ps] != 0 ? 1 : 0;
      out["funds/months_below_floor"].i.push_back(below);
    }
    std::int64_t paid_year = 0;
    for (std::size_t m : rows) paid_year += paid[m];
    for (std::size_t p = 0; p < P; ++p) {
      std::int64_t peak = 0, red = 0, asked = 0;
      for (std::size_t m : rows) {
        peak = std::max(peak, outstanding[m * P + p]);
        red += warning[m * P + p] == 2 ? 1 : 0;
        asked += topup[m * P + p];
      }
      out["prepayment/peak_outstanding"].i.push_back(peak);
      out["prepayment/red_months"].i.push_back(red);
      out["prepayment/topup_requested"].i.push_back(asked);
    }
    out["prepayment/topups_paid"].i.push_back(paid_year);
  }
}
}  // namespace

void SummaryAccumulator::start(const Results& r) {
  if (count_ == 0) {
    months_ = r.months();
    month_index_ = r.data("months").i;
    insured_ = r.data("population/insured").i;
    for (const auto& name : summary_datasets())
      elements_[name].resize(Results::slice_size(dataset(name)) * months_);
    const Years y = years_of(month_index_);
    years_ = y.year;
    for (const auto& rows : y.rows) year_months_.push_back(static_cast<std::int64_t>(rows.size()));
  } else if (r.months() != months_ || r.data("months").i != month_index_) {
    throw std::invalid_argument("summary: replicates cover different months");
  }
}

void SummaryAccumulator::fold(std::vector<Element>& elems, std::size_t i, double x) {
  if (std::isnan(x)) return;  // undefined in this replicate (a ratio of 0 ÷ 0): not an observation
  Element& e = elems[i];
  for (auto& q : e.q) q.add(x);
  e.sum += x;
}

void SummaryAccumulator::add(const Results& r, std::uint64_t seed, const Scenario* scenario) {
  start(r);
  if (scenario && !scenario->uncertainty.empty()) {
    if (count_ == 0)
      for (const auto& u : scenario->uncertainty) uncertain_.push_back(u.label());
    const auto d = draw_uncertain_params(*scenario, seed);
    drawn_.insert(drawn_.end(), d.begin(), d.end());
  }
  for (const auto& name : summary_datasets()) {
    const auto& d = r.data(name);
    auto& elems = elements_.at(name);
    if (dataset(name).integer)
      for (std::size_t i = 0; i < d.i.size(); ++i) fold(elems, i, static_cast<double>(d.i[i]));
    else
      for (std::size_t i = 0; i < d.f.size(); ++i) fold(elems, i, d.f[i]);
  }
  // Warning states: counts of replicates per state, month and province.
  const auto& w = r.data("prepayment/warning").i;
  const std::size_t slice = w.size();
  if (warning_counts_.empty()) warning_counts_.assign(kWarningLabels.size() * slice, 0);
  for (std::size_t i = 0; i < slice; ++i) {
    const std::int64_t state = w[i];
    if (state < 0 || state >= static_cast<std::int64_t>(kWarningLabels.size()))
      throw std::invalid_argument("summary: prepayment/warning holds a state outside 0..2");
    ++warning_counts_[static_cast<std::size_t>(state) * slice + i];
  }
  append_yearly(r, years_of(month_index_), yearly_);
  seeds_.push_back(seed);
  ++count_;
}

void SummaryAccumulator::add_difference(const Results& a, const Results& b) {
  if (a.months() != b.months() || a.data("months").i != b.data("months").i)
    throw std::invalid_argument("summary: compared runs cover different months");
  start(a);
  for (const auto& name : summary_datasets()) {
    const auto& x = a.data(name);
    const auto& y = b.data(name);
    auto& elems = elements_.at(name);
    if (dataset(name).integer)
      for (std::size_t i = 0; i < x.i.size(); ++i) fold(elems, i, static_cast<double>(x.i[i] - y.i[i]));
    else
      for (std::size_t i = 0; i < x.f.size(); ++i)
        fold(elems, i, std::isnan(x.f[i]) && std::isnan(y.f[i]) ? 0.0 : x.f[i] - y.f[i]);
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
  s.warning_shares.reserve(warning_counts_.size());
  for (std::int64_t c : warning_counts_) s.warning_shares.push_back(static_cast<double>(c) / static_cast<double>(count_));
  s.years = years_;
  s.year_months = year_months_;
  s.seeds = seeds_;
  s.yearly = yearly_;
  s.uncertain = uncertain_;
  s.drawn = drawn_;
  return s;
}

// ---- writing -------------------------------------------------------------------------------

namespace {
std::string dims_text(const std::vector<Dim>& dims) {
  std::string out;
  for (Dim d : dims) out += (out.empty() ? "" : ",") + std::string(dim_name(d));
  return out;
}
}  // namespace

void write_summaries(SummarySink& sink, const std::vector<std::pair<std::string, const Summary*>>& groups,
                     const Attributes& attributes) {
  if (groups.empty()) throw std::invalid_argument("write_summaries: no summary");
  sink.attributes(attributes);
  for (Dim d : {Dim::province, Dim::group, Dim::scheme, Dim::visit_type, Dim::path, Dim::reason})
    sink.labels(std::string("labels/") + dim_name(d), dim_labels(d));
  sink.labels("labels/quantile", {kSummaryQuantileLabels.begin(), kSummaryQuantileLabels.end()});
  sink.labels("labels/warning", {kWarningLabels.begin(), kWarningLabels.end()});
  const Summary& first = *groups.front().second;
  sink.dataset("months", {first.month_index.size()}, first.month_index, nullptr);
  std::vector<std::size_t> ins_shape;
  for (Dim d : dataset("population/insured").dims) ins_shape.push_back(dim_size(d));
  sink.dataset("population/insured", ins_shape, first.insured, nullptr);
  const DatasetAttributes years_attr{"year", "calendar years with a simulated month (the year dimension of replicates/*)",
                                     "year"};
  sink.dataset("years", {first.years.size()}, first.years, &years_attr);
  const DatasetAttributes year_months_attr{"months", "simulated months of each year", "year"};
  sink.dataset("year_months", {first.year_months.size()}, first.year_months, &year_months_attr);
  for (const auto& [prefix, summary] : groups) {
    for (const auto& name : summary_datasets()) {
      const auto& spec = dataset(name);
      std::vector<std::size_t> shape;
      for (Dim d : spec.dims) shape.push_back(d == Dim::month ? summary->months : dim_size(d));
      const std::string dims = dims_text(spec.dims);
      const DatasetAttributes m{spec.unit, "mean over replicates: " + spec.description, dims};
      sink.dataset(prefix + "mean/" + name, shape, summary->mean.at(name), &m);
      shape.insert(shape.begin(), kSummaryQuantiles.size());
      const DatasetAttributes q{spec.unit, "P5, P50, P95 over replicates (P2 estimator): " + spec.description,
                                "quantile," + dims};
      sink.dataset(prefix + "quantiles/" + name, shape, summary->quantiles.at(name), &q);
    }
    if (!summary->warning_shares.empty()) {
      const DatasetAttributes a{"share",
                                std::string(summary->seeds.empty() ? "difference in the " : "") +
                                    "share of replicates in each prepayment warning state at month end (none / yellow "
                                    "≥ 70% / red ≥ 90%)",
                                "warning,month,province"};
      sink.dataset(prefix + "shares/prepayment/warning",
                   {kWarningLabels.size(), summary->months, dim_size(Dim::province)}, summary->warning_shares, &a);
    }
    if (summary->seeds.empty()) continue;  // a difference: the scenarios' own replicates say it
    std::vector<std::int64_t> seeds;
    for (std::uint64_t s : summary->seeds) seeds.push_back(static_cast<std::int64_t>(s));
    const DatasetAttributes sa{"seed", "the seed of each replicate (as the root attribute seed: two's complement)",
                               "replicate"};
    sink.dataset(prefix + "replicates/seed", {seeds.size()}, seeds, &sa);
    if (!summary->uncertain.empty()) {
      sink.labels(prefix + "labels/uncertainty", summary->uncertain);
      const DatasetAttributes ua{"", "each replicate's draws of the scenario's uncertain parameters (uncertainty:, "
                                     "uniform on [low, high]), their names in labels/uncertainty",
                                 "replicate,uncertainty"};
      sink.dataset(prefix + "replicates/uncertainty", {summary->replicates, summary->uncertain.size()}, summary->drawn, &ua);
    }
    for (const auto& d : yearly_datasets()) {
      std::vector<std::size_t> shape{summary->replicates, summary->years.size()};
      for (Dim dim : d.dims) shape.push_back(dim_size(dim));
      const DatasetAttributes a{d.unit, "per replicate and year: " + d.description,
                                "replicate,year" + std::string(d.dims.empty() ? "" : ",") + dims_text(d.dims)};
      const Series64& v = summary->yearly.at(d.name);
      if (d.integer) sink.dataset(prefix + "replicates/" + d.name, shape, v.i, &a);
      else sink.dataset(prefix + "replicates/" + d.name, shape, v.f, &a);
    }
  }
  sink.close();
}

void write_summary(SummarySink& sink, const Summary& summary, const Attributes& attributes) {
  write_summaries(sink, {{"", &summary}}, attributes);
}

// ---- runs ----------------------------------------------------------------------------------

namespace {
void say(const Progress& p, const std::string& text) {
  if (p) p(text);
}
void check_n(int n) {
  if (n < 1) throw ExperimentError("-n", "replicates", "expected a number of replicates of at least 1");
}
/// The shortest text that reads back as the same double.
std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
}  // namespace

RunPlanVector replicate_plans(const Scenario& s, int n) {
  check_n(n);
  RunPlanVector plans;
  plans.reserve(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r)
    plans.push_back({s, s.seed + static_cast<std::uint64_t>(r), {},
                     s.name + ": replicate " + std::to_string(r + 1) + "/" + std::to_string(n)});
  return plans;
}

Summary replicates(const Scenario& s, int n, const RunExecutor& ex, const Progress& progress) {
  const RunPlanVector plans = replicate_plans(s, n);
  SummaryAccumulator acc;
  ex.execute(plans, [&](std::size_t, const RunPlan& p, const Results& r) { acc.add(r, p.seed, &p.scenario); }, progress);
  return acc.summary();
}

Comparison compare(const std::vector<Scenario>& scenarios, int n, const RunExecutor& ex, const Progress& progress) {
  check_n(n);
  if (scenarios.empty()) throw ExperimentError("compare", "scenarios", "expected at least one scenario");
  const Scenario& first = scenarios.front();
  Comparison out;
  for (const auto& s : scenarios)
    if (s.start_month != first.start_month || s.months != first.months)
      throw ExperimentError(s.name, "start/months", "expected the same start month and number of months as " + first.name);
  for (const auto& s : scenarios) {
    std::string name = s.name;
    for (int k = 2; std::find(out.names.begin(), out.names.end(), name) != out.names.end(); ++k)
      name = s.name + "-" + std::to_string(k);
    out.names.push_back(name);
  }
  // Replicate after replicate, every scenario of a replicate in a row (common random numbers).
  RunPlanVector plans;
  for (int r = 0; r < n; ++r)
    for (std::size_t k = 0; k < scenarios.size(); ++k)
      plans.push_back({scenarios[k], first.seed + static_cast<std::uint64_t>(r), {},
                       out.names[k] + ": replicate " + std::to_string(r + 1) + "/" + std::to_string(n)});
  std::vector<SummaryAccumulator> acc(scenarios.size()), diff(scenarios.size() - 1);
  Results base;
  ex.execute(
      plans,
      [&](std::size_t i, const RunPlan& p, const Results& r) {
        const std::size_t k = i % scenarios.size();
        acc[k].add(r, p.seed, &p.scenario);
        if (k == 0) base = r;
        else diff[k - 1].add_difference(r, base);
      },
      progress);
  for (const auto& a : acc) out.scenarios.push_back(a.summary());
  for (std::size_t k = 0; k < diff.size(); ++k) {
    Summary d = diff[k].summary();
    const auto& sk = out.scenarios[k + 1].warning_shares;
    const auto& s0 = out.scenarios[0].warning_shares;
    d.warning_shares.resize(s0.size());
    for (std::size_t i = 0; i < s0.size(); ++i) d.warning_shares[i] = sk[i] - s0[i];
    out.differences.push_back(std::move(d));
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
/// Region codes as "510000 510100", in the order given (parse_regions sorts them).
std::string regions_text(const std::vector<std::uint32_t>& regions) {
  std::string out;
  for (const std::uint32_t c : regions) out += (out.empty() ? "" : " ") + RegionCode::of(c).str();
  return out;
}

/// Whether a point file's attributes are those of this sweep's point: the grid values (with their
/// start month and regions), the scenario hash, the point and the replicates.

bool same_point(const std::optional<Attributes>& found, const Attributes& expected) {
  if (!found) return false;
  for (const auto& [k, v] : expected.text)
    if (k.rfind("grid.", 0) == 0 || k == "scenario_sha256") {
      const auto it = found->text.find(k);
      if (it == found->text.end() || it->second != v) return false;
    }
  // Both ways: a point made with a start month or regions the grid no longer has is another point.
  for (const auto& [k, v] : found->text)
    if (k.rfind("grid.", 0) == 0 && !expected.text.count(k)) return false;
  for (const char* k : {"replicates", "point"}) {
    const auto it = found->numbers.find(k);
    if (it == found->numbers.end() || it->second != expected.numbers.at(k)) return false;
  }
  return true;
}
}  // namespace

std::vector<SweepPoint> sweep(const Scenario& s, const std::vector<GridAxis>& grid, int n, SweepStore& store,
                              const Attributes& provenance, const RunExecutor& ex, const Progress& progress) {
  check_n(n);
  if (grid.empty()) throw ExperimentError("--grid", "grid", "expected at least one --grid NAME=V1,V2,…");
  for (const auto& a : grid) {
    if (a.values.empty()) throw ExperimentError("--grid", a.name, "expected at least one value");
    for (double v : a.values) (void)with_param(s, a.name, v, "--grid");  // validates names and ranges up front
    // A start month for a number, regions for a lever not regional, each its option's error.
    (void)with_param(s, ParamOverride{a.name, a.values.front(), a.from_month, a.regions}, a.regions.empty() ? "--from" : "--regions");
    if (a.from_month >= 0 && (a.from_month < s.start_month || a.from_month >= s.start_month + s.months))
      throw ExperimentError("--from", "from",
                            "the month " + Date::month_label(a.from_month) + " is outside the run, " +
                                Date::month_label(s.start_month) + " to " + Date::month_label(s.start_month + s.months - 1) +
                                "; expected a month within it");
  }
  store.open();
  auto points = sweep_points(grid);
  // Before any work: which points are complete, and whether every other one may be written.
  std::vector<Attributes> provs;
  std::vector<std::size_t> todo;
  for (auto& pt : points) {
    Attributes prov = provenance;
    for (std::size_t a = 0; a < grid.size(); ++a) {
      prov.text["grid." + grid[a].name] = number_text(pt.values[a]);
      if (grid[a].from_month >= 0) prov.text["grid." + grid[a].name + ".from"] = Date::month_label(grid[a].from_month);
      if (!grid[a].regions.empty()) prov.text["grid." + grid[a].name + ".regions"] = regions_text(grid[a].regions);
    }
    prov.numbers["point"] = pt.index;
    prov.numbers["replicates"] = n;
    const bool done = same_point(store.read(pt.file), prov);
    if (!done && store.exists(pt.file)) store.check_replaceable(pt.file);
    if (!done) todo.push_back(static_cast<std::size_t>(pt.index));
    provs.push_back(std::move(prov));
  }
  for (const auto& pt : points)
    if (std::find(todo.begin(), todo.end(), static_cast<std::size_t>(pt.index)) == todo.end())
      say(progress, "point " + std::to_string(pt.index) + ": complete, skipped");
  // One plan vector: the points to compute, point after point, n replicates each.
  RunPlanVector plans;
  for (std::size_t k : todo) {
    std::vector<ParamOverride> overrides;
    for (std::size_t a = 0; a < grid.size(); ++a)
      overrides.push_back({grid[a].name, points[k].values[a], grid[a].from_month, grid[a].regions});
    for (RunPlan& p : replicate_plans(s, n)) {
      p.overrides = overrides;
      p.label = "point " + std::to_string(points[k].index + 1) + "/" + std::to_string(points.size()) + " " + p.label;
      plans.push_back(std::move(p));
    }
  }
  std::optional<SummaryAccumulator> acc;
  ex.execute(
      plans,
      [&](std::size_t i, const RunPlan& p, const Results& r) {
        if (!acc) acc.emplace();
        acc->add(r, p.seed, &p.scenario);
        if (acc->count() < static_cast<std::size_t>(n)) return;
        SweepPoint& pt = points[todo[i / static_cast<std::size_t>(n)]];
        auto sink = store.point(pt.file);
        write_summary(*sink, acc->summary(), provs[static_cast<std::size_t>(pt.index)]);
        pt.computed = true;
        acc.reset();
      },
      progress);
  std::ostringstream o;
  o << "# yidi " << kVersion << " sweep index (docs/experiments.md)";
  for (const auto& a : grid) {
    if (a.from_month >= 0) o << "; " << a.name << " from " << Date::month_label(a.from_month);
    if (!a.regions.empty()) o << "; " << a.name << " for " << regions_text(a.regions);
  }
  o << "\npoint";
  for (const auto& a : grid) o << "," << a.name;
  o << ",file\n";
  for (const auto& pt : points) {
    o << pt.index;
    for (double v : pt.values) o << "," << number_text(v);
    o << "," << pt.file << "\n";
  }
  store.index(o.str());
  return points;
}

// ---- seek ----------------------------------------------------------------------------------

namespace {
const char* op_text(Target::Op op) {
  switch (op) {
    case Target::Op::ge: return ">=";
    case Target::Op::gt: return ">";
    case Target::Op::le: return "<=";
    case Target::Op::lt: return "<";
  }
  return "?";
}
ExperimentError target_error(const std::string& message) { return ExperimentError("--target", "target", message); }
}  // namespace

std::string Target::period_label() const { return sim::period_label(period, first_month, last_month); }

std::string Target::text() const {
  return measure + (code.empty() ? "" : "[" + code + "]") + " " + op_text(op) + " " + number_text(threshold) + " in " +
         period_label();
}

bool Target::meets(double v) const {
  switch (op) {
    case Op::ge: return v >= threshold;
    case Op::gt: return v > threshold;
    case Op::le: return v <= threshold;
    case Op::lt: return v < threshold;
  }
  return false;
}

Target parse_target(const std::string& text, const std::vector<NamedRegion>& provinces, const std::vector<NamedRegion>& pools) {
  const std::string form = "expected \"MEASURE[REGION] OP VALUE in PERIOD\" (OP >=, >, <= or <; PERIOD YYYY, YYYYQn or "
                           "YYYY-MM; e.g. \"cross_dsr_inpatient[四川] >= 0.7 in 2025\")";
  // MEASURE[REGION] may hold spaces inside the brackets (Inner Mongolia, Hainan (Qinghai)).
  std::string measure, op, value, word, when, rest;
  std::string tail = text;
  if (const auto open = text.find('['); open != std::string::npos && text.find(']', open) != std::string::npos &&
                                        text.find_first_of(" \t") > open) {
    const auto close = text.find(']', open);
    measure = text.substr(text.find_first_not_of(" \t"), close + 1 - text.find_first_not_of(" \t"));
    tail = text.substr(close + 1);
  }
  std::istringstream in(tail);
  if (measure.empty() && !(in >> measure)) throw target_error(form + ", got '" + text + "'");
  if (!(in >> op >> value >> word >> when) || (in >> rest)) throw target_error(form + ", got '" + text + "'");
  Target t;
  // The measure and its region.
  std::string region;
  if (const auto open = measure.find('['); open != std::string::npos) {
    if (!measure.ends_with("]")) throw target_error(form + ", got '" + text + "'");
    region = measure.substr(open + 1, measure.size() - open - 2);
    measure = measure.substr(0, open);
    if (region.empty()) throw target_error("an empty region in '" + text + "'; expected a province or pool code or name");
  }
  if (measure == "dsr_inpatient_national" && region.empty()) measure = "cross_dsr_inpatient";  // the earlier names
  else if (measure == "dsr_inpatient" && !region.empty()) measure = "cross_dsr_inpatient";
  const ExportMeasure* m = nullptr;
  std::vector<std::string> names;
  for (const auto& x : export_measures()) {
    names.push_back(x.name);
    if (x.name == measure) m = &x;
  }
  if (!m)
    throw target_error("unknown measure '" + measure + "'" + did_you_mean_text(measure, names) +
                       "; expected one of yidi export --list");
  t.measure = measure;
  if (!region.empty()) {
    // A province first (a code, or a Chinese or English name), then a pool.
    std::vector<NamedRegion> named;
    for (const auto& l : dim_labels(Dim::province)) {
      NamedRegion r{l, "", ""};
      for (const auto& p : provinces)
        if (p.code == l) r = p;
      named.push_back(r);
    }
    std::string error;
    const auto at = resolve_region(named, pools, region, !m->province && m->region, error);
    if (!at) throw target_error(error + " (yidi schema lists the codes)");
    t.level = at->pool ? ExportLevel::region : ExportLevel::province;
    t.code = at->pool ? pools[at->index].code : named[at->index].code;
  }
  if (!m->at(t.level)) {
    std::string levels;
    for (ExportLevel l : {ExportLevel::national, ExportLevel::province, ExportLevel::region})
      if (m->at(l)) levels += (levels.empty() ? "" : ", ") + std::string(level_name(l));
    throw target_error("the measure '" + measure + "' is not given " +
                       (t.level == ExportLevel::national ? std::string("nationally") : std::string("by ") + level_name(t.level)) +
                       "; it is given: " + levels + (t.level == ExportLevel::national ? " (add [REGION])" : ""));
  }
  // The comparison and the value.
  if (op == ">=") t.op = Target::Op::ge;
  else if (op == ">") t.op = Target::Op::gt;
  else if (op == "<=") t.op = Target::Op::le;
  else if (op == "<") t.op = Target::Op::lt;
  else throw target_error("unknown comparison '" + op + "'; expected >=, >, <= or <");
  double x = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
  if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(x))
    throw target_error("expected a number after '" + op + "', got '" + value + "'");
  t.threshold = x;
  // The period: in YYYY, YYYYQn or YYYY-MM; "by YYYY-MM" is that month (the earlier form).
  const auto month = Date::parse(when + "-01");
  const bool digits4 = when.size() >= 4 && std::all_of(when.begin(), when.begin() + 4, [](char c) { return c >= '0' && c <= '9'; });
  const int year = digits4 ? std::stoi(when.substr(0, 4)) : 0;
  if ((word == "in" || word == "by") && when.size() == 7 && when[4] == '-' && month) {
    t.period = ExportPeriod::month;
    t.first_month = t.last_month = month->month_index();
  } else if (word == "in" && when.size() == 6 && digits4 && when[4] == 'Q' && when[5] >= '1' && when[5] <= '4' &&
             Date::from_ymd(year, 1, 1)) {
    t.period = ExportPeriod::quarter;
    t.first_month = year * 12 + (when[5] - '1') * 3;
    t.last_month = t.first_month + 2;
  } else if (word == "in" && when.size() == 4 && digits4 && Date::from_ymd(year, 1, 1)) {
    t.period = ExportPeriod::year;
    t.first_month = year * 12;
    t.last_month = t.first_month + 11;
  } else if (word == "by") {
    throw target_error("'by " + when + "' takes a month (YYYY-MM); for a quarter or a year write 'in " + when + "'");
  } else {
    throw target_error("unknown period '" + word + " " + when + "'; expected 'in YYYY', 'in YYYYQn' or 'in YYYY-MM'");
  }
  return t;
}

std::optional<double> target_value(const Results& r, const Target& t) {
  ExportOptions o;
  o.level = t.level;
  o.period = t.period;
  o.measures = {t.measure};
  if (t.level != ExportLevel::national) {
    std::vector<std::string> codes, names, names_en;
    export_units(r, t.level, codes, names, names_en);
    const auto at = std::find(codes.begin(), codes.end(), t.code);
    if (at == codes.end()) throw target_error("the run has no " + std::string(level_name(t.level)) + " " + t.code);
    o.units = {static_cast<std::size_t>(at - codes.begin())};
  }
  const ExportTable table = export_table(r, o);
  const std::string label = t.period_label();
  for (const auto& row : table.rows) {
    if (table.periods[row.period] != label) continue;
    if (table.period_months[row.period] != t.last_month - t.first_month + 1)
      throw target_error("the run covers only part of " + label + "; expected a period within the scenario's simulated period");
    switch (row.value.kind) {
      case ExportValue::Kind::none: return std::nullopt;
      case ExportValue::Kind::integer: return static_cast<double>(row.value.i);
      case ExportValue::Kind::money: return static_cast<double>(row.value.i) / 100;
      case ExportValue::Kind::number: return row.value.f;
    }
  }
  throw target_error("the period " + label + " is not in the run; expected a period within the scenario's simulated period");
}

bool target_met(const Results& r, const Target& t) {
  const auto v = target_value(r, t);
  return v && t.meets(*v);  // no value (a rate with no stays): not met
}

Wilson wilson95(int k, int n) {
  if (n <= 0) return {0.0, 1.0};
  const double z = kZ95, nn = n, ph = k / nn;
  const double denom = 1 + z * z / nn;
  const double centre = (ph + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / denom;
  // The ends are exactly 0 at k = 0 and 1 at k = n (rounding would leave 5.6e-17 and the like).
  return {k <= 0 ? 0.0 : std::max(0.0, centre - half), k >= n ? 1.0 : std::min(1.0, centre + half)};
}

SeekResult seek(const Scenario& s, const ParamOverride& lever, double lo, double hi, const Target& target, double p,
                int n, double tolerance, const RunExecutor& ex, const Progress& progress) {
  check_n(n);
  if (!(lo <= hi)) throw ExperimentError("--range", "range", "expected LO:HI with LO ≤ HI");
  if (!(p > 0 && p <= 1)) throw ExperimentError("--probability", "probability", "expected a number in (0, 1]");
  if (!(tolerance > 0)) throw ExperimentError("--tolerance", "tolerance", "expected a positive number");
  if (target.first_month < s.start_month || target.last_month >= s.start_month + s.months)
    throw ExperimentError("--target", "target",
                          "the period " + target.period_label() + " is not within the scenario's simulated period, " +
                              Date::month_label(s.start_month) + " to " + Date::month_label(s.start_month + s.months - 1) +
                              "; expected a period within it (or a longer run: --months)");
  Scenario base = s;
  base.months = target.last_month - s.start_month + 1;  // nothing after the target's period matters
  if (!find_param(lever.name)) (void)with_param(base, lever.name, lo, "--lever");  // an unknown name is the lever's error
  (void)with_param(base, lever.name, lo, "--range");
  (void)with_param(base, lever.name, hi, "--range");
  ParamOverride at = lever;  // a start month for a number, regions for a lever not regional
  at.value = lo;
  (void)with_param(base, at, lever.regions.empty() ? "--from" : "--regions");
  if (lever.from_month >= 0 && (lever.from_month < s.start_month || lever.from_month > target.last_month))
    throw ExperimentError("--from", "from",
                          "the month " + Date::month_label(lever.from_month) + " is outside " +
                              Date::month_label(s.start_month) + " to " + Date::month_label(target.last_month) +
                              " (the run's start to the target's end); expected a month within it");
  SeekResult out;
  // One step of the bisection: n common-random-number replicates at lever value v, one plan vector.
  auto successes = [&](double v) {
    RunPlanVector plans = replicate_plans(base, n);
    for (RunPlan& plan : plans) {
      ParamOverride o = lever;
      o.value = v;
      plan.overrides = {o};
      plan.label = lever.name + " = " + number_text(v) + ": replicate " + plan.label.substr(plan.label.rfind(' ') + 1);
    }
    int k = 0;
    ex.execute(plans, [&](std::size_t, const RunPlan&, const Results& r) { k += target_met(r, target) ? 1 : 0; },
               progress);
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
  int k_hi = hi == lo ? k_lo : successes(hi);  // one value: evaluated once
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

/// Mean and 5th/95th percentiles over replicates, interpolated as every summary's (exact_quantile).
Band band_of(const std::vector<double>& xs) {
  Band b;
  if (xs.empty()) return b;
  double sum = 0;
  for (double x : xs) sum += x;
  b.mean = sum / static_cast<double>(xs.size());
  b.p5 = exact_quantile(xs, 0.05);
  b.p95 = exact_quantile(xs, 0.95);
  return b;
}

namespace {

/// Per replicate and province, what a year of prepayment did.
struct PrepayYear {
  std::vector<std::vector<std::int64_t>> peaks, quotas, gross2x;
  std::vector<std::vector<double>> topups, amounts;
  std::vector<int> reds;
  std::vector<std::int64_t> noisy, months;
  explicit PrepayYear(std::size_t P) : peaks(P), quotas(P), gross2x(P), topups(P), amounts(P), reds(P, 0), noisy(P, 0), months(P, 0) {}
  void add(const Results& res, int year) {
    const auto& month = res.data("months").i;
    const auto& out = res.data("prepayment/outstanding").i;
    const auto& quota = res.data("prepayment/quota").i;
    const auto& warning = res.data("prepayment/warning").i;
    const auto& asked = res.data("prepayment/topup_requested").i;
    const auto& flag = res.data("prepayment/noisy").i;
    const auto& gross = res.data("clearing/gross").i;
    const std::size_t P = peaks.size(), T = dim_size(Dim::treatment_province), M = res.months();
    std::vector<std::size_t> rows, before;
    for (std::size_t m = 0; m < M; ++m) {
      if (month[m] / 12 == year) rows.push_back(m);
      if (month[m] / 12 == year - 1) before.push_back(m);
    }
    for (std::size_t p = 0; p < P; ++p) {
      std::int64_t peak = 0, qmax = 0, sum = 0, amount = 0;
      int n_topups = 0;
      bool red = false;
      for (const std::size_t m : rows) {
        const std::size_t i = m * P + p;
        peak = std::max(peak, out[i]);
        qmax = std::max(qmax, quota[i]);
        red = red || warning[i] == 2;
        n_topups += asked[i] > 0 ? 1 : 0;
        amount += asked[i];
        noisy[p] += flag[i] == 1 ? 1 : 0;
        ++months[p];
      }
      for (const std::size_t m : before)
        for (std::size_t t = 0; t < T; ++t) sum += gross[(m * P + p) * T + t];
      const auto cnt = static_cast<std::int64_t>(before.size());
      peaks[p].push_back(peak);
      quotas[p].push_back(qmax);
      gross2x[p].push_back(cnt ? (2 * sum + cnt / 2) / cnt : 0);  // rounded to the fen
      topups[p].push_back(n_topups);
      amounts[p].push_back(static_cast<double>(amount));
      reds[p] += red ? 1 : 0;
    }
  }
};

/// The year `o.year` asks for, or the last one the scenario simulates in full (else its last).
int prepay_year(const Scenario& s, int asked) {
  const int first = s.start_month / 12, last = (s.start_month + s.months - 1) / 12;
  const std::string period = std::to_string(first) + (first == last ? "" : "–" + std::to_string(last));
  if (asked != 0) {
    if (asked < first || asked > last)
      throw ExperimentError("--year", "year", "expected a year the scenario simulates, " + period + ", got " + std::to_string(asked));
    return asked;
  }
  const int full = (s.start_month + s.months) / 12 - 1;  // the last year whose December is simulated
  return full >= first && (full > first || s.start_month % 12 == 0) ? full : last;
}
}  // namespace

QuotaProposal propose_quota(std::vector<std::int64_t> peaks, double alpha, std::int64_t red_bp) {
  if (peaks.empty()) throw std::invalid_argument("propose_quota: no replicate");
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("propose_quota: alpha outside (0, 1)");
  if (red_bp <= 0) throw std::invalid_argument("propose_quota: a red usage of 0");
  std::sort(peaks.begin(), peaks.end());
  const std::size_t n = peaks.size();
  const double want = (1.0 - alpha) * static_cast<double>(n + 1);
  const auto k = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(want - 1e-9)), 1, n);
  const std::int64_t q = peaks[k - 1];
  QuotaProposal out;
  out.peak_quantile = Money::fen(q);
  // usage_bp = ⌊peak × 10000 ÷ quota⌋ is below red_bp exactly when quota > peak × 10000 ÷ red_bp
  if (q > 0) {
    const Wide quota = static_cast<Wide>(q) * Ratio::kOne / red_bp + 1;
    if (quota > std::numeric_limits<std::int64_t>::max()) throw std::overflow_error("propose_quota: the quota exceeds int64 fen");
    out.quota = Money::fen(static_cast<std::int64_t>(quota));
  }
  out.exceedance = static_cast<double>(n + 1 - k) / static_cast<double>(n + 1);
  return out;
}

int QuotaProposal::replicates_needed(double alpha) { return static_cast<int>(std::ceil(1.0 / alpha - 1 - 1e-9)); }

PrepayResult prepay(const Scenario& s, const PrepayOptions& o, const RunExecutor& ex, const Progress& progress) {
  check_n(o.n);
  if (!(o.alpha > 0 && o.alpha < 1))
    throw ExperimentError("--red-probability", "red-probability", "expected a probability strictly between 0 and 1");
  PrepayResult result;
  result.year = prepay_year(s, o.year);
  const std::size_t P = dim_size(Dim::province);
  PrepayYear rule(P);
  ex.execute(replicate_plans(s, o.n), [&](std::size_t, const RunPlan&, const Results& res) { rule.add(res, result.year); },
             progress);
  const auto labels = dim_labels(Dim::province);
  const std::int64_t red_bp = s.clearing.red_usage.bp();
  for (std::size_t p = 0; p < P; ++p) {
    const QuotaProposal q = propose_quota(rule.peaks[p], o.alpha, red_bp);
    PrepayRow row;
    row.province = labels[p];
    row.peak_quantile = q.peak_quantile;
    row.proposed_quota = q.quota;
    row.exceedance = q.exceedance;
    row.rule_quota = median_money(rule.quotas[p]);
    row.rule_2x_gross = median_money(rule.gross2x[p]);
    row.red_replicates = rule.reds[p];
    row.topups = band_of(rule.topups[p]);
    row.topup_amount = band_of(rule.amounts[p]);
    row.noisy_share = rule.months[p] ? static_cast<double>(rule.noisy[p]) / static_cast<double>(rule.months[p]) : 0;
    result.rows.push_back(row);
  }
  if (!o.backtest) return result;
  Scenario fresh = s;
  fresh.seed = s.seed + static_cast<std::uint64_t>(o.n);
  fresh.name = s.name + " (backtest)";
  const Date jan = Date::first_of_month(result.year * 12);
  for (std::size_t p = 0; p < P; ++p) {
    const auto code = RegionCode::parse(labels[p]);
    if (!code) continue;
    auto& settings = fresh.clearing.quotas[*code];
    std::erase_if(settings, [&](const QuotaSetting& q) { return q.from.year() == result.year; });
    settings.push_back(QuotaSetting{jan, result.rows[p].proposed_quota});
    std::sort(settings.begin(), settings.end(), [](const QuotaSetting& a, const QuotaSetting& b) { return a.from < b.from; });
  }
  PrepayYear back(P);
  ex.execute(replicate_plans(fresh, o.n), [&](std::size_t, const RunPlan&, const Results& res) { back.add(res, result.year); },
             progress);
  for (std::size_t p = 0; p < P; ++p) {
    PrepayRow& row = result.rows[p];
    row.backtest_red = back.reds[p];
    row.backtest_interval = wilson95(back.reds[p], o.n);
    row.backtest_topups = band_of(back.topups[p]);
    row.backtest_topup_amount = band_of(back.amounts[p]);
  }
  return result;
}

std::string prepay_overlay(const Scenario& s, const PrepayResult& r, const std::string& base) {
  std::string out = "# yidi " + std::string(kVersion) + " prepayment proposal: quotas for " + std::to_string(r.year) +
                    " (docs/experiments.md, yidi prepay)\n";
  // The scale and months it was computed at (a command line may have overridden the base's).
  out += "name: " + s.name + "-quotas-" + std::to_string(r.year) + "\nextends: " + base + "\nscale: \"1:" +
         std::to_string(s.scale) + "\"\nmonths: " + std::to_string(s.months) + "\nclearing:\n  quotas:\n";
  for (const PrepayRow& row : r.rows) {
    if (row.proposed_quota.is_zero()) continue;
    char yi[32];
    std::snprintf(yi, sizeof yi, "%.2f", static_cast<double>(row.proposed_quota.fen()) / 1e10);
    out += "    \"" + row.province + "\": [{from: " + std::to_string(r.year) + "-01-01, quota: " + row.proposed_quota.str() +
           "}]  # " + yi + " 亿元\n";
  }
  return out;
}

}  // namespace yidi::sim
