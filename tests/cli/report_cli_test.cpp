// `yidi report` end to end on tiny runs (1:40000, 3 months): the numbers and provenance it prints
// are the files' own, every chart is there with one mark per data point, nothing is fetched from
// elsewhere, and bad inputs are named. The browser check is tests/cli/report_browser_test.cpp.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "sim/engine/sampling_noise.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/report/svg.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;
namespace fs = std::filesystem;

namespace {

const std::string kExpected =
    "expected a run file (`yidi run`), a replicates summary (`yidi replicates`) or a compare file (`yidi compare`)";

/// Runs made once for the suite: two scenarios on the same seed, a shorter run, a summary, a
/// compare file and the summary's prepayment proposal by `yidi prepay`.
class ReportCli : public CliTest {
protected:
  static fs::path runs() { return runs_; }
  static void SetUpTestSuite() {
    const std::string tiny = " --scale 1:40000 --seed 7 --threads 2 ";
    const std::string coarse = " --scale 1:200000 --seed 7 --threads 2 ";
    const std::string dry = "'" + std::string(YIDI_SOURCE_DIR) + "/tests/cli/data/funds-run-dry.yaml'";
    std::string failed;
    runs_ = yidi::testing::shared_runs("report",
                                       {"run baseline --months 3" + tiny + "-o a.h5", "run no-reduction --months 3" + tiny + "-o b.h5",
                                        "run baseline --months 2" + tiny + "-o short.h5",
                                        "replicates baseline -n 2 --months 3" + tiny + "-o r.h5",
                                        "compare baseline no-reduction -n 3 --months 3" + tiny + "-o c.h5",
                                        "prepay baseline -n 2 --months 3 --year 2022 --red-probability 0.5" + tiny + "-o p.csv",
                                        // Two years with residents' funds running low (tests/cli/data/funds-run-dry.yaml).
                                        "run baseline --months 24" + coarse + "-o a24.h5",
                                        "replicates " + dry + " -n 2 --months 24" + coarse + "-o dry.h5",
                                        "prepay " + dry + " -n 2 --months 24 --year 2022 --red-probability 0.5" + coarse + "-o dry.csv"},
                                       failed);
    ASSERT_EQ(failed, "");
  }
  static inline fs::path runs_;

  /// Copies a suite run into this test's folder, so that messages name it as the user would.
  void take(const std::string& name) const { fs::copy_file(runs() / name, work() / name); }
  std::string path(const std::string& name) const { return (work() / name).string(); }
};

/// The text of the element with this id, e.g. <td id="n-dsr-last-0">68.23%</td>.
std::string by_id(const std::string& html, const std::string& id) {
  const std::string key = "id=\"" + id + "\">";
  const auto at = html.find(key);
  if (at == std::string::npos) return "<no element " + id + ">";
  const auto start = at + key.size();
  return html.substr(start, html.find('<', start) - start);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v * 100);
  return buf;
}

/// data-marks of the chart with this id (-1 if there is no such chart). No std::regex: GCC 12
/// warns inside it at -O1 (the sanitizer build).
int marks_of(const std::string& html, const std::string& id) {
  const std::string key = "<svg class=\"chart\" id=\"" + id + "\" data-marks=\"";
  const auto at = html.find(key);
  return at == std::string::npos ? -1 : std::stoi(html.substr(at + key.size()));
}

}  // namespace

