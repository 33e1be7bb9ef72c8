// `yidi clear` end to end: the real binary (YIDI_BINARY) on results written by `yidi settle` from
// scenarios/examples/claims-sample.csv, checking exit codes, messages and what is (not) on disk.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/support/cli_runner.hpp"

namespace fs = std::filesystem;

namespace {
using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;

class ClearCommand : public yidi::testing::CliTest {
protected:
  /// results.csv (and its rejects file) settled from the sample claims, in work/.
  void settle_sample() {
    const Outcome r =
        yidi("settle '" + std::string(YIDI_SOURCE_DIR) + "/scenarios/examples/claims-sample.csv' -o results.csv");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  /// Every file under work/, with its content, so that "nothing changed" can be checked.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(work()))
      out[fs::relative(e.path(), work()).string()] = e.is_regular_file() ? slurp(e.path()) : std::string("<dir>");
    return out;
  }
};

const std::set<std::string> kTables = {".yidi-output",  "clearing_intra.csv",    "clearing_pairs.csv",
                                       "funds.csv",     "months.csv",            "net_positions.csv",
                                       "prepayment_pairs.csv", "prepayment_provinces.csv"};

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
}  // namespace

TEST_F(ClearCommand, WritesItsTablesIntoANewFolder) {
  settle_sample();
  // Before: `-o dir/` always failed (the temporary was named inside the folder-to-be).
  const Outcome r = yidi("clear results.csv -o out/");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(listing(work() / "out"), kTables);
  EXPECT_TRUE(slurp(work() / "out/funds.csv").starts_with("# yidi ")) << slurp(work() / "out/funds.csv").substr(0, 80);
}

// Before: `yidi clear RESULTS.csv -o . --overwrite` deleted the current folder, the input included,
// and `-o RESULTS.csv --overwrite` replaced the input by the output folder.
TEST_F(ClearCommand, NeverRemovesOrReplacesAnInput) {
  settle_sample();
  const auto before = snapshot();
  Outcome r = yidi("clear results.csv -o . --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: .: holds an input of this command (results.csv); choose another output folder\n");
  EXPECT_EQ(snapshot(), before);
  r = yidi("clear results.csv -o results.csv --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: results.csv: is an input of this command (results.csv); choose another output\n");
  EXPECT_EQ(snapshot(), before);
  r = yidi("clear results.csv -o .. --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: ..: holds an input of this command (results.csv); choose another output folder\n");
  EXPECT_EQ(snapshot(), before);
}

// An existing folder is replaced only with --overwrite, and only if it is yidi's own output folder
// holding nothing but the files yidi put there.
TEST_F(ClearCommand, ReplacesOnlyItsOwnOutputFolder) {
  settle_sample();
  fs::create_directories(work() / "mine");
  spit(work() / "mine/notes.txt", "mine\n");
  Outcome r = yidi("clear results.csv -o mine");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: mine: exists; choose another output folder or pass --overwrite\n");
  r = yidi("clear results.csv -o mine --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: mine: is not a yidi output folder (it has no .yidi-output marker); yidi replaces only its "
                   "own output folders\n");
  EXPECT_EQ(listing(work() / "mine"), (std::set<std::string>{"notes.txt"}));

  ASSERT_EQ(yidi("clear results.csv -o out").code, 0);
  spit(work() / "out/my-analysis.csv", "x\n");
  r = yidi("clear results.csv -o out --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: out: holds my-analysis.csv, which yidi did not write there; yidi replaces only a folder "
                   "holding nothing but its own output (move the file, or choose another output folder)\n");
  EXPECT_EQ(slurp(work() / "out/my-analysis.csv"), "x\n");
  fs::remove(work() / "out/my-analysis.csv");
  r = yidi("clear results.csv -o out --overwrite --ledger");
  EXPECT_EQ(r.code, 0) << r.err;
  auto with_ledger = kTables;
  with_ledger.insert("ledger.csv");
  EXPECT_EQ(listing(work() / "out"), with_ledger);
  EXPECT_EQ(listing(work()), (std::set<std::string>{"mine", "out", "results.csv", "results.csv.rejects.csv"}));
}

// Region codes are checked against a registry: the embedded policy data's, or `--policy DIR`'s
// regions.yaml, as for `yidi settle`.
TEST_F(ClearCommand, ChecksRegionsAgainstThePolicyRegistry) {
  settle_sample();
  Outcome r = yidi("clear results.csv -o out --policy '" + std::string(YIDI_SOURCE_DIR) + "/scenarios/policy'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slurp(work() / "out/funds.csv").find("# region registry: " + std::string(YIDI_SOURCE_DIR) +
                                                 "/scenarios/policy/regions.yaml\n"),
            std::string::npos);
  fs::create_directories(work() / "empty-policy");
  r = yidi("clear results.csv -o out2 --policy empty-policy");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: empty-policy/regions.yaml: cannot open the region registry: No such file or directory\n");
  EXPECT_FALSE(fs::exists(work() / "out2"));
}
