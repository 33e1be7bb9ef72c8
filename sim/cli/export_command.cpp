// `yidi export RUN.h5 [MORE.h5 ...] [--by LEVEL,PERIOD] [--measures a,b] [--regions r,s] [-o FILE.csv]`:
// a run's answers as one tidy long table (docs/export.md): a row per (scenario, region, period,
// measure), money in yuan, region names in Chinese and English, the provenance in every row, so
// that pandas, R or a spreadsheet read it without knowing the HDF5 layout.
#include <cmath>
#include <optional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "sim/cli/commands.hpp"
#include "sim/engine/experiments.hpp"
#include "sim/engine/export.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/output.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/names.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {

struct ExportOptions {
  std::vector<std::string> inputs;
  std::string by = "province,year";
  std::vector<std::string> measures, regions;
  std::string output;
  std::string probability;  // "MEASURE OP X": a summary's share of replicates meeting it, by year
  bool overwrite = false;
  bool list = false;
};

/// --probability "MEASURE >= X" (or >, <=, <).
struct Condition {
  std::string measure, op;
  double x = 0;
  bool met(double v) const {
    if (std::isnan(v)) return false;  // no value (no stays): not met
    return op == ">=" ? v >= x : op == ">" ? v > x : op == "<=" ? v <= x : v < x;
  }
  std::string text() const {  // the threshold in the shortest form that reads back exactly
    sim::ExportValue v;
    v.kind = sim::ExportValue::Kind::number;
    v.f = x;
    return measure + " " + op + " " + v.text();
  }
};
Condition parse_condition(const std::string& text) {
  std::istringstream in(text);
  Condition c;
  std::string x, rest;
  in >> c.measure >> c.op >> x >> rest;
  char* end = nullptr;
  const double v = x.empty() ? 0 : std::strtod(x.c_str(), &end);
  if (c.measure.empty() || (c.op != ">=" && c.op != ">" && c.op != "<=" && c.op != "<") || x.empty() || *end != 0 ||
      !std::isfinite(v) || !rest.empty())
    throw io::InputError({"--probability", 0, 0}, "probability",
                         "expected \"MEASURE OP NUMBER\" with OP one of >=, >, <=, < (such as \"cross_dsr_inpatient >= "
                         "0.7\"), got '" + text + "'");
  c.x = v;
  return c;
}

constexpr const char* kHeader =
    "yidi_version,scenario,scenario_sha256,seed,scale,threads,ranks,replicate,level,region_code,region,region_en,period,"
    "months,measure,value,unit,source";

/// --by: a level (national, province, region; pool for region) and a period (month, quarter, year,
/// all), in either order, either left out for its default (province, year).
void parse_by(const std::string& by, sim::ExportLevel& level, sim::ExportPeriod& period) {
  level = sim::ExportLevel::province;
  period = sim::ExportPeriod::year;
  bool have_level = false, have_period = false;
  std::stringstream in(by);
  std::string part;
  const std::vector<std::string> words{"national", "province", "region", "pool", "month", "quarter", "year", "all"};
  while (std::getline(in, part, ',')) {
    if (part == "national" || part == "province" || part == "region" || part == "pool") {
      if (have_level) throw io::InputError({"--by", 0, 0}, "by", "two levels in '" + by + "'; expected one of national, province, region");
      have_level = true;
      level = part == "national" ? sim::ExportLevel::national : part == "province" ? sim::ExportLevel::province : sim::ExportLevel::region;
    } else if (part == "month" || part == "quarter" || part == "year" || part == "all") {
      if (have_period) throw io::InputError({"--by", 0, 0}, "by", "two periods in '" + by + "'; expected one of month, quarter, year, all");
      have_period = true;
      period = part == "month" ? sim::ExportPeriod::month : part == "quarter" ? sim::ExportPeriod::quarter
               : part == "year"  ? sim::ExportPeriod::year : sim::ExportPeriod::all;
    } else {
      throw io::InputError({"--by", 0, 0}, "by",
                           "unknown '" + part + "'" + sim::did_you_mean_text(part, words) +
                               "; expected a level (national, province, region) and a period (month, quarter, year, all), "
                               "such as --by region,month");
    }
  }
}

