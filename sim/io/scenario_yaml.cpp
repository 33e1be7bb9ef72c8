#include "sim/io/scenario_yaml.hpp"
// Reads scenario files (docs/scenarios.md) strictly: every value is read in exactly one form and
// anything else is an InputError "FILE:LINE:COL: field 'F': expected ..., got '...'".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <filesystem>
#include <sstream>

#include "sim/io/clearing_yaml.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/strict_yaml.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/names.hpp"

namespace yidi::io {

const char* const kScenarioNameForm =
    "a name of 1 to 64 characters from A-Z a-z 0-9 _ - . (the first a letter or digit), as it becomes file names";

namespace {
namespace fs = std::filesystem;

constexpr int kMaxMonths = 600;
constexpr int kMaxYears = 50;
constexpr std::int64_t kMaxScale = 10'000'000;

InputLocation at(const std::string& file, const YAML::Node& n) { return {file, n.Mark().line + 1, n.Mark().column + 1}; }

/// The default world's provinces and pools by code and name, for the keys of NAME.by_region.
struct WorldNames {
  sim::World world;
  std::vector<sim::NamedRegion> provinces, pools;
};
const WorldNames& world_names() {
  static const WorldNames w = [] {
    WorldNames n{embedded_world(), {}, {}};
    sim::named_regions(n.world, n.provinces, n.pools);
    return n;
  }();
  return w;
}

/// A key of NAME.by_region: a province or pool of the world by code ("510000", "510100") or name
/// ("四川", "Chengdu"; a province before a pool of the same name). InputError at the key otherwise.
RegionCode region_key(const YAML::Node& key, const std::string& file, const std::string& field) {
  const WorldNames& w = world_names();
  const std::string text = key.Scalar();
  if (const auto code = RegionCode::parse(text)) {
    if (w.world.find(*code) || (code->is_province() && w.world.province_index(*code))) return *code;
    throw InputError(at(file, key), field,
                     "'" + text + "' is neither a province nor a pool of the world; expected the code or name of one "
                     "(yidi schema lists them)");
  }
  std::string error;
  const auto found = sim::resolve_region(w.provinces, w.pools, text, false, error);
  if (!found)
    throw InputError(at(file, key), field, error);
  return *RegionCode::parse(found->pool ? w.pools[found->index].code : w.provinces[found->index].code);
}

/// How a node looks in a message.
std::string shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return n.IsSequence() ? "a list" : "a mapping";
}


std::string text(const YAML::Node& n, const std::string& file, const std::string& field, const std::string& form) {
  if (!n.IsScalar()) throw InputError(at(file, n), field, "expected " + form + ", got " + shown(n));
  return n.Scalar();
}

std::string range_text(double lo, double hi) {
  std::ostringstream msg;
  msg << "a number from " << lo << " to " << hi;
  return msg.str();
}

double number(const YAML::Node& n, const std::string& file, const std::string& field, double lo, double hi) {
  const std::string s = text(n, file, field, range_text(lo, hi));
  const auto v = parse_decimal(s);
  if (!v) throw InputError(at(file, n), field, "expected " + range_text(lo, hi) + ", got '" + s + "'");
  if (!(*v >= lo && *v <= hi))
    throw InputError(at(file, n), field, "value " + s + " is out of range; expected " + range_text(lo, hi));
  return *v;
}

/// A whole number lo..hi written in decimal digits.
std::int64_t whole(const YAML::Node& n, const std::string& file, const std::string& field, std::int64_t lo, std::int64_t hi,
                   const std::string& unit) {
  const std::string form = "a whole number of " + unit + " from " + std::to_string(lo) + " to " + std::to_string(hi);
  const std::string s = text(n, file, field, form);
  const auto v = parse_whole_number(s);
  if (!v || *v < lo || *v > hi) throw InputError(at(file, n), field, "expected " + form + ", got '" + s + "'");
  return *v;
}

const std::string kSeedForm = "a seed: a whole number from 0 to 18446744073709551615";
const std::string kScaleForm =
    "a whole sampling ratio from 1:1 (full scale) to 1:10000000, written 1:N or N, such as 1:1000 or 1000";
const std::string kMonthForm = "a month YYYY-MM from " + supported_months_text();

std::optional<std::uint64_t> seed_of(const std::string& s) { return parse_unsigned_number(s); }

std::optional<std::int64_t> scale_of(const std::string& s) {
  const std::string_view t = std::string_view(s).substr(s.rfind("1:", 0) == 0 ? 2 : 0);
  const auto v = parse_unsigned_number(t);
  if (!v || *v < 1 || *v > static_cast<std::uint64_t>(kMaxScale)) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

/// "YYYY-MM" within the supported range, as a month index.
std::optional<int> parse_month(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  const auto y = parse_unsigned_number(s.substr(0, 4));
  const auto m = parse_unsigned_number(s.substr(5, 2));
  if (!y || !m || *m < 1 || *m > 12 || *y < kFirstSupportedYear || *y > kLastSupportedYear) return std::nullopt;
  return static_cast<int>(*y) * 12 + static_cast<int>(*m) - 1;
}

int month_of(const YAML::Node& n, const std::string& file, const std::string& field) {
  const std::string s = text(n, file, field, kMonthForm);
  const auto m = parse_month(s);
  if (!m) throw InputError(at(file, n), field, "expected " + kMonthForm + ", got '" + s + "'");
  return *m;
}

sim::Series series(const YAML::Node& n, const std::string& file, const std::string& field, double lo, double hi) {
  if (n.IsScalar()) return sim::Series::flat(number(n, file, field, lo, hi));
  if (!n.IsMap())
    throw InputError(at(file, n), field, "expected a number, or a mapping {YYYY or YYYY-MM: number}, got " + shown(n));
  sim::Series s;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    std::optional<int> m;
    if (key.size() == 4) {
      if (const auto y = parse_unsigned_number(key); y && *y >= kFirstSupportedYear && *y <= kLastSupportedYear)
        m = static_cast<int>(*y) * 12;
    } else {
      m = parse_month(key);
    }
    if (!m)
      throw InputError(at(file, kv.first), field,
                       "expected a year YYYY or a month YYYY-MM from " + supported_months_text() + " as key, got '" + key +
                           "'");
    s.points.emplace_back(*m, number(kv.second, file, field + "." + key, lo, hi));
  }
  std::sort(s.points.begin(), s.points.end());
  for (std::size_t i = 1; i < s.points.size(); ++i)
    if (s.points[i].first == s.points[i - 1].first) throw InputError(at(file, n), field, "the same date twice");
  if (s.points.empty()) throw InputError(at(file, n), field, "expected at least one {YYYY or YYYY-MM: number}");
  return s;
}

std::vector<std::string> param_names() {
  std::vector<std::string> out;
  for (const auto& d : sim::param_defs()) out.push_back(d.name);
  for (const auto& d : sim::param_defs())
    if (d.regional != sim::ParamDef::Regional::none) out.push_back(d.name + ".by_region");
  return out;
}

std::string expected_params() {
  std::string out;
  for (const auto& d : sim::param_defs()) out += (out.empty() ? "" : ", ") + d.name;
  return out;
}

/// A scenario file's text and the name it is shown by.
struct Source {
  std::string text;
  std::string file;      // as shown in messages
  std::string identity;  // for cycles: the canonical path, or the embedded path
  bool embedded = false;
};

std::optional<Source> embedded_scenario(const std::string& name) {
  const auto e = embedded_file("scenarios/" + name + ".yaml");
  if (!e) return std::nullopt;
  const std::string file = "<embedded>/scenarios/" + name + ".yaml";
  return Source{std::string(*e), file, file, true};
}

Source disk_scenario(const std::string& path) {
  Source s{read_config_file(path, "scenario"), path, path, false};
  std::error_code ec;
  const auto canonical = fs::weakly_canonical(path, ec);
  if (!ec) s.identity = canonical.string();
  return s;
}

/// The scenario a top-level name or path means: a file, else an embedded scenario (so a folder
/// named "baseline" in the current folder does not hide the embedded baseline).
Source find_scenario(const std::string& path_or_name) {
  std::error_code ec;
  const bool exists = fs::exists(path_or_name, ec);
  if (exists && !fs::is_directory(path_or_name, ec)) return disk_scenario(path_or_name);
  if (auto e = embedded_scenario(path_or_name)) return *e;
  if (exists) return disk_scenario(path_or_name);  // a folder: read_text_file says so
  std::vector<std::string> names;
  for (const auto& f : embedded_files()) {
    const std::string p(f.path);
    if (p.starts_with("scenarios/") && p.find('/', 10) == std::string::npos && p.ends_with(".yaml"))
      names.push_back(p.substr(10, p.size() - 15));
  }
  throw InputError({path_or_name, 0, 0}, "",
                   "no such scenario file, and no embedded scenario of that name" + sim::did_you_mean_text(path_or_name, names));
}

/// The scenario `extends: target` in `from` means: for a file on disk, a file beside it, else a
/// file from the current folder, else an embedded scenario; for an embedded one, an embedded one.
Source find_parent(const Source& from, const std::string& target, const YAML::Node& node) {
  if (!from.embedded) {
    std::error_code ec;
    const fs::path beside = fs::path(from.file).parent_path() / target;
    if (fs::path(target).is_relative() && fs::exists(beside, ec)) return disk_scenario(beside.string());
    if (fs::exists(target, ec)) return disk_scenario(target);
  }
  if (auto e = embedded_scenario(target)) return *e;
  throw InputError(at(from.file, node), "extends",
                   from.embedded ? "no embedded scenario '" + target + "'"
                                 : "no scenario file '" + target + "' beside this file or in the current folder, and no "
                                   "embedded scenario of that name");
}

/// An overlay named in scenario `file` is found as `extends` finds a parent: a relative path names
/// a file beside the scenario if there is one, else a file from the current folder, else an
/// embedded one (scenarios/policy/...). The path kept is the one that was found, so the resolved
/// scenario names the same file wherever it is run from.
/// A scenario embedded in the binary names embedded overlays, kept as "<embedded>/path" so that no
/// file of the current folder can stand in for them.
std::string overlay_path(const std::string& file, const std::string& target) {
  const std::string embedded_root = "<embedded>/";
  if (fs::path(target).is_absolute() || target.rfind(embedded_root, 0) == 0) return target;
  if (file.rfind(embedded_root, 0) == 0) {
    const fs::path dir = fs::path(file.substr(embedded_root.size())).parent_path();
    for (const fs::path& candidate : {(dir / target).lexically_normal(), fs::path(target)})
      if (embedded_file(candidate.generic_string())) return embedded_root + candidate.generic_string();
    return target;
  }
  std::error_code ec;
  const fs::path beside = (fs::path(file).parent_path() / target).lexically_normal();
  if (!fs::path(file).parent_path().empty() && fs::is_regular_file(beside, ec)) return beside.generic_string();
  return target;
}

/// Where in this file the period was set, for the range check: the last of start, months, years.
struct PeriodKeys {
  YAML::Node node;
  std::string field;
};

/// `uncertainty: {NAME: {low: L, high: H}, NAME@YYYY: {...}}`: an entry replaces the parent's of
/// the same parameter (and year), `NAME: none` drops it; whether a dated one has a point in its year is checked once the
/// whole file is read (at the end of parse_root).
void parse_uncertainty(const YAML::Node& v, const std::string& file, sim::Scenario& s,
                       std::map<std::string, InputLocation>& where) {
  if (!v.IsMap())
    throw InputError(at(file, v), "uncertainty",
                     "expected a mapping of parameter names to {low: L, high: H}, got " + shown(v));
  std::set<std::string> here;
  for (const auto& e : v) {
    const std::string label = e.first.Scalar();
    const std::string field = "uncertainty." + label;
    sim::UncertainParam u;
    u.name = label;
    if (const auto at_sign = label.find('@'); at_sign != std::string::npos) {
      u.name = label.substr(0, at_sign);
      const std::string y = label.substr(at_sign + 1);
      const bool digits = y.size() == 4 && std::all_of(y.begin(), y.end(), [](unsigned char c) { return std::isdigit(c); });
      u.year = digits ? std::stoi(y) : 0;
      if (u.year < kFirstSupportedYear || u.year > kLastSupportedYear)
        throw InputError(at(file, e.first), field, "expected NAME@YYYY, a dated parameter and a year " +
                                                       std::to_string(kFirstSupportedYear) + "–" +
                                                       std::to_string(kLastSupportedYear) + ", got '" + label + "'");
    }
    const auto* def = sim::find_param(u.name);
    if (!def)
      throw InputError(at(file, e.first), field,
                       "unknown parameter '" + u.name + "'" + sim::did_you_mean_text(u.name, param_names()) +
                           "; expected one of: " + expected_params());
    const bool dated = def->kind == sim::ParamDef::Kind::series;
    if (dated && u.year == 0)
      throw InputError(at(file, e.first), field,
                       "a dated parameter is drawn at its points of one year; expected " + u.name + "@YYYY");
    if (!dated && u.year != 0)
      throw InputError(at(file, e.first), field, "a number parameter has no dated points; expected " + u.name);
    if (!here.insert(u.label()).second)
      throw InputError(at(file, e.first), field, "given twice; expected each parameter once");
    if (e.second.IsScalar() && e.second.Scalar() == "none") {  // drops the entry of the scenario extended
      std::erase_if(s.uncertainty, [&](const sim::UncertainParam& x) { return x.label() == u.label(); });
      continue;
    }
    if (!e.second.IsMap() || e.second.size() != 2 || !e.second["low"] || !e.second["high"])
      throw InputError(at(file, e.second), field, "expected {low: L, high: H} or none, got " + shown(e.second));
    u.low = number(e.second["low"], file, field + ".low", def->min, def->max);
    u.high = number(e.second["high"], file, field + ".high", def->min, def->max);
    if (!(u.low < u.high))
      throw InputError(at(file, e.second), field, "expected low below high, got low " + e.second["low"].Scalar() +
                                                      " and high " + e.second["high"].Scalar());
    const auto same = std::find_if(s.uncertainty.begin(), s.uncertainty.end(),
                                   [&](const sim::UncertainParam& x) { return x.label() == u.label(); });
    if (same != s.uncertainty.end()) *same = u;
    else s.uncertainty.push_back(u);
    where[u.label()] = at(file, e.first);
  }
}

sim::Scenario parse_root(const YAML::Node& root, const std::string& file, const sim::Scenario& base) {
  sim::Scenario s = base;
  if (!root.IsMap()) throw InputError({file, 1, 1}, "", "expected a mapping of scenario keys, got " + shown(root));
  std::optional<PeriodKeys> period;
  std::optional<YAML::Node> months_key;  // months or years, whichever was given
  std::optional<YAML::Node> mix_key;     // the later of the two off-site mix parameters
  std::map<std::string, InputLocation> uncertainty_at;  // the uncertain parameters this file names
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "name") {
      s.name = text(v, file, key, kScenarioNameForm);
      if (!check_scenario_name(s.name).empty())
        throw InputError(at(file, v), key, "expected " + std::string(kScenarioNameForm) + ", got '" + s.name + "'");
    } else if (key == "description") {
      s.description = text(v, file, key, "text");
    } else if (key == "extends") {
      const std::string parent = text(v, file, key, "the name or file of a scenario");
      if (parent.empty()) throw InputError(at(file, v), key, "expected the name or file of a scenario, got ''");
    } else if (key == "start") {
      s.start_month = month_of(v, file, key);
      period = PeriodKeys{v, key};
    } else if (key == "months" || key == "years") {
      if (months_key)
        throw InputError(at(file, kv.first), key,
                         "the period is given twice (months and years, line " +
                             std::to_string(months_key->Mark().line + 1) + "); expected one of them");
      months_key = kv.first;
      s.months = key == "months" ? static_cast<int>(whole(v, file, key, 1, kMaxMonths, "months"))
                                 : 12 * static_cast<int>(whole(v, file, key, 1, kMaxYears, "years"));
      period = PeriodKeys{v, key};
    } else if (key == "seed") {
      const std::string t = text(v, file, key, kSeedForm);
      const auto seed = seed_of(t);
      if (!seed) throw InputError(at(file, v), key, "expected " + kSeedForm + ", got '" + t + "'");
      s.seed = *seed;
    } else if (key == "scale") {
      const std::string t = text(v, file, key, kScaleForm);
      const auto scale = scale_of(t);
      if (!scale) throw InputError(at(file, v), key, "expected " + kScaleForm + ", got '" + t + "'");
      s.scale = *scale;
    } else if (key == "params") {
      if (!v.IsMap())
        throw InputError(at(file, v), key, "expected a mapping of parameter names to values, got " + shown(v));
      std::map<std::string, std::set<std::uint32_t>> regional_seen;
      for (const auto& p : v) {
        const std::string name = p.first.Scalar();
        // NAME.by_region (or .by_province): series by province or pool code of a regional lever.
        const auto dot = name.rfind('.');
        const std::string suffix = dot == std::string::npos ? "" : name.substr(dot + 1);
        const auto* lever = suffix == "by_region" || suffix == "by_province" ? sim::find_param(name.substr(0, dot)) : nullptr;
        if (lever && lever->regional != sim::ParamDef::Regional::none) {
          if (!p.second.IsMap())
            throw InputError(at(file, p.second), "params." + name,
                             "expected a mapping {\"440000\": series, \"510100\": series, ...}, got " + shown(p.second));
          auto& target = s.params.by_region[lever->name];
          auto& here = regional_seen[lever->name];  // codes set in this file (a parent's may be replaced)
          for (const auto& entry : p.second) {
            const RegionCode code = region_key(entry.first, file, "params." + name);
            if (!here.insert(code.value()).second)
              throw InputError(at(file, entry.first), "params." + name,
                               "region " + code.str() + " given twice (by code and by name, or as .by_region and .by_province?)");
            target[code.value()] = series(entry.second, file, "params." + name + "." + code.str(), lever->min, lever->max);
          }
          continue;
        }
        const auto* def = sim::find_param(name);
        if (!def)
          throw InputError(at(file, p.first), "params." + name,
                           "unknown parameter '" + name + "'" + sim::did_you_mean_text(name, param_names()) +
                               "; expected one of: " + expected_params());
        if (def->kind == sim::ParamDef::Kind::number)
          s.params.*(def->number) = number(p.second, file, "params." + name, def->min, def->max);
        else s.params.*(def->series) = series(p.second, file, "params." + name, def->min, def->max);
        if (name == "mobility.offsite_mix_in_service" || name == "mobility.offsite_mix_retired") mix_key = p.first;
      }
    } else if (key == "uncertainty") {
      parse_uncertainty(v, file, s, uncertainty_at);
    } else if (key == "clearing") {
      parse_clearing_params(v, file, s.clearing);
    } else if (key == "policy_overlays") {
      if (!v.IsSequence()) throw InputError(at(file, v), key, "expected a list of policy files, got " + shown(v));
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string f = text(v[i], file, key + "[" + std::to_string(i) + "]", "the path of a policy file");
        if (f.empty()) throw InputError(at(file, v[i]), key + "[" + std::to_string(i) + "]", "expected the path of a policy file, got ''");
        s.policy_overlays.push_back(overlay_path(file, f));
      }
    } else {
      throw InputError(at(file, kv.first), key,
                       "unknown key '" + key + "'" +
                           sim::did_you_mean_text(key, {"name", "description", "extends", "start", "months", "years", "seed",
                                                        "scale", "params", "uncertainty", "clearing", "policy_overlays"}) +
                           "; expected one of: name, description, extends, start, months, years, "
                       "seed, scale, params, uncertainty, clearing, policy_overlays");
    }
  }
  // A dated uncertain parameter needs a point in its year, in the series as this file leaves it.
  for (const auto& u : s.uncertainty) {
    if (u.year == 0 || sim::param_at(s.params, *sim::find_param(u.name), u.year)) continue;
    const auto w = uncertainty_at.find(u.label());
    throw InputError(w != uncertainty_at.end() ? w->second : InputLocation{file, 0, 0}, "uncertainty." + u.label(),
                     u.name + " has no point dated in " + std::to_string(u.year) +
                         "; expected a year its series (params) has a point in");
  }
  if (s.params.offsite_mix_in_service + s.params.offsite_mix_retired > 1)
    throw InputError(mix_key ? at(file, *mix_key) : InputLocation{file, 0, 0}, "params.mobility.offsite_mix_*",
                     "the in-service and retired shares exceed 1");
  if (period) check_scenario_period(s, at(file, period->node), period->field);
  else check_scenario_period(s, {file, 0, 0}, "start");
  return s;
}

