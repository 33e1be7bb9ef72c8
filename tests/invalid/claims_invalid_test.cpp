// Invalid claims files and the exact message each must give (tests/invalid/claims/*.csv). Each
// case file states its expectations in leading comment lines, which the reader skips:
//   # expect: FILE:LINE: field 'NAME': expected ..., got 'VALUE'   (one per rejected row, in order,
//                                                                    or the one error refusing the file)
//   # parsed: N                                                     (rows that parse; absent when the
//                                                                    whole file is refused)
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/io/claims_csv.hpp"

using namespace yidi;
using namespace yidi::io;
namespace fs = std::filesystem;

namespace {
const fs::path kCases = fs::path(YIDI_SOURCE_DIR) / "tests/invalid/claims";

/// Parsing checks region codes against the registry only: Beijing, Hebei and Langfang.
PolicyBook registry() {
  PolicyBook book;
  book.add_region({RegionCode::of(110000), "北京市", "Beijing"});
  book.add_region({RegionCode::of(130000), "河北省", "Hebei"});
  book.add_region({RegionCode::of(131000), "廊坊市", "Langfang"});
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
  std::ifstream in(kCases / (name + ".csv"), std::ios::binary);
  Case c;
  std::stringstream s;
  s << in.rdbuf();
  c.text = s.str();
  std::istringstream lines(c.text.starts_with("\xEF\xBB\xBF") ? c.text.substr(3) : c.text);
  std::string line;
  while (std::getline(lines, line) && line.starts_with("#")) {
    if (line.starts_with("# expect: ")) c.expect.push_back(line.substr(10));
    if (line.starts_with("# parsed: ")) c.parsed = std::stoi(line.substr(10));
  }
  return c;
}
}  // namespace

class InvalidClaims : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidClaims, GivesTheExpectedMessage) {
  const std::string name = GetParam() + ".csv";
  const Case c = load(GetParam());
  ASSERT_FALSE(c.expect.empty()) << name << " has no '# expect:' line";
  const PolicyBook book = registry();
  std::vector<std::string> got;
  int parsed = -1;
  try {
    const ParsedClaims p = parse_claims(c.text, name, book);
    for (const auto& r : p.rejected) got.emplace_back(r.error.what());
    parsed = static_cast<int>(p.rows.size());
  } catch (const InputError& e) {
    got.emplace_back(e.what());  // the whole file refused (header)
  }
  // YIDI_CORPUS_ACTUAL=DIR writes what was got (one message a line, then "parsed: N"), to review
  // when writing a new case; the test still compares.
  if (const char* dir = std::getenv("YIDI_CORPUS_ACTUAL")) {
    std::ofstream out(fs::path(dir) / (GetParam() + ".actual"), std::ios::binary);
    for (const auto& g : got) out << "# expect: " << g << "\n";
    if (parsed >= 0) out << "# parsed: " << parsed << "\n";
  }
  EXPECT_EQ(got, c.expect);
  EXPECT_EQ(parsed, c.parsed) << (c.parsed < 0 ? "the whole file should be refused" : "rows parsed");
}

INSTANTIATE_TEST_SUITE_P(Corpus, InvalidClaims, ::testing::ValuesIn(case_names()),
                         [](const auto& test) { return test.param; });

// The corpus covers at least the cases the format promises to catch (docs/settle-formats.md).
TEST(InvalidClaimsCorpus, CoversEachPromisedCase) {
  const auto names = case_names();
  for (const char* needed : {"negative_amount", "three_decimal_amount", "unknown_region", "parts_not_summing",
                             "discharge_before_admission", "unknown_column", "missing_required_column", "bad_date",
                             "bad_med_type", "chronic_without_disease",
                             // issue 12: silent coercions and size limits
                             "hash_id_is_data", "comment_line_after_header", "unterminated_quote_resumes",
                             "nul_in_id", "invalid_utf8_in_id", "mid_file_bom", "negative_zero_amount", "field_too_long",
                             "record_too_long", "too_many_columns_in_header", "huge_header_line", "many_unknown_columns"})
    EXPECT_NE(std::find(names.begin(), names.end(), needed), names.end()) << needed;
  EXPECT_GE(names.size(), 60u);
}

// The same corpus through the `yidi` binary (YIDI_BINARY, embedded policy data, which has the three
// regions above), each case in a fresh folder: a file refused whole exits 1 and leaves the folder
// as it was; otherwise the command exits 2, reports each expected message on stderr, lists each
// rejected row in the rejects file with its line, field and message, and writes the good rows.
namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
/// Data records of a CSV written by yidi (comment lines skipped), header first.
std::vector<std::vector<std::string>> records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : read_csv(text, "out")) out.push_back(r.fields);
  return out;
}
}  // namespace

TEST_P(InvalidClaims, TheSettleCommandRefusesOrRejectsAsDocumented) {
  const std::string name = GetParam() + ".csv";
  const Case c = load(GetParam());
  const fs::path dir = fs::temp_directory_path() / ("yidi-claims-corpus-" + std::to_string(::getpid()) + "-" + GetParam());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kCases / name, dir / name);
  const auto before = listing(dir);
  const std::string cmd = "cd '" + dir.string() + "' && '" + YIDI_BINARY + "' settle '" + name +
                          "' -o results.csv >stdout.txt 2>stderr.txt";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string err = slurp(dir / "stderr.txt");
  fs::remove(dir / "stdout.txt");
  fs::remove(dir / "stderr.txt");
  if (c.parsed < 0) {
    EXPECT_EQ(code, 1);
    ASSERT_EQ(c.expect.size(), 1u);
    EXPECT_EQ(err, "yidi: " + c.expect[0] + "\n");
    EXPECT_EQ(listing(dir), before) << "a file refused whole writes nothing";
  } else {
    EXPECT_EQ(code, 2) << err;
    std::string want;
    for (const auto& e : c.expect) want += e + "\n";
    want += "yidi settle: " + std::to_string(c.parsed) + " settled, " + std::to_string(c.expect.size()) +
            " rejected; wrote results.csv and results.csv.rejects.csv\n";
    EXPECT_EQ(err, want);
    auto rejects = records(slurp(dir / "results.csv.rejects.csv"));
    ASSERT_EQ(rejects.size(), c.expect.size() + 1);
    for (std::size_t i = 0; i < c.expect.size(); ++i) {
      const auto& r = rejects[i + 1];
      const std::string& e = c.expect[i];
      // FILE:LINE[:COL]: [field 'F': ]MESSAGE
      EXPECT_TRUE(e.starts_with(name + ":" + r[0] + ":")) << e << " / line " << r[0];
      EXPECT_TRUE(e.ends_with(r[2])) << e << " / " << r[2];
      if (!r[1].empty()) {
        EXPECT_NE(e.find(": field '" + r[1] + "': "), std::string::npos) << e;
      }
    }
    EXPECT_EQ(records(slurp(dir / "results.csv")).size(), static_cast<std::size_t>(c.parsed) + 1);
  }
  fs::remove_all(dir);
}
