#include "sim/engine/calibration.hpp"

#include <nlopt.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>

#include "sim/engine/export.hpp"
#include "sim/model/names.hpp"
#include "sim/model/params.hpp"
#include "sim/version.hpp"

namespace yidi::sim {
namespace {

/// Rows of `months` falling in `year`.
std::vector<std::size_t> rows_of(const Results& r, int year) {
  std::vector<std::size_t> out;
  const auto& m = r.data("months").i;
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i] / 12 == year) out.push_back(i);
  return out;
}

/// Σ over the given months (all of a static dataset's elements when `months` is empty) of an
/// integer dataset, for the elements whose index within a month's slice passes `keep`.
template <class Keep>
double sum(const Results& r, const std::string& name, const std::vector<std::size_t>& months, Keep keep) {
  const auto& d = dataset(name);
  const std::size_t n = Results::slice_size(d);
  const auto& v = r.data(name).i;
  double total = 0;
  const bool monthly = d.dims.front() == Dim::month;
  const std::vector<std::size_t> once = {0};
  for (std::size_t m : monthly ? months : once)
    for (std::size_t j = 0; j < n; ++j)
      if (keep(j)) total += static_cast<double>(v[(monthly ? m * n : 0) + j]);
  return total;
}

// offsite/* and intra/*: month × province × group × visit_type × path; in a slice
// j = ((p·G + g)·V + v)·P + path. funds/*: month × province × scheme. population/insured and
// local/*: (month ×) province × group.
std::size_t G() { return dim_size(Dim::group); }
std::size_t V() { return dim_size(Dim::visit_type); }
std::size_t NP() { return dim_size(Dim::path); }
std::size_t S() { return dim_size(Dim::scheme); }
std::size_t visit_of(std::size_t j) { return (j / NP()) % V(); }
std::size_t path_of(std::size_t j) { return j % NP(); }
std::size_t group_of(std::size_t j) { return (j / (NP() * V())) % G(); }
constexpr std::size_t kResidentGroup = 2;  // groups: in service, retired, resident
bool resident(std::size_t group) { return group == kResidentGroup; }

using Value = std::optional<double>;
using Fn = std::function<Value(const Results&, const std::vector<std::size_t>& months, int year)>;

/// A national measure of `yidi export` over the year (money in yuan).
Value export_value(const Results& r, const std::string& measure, int year) {
  ExportOptions o;
  o.level = ExportLevel::national;
  o.period = ExportPeriod::year;
  o.measures = {measure};
  const ExportTable t = export_table(r, o);
  const std::string label = std::to_string(year);
  for (const auto& row : t.rows) {
    if (t.periods[row.period] != label) continue;
    switch (row.value.kind) {
      case ExportValue::Kind::none: return std::nullopt;
      case ExportValue::Kind::integer: return static_cast<double>(row.value.i);
      case ExportValue::Kind::money: return static_cast<double>(row.value.i) / 100;
      case ExportValue::Kind::number: return row.value.f;
    }
  }
  return std::nullopt;
}

