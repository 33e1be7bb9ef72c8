// `yidi run`, `yidi calibration`, `yidi schema`, `yidi clear` and `yidi bench sim` end to end on the
// real binary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
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

class RunCli : public CliTest {
protected:
  /// Names in a folder of work/, hidden ones included.
  std::set<std::string> folder(const std::string& name) const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(work() / name)) out.insert(e.path().filename().string());
    return out;
  }
};

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

// Issue 15: a fund below zero is loud. The baseline's six years at 1:20000 drive some resident
// funds below zero (old pools' seniors' stays against a flat contribution per resident, and small
// pools' sampling noise); the run warns on its last line, the count is a root attribute and agrees with the
// (pool, scheme) pairs flagged in region/below_zero. Six months at 1:2000 have none and no warning
// (at 1:20000 a few small pools' first months already go below zero: one sampled stay of a pool of
// a dozen agents stands for 20,000 persons' bills — sampling noise, which the warning then shows).
TEST_F(RunCli, AFundBelowZeroIsLoudInTheSummaryAndADataset) {
  const Outcome o = yidi("run baseline --scale 1:20000 -o broke.h5");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string file = (work() / "broke.h5").string();
  const auto flags = io::read_dataset_hdf5(file, "region/below_zero");  // month × region × scheme
  ASSERT_EQ(flags.shape, (std::vector<std::size_t>{72, 342, 2}));
  std::int64_t pairs = 0;
  for (std::size_t g = 0; g < 342 * 2; ++g) {
    bool any = false;
    for (std::size_t m = 0; m < 72; ++m) any = any || flags.i[m * 342 * 2 + g] != 0;
    pairs += any;
  }
  EXPECT_GT(pairs, 0);
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "funds_below_zero"), pairs);
  const std::string warning = io::read_text_attribute_hdf5(file, "funds_below_zero_warning");
  EXPECT_TRUE(warning.starts_with("WARNING: " + std::to_string(pairs) + " pool fund(s) went below zero at a month end "
                                  "(region/below_zero): "))
      << warning;
  EXPECT_TRUE(o.err.ends_with("yidi run: " + warning + "\n")) << o.err;
  const Outcome calm = yidi("run baseline --scale 1:2000 --months 6 -o calm.h5");
  ASSERT_EQ(calm.code, 0) << calm.err;
  EXPECT_EQ(calm.err.find("WARNING"), std::string::npos) << calm.err;
  EXPECT_EQ(io::read_number_attribute_hdf5((work() / "calm.h5").string(), "funds_below_zero"), 0);
}

