// The five cities' own policy files (scenarios/policy/regions/) act on their own insured in a
// baseline run of the default world (issue 14, "Outputs"): the same small run with and without a
// city's file differs in what that city's funds pay for off-site care, and in nothing else of any
// other pool (behaviour does not yet respond to policy, and every random stream is keyed by person,
// so another pool's visits and payments are the same bytes).
//   Langfang 131000: retired employees' chronic outpatient care, no deductible, 80% [seed 000]
//   Suzhou 320500: other temporary and unfiled visits ×0.8 from 2025-01-01 [secondary, DOMAIN §3]
//   Nantong 320600: referral/emergency −10, other temporary/unfiled −20 on all layers from
//                   2025-01-01 [seed 003 通医保发〔2024〕71号 四]
//   Luoyang 410300: other temporary and unfiled cross-province stays −20 [seed 001 §4]
//   Bazhong 511900: inpatient referral/emergency −5, other temporary −10 from 2023-01-01 [seed 004]
#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include "sim/engine/simulation.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;
namespace fs = std::filesystem;

namespace {
const fs::path kPolicy = fs::path(YIDI_SOURCE_DIR) / "scenarios/policy";

/// The policy directory without one city's file, copied into a new temporary directory of this
/// process (named by its pid, so that concurrent test runs do not share it).
fs::path policy_without(const std::string& city_file) {
  const fs::path dir =
      fs::temp_directory_path() / ("yidi-city-rules-" + std::to_string(::getpid()) + "-" + city_file);
  EXPECT_TRUE(fs::create_directory(dir)) << dir;
  fs::copy(kPolicy, dir, fs::copy_options::recursive);
  EXPECT_TRUE(fs::remove(dir / "regions" / city_file)) << city_file;
  return dir;
}

struct Paid {
  std::vector<std::int64_t> fund;  // per region: off-site (cross + intra) fund payments, all months
  std::vector<std::int64_t> visits;
};

Paid run(const PolicyBook& book, const sim::World& world, const std::string& scenario_name = "baseline") {
  sim::Scenario scenario = io::load_scenario(scenario_name);
  scenario.scale = 5000;  // about 280,000 agents
  scenario.months = 48;   // 2022-01 to 2025-12: the 2025 rules of Suzhou and Nantong are in force
  sim::Simulation s(scenario, book, world);
  while (!s.done()) s.run_month();
  const sim::Results& r = s.results();
  const std::size_t R = world.size();
  // Each dataset is month × region × visit type × path: sum every month and cell into its region.
  const auto per_region = [&](std::initializer_list<const char*> names) {
    std::vector<std::int64_t> sum(R, 0);
    for (const char* name : names) {
      const auto& v = r.data(name).i;
      const std::size_t cells = v.size() / (static_cast<std::size_t>(scenario.months) * R);
      for (std::size_t i = 0; i < v.size(); ++i) sum[(i / cells) % R] += v[i];
    }
    return sum;
  };
  Paid p{per_region({"region/offsite_fund", "region/intra_fund"}),
         per_region({"region/offsite_visits", "region/intra_visits"})};
  return p;
}
}  // namespace

TEST(CityRules, EachCitysFileActsOnItsOwnInsuredAndNoOtherPool) {
  const sim::World world = io::embedded_world();
  const PolicyBook full = io::load_policy_dir(kPolicy);
  const Paid with = run(full, world);
  // city file, its code, and the sign of (fund paid with its rule − without): −1 the city's rule
  // pays less than its province's would, +1 more. The provinces' own inpatient reductions
  // (scenarios/policy/provinces/): referral/emergency −5, other temporary −10, unfiled −20;
  // Jiangsu from 2025-01-01 −10/−20/−20 [seed 003 苏医保发〔2024〕56号 二].
  const std::vector<std::tuple<std::string, std::string, int>> cities = {
      {"131000-langfang.yaml", "131000", +1},  // no deductible on chronic outpatient care
      {"320500-suzhou.yaml", "320500", +1},    // ×0.8 at a 90% inpatient ratio is −18 points, less than Jiangsu's −20
      {"320600-nantong.yaml", "320600", -1},   // −10/−20 on all layers
      {"410300-luoyang.yaml", "410300", -1},   // −20 for unfiled and other temporary stays
      {"511900-bazhong.yaml", "511900", +1},   // unfiled −10 against Sichuan's −20
  };
  for (const auto& [file, code, sign] : cities) {
    const fs::path dir = policy_without(file);
    const Paid without = run(io::load_policy_dir(dir), world);
    fs::remove_all(dir);
    const auto parsed = RegionCode::parse(code);
    ASSERT_TRUE(parsed.has_value()) << code;
    const std::size_t city = world.index_of(*parsed);
    // The same people went to the same places: visits do not depend on the insured's policy.
    EXPECT_EQ(with.visits, without.visits) << file;
    const std::int64_t diff = with.fund[city] - without.fund[city];
    EXPECT_NE(diff, 0) << file << ": the city's rule changed nothing its funds paid";
    EXPECT_EQ(diff > 0 ? 1 : -1, sign) << file << ": with " << with.fund[city] << " fen, without "
                                       << without.fund[city];
    std::size_t others_changed = 0;
    for (std::size_t r = 0; r < world.size(); ++r)
      if (r != city && with.fund[r] != without.fund[r]) ++others_changed;
    EXPECT_EQ(others_changed, 0u) << file << ": another pool's payments changed";
  }
}

// `reductions-bazhong` is `no-reduction` with Bazhong's own rule on Bazhong's insured: against
// `no-reduction` its funds pay less (−5/−10 points on inpatient stays from 2023 [seed 004 (四)]) and
// no other pool's payments change. `reductions-bazhong-everywhere` cuts every pool.
TEST(CityRules, ReductionsBazhongActsOnBazhongOnly) {
  const sim::World world = io::embedded_world();
  const auto load = [&](const char* name) { return run(io::scenario_policy(io::load_scenario(name)), world, name); };
  const Paid none = load("no-reduction"), bazhong = load("reductions-bazhong"),
             everywhere = load("reductions-bazhong-everywhere");
  const std::size_t b = world.index_of(*RegionCode::parse("511900"));
  EXPECT_EQ(bazhong.visits, none.visits);
  EXPECT_LT(bazhong.fund[b], none.fund[b]);
  std::size_t others_changed = 0, everywhere_cut = 0;
  for (std::size_t r = 0; r < world.size(); ++r) {
    if (r != b && bazhong.fund[r] != none.fund[r]) ++others_changed;
    if (everywhere.fund[r] < none.fund[r]) ++everywhere_cut;
  }
  EXPECT_EQ(others_changed, 0u);
  EXPECT_GT(everywhere_cut, 300u) << "of " << world.size() << " pools";
}