/// Cross-province direct settlements of visits passing `kind` (visit type), and their fund.
Fn direct(bool inpatient, bool outpatient, const char* ds, double unit) {
  return [=](const Results& r, const std::vector<std::size_t>& months, int) -> Value {
    return sum(r, ds, months, [&](std::size_t j) {
             const bool ip = visit_of(j) == 0;
             return path_of(j) == 0 && (ip ? inpatient : outpatient);
           }) /
           unit;
  };
}
/// A funds/* flow of one scheme (both: -1) over the year, in 亿元.
Fn fund_flow(const char* ds, int scheme) {
  return [=](const Results& r, const std::vector<std::size_t>& months, int) -> Value {
    return sum(r, ds, months, [&](std::size_t j) { return scheme < 0 || j % S() == static_cast<std::size_t>(scheme); }) /
           100 / 1e8;
  };
}
/// Insured persons of the groups passing `keep`, in 万人.
Fn insured(int scheme) {
  return [=](const Results& r, const std::vector<std::size_t>&, int) -> Value {
    return sum(r, "population/insured", {}, [&](std::size_t j) {
             return scheme < 0 || resident(j % G()) == (scheme == 1);
           }) /
           1e4;
  };
}
/// The scheme's inpatient stays (at home, in another province, in another pool of the province)
/// and their bills, in fen.
std::pair<double, double> stays_and_bills(const Results& r, const std::vector<std::size_t>& months, bool residents) {
  auto scheme_is = [&](std::size_t g) { return resident(g) == residents; };
  auto inpatient_of = [&](std::size_t j) { return visit_of(j) == 0 && scheme_is(group_of(j)); };
  const double stays = sum(r, "local/inpatient_stays", months, [&](std::size_t j) { return scheme_is(j % G()); }) +
                       sum(r, "offsite/visits", months, inpatient_of) + sum(r, "intra/visits", months, inpatient_of);
  const double bills = sum(r, "local/inpatient_medfee", months, [&](std::size_t j) { return scheme_is(j % G()); }) +
                       sum(r, "offsite/medfee", months, inpatient_of) + sum(r, "intra/medfee", months, inpatient_of);
  return {stays, bills};
}
Fn hospitalisation(bool residents) {
  return [=](const Results& r, const std::vector<std::size_t>& months, int) -> Value {
    const double people = *insured(residents ? 1 : 0)(r, months, 0) * 1e4;
    if (people <= 0) return std::nullopt;
    return stays_and_bills(r, months, residents).first / people * 100;
  };
}
Fn mean_cost(bool residents) {
  return [=](const Results& r, const std::vector<std::size_t>& months, int) -> Value {
    const auto [stays, bills] = stays_and_bills(r, months, residents);
    if (stays <= 0) return std::nullopt;
    return bills / 100 / stays;
  };
}
/// The scheme's balance and prepayment held at December's end, in 亿元.
Fn holdings(int scheme) {
  return [=](const Results& r, const std::vector<std::size_t>& months, int) -> Value {
    const std::vector<std::size_t> dec = {months.back()};
    auto of = [&](std::size_t j) { return j % S() == static_cast<std::size_t>(scheme); };
    return (sum(r, "funds/balance", dec, of) + sum(r, "funds/prepayment_held", dec, of)) / 100 / 1e8;
  };
}

struct Def {
  std::string name, unit, description;
  Fn fn;
};

std::vector<Def> make_defs() {
  std::vector<Def> d;
  d.push_back({"xprov_inpatient_ds_persontimes", "10k person-times",
               "cross-province inpatient stays settled directly (offsite/visits, inpatient, direct) ÷ 10⁴",
               direct(true, false, "offsite/visits", 1e4)});
  d.push_back({"xprov_inpatient_ds_fund", "100m yuan", "what the funds paid for them (offsite/fund) ÷ 10⁸",
               direct(true, false, "offsite/fund", 100 * 1e8)});
  d.push_back({"xprov_outpatient_ds_persontimes", "10k person-times",
               "cross-province outpatient visits (general, chronic, pharmacy) settled directly ÷ 10⁴",
               direct(false, true, "offsite/visits", 1e4)});
  d.push_back({"xprov_outpatient_ds_fund", "100m yuan", "what the funds paid for them ÷ 10⁸",
               direct(false, true, "offsite/fund", 100 * 1e8)});
  d.push_back({"xprov_ds_persontimes_total", "10k person-times", "every cross-province visit settled directly ÷ 10⁴",
               direct(true, true, "offsite/visits", 1e4)});
  d.push_back({"xprov_inpatient_ds_rate", "%",
               "the official rate, direct ÷ (direct + manual stays claimed), in % (cross_dsr_inpatient_official)",
               [](const Results& r, const std::vector<std::size_t>&, int year) -> Value {
                 const auto v = export_value(r, "cross_dsr_inpatient_official", year);
                 return v ? Value(*v * 100) : std::nullopt;
               }});
  d.push_back({"insured_total", "10k persons", "insured persons (population/insured) ÷ 10⁴: the run's fixed population, the same every year until dated insured counts (issue 15)", insured(-1)});
  d.push_back({"insured_employees", "10k persons", "insured employees, in service and retired, ÷ 10⁴", insured(0)});
  d.push_back({"insured_residents", "10k persons", "insured residents ÷ 10⁴", insured(1)});
  d.push_back({"bmi_fund_revenue_total", "100m yuan", "both schemes' contributions in (funds/income) ÷ 10⁸",
               fund_flow("funds/income", -1)});
  d.push_back({"bmi_fund_expenditure_total", "100m yuan", "both schemes' spending (funds/expenditure) ÷ 10⁸",
               fund_flow("funds/expenditure", -1)});
  d.push_back({"employee_fund_revenue", "100m yuan", "the employee funds' contributions ÷ 10⁸", fund_flow("funds/income", 0)});
  d.push_back({"employee_fund_expenditure", "100m yuan", "the employee funds' spending ÷ 10⁸",
               fund_flow("funds/expenditure", 0)});
  d.push_back({"resident_fund_revenue", "100m yuan", "the resident funds' contributions ÷ 10⁸", fund_flow("funds/income", 1)});
  d.push_back({"resident_fund_expenditure", "100m yuan", "the resident funds' spending ÷ 10⁸",
               fund_flow("funds/expenditure", 1)});
  d.push_back({"resident_fund_cumulative_balance", "100m yuan",
               "the resident funds' balance plus prepayment held at December's end ÷ 10⁸", holdings(1)});
  d.push_back({"resident_fund_months_payable", "months",
               "the resident funds' December holdings ÷ the year's average monthly spending",
               [](const Results& r, const std::vector<std::size_t>& months, int) -> Value {
                 const double spent = *fund_flow("funds/expenditure", 1)(r, months, 0);
                 if (spent <= 0) return std::nullopt;
                 return *holdings(1)(r, months, 0) / (spent / 12);
               }});
  d.push_back({"employee_hospitalisation_rate", "%",
               "employees' inpatient stays (at home, in another province, in another pool) ÷ insured employees, in %",
               hospitalisation(false)});
  d.push_back({"resident_hospitalisation_rate", "%", "likewise for residents", hospitalisation(true)});
  d.push_back({"employee_avg_inpatient_cost", "yuan", "employees' inpatient bills ÷ their stays", mean_cost(false)});
  d.push_back({"resident_avg_inpatient_cost", "yuan", "likewise for residents", mean_cost(true)});
  return d;
}