void list_measures() {
  std::cout << "measure,unit,levels,description\n";
  for (const auto& m : sim::export_measures()) {
    std::string levels;
    for (auto l : {sim::ExportLevel::national, sim::ExportLevel::province, sim::ExportLevel::region})
      if (m.at(l)) levels += (levels.empty() ? "" : " ") + std::string(sim::level_name(l));
    std::cout << m.name << "," << m.unit << "," << levels << "," << io::csv_field(m.description) << "\n";
  }
}

std::string text_attr(const io::Provenance& p, const std::string& k) {
  const auto it = p.text.find(k);
  return it == p.text.end() ? "" : it->second;
}
std::string number_attr(const io::Provenance& p, const std::string& k) {
  const auto it = p.numbers.find(k);
  return it == p.numbers.end() ? "" : std::to_string(it->second);
}

/// The measures a summary keeps per replicate and year (docs/experiments.md, "Per-replicate yearly
/// scalars"), under their names in `yidi export --list`.
struct SummaryMeasure {
  const char* measure;
  const char* dataset;  // under replicates/
  int scheme;           // -1: no scheme dimension
  bool national, province;
  bool national_sum;    // national: the provinces summed (else the dataset has no province dimension)
};
const std::vector<SummaryMeasure>& summary_measures() {
  static const std::vector<SummaryMeasure> m{
      {"cross_dsr_inpatient", "offsite/dsr_inpatient_national", -1, true, false, false},
      {"cross_dsr_inpatient", "offsite/dsr_inpatient", -1, false, true, false},
      {"cross_fund", "offsite/fund", -1, true, true, true},
      {"cross_individual", "offsite/individual", -1, true, true, true},
      {"fund_balance_employee", "funds/balance", 0, true, true, true},
      {"fund_balance_resident", "funds/balance", 1, true, true, true},
      {"months_payable_employee", "funds/months_payable", 0, false, true, false},
      {"months_payable_resident", "funds/months_payable", 1, false, true, false},
      {"below_floor_months_employee", "funds/months_below_floor", 0, false, true, false},
      {"below_floor_months_resident", "funds/months_below_floor", 1, false, true, false},
      {"prepayment_peak_outstanding", "prepayment/peak_outstanding", -1, false, true, false},
      {"prepayment_red_months", "prepayment/red_months", -1, false, true, false},
      {"prepayment_topup_requested", "prepayment/topup_requested", -1, true, true, true},
      {"prepayment_topups_paid", "prepayment/topups_paid", -1, true, false, false},
  };
  return m;
}

