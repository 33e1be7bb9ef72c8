// Invalid policy data and the exact messages it gets. Each file in tests/invalid/policy/ is one
// case: a policy overlay loaded on top of the real data in scenarios/policy (or, with a
// "# kind: registry" line, a region registry), ending with "# expect: MESSAGE", where {file}
// stands for the case's path. A message names FILE:LINE:COL, the field and the expected form.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/policy_yaml.hpp"

namespace fs = std::filesystem;
using yidi::io::InputError;

namespace {
const fs::path kPolicyDir = fs::path(YIDI_SOURCE_DIR) / "scenarios" / "policy";
const fs::path kCorpusDir = fs::path(YIDI_SOURCE_DIR) / "tests" / "invalid" / "policy";

struct Case {
  std::string name;
  fs::path path;
  bool registry = false;
  std::string expected;  // empty: the file lacks its "# expect:" line
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// gtest shows a case by its file, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.path.filename().string(); }

std::vector<Case> corpus() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kCorpusDir))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Case> out;
  for (const auto& p : files) {
    Case c;
    c.path = p;
    c.name = p.stem().string();
    std::replace(c.name.begin(), c.name.end(), '-', '_');
    std::istringstream lines(read(p));
    for (std::string line; std::getline(lines, line);) {
      if (line == "# kind: registry") c.registry = true;
      const std::string tag = "# expect: ";
      if (line.rfind(tag, 0) == 0) {
        c.expected = line.substr(tag.size());
        const auto at = c.expected.find("{file}");
        if (at != std::string::npos) c.expected.replace(at, 6, p.string());
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string error_of(const Case& c) {
  try {
    if (c.registry) {
      yidi::PolicyBook book;
      yidi::io::load_region_registry(book, read(c.path), c.path.string());
    } else {
      (void)yidi::io::load_policy_dir(kPolicyDir, {c.path});
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

class PolicyCorpus : public ::testing::TestWithParam<Case> {};

TEST_P(PolicyCorpus, FailsWithItsExactMessage) {
  const Case& c = GetParam();
  ASSERT_FALSE(c.expected.empty()) << c.path << " has no '# expect:' line";
  EXPECT_EQ(error_of(c), c.expected);
}

INSTANTIATE_TEST_SUITE_P(InvalidPolicy, PolicyCorpus, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

// The corpus holds at least the cases the loader promises to report (see its README).
TEST(PolicyCorpusContents, CoversTheRequiredCases) {
  std::vector<std::string> names;
  for (const auto& c : corpus()) names.push_back(c.name);
  for (const char* required :
       {"unknown_key", "misspelt_category", "ratio_above_one", "reduction_without_unit", "referral_minus_30",
        "missing_source", "unknown_region", "bad_date", "yaml_syntax", "unknown_top_level_key",
        "registry_city_before_province"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
}

// The parts of the message are also available separately: an unknown key at line 9, column 9.
TEST(PolicyInvalid, ErrorCarriesFileLineColumnAndField) {
  const fs::path p = kCorpusDir / "unknown-key.yaml";
  try {
    (void)yidi::io::load_policy_dir(kPolicyDir, {p});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, p.string());
    EXPECT_EQ(e.where().line, 9);
    EXPECT_EQ(e.where().column, 9);
    EXPECT_EQ(e.field(), "benefit.resident.inpatient.ratoi");
    EXPECT_EQ(e.message(), "unknown key 'ratoi' under 'benefit.resident.inpatient' (did you mean 'ratio'?); expected one of: annual_cap, "
                           "cap_pool, covered, deductible, ratio");
  }
}

// A ceiling violation found only when the whole book is validated still points at the value that
// breaks it (seed 003 医保发〔2024〕21号 二: referral about 10 points at most).
TEST(PolicyInvalid, ValidationErrorPointsAtTheOffendingValue) {
  const fs::path p = kCorpusDir / "referral-minus-30.yaml";
  try {
    (void)yidi::io::load_policy_dir(kPolicyDir, {p});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, p.string());
    EXPECT_EQ(e.where().line, 8);
    EXPECT_EQ(e.field(), "reduction.inpatient.referral");
  }
}

TEST(PolicyInvalid, MissingFolderAndFiles) {
  const fs::path nowhere = fs::path(YIDI_SOURCE_DIR) / "no-such-folder";
  try {
    (void)yidi::io::load_policy_dir(nowhere);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), nowhere.string() + ": policy folder not found");
  }
  const fs::path overlay = kCorpusDir / "no-such-overlay.yaml";
  try {
    (void)yidi::io::load_policy_dir(kPolicyDir, {overlay});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), overlay.string() + ": cannot open the policy file: No such file or directory");
  }
  // A folder without its registry.
  try {
    (void)yidi::io::load_policy_dir(kCorpusDir);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              (kCorpusDir / "regions.yaml").string() + ": cannot open the policy file: No such file or directory");
  }
}

// Errors in text given directly name the file name the caller passed.
TEST(PolicyInvalid, TextErrorsUseTheGivenName) {
  yidi::PolicyBook book;
  try {
    yidi::io::load_policy_text(book, "region: national\neffective_from: 2017-01-01\npolicy:\n  filing: {lag: 1}\n",
                               "inline.yaml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "inline.yaml:4:12: field 'filing.lag': unknown key 'lag' under 'filing'; expected one of: "
              "commitment_days, free_zone, free_zone_category, long_term_indefinite, long_term_lock_months, "
              "requires_filing, retroactive_before_discharge, temporary_validity_months");
  }
  // A dated value with a misspelt key.
  try {
    yidi::io::load_policy_text(book,
                               "region: national\neffective_from: 2017-01-01\nsource: s\npolicy:\n"
                               "  manual:\n    lag_months: {value: 2, form: 2018-01-01}\n",
                               "inline.yaml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "inline.yaml:6:28: field 'manual.lag_months': unknown key 'form' in a dated "
                                     "value; expected one of: from, source, value");
  }
  // A value at a group no parameter accepts.
  try {
    yidi::io::load_policy_text(book, "region: national\neffective_from: 2017-01-01\nsource: s\npolicy:\n  filing: maybe\n",
                               "inline.yaml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "inline.yaml:5:11: field 'filing': a value here is set on every parameter under 'filing' that accepts "
              "it, but none accepts 'maybe' (types there: boolean, integer, choice, text_list); expected keys, one "
              "of: commitment_days, free_zone, free_zone_category, long_term_indefinite, long_term_lock_months, "
              "requires_filing, retroactive_before_discharge, temporary_validity_months");
  }
}