const std::vector<CalibrationMeasure>& measures() {
  static const std::vector<CalibrationMeasure> out = [] {
    std::vector<CalibrationMeasure> v;
    for (auto& d : make_defs()) {
      Fn fn = d.fn;
      v.push_back({d.name, d.unit, d.description, [fn](const Results& r, int year) -> Value {
                     const auto months = rows_of(r, year);
                     if (months.size() != 12) return std::nullopt;
                     return fn(r, months, year);
                   }});
    }
    return v;
  }();
  return out;
}

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}
}  // namespace

const std::vector<CalibrationMeasure>& calibration_measures() { return measures(); }

const CalibrationMeasure* find_calibration_measure(const std::string& name) {
  for (const auto& m : measures())
    if (m.name == name) return &m;
  return nullptr;
}

std::string calibration_measure_names() {
  std::string out;
  for (const auto& m : measures()) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}

std::vector<int> whole_years(const Results& r) {
  std::map<std::int64_t, int> count;
  for (auto m : r.data("months").i) ++count[m / 12];
  std::vector<int> out;
  for (const auto& [y, n] : count)
    if (n == 12) out.push_back(static_cast<int>(y));
  return out;
}

bool CalibrationRow::met() const {
  if (!has_value) return false;
  switch (target.op) {
    case CalibrationTarget::Op::at_most: return model <= target.value;
    case CalibrationTarget::Op::at_least: return model >= target.value;
    case CalibrationTarget::Op::equal: break;
  }
  return std::abs(model - target.value) <= target.tolerance * std::abs(target.value) * (1 + 1e-12);
}

double CalibrationRow::penalty() const {
  if (!has_value) return 100;
  // A bound on its side costs nothing, whatever the value (a rate of 0 below "at most 5%").
  if (target.op == CalibrationTarget::Op::at_most && model <= target.value) return 0;
  if (target.op == CalibrationTarget::Op::at_least && model >= target.value) return 0;
  if (model <= 0 || target.value <= 0) return 100;
  const double scale = std::log1p(std::max(target.tolerance, 0.01));
  const double x = std::log(model / target.value) / scale;
  switch (target.op) {
    case CalibrationTarget::Op::at_most: return x > 0 ? x * x : 0;
    case CalibrationTarget::Op::at_least: return x < 0 ? x * x : 0;
    case CalibrationTarget::Op::equal: break;
  }
  return x * x;
}

