#include "sim/io/world_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::io {

sim::World world_from_yaml(std::string_view text, const std::string& file) {
  std::vector<sim::Province> provinces;
  std::set<std::uint32_t> seen;
  const YAML::Node root = YAML::Load(std::string(text));
  // `regions:` (pooling regions of any level, grouped into provinces by their codes) or, as the
  // embedded data names them, `provinces:`.
  const char* key = root["regions"] ? "regions" : "provinces";
  for (const auto& n : root[key]) {
    sim::Province p;
    const std::string code_text = n["code"].as<std::string>();
    const auto code = RegionCode::parse(code_text);
    if (!code)
      throw InputError({file, n["code"].Mark().line + 1, n["code"].Mark().column + 1}, "code",
                       "expected a region code (6 digits with a province part), got '" + code_text + "'");
    if (!seen.insert(code->value()).second)
      throw InputError({file, n["code"].Mark().line + 1, n["code"].Mark().column + 1}, "code",
                       "expected each region once, got '" + code_text + "' again");
    p.code = *code;
    p.name = n["name"].as<std::string>();
    p.name_en = n["name_en"].as<std::string>();
    p.population = n["population"].as<double>();
    p.inflow = n["inflow"].as<double>();
    p.lat = n["lat"].as<double>();
    p.lon = n["lon"].as<double>();
    p.cost_index = n["cost_index"].as<double>();
    p.referral_weight = n["referral_weight"].as<double>();
    provinces.push_back(std::move(p));
  }
  if (provinces.empty() || provinces.size() > sim::Agent::kMaxRegions)
    throw InputError({file, 0, 0}, key,
                     "expected 1 to " + std::to_string(sim::Agent::kMaxRegions) + " regions, got " +
                         std::to_string(provinces.size()));
  return sim::World(std::move(provinces));
}

sim::World embedded_world() {
  const auto text = embedded_file("scenarios/data/provinces.yaml");
  if (!text) throw std::runtime_error("the embedded province data is missing");
  return world_from_yaml(*text, "<embedded>/scenarios/data/provinces.yaml");
}

void check_population_fits(std::uint64_t agents, std::int64_t scale, std::uint64_t available, const std::string& file) {
  if (const auto why = sim::population_memory_shortfall(agents, scale, available))
    throw InputError({file, 0, 0}, "scale", *why);
}

void check_population_fits(const sim::Layout& layout, std::uint64_t available, const std::string& file) {
  check_population_fits(layout.total, layout.scale, available, file);
}

}  // namespace yidi::io
