// `yidi settle` and `yidi bench settle` end to end: the real binary (YIDI_BINARY) on the embedded
// policy data, checking exit codes, messages, output values and what is (not) left on disk.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include "models/ratio.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/csv.hpp"
#include "tests/support/cli_runner.hpp"

namespace fs = std::filesystem;
using yidi::io::read_csv;

namespace {

using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;
class SettleCli : public yidi::testing::CliTest {};

const std::string kHeader =
    "mdtrt_id,psn_no,insuplc_admdvs,mdtrtarea_admvs,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,"
    "medfee_sumamt,cls_a_amt,cls_b_amt,cls_c_amt,overlmt_amt,dise_codg,filing_type,filing_admdvs,filing_date\n";
// DOMAIN.md §3 golden case 1 [seed 000]: Langfang (131000) retiree, chronic outpatient in Beijing
// (110000) on 2022-07-01; 甲 32.52, 乙 31.77 → hifp_pay 48.89, psn_part_amt 15.40.
const std::string kGolden =
    "G1,P1,131000,110000,310,retired,14,3,2022-07-01,2022-07-01,64.29,32.52,31.77,0,0,diabetes,retiree_resettled,"
    "110000,2021-01-01\n";
const std::string kBad =
    "B1,P2,131000,110000,310,retired,14,3,2022-07-01,2022-07-01,0.75,32.52,-31.77,0,0,diabetes,retiree_resettled,"
    "110000,2021-01-01\n";

/// The data rows of a results file (comment lines skipped) as column → value maps.
std::vector<std::map<std::string, std::string>> rows_of(const std::string& text) {
  const auto recs = read_csv(text, "results.csv");
  std::vector<std::map<std::string, std::string>> out;
  if (recs.empty()) return out;
  for (std::size_t i = 1; i < recs.size(); ++i) {
    std::map<std::string, std::string> m;
    for (std::size_t c = 0; c < recs[0].fields.size() && c < recs[i].fields.size(); ++c)
      m[recs[0].fields[c]] = recs[i].fields[c];
    out.push_back(m);
  }
  return out;
}

std::vector<std::string> comment_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line) && line.starts_with("#")) out.push_back(line);
  return out;
}

std::vector<std::string> trailing_comment_lines(const std::string& text) {
  std::vector<std::string> lines, out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  for (auto it = lines.rbegin(); it != lines.rend() && it->starts_with("#"); ++it) out.insert(out.begin(), *it);
  return out;
}

}  // namespace

TEST_F(SettleCli, GoldenRowSettlesBadRowIsRejectedAndReported) {
  const std::string claims = kHeader + kGolden + kBad;
  spit(work() / "claims.csv", claims);
  const Outcome r = yidi("settle claims.csv -o results.csv");
  EXPECT_EQ(r.code, 2);  // kRowsRejected
  EXPECT_EQ(r.err,
            "claims.csv:3:71: field 'cls_b_amt': expected an amount ≥ 0 (an amount in yuan with at most 2 decimals and at most 1000000000000 (10^12 yuan), such as 1234.56), got '-31.77'\n"
            "yidi settle: 1 settled, 1 rejected; wrote results.csv and results.csv.rejects.csv\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "results.csv", "results.csv.rejects.csv"}));

  const std::string results = slurp(work() / "results.csv");
  const auto rows = rows_of(results);
  ASSERT_EQ(rows.size(), 1u);
  const auto& g = rows[0];
  EXPECT_EQ(g.at("mdtrt_id"), "G1");
  EXPECT_EQ(g.at("path"), "direct");
  EXPECT_EQ(g.at("cross_province"), "1");
  EXPECT_EQ(g.at("medfee_sumamt"), "64.29");
  EXPECT_EQ(g.at("preselfpay_amt"), "3.18");  // 31.77 × 10% = 3.177 → 3.18 [seed 000]
  EXPECT_EQ(g.at("inscp_scp_amt"), "61.11");
  EXPECT_EQ(g.at("deductible"), "0.00");
  EXPECT_EQ(g.at("hifp_pay"), "48.89");       // 61.11 × 80% = 48.888 → 48.89 [seed 000]
  EXPECT_EQ(g.at("fund_pay_sumamt"), "48.89");
  EXPECT_EQ(g.at("psn_part_amt"), "15.40");
  EXPECT_EQ(g.at("psn_cash_pay"), "15.40");

  const auto head = comment_lines(results);
  ASSERT_EQ(head.size(), 3u);
  EXPECT_TRUE(head[0].starts_with("# yidi ")) << head[0];
  EXPECT_NE(head[0].find("comment='#'"), std::string::npos);
  EXPECT_EQ(head[1], "# command: yidi settle claims.csv -o results.csv");
  EXPECT_TRUE(head[2].starts_with("# policy: embedded scenarios/policy (")) << head[2];
  // The counts and the input's hash close the file (known only once every row is read).
  const auto tail = trailing_comment_lines(results);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0], "# input: claims.csv, sha256 " + yidi::io::sha256_hex(claims) + ", " +
                         std::to_string(claims.size()) + " bytes");
  EXPECT_EQ(tail[1], "# rows: 2 read, 1 settled, 1 rejected");

  const std::string rejects = slurp(work() / "results.csv.rejects.csv");
  const auto recs = read_csv(rejects, "rejects");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields[0], "line");
  EXPECT_EQ(recs[0].fields[3], "mdtrt_id");
  EXPECT_EQ(recs[1].fields[0], "3");
  EXPECT_EQ(recs[1].fields[1], "cls_b_amt");
  EXPECT_EQ(recs[1].fields[2], "expected an amount ≥ 0 (an amount in yuan with at most 2 decimals and at most 1000000000000 (10^12 yuan), such as 1234.56), got '-31.77'");
  EXPECT_EQ(recs[1].fields[3], "B1");
  EXPECT_EQ(recs[1].fields[3 + 12], "-31.77");  // cls_b_amt, the 13th claims column, kept as read
}