/// A summary of replicates: each replicate's yearly values, a row per replicate, year, unit and
/// measure (replicate = its index in seed order, seed = its own seed).
/// `group` is "" for a replicates summary or a sweep point, "scenarios/NAME/" for one scenario of a
/// compare file, whose rows then name that scenario.
std::size_t export_summary(const std::string& path, const io::Provenance& prov, const ExportOptions& o,
                           const sim::ExportOptions& eo, std::string& csv, const std::string& group = "",
                           const std::string& scenario = "") {
  if (eo.level == sim::ExportLevel::region)
    throw io::InputError({path, 0, 0}, "by",
                         "a summary of replicates keeps yearly values by province and nationally, not by pool; expected "
                         "--by province,year or --by national,year");
  if (eo.period != sim::ExportPeriod::year)
    throw io::InputError({path, 0, 0}, "by",
                         std::string("a summary of replicates keeps each replicate's values by year, not by ") +
                             sim::period_name(eo.period) + "; expected --by " + sim::level_name(eo.level) + ",year");
  const bool national = eo.level == sim::ExportLevel::national;
  std::vector<const SummaryMeasure*> chosen;
  std::vector<std::string> kept;
  for (const auto& m : summary_measures())
    if (national ? m.national : m.province) kept.push_back(m.measure);
  std::optional<Condition> cond;
  if (!o.probability.empty()) cond = parse_condition(o.probability);
  if (cond && !o.measures.empty())
    throw io::InputError({"--measures", 0, 0}, "measures", "given with --probability, which names its own measure");
  const std::vector<std::string> wanted = cond ? std::vector<std::string>{cond->measure} : o.measures;
  if (wanted.empty()) {
    for (const auto& m : summary_measures())
      if (national ? m.national : m.province) chosen.push_back(&m);
  } else {
    for (const auto& want : wanted) {
      const SummaryMeasure* found = nullptr;
      for (const auto& m : summary_measures())
        if (want == m.measure && (national ? m.national : m.province)) found = &m;
      if (!found) {
        for (const auto& m : summary_measures())
          if (want == m.measure)
            throw io::InputError({cond ? "--probability" : "--measures", 0, 0}, cond ? "probability" : "measures",
                                 "'" + want + "' is kept per replicate " +
                                     (m.national ? std::string("nationally only; expected --by national,year")
                                                 : std::string("by province only; expected --by province,year")));
        std::string list;
        for (const auto& k : kept) list += (list.empty() ? "" : ", ") + k;
        throw io::InputError({cond ? "--probability" : "--measures", 0, 0}, cond ? "probability" : "measures",
                             "'" + want + "' is not kept per replicate in a summary" + sim::did_you_mean_text(want, kept) +
                                 "; by " + sim::level_name(eo.level) + " it keeps: " + list);
      }
      chosen.push_back(found);
    }
  }
  const auto years = io::read_dataset_hdf5(path, "years").i;
  const auto year_months = io::read_dataset_hdf5(path, "year_months").i;
  const auto seeds = io::read_dataset_hdf5(path, group + "replicates/seed").i;
  if (seeds.empty()) throw io::InputError({path, 0, 0}, group + "replicates/seed", "no replicates; expected at least one");
  const auto codes = io::read_labels_hdf5(path, "labels/province");
  // Names from the embedded world (a summary holds the codes only).
  std::vector<std::string> names(codes.size()), names_en(codes.size());
  const sim::World world = io::embedded_world();
  for (std::size_t p = 0; p < codes.size(); ++p)
    for (const auto& wp : world.provinces())
      if (wp.code.str() == codes[p]) names[p] = wp.name, names_en[p] = wp.name_en;
  std::vector<std::size_t> units;
  if (national) {
    if (!o.regions.empty())
      throw io::InputError({"--regions", 0, 0}, "regions", "given with --by national; expected --by province");
    units = {0};
  } else if (!o.regions.empty()) {
    std::vector<sim::NamedRegion> named;
    for (std::size_t p = 0; p < codes.size(); ++p) named.push_back({codes[p], names[p], names_en[p]});
    for (const auto& want : o.regions) {
      const auto i = sim::find_region(named, want);
      if (!i) throw io::InputError({"--regions", 0, 0}, "regions", sim::region_not_found(named, want, "province", path));
      units.push_back(*i);
    }
  } else {
    for (std::size_t p = 0; p < codes.size(); ++p) units.push_back(p);
  }
  std::map<std::string, const sim::ExportMeasure*> info;
  for (const auto& m : sim::export_measures()) info[m.name] = &m;
  // Every chosen dataset, checked against the replicate × year shape.
  std::vector<io::Dataset64> data;
  for (const auto* m : chosen) {
    auto d = io::read_dataset_hdf5(path, group + "replicates/" + m->dataset);
    const std::size_t want_dims = 2 + (std::string(m->dataset) == "offsite/dsr_inpatient_national" ||
                                               std::string(m->dataset) == "prepayment/topups_paid"
                                           ? 0
                                           : 1) +
                                  (m->scheme >= 0 ? 1 : 0);
    if (d.shape.size() != want_dims || d.shape[0] != seeds.size() || d.shape[1] != years.size() ||
        (want_dims >= 3 && d.shape[2] != codes.size()))
      throw io::InputError({path, 0, 0}, group + "replicates/" + m->dataset,
                           "its shape does not fit the summary's replicates, years and provinces (docs/experiments.md)");
    data.push_back(std::move(d));
  }
  if (year_months.size() != years.size())
    throw io::InputError({path, 0, 0}, "year_months", "expected one count of months per year");
  const std::string lead = io::csv_field(text_attr(prov, "yidi_version")) + "," +
                           io::csv_field(scenario.empty() ? text_attr(prov, "scenario_name") : scenario) + "," +
                           text_attr(prov, "scenario_sha256");
  const std::string mid = ",1:" + number_attr(prov, "scale") + "," + number_attr(prov, "threads") + "," +
                          number_attr(prov, "ranks") + ",";
  // The value of measure c for replicate k, year y, unit u.
  auto value = [&](std::size_t c, std::size_t k, std::size_t y, std::size_t u) {
    const auto* m = chosen[c];
    const auto& d = data[c];
    const bool money = info.at(m->measure)->unit == "yuan";
    const std::size_t per_year = d.shape.size() > 2 ? d.shape[2] * (d.shape.size() > 3 ? d.shape[3] : 1) : 1;
    const std::size_t base = (k * years.size() + y) * per_year;
    auto at = [&](std::size_t p) {
      return base + (d.shape.size() > 3 ? p * d.shape[3] + static_cast<std::size_t>(m->scheme) : p);
    };
    sim::ExportValue v;
    if (national && m->national_sum) {
      std::int64_t total = 0;
      for (std::size_t p = 0; p < codes.size(); ++p)
        if (__builtin_add_overflow(total, d.i[at(p)], &total))
          throw io::InputError({path, 0, 0}, m->dataset, "a national sum does not fit in 64 bits");
      v.kind = money ? sim::ExportValue::Kind::money : sim::ExportValue::Kind::integer;
      v.i = total;
    } else {
      const std::size_t i = national ? base : at(u);
      if (!d.i.empty()) {
        v.kind = money ? sim::ExportValue::Kind::money : sim::ExportValue::Kind::integer;
        v.i = d.i[i];
      } else {
        v.kind = sim::ExportValue::Kind::number;
        v.f = d.f[i];
      }
    }
    return v;
  };
  auto unit_text = [&](std::size_t u) {
    return national ? std::string("000000,全国,National")
                    : codes[u] + "," + io::csv_field(names[u]) + "," + io::csv_field(names_en[u]);
  };
  std::size_t rows = 0;
  if (cond) {
    // The share of replicates meeting the condition in each year, and in that year or an earlier
    // one ("by"), each with its Wilson 95% interval: exact counts over the replicates.
    const double scale = info.at(cond->measure)->unit == "yuan" ? 100.0 : 1.0;  // compared in yuan
    const std::string seeds_text = std::to_string(seeds.front()) + ".." + std::to_string(seeds.back());
    const int n = static_cast<int>(seeds.size());
    for (std::size_t u : units) {
      std::vector<bool> ever(seeds.size(), false);
      for (std::size_t y = 0; y < years.size(); ++y) {
        int k_year = 0, k_by = 0;
        for (std::size_t k = 0; k < seeds.size(); ++k) {
          const auto v = value(0, k, y, u);
          const double x = v.kind == sim::ExportValue::Kind::number ? v.f : static_cast<double>(v.i) / scale;
          const bool met = v.kind != sim::ExportValue::Kind::none && cond->met(x);
          ever[k] = ever[k] || met;
          k_year += met ? 1 : 0;
          k_by += ever[k] ? 1 : 0;
        }
        for (const auto& [label, k] : {std::pair<std::string, int>{"P(" + cond->text() + ")", k_year},
                                       {"P(" + cond->text() + " in this year or earlier)", k_by}}) {
          const sim::Wilson w = sim::wilson95(k, n);
          for (const auto& [suffix, p] : {std::pair<std::string, double>{"", static_cast<double>(k) / n},
                                          {" wilson95_low", w.low}, {" wilson95_high", w.high}}) {
            sim::ExportValue v;
            v.kind = sim::ExportValue::Kind::number;
            v.f = p;
            csv += lead + "," + seeds_text + mid + "all," + sim::level_name(eo.level) + "," + unit_text(u) + "," +
                   std::to_string(years[y]) + "," + std::to_string(year_months[y]) + "," +
                   io::csv_field(label + suffix) + "," + v.text() + ",probability," + io::csv_field(path) + "\n";
            ++rows;
          }
        }
      }
    }
    return rows;
  }
  for (std::size_t k = 0; k < seeds.size(); ++k)
    for (std::size_t u : units)
      for (std::size_t y = 0; y < years.size(); ++y)
        for (std::size_t c = 0; c < chosen.size(); ++c) {
          csv += lead + "," + std::to_string(seeds[k]) + mid + std::to_string(k) + "," + sim::level_name(eo.level) + "," +
                 unit_text(u) + "," + std::to_string(years[y]) + "," + std::to_string(year_months[y]) + "," +
                 chosen[c]->measure + "," + value(c, k, y, u).text() + "," + info.at(chosen[c]->measure)->unit + "," +
                 io::csv_field(path) + "\n";
          ++rows;
        }
  return rows;
}

