// The experiment layer (docs/experiments.md) on tiny runs: P² against exact quantiles, summaries
// against replicates computed by hand, common random numbers in compare, seek on problems with
// known answers, sweep resumability, prepay quotas.
#include <gtest/gtest.h>
#include <unistd.h>

#include <H5Cpp.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include "sim/engine/experiments.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/summary_sink.hpp"
#include "sim/version.hpp"

using namespace yidi;
namespace fs = std::filesystem;

namespace {
sim::Scenario tiny(const std::string& name, int months = 3) {
  sim::Scenario s = io::load_scenario(name);
  s.scale = 40000;
  s.months = months;
  return s;
}
const sim::World& world() {
  static const sim::World w = sim::embedded_world();
  return w;
}
/// The executor of the experiments: `concurrent` runs at once on `threads` threads (0: defaults).
sim::RunExecutor exec(int concurrent = 0, int threads = 0) {
  return sim::RunExecutor(world(), io::scenario_policy, {threads, concurrent});
}
sim::Results run(const sim::Scenario& s) { return sim::run_scenario(s, io::scenario_policy(s), world()); }
void write_summary_file(const fs::path& path, const sim::Summary& sum, const sim::Attributes& attributes) {
  io::OutputFile out(path.string(), "summary", io::OutputKind::hdf5, false);
  io::Hdf5SummarySink sink(out);
  sim::write_summary(sink, sum, attributes);
}
std::vector<sim::SweepPoint> run_sweep(const sim::Scenario& s, const std::vector<sim::GridAxis>& grid, int n,
                                       const fs::path& dir, const sim::Attributes& prov, bool overwrite = false) {
  io::Hdf5SweepStore store(dir.string(), overwrite, {});
  return sim::sweep(s, grid, n, store, prov, exec());
}
double month_sum(const std::vector<double>& v, std::size_t months, std::size_t m) {
  const std::size_t slice = v.size() / months;
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(m * slice),
                         v.begin() + static_cast<std::ptrdiff_t>((m + 1) * slice), 0.0);
}
fs::path scratch(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("yidi-exp-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}
}  // namespace

TEST(P2Quantile, ExactWithFiveOrFewerObservations) {
  sim::P2Quantile med(0.5), p5(0.05), p95(0.95);
  for (double x : {3.0, 1.0, 2.0}) {
    med.add(x);
    p5.add(x);
    p95.add(x);
  }
  EXPECT_DOUBLE_EQ(med.value(), 2.0);
  EXPECT_DOUBLE_EQ(p5.value(), 1.1);  // type 7: 1 + 0.1 × (2 − 1)
  EXPECT_DOUBLE_EQ(p95.value(), 2.9);
  EXPECT_TRUE(std::isnan(sim::P2Quantile(0.5).value()));
}

TEST(P2Quantile, CloseToExactOnAShuffledRange) {
  std::vector<double> xs(1000);
  std::iota(xs.begin(), xs.end(), 1.0);
  std::mt19937 gen(7);
  std::shuffle(xs.begin(), xs.end(), gen);
  for (double p : {0.05, 0.5, 0.95}) {
    sim::P2Quantile q(p);
    for (double x : xs) q.add(x);
    // P² is coarser in the tails: within one percentile of the range.
    EXPECT_NEAR(q.value(), sim::exact_quantile(xs, p), 10.0) << p;
  }
  sim::P2Quantile med(0.5);
  for (double x : xs) med.add(x);
  EXPECT_NEAR(med.value(), 500.5, 5.005);
  EXPECT_EQ(med.count(), 1000u);
}

TEST(P2Quantile, SkewedDataAndConstants) {
  std::mt19937_64 gen(11);
  std::lognormal_distribution<double> d(0.0, 1.0);
  std::vector<double> xs(5000);
  for (auto& x : xs) x = d(gen);
  sim::P2Quantile q(0.95);
  for (double x : xs) q.add(x);
  EXPECT_NEAR(q.value(), sim::exact_quantile(xs, 0.95), 0.05 * sim::exact_quantile(xs, 0.95));
  sim::P2Quantile c(0.05);
  for (int i = 0; i < 100; ++i) c.add(42.0);
  EXPECT_DOUBLE_EQ(c.value(), 42.0);
}

TEST(Summary, UndefinedRatiosAreNotObservations) {
  sim::Results a, b;
  a.begin_month(2022 * 12);
  b.begin_month(2022 * 12);
  a.floats("offsite/dsr_inpatient")[0] = std::nan("");
  b.floats("offsite/dsr_inpatient")[0] = 0.5;
  a.floats("offsite/dsr_inpatient")[1] = std::nan("");
  b.floats("offsite/dsr_inpatient")[1] = std::nan("");
  sim::SummaryAccumulator acc;
  acc.add(a, 1);
  acc.add(b, 2);
  const sim::Summary s = acc.summary();
  EXPECT_EQ(s.mean.at("offsite/dsr_inpatient")[0], 0.5);
  EXPECT_TRUE(std::isnan(s.mean.at("offsite/dsr_inpatient")[1]));
  EXPECT_EQ(s.quantiles.at("offsite/dsr_inpatient")[32 + 0], 0.5);  // P50 of element 0
  sim::SummaryAccumulator diff;
  diff.add_difference(a, a);
  diff.add_difference(a, b);
  const sim::Summary d = diff.summary();
  EXPECT_EQ(d.mean.at("offsite/dsr_inpatient")[0], 0.0);  // NaN − NaN counts as 0; NaN − 0.5 is undefined
  EXPECT_EQ(d.mean.at("offsite/dsr_inpatient")[1], 0.0);
}

// With 3 replicates the summary is exact: mean and median equal those of the runs made by hand.
TEST(Experiments, ReplicatesSummariseTheSeedsInOrder) {
  const sim::Scenario s = tiny("baseline");
  const sim::Summary sum = sim::replicates(s, 3, exec());
  ASSERT_EQ(sum.replicates, 3u);
  ASSERT_EQ(sum.months, 3u);
  EXPECT_EQ(sum.month_index, (std::vector<std::int64_t>{s.start_month, s.start_month + 1, s.start_month + 2}));
  std::vector<sim::Results> runs;
  for (int r = 0; r < 3; ++r) {
    sim::Scenario sr = s;
    sr.seed = s.seed + static_cast<std::uint64_t>(r);
    runs.push_back(run(sr));
  }
  EXPECT_FALSE(runs[0] == runs[1]);  // different seeds, different runs
  const auto& mean = sum.mean.at("offsite/fund");
  const auto& q = sum.quantiles.at("offsite/fund");
  ASSERT_EQ(q.size(), 3 * mean.size());
  ASSERT_EQ(mean.size(), runs[0].data("offsite/fund").i.size());
  for (std::size_t i = 0; i < mean.size(); ++i) {
    std::vector<double> xs;
    for (const auto& r : runs) xs.push_back(static_cast<double>(r.data("offsite/fund").i[i]));
    EXPECT_DOUBLE_EQ(mean[i], (xs[0] + xs[1] + xs[2]) / 3) << i;
    std::sort(xs.begin(), xs.end());
    EXPECT_DOUBLE_EQ(q[mean.size() + i], xs[1]) << i;
    EXPECT_LE(q[i], q[mean.size() + i]);
    EXPECT_LE(q[mean.size() + i], q[2 * mean.size() + i]);
  }
  // Every monthly dataset but `months` is summarised, float datasets too.
  EXPECT_EQ(sum.mean.size(), sim::summary_datasets().size());
  EXPECT_GT(sum.mean.at("offsite/dsr_inpatient_national")[0], 0.0);

  // The summary file: quantiles with a leading quantile dimension, labels, provenance.
  const fs::path dir = scratch("summary");
  sim::Attributes prov;
  prov.text["experiment"] = "test";
  prov.numbers["replicates"] = 3;
  write_summary_file(dir / "s.h5", sum, prov);
  const auto d = io::read_dataset_hdf5((dir / "s.h5").string(), "quantiles/offsite/fund");
  EXPECT_EQ(d.shape, (std::vector<std::size_t>{3, 3, 32, 3, 4, 2}));
  EXPECT_EQ(d.f, q);
  EXPECT_EQ(io::read_dataset_hdf5((dir / "s.h5").string(), "mean/offsite/fund").f, mean);
  EXPECT_EQ(io::read_dataset_hdf5((dir / "s.h5").string(), "months").i, sum.month_index);
  EXPECT_EQ(io::read_dataset_hdf5((dir / "s.h5").string(), "population/insured").i, runs[0].data("population/insured").i);
  {
    H5::H5File f((dir / "s.h5").string(), H5F_ACC_RDONLY);
    H5::DataSet ds = f.openDataSet("labels/quantile");
    const H5::StrType type = ds.getStrType();
    std::string buf(type.getSize() * 3, '\0');
    ds.read(buf.data(), type);
    EXPECT_EQ(buf.substr(0, 2), "P5");
    EXPECT_EQ(buf.substr(type.getSize(), 3), "P50");
    EXPECT_EQ(buf.substr(2 * type.getSize(), 3), "P95");
  }
  EXPECT_EQ(io::read_number_attribute_hdf5((dir / "s.h5").string(), "replicates"), 3);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
  fs::remove_all(dir);
}

TEST(Experiments, CompareWithItselfGivesExactlyZero) {
  const sim::Scenario s = tiny("baseline");
  const sim::Comparison c = sim::compare({s, s}, 3, exec());
  ASSERT_EQ(c.names, (std::vector<std::string>{"baseline", "baseline-2"}));
  ASSERT_EQ(c.differences.size(), 1u);
  for (const auto& [name, v] : c.scenarios[0].mean) {  // the same numbers, NaN where undefined
    const auto& w = c.scenarios[1].mean.at(name);
    ASSERT_EQ(v.size(), w.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      ASSERT_TRUE(v[i] == w[i] || (std::isnan(v[i]) && std::isnan(w[i]))) << name << " " << i;
  }
  for (const auto& [name, v] : c.differences[0].mean)
    for (double x : v) ASSERT_EQ(x, 0.0) << name;
  for (const auto& [name, v] : c.differences[0].quantiles)
    for (double x : v) ASSERT_EQ(x, 0.0) << name;
}

// No reduction pays more: the funds' off-site payments rise once the first month's stays settle.
TEST(Experiments, CompareNoReductionPaysMore) {
  const sim::Comparison c = sim::compare({tiny("baseline"), tiny("no-reduction")}, 3, exec());
  ASSERT_EQ(c.names, (std::vector<std::string>{"baseline", "no-reduction"}));
  const auto& diff = c.differences[0];
  for (std::size_t m = 1; m < diff.months; ++m) {
    EXPECT_GT(month_sum(diff.mean.at("offsite/fund"), diff.months, m), 0.0) << m;
    EXPECT_GT(month_sum(c.scenarios[1].mean.at("offsite/fund"), diff.months, m),
              month_sum(c.scenarios[0].mean.at("offsite/fund"), diff.months, m));
  }
}

TEST(Experiments, CompareRefusesDifferentPeriods) {
  EXPECT_THROW(sim::compare({tiny("baseline", 3), tiny("baseline", 4)}, 1, exec()), sim::ExperimentError);
}

TEST(Experiments, WithParamSetsNumbersAndSeriesFromTheStart) {
  const sim::Scenario s = tiny("baseline");
  const sim::Scenario a = sim::with_param(s, "mobility.trip_days", 12, "test");
  EXPECT_EQ(a.params.trip_days, 12);
  const sim::Scenario b = sim::with_param(s, "levers.networked_inpatient", 0.5, "test");
  EXPECT_EQ(b.params.networked_inpatient.at(s.start_month), 0.5);
  EXPECT_EQ(b.params.networked_inpatient.at(s.start_month + 40), 0.5);
  EXPECT_EQ(b.params.networked_inpatient.at(s.start_month - 60), s.params.networked_inpatient.at(s.start_month - 60));
  try {
    (void)sim::with_param(s, "levers.networked_inpatient", 2, "--range");
    FAIL();
  } catch (const sim::ExperimentError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--range: field 'levers.networked_inpatient': value 2 is out of range; expected a number from 0 to 1");
  }
  EXPECT_THROW((void)sim::with_param(s, "no.such", 1, "--grid"), sim::ExperimentError);
}

sim::ParamOverride networked() { return {"levers.networked_inpatient", 0, -1, {}}; }

TEST(Experiments, TargetsParseAndLocateTheirMonth) {
  const sim::Target t = sim::parse_target("dsr_inpatient_national >= 0.7 by 2022-03");
  EXPECT_EQ(t.threshold, 0.7);
  EXPECT_EQ(t.first_month, 2022 * 12 + 2);
  EXPECT_EQ(t.last_month, 2022 * 12 + 2);
  EXPECT_EQ(t.measure, "cross_dsr_inpatient");  // the earlier name of the national rate
  EXPECT_EQ(t.text(), "cross_dsr_inpatient >= 0.7 in 2022-03");
  EXPECT_THROW(sim::parse_target("dsr >= 0.7 by 2022-03"), sim::ExperimentError);
  EXPECT_THROW(sim::parse_target("dsr_inpatient_national => 0.7 by 2022-03"), sim::ExperimentError);
  EXPECT_THROW(sim::parse_target("dsr_inpatient_national >= 0.7 by 2022-13"), sim::ExperimentError);
  // A province's own rate: the index of its code in the province dimension (outputs/SCHEMA.md).
  const sim::Target tibet = sim::parse_target("dsr_inpatient[540000] >= 0.7 by 2025-12");
  EXPECT_EQ(tibet.level, sim::ExportLevel::province);
  EXPECT_EQ(tibet.code, "540000");
  EXPECT_EQ(tibet.first_month, 2025 * 12 + 11);
  EXPECT_EQ(sim::parse_target("dsr_inpatient_national >= 0.7 by 2022-03").level, sim::ExportLevel::national);
  try {
    (void)sim::parse_target("dsr_inpatient[999999] >= 0.7 by 2025-12");
    ADD_FAILURE() << "an unknown province must be refused";
  } catch (const sim::ExperimentError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--target: field 'target': no province '999999'; expected a code (440000), a Chinese name (广东, 广东省) "
              "or an English name (Guangdong) (yidi schema lists the codes)");
  }
  // Issue 18: a province by its Chinese or English name, the target then naming its code; a near
  // miss gets the closest names.
  const std::vector<sim::NamedRegion> names{{"510000", "四川省", "Sichuan"}, {"540000", "西藏自治区", "Xizang"}};
  for (const char* given : {"四川", "四川省", "sichuan", "510000"}) {
    const sim::Target named = sim::parse_target("dsr_inpatient[" + std::string(given) + "] >= 0.7 by 2025-12", names);
    EXPECT_EQ(named.code, "510000") << given;
    EXPECT_EQ(named.text(), "cross_dsr_inpatient[510000] >= 0.7 in 2025-12") << given;
  }
  try {
    (void)sim::parse_target("dsr_inpatient[Sichuang] >= 0.7 by 2025-12", names);
    ADD_FAILURE() << "an unknown name must be refused";
  } catch (const sim::ExperimentError& e) {
    EXPECT_NE(std::string(e.what()).find("no province 'Sichuang' (did you mean 'Sichuan'?)"), std::string::npos) << e.what();
  }
  const sim::Wilson w = sim::wilson95(3, 3);
  EXPECT_NEAR(w.low, 0.4385, 1e-4);
  EXPECT_EQ(w.high, 1.0);
  const sim::Wilson h = sim::wilson95(5, 10);
  EXPECT_NEAR(h.low, 0.2366, 1e-4);
  EXPECT_NEAR(h.high, 0.7634, 1e-4);
  // The ends are exact: none met gives a low end of 0, not a rounding residue such as 5.6e-17.
  EXPECT_EQ(sim::wilson95(0, 3).low, 0.0);
  EXPECT_EQ(sim::wilson95(3, 3).high, 1.0);
}

TEST(Experiments, SeekKnownAnswers) {
  const sim::Scenario s = tiny("baseline", 2);
  // Always met: the answer is the low end, found with one evaluation.
  const auto easy = sim::seek(s, networked(), 0.3, 0.9,
                              sim::parse_target("dsr_inpatient_national >= 0 by 2022-02"), 0.8, 3, 0.05, exec());
  EXPECT_TRUE(easy.found);
  EXPECT_EQ(easy.answer, 0.3);
  EXPECT_EQ(easy.successes, 3);
  EXPECT_EQ(easy.evaluations.size(), 1u);
  // Never met (a rate above 1): not found, bracket = the range.
  const auto never = sim::seek(s, networked(), 0.3, 0.9,
                               sim::parse_target("dsr_inpatient_national >= 1.01 by 2022-02"), 0.8, 3, 0.05, exec());
  EXPECT_FALSE(never.found);
  EXPECT_EQ(never.successes, 0);
  EXPECT_EQ(never.low, 0.3);
  EXPECT_EQ(never.high, 0.9);
  // A month outside the run is an input error.
  EXPECT_THROW(sim::seek(s, networked(), 0.3, 0.9,
                         sim::parse_target("dsr_inpatient_national >= 0 by 2030-01"), 0.8, 3, 0.05, exec()),
               sim::ExperimentError);
}

// Bisection between: the national rate rises with networking, so a threshold between the rates
// at the two ends is reached inside the range, within the tolerance.
TEST(Experiments, SeekBisectsToTheTolerance) {
  const sim::Scenario s = tiny("baseline", 1);
  auto rate = [&](double v) {
    return run(sim::with_param(s, "levers.networked_inpatient", v, "t"))
        .data("offsite/dsr_inpatient_national")
        .f[0];
  };
  const double lo = rate(0.2), hi = rate(1.0);
  ASSERT_LT(lo, hi);
  const double mid = (lo + hi) / 2;
  sim::Target target = sim::parse_target("cross_dsr_inpatient >= 0 in 2022-01");
  target.threshold = mid;
  const auto r = sim::seek(s, networked(), 0.2, 1.0, target, 1.0, 1, 0.1, exec());
  ASSERT_TRUE(r.found);
  EXPECT_GT(r.answer, 0.2);
  EXPECT_LE(r.answer, 1.0);
  EXPECT_LE(r.high - r.low, 0.1);
  EXPECT_EQ(r.answer, r.high);
  EXPECT_GE(rate(r.answer), mid);
  EXPECT_LT(rate(r.low), mid);
}

// The same for the rate of one insured province (Henan, 410000, with many insured living
// off-site), on a sample large enough to give it off-site stays in one month.
TEST(Experiments, SeekBisectsOnAProvinceRate) {
  sim::Scenario s = tiny("baseline", 1);
  s.scale = 4000;
  const sim::Target target = sim::parse_target("dsr_inpatient[410000] >= 0 by 2022-01");
  const auto labels = sim::dim_labels(sim::Dim::province);
  const auto henan = static_cast<std::size_t>(std::find(labels.begin(), labels.end(), "410000") - labels.begin());
  ASSERT_LT(henan, labels.size());
  auto rate = [&](double v) {
    return run(sim::with_param(s, "levers.networked_inpatient", v, "t"))
        .data("offsite/dsr_inpatient")
        .f[henan];
  };
  const double lo = rate(0.2), hi = rate(1.0);
  ASSERT_LT(lo, hi);
  sim::Target mid = target;
  mid.threshold = (lo + hi) / 2;
  const auto r = sim::seek(s, networked(), 0.2, 1.0, mid, 1.0, 1, 0.1, exec());
  ASSERT_TRUE(r.found);
  EXPECT_LE(r.high - r.low, 0.1);
  EXPECT_GE(rate(r.answer), mid.threshold);
  EXPECT_LT(rate(r.low), mid.threshold);
}

// Issue 18: a lever from a month keeps its path before it, to the value; set for regions, it is
// their own series (a pool's over its province's) and the national one stays.
TEST(Experiments, ALeverFromAMonthAndForRegions) {
  const sim::Scenario s = tiny("baseline", 12);  // 2022-01 …; levers.trip_filing: 2021 0.22, 2022 0.36, 2023 0.5
  const int from = 2022 * 12 + 6;
  const sim::Scenario n = sim::with_param(s, sim::ParamOverride{"levers.trip_filing", 0.9, from, {}}, "t");
  for (int m = s.start_month - 13; m < from; ++m) EXPECT_DOUBLE_EQ(n.params.trip_filing.at(m), s.params.trip_filing.at(m)) << m;
  EXPECT_DOUBLE_EQ(n.params.trip_filing.at(2022 * 12 + 5), 0.36 + (0.5 - 0.36) * 5 / 12);  // May 2022 on the base's line
  for (int m = from; m < from + 40; ++m) EXPECT_EQ(n.params.trip_filing.at(m), 0.9) << m;
  // From the start it is the flat override of before (the earlier points kept).
  EXPECT_EQ(io::resolved_yaml(sim::with_param(s, sim::ParamOverride{"levers.trip_filing", 0.9, s.start_month, {}}, "t")),
            io::resolved_yaml(sim::with_param(s, "levers.trip_filing", 0.9, "t")));
  // For Sichuan and Chengdu: their own series; the national one and other regions' unchanged.
  const sim::Scenario r = sim::with_param(s, sim::ParamOverride{"levers.trip_filing", 0.9, from, {510000, 510100}}, "t");
  EXPECT_EQ(r.params.trip_filing.points, s.params.trip_filing.points);
  const auto at = [&](std::uint32_t code, int m) {
    return sim::regional_series(r.params, "levers.trip_filing", r.params.trip_filing, code, code / 10000 * 10000).at(m);
  };
  EXPECT_EQ(at(510100, from), 0.9);
  EXPECT_EQ(at(510700, from), 0.9);  // Mianyang: its province's
  EXPECT_DOUBLE_EQ(at(510700, from - 1), s.params.trip_filing.at(from - 1));
  EXPECT_DOUBLE_EQ(at(440100, from), s.params.trip_filing.at(from));
  // A province covers its pools with series of their own (each from its own path before the month).
  sim::Scenario own = s;
  own.params.by_region["levers.trip_filing"][510700] = sim::Series::flat(0.1);
  own.params.by_region["levers.trip_filing"][440100] = sim::Series::flat(0.2);
  const sim::Scenario both = sim::with_param(own, sim::ParamOverride{"levers.trip_filing", 0.9, from, {510000}}, "t");
  const auto& by = both.params.by_region.at("levers.trip_filing");
  EXPECT_EQ(by.at(510700).at(from), 0.9);
  EXPECT_EQ(by.at(510700).at(from - 1), 0.1);
  EXPECT_EQ(by.at(440100).at(from), 0.2);  // another province's pool: untouched
  EXPECT_EQ(by.size(), 3u);
  // A run with the regional lever from a month: the months before it are the base run's, to the bit.
  const sim::Scenario short_run = tiny("baseline", 3);
  const sim::Results b = run(short_run);
  const sim::Results c = run(sim::with_param(short_run, sim::ParamOverride{"levers.trip_filing", 1.0, 2022 * 12 + 2, {510000}}, "t"));
  const auto& bv = b.data("offsite/visits").i;
  const auto& cv = c.data("offsite/visits").i;
  ASSERT_EQ(bv.size(), cv.size());
  const std::size_t per_month = bv.size() / 3;
  EXPECT_TRUE(std::equal(bv.begin(), bv.begin() + static_cast<std::ptrdiff_t>(2 * per_month), cv.begin()));
}

// Issue 18: seek on a quarter's sum of a province's direct settlements, the lever for that
// province only from the quarter's second month; the answer meets the target, the bracket's low
// end does not.
TEST(Experiments, SeekOnAProvincesQuarterWithARegionalLever) {
  sim::Scenario s = tiny("baseline", 3);
  s.scale = 10000;
  sim::Target t = sim::parse_target("cross_inpatient_direct[410000] >= 0 in 2022Q1");
  const sim::ParamOverride lever{"levers.trip_filing", 0, 2022 * 12 + 1, {410000}};
  auto value = [&](double v) {
    sim::ParamOverride o = lever;
    o.value = v;
    return *sim::target_value(run(sim::with_param(s, o, "t")), t);
  };
  const double lo = value(0.0), hi = value(1.0);
  ASSERT_LT(lo, hi);
  t.threshold = (lo + hi) / 2;
  const auto r = sim::seek(s, lever, 0.0, 1.0, t, 1.0, 1, 0.1, exec());
  ASSERT_TRUE(r.found);
  EXPECT_LE(r.high - r.low, 0.1);
  EXPECT_GE(value(r.answer), t.threshold);
  EXPECT_LT(value(r.low), t.threshold);
  // The value is the export's: the quarter's sum of the months.
  sim::ExportOptions o;
  o.level = sim::ExportLevel::province;
  o.period = sim::ExportPeriod::month;
  o.measures = {"cross_inpatient_direct"};
  const sim::Results base = run(s);
  const sim::ExportTable months = sim::export_table(base, o);
  double sum = 0;
  for (const auto& row : months.rows)
    if (months.codes[row.unit] == "410000") sum += static_cast<double>(row.value.i);
  EXPECT_EQ(*sim::target_value(base, t), sum);
}

TEST(Experiments, SweepResumesOnlyMissingPoints) {
  const sim::Scenario s = tiny("baseline", 2);
  const fs::path dir = scratch("sweep");
  sim::Attributes prov;
  prov.text["scenario_sha256"] = io::sha256_hex(io::resolved_yaml(s));
  const std::vector<sim::GridAxis> grid{{"mobility.trip_days", {6, 10}, -1, {}}, {"levers.credential", {0.9}, -1, {}}};
  const auto first = run_sweep(s, grid, 2, dir, prov);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(first[0].computed && first[1].computed);
  EXPECT_EQ(first[1].values, (std::vector<double>{10, 0.9}));
  EXPECT_EQ(io::read_text_attribute_hdf5((dir / "point-0001.h5").string(), "grid.mobility.trip_days"), "10");
  const auto t0 = fs::last_write_time(dir / "point-0000.h5");
  const std::string bytes1 = [&] {
    std::ifstream in(dir / "point-0001.h5", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  fs::remove(dir / "point-0001.h5");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto second = run_sweep(s, grid, 2, dir, prov);
  EXPECT_FALSE(second[0].computed);
  EXPECT_TRUE(second[1].computed);
  EXPECT_EQ(fs::last_write_time(dir / "point-0000.h5"), t0);
  std::ifstream in(dir / "point-0001.h5", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes1);  // recomputed to the same bytes
  std::ifstream idx(dir / "index.csv");
  const std::string index((std::istreambuf_iterator<char>(idx)), {});
  EXPECT_EQ(index, std::string("# yidi ") + kVersion + " sweep index (docs/experiments.md)\n"
                   "point,mobility.trip_days,levers.credential,file\n0,6,0.9,point-0000.h5\n"
                   "1,10,0.9,point-0001.h5\n");
  // A different number of replicates makes the old files another sweep's: replaced only when asked.
  EXPECT_THROW(run_sweep(s, grid, 1, dir, prov), io::InputError);
  const auto third = run_sweep(s, grid, 1, dir, prov, true);
  EXPECT_TRUE(third[0].computed && third[1].computed);
  fs::remove_all(dir);
}

// Issue 18: a sweep's levers from a month and for some regions, as seek's: each point is the
// replicates summary of the scenario with the lever set so (the same bytes as a summary of
// with_param's scenario), its file says the month and the regions, and a sweep resumed without
// them does not take the point for its own.
TEST(Experiments, SweepLeversFromAMonthForRegions) {
  const sim::Scenario s = tiny("baseline", 3);
  const fs::path dir = scratch("sweep-regions");
  sim::Attributes prov;
  prov.text["scenario_sha256"] = io::sha256_hex(io::resolved_yaml(s));
  const int feb = 2022 * 12 + 1;
  const std::vector<sim::GridAxis> grid{{"levers.trip_filing", {0.0, 1.0}, feb, {510000, 510100}}};
  const auto points = run_sweep(s, grid, 2, dir, prov);
  ASSERT_EQ(points.size(), 2u);
  const std::string file = (dir / "point-0001.h5").string();
  EXPECT_EQ(io::read_text_attribute_hdf5(file, "grid.levers.trip_filing"), "1");
  EXPECT_EQ(io::read_text_attribute_hdf5(file, "grid.levers.trip_filing.from"), "2022-02");
  EXPECT_EQ(io::read_text_attribute_hdf5(file, "grid.levers.trip_filing.regions"), "510000 510100");
  const sim::Scenario set = sim::with_param(s, sim::ParamOverride{"levers.trip_filing", 1.0, feb, {510000, 510100}}, "test");
  EXPECT_EQ(set.params.by_region.at("levers.trip_filing").at(510000).at(feb), 1.0);
  EXPECT_EQ(set.params.by_region.at("levers.trip_filing").at(510000).at(feb - 1), s.params.trip_filing.at(feb - 1));
  // The point's numbers are those of the summary of the scenario set by hand.
  const sim::Summary direct = sim::replicates(set, 2, exec());
  const fs::path by_hand = dir / "by-hand.h5";
  write_summary_file(by_hand, direct, {});
  for (const char* d : {"quantiles/offsite/visits", "mean/offsite/fund", "replicates/offsite/dsr_inpatient"}) {
    const auto a = io::read_dataset_hdf5(file, d), b = io::read_dataset_hdf5(by_hand.string(), d);
    ASSERT_EQ(a.f.size(), b.f.size()) << d;
    ASSERT_FALSE(a.f.empty() && a.i.empty()) << d;
    for (std::size_t k = 0; k < a.f.size(); ++k)
      EXPECT_TRUE(a.f[k] == b.f[k] || (std::isnan(a.f[k]) && std::isnan(b.f[k]))) << d << " at " << k;  // NaN: undefined in both
    EXPECT_EQ(a.i, b.i) << d;
  }
  // Trip filing set to 1 from February for Sichuan changes its insured's outcomes; at 0 as well.
  const auto zero = io::read_dataset_hdf5((dir / "point-0000.h5").string(), "mean/offsite/fund");
  EXPECT_NE(zero.f, io::read_dataset_hdf5(file, "mean/offsite/fund").f);
  std::ifstream idx(dir / "index.csv");
  const std::string index((std::istreambuf_iterator<char>(idx)), {});
  EXPECT_EQ(index, std::string("# yidi ") + kVersion +
                       " sweep index (docs/experiments.md); levers.trip_filing from 2022-02; levers.trip_filing for "
                       "510000 510100\npoint,levers.trip_filing,file\n0,0,point-0000.h5\n1,1,point-0001.h5\n");
  // The same values nationally from the start are other points: refused without --overwrite.
  const std::vector<sim::GridAxis> national{{"levers.trip_filing", {0.0, 1.0}, -1, {}}};
  EXPECT_THROW(run_sweep(s, national, 2, dir, prov), io::InputError);
  // A start month for a number and regions for a lever not regional are refused, naming the option.
  try {
    (void)run_sweep(s, {{"mobility.trip_days", {6}, feb, {}}}, 1, dir, prov);
    ADD_FAILURE() << "a start month for a number was accepted";
  } catch (const sim::ExperimentError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--from: field 'mobility.trip_days': is a number", 0), 0u) << e.what();
  }
  try {
    (void)run_sweep(s, {{"levers.trip_filing", {0.5}, 2023 * 12, {}}}, 1, dir, prov);
    ADD_FAILURE() << "a month after the run was accepted";
  } catch (const sim::ExperimentError& e) {
    EXPECT_NE(std::string(e.what()).find("the month 2023-01 is outside the run, 2022-01 to 2022-03"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

// Issue 17: the proposal for a year is the smallest quota whose usage at a prediction bound of the
// year's peak outstanding stays below red (90%): the ⌈(1 − α)(n + 1)⌉-th smallest peak, which a new
// replicate exceeds with probability (n + 1 − k) ÷ (n + 1). Since what is outstanding does not
// depend on the quota, the same seeds run with the proposal set by hand (clearing.quotas) are red
// only in the replicates whose peak was above that bound.
TEST(Experiments, PrepayQuotaCoversThePeakQuantile) {
  const sim::Scenario s = tiny("baseline", 4);
  sim::PrepayOptions o;
  o.alpha = 0.25;
  o.n = 4;
  const sim::PrepayResult r = sim::prepay(s, o, exec());
  EXPECT_EQ(r.year, 2022);  // 4 months of 2022: no full year, so the last one
  ASSERT_EQ(r.rows.size(), 32u);
  int positive = 0;
  for (const auto& row : r.rows) {
    if (row.peak_quantile.fen() > 0) {
      EXPECT_GT(row.proposed_quota.fen() * 9000, row.peak_quantile.fen() * 10000) << row.province;  // below 90%
      EXPECT_LE((row.proposed_quota.fen() - 1) * 9000, row.peak_quantile.fen() * 10000) << row.province;  // the smallest
      ++positive;
    }
    EXPECT_GE(row.rule_quota.fen(), 0);
    EXPECT_GE(row.rule_2x_gross.fen(), 0);
    EXPECT_LE(row.red_replicates, 4);
    EXPECT_LE(row.topups.p5, row.topups.mean);
    EXPECT_LE(row.topups.mean, row.topups.p95);
    EXPECT_LE(row.topups.p95, 4);  // months with a top-up, of 4
    EXPECT_GE(row.noisy_share, 0);
    EXPECT_LE(row.noisy_share, 1);
  }
  EXPECT_GT(positive, 20);
  EXPECT_EQ(r.rows[0].province, "110000");
  // α = 0.25, n = 4: k = ⌈0.75 × 5⌉ = 4, the largest peak, exceeded with probability 1/5; the same
  // seeds with the proposal are never red. With n = 2 the bound is the larger of two, 1/3 > α.
  for (const auto& row : r.rows) EXPECT_DOUBLE_EQ(row.exceedance, 0.2);
  sim::Scenario with = s;
  for (const auto& row : r.rows)
    with.clearing.quotas[*RegionCode::parse(row.province)] = {QuotaSetting{*Date::parse("2022-01-01"), row.proposed_quota}};
  const sim::PrepayResult again = sim::prepay(with, o, exec());
  int reds = 0;
  for (const auto& row : again.rows) {
    EXPECT_EQ(row.red_replicates, 0) << row.province;
    reds += row.red_replicates;
  }
  int rule_reds = 0;
  for (const auto& row : r.rows) rule_reds += row.red_replicates;
  EXPECT_GT(rule_reds, 0);  // the first year's rule quota (January's flows × 2) is red in some
  EXPECT_EQ(reds, 0);
  sim::PrepayOptions two = o;
  two.n = 2;
  EXPECT_NEAR(sim::prepay(s, two, exec()).rows[0].exceedance, 1.0 / 3.0, 1e-12);
  // The backtest runs the proposal on seeds seed+4 … seed+7 and gives each province its interval.
  o.backtest = true;
  const sim::PrepayResult b = sim::prepay(s, o, exec());
  for (std::size_t p = 0; p < 32; ++p) {
    EXPECT_EQ(b.rows[p].proposed_quota, r.rows[p].proposed_quota);
    EXPECT_LE(b.rows[p].backtest_red, 4);
    EXPECT_DOUBLE_EQ(b.rows[p].backtest_interval.low, sim::wilson95(b.rows[p].backtest_red, 4).low);
  }
  // The overlay sets the proposal from the year's 1 January and reads back as a scenario.
  const sim::Scenario overlay = io::parse_scenario(sim::prepay_overlay(s, r, "baseline"), "proposal.yaml");
  EXPECT_EQ(overlay.name, "baseline-quotas-2022");
  EXPECT_EQ(overlay.scale, s.scale);
  EXPECT_EQ(overlay.months, s.months);
  EXPECT_EQ(overlay.clearing.quotas.at(RegionCode::of(110000)).at(0).quota, r.rows[0].proposed_quota);
  EXPECT_EQ(overlay.clearing.quotas.at(RegionCode::of(110000)).at(0).from, *Date::parse("2022-01-01"));
  o.alpha = 1.5;
  EXPECT_THROW(sim::prepay(s, o, exec()), sim::ExperimentError);
  o.alpha = 0.05;
  o.year = 2023;
  try {
    (void)sim::prepay(s, o, exec());
    FAIL() << "a year outside the run was accepted";
  } catch (const sim::ExperimentError& e) {
    EXPECT_NE(std::string(e.what()).find("expected a year the scenario simulates, 2022, got 2023"), std::string::npos) << e.what();
  }
}

// The proposal's rule on worked numbers (sim::propose_quota, shared by yidi prepay and yidi report):
// peaks 300, 100, 200 fen; α = 0.5: k = ⌈0.5 × 4⌉ = 2, the second smallest, 200 fen; at red 90%
// the smallest quota with ⌊200 × 10000 ÷ quota⌋ < 9000 is 223 (8968 bp; 222 gives 9009 bp).
TEST(Experiments, ProposeQuotaWorkedCases) {
  const sim::QuotaProposal half = sim::propose_quota({300, 100, 200}, 0.5, 9000);
  EXPECT_EQ(half.peak_quantile.fen(), 200);
  EXPECT_EQ(half.quota.fen(), 223);
  EXPECT_LT(200 * 10000 / 223, 9000);
  EXPECT_GE(200 * 10000 / 222, 9000);
  EXPECT_DOUBLE_EQ(half.exceedance, 0.5);
  // α = 0.05 wants k = ⌈0.95 × 4⌉ = 4 > n: the largest, 300 fen, exceeded with probability 1/4.
  const sim::QuotaProposal few = sim::propose_quota({300, 100, 200}, 0.05, 9000);
  EXPECT_EQ(few.peak_quantile.fen(), 300);
  EXPECT_EQ(few.quota.fen(), 300 * 10000 / 9000 + 1);
  EXPECT_DOUBLE_EQ(few.exceedance, 0.25);
  // 19 replicates are the fewest for α = 0.05: k = ⌈0.95 × 20⌉ = 19, exceeded with probability 1/20.
  std::vector<std::int64_t> nineteen(19);
  for (std::size_t i = 0; i < nineteen.size(); ++i) nineteen[i] = static_cast<std::int64_t>(1000 * (19 - i));
  EXPECT_EQ(sim::propose_quota(nineteen, 0.05, 9000).peak_quantile.fen(), 19000);
  EXPECT_DOUBLE_EQ(sim::propose_quota(nineteen, 0.05, 9000).exceedance, 0.05);
  // No outstanding: no quota. A quota beyond int64 fen is an error, not a wrapped number.
  EXPECT_TRUE(sim::propose_quota({0, 0}, 0.5, 9000).quota.is_zero());
  EXPECT_THROW((void)sim::propose_quota({std::numeric_limits<std::int64_t>::max() / 2}, 0.5, 1), std::overflow_error);
  EXPECT_THROW((void)sim::propose_quota({}, 0.5, 9000), std::invalid_argument);
  EXPECT_THROW((void)sim::propose_quota({1}, 1.0, 9000), std::invalid_argument);
}

// ---- the run-plan executor ----------------------------------------------------------------

namespace {
std::string slurp_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

// The fold sees plan order whatever finishes first: plan 0 is the longest (6 months), so with
// 3 runs at once it finishes last; the folded results are those of each plan run on its own.
TEST(RunExecutor, FoldsInPlanOrderWithTheResultsOfEachPlan) {
  const sim::Scenario s = tiny("baseline", 2);
  sim::RunPlanVector plans;
  for (int k = 0; k < 5; ++k) {
    sim::Scenario sk = s;
    sk.months = k == 0 ? 6 : 2;
    plans.push_back({sk, s.seed + static_cast<std::uint64_t>(k), {}, "plan " + std::to_string(k)});
  }
  plans[3].overrides = {{"mobility.trip_days", 12, -1, {}}};
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 3);  // as `--threads 3` would
  for (int concurrent : {1, 2, 3}) {
    std::vector<std::size_t> order;
    std::vector<sim::Results> folded;
    exec(concurrent, 3).execute(plans, [&](std::size_t i, const sim::RunPlan& p, const sim::Results& r) {
      EXPECT_EQ(&p, &plans[i]);
      order.push_back(i);
      folded.push_back(r);
    });
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4})) << concurrent;
    ASSERT_EQ(folded.size(), 5u);
    for (std::size_t i = 0; i < plans.size(); ++i) EXPECT_TRUE(folded[i] == run(sim::planned_scenario(plans[i]))) << i;
    EXPECT_EQ(folded[0].months(), 6u);
    EXPECT_FALSE(folded[3] == run(sim::planned_scenario(plans[2])));  // the override and the seed changed it
  }
  const sim::RunExecutor three = exec(3, 2);
  EXPECT_EQ(three.concurrent_runs(5), 2);  // never more runs than threads
  EXPECT_EQ(three.threads_per_run(5), 1);
  EXPECT_EQ(exec(0, 4).concurrent_runs(3), 3);  // nor more than plans
  EXPECT_EQ(exec(0, 4).threads_per_run(3), 1);
  EXPECT_EQ(exec(1, 4).threads_per_run(3), 4);
}

// A failure stops the vector where running it plan after plan would: the plans before it are
// folded, the error is that plan's.
TEST(RunExecutor, TheFirstFailureInPlanOrderIsRethrownAfterThePlansBeforeIt) {
  const sim::Scenario s = tiny("baseline", 1);
  sim::RunPlanVector plans(5, sim::RunPlan{s, s.seed, {}, ""});
  plans[2].overrides = {{"levers.credential", 7, -1, {}}};  // out of range: the run fails
  for (int concurrent : {1, 2}) {
    std::vector<std::size_t> order;
    try {
      exec(concurrent, 2).execute(plans, [&](std::size_t i, const sim::RunPlan&, const sim::Results&) { order.push_back(i); });
      ADD_FAILURE() << "plan 2 must fail";
    } catch (const sim::ExperimentError& e) {
      EXPECT_EQ(std::string(e.what()),
                "plan: field 'levers.credential': value 7 is out of range; expected a number from 0 to 1");
    }
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1})) << concurrent;
    order.clear();
    plans[2].overrides.clear();
    EXPECT_THROW(exec(concurrent, 2).execute(plans,
                                             [&](std::size_t i, const sim::RunPlan&, const sim::Results&) {
                                               if (i == 3) throw std::runtime_error("fold");
                                               order.push_back(i);
                                             }),
                 std::runtime_error);
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2})) << concurrent;
    plans[2].overrides = {{"levers.credential", 7, -1, {}}};
  }
}