std::vector<CalibrationRow> calibration(const Results& r, const std::vector<CalibrationTarget>& targets) {
  const auto years = whole_years(r);
  std::vector<CalibrationRow> out;
  for (const auto& t : targets) {
    if (!std::binary_search(years.begin(), years.end(), t.year)) continue;
    const CalibrationMeasure* m = find_calibration_measure(t.measure);
    if (!m) throw std::invalid_argument("unknown calibration measure '" + t.measure + "'");
    CalibrationRow row{t};
    if (const auto v = m->value(r, t.year)) {
      row.model = *v;
      row.has_value = true;
    }
    out.push_back(row);
  }
  return out;
}

std::string calibration_markdown(const std::vector<CalibrationRow>& rows, std::size_t targets_in_file) {
  std::string out = "| year | measure | model | data | model ÷ data | within | source |\n|---|---|---|---|---|---|---|\n";
  std::size_t met = 0;
  for (const auto& row : rows) {
    const auto& t = row.target;
    const std::string data = t.op == CalibrationTarget::Op::equal
                                 ? fmt("%.6g", t.value) + " ±" + fmt("%.0f", t.tolerance * 100) + "%"
                                 : (t.op == CalibrationTarget::Op::at_most ? "≤ " : "≥ ") + fmt("%.6g", t.value);
    met += row.met() ? 1 : 0;
    out += "| " + std::to_string(t.year) + " | " + t.measure + " | " + (row.has_value ? fmt("%.6g", row.model) : "–") +
           " | " + data + " | " + (row.has_value ? fmt("%.3f", row.ratio()) : "–") + " | " +
           (row.met() ? "yes" : "**no**") + " | " + t.source + " |\n";
  }
  out += "\n" + std::to_string(met) + " of " + std::to_string(rows.size()) + " targets met; " +
         std::to_string(targets_in_file - rows.size()) + " not covered by the run's years.\n";
  return out;
}

CalibrationParam calibration_param(const Scenario& s, const std::string& name, int year, double lo, double hi,
                                   const std::string& source) {
  const ParamDef* d = find_param(name);
  if (!d) {
    std::vector<std::string> names;
    for (const auto& x : param_defs()) names.push_back(x.name);
    throw ExperimentError(source, name, "no such parameter" + did_you_mean_text(name, names));
  }
  const bool dated = d->kind == ParamDef::Kind::series;
  if (dated && year == 0)
    throw ExperimentError(source, name, "a dated parameter is fitted at its points of one year; expected " + name + "@YYYY");
  if (!dated && year != 0) throw ExperimentError(source, name, "a number parameter has no dated points; expected " + name);
  const auto v = param_at(s.params, *d, year);
  if (!v)
    throw ExperimentError(source, name, "has no point dated in " + std::to_string(year) +
                                            "; expected a year the scenario's series has a point in");
  if (!(lo < hi) || lo < d->min || hi > d->max)
    throw ExperimentError(source, name,
                          "expected a range LO < HI within the parameter's " + fmt("%.6g", d->min) + "–" +
                              fmt("%.6g", d->max) + ", got " + fmt("%.6g", lo) + ":" + fmt("%.6g", hi));
  return {name, lo, hi, std::clamp(*v, lo, hi), year};
}

std::vector<CalibrationParam> calibrated_params(const Scenario& s) {
  std::vector<CalibrationParam> out;
  for (const auto& d : param_defs())
    if (d.calibrated()) out.push_back(calibration_param(s, d.name, d.fit_year, d.fit_lo, d.fit_hi, "calibrate"));
  return out;
}