TEST_F(ReportCli, NumbersChartsAndProvenanceAreTheFilesOwn) {
  for (const char* f : {"a.h5", "b.h5", "r.h5"}) take(f);
  const Outcome o = yidi("report a.h5 b.h5 r.h5 -o report.html --title 'Tiny <runs> & \"bands\"'");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string html = slurp(work() / "report.html");
  EXPECT_EQ(o.err, "yidi report: 3 file(s), 9 charts, " + std::to_string(html.size()) + " bytes; wrote report.html\n");
  EXPECT_EQ(files(), (std::set<std::string>{"a.h5", "b.h5", "r.h5", "report.html"}));  // no temporary left

  // The national rate of the last month, as the file holds it, formatted %.2f%%.
  const auto a_rate = io::read_dataset_hdf5(path("a.h5"), "offsite/dsr_inpatient_national").f;
  const auto b_rate = io::read_dataset_hdf5(path("b.h5"), "offsite/dsr_inpatient_national").f;
  ASSERT_EQ(a_rate.size(), 3u);
  ASSERT_TRUE(std::isfinite(a_rate.back()) && a_rate.back() > 0.3 && a_rate.back() < 1) << a_rate.back();
  EXPECT_EQ(by_id(html, "n-dsr-last-0"), percent(a_rate.back()));
  EXPECT_EQ(by_id(html, "n-dsr-last-1"), percent(b_rate.back()));
  const auto q = io::read_dataset_hdf5(path("r.h5"), "quantiles/offsite/dsr_inpatient_national").f;
  ASSERT_EQ(q.size(), 9u);
  EXPECT_EQ(by_id(html, "n-dsr-last-2"),
            "P50 " + percent(q[5]) + " (P5 " + percent(q[2]) + ", P95 " + percent(q[8]) + ")");
  // The off-site fund paid over the run, bn yuan with 3 decimals; no reduction pays more.
  auto fund_bn = [&](const char* f) {
    const auto d = io::read_dataset_hdf5(path(f), "offsite/fund").i;
    double s = 0;
    for (auto v : d) s += static_cast<double>(v);
    return s / 1e11;
  };
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", fund_bn("a.h5"));
  EXPECT_EQ(by_id(html, "n-fund-0"), buf);
  EXPECT_GT(fund_bn("b.h5"), fund_bn("a.h5"));
  EXPECT_EQ(by_id(html, "n-fund-2"), "—");  // a summary does not hold it
  EXPECT_EQ(by_id(html, "n-months-0"), "2022-01 to 2022-03 (3)");

  // Provenance: the attributes of each file.
  EXPECT_EQ(by_id(html, "p-seed-0"), std::to_string(io::read_number_attribute_hdf5(path("a.h5"), "seed")));
  EXPECT_EQ(by_id(html, "p-seed-0"), "7");
  EXPECT_EQ(by_id(html, "p-seed-2"), "7");
  EXPECT_EQ(by_id(html, "p-scale-1"), "1:40000");
  EXPECT_EQ(by_id(html, "p-threads-0"), "2");
  EXPECT_EQ(by_id(html, "p-ranks-0"), "1");
  EXPECT_EQ(by_id(html, "p-replicates-2"), "2");
  EXPECT_EQ(by_id(html, "p-replicates-0"), "—");
  EXPECT_EQ(by_id(html, "p-scenario_name-1"), "no-reduction");
  EXPECT_NE(html.find("<td id=\"p-scenario_sha256-1\"><code>" + io::read_text_attribute_hdf5(path("b.h5"), "scenario_sha256")),
            std::string::npos);
  EXPECT_EQ(by_id(html, "p-kind-2"), "replicates summary (yidi replicates)");

  // Nine charts (the summary adds the funds' fan), in order, each with one mark per data point.
  EXPECT_EQ(count(html, "<svg "), 9u);
  std::size_t at = 0;
  for (const char* id : {"national-rate", "province-rate", "quota", "usage", "topups", "months-payable",
                         "months-payable-fan", "who-pays", "rate-by-run"}) {
    const auto next = html.find("<svg class=\"chart\" id=\"" + std::string(id) + "\"", at);
    ASSERT_NE(next, std::string::npos) << id << " missing or out of order";
    at = next;
  }
  EXPECT_EQ(marks_of(html, "national-rate"), 3 + 3 + 3);  // two runs and the summary's P50, 3 months each
  const auto by_province = io::read_dataset_hdf5(path("a.h5"), "offsite/dsr_inpatient").f;
  int defined = 0;
  for (std::size_t p = 0; p < 32; ++p) defined += std::isfinite(by_province[2 * 32 + p]);
  EXPECT_GT(defined, 10);
  EXPECT_EQ(marks_of(html, "province-rate"), defined);
  EXPECT_EQ(marks_of(html, "quota"), 2 * 32);
  EXPECT_EQ(marks_of(html, "who-pays"), 2 * 2);
  // The fan: the residents' P50 of the 3 provinces lowest at the last month, 3 months each; the
  // lowest first, its band named.
  const auto mp = io::read_dataset_hdf5(path("r.h5"), "quantiles/funds/months_payable").f;  // 3 × 3 × 32 × 2
  ASSERT_EQ(mp.size(), 3u * 3u * 32u * 2u);
  std::size_t lowest = 0;
  for (std::size_t p = 1; p < 32; ++p)
    if (mp[((1 * 3 + 2) * 32 + p) * 2 + 1] < mp[((1 * 3 + 2) * 32 + lowest) * 2 + 1]) lowest = p;
  EXPECT_EQ(marks_of(html, "months-payable-fan"), 3 * 3);
  const std::string fan = html.substr(html.find("id=\"months-payable-fan\""));
  const auto codes = io::read_labels_hdf5(path("r.h5"), "labels/province");
  std::string lowest_name;
  const sim::World world = io::embedded_world();
  for (const auto& p : world.provinces())
    if (p.code.str() == codes[lowest]) lowest_name = p.name_en;
  ASSERT_FALSE(lowest_name.empty());
  EXPECT_NE(fan.find(lowest_name + ": P5–P95"), std::string::npos) << lowest_name;  // two runs × (fund, individual); the summary has no bars
  EXPECT_NE(html.find(">70% target (end of 2025)</text>"), std::string::npos);
  EXPECT_NE(html.find("P5–P95"), std::string::npos);  // the summary's band is drawn and named

  // Self-contained: nothing fetched; text escaped.
  for (const char* ref : {"http://", "https://", "src=", "<link", "@import", "url("}) EXPECT_EQ(html.find(ref), std::string::npos) << ref;
  EXPECT_EQ(count(html, "<script>"), 1u);
  EXPECT_NE(html.find("<title>Tiny &lt;runs&gt; &amp; &quot;bands&quot;</title>"), std::string::npos);
  EXPECT_EQ(html.find("<runs>"), std::string::npos);
}

