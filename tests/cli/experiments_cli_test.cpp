// `yidi replicates`, `compare`, `sweep`, `seek` and `prepay` end to end on the real binary, on
// tiny runs (1:40000, 2–3 months, 2–4 replicates).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/engine/experiments.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/version.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;
namespace fs = std::filesystem;

namespace {
const std::string kTiny = " --scale 1:40000 --months 3 ";
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
}  // namespace

class ExperimentsCli : public CliTest {
protected:
  std::string path(const std::string& name) const { return (work() / name).string(); }
};

TEST_F(ExperimentsCli, ReplicatesWritesASummaryIndependentOfThreads) {
  const Outcome a = yidi("replicates baseline -n 3 --threads 2 -o r2.h5" + kTiny);
  ASSERT_EQ(a.code, 0) << a.err;
  const Outcome b = yidi("replicates baseline -n 3 --threads 1 -o r1.h5" + kTiny);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(files(), (std::set<std::string>{"r1.h5", "r2.h5"}));
  // Standard output: the short table of the file's yearly rates (issue 18), the same at any thread count.
  EXPECT_EQ(a.out.rfind("scenario ", 0), 0u) << a.out;
  EXPECT_NE(a.out.find("\nbaseline "), std::string::npos) << a.out;
  std::string a_out = a.out;
  a_out.replace(a_out.find("r2.h5"), 5, "r1.h5");
  EXPECT_EQ(a_out, b.out);
  EXPECT_EQ(a.err, "yidi replicates: baseline, 3 replicates of 3 months; wrote r2.h5\n");
  const auto q = io::read_dataset_hdf5(path("r2.h5"), "quantiles/offsite/visits");
  EXPECT_EQ(q.shape, (std::vector<std::size_t>{3, 3, 32, 3, 4, 2}));
  EXPECT_EQ(q.f, io::read_dataset_hdf5(path("r1.h5"), "quantiles/offsite/visits").f);
  EXPECT_EQ(io::read_dataset_hdf5(path("r2.h5"), "mean/clearing/gross").f,
            io::read_dataset_hdf5(path("r1.h5"), "mean/clearing/gross").f);
  EXPECT_EQ(io::read_dataset_hdf5(path("r2.h5"), "mean/offsite/dsr_inpatient_national").shape,
            (std::vector<std::size_t>{3}));
  EXPECT_EQ(io::read_dataset_hdf5(path("r2.h5"), "months").i.size(), 3u);
  EXPECT_EQ(io::read_number_attribute_hdf5(path("r2.h5"), "replicates"), 3);
  EXPECT_EQ(io::read_number_attribute_hdf5(path("r2.h5"), "threads"), 2);
  EXPECT_EQ(io::read_number_attribute_hdf5(path("r2.h5"), "scale"), 40000);
  EXPECT_EQ(io::read_text_attribute_hdf5(path("r2.h5"), "experiment"),
            "yidi replicates baseline -n 3 --threads 2 -o r2.h5 --scale 1:40000 --months 3");
  EXPECT_EQ(io::read_text_attribute_hdf5(path("r2.h5"), "scenario_name"), "baseline");
  // Never silently overwritten.
  const Outcome again = yidi("replicates baseline -n 1 -o r2.h5" + kTiny);
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.err, "yidi: r2.h5: exists; choose another output or pass --overwrite\n");
}

TEST_F(ExperimentsCli, CompareWithItselfHasZeroDifferences) {
  const Outcome o = yidi("compare baseline baseline -n 2 -o c.h5" + kTiny);
  ASSERT_EQ(o.code, 0) << o.err;
  for (const char* name : {"differences/baseline-2/mean/offsite/fund", "differences/baseline-2/quantiles/funds/balance",
                           "differences/baseline-2/quantiles/offsite/dsr_inpatient"})
    for (double x : io::read_dataset_hdf5(path("c.h5"), name).f) ASSERT_EQ(x, 0.0) << name;
  EXPECT_EQ(io::read_dataset_hdf5(path("c.h5"), "scenarios/baseline/mean/offsite/fund").f,
            io::read_dataset_hdf5(path("c.h5"), "scenarios/baseline-2/mean/offsite/fund").f);
  EXPECT_EQ(io::read_text_attribute_hdf5(path("c.h5"), "scenario_name"), "baseline,baseline");
  const Outcome one = yidi("compare baseline -n 2 -o d.h5" + kTiny);
  EXPECT_NE(one.code, 0);
}