namespace {
/// The scenario with the parameters at `values`.
Scenario at_values(const Scenario& s, const std::vector<CalibrationParam>& ps, const std::vector<double>& values) {
  Scenario out = s;
  for (std::size_t k = 0; k < ps.size(); ++k) {
    if (ps[k].year == 0) {
      out = with_param(out, ps[k].name, values[k], "calibrate");
      continue;
    }
    set_param_at(out.params, *find_param(ps[k].name), ps[k].year, values[k]);
  }
  return out;
}

/// The rows over `seeds` replicates' mean values (a value missing in a replicate: missing).
std::vector<CalibrationRow> mean_rows(const Scenario& s, const std::vector<CalibrationTarget>& targets, int seeds,
                                      const RunExecutor& ex, const Progress& progress, const std::string& label) {
  RunPlanVector plans;
  for (int r = 0; r < seeds; ++r)
    plans.push_back({s, s.seed + static_cast<std::uint64_t>(r), {},
                     label + ": seed " + std::to_string(r + 1) + "/" + std::to_string(seeds)});
  std::vector<CalibrationRow> acc;
  ex.execute(
      plans,
      [&](std::size_t i, const RunPlan&, const Results& res) {
        auto rows = calibration(res, targets);
        if (i == 0) {
          acc = std::move(rows);
          return;
        }
        for (std::size_t k = 0; k < acc.size(); ++k) {
          acc[k].model += rows[k].model;
          acc[k].has_value = acc[k].has_value && rows[k].has_value;
        }
      },
      progress);
  for (auto& row : acc) row.model /= seeds;
  return acc;
}

double objective(const std::vector<CalibrationRow>& rows, int fit_until) {
  double total = 0;
  for (const auto& row : rows)
    if (row.target.year <= fit_until) total += row.penalty();
  return total;
}
}  // namespace

