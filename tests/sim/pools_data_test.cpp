// The data of the simulated nation of pooling regions (issue 14): scenarios/data/pools.yaml, as
// embedded in the binary, written by scripts/make-pools.py from ../shared/data/prefecture-census-2020.csv
// (the 341 census units), ../shared/data/province-census-2020.csv (the province figures),
// scenarios/data/provinces.yaml (the XPCC carve-out) and scenarios/data/pool-seats.csv (seats).
// The figures asserted are the data's own; docs/world.md "Pools and their sources".
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>

#include "sim/io/embedded.hpp"
#include "sim/io/policy_yaml.hpp"

using namespace yidi;

namespace {
YAML::Node pools() {
  const auto text = io::embedded_file("scenarios/data/pools.yaml");
  if (!text) throw std::runtime_error("scenarios/data/pools.yaml is not embedded");
  return YAML::Load(std::string(*text));
}
std::string province_of(const std::string& code) { return code.substr(0, 2) + "0000"; }
/// The region of pools.yaml with `code` (a null node if none).
YAML::Node region(const YAML::Node& root, const std::string& code) {
  for (const auto& r : root["regions"])
    if (r["code"].as<std::string>() == code) return r;
  return YAML::Node();
}
}  // namespace

TEST(PoolsData, ThreeHundredFortyTwoPoolsInThirtyTwoProvinces) {
  const YAML::Node root = pools();
  // 333 prefectures + 4 municipalities + 4 county groups (prefecture-census-2020.csv) + the XPCC
  EXPECT_EQ(root["regions"].size(), 342u);
  // the 31 census provinces (province-census-2020.csv) + the XPCC (scenarios/data/provinces.yaml)
  EXPECT_EQ(root["provinces"].size(), 32u);
  std::set<std::string> provinces, codes;
  for (const auto& p : root["provinces"]) EXPECT_TRUE(provinces.insert(p["code"].as<std::string>()).second);
  std::map<std::string, int> per_province;
  for (const auto& r : root["regions"]) {
    const auto code = r["code"].as<std::string>();
    EXPECT_TRUE(codes.insert(code).second) << code << " listed twice";
    EXPECT_EQ(code.size(), 6u) << code;
    EXPECT_TRUE(provinces.count(province_of(code))) << code << ": province " << province_of(code) << " not listed";
    ++per_province[province_of(code)];
  }
  EXPECT_EQ(per_province.size(), 32u);  // every province has a pool
  // Pools per province (prefecture-census-2020.csv): Guangdong's and Sichuan's 21, Henan's 17
  // prefectures + 济源 (419000), Hainan's 4 prefectures + 469000, one for each municipality.
  EXPECT_EQ(per_province["440000"], 21);
  EXPECT_EQ(per_province["510000"], 21);
  EXPECT_EQ(per_province["410000"], 18);
  EXPECT_EQ(per_province["460000"], 5);
  EXPECT_EQ(per_province["650000"], 15);
  for (const char* m : {"110000", "120000", "310000", "500000", "660000"}) EXPECT_EQ(per_province[m], 1) << m;
}