// Issue 14: the run ends with a line saying how many pools' rates are mostly sampling noise at its
// scale, the same sentence and counts are root attributes, and the counts are those of the monthly
// flags (region/dsr_noisy, region/intra_dsr_noisy: flagged in more than half of the months).
TEST_F(RunCli, ARunSaysHowManyPoolsRatesAreMostlySamplingNoise) {
  const Outcome o = yidi(kSmall + "--threads 2 -o noise.h5");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string file = (work() / "noise.h5").string();
  const std::string sentence = io::read_text_attribute_hdf5(file, "sampling_noise");
  EXPECT_TRUE(sentence.starts_with("sampling noise at 1:20000, last 4 month(s): pools whose inpatient direct-settlement "
                                   "rate is mostly noise (standard error above 0.05): cross-province "))
      << sentence;
  EXPECT_NE(o.err.find("; wrote noise.h5\nyidi run: " + sentence + "\n"), std::string::npos) << o.err;
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_months"), 4);
  const auto regions = io::read_labels_hdf5(file, "labels/region");
  ASSERT_EQ(regions.size(), 342u);
  std::map<std::string, int> per_province;
  for (const auto& r : regions) ++per_province[r.substr(0, 2)];
  const auto flags = io::read_dataset_hdf5(file, "region/dsr_noisy"), intra = io::read_dataset_hdf5(file, "region/intra_dsr_noisy");
  ASSERT_EQ(flags.shape, (std::vector<std::size_t>{4, 342}));
  std::int64_t noisy = 0, intra_pools = 0, intra_noisy = 0;
  for (std::size_t g = 0; g < 342; ++g) {
    int months = 0, intra_months = 0;
    for (std::size_t m = 0; m < 4; ++m) {
      EXPECT_GE(flags.i[m * 342 + g], 0);
      EXPECT_LE(flags.i[m * 342 + g], 2);
      months += flags.i[m * 342 + g] != 0;
      intra_months += intra.i[m * 342 + g] != 0;
    }
    noisy += months > 2;
    if (per_province[regions[g].substr(0, 2)] < 2) continue;
    ++intra_pools;
    intra_noisy += intra_months > 2;
  }
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_cross_pools"), 342);
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_cross_noisy"), noisy);
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_intra_pools"), intra_pools);
  EXPECT_LT(intra_pools, 342);  // the municipalities are one pool each
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_intra_noisy"), intra_noisy);
  EXPECT_NE(sentence.find("cross-province " + std::to_string(noisy) + " of 342"), std::string::npos) << sentence;
  EXPECT_NE(sentence.find("intra-province " + std::to_string(intra_noisy) + " of " + std::to_string(intra_pools)),
            std::string::npos)
      << sentence;
  EXPECT_GT(noisy, 0);  // at 1:20000 a pool has well under one cross-province stay a month
  // Issue 17: then a line for the provinces' prepayment usage (prepayment/noisy flagged in more
  // than half of the months with a quota), also kept as root attributes.
  const std::string prepay = io::read_text_attribute_hdf5(file, "sampling_noise_prepayment");
  EXPECT_NE(o.err.find("yidi run: " + sentence + "\nyidi run: " + prepay + "\n"), std::string::npos) << o.err;
  const auto pflags = io::read_dataset_hdf5(file, "prepayment/noisy");
  ASSERT_EQ(pflags.shape, (std::vector<std::size_t>{4, 32}));
  std::int64_t with_quota = 0, prepay_noisy = 0;
  for (std::size_t p = 0; p < 32; ++p) {
    int months = 0, flagged = 0;
    for (std::size_t m = 0; m < 4; ++m) {
      months += pflags.i[m * 32 + p] != 2;
      flagged += pflags.i[m * 32 + p] == 1;
    }
    with_quota += months > 0;
    prepay_noisy += months > 0 && 2 * flagged > months;
  }
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_prepayment_provinces"), with_quota);
  EXPECT_EQ(io::read_number_attribute_hdf5(file, "noise_prepayment_noisy"), prepay_noisy);
  EXPECT_GT(prepay_noisy, 0);  // at 1:20000 a province's month holds a handful of sampled stays
  EXPECT_NE(prepay.find("): " + std::to_string(prepay_noisy) + " of " + std::to_string(with_quota)), std::string::npos)
      << prepay;
}

// A run killed after 2 months (--stop-after) and resumed gives the bytes of an uninterrupted run.
TEST_F(RunCli, ResumedRunGivesTheSameBytes) {
  ASSERT_EQ(yidi(kSmall + "--threads 2 -o straight.h5").code, 0);
  const Outcome stopped = yidi(kSmall + "--threads 2 -o resumed.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2");
  ASSERT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_FALSE(fs::exists(work() / "resumed.h5"));
  EXPECT_EQ(folder("ckpt"), (std::set<std::string>{".yidi-output", "baseline.m0002.ckpt"}));  // the previous month removed
  ASSERT_EQ(yidi(kSmall + "--threads 2 -o resumed.h5 --checkpoint ckpt --resume").code, 0);
  EXPECT_TRUE(slurp(work() / "straight.h5") == slurp(work() / "resumed.h5"));
  // The run's last checkpoint stays (a resume of a finished run writes its output again).
  EXPECT_EQ(folder("ckpt"), (std::set<std::string>{".yidi-output", "baseline.m0004.ckpt"}));
  EXPECT_EQ(files(), (std::set<std::string>{"ckpt", "resumed.h5", "straight.h5"}));
}

