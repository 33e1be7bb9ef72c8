#include "sim/io/world_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::io {
namespace {

InputLocation at(const std::string& file, const YAML::Node& n) { return {file, n.Mark().line + 1, n.Mark().column + 1}; }

/// A number field: required (InputError when absent), or optional with `fallback`; `null` is
/// sim::kUnknown where `nullable`.
double number(const YAML::Node& entry, const char* key, const std::string& file, std::optional<double> fallback = std::nullopt,
              bool nullable = false) {
  const YAML::Node n = entry[key];
  if (!n) {
    if (fallback) return *fallback;
    throw InputError(at(file, entry), key, "missing; expected a number");
  }
  if (n.IsNull()) {
    if (nullable) return sim::kUnknown;
    throw InputError(at(file, n), key, "expected a number, got null");
  }
  try {
    const double v = n.as<double>();
    if (!(v >= 0)) throw InputError(at(file, n), key, "expected a number ≥ 0, got '" + n.as<std::string>() + "'");
    return v;
  } catch (const YAML::Exception&) {
    throw InputError(at(file, n), key, "expected a number, got '" + n.as<std::string>("") + "'");
  }
}

std::string text(const YAML::Node& entry, const char* key, const std::string& file) {
  const YAML::Node n = entry[key];
  if (!n || !n.IsScalar()) throw InputError(at(file, n ? n : entry), key, "missing; expected a name");
  return n.as<std::string>();
}

RegionCode code_of(const YAML::Node& entry, const std::string& file, std::set<std::uint32_t>& seen) {
  const YAML::Node n = entry["code"];
  if (!n || !n.IsScalar()) throw InputError(at(file, entry), "code", "missing; expected a region code (6 digits)");
  const std::string code_text = n.as<std::string>();
  const auto code = RegionCode::parse(code_text);
  if (!code) throw InputError(at(file, n), "code", "expected a region code (6 digits with a province part), got '" + code_text + "'");
  if (!seen.insert(code->value()).second) throw InputError(at(file, n), "code", "expected each code once, got '" + code_text + "' again");
  return *code;
}

}  // namespace

sim::World world_from_yaml(std::string_view source, const std::string& file) {
  const YAML::Node root = YAML::Load(std::string(source));
  // `regions:` (pooling regions of any level) with an optional `provinces:` section of
  // province-level figures, or, as scenarios/data/provinces.yaml has it, `provinces:` alone as the
  // regions (a world whose pools are the provinces).
  const bool pools = static_cast<bool>(root["regions"]);
  const char* key = pools ? "regions" : "provinces";
  std::vector<sim::ProvinceData> provinces;
  std::map<std::uint32_t, std::pair<double, double>> province_defaults;  // code → (cost index, referral weight)
  if (pools && root["provinces"]) {
    std::set<std::uint32_t> seen;
    for (const auto& n : root["provinces"]) {
      sim::ProvinceData p;
      p.code = code_of(n, file, seen);
      if (!p.code.is_province())
        throw InputError(at(file, n["code"]), "code", "expected a province code (ending 0000), got '" + p.code.str() + "'");
      p.name = text(n, "name", file);
      p.name_en = text(n, "name_en", file);
      p.population = number(n, "population", file);
      p.inflow = number(n, "inflow", file);
      p.within_province = number(n, "within_province", file, sim::kUnknown, true);
      p.outflow = number(n, "outflow", file, sim::kUnknown, true);
      province_defaults[p.code.value()] = {number(n, "cost_index", file, 1.0), number(n, "referral_weight", file, 0.0)};
      provinces.push_back(std::move(p));
    }
  }
  std::vector<sim::Region> regions;
  std::set<std::uint32_t> seen;
  for (const auto& n : root[key]) {
    sim::Region r;
    r.code = code_of(n, file, seen);
    r.name = text(n, "name", file);
    r.name_en = text(n, "name_en", file);
    r.population = number(n, "population", file);
    r.inflow = number(n, "inflow", file, sim::kUnknown, true);
    r.age60 = number(n, "age60", file, sim::kUnknown, true);
    if (r.age60 > 100)
      throw InputError(at(file, n["age60"]), "age60",
                       "expected the percentage of residents aged 60+ (0 to 100), got '" + n["age60"].as<std::string>() + "'");
    r.lat = number(n, "lat", file);
    r.lon = number(n, "lon", file);
    r.seat = n["seat"] && n["seat"].as<bool>(false);
    const auto d = province_defaults.find(r.code.province().value());
    const bool has_default = d != province_defaults.end();
    r.cost_index = number(n, "cost_index", file, has_default ? std::optional<double>(d->second.first) : std::nullopt);
    // A province's referral weight goes to the pool of its seat (its big centres are there).
    r.referral_weight = number(n, "referral_weight", file,
                               has_default ? std::optional<double>(r.seat ? d->second.second : 0.0) : std::nullopt);
    regions.push_back(std::move(r));
  }
  if (regions.empty() || regions.size() > sim::Agent::kMaxRegions)
    throw InputError({file, 0, 0}, key,
                     "expected 1 to " + std::to_string(sim::Agent::kMaxRegions) + " regions, got " +
                         std::to_string(regions.size()));
  try {
    return sim::World(std::move(regions), std::move(provinces));
  } catch (const std::invalid_argument& e) {
    throw InputError({file, 0, 0}, key, std::string(e.what()) + "; expected every region's province in `provinces` and each province with a region");
  }
}

sim::World embedded_world(const std::string& name) {
  const std::string path = "scenarios/data/" + name;
  const auto text = embedded_file(path);
  if (!text) throw std::runtime_error("the embedded world " + path + " is missing");
  return world_from_yaml(*text, "<embedded>/" + path);
}

sim::World embedded_world() { return embedded_world(kDefaultWorld); }

void check_population_fits(std::uint64_t agents, std::int64_t scale, std::uint64_t available, const std::string& file) {
  if (const auto why = sim::population_memory_shortfall(agents, scale, available))
    throw InputError({file, 0, 0}, "scale", *why);
}

void check_population_fits(const sim::Layout& layout, std::uint64_t available, const std::string& file) {
  check_population_fits(layout.total, layout.scale, available, file);
}

}  // namespace yidi::io
