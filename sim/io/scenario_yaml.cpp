#include "sim/io/scenario_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/clearing_yaml.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/policy_yaml.hpp"

namespace yidi::io {
namespace {

InputLocation at(const std::string& file, const YAML::Node& n) { return {file, n.Mark().line + 1, n.Mark().column + 1}; }

double number(const YAML::Node& n, const std::string& file, const std::string& field, double lo, double hi) {
  if (!n.IsScalar()) throw InputError(at(file, n), field, "expected a number");
  const std::string s = n.Scalar();
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
  } catch (const std::exception&) {
    std::ostringstream msg;
    msg << "expected a number from " << lo << " to " << hi << ", got '" << s << "'";
    throw InputError(at(file, n), field, msg.str());
  }
  if (!(v >= lo && v <= hi)) {
    std::ostringstream msg;
    msg << "value " << s << " is out of range; expected a number from " << lo << " to " << hi;
    throw InputError(at(file, n), field, msg.str());
  }
  return v;
}

int month_of(const YAML::Node& n, const std::string& file, const std::string& field) {
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  const auto d = Date::parse(s + "-01");
  if (s.size() != 7 || !d) throw InputError(at(file, n), field, "expected a month YYYY-MM, got '" + s + "'");
  return d->month_index();
}

sim::Series series(const YAML::Node& n, const std::string& file, const std::string& field, double lo, double hi) {
  if (n.IsScalar()) return sim::Series::flat(number(n, file, field, lo, hi));
  if (!n.IsMap()) throw InputError(at(file, n), field, "expected a number, or a mapping {YYYY or YYYY-MM: number}");
  sim::Series s;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    int m = 0;
    if (key.size() == 4 && std::all_of(key.begin(), key.end(), ::isdigit)) {
      const auto year = Date::parse(key + "-01-01");  // within the dates the models know (1900–2200)
      if (!year) throw InputError(at(file, kv.first), field, "expected a year YYYY or a month YYYY-MM, got '" + key + "'");
      m = year->month_index();
    } else {
      m = month_of(kv.first, file, field);
    }
    s.points.emplace_back(m, number(kv.second, file, field + "." + key, lo, hi));
  }
  std::sort(s.points.begin(), s.points.end());
  for (std::size_t i = 1; i < s.points.size(); ++i)
    if (s.points[i].first == s.points[i - 1].first)
      throw InputError(at(file, n), field, "the same date twice");
  return s;
}

std::string expected_params() {
  std::string out;
  for (const auto& d : sim::param_defs()) out += (out.empty() ? "" : ", ") + d.name;
  return out;
}
}  // namespace

namespace {
YAML::Node load_yaml(std::string_view text, const std::string& file) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw InputError({file, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
  }
}
}  // namespace

sim::Scenario parse_scenario(std::string_view text, const std::string& file, const sim::Scenario& base) {
  const YAML::Node root = load_yaml(text, file);
  sim::Scenario s = base;
  if (!root.IsMap()) throw InputError({file, 1, 1}, "", "expected a mapping of scenario keys");
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "name") s.name = v.Scalar();
    else if (key == "description") s.description = v.Scalar();
    else if (key == "extends") continue;  // resolved by load_scenario
    else if (key == "start") s.start_month = month_of(v, file, key);
    else if (key == "months") s.months = static_cast<int>(number(v, file, key, 1, 600));
    else if (key == "years") s.months = 12 * static_cast<int>(number(v, file, key, 1, 50));
    else if (key == "seed") s.seed = static_cast<std::uint64_t>(number(v, file, key, 0, 1.8e19));
    else if (key == "scale") {
      // "1:1000" or 1000: each agent stands for that many persons; 1 is full scale.
      std::string t = v.IsScalar() ? v.Scalar() : "";
      if (t.rfind("1:", 0) == 0) t = t.substr(2);
      double x = 0;
      try {
        x = std::stod(t);
      } catch (const std::exception&) {
        x = -1;
      }
      if (!(x >= 1 && x <= 1e7) || std::floor(x) != x)
        throw InputError(at(file, v), key, "expected a whole sampling ratio such as 1:1000, 1000 or 1 (full scale), got '" +
                                               (v.IsScalar() ? v.Scalar() : std::string("?")) + "'");
      s.scale = static_cast<std::int64_t>(x);
    } else if (key == "params") {
      if (!v.IsMap()) throw InputError(at(file, v), key, "expected a mapping of parameter names to values");
      for (const auto& p : v) {
        const std::string name = p.first.Scalar();
        if (name == "levers.networked_inpatient.by_province" || name == "levers.networked_outpatient.by_province") {
          auto& target = name == "levers.networked_inpatient.by_province" ? s.params.networked_inpatient_by_province
                                                                           : s.params.networked_outpatient_by_province;
          if (!p.second.IsMap())
            throw InputError(at(file, p.second), "params." + name, "expected a mapping {\"440000\": series, ...}");
          for (const auto& entry : p.second) {
            const auto code = RegionCode::parse(entry.first.Scalar());
            if (!code || !code->is_province())
              throw InputError(at(file, entry.first), "params." + name,
                               "expected a province code such as \"440000\", got '" + entry.first.Scalar() + "'");
            target[code->value()] = series(entry.second, file, "params." + name + "." + code->str(), 0, 1);
          }
          continue;
        }
        const auto* def = sim::find_param(name);
        if (!def)
          throw InputError(at(file, p.first), "params." + name, "unknown parameter '" + name + "'; expected one of: " + expected_params());
        if (def->kind == sim::ParamDef::Kind::number) s.params.*(def->number) = number(p.second, file, "params." + name, def->min, def->max);
        else s.params.*(def->series) = series(p.second, file, "params." + name, def->min, def->max);
      }
    } else if (key == "clearing") {
      parse_clearing_params(v, file, s.clearing);
    } else if (key == "policy_overlays") {
      if (!v.IsSequence()) throw InputError(at(file, v), key, "expected a list of policy files");
      for (const auto& f : v) s.policy_overlays.push_back(f.Scalar());
    } else {
      throw InputError(at(file, kv.first), key,
                       "unknown key '" + key + "'; expected one of: name, description, extends, start, months, years, "
                       "seed, scale, params, clearing, policy_overlays");
    }
  }
  if (s.params.offsite_mix_in_service + s.params.offsite_mix_retired > 1)
    throw InputError({file, 0, 0}, "params.mobility.offsite_mix_*", "the in-service and retired shares exceed 1");
  return s;
}