sim::Scenario load_chain(const Source& src, std::vector<std::string>& chain, std::vector<std::string>& shown_chain) {
  const YAML::Node root = load_strict_yaml(src.text, src.file);
  sim::Scenario base;
  if (root.IsMap() && root["extends"]) {
    const YAML::Node ext = root["extends"];
    const std::string target = text(ext, src.file, "extends", "the name or file of a scenario");
    const Source parent = find_parent(src, target, ext);
    const auto seen = std::find(chain.begin(), chain.end(), parent.identity);
    if (seen != chain.end()) {
      std::string cycle;
      for (auto i = static_cast<std::size_t>(seen - chain.begin()); i < shown_chain.size(); ++i) cycle += shown_chain[i] + " → ";
      throw InputError(at(src.file, ext), "extends",
                       "the scenarios extend each other in a cycle: " + cycle + parent.file +
                           "; expected a chain that ends at a scenario without extends");
    }
    chain.push_back(parent.identity);
    shown_chain.push_back(parent.file);
    base = load_chain(parent, chain, shown_chain);
  }
  sim::Scenario s = with_file_name(src.file, [&] { return parse_root(root, src.file, base); });
  if (!src.embedded) s.files.push_back(src.file);
  return s;
}

/// A string in the resolved YAML: as it is when plain YAML reads it back unchanged, else quoted.
std::string yaml_text(const std::string& s, bool always_quote) {
  const bool plain = !s.empty() && s != "null" && s != "Null" && s != "NULL" &&
                     std::all_of(s.begin(), s.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
                     }) && s.front() != '-' && s.front() != '.';
  if (plain && !always_quote) return s;
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}
}  // namespace