TEST_F(RunCli, ExistingOutputIsNeverSilentlyOverwritten) {
  spit(work() / "out.h5", "precious");
  const Outcome o = yidi(kSmall + "-o out.h5");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: out.h5: exists; choose another output or pass --overwrite\n");
  EXPECT_EQ(slurp(work() / "out.h5"), "precious");
  // --overwrite replaces only yidi's own output: the user's file stays.
  const Outcome forced = yidi(kSmall + "-o out.h5 --overwrite");
  EXPECT_EQ(forced.code, 1);
  EXPECT_EQ(forced.err, "yidi: out.h5: exists and is not a yidi HDF5 output; yidi replaces only its own outputs (choose "
                        "another output)\n");
  EXPECT_EQ(slurp(work() / "out.h5"), "precious");
  EXPECT_EQ(files(), std::set<std::string>{"out.h5"});
}

// Out-of-range options are errors in the form of every other bad value, before anything is
// read or written (--threads -4 was ignored; --checkpoint-every 0 divided by zero: SIGFPE).
TEST_F(RunCli, OutOfRangeOptionsAreErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"--threads -4", "--threads: field 'threads': expected a number of worker threads of at least 1, got '-4'"},
      {"--threads 0", "--threads: field 'threads': expected a number of worker threads of at least 1, got '0'"},
      {"--checkpoint ck --checkpoint-every 0",
       "--checkpoint-every: field 'checkpoint-every': expected a number of months of at least 1, got '0'"},
      {"--checkpoint ck --checkpoint-every -3",
       "--checkpoint-every: field 'checkpoint-every': expected a number of months of at least 1, got '-3'"},
      {"--stop-after -1", "--stop-after: field 'stop-after': expected a number of months of 0 or more, got '-1'"},
      {"--resume", "--resume: field 'resume': expected --checkpoint DIR with it (the folder of the checkpoints)"},
      {"--checkpoint-every 2",
       "--checkpoint-every: field 'checkpoint-every': expected --checkpoint DIR with it (the folder of the checkpoints)"},
  };
  for (const auto& [args, message] : cases) {
    const Outcome o = yidi(kSmall + "-o out.h5 " + args);
    EXPECT_EQ(o.code, 1) << args;
    EXPECT_EQ(o.err, "yidi: " + message + "\n") << args;
    EXPECT_EQ(files(), std::set<std::string>{}) << args;
  }
  for (const char* cmd : {"replicates baseline -n 1", "compare baseline baseline -n 1", "prepay baseline --red-probability 0.1 -n 1",
                          "sweep baseline --grid levers.credential=0.9 -n 1 -o sw", "seek baseline --lever levers.credential "
                          "--range 0.5:0.9 --target 'dsr_inpatient_national >= 0 by 2022-02' -n 1"}) {
    const Outcome o = yidi(std::string(cmd) + " --threads -2 --scale 1:40000 --months 2");
    EXPECT_EQ(o.code, 1) << cmd;
    EXPECT_EQ(o.err, "yidi: --threads: field 'threads': expected a number of worker threads of at least 1, got '-2'\n")
        << cmd;
    EXPECT_EQ(files(), std::set<std::string>{}) << cmd;
  }
  // --stop-after 0 stops before the first month: the outputs were opened (and found writable), and
  // nothing is left of them.
  const Outcome zero = yidi(kSmall + "-o out.h5 --checkpoint ck --stop-after 0");
  EXPECT_EQ(zero.code, 0) << zero.err;
  EXPECT_EQ(zero.err, "yidi run: stopped after 0 months (--stop-after)\n");
  EXPECT_EQ(files(), std::set<std::string>{"ck"});
  EXPECT_EQ(folder("ck"), std::set<std::string>{".yidi-output"});
}