// The summary file is the same bytes with 1 or 2 runs at once and 1 or 2 threads.
TEST(RunExecutor, SummaryBytesDoNotDependOnRunsAtOnceOrThreads) {
  const sim::Scenario s = tiny("baseline", 3);
  const fs::path dir = scratch("bytes");
  sim::Attributes prov;
  prov.text["experiment"] = "test";
  std::vector<std::string> bytes;
  for (const auto& [concurrent, threads] : std::vector<std::pair<int, int>>{{1, 1}, {2, 2}, {1, 2}, {2, 1}, {3, 2}}) {
    const fs::path f = dir / ("s" + std::to_string(concurrent) + "-" + std::to_string(threads) + ".h5");
    write_summary_file(f, sim::replicates(s, 4, exec(concurrent, threads)), prov);
    bytes.push_back(slurp_file(f));
    EXPECT_GT(bytes.back().size(), 100000u);
    EXPECT_EQ(bytes.back(), bytes.front()) << concurrent << " runs at once, " << threads << " threads";
  }
  // The same for a comparison (the differences need the first scenario's run of each replicate).
  const sim::Comparison a = sim::compare({s, tiny("no-reduction", 3)}, 3, exec(1, 1));
  const sim::Comparison b = sim::compare({s, tiny("no-reduction", 3)}, 3, exec(2, 2));
  EXPECT_EQ(a.differences[0].mean, b.differences[0].mean);
  EXPECT_EQ(a.differences[0].quantiles, b.differences[0].quantiles);
  EXPECT_EQ(a.scenarios[1].yearly.at("funds/balance").i, b.scenarios[1].yearly.at("funds/balance").i);
  fs::remove_all(dir);
}

