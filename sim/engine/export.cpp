#include "sim/engine/export.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "sim/model/names.hpp"

namespace yidi::sim {
std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) throw std::overflow_error("a sum of fen does not fit in 64 bits");
  return out;
}

namespace {

/// Where a measure's numbers come from at one level: a dataset, summed over the dimensions not
/// kept, with some dimensions fixed to one label (visit type, path, scheme).
struct Source {
  std::string dataset;
  std::vector<std::pair<Dim, std::size_t>> fixed;
  Dim by = Dim::province;  // the unit's dimension: province, treatment_province or region
  bool empty() const { return dataset.empty(); }
};

enum class Agg : std::uint8_t {
  sum,             // flows: the period's months summed (integers, exact)
  last,            // stocks: the period's last month (months payable nationally: Σ held ÷ Σ (held ÷ months payable))
  ratio,           // Σ num ÷ Σ (den...), over the period's months
  max,             // the largest month (a float dataset; NaN months left out)
  count,           // months whose flag equals `flag`
  se,              // √(p(1−p)/n): p the ratio, n Σ over the period of `sample`
};

struct Def {
  ExportMeasure m;
  Agg agg = Agg::sum;
  bool money = false;
  std::int64_t flag = 0;
  Source national, province, region;                // num (or the flow / stock) at each level
  std::vector<Source> den_national, den_province, den_region;  // ratio denominators, summed
  Source sample_region;                             // se: the sampled stays
};

constexpr std::size_t kInpatient = 0, kDirect = 0, kEmployee = 0, kResident = 1;

Source P(std::string ds, std::vector<std::pair<Dim, std::size_t>> fixed = {}) { return {std::move(ds), std::move(fixed), Dim::province}; }
Source R(std::string ds, std::vector<std::pair<Dim, std::size_t>> fixed = {}) { return {std::move(ds), std::move(fixed), Dim::region}; }

std::vector<Def> make_defs() {
  std::vector<Def> d;
  auto add = [&](std::string name, std::string unit, std::string desc, Agg agg, bool money, Source prov, Source reg,
                 bool national = true) {
    Def x;
    x.m = {std::move(name), std::move(unit), std::move(desc), national && !prov.empty(), !prov.empty(), !reg.empty()};
    x.agg = agg;
    x.money = money;
    x.province = prov;
    x.national = national ? prov : Source{};
    x.region = std::move(reg);
    d.push_back(std::move(x));
    return d.size() - 1;
  };
  const auto ip = std::make_pair(Dim::visit_type, kInpatient);
  const auto direct = std::make_pair(Dim::path, kDirect);
  add("insured", "persons", "insured persons (full scale)", Agg::last, false, P("population/insured"), R("region/insured"));
  add("away", "persons", "insured persons living in another pool at the period's last month end (scaled)", Agg::last,
      false, P("population/away"), R("region/away"));
  for (const char* w : {"cross", "intra"}) {
    const std::string where = w;
    const bool cross = where == "cross";
    const std::string g = cross ? "offsite/" : "intra/", rg = cross ? "region/offsite_" : "region/intra_";
    const std::string what = cross ? "cross-province (跨省)" : "intra-province in another pool (省内异地)";
    const std::size_t stays = add(where + "_inpatient_stays", "visits", what + " inpatient stays, both paths (scaled)",
                                  Agg::sum, false, P(g + "visits", {ip}), R(rg + "visits", {ip}));
    add(where + "_inpatient_direct", "visits", what + " inpatient stays settled directly (scaled)", Agg::sum, false,
        P(g + "visits", {ip, direct}), R(rg + "visits", {ip, direct}));
    {
      Def x;
      x.m = {where + "_dsr_inpatient", "ratio",
             what + " inpatient direct-settlement rate: direct ÷ all stays, over the period's months", true, true, true};
      x.agg = Agg::ratio;
      x.national = x.province = P(g + "visits", {ip, direct});
      x.region = R(rg + "visits", {ip, direct});
      x.den_national = x.den_province = {d[stays].province};
      x.den_region = {d[stays].region};
      d.push_back(x);
      Def se;
      se.m = {where + "_dsr_inpatient_se", "ratio",
              "sampling standard error of " + where + "_dsr_inpatient: √(p(1−p)/n) over the period's sampled stays",
              false, false, true};
      se.agg = Agg::se;
      se.region = x.region;
      se.den_region = x.den_region;
      se.sample_region = R(cross ? "region/sample_inpatient" : "region/intra_sample_inpatient");
      d.push_back(se);
    }
    add(where + "_inpatient_sampled", "stays", "sampled " + what + " inpatient stays behind the pool's rate", Agg::sum,
        false, Source{}, R(cross ? "region/sample_inpatient" : "region/intra_sample_inpatient"));
    add(where + "_inpatient_claimed", "visits",
        "manual-path inpatient stays whose patients claim reimbursement (scaled)", Agg::sum, false,
        P(g + "manual_claimed_inpatient"), Source{});
    {
      Def x;
      x.m = {where + "_dsr_inpatient_official", "ratio",
             "the rate as officially counted: direct ÷ (direct + manual stays claimed)", true, true, false};
      x.agg = Agg::ratio;
      x.national = x.province = P(g + "visits", {ip, direct});
      x.den_national = x.den_province = {P(g + "visits", {ip, direct}), P(g + "manual_claimed_inpatient")};
      d.push_back(x);
    }
    add(where + "_visits", "visits", what + " visits of every type (inpatient, outpatient, pharmacy), both paths (scaled)",
        Agg::sum, false, P(g + "visits"), R(rg + "visits"));
    add(where + "_medfee", "yuan", what + " visits' total bills (medfee_sumamt)", Agg::sum, true, P(g + "medfee"), Source{});
    add(where + "_fund", "yuan",
        "what the funds pay for " + what + " visits (manual path: the entitlement, paid only if claimed)", Agg::sum, true,
        P(g + "fund"), R(rg + "fund"));
    add(where + "_fund_direct", "yuan", "of which settled directly", Agg::sum, true, P(g + "fund", {direct}),
        R(rg + "fund", {direct}));
    add(where + "_individual", "yuan", "the individuals' burden of " + what + " visits (psn_part_amt = medfee − fund)",
        Agg::sum, true, P(g + "individual"), Source{});
  }
  add("local_inpatient_stays", "visits", "inpatient stays at home (scaled)", Agg::sum, false, P("local/inpatient_stays"), Source{});
  add("local_inpatient_fund", "yuan", "what the funds paid for them", Agg::sum, true, P("local/inpatient_fund"), Source{});
  add("clearing_paid", "yuan", "cleared: what the insured province paid the treatment provinces", Agg::sum, true,
      P("clearing/gross"), Source{});
  {
    Def x;
    x.m = {"clearing_received", "yuan", "cleared: what the province received as a treatment province", true, true, false};
    x.money = true;
    x.national = x.province = Source{"clearing/gross", {}, Dim::treatment_province};
    d.push_back(x);
  }
  add("clearing_net", "yuan", "multilateral net position cleared (receivable − payable); 0 nationally", Agg::sum, true,
      P("clearing/net"), Source{}, false);
  add("prepayment_quota", "yuan", "cross-province prepayment quota at the period's last month end", Agg::last, true,
      P("prepayment/quota"), Source{});
  add("prepayment_outstanding", "yuan", "settled but not yet cleared at the period's last month end", Agg::last, true,
      P("prepayment/outstanding"), Source{});
  add("prepayment_peak_outstanding", "yuan", "the largest month-end outstanding (settled, not yet cleared) in the period",
      Agg::max, true, P("prepayment/outstanding"), Source{}, false);
  add("prepayment_peak_usage", "ratio", "the highest month-end usage (outstanding ÷ quota) in the period", Agg::max,
      false, P("prepayment/usage"), Source{}, false);
  {
    const std::size_t i = add("prepayment_red_months", "months", "months ending red (usage ≥ 90%, a top-up asked)",
                              Agg::count, false, P("prepayment/warning"), Source{}, false);
    d[i].flag = 2;
  }
  add("prepayment_topup_requested", "yuan", "emergency top-ups asked for", Agg::sum, true,
      P("prepayment/topup_requested"), Source{});
  {
    Def x;
    x.m = {"prepayment_topups_paid", "yuan", "emergency top-ups paid, national", true, false, false};
    x.money = true;
    x.national = Source{"prepayment/topups_paid", {}, Dim::month};
    d.push_back(x);
  }
  for (const auto& [scheme, s] : {std::pair<std::string, std::size_t>{"employee", kEmployee}, {"resident", kResident}}) {
    const auto fs = std::make_pair(Dim::scheme, s);
    add("fund_balance_" + scheme, "yuan", "the " + scheme + " pooling funds' balance at the period's last month end",
        Agg::last, true, P("funds/balance", {fs}), R("region/fund_balance", {fs}));
    add("fund_income_" + scheme, "yuan", "contributions in", Agg::sum, true, P("funds/income", {fs}), Source{});
    add("fund_expenditure_" + scheme, "yuan", "spending: local benefits, clearing, manual reimbursements, less clawbacks",
        Agg::sum, true, P("funds/expenditure", {fs}), Source{});
    {
      Def x;
      x.m = {"months_payable_" + scheme, "months",
             "(balance + prepayment held) ÷ average monthly expenditure of the trailing 12 months, at the period's last "
             "month; nationally the provinces' holdings ÷ their average spending, summed",
             true, true, true};
      x.agg = Agg::last;
      x.province = P("funds/months_payable", {fs});
      x.region = R("region/months_payable", {fs});
      x.national = x.province;
      x.den_national = {P("funds/balance", {fs}), P("funds/prepayment_held", {fs})};
      d.push_back(x);
    }
    {
      const std::size_t i = add("below_floor_months_" + scheme, "months", "months with months payable below 6 [seed 003]",
                                Agg::count, false, P("funds/below_floor", {fs}), R("region/below_floor", {fs}), false);
      d[i].flag = 1;
    }
    {
      const std::size_t i = add("below_zero_months_" + scheme, "months", "months ending with the fund below zero",
                                Agg::count, false, Source{}, R("region/below_zero", {fs}), false);
      d[i].flag = 1;
    }
  }
  return d;
}

const std::vector<Def>& defs() {
  static const std::vector<Def> d = make_defs();
  return d;
}


/// One dataset of the results, read by coordinates.
class View {
public:
  View(const Results& r, const std::string& name) : spec_(dataset(name)), data_(r.data(name)) {
    for (Dim d : spec_.dims)
      if (d != Dim::month) ext_.push_back(r.extent(d));
    monthly_ = spec_.dims.front() == Dim::month;
    slice_ = 1;
    for (auto e : ext_) slice_ *= e;
  }
  /// The month's slice (or the whole of a static dataset) summed into `units` cells by the
  /// dimension `by` (Dim::month: one cell), keeping only the fixed coordinates.
  std::vector<std::int64_t> sums(std::size_t month, const Source& s, std::size_t units) const {
    std::vector<std::int64_t> out(units, 0);
    visit(month, s, [&](std::size_t unit, std::size_t i) { out[unit] = checked_add(out[unit], data_.i[i]); });
    return out;
  }
  std::vector<double> floats(std::size_t month, const Source& s, std::size_t units) const {
    std::vector<double> out(units, 0.0);
    visit(month, s, [&](std::size_t unit, std::size_t i) { out[unit] += data_.f[i]; });
    return out;
  }
  bool integer() const { return spec_.integer; }

private:
  template <class F>
  void visit(std::size_t month, const Source& s, F&& f) const {
    const std::size_t base = monthly_ ? month * slice_ : 0;
    std::vector<Dim> dims;
    for (Dim d : spec_.dims)
      if (d != Dim::month) dims.push_back(d);
    std::vector<std::size_t> at(dims.size(), 0);
    for (std::size_t k = 0; k < slice_; ++k) {
      // coordinates of element k (C order)
      std::size_t rest = k;
      for (std::size_t j = dims.size(); j-- > 0;) {
        at[j] = rest % ext_[j];
        rest /= ext_[j];
      }
      bool keep = true;
      std::size_t unit = 0;
      for (std::size_t j = 0; j < dims.size() && keep; ++j) {
        for (const auto& [d, v] : s.fixed)
          if (d == dims[j] && at[j] != v) keep = false;
        if (dims[j] == s.by) unit = at[j];
      }
      if (keep) f(unit, base + k);
    }
  }
  const DatasetSpec& spec_;
  const Series64& data_;
  std::vector<std::size_t> ext_;
  std::size_t slice_ = 1;
  bool monthly_ = true;
};

std::string shortest(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string month_label(std::int64_t m) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld", static_cast<long long>(m / 12), static_cast<long long>(m % 12 + 1));
  return buf;
}

std::string period_label(ExportPeriod p, std::int64_t first_month, std::int64_t last_month) {
  switch (p) {
    case ExportPeriod::month: return month_label(first_month);
    case ExportPeriod::quarter: return std::to_string(first_month / 12) + "Q" + std::to_string(first_month % 12 / 3 + 1);
    case ExportPeriod::year: return std::to_string(first_month / 12);
    case ExportPeriod::all: return month_label(first_month) + ".." + month_label(last_month);
  }
  return "";
}

const char* level_name(ExportLevel l) {
  return l == ExportLevel::national ? "national" : l == ExportLevel::province ? "province" : "region";
}
const char* period_name(ExportPeriod p) {
  return p == ExportPeriod::month ? "month" : p == ExportPeriod::quarter ? "quarter" : p == ExportPeriod::year ? "year" : "all";
}

const std::vector<ExportMeasure>& export_measures() {
  static const std::vector<ExportMeasure> m = [] {
    std::vector<ExportMeasure> out;
    for (const auto& d : defs()) out.push_back(d.m);
    return out;
  }();
  return m;
}

std::string ExportValue::text() const {
  switch (kind) {
    case Kind::none: return "";
    case Kind::integer: return std::to_string(i);
    case Kind::money: {
      const bool neg = i < 0;
      // |i| without overflow for the most negative value
      const unsigned long long a = neg ? 0ULL - static_cast<unsigned long long>(i) : static_cast<unsigned long long>(i);
      char buf[40];
      std::snprintf(buf, sizeof buf, "%s%llu.%02llu", neg ? "-" : "", a / 100, a % 100);
      return buf;
    }
    case Kind::number: return std::isnan(f) ? "" : shortest(f);
  }
  return "";
}

void export_units(const Results& r, ExportLevel level, std::vector<std::string>& codes, std::vector<std::string>& names,
                  std::vector<std::string>& names_en) {
  const RunLabels& l = r.run_labels();
  auto fill = [](std::vector<std::string> v, std::size_t n) {
    v.resize(n);
    return v;
  };
  if (level == ExportLevel::national) {
    codes = {"000000"};
    names = {"全国"};
    names_en = {"National"};
  } else if (level == ExportLevel::province) {
    codes = l.provinces;
    names = fill(l.province_names, codes.size());
    names_en = fill(l.province_names_en, codes.size());
  } else {
    codes = l.regions;
    names = fill(l.region_names, codes.size());
    names_en = fill(l.region_names_en, codes.size());
  }
}

ExportTable export_table(const Results& r, const ExportOptions& o) {
  ExportTable t;
  t.level = o.level;
  export_units(r, o.level, t.codes, t.names, t.names_en);
  // The measures asked for, checked before any work.
  std::vector<std::size_t> measures;
  std::vector<std::string> all_names;
  for (const auto& d : defs()) all_names.push_back(d.m.name);
  if (o.measures.empty()) {
    for (std::size_t i = 0; i < defs().size(); ++i)
      if (defs()[i].m.at(o.level)) measures.push_back(i);
  } else {
    for (const auto& name : o.measures) {
      std::size_t i = 0;
      while (i < defs().size() && defs()[i].m.name != name) ++i;
      if (i == defs().size())
        throw std::invalid_argument("unknown measure '" + name + "'" + did_you_mean_text(name, all_names) +
                                    "; yidi export --list shows them");
      const auto& m = defs()[i].m;
      if (!m.at(o.level)) {
        std::string at;
        for (ExportLevel l : {ExportLevel::national, ExportLevel::province, ExportLevel::region})
          if (m.at(l)) at += (at.empty() ? "" : ", ") + std::string(level_name(l));
        throw std::invalid_argument("measure '" + name + "' is not given by " + level_name(o.level) + "; it is by " + at);
      }
      measures.push_back(i);
    }
  }
  std::vector<std::size_t> units = o.units;
  if (units.empty())
    for (std::size_t u = 0; u < t.codes.size(); ++u) units.push_back(u);
  for (std::size_t u : units)
    if (u >= t.codes.size()) throw std::invalid_argument("export: unit index out of range");

  // The periods: runs of consecutive months with the same key.
  const auto& months = r.data("months").i;
  if (months.size() != r.months()) throw std::invalid_argument("export: the months dataset does not match the results");
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // [first, last] month rows
  auto key = [&](std::int64_t m) -> std::int64_t {
    switch (o.period) {
      case ExportPeriod::month: return m;
      case ExportPeriod::quarter: return m / 3;
      case ExportPeriod::year: return m / 12;
      case ExportPeriod::all: return 0;
    }
    return 0;
  };
  for (std::size_t k = 0; k < months.size(); ++k) {
    if (spans.empty() || key(months[k]) != key(months[spans.back().second])) spans.emplace_back(k, k);
    else spans.back().second = k;
  }
  for (const auto& [a, b] : spans) {
    const std::int64_t m = months[a];
    t.periods.push_back(period_label(o.period, m, months[b]));
    t.period_months.push_back(static_cast<int>(b - a + 1));
  }

  const std::size_t n_units = t.codes.size();
  const bool national = o.level == ExportLevel::national;
  // Per measure and period, every unit's value; national sums the provinces (or reads a month series).
  std::vector<std::vector<std::vector<ExportValue>>> values(measures.size());  // [measure][period][unit]
  for (std::size_t mi = 0; mi < measures.size(); ++mi) {
    const Def& d = defs()[measures[mi]];
    const Source& src = national ? d.national : o.level == ExportLevel::province ? d.province : d.region;
    const std::vector<Source>& den = national ? d.den_national : o.level == ExportLevel::province ? d.den_province : d.den_region;
    const std::size_t width = national ? r.extent(Dim::province) : n_units;
    const View view(r, src.dataset);
    const bool month_series = src.by == Dim::month;
    auto int_sums = [&](const View& v, const Source& s, std::size_t m) {
      auto x = month_series ? v.sums(m, s, 1) : v.sums(m, s, width);
      if (national && !month_series) {
        std::int64_t total = 0;
        for (auto e : x) total = checked_add(total, e);
        return std::vector<std::int64_t>{total};
      }
      return x;
    };
    auto& per_period = values[mi];
    for (const auto& [a, b] : spans) {
      std::vector<ExportValue> out(n_units);
      auto as_int = [&](std::size_t u, std::int64_t v) {
        out[u].kind = d.money ? ExportValue::Kind::money : ExportValue::Kind::integer;
        out[u].i = v;
      };
      auto as_num = [&](std::size_t u, double v) {
        out[u].kind = ExportValue::Kind::number;
        out[u].f = v;
      };
      switch (d.agg) {
        case Agg::sum: {
          std::vector<std::int64_t> acc(n_units, 0);
          for (std::size_t m = a; m <= b; ++m) {
            const auto x = int_sums(view, src, m);
            for (std::size_t u = 0; u < n_units; ++u) acc[u] = checked_add(acc[u], x[u]);
          }
          for (std::size_t u = 0; u < n_units; ++u) as_int(u, acc[u]);
          break;
        }
        case Agg::last: {
          if (view.integer()) {
            const auto x = int_sums(view, src, b);
            for (std::size_t u = 0; u < n_units; ++u) as_int(u, x[u]);
          } else if (!national) {
            const auto x = view.floats(b, src, width);
            for (std::size_t u = 0; u < n_units; ++u) as_num(u, x[u]);
          } else {
            // Months payable nationally: each province's average spending is what it holds ÷ its
            // months payable (sim/engine/recorders.cpp, FundsRecorder); the nation's holdings ÷ theirs.
            const auto mp = view.floats(b, src, width);
            const View bal(r, den[0].dataset), held(r, den[1].dataset);
            const auto hb = bal.sums(b, den[0], width), hh = held.sums(b, den[1], width);
            double holds = 0, spends = 0;
            bool any = false;
            for (std::size_t p = 0; p < width; ++p) {
              if (std::isnan(mp[p])) continue;
              any = true;
              const double has = static_cast<double>(hb[p]) + static_cast<double>(hh[p]);
              holds += has;
              // A province's spending is its holdings ÷ its months payable (FundsRecorder), whatever
              // their sign; with nothing held (0 months) or no spending (infinite) it cannot be told.
              if (std::isfinite(mp[p]) && mp[p] != 0) spends += has / mp[p];
            }
            if (any) as_num(0, spends > 0 ? holds / spends : std::numeric_limits<double>::infinity());
          }
          break;
        }
        case Agg::ratio:
        case Agg::se: {
          std::vector<std::int64_t> num(n_units, 0), dn(n_units, 0), n(n_units, 0);
          std::vector<View> dens;
          for (const auto& s : den) dens.emplace_back(r, s.dataset);
          const std::optional<View> sample = d.agg == Agg::se ? std::optional<View>(View(r, d.sample_region.dataset)) : std::nullopt;
          for (std::size_t m = a; m <= b; ++m) {
            const auto x = int_sums(view, src, m);
            for (std::size_t u = 0; u < n_units; ++u) num[u] = checked_add(num[u], x[u]);
            for (std::size_t k = 0; k < den.size(); ++k) {
              const auto y = int_sums(dens[k], den[k], m);
              for (std::size_t u = 0; u < n_units; ++u) dn[u] = checked_add(dn[u], y[u]);
            }
            if (sample) {
              const auto z = int_sums(*sample, d.sample_region, m);
              for (std::size_t u = 0; u < n_units; ++u) n[u] = checked_add(n[u], z[u]);
            }
          }
          for (std::size_t u = 0; u < n_units; ++u) {
            if (dn[u] <= 0) continue;  // no stays: no rate
            const double p = static_cast<double>(num[u]) / static_cast<double>(dn[u]);
            if (d.agg == Agg::ratio) as_num(u, p);
            else if (n[u] > 0) as_num(u, std::sqrt(p * (1 - p) / static_cast<double>(n[u])));
          }
          break;
        }
        case Agg::max: {
          if (view.integer()) {  // money: the largest month-end amount, exact
            std::vector<std::int64_t> top(n_units, std::numeric_limits<std::int64_t>::min());
            for (std::size_t m = a; m <= b; ++m) {
              const auto x = int_sums(view, src, m);
              for (std::size_t u = 0; u < n_units; ++u) top[u] = std::max(top[u], x[u]);
            }
            for (std::size_t u = 0; u < n_units; ++u) as_int(u, top[u]);
            break;
          }
          std::vector<double> best(n_units, std::numeric_limits<double>::quiet_NaN());
          for (std::size_t m = a; m <= b; ++m) {
            const auto x = view.floats(m, src, width);
            for (std::size_t u = 0; u < n_units; ++u)
              if (!std::isnan(x[u]) && (std::isnan(best[u]) || x[u] > best[u])) best[u] = x[u];
          }
          for (std::size_t u = 0; u < n_units; ++u)
            if (!std::isnan(best[u])) as_num(u, best[u]);
          break;
        }
        case Agg::count: {
          std::vector<std::int64_t> c(n_units, 0);
          for (std::size_t m = a; m <= b; ++m) {
            const auto x = view.sums(m, src, width);  // a flag per unit (one scheme or none fixed)
            for (std::size_t u = 0; u < n_units; ++u) c[u] += x[u] == d.flag ? 1 : 0;
          }
          for (std::size_t u = 0; u < n_units; ++u) {
            out[u].kind = ExportValue::Kind::integer;
            out[u].i = c[u];
          }
          break;
        }
      }
      per_period.push_back(std::move(out));
    }
  }
  for (std::size_t u : units)
    for (std::size_t p = 0; p < spans.size(); ++p)
      for (std::size_t mi = 0; mi < measures.size(); ++mi) t.rows.push_back({u, p, measures[mi], values[mi][p][u]});
  return t;
}

}  // namespace yidi::sim