// Nothing a run reads is ever its output, not even with --overwrite: the scenario file, or a
// checkpoint it resumes from.
TEST_F(RunCli, AnInputIsNeverTheOutput) {
  spit(work() / "s.yaml", "name: s\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  const Outcome o = yidi("run s.yaml -o s.yaml --overwrite");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: s.yaml: is an input of this command (s.yaml); choose another output\n");
  EXPECT_EQ(slurp(work() / "s.yaml"), "name: s\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  ASSERT_EQ(yidi("run s.yaml -o out.h5 --checkpoint ck --checkpoint-every 1 --stop-after 1").code, 0);
  const std::string ckpt = slurp(work() / "ck" / "s.m0001.ckpt");
  const Outcome onto = yidi("run s.yaml -o ck/s.m0001.ckpt --overwrite --checkpoint ck --resume");
  EXPECT_EQ(onto.code, 1);
  EXPECT_EQ(onto.err, "yidi: ck/s.m0001.ckpt: is an input of this command (ck/s.m0001.ckpt); choose another output\n");
  EXPECT_TRUE(slurp(work() / "ck" / "s.m0001.ckpt") == ckpt);
  EXPECT_EQ(files(), (std::set<std::string>{"ck", "s.yaml"}));
}

// The scenarios a scenario extends are inputs too: never replaced by the output.
TEST_F(RunCli, AScenarioItExtendsIsAnInputToo) {
  spit(work() / "parent.yaml", "name: parent\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  spit(work() / "child.yaml", "name: child\nextends: parent.yaml\n");
  const Outcome o = yidi("run child.yaml -o parent.yaml --overwrite");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: parent.yaml: is an input of this command (parent.yaml); choose another output\n");
  EXPECT_EQ(slurp(work() / "parent.yaml"), "name: parent\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  EXPECT_EQ(files(), (std::set<std::string>{"child.yaml", "parent.yaml"}));
}

// Two jobs writing one path: both start (neither file exists yet), the shorter one (2 months
// against 36, about a second apart) finishes first and puts its file in place; the other then
// fails at the moment of its rename, instead of silently replacing it, and removes its temporary.
TEST_F(RunCli, OfTwoJobsWritingOnePathOnlyTheFirstToFinishSucceeds) {
  const std::string y = "'" + std::string(YIDI_BINARY) + "' run baseline --scale 1:20000 --threads 1 -o out.h5 ";
  const std::string script = "cd '" + work().string() + "' && (" + y + "--months 36 2>long.err; echo \\$? >long.code) & (" +
                             "cd '" + work().string() + "' && " + y + "--months 2 2>short.err; echo \\$? >short.code) & wait";
  ASSERT_EQ(std::system(("bash -c \"" + script + "\"").c_str()), 0);
  EXPECT_EQ(slurp(work() / "short.code"), "0\n") << slurp(work() / "short.err");
  EXPECT_EQ(slurp(work() / "long.code"), "1\n");
  EXPECT_EQ(slurp(work() / "long.err"),
            "yidi: out.h5: exists: it appeared while this command ran (another job writing the same output?); nothing "
            "was replaced; choose another output or pass --overwrite\n");
  EXPECT_EQ(io::read_number_attribute_hdf5((work() / "out.h5").string(), "months"), 2);  // the first one's, whole
  EXPECT_EQ(files(), (std::set<std::string>{"long.code", "long.err", "out.h5", "short.code", "short.err"}));
}

// A scenario's name becomes part of the default output and of the checkpoints' names; whatever it
// holds, they stay in their folders (outputs/ and --checkpoint DIR). The scenario parser may also
// refuse such a name; either way nothing is written outside.
TEST_F(RunCli, DefaultOutputAndCheckpointNamesStayInTheirFolders) {
  fs::create_directories(work() / "a" / "b");
  spit(work() / "a" / "b" / "s.yaml", "name: ../../escape\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  const std::string cmd = "cd a/b && '" + std::string(YIDI_BINARY) + "' run s.yaml --checkpoint ck --checkpoint-every 1 "
                          "2>/dev/null";
  const int status = std::system(("cd '" + work().string() + "' && " + cmd).c_str());
  std::set<std::string> everything;
  for (const auto& e : fs::recursive_directory_iterator(work())) everything.insert(fs::relative(e.path(), work()).string());
  for (const auto& p : everything)
    EXPECT_TRUE(p == "a" || p == "a/b" || p == "a/b/s.yaml" || p.starts_with("a/b/outputs") || p.starts_with("a/b/ck"))
        << "written outside its folder: " << p;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    EXPECT_TRUE(everything.contains("a/b/outputs/_._.._escape-seed20260101.h5")) << ::testing::PrintToString(everything);
    EXPECT_TRUE(everything.contains("a/b/ck/_._.._escape.m0002.ckpt")) << ::testing::PrintToString(everything);
  }
}

// A run without --resume into a folder holding an earlier run's checkpoints of its scenario would
// replace them: refused unless --overwrite.
TEST_F(RunCli, AnEarlierRunsCheckpointsAreReplacedOnlyWithOverwrite) {
  ASSERT_EQ(yidi(kSmall + "-o a.h5 --checkpoint ck --checkpoint-every 1 --stop-after 3").code, 0);
  const std::string kept = slurp(work() / "ck" / "baseline.m0003.ckpt");
  const Outcome o = yidi(kSmall + "-o b.h5 --checkpoint ck --checkpoint-every 1");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: ck/baseline.m0003.ckpt: checkpoint of an earlier run of baseline; pass --resume to continue "
                   "it, or --overwrite to start again and replace it\n");
  EXPECT_TRUE(slurp(work() / "ck" / "baseline.m0003.ckpt") == kept);
  EXPECT_EQ(files(), std::set<std::string>{"ck"});
  const Outcome again = yidi(kSmall + "-o b.h5 --checkpoint ck --checkpoint-every 1 --overwrite");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(folder("ck"), (std::set<std::string>{".yidi-output", "baseline.m0004.ckpt"}));
  // A checkpoint folder is yidi's: a folder of the user's files is refused.
  fs::create_directories(work() / "mine");
  spit(work() / "mine" / "notes.txt", "mine");
  const Outcome theirs = yidi(kSmall + "-o c.h5 --checkpoint mine");
  EXPECT_EQ(theirs.code, 1);
  EXPECT_TRUE(theirs.err.starts_with("yidi: mine: exists and is not a yidi output folder")) << theirs.err;
  EXPECT_EQ(files(), (std::set<std::string>{"b.h5", "ck", "mine"}));
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
  // The measures a target file may name; a bad target file is refused before the run is read.
  const Outcome list = yidi("calibration --list");
  EXPECT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("| xprov_inpatient_ds_rate | % | the official rate"), std::string::npos) << list.out;
  spit(work() / "bad.csv", "year,measure,op,value,tolerance,source\n2023,insured,=,1,0.1,s\n");
  const Outcome bad = yidi("calibration not.h5 --targets bad.csv");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "yidi: bad.csv:2: field 'measure': unknown measure 'insured' (did you mean 'insured_total', "
                     "'insured_employees' or 'insured_residents'?); "
                     "expected a measure of `yidi calibration --list`\n");
  // calibrate never writes over its inputs: the target file as the output is refused.
  spit(work() / "good.csv", "year,measure,op,value,tolerance,source\n2022,insured_total,=,134592,0.1,s\n");
  const Outcome over = yidi("calibrate baseline -n 1 --months 12 --scale 1:100000 --targets good.csv -o good.csv --overwrite");
  EXPECT_EQ(over.code, 1);
  EXPECT_NE(over.err.find("is an input of this command"), std::string::npos) << over.err;
  EXPECT_EQ(slurp(work() / "good.csv"), "year,measure,op,value,tolerance,source\n2022,insured_total,=,134592,0.1,s\n");
  EXPECT_EQ(files(), (std::set<std::string>{"not.h5", "bad.csv", "good.csv"}));
}