TEST_F(SettleCli, AFailingRunLeavesNoOutputFile) {
  Outcome r = yidi("settle missing.csv -o results.csv");
  EXPECT_EQ(r.code, 1);  // kFailure
  EXPECT_EQ(r.err, "yidi: missing.csv: cannot open the claims file: No such file or directory\n");
  EXPECT_TRUE(files().empty());

  spit(work() / "claims.csv", "mdtrt_id,cost\nX,1\n");
  r = yidi("settle claims.csv -o results.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.err.starts_with("yidi: claims.csv:1: unknown column 'cost'; expected only these columns")) << r.err;
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv"}));

  // An output place that cannot be a folder (under a file): the run fails naming it and the OS
  // reason, and leaves no temporary file behind.
  spit(work() / "claims.csv", kHeader + kGolden);
  r = yidi("settle claims.csv -o claims.csv/results.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: claims.csv/results.csv: cannot create its folder " + work().string() +
                       "/claims.csv: Not a directory\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv"}));
}

// A clean run writes the rejects file too, with its header alone, so that no stale list of an
// earlier run can sit beside the new results (docs/settle-formats.md).
TEST_F(SettleCli, ACleanRunExitsZeroAndWritesAnEmptyRejectsFile) {
  spit(work() / "claims.csv", kHeader + kGolden + kBad);
  EXPECT_EQ(yidi("settle claims.csv -o results.csv").code, 2);
  ASSERT_EQ(read_csv(slurp(work() / "results.csv.rejects.csv"), "r").size(), 2u);  // header + B1
  spit(work() / "claims.csv", kHeader + kGolden);
  const Outcome r = yidi("settle claims.csv -o results.csv --overwrite");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "yidi settle: 1 settled, 0 rejected; wrote results.csv and results.csv.rejects.csv\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "results.csv", "results.csv.rejects.csv"}));
  const auto recs = read_csv(slurp(work() / "results.csv.rejects.csv"), "r");
  ASSERT_EQ(recs.size(), 1u);  // the header alone
  EXPECT_EQ(recs[0].fields[0], "line");
  EXPECT_EQ(trailing_comment_lines(slurp(work() / "results.csv.rejects.csv")).back(),
            "# rows: 1 read, 1 settled, 0 rejected");
}