TEST_F(ExperimentsCli, SweepIsResumable) {
  const std::string cmd = "sweep baseline --grid mobility.trip_days=6,10 --grid levers.credential=0.9 -n 2 -o sw" + kTiny;
  const Outcome first = yidi(cmd);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(first.err, "yidi sweep: 2 points (2 computed, 0 skipped); wrote sw/index.csv\n");
  EXPECT_EQ(slurp(work() / "sw" / "index.csv"),
            std::string("# yidi ") + kVersion + " sweep index (docs/experiments.md)\n"
            "point,mobility.trip_days,levers.credential,file\n0,6,0.9,point-0000.h5\n"
            "1,10,0.9,point-0001.h5\n");
  EXPECT_EQ(io::read_text_attribute_hdf5(path("sw/point-0001.h5"), "grid.mobility.trip_days"), "10");
  const auto kept = fs::last_write_time(work() / "sw" / "point-0000.h5");
  fs::remove(work() / "sw" / "point-0001.h5");
  const Outcome second = yidi(cmd);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(second.err, "yidi sweep: point-0000.h5 complete, skipped\n"
                        "yidi sweep: 2 points (1 computed, 1 skipped); wrote sw/index.csv\n");
  EXPECT_EQ(fs::last_write_time(work() / "sw" / "point-0000.h5"), kept);
  std::set<std::string> in_dir;
  for (const auto& e : fs::directory_iterator(work() / "sw")) in_dir.insert(e.path().filename().string());
  EXPECT_EQ(in_dir, (std::set<std::string>{".yidi-output", "index.csv", "point-0000.h5", "point-0001.h5"}));
  // Another number of replicates makes the points another sweep's: replaced only with --overwrite
  // (before, they were silently recomputed over), and refused before any point is computed.
  const std::string other = "sweep baseline --grid mobility.trip_days=6,10 --grid levers.credential=0.9 -n 1 -o sw" + kTiny;
  const Outcome refused = yidi(other);
  EXPECT_EQ(refused.code, 1);
  EXPECT_EQ(refused.err, "yidi: sw/point-0000.h5: holds a point of another sweep (its scenario, values, --from, --regions "
                         "or replicates differ); choose another folder, or pass --overwrite to replace it\n");
  EXPECT_EQ(fs::last_write_time(work() / "sw" / "point-0000.h5"), kept);
  EXPECT_EQ(io::read_number_attribute_hdf5(path("sw/point-0001.h5"), "replicates"), 2);
  const Outcome replaced = yidi(other + " --overwrite");
  ASSERT_EQ(replaced.code, 0) << replaced.err;
  EXPECT_EQ(io::read_number_attribute_hdf5(path("sw/point-0000.h5"), "replicates"), 1);
  EXPECT_EQ(io::read_number_attribute_hdf5(path("sw/point-0001.h5"), "replicates"), 1);
}