std::string check_scenario_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return "expected " + std::string(kScenarioNameForm);
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return "expected " + std::string(kScenarioNameForm);
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.')) return "expected " + std::string(kScenarioNameForm);
  return {};
}

void check_scenario_period(const sim::Scenario& s, const InputLocation& where, const std::string& field) {
  const int first = kFirstSupportedYear * 12, last = kLastSupportedYear * 12 + 11;
  const int end = s.start_month + s.months - 1;
  if (s.start_month >= first && end <= last) return;
  throw InputError(where, field,
                   "the run from " + Date::month_label(s.start_month) + " for " + std::to_string(s.months) +
                       " months would end in " + Date::month_label(end) + "; expected every month within " +
                       supported_months_text());
}

void apply_overrides(sim::Scenario& s, const ScenarioOverrides& o) {
  const InputLocation cli{"command line", 0, 0};
  if (o.scale) {
    const auto v = scale_of(*o.scale);
    if (!v) throw InputError(cli, "--scale", "expected " + kScaleForm + ", got '" + *o.scale + "'");
    s.scale = *v;
  }
  if (o.months) {
    const auto v = parse_whole_number(*o.months);
    if (!v || *v < 1 || *v > kMaxMonths)
      throw InputError(cli, "--months",
                       "expected a whole number of months from 1 to " + std::to_string(kMaxMonths) + ", got '" +
                           *o.months + "'");
    s.months = static_cast<int>(*v);
    check_scenario_period(s, cli, "--months");
  }
  if (o.seed) {
    const auto v = seed_of(*o.seed);
    if (!v) throw InputError(cli, "--seed", "expected " + kSeedForm + ", got '" + *o.seed + "'");
    s.seed = *v;
  }
}

