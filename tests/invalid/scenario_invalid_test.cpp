// A corpus of invalid scenarios (tests/invalid/scenarios/*.yaml), each ending with the exact
// message expected (`# expect:`) or its beginning (`# expect-prefix:`); {file} stands for its path
// and {dir} for the corpus folder (an `extends` cycle names the other files of the chain).
// tests/invalid/invalid_cli_test.cpp runs `yidi run` on each and checks that nothing is written.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/claims_csv.hpp"
#include "sim/io/clearing_yaml.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/strict_yaml.hpp"
#include "sim/model/params.hpp"

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
  for (auto pos = expect.find("{dir}"); pos != std::string::npos; pos = expect.find("{dir}"))
    expect.replace(pos, 5, file.parent_path().string());
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
  for (const char* name : {"baseline", "target-70", "reductions-national", "reductions-bazhong",
                           "reductions-bazhong-everywhere",
                           "no-reduction",
                           "free-filing-yrd"}) {
    const auto s = yidi::io::load_scenario(name);
    EXPECT_EQ(s.name, name);
    EXPECT_NO_THROW(yidi::io::scenario_policy(s)) << name;
  }
  EXPECT_EQ(yidi::io::load_scenario("reductions-national").policy_overlays,
            std::vector<std::string>{"<embedded>/scenarios/overlays/reductions-national.yaml"});
  EXPECT_EQ(yidi::io::load_scenario("target-70").start_month, 2022 * 12);  // inherited from the baseline
}

// Every scenario embedded in the binary (scenarios/*.yaml), not only the ones named above, loads
// under the strict rules, and its resolved form reads back to the same text.
TEST(ShippedScenarios, EveryEmbeddedScenarioIsValidAndRoundTrips) {
  int n = 0;
  for (const auto& f : yidi::io::embedded_files()) {
    const std::string path(f.path);
    if (!path.starts_with("scenarios/") || path.find('/', 10) != std::string::npos || !path.ends_with(".yaml")) continue;
    const std::string name = path.substr(10, path.size() - 15);
    SCOPED_TRACE(name);
    const auto s = yidi::io::load_scenario(name);
    EXPECT_EQ(yidi::io::check_scenario_name(s.name), "");
    const std::string once = yidi::io::resolved_yaml(s);
    EXPECT_EQ(yidi::io::resolved_yaml(yidi::io::parse_scenario(once, "resolved")), once);
    ++n;
  }
  EXPECT_EQ(n, 7);  // the seven scenarios/*.yaml
}

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const yidi::io::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