// Issue 18: a sweep's levers from a month and for some regions (as seek's); the same regions in
// another order, by code or name, are the same points (a resumed sweep skips them); bad --from or
// --regions are refused before anything is written.
TEST_F(ExperimentsCli, SweepFromAMonthForRegions) {
  const std::string grid = "sweep baseline --grid levers.trip_filing=0.2,0.8 --from 2022-02 -n 1 -o sw" + kTiny;
  const Outcome first = yidi(grid + " --regions 四川,Chengdu");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(io::read_text_attribute_hdf5(path("sw/point-0001.h5"), "grid.levers.trip_filing.from"), "2022-02");
  EXPECT_EQ(io::read_text_attribute_hdf5(path("sw/point-0001.h5"), "grid.levers.trip_filing.regions"), "510000 510100");
  EXPECT_EQ(slurp(work() / "sw/index.csv").substr(0, slurp(work() / "sw/index.csv").find('\n')),
            std::string("# yidi ") + kVersion +
                " sweep index (docs/experiments.md); levers.trip_filing from 2022-02; levers.trip_filing for 510000 510100");
  const Outcome again = yidi(grid + " --regions '510100, 四川'");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.err, "yidi sweep: point-0000.h5 complete, skipped\nyidi sweep: point-0001.h5 complete, skipped\n"
                       "yidi sweep: 2 points (0 computed, 2 skipped); wrote sw/index.csv\n");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"sweep baseline --grid levers.credential=0.9 --regions 四川 -n 1 -o bad" + kTiny,
       "yidi: --regions: field 'levers.credential': does not act by region; expected one of the levers that do: "},
      {"sweep baseline --grid mobility.trip_days=6 --from 2022-02 -n 1 -o bad" + kTiny,
       "yidi: --from: field 'mobility.trip_days': is a number, not a dated parameter"},
      {"sweep baseline --grid levers.trip_filing=0.5 --from 2023-01 -n 1 -o bad" + kTiny,
       "yidi: --from: field 'from': the month 2023-01 is outside the run, 2022-01 to 2022-03; expected a month within it\n"},
      {"sweep baseline --grid levers.trip_filing=0.5 --regions 四川, -n 1 -o bad" + kTiny,
       "yidi: --regions: field 'regions': an empty name in '四川,'; expected provinces or pools separated by single commas"},
  };
  for (const auto& [cmd, message] : bad) {
    const Outcome o = yidi(cmd);
    EXPECT_EQ(o.code, 1) << cmd;
    EXPECT_EQ(o.err.rfind(message, 0), 0u) << cmd << "\n" << o.err;
    EXPECT_FALSE(fs::exists(work() / "bad")) << cmd;
  }
}

TEST_F(ExperimentsCli, SweepNamesABadGrid) {
  const Outcome o = yidi("sweep baseline --grid levers.credential=0.9,1.5 -n 1 -o sw" + kTiny);
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: --grid: field 'levers.credential': value 1.5 is out of range; expected a number from 0 to 1\n");
  const Outcome b = yidi("sweep baseline --grid trip_days -n 1 -o sw" + kTiny);
  EXPECT_EQ(b.code, 1);
  EXPECT_EQ(b.err, "yidi: --grid: field 'grid': expected NAME=V1,V2,…, got 'trip_days'\n");
  EXPECT_EQ(files(), std::set<std::string>{});
}

TEST_F(ExperimentsCli, SeekReportsKnownAnswers) {
  const std::string base = "seek baseline --lever levers.networked_inpatient --range 0.3:0.9 --probability 0.8 -n 2"
                           " --scale 1:40000 --months 2 ";
  const Outcome easy = yidi(base + "--target 'dsr_inpatient_national >= 0 by 2022-02'");
  ASSERT_EQ(easy.code, 0) << easy.err;
  const auto l = lines(easy.out);
  ASSERT_GE(l.size(), 11u);
  EXPECT_EQ(l[0].rfind("# yidi ", 0), 0u);
  EXPECT_EQ(l[2], "lever: levers.networked_inpatient");
  EXPECT_EQ(l[3], "from: 2022-01");
  EXPECT_EQ(l[4], "regions: national");
  EXPECT_EQ(l[5], "target: cross_dsr_inpatient >= 0 in 2022-02");  // the earlier form, read as the export's measure
  EXPECT_EQ(l[7], "found: yes");
  EXPECT_EQ(l[8], "answer: 0.3");
  EXPECT_EQ(l[9], "bracket: 0.3:0.3");
  EXPECT_EQ(l[10], "estimated_probability: 1 (2/2 at the answer)");
  EXPECT_EQ(l[12], "evaluations: 0.3=2/2");
  const Outcome never = yidi(base + "--target 'dsr_inpatient_national >= 1.5 by 2022-02'");
  ASSERT_EQ(never.code, 0) << never.err;
  EXPECT_NE(never.out.find("found: no\nbracket: 0.3:0.9\nestimated_probability: 0 (0/2 at the range's high end)\n"),
            std::string::npos)
      << never.out;
  const Outcome bad = yidi(base + "--target 'dsr >= 1'");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err,
            "yidi: --target: field 'target': expected \"MEASURE[REGION] OP VALUE in PERIOD\" (OP >=, >, <= or <; PERIOD "
            "YYYY, YYYYQn or YYYY-MM; e.g. \"cross_dsr_inpatient[四川] >= 0.7 in 2025\"), got 'dsr >= 1'\n");
  const Outcome late = yidi(base + "--target 'dsr_inpatient_national >= 0 by 2031-01'");
  EXPECT_EQ(late.code, 1);
  EXPECT_EQ(late.err,
            "yidi: --target: field 'target': the period 2031-01 is not within the scenario's simulated period, 2022-01 to "
            "2022-02; expected a period within it (or a longer run: --months)\n");
  // Issue 18: an unknown lever is the lever's error (it was reported as a --range one), with the
  // closest names.
  const Outcome lever = yidi("seek baseline --lever levers.networked_inpatent --range 0.3:0.9 -n 2 --months 2 --scale 1:40000 "
                             "--target 'dsr_inpatient_national >= 0 by 2022-02'");
  EXPECT_EQ(lever.code, 1);
  EXPECT_EQ(lever.err.rfind("yidi: --lever: field 'levers.networked_inpatent': unknown parameter 'levers.networked_inpatent' "
                            "(did you mean 'levers.networked_inpatient'",
                            0),
            0u)
      << lever.err;
}