// yidi calibrate end to end: a small fit prints its table and writes a calibrated scenario that
// names its provenance and loads back (yidi validate) with the fitted value.
TEST_F(RunCli, CalibrateWritesACalibratedScenario) {
  spit(work() / "t.csv", "year,measure,op,value,tolerance,source\n2022,resident_fund_expenditure,=,9353.44,0.1,s\n");
  const Outcome fit = yidi("calibrate baseline -n 1 --months 12 --scale 1:100000 --targets t.csv "
                           "--param funds.other_spending.resident=100:300 --max-evaluations 8 -o cal.yaml --quiet");
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.out.find("# yidi calibrate: baseline, 8 evaluations of 1 seed at 1:100000"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("| 2022 | resident_fund_expenditure | 9353.44 |"), std::string::npos) << fit.out;
  EXPECT_EQ(fit.err, "yidi calibrate: wrote cal.yaml\n");
  const std::string text = slurp(work() / "cal.yaml");
  EXPECT_EQ(text.rfind("# provenance: yidi ", 0), 0u) << text;
  EXPECT_NE(text.find(", targets t.csv sha256 "), std::string::npos) << text;
  EXPECT_NE(text.find("\nname: baseline-calibrated\nextends: \"baseline\"\nparams:\n  funds.other_spending.resident: "),
            std::string::npos)
      << text;
  const Outcome back = yidi("validate cal.yaml");
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_NE(back.out.find("name: baseline-calibrated"), std::string::npos);
  // The value written is the value the scenario resolves to, and not the default 181.
  const auto value_after = [](const std::string& t, const std::string& key) {
    const auto at = t.find(key);
    return at == std::string::npos ? -1.0 : std::stod(t.substr(at + key.size()));
  };
  const double written = value_after(text, "\n  funds.other_spending.resident: ");
  EXPECT_GE(written, 100);
  EXPECT_LE(written, 300);
  EXPECT_NE(written, 181);
  EXPECT_EQ(value_after(back.out, "\n  funds.other_spending.resident: "), written);
  EXPECT_EQ(files(), (std::set<std::string>{"t.csv", "cal.yaml"}));
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
            "yidi: config.yaml:3:3: field 'clearing.quota_multiplier': unknown key 'quota_multiplier' (did you mean 'quota_multiple'?)");
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
  EXPECT_NE(r.out.find("population 1:20000: 67295 agents × 12 bytes"), std::string::npos) << r.out;
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