void run_export(const ExportOptions& o) {
  if (o.list) {
    list_measures();
    return;
  }
  if (o.inputs.empty())
    throw io::InputError({"yidi export", 0, 0}, "files", "expected at least one run file of `yidi run` (or --list)");
  sim::ExportOptions eo;
  parse_by(o.by, eo.level, eo.period);
  eo.measures = o.measures;
  io::InputFiles files;
  for (const auto& path : o.inputs) files.add(path);
  std::optional<io::OutputFile> out;
  if (!o.output.empty()) out.emplace(o.output, "export table", io::OutputKind::text, o.overwrite, files);

  std::string csv = std::string(kHeader) + "\n";
  std::size_t rows = 0;
  for (const auto& path : o.inputs) {
    if (!io::is_hdf5_file(path))
      throw io::InputError({path, 0, 0}, "",
                           "not an HDF5 file; expected a run file of `yidi run` or a summary of `yidi replicates`");
    const io::Provenance prov = io::read_root_attributes_hdf5(path);
    if (!prov.text.count("yidi_version"))
      throw io::InputError({path, 0, 0}, "", "not a yidi file (no root attribute 'yidi_version'); expected a run file of `yidi run`");
    if (io::has_dataset_hdf5(path, "quantiles/offsite/dsr_inpatient_national")) {
      rows += export_summary(path, prov, o, eo, csv);
      continue;
    }
    // A compare file: each scenario's replicates, under scenarios/NAME/ (the names in scenario_name).
    std::vector<std::string> compared;
    {
      std::stringstream names(text_attr(prov, "scenario_name"));
      for (std::string n; std::getline(names, n, ',');)
        if (!n.empty() && io::has_dataset_hdf5(path, "scenarios/" + n + "/replicates/seed")) compared.push_back(n);
    }
    if (!compared.empty()) {
      for (const auto& n : compared) rows += export_summary(path, prov, o, eo, csv, "scenarios/" + n + "/", n);
      continue;
    }
    if (!o.probability.empty())
      throw io::InputError({path, 0, 0}, "probability",
                           "a single run: --probability is the share of replicates meeting a condition, so it needs a "
                           "summary of `yidi replicates`");
    const sim::Results r = io::read_results_hdf5(path);
    eo.units.clear();
    if (!o.regions.empty()) {
      if (eo.level == sim::ExportLevel::national)
        throw io::InputError({"--regions", 0, 0}, "regions", "given with --by national; expected --by province or region");
      std::vector<std::string> codes, names, names_en;
      sim::export_units(r, eo.level, codes, names, names_en);
      std::vector<sim::NamedRegion> named;
      for (std::size_t i = 0; i < codes.size(); ++i) named.push_back({codes[i], names[i], names_en[i]});
      const std::string what = eo.level == sim::ExportLevel::region ? "pool" : "province";
      for (const auto& want : o.regions) {
        const auto i = sim::find_region(named, want);
        if (!i) throw io::InputError({"--regions", 0, 0}, "regions", sim::region_not_found(named, want, what, path));
        eo.units.push_back(*i);
      }
    }
    sim::ExportTable t;
    try {
      t = sim::export_table(r, eo);
    } catch (const std::invalid_argument& e) {
      throw io::InputError({"--measures", 0, 0}, "measures", e.what());
    }
    const std::string lead = io::csv_field(text_attr(prov, "yidi_version")) + "," +
                             io::csv_field(text_attr(prov, "scenario_name")) + "," + text_attr(prov, "scenario_sha256") +
                             "," + number_attr(prov, "seed") + ",1:" + number_attr(prov, "scale") + "," +
                             number_attr(prov, "threads") + "," + number_attr(prov, "ranks") + ",0," +
                             sim::level_name(t.level) + ",";
    const std::string tail = "," + io::csv_field(path) + "\n";
    const auto& measures = sim::export_measures();
    for (const auto& row : t.rows) {
      const auto& m = measures[row.measure];
      csv += lead;
      csv += t.codes[row.unit] + "," + io::csv_field(t.names[row.unit]) + "," + io::csv_field(t.names_en[row.unit]) + "," +
             t.periods[row.period] + "," + std::to_string(t.period_months[row.period]) + "," + m.name + "," +
             row.value.text() + "," + m.unit;
      csv += tail;
    }
    rows += t.rows.size();
  }
  if (!out) {
    std::cout << csv;
    std::cerr << "yidi export: " << rows << " rows\n";
    return;
  }
  *out << "\xEF\xBB\xBF" << csv;  // UTF-8 byte-order mark: spreadsheets then read the Chinese names
  out->commit();
  std::cerr << "yidi export: " << rows << " rows from " << o.inputs.size() << " file(s); wrote " << o.output << "\n";
}

}  // namespace

