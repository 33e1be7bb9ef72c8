// A corpus of invalid scenarios (tests/invalid/scenarios/*.yaml), each ending with the exact
// message expected (`# expect:`) or its beginning (`# expect-prefix:`); {file} stands for its path.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/scenario_yaml.hpp"

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> corpus() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(YIDI_SOURCE_DIR) / "tests/invalid/scenarios"))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class ScenarioCorpus : public ::testing::TestWithParam<fs::path> {};

TEST_P(ScenarioCorpus, FailsWithItsExactMessage) {
  const fs::path file = GetParam();
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::string expect;
  bool prefix = false;
  for (const char* tag : {"# expect: ", "# expect-prefix: "}) {
    const auto at = text.find(tag);
    if (at == std::string::npos) continue;
    expect = text.substr(at + std::string(tag).size());
    expect = expect.substr(0, expect.find('\n'));
    prefix = std::string(tag) == "# expect-prefix: ";
  }
  ASSERT_FALSE(expect.empty()) << file << " has no # expect line";
  for (auto pos = expect.find("{file}"); pos != std::string::npos; pos = expect.find("{file}"))
    expect.replace(pos, 6, file.string());
  try {
    yidi::io::load_scenario(file.string());
    FAIL() << file << " was accepted";
  } catch (const yidi::io::InputError& e) {
    const std::string got = e.what();
    if (prefix) EXPECT_EQ(got.substr(0, expect.size()), expect);
    else EXPECT_EQ(got, expect);
  }
}

INSTANTIATE_TEST_SUITE_P(Invalid, ScenarioCorpus, ::testing::ValuesIn(corpus()), [](const auto& param_info) {
  std::string n = param_info.param.stem().string();
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

// Every shipped scenario is valid and resolves.
TEST(ShippedScenarios, AllLoadAndResolve) {
  for (const char* name : {"baseline", "target-70", "reductions-national", "reductions-bazhong", "no-reduction",
                           "free-filing-yrd"}) {
    const auto s = yidi::io::load_scenario(name);
    EXPECT_EQ(s.name, name);
    EXPECT_NO_THROW(yidi::io::scenario_policy(s)) << name;
  }
  EXPECT_EQ(yidi::io::load_scenario("reductions-national").policy_overlays,
            std::vector<std::string>{"scenarios/overlays/reductions-national.yaml"});
  EXPECT_EQ(yidi::io::load_scenario("target-70").start_month, 2022 * 12);  // inherited from the baseline
}
}  // namespace