/// A scratch folder under the system's temporary folder, removed at the end.
struct Scratch {
  fs::path dir;
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() / ("yidi-scenario-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};
}  // namespace

// The command line's --scale, --months and --seed are read as strictly as the keys (the issue:
// `--months -3` and `--seed -7` were ignored, and the --scale text was pasted into YAML, so
// `--scale '1000"\nseed: "5'` set the seed).
TEST(ScenarioOverrides, AreReadLikeTheKeysAndNeverAsYaml) {
  using yidi::io::apply_overrides;
  yidi::sim::Scenario s = yidi::io::load_scenario("baseline");
  auto with = [&](std::optional<std::string> scale, std::optional<std::string> months, std::optional<std::string> seed) {
    return error_of([&] {
      yidi::sim::Scenario t = s;
      apply_overrides(t, {std::move(scale), std::move(months), std::move(seed)});
    });
  };
  EXPECT_EQ(with(std::nullopt, "-3", std::nullopt),
            "command line: field '--months': expected a whole number of months from 1 to 600, got '-3'");
  EXPECT_EQ(with(std::nullopt, "2300", std::nullopt),
            "command line: field '--months': expected a whole number of months from 1 to 600, got '2300'");
  EXPECT_EQ(with(std::nullopt, "", std::nullopt),
            "command line: field '--months': expected a whole number of months from 1 to 600, got ''");
  EXPECT_EQ(with(std::nullopt, std::nullopt, "-7"),
            "command line: field '--seed': expected a seed: a whole number from 0 to 18446744073709551615, got '-7'");
  EXPECT_EQ(with(std::nullopt, std::nullopt, "0x10"),
            "command line: field '--seed': expected a seed: a whole number from 0 to 18446744073709551615, got '0x10'");
  EXPECT_EQ(with("1000\"\nseed: \"5", std::nullopt, std::nullopt),
            "command line: field '--scale': expected a whole sampling ratio from 1:1 (full scale) to 1:10000000, written "
            "1:N or N, such as 1:1000 or 1000, got '1000\"\nseed: \"5'");
  EXPECT_EQ(with("1:1e5", std::nullopt, std::nullopt).substr(0, 36), "command line: field '--scale': expec");
  // Valid values apply, the largest seed included.
  yidi::sim::Scenario t = s;
  apply_overrides(t, {"1:2000", "3", "18446744073709551615"});
  EXPECT_EQ(t.scale, 2000);
  EXPECT_EQ(t.months, 3);
  EXPECT_EQ(t.seed, 18446744073709551615ull);
  apply_overrides(t, {"1", std::nullopt, "0"});
  EXPECT_EQ(t.scale, 1);
  EXPECT_EQ(t.months, 3);
  EXPECT_EQ(t.seed, 0u);
}

// The supported months (1900-01 to 2200-12, yidi::Date's range) bound the run however the period
// is set: start + months in the file, start from the file with months on the command line.
TEST(ScenarioPeriod, StaysWithinTheSupportedMonths) {
  Scratch tmp;
  const auto late = tmp.write("late.yaml", "name: late\nstart: 2199-01\nmonths: 24\n");
  const auto s = yidi::io::load_scenario(late.string());  // 2199-01 .. 2200-12: the last supported month
  EXPECT_EQ(s.start_month + s.months - 1, 2200 * 12 + 11);
  yidi::sim::Scenario t = s;
  EXPECT_EQ(error_of([&] { yidi::io::apply_overrides(t, {std::nullopt, "25", std::nullopt}); }),
            "command line: field '--months': the run from 2199-01 for 25 months would end in 2201-01; expected every "
            "month within 1900-01 to 2200-12");
  // A scenario that extends it and sets only `years` is checked at its own key.
  const auto child = tmp.write("child.yaml", "extends: late.yaml\nname: child\nyears: 3\n");
  EXPECT_EQ(error_of([&] { yidi::io::load_scenario(child.string()); }),
            child.string() + ":3:8: field 'years': the run from 2199-01 for 36 months would end in 2201-12; expected "
                             "every month within 1900-01 to 2200-12");
  EXPECT_EQ(yidi::io::kFirstSupportedYear, 1900);
  EXPECT_EQ(yidi::io::kLastSupportedYear, 2200);
}

// `extends:` is looked up beside the extending file first, whatever the current folder.
TEST(ScenarioExtends, FindsTheParentBesideTheFile) {
  Scratch tmp;
  tmp.write("parent.yaml", "extends: baseline\nname: parent\nseed: 7\nmonths: 5\n");
  const auto child = tmp.write("child.yaml", "extends: parent.yaml\nname: child\nmonths: 4\n");
  const auto s = yidi::io::load_scenario(child.string());
  EXPECT_EQ(s.name, "child");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.months, 4);
  EXPECT_EQ(s.scale, 1000);  // from the baseline
}