sim::Scenario parse_scenario(std::string_view text, const std::string& file, const sim::Scenario& base) {
  const YAML::Node root = load_strict_yaml(text, file);
  return with_file_name(file, [&] { return parse_root(root, file, base); });
}

sim::Scenario load_scenario(const std::string& path_or_name) {
  const Source src = find_scenario(path_or_name);
  std::vector<std::string> chain{src.identity}, shown_chain{src.file};
  return load_chain(src, chain, shown_chain);
}

PolicyBook scenario_policy(const sim::Scenario& s) {
  std::vector<std::filesystem::path> overlays(s.policy_overlays.begin(), s.policy_overlays.end());
  return load_embedded_policy(overlays);
}

std::string resolved_yaml(const sim::Scenario& s) {
  std::ostringstream o;
  o.precision(17);
  o << "name: " << yaml_text(s.name, false) << "\n";
  if (!s.description.empty()) o << "description: " << yaml_text(s.description, true) << "\n";
  o << "start: " << Date::month_label(s.start_month) << "\n";
  o << "months: " << s.months << "\nseed: " << s.seed << "\nscale: 1:" << s.scale << "\nparams:\n";
  auto series_text = [&](const sim::Series& ser) {
    // A flat series (a plain number in the file: one point at month 0) is shown at the first
    // supported month, which reads back as the same flat series.
    o << "{";
    for (std::size_t i = 0; i < ser.points.size(); ++i)
      o << (i ? ", " : "") << Date::month_label(std::max(ser.points[i].first, kFirstSupportedYear * 12)) << ": "
        << ser.points[i].second;
    o << "}";
  };
  for (const auto& d : sim::param_defs()) {
    o << "  " << d.name << ": ";
    if (d.kind == sim::ParamDef::Kind::number) o << s.params.*(d.number);
    else series_text(s.params.*(d.series));
    o << "\n";
  }
  for (const auto& [name, by] : s.params.by_region) {
    if (by.empty()) continue;
    o << "  " << name << ".by_region: {";
    bool first = true;
    for (const auto& [code, ser] : by) {
      o << (first ? "" : ", ") << "\"" << RegionCode::of(code).str() << "\": ";
      first = false;
      series_text(ser);
    }
    o << "}\n";
  }
  if (!s.uncertainty.empty()) {
    o << "uncertainty:\n";
    for (const auto& u : s.uncertainty) o << "  " << u.label() << ": {low: " << u.low << ", high: " << u.high << "}\n";
  }
  o << "clearing:\n";
  for (const auto& line : describe(s.clearing, RecordRules{})) {
    const auto eq = line.find('=');
    const std::string key = line.substr(0, eq);
    if (key.rfind("late_", 0) == 0 || key.rfind("manual_", 0) == 0) continue;  // record rules live in params
    o << "  " << key << ": " << line.substr(eq + 1) << "\n";
  }
  o << "policy_overlays: [";
  for (std::size_t i = 0; i < s.policy_overlays.size(); ++i) o << (i ? ", " : "") << yaml_text(s.policy_overlays[i], false);
  o << "]\n";
  // What each overlay holds, so that the scenario's hash changes when an overlay's text does
  // (comments: the resolved scenario still reads back as the same scenario).
  for (const auto& ov : s.policy_overlays) o << "# overlay " << yaml_text(ov, false) << ": " << overlay_digest(ov) << "\n";
  return o.str();
}

}  // namespace yidi::io