sim::Scenario load_scenario(const std::string& path_or_name) {
  namespace fs = std::filesystem;
  std::string text, file;
  if (fs::exists(path_or_name)) {
    text = read_text_file(path_or_name, "scenario");
    file = path_or_name;
  } else if (auto e = embedded_file("scenarios/" + path_or_name + ".yaml")) {
    text = std::string(*e);
    file = "<embedded>/scenarios/" + path_or_name + ".yaml";
  } else {
    throw InputError({path_or_name, 0, 0}, "", "no such scenario file, and no embedded scenario of that name");
  }
  // `extends:` names a scenario this one is a small overlay on.
  sim::Scenario base;
  const YAML::Node root = load_yaml(text, file);
  if (root.IsMap() && root["extends"]) {
    const std::string parent = root["extends"].Scalar();
    if (parent == path_or_name) throw InputError({file, 0, 0}, "extends", "a scenario cannot extend itself");
    base = load_scenario(parent);
  }
  return parse_scenario(text, file, base);
}

PolicyBook scenario_policy(const sim::Scenario& s) {
  std::vector<std::filesystem::path> overlays(s.policy_overlays.begin(), s.policy_overlays.end());
  return load_embedded_policy(overlays);
}

std::string resolved_yaml(const sim::Scenario& s) {
  std::ostringstream o;
  o.precision(17);
  o << "name: " << s.name << "\n";
  if (!s.description.empty()) o << "description: \"" << s.description << "\"\n";
  o << "start: " << Date::from_ymd(s.start_month / 12, static_cast<unsigned>(s.start_month % 12 + 1), 1)->str().substr(0, 7) << "\n";
  o << "months: " << s.months << "\nseed: " << s.seed << "\nscale: 1:" << s.scale << "\nparams:\n";
  for (const auto& d : sim::param_defs()) {
    o << "  " << d.name << ": ";
    if (d.kind == sim::ParamDef::Kind::number) {
      o << s.params.*(d.number) << "\n";
    } else {
      o << "{";
      const auto& pts = (s.params.*(d.series)).points;
      for (std::size_t i = 0; i < pts.size(); ++i)
        o << (i ? ", " : "") << Date::from_ymd(pts[i].first / 12, static_cast<unsigned>(pts[i].first % 12 + 1), 1)->str().substr(0, 7)
          << ": " << pts[i].second;
      o << "}\n";
    }
  }
  for (const auto* by : {&s.params.networked_inpatient_by_province, &s.params.networked_outpatient_by_province}) {
    if (by->empty()) continue;
    o << "  levers.networked_" << (by == &s.params.networked_inpatient_by_province ? "inpatient" : "outpatient")
      << ".by_province: {";
    bool first = true;
    for (const auto& [code, ser] : *by) {
      o << (first ? "" : ", ") << "\"" << code << "\": {";
      first = false;
      for (std::size_t i = 0; i < ser.points.size(); ++i)
        o << (i ? ", " : "")
          << Date::from_ymd(ser.points[i].first / 12, static_cast<unsigned>(ser.points[i].first % 12 + 1), 1)->str().substr(0, 7)
          << ": " << ser.points[i].second;
      o << "}";
    }
    o << "}\n";
  }
  o << "clearing:\n";
  for (const auto& line : describe(s.clearing, RecordRules{})) {
    const auto eq = line.find('=');
    const std::string key = line.substr(0, eq);
    if (key.rfind("late_", 0) == 0 || key.rfind("manual_", 0) == 0) continue;  // record rules live in params
    o << "  " << key << ": " << line.substr(eq + 1) << "\n";
  }
  o << "policy_overlays: [";
  for (std::size_t i = 0; i < s.policy_overlays.size(); ++i) o << (i ? ", " : "") << s.policy_overlays[i];
  o << "]\n";
  return o.str();
}

}  // namespace yidi::io