TEST(PoolsData, PoolPopulationsSumToTheCensusProvinces) {
  const YAML::Node root = pools();
  std::map<std::string, long long> province_pop, pool_sum;
  for (const auto& p : root["provinces"]) province_pop[p["code"].as<std::string>()] = p["population"].as<long long>();
  long long national = 0;
  for (const auto& r : root["regions"]) {
    const auto pop = r["population"].as<long long>();
    EXPECT_GT(pop, 0) << r["code"].as<std::string>();
    pool_sum[province_of(r["code"].as<std::string>())] += pop;
    national += pop;
  }
  // Measured difference: 0 in every province (prefecture-census-2020.csv sums exactly to
  // province-census-2020.csv; Hainan's 469000 and Xinjiang's 659000 are the residuals there), so
  // the tolerance is 0.
  for (const auto& [code, pop] : province_pop) EXPECT_EQ(pool_sum[code], pop) << code;
  // The 31 census provinces sum to 1,409,778,724 (province-census-2020.csv, servicemen excluded).
  EXPECT_EQ(national, 1'409'778'724LL);
  // Henan 99,365,519; Xinjiang 25,852,345 less the XPCC's 3,250,000 (provinces.yaml) = 22,602,345.
  EXPECT_EQ(province_pop["410000"], 99'365'519LL);
  EXPECT_EQ(province_pop["650000"], 22'602'345LL);
  EXPECT_EQ(province_pop["660000"], 3'250'000LL);
  // Zhengzhou 12,600,574 and Luoyang 7,056,699 (prefecture-census-2020.csv, 2020 bulletins).
  EXPECT_EQ(region(root, "410100")["population"].as<long long>(), 12'600'574LL);
  EXPECT_EQ(region(root, "410300")["population"].as<long long>(), 7'056'699LL);
}

TEST(PoolsData, ProvinceFiguresFromTheCensus) {
  const YAML::Node root = pools();
  int with_outflow = 0;
  long long inflow = 0, within = 0;
  for (const auto& p : root["provinces"]) {
    inflow += p["inflow"].as<long long>();
    within += p["within_province"].as<long long>();
    if (!p["outflow"].IsNull()) {
      ++with_outflow;
      // province-outflow-2020.csv: Henan's 1610万, the only one found
      EXPECT_EQ(p["code"].as<std::string>(), "410000");
      EXPECT_EQ(p["outflow"].as<long long>(), 16'100'000LL);
    }
  }
  EXPECT_EQ(with_outflow, 1);
  // province-census-2020.csv: the 31 省外 values sum to the national 跨省流动人口 124,837,153 and
  // 省内 + 省外 to the 人户分离人口 492,762,506; the XPCC's shares come out of Xinjiang's.
  EXPECT_EQ(inflow, 124'837'153LL);
  EXPECT_EQ(inflow + within, 492'762'506LL);
}

TEST(PoolsData, OneSeatPerProvinceAtTheCapital) {
  const YAML::Node root = pools();
  std::map<std::string, std::string> seat;
  for (const auto& r : root["regions"])
    if (r["seat"].as<bool>()) {
      const auto code = r["code"].as<std::string>();
      EXPECT_TRUE(seat.emplace(province_of(code), code).second) << "second seat in " << province_of(code);
    }
  EXPECT_EQ(seat.size(), 32u);
  EXPECT_EQ(seat["410000"], "410100");  // 郑州
  EXPECT_EQ(seat["320000"], "320100");  // 南京
  EXPECT_EQ(seat["460000"], "460100");  // 海口
  EXPECT_EQ(seat["110000"], "110000");  // a municipality's one pool
  EXPECT_EQ(seat["660000"], "660000");
}

TEST(PoolsData, TheFivePolicyCitiesArePools) {
  const YAML::Node root = pools();
  // scenarios/policy/regions/: seeds 000, 001, 003, 004 and Suzhou's ×0.8
  const std::map<std::string, std::string> cities = {
      {"131000", "廊坊市"}, {"320500", "苏州市"}, {"320600", "南通市"}, {"410300", "洛阳市"}, {"511900", "巴中市"}};
  int found = 0;
  for (const auto& r : root["regions"]) {
    const auto it = cities.find(r["code"].as<std::string>());
    if (it == cities.end()) continue;
    EXPECT_EQ(r["name"].as<std::string>(), it->second);
    ++found;
  }
  EXPECT_EQ(found, 5);
}

TEST(PoolsData, SeatsInsideChina) {
  const YAML::Node root = pools();
  // China's bounding box, 3.8–53.6°N, 73.5–135.1°E (三沙's seat 永兴岛 is at 16.83°N).
  for (const auto& r : root["regions"]) {
    const auto code = r["code"].as<std::string>();
    const double lat = r["lat"].as<double>(), lon = r["lon"].as<double>();
    EXPECT_GE(lat, 3.8) << code;  // 曾母暗沙, the southernmost point
    EXPECT_LE(lat, 53.6) << code;
    EXPECT_GE(lon, 73.5) << code;
    EXPECT_LE(lon, 135.1) << code;
  }
  // pool-seats.csv: Luoyang's seat (AMap 112.434468, 34.663041) and Kashgar's, the westernmost pool.
  EXPECT_NEAR(region(root, "410300")["lat"].as<double>(), 34.66, 1e-9);
  EXPECT_NEAR(region(root, "410300")["lon"].as<double>(), 112.43, 1e-9);
  EXPECT_NEAR(region(root, "653100")["lon"].as<double>(), 75.99, 1e-9);
}

TEST(PoolsData, EveryPoolIsInThePolicyRegistry) {
  // scenarios/policy/regions.yaml lists each pool after its province; a municipality's and the
  // XPCC's pool is its province's entry (pool code = province code).
  const PolicyBook book = io::load_embedded_policy();
  const YAML::Node root = pools();
  for (const auto& r : root["regions"]) {
    const auto code = RegionCode::parse(r["code"].as<std::string>());
    ASSERT_TRUE(code);
    ASSERT_TRUE(book.has_region(*code)) << code->str();
    if (!code->is_province()) {
      EXPECT_EQ(book.region(*code)->name, r["name"].as<std::string>()) << code->str();
    }
  }
  EXPECT_EQ(book.regions().size(), 32u + 337u);  // provinces + pools with codes of their own
}
