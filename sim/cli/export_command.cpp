// `yidi export RUN.h5 [MORE.h5 ...] [--by LEVEL,PERIOD] [--measures a,b] [--regions r,s] [-o FILE.csv]`:
// a run's answers as one tidy long table (docs/export.md): a row per (scenario, region, period,
// measure), money in yuan, region names in Chinese and English, the provenance in every row, so
// that pandas, R or a spreadsheet read it without knowing the HDF5 layout.
#include <iostream>
#include <memory>
#include <sstream>

#include "sim/cli/commands.hpp"
#include "sim/engine/export.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/output.hpp"
#include "sim/model/names.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {

struct ExportOptions {
  std::vector<std::string> inputs;
  std::string by = "province,year";
  std::vector<std::string> measures, regions;
  std::string output;
  bool overwrite = false;
  bool list = false;
};

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
      throw io::InputError({path, 0, 0}, "", "not an HDF5 file; expected a run file of `yidi run`");
    if (io::has_dataset_hdf5(path, "quantiles/offsite/dsr_inpatient_national"))
      throw io::InputError({path, 0, 0}, "",
                           "a summary of replicates (P5/P50/P95 per month): its quantiles cannot be summed into years "
                           "or regions, so it is not exported; export the runs themselves (yidi run -o ... --set seed=...)");
    const io::Provenance prov = io::read_root_attributes_hdf5(path);
    if (!prov.text.count("yidi_version"))
      throw io::InputError({path, 0, 0}, "", "not a yidi file (no root attribute 'yidi_version'); expected a run file of `yidi run`");
    const sim::Results r = io::read_results_hdf5(path);
    eo.units.clear();
    if (!o.regions.empty()) {
      if (eo.level == sim::ExportLevel::national)
        throw io::InputError({"--regions", 0, 0}, "regions", "given with --by national; expected --by province or region");
      std::vector<std::string> codes, names, names_en;
      sim::export_units(r, eo.level, codes, names, names_en);
      std::vector<sim::NamedRegion> named;
      std::vector<std::string> shown;
      for (std::size_t i = 0; i < codes.size(); ++i) {
        named.push_back({codes[i], names[i], names_en[i]});
        shown.push_back(names_en[i].empty() ? codes[i] : names_en[i]);
      }
      for (const auto& want : o.regions) {
        const auto i = sim::find_region(named, want);
        if (!i)
          throw io::InputError({"--regions", 0, 0}, "regions",
                               "no " + std::string(sim::level_name(eo.level)) + " '" + want + "' in " + path +
                                   sim::did_you_mean_text(want, shown) +
                                   "; expected a code (440000), a Chinese name (广东, 广东省) or an English name (Guangdong)");
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
  cmd->add_option("files", o->inputs, "run files of `yidi run`");
  cmd->add_option("--by", o->by,
                  "the level (national, province, region) and the period (month, quarter, year, all), such as "
                  "region,month (default: province,year)");
  cmd->add_option("--measures", o->measures, "only these measures, comma-separated (default: every one at the level; --list)")
      ->delimiter(',');
  cmd->add_option("--regions", o->regions,
                  "only these provinces or pools, comma-separated: codes, Chinese or English names (440000, 广东, Guangdong)")
      ->delimiter(',');
  cmd->add_option("-o,--output", o->output, "the CSV file to write (default: standard output)");
  cmd->add_flag("--overwrite", o->overwrite, "replace an existing table (yidi's own only)");
  cmd->add_flag("--list", o->list, "list the measures (name, unit, levels, meaning) and exit");
  cmd->callback([o] { run_export(*o); });
}

}  // namespace yidi::cli