void register_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand(
      "export", "a run's answers as one tidy table (CSV): a row per region, period and measure, money in yuan (docs/export.md)");
  cmd->add_option("files", o->inputs,
                  "run files of `yidi run`, or summaries of `yidi replicates` (each replicate's yearly values)");
  cmd->add_option("--by", o->by,
                  "the level (national, province, region) and the period (month, quarter, year, all), such as "
                  "region,month (default: province,year)");
  cmd->add_option("--measures", o->measures, "only these measures, comma-separated (default: every one at the level; --list)")
      ->delimiter(',');
  cmd->add_option("--regions", o->regions,
                  "only these provinces or pools, comma-separated: codes, Chinese or English names (440000, 广东, Guangdong)")
      ->delimiter(',');
  cmd->add_option("-o,--output", o->output, "the CSV file to write (default: standard output)");
  cmd->add_option("--probability", o->probability,
                  "for a summary of replicates: the share of replicates meeting \"MEASURE OP X\" (OP >=, >, <=, <; "
                  "money in yuan) each year and by each year, with Wilson 95% intervals, such as "
                  "\"cross_dsr_inpatient >= 0.7\"");
  cmd->add_flag("--overwrite", o->overwrite, "replace an existing table (yidi's own only)");
  cmd->add_flag("--list", o->list, "list the measures (name, unit, levels, meaning) and exit");
  cmd->callback([o] { run_export(*o); });
}

}  // namespace yidi::cli
