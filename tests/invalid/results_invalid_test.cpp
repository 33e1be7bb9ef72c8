// Invalid results files for `yidi clear` and the exact message each must give
// (tests/invalid/results/*.csv, issue 12: clear used to trust its input). Each case file states its
// expectations in leading comment lines:
//   # expect: FILE:LINE:COL: field 'NAME': expected ..., got 'VALUE'   (one per rejected row, in order,
//                                                                        or the one error refusing the file)
//   # parsed: N                                                         (rows that pass; absent when the
//                                                                        whole file is refused)
// Each case is read by io::read_settlements against the embedded region registry, then run through
// the `yidi` binary (YIDI_BINARY) in a fresh folder: a file refused whole, or one with no row left
// to clear, exits 1 and leaves the folder as it was; otherwise the command exits 2, reports each
// message and writes its tables.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/io/embedded.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/settlements_csv.hpp"

using namespace yidi;
using namespace yidi::io;
namespace fs = std::filesystem;

namespace {
const fs::path kCases = fs::path(YIDI_SOURCE_DIR) / "tests/invalid/results";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The registry `yidi clear` uses without --policy: the embedded scenarios/policy/regions.yaml.
const PolicyBook& registry() {
  static const PolicyBook book = [] {
    PolicyBook b;
    load_region_registry(b, *embedded_file("scenarios/policy/regions.yaml"), "regions.yaml");
    return b;
  }();
  return book;
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kCases))
    if (e.path().extension() == ".csv") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Case {
  std::string text;
  std::vector<std::string> expect;
  int parsed = -1;
};

Case load(const std::string& name) {
  Case c;
  c.text = slurp(kCases / (name + ".csv"));
  std::istringstream lines(c.text);
  std::string line;
  while (std::getline(lines, line) && line.starts_with("#")) {
    if (line.starts_with("# expect: ")) c.expect.push_back(line.substr(10));
    if (line.starts_with("# parsed: ")) c.parsed = std::stoi(line.substr(10));
  }
  return c;
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
}  // namespace

class InvalidResults : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidResults, GivesTheExpectedMessage) {
  const std::string name = GetParam() + ".csv";
  const Case c = load(GetParam());
  ASSERT_FALSE(c.expect.empty()) << name << " has no '# expect:' line";
  std::vector<std::string> got;
  int parsed = -1;
  try {
    const SettlementsFile f = read_settlements(c.text, name, RecordRules{}, registry());
    for (const auto& r : f.rejected) got.emplace_back(r.what());
    parsed = static_cast<int>(f.rows.size());
  } catch (const InputError& e) {
    got.emplace_back(e.what());
  }
  if (const char* dir = std::getenv("YIDI_CORPUS_ACTUAL")) {  // see tests/invalid/claims_invalid_test.cpp
    std::ofstream out(fs::path(dir) / (GetParam() + ".actual"), std::ios::binary);
    for (const auto& g : got) out << "# expect: " << g << "\n";
    if (parsed >= 0) out << "# parsed: " << parsed << "\n";
  }
  EXPECT_EQ(got, c.expect);
  EXPECT_EQ(parsed, c.parsed) << (c.parsed < 0 ? "the whole file should be refused" : "rows parsed");
}

TEST_P(InvalidResults, TheClearCommandRefusesOrRejectsAsDocumented) {
  const std::string name = GetParam() + ".csv";
  const Case c = load(GetParam());
  const fs::path dir = fs::temp_directory_path() / ("yidi-results-corpus-" + std::to_string(::getpid()) + "-" + GetParam());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kCases / name, dir / name);
  const auto before = listing(dir);
  const std::string cmd =
      "cd '" + dir.string() + "' && '" + YIDI_BINARY + "' clear '" + name + "' -o out >stdout.txt 2>stderr.txt";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string err = slurp(dir / "stderr.txt");
  fs::remove(dir / "stdout.txt");
  fs::remove(dir / "stderr.txt");
  std::string want;
  if (c.parsed < 0) {
    want = "yidi: " + c.expect.at(0) + "\n";
  } else {
    for (const auto& e : c.expect) want += e + "\n";
  }
  if (c.parsed <= 0) {
    if (c.parsed == 0) want += "yidi: " + name + ": no settlement rows to clear\n";
    EXPECT_EQ(code, 1);
    EXPECT_EQ(err, want);
    EXPECT_EQ(listing(dir), before) << "a run that fails writes nothing";
  } else {
    EXPECT_EQ(code, 2) << err;
    ASSERT_TRUE(err.starts_with(want)) << err;
    const std::string summary = err.substr(want.size());
    EXPECT_TRUE(summary.starts_with("yidi clear: " + std::to_string(c.parsed) + " settlements cleared over ")) << summary;
    EXPECT_TRUE(summary.ends_with(", " + std::to_string(c.expect.size()) + " rejected; tables in out\n")) << summary;
    EXPECT_TRUE(fs::exists(dir / "out" / "funds.csv"));
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Corpus, InvalidResults, ::testing::ValuesIn(case_names()),
                         [](const auto& test) { return test.param; });

TEST(InvalidResultsCorpus, CoversEachCaseOfTheIssue) {
  const auto names = case_names();
  for (const char* needed : {"fund_exceeds_total", "fund_plus_individual_not_total", "duplicate_visit_id",
                             "insured_region_not_in_registry", "duplicate_column"})
    EXPECT_NE(std::find(names.begin(), names.end(), needed), names.end()) << needed;
  EXPECT_GE(names.size(), 30u);
}