// Overlays are looked up beside the scenario file, as `extends` is (issue 18: they resolved against
// the current folder), and the resolved scenario, hence its hash, carries each overlay's content:
// editing an overlay changes scenario_sha256, so a resumed sweep recomputes its points.
TEST(ScenarioOverlays, FoundBesideTheFileAndHashedByContent) {
  Scratch tmp;
  const std::string text =
      "region: all\neffective_from: 2022-01-01\nsource: \"assumed: test\"\npolicy:\n  reduction_scope: all_offsite\n";
  const auto ov = tmp.write("ov.yaml", text);
  const auto file = tmp.write("s.yaml", "extends: baseline\nname: s\nmonths: 2\npolicy_overlays: [ov.yaml]\n");
  const auto s = yidi::io::load_scenario(file.string());
  ASSERT_EQ(s.policy_overlays.size(), 1u);
  EXPECT_EQ(s.policy_overlays[0], ov.lexically_normal().generic_string());
  EXPECT_NO_THROW(yidi::io::scenario_policy(s));
  const std::string once = yidi::io::resolved_yaml(s);
  EXPECT_NE(once.find("# overlay " + s.policy_overlays[0] + ": sha256 " + yidi::io::sha256_hex(text) + "\n"),
            std::string::npos)
      << once;
  // The same scenario, the overlay's text edited: another resolved text, another hash.
  tmp.write("ov.yaml", text + "# edited\n");
  const std::string twice = yidi::io::resolved_yaml(yidi::io::load_scenario(file.string()));
  EXPECT_NE(yidi::io::sha256_hex(twice), yidi::io::sha256_hex(once));
  EXPECT_NE(twice.find(yidi::io::sha256_hex(text + "# edited\n")), std::string::npos);
  // The resolved text reads back to the same scenario (the digests are comments).
  EXPECT_EQ(yidi::io::parse_scenario(twice, "resolved").policy_overlays, s.policy_overlays);
  // An embedded scenario names embedded overlays only, whatever the current folder holds.
  const auto e = yidi::io::load_scenario("no-reduction");
  ASSERT_EQ(e.policy_overlays.size(), 1u);
  EXPECT_EQ(e.policy_overlays[0], "<embedded>/scenarios/overlays/no-reduction.yaml");
  EXPECT_NE(yidi::io::resolved_yaml(e).find("# overlay \"<embedded>/scenarios/overlays/no-reduction.yaml\": embedded, sha256 "),
            std::string::npos)
      << yidi::io::resolved_yaml(e);
}

// Files are read up to kMaxConfigFileBytes (4 MiB); a device that never ends (/dev/zero) or a
// folder is refused with the file's name, instead of reading until memory runs out.
TEST(ScenarioFiles, SizeLimitsAndNonFiles) {
  Scratch tmp;
  const auto big = tmp.write("big.yaml", "name: big\n" + std::string(yidi::io::kMaxConfigFileBytes, '#'));
  EXPECT_EQ(error_of([&] { yidi::io::load_scenario(big.string()); }),
            big.string() + ": the scenario exceeds the size limit of 4 MiB (4194304 bytes)");
  // Exactly at the limit is read (and then parsed: all comment).
  const auto full = tmp.write("full.yaml", "name: full\n" + std::string(yidi::io::kMaxConfigFileBytes - 11, '#'));
  EXPECT_EQ(yidi::io::load_scenario(full.string()).name, "full");
  EXPECT_EQ(error_of([] { yidi::io::load_scenario("/dev/zero"); }),
            "/dev/zero: the scenario exceeds the size limit of 4 MiB (4194304 bytes)");
  EXPECT_EQ(error_of([&] { yidi::io::load_scenario(tmp.dir.string()); }),
            tmp.dir.string() + ": the scenario is a folder; expected a file");
  // Text given directly is held to the same limit.
  EXPECT_EQ(error_of([] { yidi::io::parse_scenario(std::string(yidi::io::kMaxConfigFileBytes + 1, '#'), "text"); }),
            "text: the file exceeds the size limit of 4 MiB (4194304 bytes) for scenario, policy and clearing files");
}

// The resolved form quotes what plain YAML would read differently, so it reads back to the same
// scenario: a description with quotes and a line break, an overlay path with a comma, a flat series.
TEST(ScenarioResolved, ReadsBackToTheSameText) {
  yidi::sim::Scenario s = yidi::io::parse_scenario(
      "name: odd\ndescription: \"say \\\"hi\\\"\\nback\\\\slash\"\npolicy_overlays: [\"a, b.yaml\"]\n"
      "params:\n  levers.credential: 0.9\n",
      "odd.yaml");
  EXPECT_EQ(s.description, "say \"hi\"\nback\\slash");
  const std::string once = yidi::io::resolved_yaml(s);
  EXPECT_NE(once.find("description: \"say \\\"hi\\\"\\nback\\\\slash\"\n"), std::string::npos) << once;
  EXPECT_NE(once.find("policy_overlays: [\"a, b.yaml\"]\n"), std::string::npos) << once;
  // A flat series is shown at the first supported month (it was an empty optional's bytes).
  EXPECT_NE(once.find("  levers.credential: {1900-01: 0.90000000000000002}\n"), std::string::npos) << once;
  const yidi::sim::Scenario back = yidi::io::parse_scenario(once, "resolved");
  EXPECT_EQ(back.description, s.description);
  EXPECT_EQ(back.policy_overlays, s.policy_overlays);
  EXPECT_EQ(back.params.credential.at(2030 * 12), 0.9);
  EXPECT_EQ(yidi::io::resolved_yaml(back), once);
}