TEST_F(ReportCli, OneRunHasNoSideBySideCharts) {
  take("a.h5");
  ASSERT_EQ(yidi("report a.h5 -o out/one.html").code, 0);
  const std::string html = slurp(work() / "out" / "one.html");
  EXPECT_EQ(count(html, "<svg "), 6u);
  EXPECT_EQ(html.find("id=\"who-pays\""), std::string::npos);
  EXPECT_NE(html.find("Give two or more run files"), std::string::npos);
  EXPECT_EQ(marks_of(html, "national-rate"), 3);
  // The same inputs and options give the same bytes (no clock in the report).
  ASSERT_EQ(yidi("report a.h5 -o out/one.html --overwrite").code, 0);
  EXPECT_EQ(slurp(work() / "out" / "one.html"), html);
}

// The run against the calibration targets: what `yidi calibration` says of the same file, row for
// row; a run of no whole year says so.
TEST_F(ReportCli, TheRunAgainstTheCalibrationTargets) {
  take("a24.h5");
  take("a.h5");
  ASSERT_EQ(yidi("report a24.h5 -o cal.html").code, 0);
  const std::string html = slurp(work() / "cal.html");
  const Outcome cal = yidi("calibration a24.h5");
  ASSERT_EQ(cal.code, 0) << cal.err;
  // Its last line: "K of N targets met; M not covered by the run's years."
  const auto last = cal.out.substr(cal.out.rfind("\n", cal.out.size() - 2) + 1);
  const std::string met = last.substr(0, last.find(';'));
  EXPECT_EQ(by_id(html, "calibration-met"), met);
  EXPECT_EQ(met.substr(met.find(" of ")), " of 34 targets met");  // the file's 2022 and 2023 rows
  // Every row of the table is the command's, misses marked.
  std::size_t rows = 0, misses = 0;
  for (std::size_t at = cal.out.find("\n| 20"); at != std::string::npos; at = cal.out.find("\n| 20", at + 1)) {
    const std::string line = cal.out.substr(at + 3, cal.out.find('\n', at + 1) - at - 3);
    const std::string year = line.substr(0, 4);
    const std::string measure = line.substr(7, line.find(" |", 7) - 7);
    const auto model_at = line.find(" | ", 7) + 3;
    const std::string model = line.substr(model_at, line.find(" |", model_at) - model_at);
    EXPECT_NE(html.find("<td>" + year + "</td><td>" + measure + "</td><td>" + model + "</td>"), std::string::npos) << line;
    ++rows;
    misses += line.find("**no**") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(rows, 34u);
  EXPECT_EQ(count(html, "<tr class=\"miss\">"), misses);
  ASSERT_EQ(yidi("report a.h5 -o short.html").code, 0);
  EXPECT_NE(slurp(work() / "short.html").find("id=\"calibration-none\""), std::string::npos);
}

TEST_F(ReportCli, BadInputsAreNamedAndNothingIsWritten) {
  take("a.h5");
  take("short.h5");
  take("r.h5");
  spit(work() / "notes.h5", "not hdf5 at all\n");
  {
    H5::H5File f(path("other.h5"), H5F_ACC_TRUNC);  // HDF5, but not yidi's
    const hsize_t n = 2;
    f.createDataSet("months", H5::PredType::NATIVE_INT64, H5::DataSpace(1, &n));
  }
  const auto before = files();
  auto fails = [&](const std::string& args, const std::string& message) {
    const Outcome o = yidi("report " + args + " -o report.html");
    EXPECT_EQ(o.code, 1) << args;
    EXPECT_EQ(o.err, "yidi: " + message + "\n") << args;
    EXPECT_EQ(files(), before) << args;
  };
  fails("a.h5 missing.h5", "missing.h5: no such file; " + kExpected);
  fails("notes.h5", "notes.h5: not an HDF5 file; " + kExpected);
  fails("other.h5 a.h5", "other.h5: not a yidi file (no root attribute 'yidi_version'); " + kExpected);
  fails("a.h5 short.h5",
        "short.h5: field 'months': covers 2022-01 to 2022-02 (2 months), but a.h5 covers 2022-01 to 2022-03 (3 months); "
        "the report puts its inputs side by side, so they must cover the same months");
  fails("r.h5", "r.h5: a replicates summary alone: expected at least one run file (`yidi run`) beside it; a summary "
                "adds P5–P95 bands to the runs' rate chart, a compare file its differences to the answers");
  spit(work() / "report.html", "precious");
  const Outcome o = yidi("report a.h5 -o report.html");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "yidi: report.html: exists; choose another output or pass --overwrite\n");
  EXPECT_EQ(slurp(work() / "report.html"), "precious");
  // Not even --overwrite replaces a file yidi did not write, or one of the report's inputs.
  const Outcome forced = yidi("report a.h5 -o report.html --overwrite");
  EXPECT_EQ(forced.code, 1);
  EXPECT_EQ(forced.err, "yidi: report.html: exists and is not a yidi report output; yidi replaces only its own outputs "
                        "(choose another output)\n");
  EXPECT_EQ(slurp(work() / "report.html"), "precious");
  const std::string a = slurp(work() / "a.h5");
  const Outcome onto = yidi("report a.h5 -o a.h5 --overwrite");
  EXPECT_EQ(onto.code, 1);
  EXPECT_EQ(onto.err, "yidi: a.h5: is an input of this command (a.h5); choose another output\n");
  EXPECT_TRUE(slurp(work() / "a.h5") == a);
  EXPECT_EQ(yidi("report -o x.html").code, 1);  // no input: a usage error
}