// Per-replicate yearly scalars: the year's rate is direct ÷ all off-site inpatient stays of the
// year, recounted here from offsite/visits of each replicate run by hand; P(rate ≥ x in year Y)
// from the summary is the hand count of replicates at or above x. The warning shares are the hand
// count of replicates in each state. Months: Nov 2022 – Feb 2023, two calendar years.
TEST(Experiments, ProbabilitiesFromPerReplicateScalarsAreExactCounts) {
  sim::Scenario s = tiny("baseline", 4);
  s.start_month = 2022 * 12 + 10;
  const int n = 5;
  const sim::Summary sum = sim::replicates(s, n, exec(2, 2));
  ASSERT_EQ(sum.years, (std::vector<std::int64_t>{2022, 2023}));
  ASSERT_EQ(sum.year_months, (std::vector<std::int64_t>{2, 2}));
  ASSERT_EQ(sum.seeds.size(), static_cast<std::size_t>(n));
  std::vector<sim::Results> runs;
  for (int r = 0; r < n; ++r) {
    sim::Scenario sr = s;
    sr.seed = s.seed + static_cast<std::uint64_t>(r);
    EXPECT_EQ(sum.seeds[static_cast<std::size_t>(r)], sr.seed);
    runs.push_back(run(sr));
  }
  const std::size_t P = 32, cell = 3 * 4 * 2;  // group × visit_type × path per province
  std::vector<double> rate2023;
  for (int r = 0; r < n; ++r) {
    const auto& v = runs[static_cast<std::size_t>(r)].data("offsite/visits").i;
    for (std::size_t y = 0; y < 2; ++y) {
      std::int64_t direct = 0, all = 0, henan_direct = 0, henan_all = 0;
      for (std::size_t m = 2 * y; m < 2 * y + 2; ++m)
        for (std::size_t p = 0; p < P; ++p)
          for (std::size_t g = 0; g < 3; ++g)
            for (std::size_t path = 0; path < 2; ++path) {
              const std::int64_t x = v[(m * P + p) * cell + (g * 4 + 0) * 2 + path];  // inpatient
              all += x;
              direct += path == 0 ? x : 0;
              if (p == 16) {  // 410000, Henan
                henan_all += x;
                henan_direct += path == 0 ? x : 0;
              }
            }
      ASSERT_GT(all, 0);
      const double rate = static_cast<double>(direct) / static_cast<double>(all);
      EXPECT_EQ(sum.yearly_value("offsite/dsr_inpatient_national", static_cast<std::size_t>(r), y), rate);
      if (henan_all > 0) {
        EXPECT_EQ(sum.yearly_value("offsite/dsr_inpatient", static_cast<std::size_t>(r), y, 16),
                  static_cast<double>(henan_direct) / static_cast<double>(henan_all));
      }
      if (y == 1) rate2023.push_back(rate);
    }
    // Year-end fund balance: February 2023's; top-ups: the sum of the year's months.
    const auto& bal = runs[static_cast<std::size_t>(r)].data("funds/balance").i;
    EXPECT_EQ(sum.yearly_value("funds/balance", static_cast<std::size_t>(r), 1, 2 * 5 + 1),
              static_cast<double>(bal[3 * 64 + 2 * 5 + 1]));
    EXPECT_EQ(sum.yearly_value("funds/balance", static_cast<std::size_t>(r), 0, 2 * 5 + 1),
              static_cast<double>(bal[1 * 64 + 2 * 5 + 1]));
  }
  // A threshold between the replicates' 2023 rates: the share is the count at or above it.
  std::vector<double> sorted = rate2023;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_LT(sorted[1], sorted[2]);
  const double x = (sorted[1] + sorted[2]) / 2;  // three replicates at or above
  EXPECT_EQ(sim::share_at_least(sum, "offsite/dsr_inpatient_national", 2023, 0, x), 3.0 / 5);
  EXPECT_EQ(sim::share_at_least(sum, "offsite/dsr_inpatient_national", 2023, 0, sorted[0]), 1.0);
  EXPECT_EQ(sim::share_at_least(sum, "offsite/dsr_inpatient_national", 2023, 0, 1.01), 0.0);
  EXPECT_THROW((void)sim::share_at_least(sum, "offsite/dsr_inpatient_national", 2030, 0, x), sim::ExperimentError);
  // Warning shares: per state, month and province, the replicates in that state ÷ n.
  ASSERT_EQ(sum.warning_shares.size(), 3u * 4 * P);
  for (std::size_t i = 0; i < 4 * P; ++i) {
    double total = 0;
    for (std::size_t state = 0; state < 3; ++state) {
      int k = 0;
      for (const auto& r : runs) k += r.data("prepayment/warning").i[i] == static_cast<std::int64_t>(state) ? 1 : 0;
      EXPECT_EQ(sum.warning_shares[state * 4 * P + i], static_cast<double>(k) / n) << state << " " << i;
      total += sum.warning_shares[state * 4 * P + i];
    }
    EXPECT_DOUBLE_EQ(total, 1.0);
  }
  // The file holds them: replicate × year, and the shares with their state labels.
  const fs::path dir = scratch("yearly");
  write_summary_file(dir / "s.h5", sum, {});
  const auto d = io::read_dataset_hdf5((dir / "s.h5").string(), "replicates/offsite/dsr_inpatient_national");
  EXPECT_EQ(d.shape, (std::vector<std::size_t>{5, 2}));
  EXPECT_EQ(d.f, sum.yearly.at("offsite/dsr_inpatient_national").f);
  EXPECT_EQ(io::read_dataset_hdf5((dir / "s.h5").string(), "replicates/funds/balance").shape,
            (std::vector<std::size_t>{5, 2, 32, 2}));
  EXPECT_EQ(io::read_dataset_hdf5((dir / "s.h5").string(), "shares/prepayment/warning").shape,
            (std::vector<std::size_t>{3, 4, 32}));
  EXPECT_EQ(io::read_labels_hdf5((dir / "s.h5").string(), "labels/warning"),
            (std::vector<std::string>{"none", "yellow", "red"}));
  EXPECT_EQ(io::read_dataset_hdf5((dir / "s.h5").string(), "years").i, sum.years);
  EXPECT_FALSE(io::has_dataset_hdf5((dir / "s.h5").string(), "mean/prepayment/warning"));  // a state, not a number
  fs::remove_all(dir);
}

// With one month in a year, the year's rate is that month's rate exactly (the same integers).
TEST(Experiments, AOneMonthYearHasTheMonthsRate) {
  sim::Scenario s = tiny("baseline", 2);
  s.start_month = 2022 * 12 + 11;  // December 2022, January 2023
  const sim::Summary sum = sim::replicates(s, 2, exec());
  sim::Scenario s1 = s;
  s1.seed += 1;
  const sim::Results r = run(s1);
  for (std::size_t y = 0; y < 2; ++y) {
    EXPECT_EQ(sum.yearly_value("offsite/dsr_inpatient_national", 1, y), r.data("offsite/dsr_inpatient_national").f[y]);
    for (std::size_t p = 0; p < 32; ++p) {
      const double month = r.data("offsite/dsr_inpatient").f[y * 32 + p];
      const double year = sum.yearly_value("offsite/dsr_inpatient", 1, y, p);
      EXPECT_TRUE(month == year || (std::isnan(month) && std::isnan(year))) << p;
    }
  }
}