// A scenario's dated intra-province rules (issue 14; Jiangsu from 2024-12-01 [seed 003]) appear in
// its resolved form, which reads back to the same rules and text; so the scenario hash changes
// exactly when the rules do.
TEST(ScenarioResolved, IntraProvinceRulesReadBack) {
  const yidi::sim::Scenario s = yidi::io::parse_scenario(
      "name: js\nclearing:\n  intra_province:\n    \"320000\":\n"
      "      - {from: 2024-12-01, annual: drg_dip, drg_ratio: 97%}\n",
      "js.yaml");
  const std::string once = yidi::io::resolved_yaml(s);
  EXPECT_NE(once.find("  intra_province: {default: {pre_settlement: monthly_fee_for_service, annual: none}, "
                      "\"320000\": [{from: 2024-12-01, pre_settlement: monthly_fee_for_service, annual: drg_dip, "
                      "drg_ratio: 97%}]}\n"),
            std::string::npos)
      << once;
  const yidi::sim::Scenario back = yidi::io::parse_scenario(once, "resolved");
  EXPECT_EQ(back.clearing.intra_province, s.clearing.intra_province);
  EXPECT_EQ(yidi::io::resolved_yaml(back), once);
  const yidi::sim::Scenario plain = yidi::io::parse_scenario("name: js\n", "plain.yaml");
  EXPECT_NE(yidi::io::resolved_yaml(plain), once);
}

// Province-level pooling dates (issue 14; clearing.province_pooling) appear in the resolved form and
// read back; a scenario built on one may remove a province with null.
TEST(ScenarioResolved, ProvincePoolingReadsBack) {
  const yidi::sim::Scenario s = yidi::io::parse_scenario(
      "name: hn\nclearing:\n  province_pooling: {\"460000\": 2023-01-01, \"640000\": 2022-07-01}\n", "hn.yaml");
  ASSERT_EQ(s.clearing.province_pooling.size(), 2u);
  EXPECT_EQ(s.clearing.province_pooling.at(yidi::RegionCode::of(460000)), *yidi::Date::parse("2023-01-01"));
  EXPECT_EQ(s.clearing.pooled_fund(yidi::RegionCode::of(460200), *yidi::Date::parse("2023-01-15")), yidi::RegionCode::of(460000));
  EXPECT_FALSE(s.clearing.pooled_fund(yidi::RegionCode::of(460200), *yidi::Date::parse("2022-12-15")));
  EXPECT_FALSE(s.clearing.pooled_fund(yidi::RegionCode::of(320500), *yidi::Date::parse("2025-01-15")));
  const std::string once = yidi::io::resolved_yaml(s);
  EXPECT_NE(once.find("  province_pooling: {\"460000\": 2023-01-01, \"640000\": 2022-07-01}\n"), std::string::npos) << once;
  const yidi::sim::Scenario back = yidi::io::parse_scenario(once, "resolved");
  EXPECT_EQ(back.clearing.province_pooling, s.clearing.province_pooling);
  EXPECT_EQ(yidi::io::resolved_yaml(back), once);
  yidi::ClearingParams p = s.clearing;
  yidi::io::parse_clearing_params(YAML::Load("province_pooling: {\"640000\": null}"), "overlay.yaml", p);
  ASSERT_EQ(p.province_pooling.size(), 1u);
  EXPECT_EQ(p.province_pooling.count(yidi::RegionCode::of(460000)), 1u);
}