// Issue 18: a compare file adds its scenarios' differences with intervals to the answers, replicate
// by replicate on the same seeds: the numbers are those of `yidi export` of the file.
TEST_F(ReportCli, ACompareFileGivesTheDifferencesWithIntervals) {
  take("a.h5");
  take("c.h5");
  const Outcome o = yidi("report a.h5 c.h5 -o report.html");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string html = slurp(work() / "report.html");
  EXPECT_EQ(count(html, "<svg "), 6u);  // no side-by-side charts: one run
  EXPECT_NE(html.find("Researcher: c.h5 (yidi compare) — differences from baseline in 2022"), std::string::npos);
  EXPECT_EQ(by_id(html, "p-kind-1"), "comparison (yidi compare)");
  // Each replicate's national values of the year, by scenario, from export.
  const Outcome e = yidi("export c.h5 --by national,year --measures cross_fund,cross_individual,cross_dsr_inpatient");
  ASSERT_EQ(e.code, 0) << e.err;
  std::map<std::string, std::map<std::string, std::vector<double>>> v;  // scenario → measure → by replicate
  std::istringstream rows(e.out);
  std::string line;
  std::getline(rows, line);
  while (std::getline(rows, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 17u);
    v[f[1]][f[14]].push_back(std::stod(f[15]));
  }
  ASSERT_EQ(v["baseline"]["cross_fund"].size(), 3u);
  ASSERT_EQ(v["no-reduction"]["cross_fund"].size(), 3u);
  for (const char* m : {"cross_fund", "cross_individual"}) {
    double mean = 0;
    for (std::size_t r = 0; r < 3; ++r) mean += (v["no-reduction"][m][r] - v["baseline"][m][r]) / 3;
    char want[64];
    std::snprintf(want, sizeof want, "%+.1f (95%% CI ", mean / 1e8);  // 亿元
    const std::string id = std::string("c-1-1-d-") + (std::string(m) == "cross_fund" ? "fund" : "individual");
    EXPECT_EQ(by_id(html, id).rfind(want, 0), 0u) << id << ": " << by_id(html, id) << " want " << want;
  }
  // Without reductions the funds pay more and the individuals less, visit for visit.
  EXPECT_EQ(by_id(html, "c-1-1-d-fund").rfind("+", 0), 0u);
  EXPECT_EQ(by_id(html, "c-1-1-d-individual").rfind("-", 0), 0u);
  EXPECT_EQ(by_id(html, "c-1-0-d-fund"), "—");  // the baseline against itself
  for (const char* sc : {"baseline", "no-reduction"}) {
    int met = 0;
    for (double x : v[sc]["cross_dsr_inpatient"]) met += x >= 0.7 ? 1 : 0;
    const std::string id = std::string("c-1-") + (std::string(sc) == "baseline" ? "0" : "1") + "-p70";
    EXPECT_EQ(by_id(html, id).rfind(std::to_string(met) + "/3 = ", 0), 0u) << by_id(html, id);
  }
  // A compare file alone is refused: the report needs a run beside it.
  const Outcome alone = yidi("report c.h5 -o alone.html");
  EXPECT_EQ(alone.code, 1);
  EXPECT_EQ(alone.err.rfind("yidi: c.h5: a compare file alone: expected at least one run file", 0), 0u) << alone.err;
}