// Issue 18: a target on any export measure, region and period; a lever from a month and for some
// regions; every evaluation written with -o (provenance as columns); the new options' errors.
TEST_F(ExperimentsCli, SeekOnAnyMeasureWithARegionalLeverFromAMonth) {
  const std::string base = "seek baseline --range 0.1:0.9 --probability 0.5 -n 2 --scale 1:40000 --months 3 ";
  const std::string range_1_9 = "seek baseline --range 1:9 --probability 0.5 -n 2 --scale 1:40000 --months 3 ";
  // Always met (at least 0 stays settled directly in the quarter): the answer is LO, one evaluation.
  const Outcome o = yidi(base + "--lever levers.trip_filing --from 2022-02 --regions 四川,Chengdu "
                                "--target 'cross_inpatient_direct[Sichuan] >= 0 in 2022Q1' -o s.csv");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("lever: levers.trip_filing\nfrom: 2022-02\nregions: 510000 510100\n"
                       "target: cross_inpatient_direct[510000] >= 0 in 2022Q1\n"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.err, "yidi seek: wrote s.csv\n");
  const std::string csv = slurp(work() / "s.csv");
  ASSERT_TRUE(csv.starts_with("\xEF\xBB\xBFyidi_version,scenario,scenario_sha256,first_seed,replicates,scale,lever,from,"
                              "regions,target,probability,lever_value,met,share,wilson95_low,wilson95_high,role\n"))
      << csv;
  const auto rows = lines(csv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[1].find(",2,1:40000,levers.trip_filing,2022-02,510000 510100,cross_inpatient_direct[510000] >= 0 in 2022Q1,"
                         "0.5,0.1,2,1,0.3423802275,1,answer"),
            std::string::npos)
      << rows[1];
  // A year the 3-month run does not cover is refused, naming the simulated period.
  const Outcome outside = yidi(base + "--lever levers.networked_inpatient --target 'cross_fund[广东] < 0 in 2022'");
  EXPECT_EQ(outside.code, 1);
  EXPECT_EQ(outside.err,
            "yidi: --target: field 'target': the period 2022 is not within the scenario's simulated period, 2022-01 to "
            "2022-03; expected a period within it (or a longer run: --months)\n");
  // A money measure's threshold is in yuan, with <; never met (a fund pays no negative sum): found
  // no, at HI.
  const Outcome none = yidi(base + "--lever levers.networked_inpatient --target 'cross_fund[广东] < 0 in 2022Q1'");
  ASSERT_EQ(none.code, 0) << none.err;
  EXPECT_NE(none.out.find("found: no\nbracket: 0.1:0.9\nestimated_probability: 0 (0/2 at the range's high end)\n"),
            std::string::npos)
      << none.out;
  // Errors, each naming its option, and nothing written.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--lever care.trip_days --from 2022-02 --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --lever: field 'care.trip_days': unknown parameter 'care.trip_days'; expected one of"},
      {"--lever mobility.trip_days --from 2022-02 --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --from: field 'mobility.trip_days': is a number, not a dated parameter; a start month (--from) applies to dated ones\n"},
      {"--lever levers.credential --regions 四川 --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --regions: field 'levers.credential': does not act by region; expected one of the levers that do: "
       "levers.networked_inpatient, levers.networked_outpatient, levers.long_term_filing, levers.trip_filing, "
       "levers.retroactive_filing\n"},
      {"--lever levers.trip_filing --regions Sichuang --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --regions: field 'regions': no province 'Sichuang' (did you mean 'Sichuan'?); expected a code (440000), a "
       "Chinese name (广东, 广东省) or an English name (Guangdong), or a pool\n"},
      {"--lever levers.trip_filing --from 2023-05 --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --from: field 'from': the month 2023-05 is outside 2022-01 to 2022-03 (the run's start to the target's end); "
       "expected a month within it\n"},
      {"--lever levers.trip_filing --target 'cross_visits >= 0 by 2022'",
       "yidi: --target: field 'target': 'by 2022' takes a month (YYYY-MM); for a quarter or a year write 'in 2022'\n"},
      {"--lever levers.trip_filing --target 'cross_dsr_inpatient_se >= 0 in 2022-03'",
       "yidi: --target: field 'target': the measure 'cross_dsr_inpatient_se' is not given nationally; it is given: region "
       "(add [REGION])\n"},
      {"--lever levers.trip_filing --target 'cross_dsr_inpatient ≥ 0.7 in 2022-03'",
       "yidi: --target: field 'target': unknown comparison '≥'; expected >=, >, <= or <\n"},
      {"--lever care.trip_emergency_share --regions 四川 --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --regions: field 'care.trip_emergency_share': does not act by region; expected one of"},
      {"--lever levers.trip_filing --regions '' --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --regions: field 'regions': empty; expected provinces or pools, e.g. 四川,成都 (or leave it out: national)\n"},
      {"--lever levers.trip_filing --regions 四川,510000 --target 'cross_visits >= 0 in 2022-03'",
       "yidi: --regions: field 'regions': '510000' (510000) given twice\n"},
  };
  for (const auto& [args, message] : bad) {
    const Outcome b = yidi((args.find("mobility.trip_days") != std::string::npos ? range_1_9 : base) + args + " -o t.csv");
    EXPECT_EQ(b.code, 1) << args;
    EXPECT_EQ(b.err.substr(0, std::min(b.err.size(), message.size())), message) << args;
  }
  // Names with spaces, names around commas (listed in code order), and a pool-only measure of a
  // municipality (its pool shares the province's code): LO = HI is evaluated once, and not met is
  // the high end's role.
  const Outcome named = yidi("seek baseline --range 0.6:0.6 -n 1 --scale 1:40000 --months 3 --lever levers.trip_filing "
                             "--regions '四川, Inner Mongolia' --target 'cross_dsr_inpatient_se[北京] < 0 in 2022Q1' -o one.csv");
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_NE(named.out.find("regions: 150000 510000\ntarget: cross_dsr_inpatient_se[110000] < 0 in 2022Q1\n"), std::string::npos)
      << named.out;
  EXPECT_NE(named.out.find("evaluations: 0.6=0/1\n"), std::string::npos) << named.out;
  const auto one = lines(slurp(work() / "one.csv"));
  ASSERT_EQ(one.size(), 2u);
  EXPECT_TRUE(one[1].ends_with(",0.6,0,0,0,0.7934506856,high_end_not_met")) << one[1];
  const Outcome spaced = yidi(base + "--lever levers.trip_filing --target 'cross_dsr_inpatient[Inner Mongolia] >= 0 in 2022-03'");
  EXPECT_NE(spaced.out.find("target: cross_dsr_inpatient[150000] >= 0 in 2022-03\n"), std::string::npos) << spaced.err;
  EXPECT_EQ(files(), (std::set<std::string>{"one.csv", "s.csv"}));
}