CalibrateResult calibrate(const Scenario& s_in, const CalibrateOptions& o, const RunExecutor& ex, const Progress& progress) {
  if (o.params.empty()) throw ExperimentError("calibrate", "params", "expected at least one parameter to fit");
  if (o.seeds < 1) throw ExperimentError("calibrate", "seeds", "expected at least 1 seed");
  if (o.max_evaluations < 1) throw ExperimentError("calibrate", "max-evaluations", "expected at least 1 evaluation");
  std::set<std::string> labels;
  for (const auto& p : o.params) {
    calibration_param(s_in, p.name, p.year, p.lo, p.hi, "calibrate");  // checks it
    if (!labels.insert(p.label()).second)
      throw ExperimentError("calibrate", p.label(), "given twice; expected each parameter (and year) once");
  }
  // The fit is of the parameters' values: the scenario's own draws (uncertainty:) would replace
  // them in every run.
  Scenario s = s_in;
  s.uncertainty.clear();
  // Which targets the scenario's years cover (one year = 12 months from the start month).
  std::vector<int> years;
  {
    std::map<int, int> count;
    for (int m = 0; m < s.months; ++m) ++count[(s.start_month + m) / 12];
    for (const auto& [y, n] : count)
      if (n == 12) years.push_back(y);
  }
  CalibrateResult out;
  for (const auto& t : o.targets)
    if (t.year <= o.fit_until && std::binary_search(years.begin(), years.end(), t.year)) ++out.fitted_targets;
  if (out.fitted_targets == 0)
    throw ExperimentError("calibrate", "targets",
                          "no target of a year the run covers whole" +
                              (o.fit_until < 9999 ? " up to " + std::to_string(o.fit_until) : std::string()) +
                              "; expected the run to cover the targets' years (--months, the scenario's start)");

  const std::size_t n = o.params.size();
  auto scaled = [&](const std::vector<double>& x) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = o.params[k].lo + std::clamp(x[k], 0.0, 1.0) * (o.params[k].hi - o.params[k].lo);
    return v;
  };
  std::vector<double> x0(n);
  for (std::size_t k = 0; k < n; ++k)
    x0[k] = (std::clamp(o.params[k].start, o.params[k].lo, o.params[k].hi) - o.params[k].lo) / (o.params[k].hi - o.params[k].lo);
  out.start = scaled(x0);

  // One evaluation: the seeds' mean rows at `values`, recorded; the best point kept.
  std::vector<CalibrationRow> best_rows;
  // Progress by evaluation: "[k/N] evaluation k", N the most there can be (the fit's limit, and
  // with the profile at most 7 a side a parameter), so the percentage and the ETA are the
  // command's, not one evaluation's.
  const std::size_t most = static_cast<std::size_t>(o.max_evaluations) + (o.profile ? 14 * n : 0);
  std::function<double(const std::vector<double>&)> evaluate = [&](const std::vector<double>& values) {
    const std::size_t k = out.evaluations.size() + 1;
    const std::string label = "evaluation " + std::to_string(k);
    if (progress) progress("[" + std::to_string(std::min(k, most)) + "/" + std::to_string(most) + "] " + label);
    const auto rows = mean_rows(at_values(s, o.params, values), o.targets, o.seeds, ex, Progress{}, label);
    const double obj = objective(rows, o.fit_until);
    if (out.evaluations.empty()) {
      out.start_objective = obj;
      out.start_rows = rows;
    }
    out.evaluations.push_back({values, obj});
    if (out.evaluations.size() == 1 || obj < out.best_objective) {
      out.best_objective = obj;
      out.best = values;
      best_rows = rows;
    }
    return obj;
  };
  // NLopt turns an exception thrown in the objective into its own "nlopt failure": keep ours,
  // stop the optimiser and rethrow it after.
  nlopt::opt opt(nlopt::LN_BOBYQA, static_cast<unsigned>(n));
  struct State {
    std::function<std::vector<double>(const std::vector<double>&)> scaled;
    std::function<double(const std::vector<double>&)>* evaluate;
    nlopt::opt* opt;
    std::exception_ptr error;
  } st{scaled, &evaluate, &opt, nullptr};
  auto f = [](const std::vector<double>& x, std::vector<double>&, void* data) -> double {
    auto& state = *static_cast<State*>(data);
    try {
      return (*state.evaluate)(state.scaled(x));
    } catch (...) {
      state.error = std::current_exception();
      state.opt->force_stop();
      return HUGE_VAL;
    }
  };
  // BOBYQA builds a quadratic model from 2n+1 points (for one parameter too). The initial step
  // is a fifth of each range.
  opt.set_lower_bounds(std::vector<double>(n, 0.0));
  opt.set_upper_bounds(std::vector<double>(n, 1.0));
  opt.set_initial_step(std::vector<double>(n, 0.2));
  opt.set_xtol_abs(o.tolerance);  // of each scaled range
  opt.set_maxeval(o.max_evaluations);
  opt.set_min_objective(f, &st);
  std::vector<double> x = x0;
  double fx = 0;
  try {
    const nlopt::result res = opt.optimize(x, fx);
    switch (res) {
      case nlopt::MAXEVAL_REACHED: out.stop_reason = "the evaluation limit"; break;
      case nlopt::XTOL_REACHED: out.stop_reason = "the parameters' tolerance"; break;
      case nlopt::FTOL_REACHED: out.stop_reason = "the objective's tolerance"; break;
      case nlopt::STOPVAL_REACHED: out.stop_reason = "the objective's target"; break;
      default: out.stop_reason = "converged"; break;
    }
  } catch (const nlopt::roundoff_limited&) {
    out.stop_reason = "round-off (the best point found is kept)";
  } catch (const nlopt::forced_stop&) {
    if (!st.error) throw;
  }
  if (st.error) std::rethrow_exception(st.error);
  out.fit_evaluations = out.evaluations.size();
  const std::vector<CalibrationRow> fitted_rows = best_rows;
  const double f0 = out.best_objective;
  const std::vector<double> best = out.best;
  if (o.profile) {
    // One parameter at a time from the fit, the others held: out in steps of 5%, 10%, 20%, 40% of
    // the range until the objective has risen by 1, then 3 bisections; the edge is the last point
    // inside. Evaluations here never replace the fit (a lower one is reported as found).
    for (std::size_t k = 0; k < n; ++k) {
      CalibrationRange range;
      for (int dir : {-1, 1}) {
        const double width = o.params[k].hi - o.params[k].lo;
        double inside = best[k], outside = NAN, step = 0.05 * width;
        bool at_bound = false;
        auto value_at = [&](double v) {
          std::vector<double> values = best;
          values[k] = v;
          return evaluate(values);
        };
        for (int i = 0; i < 4 && std::isnan(outside); ++i, step *= 2) {
          const double v = std::clamp(best[k] + dir * step, o.params[k].lo, o.params[k].hi);
          if (value_at(v) - f0 >= 1) outside = v;
          else inside = v;
          if (v == o.params[k].lo || v == o.params[k].hi) {
            at_bound = std::isnan(outside);
            break;
          }
        }
        for (int i = 0; i < 3 && !std::isnan(outside); ++i) {
          const double mid = (inside + outside) / 2;
          if (value_at(mid) - f0 >= 1) outside = mid;
          else inside = mid;
        }
        (dir < 0 ? range.low : range.high) = inside;
        (dir < 0 ? range.low_open : range.high_open) = std::isnan(outside) && !at_bound;
      }
      out.ranges.push_back(range);
    }
    out.profile_found_lower = out.best_objective < f0;
  }
  // The fit is BOBYQA's best, whatever the profile found.
  out.best = best;
  out.best_objective = f0;
  out.best_rows = fitted_rows;
  return out;
}

