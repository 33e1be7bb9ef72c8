// `yidi run`, `yidi calibration`, `yidi schema`, `yidi clear` and `yidi bench sim` end to end on the
// real binary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "models/money.hpp"
#include "sim/engine/output_schema.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/hdf5_output.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;
namespace fs = std::filesystem;

namespace {
const std::string kSmall = "run baseline --scale 1:20000 --months 4 ";
}

class RunCli : public CliTest {};

// Same seed → the same datasets and the same provenance but for the thread count.
TEST_F(RunCli, ThreadCountChangesNothingButItsOwnAttribute) {
  ASSERT_EQ(yidi(kSmall + "--threads 1 -o one.h5").code, 0);
  ASSERT_EQ(yidi(kSmall + "--threads 2 -o two.h5").code, 0);
  const std::string one = (work() / "one.h5").string(), two = (work() / "two.h5").string();
  EXPECT_TRUE(io::read_results_hdf5(one) == io::read_results_hdf5(two));
  EXPECT_EQ(io::read_number_attribute_hdf5(one, "threads"), 1);
  EXPECT_EQ(io::read_number_attribute_hdf5(two, "threads"), 2);
  EXPECT_EQ(io::read_number_attribute_hdf5(one, "ranks"), 1);
  for (const char* a : {"scenario", "scenario_sha256", "yidi_version"})
    EXPECT_EQ(io::read_text_attribute_hdf5(one, a), io::read_text_attribute_hdf5(two, a)) << a;
  EXPECT_EQ(io::read_number_attribute_hdf5(one, "months"), 4);
  EXPECT_EQ(io::read_number_attribute_hdf5(one, "scale"), 20000);
  EXPECT_NE(io::read_text_attribute_hdf5(one, "scenario").find("scale: 1:20000"), std::string::npos);
  EXPECT_EQ(files(), (std::set<std::string>{"one.h5", "two.h5"}));  // no temporary left behind
}

// A run killed after 2 months (--stop-after) and resumed gives the bytes of an uninterrupted run.
TEST_F(RunCli, ResumedRunGivesTheSameBytes) {
  ASSERT_EQ(yidi(kSmall + "--threads 2 -o straight.h5").code, 0);
  const Outcome stopped = yidi(kSmall + "--threads 2 -o resumed.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2");
  ASSERT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_FALSE(fs::exists(work() / "resumed.h5"));
  EXPECT_TRUE(fs::exists(work() / "ckpt" / "baseline.ckpt"));
  ASSERT_EQ(yidi(kSmall + "--threads 2 -o resumed.h5 --checkpoint ckpt --resume").code, 0);
  EXPECT_TRUE(slurp(work() / "straight.h5") == slurp(work() / "resumed.h5"));
}

TEST_F(RunCli, ExistingOutputIsNeverSilentlyOverwritten) {
  spit(work() / "out.h5", "precious");
  const Outcome o = yidi(kSmall + "-o out.h5");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: out.h5: output exists; choose another with -o or pass --overwrite\n");
  EXPECT_EQ(slurp(work() / "out.h5"), "precious");
}

TEST_F(RunCli, BadScenarioNamesFileLineAndField) {
  spit(work() / "bad.yaml", "name: bad\nstart: 2022-01\nparams:\n  care.inpatient_rate.resident: 7\n");
  const Outcome o = yidi("run bad.yaml -o x.h5");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: bad.yaml:4:33: field 'params.care.inpatient_rate.resident': value 7 is out of range; "
                   "expected a number from 0 to 5\n");
  EXPECT_EQ(files(), (std::set<std::string>{"bad.yaml"}));
}

TEST_F(RunCli, SchemaAndCalibration) {
  const Outcome schema = yidi("schema");
  EXPECT_EQ(schema.code, 0);
  EXPECT_EQ(schema.out, sim::schema_markdown());
  spit(work() / "not.h5", "not hdf5");
  const Outcome cal = yidi("calibration not.h5");
  EXPECT_EQ(cal.code, 1);
  EXPECT_NE(cal.err.find("not.h5: not a yidi run file"), std::string::npos) << cal.err;
}

class ClearCli : public CliTest {};