// Issue 17: one spreadsheet-clean table (a UTF-8 byte-order mark, a header, one row per insured
// province, provenance as columns, amounts in yuan and 亿元, names beside codes), the proposal as a
// scenario overlay (--quotas) that reads back, a backtest on fresh seeds, and yidi's own table
// replaced with --overwrite.
TEST_F(ExperimentsCli, PrepayWritesQuotasWithProvenance) {
  const Outcome o = yidi("prepay baseline --red-probability 0.25 -n 4 -o q.csv --quotas q.yaml --backtest" + kTiny);
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string text = slurp(work() / "q.csv");
  ASSERT_TRUE(text.starts_with("\xEF\xBB\xBFyidi_version,scenario,scenario_sha256,scale,seeds,red_probability,year,"
                               "province_code,province,province_en,proposed_quota_yuan,proposed_quota_yi,"))
      << text.substr(0, 200);
  const auto l = lines(text.substr(3));
  ASSERT_EQ(l.size(), 33u);
  const auto fields = [](const std::string& line) {
    std::vector<std::string> f;
    std::istringstream in(line);
    for (std::string x; std::getline(in, x, ',');) f.push_back(x);
    return f;
  };
  const auto header = fields(l[0]);
  const auto col = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<std::size_t>(it - header.begin());
  };
  int nonzero = 0;
  for (std::size_t i = 1; i < l.size(); ++i) {
    const auto f = fields(l[i]);
    ASSERT_EQ(f.size(), header.size()) << l[i];
    EXPECT_EQ(f[col("yidi_version")], kVersion);
    EXPECT_EQ(f[col("scenario")], "baseline");
    EXPECT_EQ(f[col("scale")], "1:40000");
    EXPECT_EQ(f[col("red_probability")], "0.25");
    EXPECT_EQ(f[col("year")], "2022");
    EXPECT_EQ(f[col("backtest_seeds")], "20260105..20260108");
    EXPECT_EQ(f[col("ranks")], "1");
    EXPECT_TRUE(f[col("command")].starts_with("yidi prepay baseline --red-probability 0.25 -n 4")) << f[col("command")];
    const long double proposed = std::stold(f[col("proposed_quota_yuan")]), peak = std::stold(f[col("peak_outstanding_yuan")]);
    EXPECT_GE(proposed * 0.9L, peak - 0.01L) << l[i];
    // 亿元 = yuan ÷ 10^8, to 4 decimals
    EXPECT_NEAR(std::stod(f[col("proposed_quota_yi")]), static_cast<double>(proposed / 1e8L), 0.00005) << l[i];
    const int reds = std::stoi(f[col("backtest_red_replicates")]);
    EXPECT_EQ(f[col("backtest_within")], sim::wilson95(reds, 4).low <= 0.25 ? "yes" : "no");
    nonzero += peak > 0 ? 1 : 0;
  }
  EXPECT_GT(nonzero, 20);
  EXPECT_EQ(fields(l[1])[col("province_code")], "110000");
  EXPECT_EQ(fields(l[1])[col("province")], "北京市");
  EXPECT_EQ(fields(l[1])[col("province_en")], "Beijing");
  EXPECT_NE(o.err.find("yidi prepay: baseline 2022, 4 replicates at 1:40000: proposed quotas "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("; backtest on seeds 20260105..20260108: P(red) within 0.25 (Wilson 95% low end) in "), std::string::npos)
      << o.err;
  // The overlay: yidi's own text, extending the scenario, the proposal from 2022-01-01.
  const std::string overlay = slurp(work() / "q.yaml");
  EXPECT_TRUE(overlay.starts_with(std::string("# yidi ") + kVersion + " prepayment proposal: quotas for 2022")) << overlay;
  const sim::Scenario back = io::load_scenario((work() / "q.yaml").string());
  EXPECT_EQ(back.name, "baseline-quotas-2022");
  EXPECT_EQ(back.scale, 40000);
  EXPECT_EQ(back.months, 3);
  ASSERT_EQ(back.clearing.quotas.count(RegionCode::of(110000)), 1u);
  EXPECT_EQ(back.clearing.quotas.at(RegionCode::of(110000))[0].quota.str(), fields(l[1])[col("proposed_quota_yuan")]);
  // --overwrite replaces yidi's own table; without it the table is refused.
  EXPECT_EQ(yidi("prepay baseline --red-probability 0.25 -n 4 -o q.csv" + kTiny).code, 1);
  const Outcome again = yidi("prepay baseline --red-probability 0.25 -n 4 -o q.csv --overwrite" + kTiny);
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(files(), (std::set<std::string>{"q.csv", "q.yaml"}));
  const Outcome bad = yidi("prepay baseline --red-probability 2 -n 1" + kTiny);
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err,
            "yidi: --red-probability: field 'red-probability': expected a probability strictly between 0 and 1\n");
  const Outcome year = yidi("prepay baseline --red-probability 0.05 -n 1 --year 2030" + kTiny);
  EXPECT_EQ(year.code, 1);
  EXPECT_EQ(year.err, "yidi: --year: field 'year': expected a year the scenario simulates, 2022, got 2030\n");
}