// Issue 18: progress also when not on a terminal (a log, a pipe): a line every
// YIDI_PROGRESS_SECONDS seconds (10 by default; 0 here: every step) with the percentage, the
// elapsed time and the time left; --quiet prints none. A run shorter than the interval logs none.
TEST_F(RunCli, ProgressLinesInLogsAndQuiet) {
  auto r = yidi_with("YIDI_PROGRESS_SECONDS=0", "run baseline --months 3 --scale 1:40000 --threads 2 -o a.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("yidi run:  33% (baseline, month 2022-01, 1/3, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("yidi run: 100% (baseline, month 2022-03, 3/3, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("elapsed "), std::string::npos);
  EXPECT_NE(r.err.find(", ETA "), std::string::npos);
  r = yidi_with("YIDI_PROGRESS_SECONDS=0", "run baseline --months 3 --scale 1:40000 --threads 2 -o b.h5 --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("%"), std::string::npos) << r.err;
  r = yidi("run baseline --months 2 --scale 1:40000 --threads 2 -o c.h5");
  EXPECT_EQ(r.err.find("% (baseline"), std::string::npos) << r.err;  // shorter than 10 s
  // The experiments: run k of N starting is (k − 1)/N done.
  r = yidi_with("YIDI_PROGRESS_SECONDS=0", "replicates baseline -n 2 --months 2 --scale 1:40000 --threads 2 -o r.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("yidi replicates:   0% (run 1 of 2 starting: baseline: replicate 1/2)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("yidi replicates:  50% (run 2 of 2 starting: baseline: replicate 2/2)"), std::string::npos) << r.err;
}