std::string calibrated_overlay(const Scenario& s, const CalibrateOptions& o, const CalibrateResult& r,
                               const std::string& base) {
  std::string out = "# yidi " + std::string(kVersion) + " calibration (docs/calibration.md, yidi calibrate): " +
                    std::to_string(r.fit_evaluations) + " evaluations of " + std::to_string(o.seeds) +
                    (o.seeds == 1 ? " seed" : " seeds") + " from " + std::to_string(s.seed) + " at 1:" + std::to_string(s.scale) + ", " +
                    std::to_string(r.fitted_targets) + " targets fitted" +
                    (o.fit_until < 9999 ? " (years up to " + std::to_string(o.fit_until) + ")" : std::string()) +
                    "; objective " + fmt("%.6g", r.start_objective) + " -> " + fmt("%.6g", r.best_objective) + "\n";
  // A scenario name has at most 64 characters; the base path is quoted (it may hold ": " or " #").
  std::string quoted = "\"";
  for (char c : base) quoted += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  quoted += "\"";
  out += "name: " + s.name.substr(0, 64 - 11) + "-calibrated\nextends: " + quoted + "\nparams:\n";
  const auto text = [](double v) { return ExportValue{ExportValue::Kind::number, 0, v}.text(); };
  const Scenario fitted = at_values(s, o.params, r.best);
  std::set<std::string> written;
  for (std::size_t k = 0; k < o.params.size(); ++k) {
    const auto& p = o.params[k];
    std::string note = p.label() + " was " + fmt("%.6g", r.start[k]) + ", fitted in " + fmt("%.6g", p.lo) + "–" +
                       fmt("%.6g", p.hi);
    if (p.year == 0) {
      out += "  " + p.name + ": " + text(r.best[k]) + "  # " + note + "\n";
      continue;
    }
    if (!written.insert(p.name).second) {
      out += "  # " + note + " (above)\n";
      continue;
    }
    // The whole series, its points of every fitted year set.
    std::string points;
    for (const auto& [m, v] : (fitted.params.*(find_param(p.name)->series)).points)
      points += (points.empty() ? "" : ", ") + month_label(m) + ": " + text(v);
    out += "  " + p.name + ": {" + points + "}  # " + note + "\n";
  }
  // The scenario's own uncertain entries for fitted parameters would draw over the fit: each is
  // replaced by the profile's range, or dropped (none).
  std::vector<std::string> entries;
  for (std::size_t k = 0; k < o.params.size(); ++k) {
    const std::string label = o.params[k].label();
    const bool inherited = std::any_of(s.uncertainty.begin(), s.uncertainty.end(),
                                       [&](const UncertainParam& u) { return u.label() == label; });
    if (!r.ranges.empty() && r.ranges[k].low < r.ranges[k].high) {
      const auto& g = r.ranges[k];
      entries.push_back("  " + label + ": {low: " + text(g.low) + ", high: " + text(g.high) + "}" +
                        (g.low_open || g.high_open ? "  # the objective rose by less than 1 within 40% of the range" : ""));
    } else if (inherited) {
      entries.push_back("  " + label + ": none  # the base scenario's draws would replace the fitted value");
    }
  }
  if (!entries.empty()) {
    if (!r.ranges.empty())
      out += "# Each replicate draws these uniformly (docs/calibration.md): one at a time from the fit, the others\n"
             "# held, where the objective has risen by less than 1.\n";
    out += "uncertainty:\n";
    for (const auto& e : entries) out += e + "\n";
  }
  return out;
}

}  // namespace yidi::sim