// The chart primitives on their own.
TEST(ReportSvg, EscapesTicksAndMarks) {
  EXPECT_EQ(report::escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  const auto ticks = report::nice_ticks(0, 1);
  ASSERT_EQ(ticks.size(), 6u);
  for (std::size_t i = 0; i < ticks.size(); ++i) EXPECT_NEAR(ticks[i], 0.2 * static_cast<double>(i), 1e-12);
  EXPECT_EQ(report::nice_ticks(0.3, 7.4).front(), 0);
  EXPECT_EQ(report::nice_ticks(0.3, 7.4).back(), 8);
  EXPECT_EQ(report::format_value(0.68234, report::Format::percent, 2), "68.23%");
  EXPECT_EQ(report::format_value(std::nan(""), report::Format::number, 2), "n/a");
  report::LineChart c;
  c.id = "t";
  c.title = "t <1>";
  c.x_labels = {"2022-01", "2022-02", "2022-03"};
  c.lines.push_back({"one", {0.1, std::nan(""), 0.3}, "#000"});  // a gap: two points, no line across it
  const std::string svg = report::line_chart_svg(c);
  EXPECT_NE(svg.find("data-marks=\"2\""), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 0u);
  EXPECT_NE(svg.find("<title>t &lt;1&gt;</title>"), std::string::npos);
  report::BarChart b;
  b.id = "b";
  b.categories = {"x", "y", "z"};
  b.series.push_back({"s", {5, 7, std::nan("")}, "#000"});
  b.flag_below = 6;
  b.flag_label = "below 6";
  const std::string bars = report::bar_chart_svg(b);
  EXPECT_NE(bars.find("data-marks=\"2\""), std::string::npos);
  EXPECT_EQ(count(bars, "stroke=\"#d62728\" stroke-width=\"2\""), 2u);  // the flagged bar and its legend swatch
  EXPECT_NE(bars.find(">n/a</text>"), std::string::npos);
  b.flag_below.reset();  // flags by category, whatever the value
  b.flagged = {false, true, true};
  const std::string by_category = report::bar_chart_svg(b);
  EXPECT_EQ(count(by_category, "stroke=\"#d62728\" stroke-width=\"2\""), 2u);  // y's bar and the swatch; z has none
  EXPECT_NE(by_category.find("y: 7.00 (below 6)</title>"), std::string::npos);
  b.flagged = {false, false, false};
  EXPECT_EQ(count(report::bar_chart_svg(b), "stroke=\"#d62728\""), 0u);  // no flag, no legend swatch
}

// Issue 14: the report says how many pools' rates are mostly sampling noise (the run's own
// sentence) and flags the provinces whose last-month rate rests on too few sampled stays.
TEST_F(ReportCli, ItSaysWhichRatesAreMostlySamplingNoise) {
  take("a.h5");
  ASSERT_EQ(yidi("report a.h5 -o report.html").code, 0);
  const std::string html = slurp(work() / "report.html");
  const std::string sentence = io::read_text_attribute_hdf5(path("a.h5"), "sampling_noise");
  EXPECT_TRUE(sentence.starts_with("sampling noise at 1:40000, last 3 month(s): ")) << sentence;
  EXPECT_EQ(by_id(html, "sampling-noise"),
            "Pools of baseline: " + report::escape(sentence) +
                ". A pool's rate rests on the few sampled stays behind it; region/dsr_noisy flags each month's "
                "(outputs/SCHEMA.md).");
  // The province chart's flagged bars: the provinces whose last month's sampled stays (visits ÷
  // scale) give a rate with an error above 0.05 — and a rate (some stays).
  const auto visits = io::read_dataset_hdf5(path("a.h5"), "offsite/visits");
  ASSERT_EQ(visits.shape, (std::vector<std::size_t>{3, 32, 3, 4, 2}));
  int flagged = 0;
  for (std::size_t p = 0; p < 32; ++p) {
    std::int64_t direct = 0, all = 0;
    for (std::size_t g = 0; g < 3; ++g)
      for (std::size_t path = 0; path < 2; ++path) {
        const std::int64_t n = visits.i[(((2 * 32 + p) * 3 + g) * 4 + 0) * 2 + path] / 40000;
        all += n;
        direct += path == 0 ? n : 0;
      }
    flagged += sim::noise_code(direct, all) == 1;
  }
  EXPECT_GT(flagged, 0);  // at 1:40000 some provinces have a handful of stays a month
  const auto start = html.find("<svg class=\"chart\" id=\"province-rate\"");
  ASSERT_NE(start, std::string::npos);
  const std::string chart = html.substr(start, html.find("</svg>", start) - start);
  EXPECT_EQ(count(chart, "(mostly sampling noise (standard error above 5 percentage points))</title>"),
            static_cast<std::size_t>(flagged));
  EXPECT_EQ(count(chart, ">mostly sampling noise (standard error above 5 percentage points)</text>"), 1u);  // legend
}

// Issue 15: a fund below zero is loud in the report too: the run's warning sentence, in red, under
// the finance heading. At 1:40000 some small pools' funds go below zero within three months.
TEST_F(ReportCli, ItWarnsOfFundsBelowZero) {
  take("a.h5");
  ASSERT_GT(io::read_number_attribute_hdf5(path("a.h5"), "funds_below_zero"), 0);
  ASSERT_EQ(yidi("report a.h5 -o report.html").code, 0);
  const std::string html = slurp(work() / "report.html");
  const std::string warning = io::read_text_attribute_hdf5(path("a.h5"), "funds_below_zero_warning");
  EXPECT_TRUE(warning.starts_with("WARNING: ")) << warning;
  const auto at = html.find("<p class=\"warning\" id=\"funds-below-zero\"><b>baseline: " + report::escape(warning) + ".</b>");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(at, html.find("<h2>Finance: prepayment and funds"));
}

// Issue 18: the report leads with the answers (the 70% target, prepayment and funds, runs side by
// side) for one year, and ends with the provenance; its per-province table's download is the rows
// of `yidi export --by province,year` for that year, value for value.
TEST_F(ReportCli, AnswersFirstProvenanceLastAndTheTableIsExports) {
  for (const char* f : {"a.h5", "b.h5", "r.h5"}) take(f);
  const Outcome o = yidi("report a.h5 b.h5 r.h5 -o report.html");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string html = slurp(work() / "report.html");
  const auto answers = html.find("<h2 id=\"answers\">Answers for 2022</h2>");  // 3 months: the last year simulated
  const auto provenance = html.find("<h2 id=\"provenance\">");
  ASSERT_NE(answers, std::string::npos);
  ASSERT_NE(provenance, std::string::npos);
  EXPECT_LT(answers, html.find("<h2>Numbers"));
  EXPECT_LT(html.find("<h2 id=\"provinces\">"), provenance);
  EXPECT_GT(provenance, html.find("Researcher: runs side by side"));
  // The national rate of the year is export's: the year's direct stays ÷ its stays.
  const Outcome e = yidi("export a.h5 --by national,year --measures cross_dsr_inpatient");
  ASSERT_EQ(e.code, 0) << e.err;
  const std::string value = e.out.substr(e.out.rfind(",cross_dsr_inpatient,") + 21);
  EXPECT_EQ(by_id(html, "a-rate-0"), percent(std::stod(value.substr(0, value.find(',')))));
  EXPECT_EQ(by_id(html, "a-met-0"), std::stod(value) >= 0.7 ? "yes" : "no");
  // The replicates' probability, an exact count.
  EXPECT_NE(html.find("P(national rate ≥ 70% in 2022) = "), std::string::npos);
  // The download: percent-encoded CSV, the same rows as export's for the table's measures.
  const std::string key = "download=\"provinces-2022.csv\" href=\"data:text/csv;charset=utf-8,%EF%BB%BF";
  const auto at = html.find(key);
  ASSERT_NE(at, std::string::npos);
  std::string csv;
  for (std::size_t i = at + key.size(); html[i] != '"'; ++i) {
    if (html[i] == '%') {
      csv += static_cast<char>(std::stoi(html.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      csv += html[i];
    }
  }
  const Outcome t = yidi("export a.h5 --by province,year --measures cross_dsr_inpatient,cross_dsr_inpatient_official,"
                         "cross_inpatient_stays,cross_fund,prepayment_quota,prepayment_peak_usage,prepayment_red_months,"
                         "prepayment_topup_requested,months_payable_employee,months_payable_resident");
  ASSERT_EQ(t.code, 0) << t.err;
  // export's region_code, region, region_en, period, measure, value and unit are the download's.
  std::istringstream rows(t.out), mine(csv);
  std::string line, got;
  std::getline(rows, line);
  std::getline(mine, got);
  EXPECT_EQ(got, "region_code,region,region_en,period,measure,value,unit");
  std::size_t n = 0;
  while (std::getline(rows, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 17u);
    ASSERT_TRUE(std::getline(mine, got));
    EXPECT_EQ(got, f[9] + "," + f[10] + "," + f[11] + "," + f[12] + "," + f[14] + "," + f[15] + "," + f[16]);
    ++n;
  }
  EXPECT_EQ(n, 32u * 10u);
  EXPECT_FALSE(std::getline(mine, got));
  // --year: a year outside the runs is refused before anything is written.
  const Outcome bad = yidi("report a.h5 -o other.html --year 2030");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "yidi: --year: field 'year': 2030 is not simulated; the runs cover 2022-01 to 2022-03\n");
  EXPECT_FALSE(fs::exists(work() / "other.html"));
}

namespace {
/// The rows of a CSV without quoted commas (yidi prepay's and export's: names have none), split
/// into fields.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text.substr(text.starts_with("\xEF\xBB\xBF") ? 3 : 0));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    out.push_back(f);
  }
  return out;
}
std::string tenths(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
}  // namespace

// Issue 18: a replicates summary in the report proposes prepayment quotas for the answers' year,
// each province's being yidi prepay's for the same scenario, seeds and year, with the replicates
// red under the scenario's own quotas and the top-ups asked; too few replicates for the chance
// asked are said; a chance outside (0, 1) is refused before anything is written.
TEST_F(ReportCli, ASummaryProposesPrepayQuotasAsPrepayDoes) {
  take("a.h5");
  take("r.h5");
  const Outcome o = yidi("report a.h5 r.h5 -o report.html --red-probability 0.5");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string html = slurp(work() / "report.html");
  const auto rows = csv_rows(slurp(runs() / "p.csv"));
  ASSERT_EQ(rows.size(), 33u);
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
  };
  const std::size_t code = col("province_code"), quota = col("proposed_quota_yuan"), peak = col("peak_outstanding_yuan"),
                    red = col("rule_red_replicates"), topup = col("rule_topup_yuan_mean");
  ASSERT_LT(topup, rows[0].size());
  double total = 0;
  int positive = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::string id = "p-" + rows[r][code] + "-";
    EXPECT_EQ(by_id(html, id + "quota"), tenths(std::stod(rows[r][quota]) / 1e8)) << rows[r][code];
    EXPECT_EQ(by_id(html, id + "peak"), tenths(std::stod(rows[r][peak]) / 1e8)) << rows[r][code];
    EXPECT_EQ(by_id(html, id + "red").rfind(rows[r][red] + "/2 (", 0), 0u) << by_id(html, id + "red");
    EXPECT_EQ(by_id(html, id + "topups").rfind(tenths(std::stod(rows[r][topup]) / 1e8) + " (", 0), 0u)
        << by_id(html, id + "topups");
    total += std::stod(rows[r][quota]);
    positive += std::stod(rows[r][quota]) > 0 ? 1 : 0;
  }
  EXPECT_GT(positive, 20);
  EXPECT_NE(html.find("Quotas keeping P(a red warning in 2022) ≤ 0.5: <b>" + tenths(total / 1e8) + " 亿元</b> in all."),
            std::string::npos);
  EXPECT_NE(html.find("<code>yidi prepay baseline --scale 1:40000 --months 3 --seed 7 --year 2022 -n 2 --red-probability 0.5</code>"),
            std::string::npos);
  EXPECT_EQ(html.find("id=\"a-prepay-few\""), std::string::npos);  // 2 replicates bound P(red) by 1/3 ≤ 0.5
  // The default chance, 0.05, needs 19 replicates: said beside the answer.
  ASSERT_EQ(yidi("report a.h5 r.h5 -o default.html").code, 0);
  const std::string few = slurp(work() / "default.html");
  EXPECT_EQ(by_id(few, "a-prepay-few"), "2 replicates bound P(red) only by 0.333, not 0.05: at least 19 replicates are needed.");
  EXPECT_EQ(by_id(few, "a-prepay"), "Quotas keeping P(a red warning in 2022) ≤ 0.333 (not 0.05: too few replicates): ");
  // A run alone has no proposal.
  ASSERT_EQ(yidi("report a.h5 -o alone.html").code, 0);
  EXPECT_EQ(slurp(work() / "alone.html").find("id=\"a-prepay\""), std::string::npos);
  const Outcome bad = yidi("report a.h5 r.h5 -o bad.html --red-probability 1");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "yidi: --red-probability: field 'red-probability': expected a probability strictly between 0 and 1\n");
  EXPECT_FALSE(fs::exists(work() / "bad.html"));
}

