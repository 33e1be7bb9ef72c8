// Invalid claims files and the exact message each must give (tests/invalid/claims/*.csv). Each
// case file states its expectations in leading comment lines, which the reader skips:
//   # expect: FILE:LINE: field 'NAME': expected ..., got 'VALUE'   (one per rejected row, in order,
//                                                                    or the one error refusing the file)
//   # parsed: N                                                     (rows that parse; absent when the
//                                                                    whole file is refused)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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
  std::istringstream lines(c.text);
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
                             "bad_med_type", "chronic_without_disease"})
    EXPECT_NE(std::find(names.begin(), names.end(), needed), names.end()) << needed;
}