TEST_F(SettleCli, ExplainShowsEachStepWithItsParameterAndSource) {
  spit(work() / "claims.csv", kHeader + kGolden);
  Outcome r = yidi("settle claims.csv -o results.csv --explain");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(r.out.starts_with("== claims.csv:2  mdtrt_id G1  psn_no P1\n")) << r.out;
  EXPECT_NE(r.out.find("A: catalogue: line 2: class 乙 31.77 × self-pay-first 10% = 3.18 (half-up)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("      parameter catalogue.selfpay_prop_b.chronic_outpatient = 10%  (source: seed 000"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("      parameter benefit.employee_retired.chronic_outpatient.ratio.level3 = 80%  (source: "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  => direct (direct): fund_pay_sumamt 48.89, psn_part_amt 15.40, psn_cash_pay 15.40\n"),
            std::string::npos)
      << r.out;

  r = yidi("settle claims.csv -o results2.csv --explain-file explain.txt");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string text = slurp(work() / "explain.txt");
  // Written to a file, the explanations start with yidi's mark, so that --overwrite knows them.
  EXPECT_TRUE(text.starts_with("# yidi ")) << text.substr(0, 80);
  EXPECT_NE(text.find("fund_pay_sumamt 48.89"), std::string::npos);
}

// scenarios/examples/claims-sample.csv (the README's example) settles whole.
TEST_F(SettleCli, TheSampleClaimsFileSettles) {
  const Outcome r = yidi("settle '" + std::string(YIDI_SOURCE_DIR) + "/scenarios/examples/claims-sample.csv' -o results.csv");
  EXPECT_EQ(r.code, 0) << r.err;
  const auto rows = rows_of(slurp(work() / "results.csv"));
  ASSERT_EQ(rows.size(), 9u);
  std::map<std::string, std::map<std::string, std::string>> by_id;
  for (const auto& row : rows) by_id[row.at("mdtrt_id")] = row;
  // DOMAIN.md golden case 1 [seed 000].
  EXPECT_EQ(by_id["S001"].at("hifp_pay"), "48.89");
  EXPECT_EQ(by_id["S001"].at("psn_part_amt"), "15.40");
  // DOMAIN.md golden case 2 [seed 001]: Luoyang retiree, long-term filing in Hainan, inpatient 25,000.
  EXPECT_EQ(by_id["S002"].at("fund_pay_sumamt"), "17500.00");
  EXPECT_EQ(by_id["S002"].at("psn_part_amt"), "7500.00");
  // §4: unfiled and not an emergency → manual, paid in full; an emergency is deemed filed
  // [seed 003]; no e-voucher or card → manual [seed 000, 001].
  EXPECT_EQ(by_id["S005"].at("path"), "manual");
  EXPECT_EQ(by_id["S005"].at("reason"), "no_filing");
  EXPECT_EQ(by_id["S005"].at("psn_cash_pay"), "12000.00");
  EXPECT_EQ(by_id["S006"].at("path"), "direct");
  EXPECT_EQ(by_id["S006"].at("filing_category"), "emergency");
  EXPECT_EQ(by_id["S009"].at("reason"), "no_credential");
  // Same person (NT-0001), same year: the second admission is the year's second (psn_no carry-forward).
  EXPECT_LT(*yidi::Money::parse(by_id["S004"].at("deductible")), *yidi::Money::parse(by_id["S003"].at("deductible")));
  // Co-audit: cross-province inpatient bill ≥ 30,000 [seed 000, 003].
  EXPECT_EQ(by_id["S003"].at("coaudit"), "1");
  EXPECT_EQ(by_id["S004"].at("coaudit"), "0");
}

TEST_F(SettleCli, APolicyFolderGivesTheSameResultsAsTheEmbeddedData) {
  spit(work() / "claims.csv", kHeader + kGolden);
  const Outcome r = yidi("settle claims.csv -o results.csv --policy '" + std::string(YIDI_SOURCE_DIR) + "/scenarios/policy'");
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string results = slurp(work() / "results.csv");
  const auto head = comment_lines(results);
  ASSERT_GE(head.size(), 3u);
  EXPECT_TRUE(head[2].starts_with("# policy: folder ")) << head[2];
  // The same data hashes the same whether embedded or read from its folder.
  EXPECT_EQ(yidi("settle claims.csv -o embedded.csv").code, 0);
  const auto embedded_head = comment_lines(slurp(work() / "embedded.csv"));
  ASSERT_GE(embedded_head.size(), 3u);
  const auto hash = [](const std::string& line) { return line.substr(line.find(", sha256 ")); };
  EXPECT_EQ(hash(head[2]), hash(embedded_head[2]));
  const auto rows = rows_of(results);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("hifp_pay"), "48.89");
  EXPECT_EQ(rows[0].at("psn_part_amt"), "15.40");
}

// A reform overlay replaces the baseline value for the same region and date (scenarios/policy/README.md):
// Langfang's retiree chronic-outpatient ratio 80% → 90% on 2022-07-01 turns golden case 1 into
// 61.11 × 90% = 54.999 → 55.00, individual 64.29 − 55.00 = 9.29.
TEST_F(SettleCli, AnOverlayChangesTheResultAndIsRecordedInTheProvenance) {
  spit(work() / "claims.csv", kHeader + kGolden);
  spit(work() / "reform.yaml",
       "region: \"131000\"\n"
       "effective_from: 2022-07-01\n"
       "source: \"test: a reform raising the retiree chronic-outpatient ratio\"\n"
       "policy:\n"
       "  benefit:\n"
       "    employee_retired:\n"
       "      chronic_outpatient:\n"
       "        ratio: 0.90\n");
  const Outcome r = yidi("settle claims.csv -o results.csv --overlay reform.yaml");
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string results = slurp(work() / "results.csv");
  const auto head = comment_lines(results);
  ASSERT_GE(head.size(), 3u);
  EXPECT_EQ(head[1], "# command: yidi settle claims.csv -o results.csv --overlay reform.yaml");
  EXPECT_TRUE(head[2].starts_with("# policy: embedded scenarios/policy + 1 overlay(s) (")) << head[2];
  const auto rows = rows_of(results);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("inscp_scp_amt"), "61.11");
  EXPECT_EQ(rows[0].at("hifp_pay"), "55.00");
  EXPECT_EQ(rows[0].at("psn_part_amt"), "9.29");
}