// Issue 17/18: a replicates summary in the report gives the funds' outlook per insured province and
// scheme: P(below 6 months payable by Y) and P(a negative year-end balance by the run's end) as
// counts of replicates, which are `yidi export --probability`'s "in this year or earlier" shares.
TEST_F(ReportCli, ASummaryGivesTheFundsOutlookAsExportsProbabilities) {
  take("a.h5");
  take("r.h5");
  ASSERT_EQ(yidi("report a.h5 r.h5 -o report.html").code, 0);
  const std::string html = slurp(work() / "report.html");
  ASSERT_NE(html.find("id=\"a-outlook\""), std::string::npos);
  int compared = 0, below_any = 0;
  for (const auto& [measure, column] : {std::pair<std::string, std::string>{"months_payable_resident < 6", "resident-below"},
                                        {"months_payable_employee < 6", "employee-below"},
                                        {"fund_balance_resident < 0", "resident-negative"},
                                        {"fund_balance_employee < 0", "employee-negative"}}) {
    const Outcome e = yidi("export r.h5 --by province,year --probability '" + measure + "'");
    ASSERT_EQ(e.code, 0) << e.err;
    const auto rows = csv_rows(e.out);
    ASSERT_GT(rows.size(), 1u);
    const auto col = [&](const std::string& name) {
      return static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
    };
    const std::size_t code = col("region_code"), what = col("measure"), value = col("value"), period = col("period");
    for (std::size_t r = 1; r < rows.size(); ++r) {
      if (rows[r][what] != "P(" + measure + " in this year or earlier)" || rows[r][period] != "2022") continue;
      const int k = static_cast<int>(std::lround(std::stod(rows[r][value]) * 2));
      const std::string got = by_id(html, "f-" + rows[r][code] + "-" + column);
      EXPECT_EQ(got.rfind(std::to_string(k) + "/2 (", 0), 0u) << measure << " " << rows[r][code] << ": " << got;
      below_any += column.ends_with("below") && k > 0 ? 1 : 0;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 4 * 32);
  EXPECT_GT(below_any, 0);  // some fund is below the floor in some replicate: the comparison is not all zeros
  // No replicate's fund went negative in 3 months: the first negative year is after the run.
  EXPECT_EQ(by_id(html, "f-110000-resident-year"), "after 2022");
}

namespace {
/// Per region code and year, the "in this year or earlier" share of `yidi export --probability`'s rows.
std::map<std::pair<std::string, std::string>, double> by_year_shares(const std::string& csv, const std::string& condition) {
  const auto rows = csv_rows(csv);
  std::map<std::pair<std::string, std::string>, double> out;
  if (rows.empty()) return out;
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
  };
  const std::size_t code = col("region_code"), what = col("measure"), value = col("value"), period = col("period");
  for (std::size_t r = 1; r < rows.size(); ++r)
    if (rows[r].size() > value && rows[r][what] == "P(" + condition + " in this year or earlier)")
      out[{rows[r][code], rows[r][period]}] = std::stod(rows[r][value]);
  return out;
}
}  // namespace

