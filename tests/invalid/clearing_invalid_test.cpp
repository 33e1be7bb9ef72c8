// Invalid clearing configurations (`yidi clear --config`, docs/clear-formats.md) and the exact
// messages they get. Each file in tests/invalid/clearing/ is one case, ending with
// "# expect: MESSAGE", where {file} stands for its path. tests/invalid/invalid_cli_test.cpp runs
// `yidi clear` on each and checks that nothing is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/clearing_yaml.hpp"
#include "sim/io/strict_yaml.hpp"

namespace fs = std::filesystem;
using yidi::io::InputError;

namespace {
const fs::path kCorpusDir = fs::path(YIDI_SOURCE_DIR) / "tests" / "invalid" / "clearing";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> corpus() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kCorpusDir))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string expected_of(const fs::path& p) {
  const std::string text = read(p);
  const std::string tag = "# expect: ";
  const auto at = text.find(tag);
  if (at == std::string::npos) return "";
  std::string e = text.substr(at + tag.size());
  e = e.substr(0, e.find('\n'));
  for (auto pos = e.find("{file}"); pos != std::string::npos; pos = e.find("{file}")) e.replace(pos, 6, p.string());
  return e;
}

std::string error_of(const std::string& text, const std::string& file) {
  try {
    (void)yidi::io::parse_clearing_config(text, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

class ClearingCorpus : public ::testing::TestWithParam<fs::path> {};

TEST_P(ClearingCorpus, FailsWithItsExactMessage) {
  const fs::path p = GetParam();
  const std::string expected = expected_of(p);
  ASSERT_FALSE(expected.empty()) << p << " has no '# expect:' line";
  EXPECT_EQ(error_of(read(p), p.string()), expected);
}

INSTANTIATE_TEST_SUITE_P(InvalidClearing, ClearingCorpus, ::testing::ValuesIn(corpus()), [](const auto& param_info) {
  std::string n = param_info.param.stem().string();
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

// The shipped example is valid and read in full (its five funds, one quota, the rules).
TEST(ClearingConfig, ShippedExampleIsValid) {
  const fs::path p = fs::path(YIDI_SOURCE_DIR) / "scenarios" / "examples" / "clearing-config.yaml";
  const auto c = yidi::io::parse_clearing_config(read(p), p.string());
  EXPECT_EQ(c.funds.size(), 5u);
  EXPECT_EQ(c.initial_quotas.size(), 1u);
  EXPECT_EQ(c.params.quota_multiple, yidi::Ratio::bp(20000));
  EXPECT_EQ(c.rules.manual_lag_months, 3);
  EXPECT_EQ(c.rules.manual_claim_share, yidi::Ratio::percent(80));
  EXPECT_EQ(c.funds[0].insured, 8000);
  ASSERT_EQ(c.params.intra_province.by_province.count(yidi::RegionCode::of(320000)), 1u);  // Jiangsu [seed 003]
  EXPECT_EQ(c.params.intra_province.by_province.at(yidi::RegionCode::of(320000))[0].annual, yidi::IntraAnnual::drg_dip);
  EXPECT_EQ(c.source, p.string() + " (example: two funds of the sample claims, illustrative amounts)");
}

// An empty file (or one of comments) means every default, as documented; so does "~" alone.
TEST(ClearingConfig, EmptyFileMeansDefaults) {
  for (const char* text : {"", "# nothing\n", "~\n"}) {
    const auto c = yidi::io::parse_clearing_config(text, "empty.yaml");
    EXPECT_EQ(c.params.declaration_day, 20) << text;
    EXPECT_TRUE(c.funds.empty());
    EXPECT_EQ(c.source, "empty.yaml");
  }
}

// clearing.intra_province (issue 14): Jiangsu's dated rule [seed 003, 苏医保发〔2024〕56号 三] and the
// default read into IntraProvinceRules; the resolved line that `clear` records spells them as a
// YAML flow mapping that reads back to the same rules and the same line.
TEST(ClearingConfig, IntraProvinceRulesReadAndDescribeThemselves) {
  const auto c = yidi::io::parse_clearing_config(
      "clearing:\n  intra_province:\n    \"320000\":\n"
      "      - {from: 2024-12-01, pre_settlement: monthly_fee_for_service, annual: drg_dip, drg_ratio: 0.97}\n",
      "jiangsu.yaml");
  const auto& rules = c.params.intra_province;
  EXPECT_EQ(rules.default_rule, yidi::IntraRule{});  // the default stays monthly fee-for-service, final
  ASSERT_EQ(rules.by_province.size(), 1u);
  const auto& js = rules.by_province.at(yidi::RegionCode::of(320000));
  ASSERT_EQ(js.size(), 1u);
  EXPECT_EQ(js[0].from, *yidi::Date::parse("2024-12-01"));
  EXPECT_EQ(js[0].annual, yidi::IntraAnnual::drg_dip);
  EXPECT_EQ(js[0].drg_ratio, yidi::Ratio::percent(97));
  // In force: the default before the date and in other provinces, Jiangsu's rule from it.
  EXPECT_EQ(&rules.in_force(yidi::RegionCode::of(320500), *yidi::Date::parse("2024-11-30")), &rules.default_rule);
  EXPECT_EQ(&rules.in_force(yidi::RegionCode::of(320500), *yidi::Date::parse("2024-12-01")), &js[0]);
  EXPECT_EQ(&rules.in_force(yidi::RegionCode::of(511900), *yidi::Date::parse("2025-06-01")), &rules.default_rule);

  const std::string line =
      "intra_province={default: {pre_settlement: monthly_fee_for_service, annual: none}, "
      "\"320000\": [{from: 2024-12-01, pre_settlement: monthly_fee_for_service, annual: drg_dip, drg_ratio: 97%}]}";
  const auto described = yidi::io::describe(c.params, c.rules);
  EXPECT_NE(std::find(described.begin(), described.end(), line), described.end());
  const auto back =
      yidi::io::parse_clearing_config("clearing:\n  intra_province: " + line.substr(line.find('=') + 1) + "\n", "back.yaml");
  EXPECT_EQ(back.params.intra_province, rules);
  // Built-in defaults: one default rule, no province.
  const auto defaults = yidi::io::describe(yidi::ClearingParams{}, yidi::io::RecordRules{});
  EXPECT_NE(std::find(defaults.begin(), defaults.end(),
                      "intra_province={default: {pre_settlement: monthly_fee_for_service, annual: none}}"),
            defaults.end());
}

// A scenario's clearing section overlays its base's rules per key: `default` and each province's
// list replace those of the base, other provinces' lists are kept.
TEST(ClearingConfig, IntraProvinceRulesOverlayPerProvince) {
  yidi::ClearingParams p;
  const auto parse = [&](const std::string& text) {
    yidi::io::parse_clearing_params(YAML::Load(text), "overlay.yaml", p);
  };
  parse("intra_province: {\"320000\": [{from: 2024-12-01, annual: drg_dip, drg_ratio: 97%}]}");
  parse("intra_province: {default: {annual: drg_dip, drg_ratio: 99%}, \"330000\": [{from: 2025-01-01, annual: none}]}");
  EXPECT_EQ(p.intra_province.default_rule.drg_ratio, yidi::Ratio::percent(99));
  ASSERT_EQ(p.intra_province.by_province.size(), 2u);
  EXPECT_EQ(p.intra_province.by_province.at(yidi::RegionCode::of(320000))[0].drg_ratio, yidi::Ratio::percent(97));
  EXPECT_EQ(p.intra_province.by_province.at(yidi::RegionCode::of(330000))[0].annual, yidi::IntraAnnual::none);
}

// Text past kMaxConfigFileBytes (4 MiB) is refused before it is parsed.
TEST(ClearingConfig, SizeLimit) {
  EXPECT_EQ(error_of(std::string(yidi::io::kMaxConfigFileBytes + 1, '#'), "big.yaml"),
            "big.yaml: the file exceeds the size limit of 4 MiB (4194304 bytes) for scenario, policy and clearing files");
}

// At least the cases the loader promises to report.
TEST(ClearingCorpusContents, CoversTheSilentCoercions) {
  std::vector<std::string> names;
  for (const auto& p : corpus()) names.push_back(p.stem().string());
  for (const char* required : {"duplicate-param", "second-document", "tag", "anchor-alias", "key-is-mapping",
                               "fund-is-scalar", "declaration-day-fraction", "declaration-day-junk", "insured-would-wrap",
                               "declaration-day-empty", "fund-listed-twice", "intra-drg-annual-replaced",
                               "intra-province-mid-month", "intra-province-no-drg-ratio", "intra-province-city-code"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
}
}  // namespace