// An overlay named by its path in the sources is found embedded when no such file is on disk
// (here the run's folder has none). scenarios/overlays/no-reduction.yaml sets every reduction to
// none from 2022: Nantong's referral inpatient in Shanghai in 2025 loses its −10 points
// (national guidance [seed 003]).
TEST_F(SettleCli, AnEmbeddedOverlayIsFoundByItsSourcePath) {
  const std::string row =
      "N1,,320600,310000,310,in_service,21,3,2025-03-02,2025-03-20,10000.00,10000.00,0,0,0,,referral,310000,"
      "2025-02-20\n";
  spit(work() / "claims.csv", kHeader + row);
  Outcome r = yidi("settle claims.csv -o base.csv");
  EXPECT_EQ(r.code, 0) << r.err;
  r = yidi("settle claims.csv -o reform.csv --overlay scenarios/overlays/no-reduction.yaml");
  EXPECT_EQ(r.code, 0) << r.err;
  const auto base = rows_of(slurp(work() / "base.csv"));
  const auto reform = rows_of(slurp(work() / "reform.csv"));
  ASSERT_EQ(base.size(), 1u);
  ASSERT_EQ(reform.size(), 1u);
  EXPECT_EQ(base[0].at("reduction"), "-10pp");
  EXPECT_EQ(reform[0].at("reduction"), "none");
  EXPECT_EQ(reform[0].at("inscp_scp_amt"), base[0].at("inscp_scp_amt"));
  EXPECT_EQ(reform[0].at("deductible"), base[0].at("deductible"));
  // The 10 points come off the amount above the deductible (Nantong: off the sum of all layers,
  // seed 003 通医保发〔2024〕71号 四): the reform pays exactly 10% of it more.
  auto money = [](const std::string& s) { return *yidi::Money::parse(s); };
  const yidi::Money above = money(base[0].at("inscp_scp_amt")) - money(base[0].at("deductible"));
  EXPECT_EQ(money(reform[0].at("fund_pay_sumamt")) - money(base[0].at("fund_pay_sumamt")),
            yidi::apply_ratio_half_up(above, yidi::Ratio::percent(10)));
}

// Benchmarks are run, never timed in tests: only that it works and that 1 and 2 threads agree.
TEST_F(SettleCli, BenchSettleRunsOnOneAndTwoThreadsWithIdenticalResults) {
  const Outcome r = yidi("bench settle --rows 3000 --repeat 1");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("yidi bench settle: 3000 synthetic visits")) << r.out;
  EXPECT_NE(r.out.find("  1 thread : "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  2 threads: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("results identical on 1 and 2 threads: yes"), std::string::npos) << r.out;
}