// The sample claims through settle and clear: what is cleared between provinces equals what was
// settled directly across provinces, and the tables carry their provenance.
TEST_F(ClearCli, SettleThenClear) {
  const std::string sample = std::string(YIDI_SOURCE_DIR) + "/scenarios/examples/claims-sample.csv";
  ASSERT_EQ(yidi("settle '" + sample + "' -o results.csv").code, 0);
  const Outcome o = yidi("clear results.csv -o clearing");
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* f : {"clearing_pairs.csv", "net_positions.csv", "clearing_intra.csv", "prepayment_pairs.csv",
                        "prepayment_provinces.csv", "funds.csv", "months.csv"})
    EXPECT_TRUE(fs::exists(work() / "clearing" / f)) << f;
  Money settled, cleared;
  const auto results = io::read_csv(slurp(work() / "results.csv"), "results.csv");
  const auto& h = results.front().fields;
  auto col = [&](const char* name) { return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin()); };
  for (std::size_t i = 1; i < results.size(); ++i) {
    const auto& r = results[i].fields;
    if (r[col("path")] == "direct" && r[col("cross_province")] == "1") settled += *Money::parse(r[col("fund_pay_sumamt")]);
  }
  const auto pairs = io::read_csv(slurp(work() / "clearing" / "clearing_pairs.csv"), "pairs");
  for (std::size_t i = 1; i < pairs.size(); ++i) cleared += *Money::parse(pairs[i].fields[5]);
  EXPECT_GT(settled, Money::zero());
  EXPECT_EQ(cleared, settled);
  const std::string funds = slurp(work() / "clearing" / "funds.csv");
  EXPECT_EQ(funds.rfind("# yidi ", 0), 0u);
  EXPECT_NE(funds.find("# input: results.csv sha256="), std::string::npos);
  // A second run into the same folder is refused; nothing half-written is left.
  const Outcome again = yidi("clear results.csv -o clearing");
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.err, "yidi: clearing: exists; choose another output folder or pass --overwrite\n");
  EXPECT_EQ(files(), (std::set<std::string>{"clearing", "results.csv", "results.csv.rejects.csv"}));
}

TEST_F(ClearCli, BadConfigurationNamesFileLineAndField) {
  const std::string sample = std::string(YIDI_SOURCE_DIR) + "/scenarios/examples/claims-sample.csv";
  ASSERT_EQ(yidi("settle '" + sample + "' -o results.csv").code, 0);
  spit(work() / "config.yaml", "clearing:\n  red_usage: 90%\n  quota_multiplier: 2\n");
  const Outcome o = yidi("clear results.csv -o out --config config.yaml");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err.substr(0, o.err.find(';')),
            "yidi: config.yaml:3:3: field 'clearing.quota_multiplier': unknown key 'quota_multiplier'");
  EXPECT_FALSE(fs::exists(work() / "out"));
}

// Usage errors exit 1 like every other failure; --help exits 0.
TEST_F(RunCli, UsageErrorsExitOne) {
  EXPECT_EQ(yidi("run baseline --no-such-option").code, 1);
  EXPECT_EQ(yidi("settle").code, 1);
  EXPECT_EQ(yidi("").code, 1);
  const Outcome help = yidi("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("settle"), std::string::npos);
}

// Benchmarks are run, never timed in tests: `bench sim` works on 1 and 2 threads, and its national
// year is the sum of the two parts it names (stepping scaled to the full population, month ends
// as measured), to the printed rounding.
TEST_F(RunCli, BenchSimNationalYearIsSteppingPlusMonthEnds) {
  const Outcome r = yidi("bench sim --scale 20000 --months 1 --triad-mib 8");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("memory bandwidth (triad, 3 × 8 MiB): 1 thread ")) << r.out;
  EXPECT_NE(r.out.find("population 1:20000: 67296 agents × 12 bytes"), std::string::npos) << r.out;
  int lines = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    const bool one = line.starts_with("1 thread : "), two = line.starts_with("2 threads: ");
    if (!one && !two) continue;
    EXPECT_EQ(two ? 2 : 1, lines + 1) << line;
    ++lines;
    const std::string key = "full-scale national year ≈ ";
    const auto at = line.find(key);
    ASSERT_NE(at, std::string::npos) << line;
    double year = 0, stepping = 0, month_ends = 0;
    ASSERT_EQ(std::sscanf(line.c_str() + at + key.size(), "%lf s (stepping %lf s, month ends %lf s)", &year, &stepping,
                          &month_ends),
              3)
        << line;
    EXPECT_GT(stepping, 0) << line;
    EXPECT_LE(std::abs(year - (stepping + month_ends)), 1.0) << line;
  }
  EXPECT_EQ(lines, 2) << r.out;
}