// Issue 17/18: over two years, with residents' funds that run low in some replicates: the
// outlook's counts for each year are export's "by" shares of that year (so replicate, year and
// province are not mixed up), the first negative year is the earliest year whose count reaches the
// lower median, and the proposal for the first of the two years is yidi prepay's.
TEST_F(ReportCli, TwoYearsOfFundsRunningLowAndTheFirstYearsQuotas) {
  take("a24.h5");
  take("dry.h5");
  const Outcome below = yidi("export dry.h5 --by province,year --probability 'months_payable_resident < 6'");
  const Outcome negative = yidi("export dry.h5 --by province,year --probability 'fund_balance_resident < 0'");
  ASSERT_EQ(below.code, 0) << below.err;
  ASSERT_EQ(negative.code, 0) << negative.err;
  const auto b = by_year_shares(below.out, "months_payable_resident < 6");
  const auto n = by_year_shares(negative.out, "fund_balance_resident < 0");
  ASSERT_EQ(n.size(), 64u);
  std::set<std::string> first_years;
  std::set<int> negative_counts;
  for (const std::string year : {"2022", "2023"}) {
    ASSERT_EQ(yidi("report a24.h5 dry.h5 -o " + year + ".html --year " + year).code, 0);
    const std::string html = slurp(work() / (year + ".html"));
    for (const auto& [key, share] : b) {
      if (key.second != year) continue;
      const std::string code = key.first;
      const auto count = [](double s) { return std::to_string(std::lround(s * 2)) + "/2 ("; };
      EXPECT_EQ(by_id(html, "f-" + code + "-resident-below").rfind(count(share), 0), 0u) << code << " " << year;
      // Negative by the run's last year (2023), whatever the answers' year.
      EXPECT_EQ(by_id(html, "f-" + code + "-resident-negative").rfind(count(n.at({code, "2023"})), 0), 0u) << code;
      negative_counts.insert(static_cast<int>(std::lround(n.at({code, "2023"}) * 2)));
      // The lower median of 2 replicates is the earlier: the first year with a negative replicate.
      const std::string first = n.at({code, "2022"}) > 0 ? "2022" : n.at({code, "2023"}) > 0 ? "2023" : "after 2023";
      EXPECT_EQ(by_id(html, "f-" + code + "-resident-year"), first) << code;
      first_years.insert(first);
    }
    // The fixture is not degenerate: negative in neither, one and both replicates; first in each year.
    EXPECT_EQ(negative_counts, (std::set<int>{0, 1, 2}));
    EXPECT_EQ(first_years, (std::set<std::string>{"2022", "2023", "after 2023"}));
    if (year != "2022") continue;
    // The quotas for 2022 from the two-year summary are yidi prepay --year 2022's.
    const auto rows = csv_rows(slurp(runs() / "dry.csv"));
    ASSERT_EQ(rows.size(), 33u);
    const auto col = [&](const std::string& name) {
      return static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
    };
    const std::size_t code = col("province_code"), quota = col("proposed_quota_yuan");
    ASSERT_LT(quota, rows[0].size());
    ASSERT_EQ(yidi("report a24.h5 dry.h5 -o half.html --year 2022 --red-probability 0.5").code, 0);
    const std::string half = slurp(work() / "half.html");
    for (std::size_t r = 1; r < rows.size(); ++r)
      EXPECT_EQ(by_id(half, "p-" + rows[r][code] + "-quota"), tenths(std::stod(rows[r][quota]) / 1e8)) << rows[r][code];
    EXPECT_NE(half.find("--months 24 --seed 7 --year 2022 -n 2 --red-probability 0.5</code>"), std::string::npos);
  }
}