// Quotas set by hand (issue 17; clearing.quotas) in yuan, 万元 and 亿元 read exactly, appear in the
// resolved form in yuan and read back; the default level is the insured province; null removes one.
TEST(ScenarioResolved, QuotasReadBack) {
  const yidi::sim::Scenario s = yidi::io::parse_scenario(
      "name: q\nclearing:\n  quotas: {\"440000\": [{from: 2024-01-01, quota: 15.25亿元}, {from: 2025-01-01, quota: "
      "\"0.0000000001亿元\"}], \"110000\": [{from: 2024-07-01, quota: 123.456789万元}], \"120000\": [{from: "
      "2024-01-01, quota: 99.99}]}\n",
      "q.yaml");
  EXPECT_EQ(s.clearing.quota_level, yidi::QuotaLevel::province);
  ASSERT_EQ(s.clearing.quotas.size(), 3u);
  const auto& gd = s.clearing.quotas.at(yidi::RegionCode::of(440000));
  ASSERT_EQ(gd.size(), 2u);
  EXPECT_EQ(gd[0].quota.str(), "1525000000.00");  // 15.25 × 10^8 yuan
  EXPECT_EQ(gd[1].quota.str(), "0.01");           // 10^-10 亿元 is one fen
  EXPECT_EQ(s.clearing.quotas.at(yidi::RegionCode::of(110000))[0].quota.str(), "1234567.89");
  EXPECT_EQ(s.clearing.quotas.at(yidi::RegionCode::of(120000))[0].quota.str(), "99.99");
  const std::string once = yidi::io::resolved_yaml(s);
  EXPECT_NE(once.find("  quota_level: province\n"), std::string::npos) << once;
  EXPECT_NE(once.find("  quotas: {\"110000\": [{from: 2024-07-01, quota: 1234567.89}], \"120000\": [{from: 2024-01-01, "
                      "quota: 99.99}], \"440000\": [{from: 2024-01-01, quota: 1525000000.00}, {from: 2025-01-01, quota: "
                      "0.01}]}\n"),
            std::string::npos)
      << once;
  const yidi::sim::Scenario back = yidi::io::parse_scenario(once, "resolved");
  EXPECT_EQ(back.clearing.quotas, s.clearing.quotas);
  EXPECT_EQ(yidi::io::resolved_yaml(back), once);
  yidi::ClearingParams p = s.clearing;
  yidi::io::parse_clearing_params(YAML::Load("quotas: {\"440000\": null}"), "overlay.yaml", p);
  EXPECT_EQ(p.quotas.size(), 2u);
  EXPECT_EQ(p.quotas.count(yidi::RegionCode::of(440000)), 0u);
  yidi::io::parse_clearing_params(YAML::Load("quotas: {\"110000\": null, \"120000\": null}\nquota_level: pair"), "o.yaml", p);
  EXPECT_EQ(p.quota_level, yidi::QuotaLevel::pair);
}

// An overlay whose name the system refuses (longer than NAME_MAX, ENAMETOOLONG) is an overlay not
// found: the resolved form says "not readable" and loading the policy names the file and the
// reason (found by fuzz_scenario; fuzz/regressions/scenario/overlay-name-too-long).
TEST(ScenarioOverlays, ANameTooLongIsAnInputError) {
  const std::string name(300, 'x');
  const auto s = yidi::io::parse_scenario("policy_overlays: [" + name + "]\n", "long.yaml");
  EXPECT_NE(yidi::io::resolved_yaml(s).find("# overlay " + name + ": not readable\n"), std::string::npos);
  try {
    (void)yidi::io::scenario_policy(s);
    ADD_FAILURE() << "an overlay that cannot exist was loaded";
  } catch (const yidi::io::InputError& e) {
    EXPECT_EQ(std::string(e.what()), name + ": cannot open the policy file: File name too long");
  }
}

// The strict number forms shared by the loaders.
TEST(StrictNumbers, OneFormEach) {
  using namespace yidi::io;
  EXPECT_EQ(parse_whole_number("12"), 12);
  EXPECT_EQ(parse_whole_number("-3"), -3);
  for (const char* bad : {"", "-", "+3", "1.5", "0x10", "1e3", "12 ", "9223372036854775808"})
    EXPECT_EQ(parse_whole_number(bad), std::nullopt) << bad;
  EXPECT_EQ(parse_unsigned_number("18446744073709551615"), 18446744073709551615ull);
  for (const char* bad : {"18446744073709551616", "-1", "1,000"}) EXPECT_EQ(parse_unsigned_number(bad), std::nullopt) << bad;
  EXPECT_EQ(parse_decimal("0.5"), 0.5);
  EXPECT_EQ(parse_decimal("+.5"), 0.5);
  EXPECT_EQ(parse_decimal("1e-05"), 1e-05);
  EXPECT_EQ(parse_decimal("266070000"), 266070000.0);
  for (const char* bad : {"", ".", "inf", "nan", "0x10", "1e", "1e400", "1.5.2", "5%", " 1"})
    EXPECT_EQ(parse_decimal(bad), std::nullopt) << bad;
}
}  // namespace