// ---- output safety (docs/outputs.md; issue 12) ----------------------------------------------------

namespace {
/// The names in `dir` that are yidi temporaries (`.NAME.yidi-TAG-…`).
std::set<std::string> temporaries(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.starts_with(".") && n.find(".yidi-") != std::string::npos) out.insert(n);
  }
  return out;
}

/// `yidi ARGS` started in `dir` without waiting; its stderr goes to `err`.
pid_t start_yidi(const fs::path& dir, const std::string& args, const fs::path& err) {
  const std::string cmd = "cd '" + dir.string() + "' && exec '" + std::string(YIDI_BINARY) + "' " + args +
                          " >/dev/null 2>'" + err.string() + "' </dev/null";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}
int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

// Before: an existing results file was silently replaced. Now it is refused, and left as it was.
TEST_F(SettleCli, AnExistingOutputIsRefusedWithoutOverwrite) {
  spit(work() / "claims.csv", kHeader + kGolden);
  spit(work() / "results.csv", "my own notes\n");
  Outcome r = yidi("settle claims.csv -o results.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: results.csv: exists; choose another output or pass --overwrite\n");
  EXPECT_EQ(slurp(work() / "results.csv"), "my own notes\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "results.csv"}));
  // --overwrite replaces only yidi's own outputs.
  r = yidi("settle claims.csv -o results.csv --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: results.csv: exists and is not a yidi text output; yidi replaces only its own outputs "
                   "(choose another output)\n");
  EXPECT_EQ(slurp(work() / "results.csv"), "my own notes\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "results.csv"}));
  // A stale rejects file that is not yidi's blocks the pair too: nothing is written.
  spit(work() / "new.csv.rejects.csv", "someone else's\n");
  r = yidi("settle claims.csv -o new.csv --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: new.csv.rejects.csv: exists and is not a yidi text output; yidi replaces only its own "
                   "outputs (choose another output)\n");
  EXPECT_EQ(slurp(work() / "new.csv.rejects.csv"), "someone else's\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "results.csv", "new.csv.rejects.csv"}));
}

// Before: `--explain-file CLAIMS` replaced the claims file (exit 0), `--explain-file RESULTS` the
// results, and claims named X.rejects.csv were overwritten by `-o X`. Each is refused, nothing written.
TEST_F(SettleCli, NoOutputMayBeAnInputOrAnotherOutput) {
  const std::string claims = kHeader + kGolden;
  spit(work() / "c.csv", claims);
  Outcome r = yidi("settle c.csv -o r.csv --explain-file c.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: c.csv: is an input of this command (c.csv); choose another output\n");
  EXPECT_EQ(files(), (std::set<std::string>{"c.csv"}));
  EXPECT_EQ(slurp(work() / "c.csv"), claims);

  r = yidi("settle c.csv -o r.csv --explain-file r.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: r.csv: is also the results file of this command; expected a separate file for the "
                   "explanation file\n");
  EXPECT_EQ(files(), (std::set<std::string>{"c.csv"}));
  r = yidi("settle c.csv -o r.csv --explain-file ./r.csv.rejects.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: ./r.csv.rejects.csv: is also the rejects file of this command; expected a separate file "
                   "for the explanation file\n");

  spit(work() / "X.rejects.csv", claims);
  r = yidi("settle X.rejects.csv -o X --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: X.rejects.csv: is an input of this command (X.rejects.csv); choose another output\n");
  EXPECT_EQ(slurp(work() / "X.rejects.csv"), claims);
  // The claims file as -o, however spelt, and with --overwrite.
  r = yidi("settle c.csv -o ./c.csv --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: ./c.csv: is an input of this command (c.csv); choose another output\n");
  EXPECT_EQ(files(), (std::set<std::string>{"c.csv", "X.rejects.csv"}));
  EXPECT_EQ(slurp(work() / "c.csv"), claims);
}

// Before: the 'exists' check was made at the start only, so of two jobs writing one path both
// exited 0 and one output was lost. Now the rename itself refuses a target that appeared while the
// command ran. The claims file is a FIFO, so the target appears deterministically mid-run: after
// the command opened its outputs, before it has read its input.
TEST_F(SettleCli, ATargetThatAppearsWhileTheCommandRunsIsNotReplaced) {
  ASSERT_EQ(::mkfifo((work() / "claims.csv").c_str(), 0600), 0);
  const pid_t pid = start_yidi(work(), "settle claims.csv -o results.csv", work().parent_path() / "bg.err");
  for (int i = 0; i < 2000 && temporaries(work()).size() < 2; ++i) ::usleep(5000);
  const std::size_t opened = temporaries(work()).size();
  spit(work() / "results.csv", "the other job's results\n");
  {
    std::ofstream fifo(work() / "claims.csv", std::ios::binary);  // also releases a command blocked on it
    fifo << kHeader << kGolden;
  }
  const int code = wait_exit(pid);
  EXPECT_EQ(opened, 2u) << "the outputs' temporaries should exist before the input is read";
  EXPECT_EQ(code, 1);
  // (commit_together checks every target again just before the first rename; the rename itself
  // refuses one that appears after that check.)
  EXPECT_EQ(slurp(work().parent_path() / "bg.err"),
            "yidi: results.csv: exists: it appeared while this command ran (another job writing the same output?); "
            "nothing was replaced; choose another output or pass --overwrite\n");
  EXPECT_EQ(slurp(work() / "results.csv"), "the other job's results\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "results.csv"}));  // no rejects, no temporaries
}

// Before: an unwritable output place was found only after all the work. Now the outputs are opened
// first: with a FIFO as the claims file that nobody writes, the command must fail without reading
// it (`timeout` turns a regression into exit 124 rather than a hang).
TEST_F(SettleCli, AnUnwritableOutputIsFoundBeforeTheInputIsRead) {
  ASSERT_EQ(::mkfifo((work() / "claims.csv").c_str(), 0600), 0);
  spit(work() / "file", "x\n");
  const Outcome r = yidi_with("timeout 20", "settle claims.csv -o file/results.csv");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: file/results.csv: cannot create its folder " + work().string() + "/file: Not a directory\n");
  EXPECT_EQ(files(), (std::set<std::string>{"claims.csv", "file"}));
}

// ---- the streaming pipeline -----------------------------------------------------------------------

// The bytes written do not depend on the number of threads (rows are settled and written in file
// order; batches of 2048 records, so 5000 rows make three batches, with rejected rows among them).
TEST_F(SettleCli, TheSameBytesOnOneAndOnTwoThreads) {
  std::string claims = kHeader;
  for (int i = 0; i < 5000; ++i) {
    std::string row = i % 97 == 0 ? kBad : kGolden;
    row.replace(0, 2, "V" + std::to_string(i));
    claims += row;
  }
  spit(work() / "claims.csv", claims);
  const Outcome one = yidi("settle claims.csv -o r.csv --threads 1");
  EXPECT_EQ(one.code, 2);
  const std::string r1 = slurp(work() / "r.csv"), j1 = slurp(work() / "r.csv.rejects.csv");
  const Outcome two = yidi("settle claims.csv -o r.csv --threads 2 --overwrite");
  EXPECT_EQ(two.code, 2);
  EXPECT_EQ(one.err, two.err);
  // The provenance differs by --overwrite only.
  auto without_command = [](std::string t) {
    const auto at = t.find("# command: ");
    return t.erase(at, t.find('\n', at) - at);
  };
  EXPECT_EQ(without_command(slurp(work() / "r.csv")), without_command(r1));
  EXPECT_EQ(without_command(slurp(work() / "r.csv.rejects.csv")), without_command(j1));
  EXPECT_EQ(rows_of(r1).size(), 5000u - 52u);  // i = 0, 97, …, 4947 rejected
  EXPECT_NE(r1.find("# rows: 5000 read, 4948 settled, 52 rejected\n"), std::string::npos);
}

// The end-to-end benchmark runs (its timings are never asserted).
TEST_F(SettleCli, BenchSettleCliRunsTheCommandOnOneAndTwoThreads) {
  const Outcome r = yidi("bench settle --cli --rows 3000 --repeat 1 --keep bench");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("yidi bench settle --cli: `yidi settle` end to end on 3000 synthetic claims")) << r.out;
  EXPECT_NE(r.out.find("  2 threads: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("results identical on 1 and 2 threads: yes"), std::string::npos) << r.out;
  // The generated claims file is kept, and settles whole.
  EXPECT_EQ(yidi("settle bench/claims.csv -o r.csv").code, 0);
  EXPECT_EQ(rows_of(slurp(work() / "r.csv")).size(), 3000u);
}

// Rows refused after parsing — by the engine (the long-term lock, DOMAIN.md §2 [seed 003, 004]) or
// for want of policy data on the discharge date — carry the record as read into the rejects file,
// as parser rejects do; the bytes are the same on 1 and 2 threads.
TEST_F(SettleCli, RowsRejectedAfterParsingKeepTheirRecord) {
  const std::string header =
      "mdtrt_id,psn_no,insuplc_admdvs,mdtrtarea_admvs,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,"
      "medfee_sumamt,cls_a_amt,cls_b_amt,cls_c_amt,overlmt_amt,dise_codg,filing_type,filing_admdvs,filing_date,"
      "cancel_date\n";
  const std::string claims =
      header +
      "G1,P1,131000,110000,310,retired,14,3,2022-07-01,2022-07-01,64.29,32.52,31.77,0,0,diabetes,retiree_resettled,"
      "110000,2021-01-01,\n"
      // A long-term filing made on 2024-01-10 cannot be cancelled before 2024-07-10 (6 months).
      "L1,\"P,2\",110000,310000,310,in_service,21,3,2024-03-01,2024-03-05,1000,1000,0,0,0,,long_term_resident,"
      "310000,2024-01-10,2024-02-01\n"
      // No policy data in 1950.
      "O1,P3,131000,110000,310,retired,14,3,1950-07-01,1950-07-01,64.29,32.52,31.77,0,0,diabetes,retiree_resettled,"
      "110000,1950-01-01,\n";
  spit(work() / "claims.csv", claims);
  std::string first;
  for (const char* threads : {"1", "2"}) {
    const Outcome r = yidi(std::string("settle claims.csv -o results.csv --overwrite --threads ") + threads);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err,
              "claims.csv:3: field 'cancel_date': expected a cancel_date on or after 2024-07-10: a long-term filing made "
              "on 2024-01-10 cannot be cancelled within 6 months (DOMAIN.md §2 [seed 003, 004]), got '2024-02-01'\n"
              "claims.csv:4: field 'dscg_date': expected a date the policy data covers (parameter "
              "'catalogue.selfpay_prop_b.inpatient' has no value for region 110000 on 1950-07-01 (nor in its province "
              "or the national defaults)), got '1950-07-01'\n"
              "yidi settle: 1 settled, 2 rejected; wrote results.csv and results.csv.rejects.csv\n");
    const std::string rejects = slurp(work() / "results.csv.rejects.csv");
    const auto recs = read_csv(rejects, "rejects");
    ASSERT_EQ(recs.size(), 3u);
    ASSERT_EQ(recs[0].fields.size(), 3u + 20u);
    const std::vector<std::string> lock{"3", "cancel_date",
                                        "expected a cancel_date on or after 2024-07-10: a long-term filing made on "
                                        "2024-01-10 cannot be cancelled within 6 months (DOMAIN.md §2 [seed 003, "
                                        "004]), got '2024-02-01'",
                                        "L1", "P,2", "110000", "310000", "310", "in_service", "21", "3", "2024-03-01",
                                        "2024-03-05", "1000", "1000", "0", "0", "0", "", "long_term_resident", "310000",
                                        "2024-01-10", "2024-02-01"};
    EXPECT_EQ(recs[1].fields, lock);
    ASSERT_EQ(recs[2].fields.size(), 23u);
    EXPECT_EQ(recs[2].fields[0], "4");
    EXPECT_EQ(recs[2].fields[1], "dscg_date");
    EXPECT_EQ(recs[2].fields[3], "O1");
    EXPECT_EQ(recs[2].fields[3 + 9], "1950-07-01");
    EXPECT_EQ(recs[2].fields[3 + 18], "1950-01-01");
    EXPECT_EQ(recs[2].fields[3 + 19], "");
    const std::string both = slurp(work() / "results.csv") + rejects;
    if (first.empty()) first = both;
    else EXPECT_EQ(both, first);
  }
}