// Runs side by side (--concurrent-runs) give the same summary as one after another: every dataset
// equal (the files differ only in the `experiment` attribute, the command line).
TEST_F(ExperimentsCli, RunsSideBySideGiveTheSameSummary) {
  ASSERT_EQ(yidi("replicates baseline -n 3 --threads 2 --concurrent-runs 1 -o a.h5" + kTiny).code, 0);
  const Outcome b = yidi("replicates baseline -n 3 --threads 2 --concurrent-runs 2 -o b.h5" + kTiny);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(b.err, "yidi replicates: baseline, 3 replicates of 3 months; wrote b.h5\n");
  std::vector<std::string> names{"months", "years", "year_months", "shares/prepayment/warning", "replicates/seed"};
  for (const auto& n : sim::summary_datasets()) {
    names.push_back("mean/" + n);
    names.push_back("quantiles/" + n);
  }
  for (const auto& d : sim::yearly_datasets()) names.push_back("replicates/" + d.name);
  for (const auto& n : names) {
    const auto x = io::read_dataset_hdf5(path("a.h5"), n), y = io::read_dataset_hdf5(path("b.h5"), n);
    EXPECT_EQ(x.shape, y.shape) << n;
    EXPECT_EQ(x.i, y.i) << n;
    ASSERT_EQ(x.f.size(), y.f.size()) << n;
    for (std::size_t i = 0; i < x.f.size(); ++i)
      ASSERT_TRUE(x.f[i] == y.f[i] || (std::isnan(x.f[i]) && std::isnan(y.f[i]))) << n << " " << i;
  }
  EXPECT_EQ(io::read_dataset_hdf5(path("b.h5"), "replicates/seed").i,
            (std::vector<std::int64_t>{20260101, 20260102, 20260103}));
  EXPECT_EQ(io::read_dataset_hdf5(path("b.h5"), "replicates/offsite/dsr_inpatient_national").shape,
            (std::vector<std::size_t>{3, 1}));  // 3 replicates × 1 year (2022-01 … 2022-03)
  const Outcome bad = yidi("replicates baseline -n 1 --concurrent-runs 0 -o c.h5" + kTiny);
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "yidi: --concurrent-runs: field 'concurrent-runs': expected a number of runs at once of at least "
                     "1, got '0'\n");
  EXPECT_EQ(files(), (std::set<std::string>{"a.h5", "b.h5"}));
}

// An experiment's inputs include the scenarios its scenario extends: `-o` naming one is refused
// (issue 12: no command replaces an input), and the file is left as it was.
TEST_F(ExperimentsCli, AScenarioItExtendsIsAnInputToo) {
  spit(work() / "parent.yaml", "name: parent\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  spit(work() / "child.yaml", "name: child\nextends: parent.yaml\n");
  const Outcome o = yidi("replicates child.yaml -n 1 -o parent.yaml --overwrite");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: parent.yaml: is an input of this command (parent.yaml); choose another output\n");
  EXPECT_EQ(slurp(work() / "parent.yaml"), "name: parent\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n");
  EXPECT_EQ(files(), (std::set<std::string>{"child.yaml", "parent.yaml"}));
}
