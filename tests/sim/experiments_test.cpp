// The experiment layer (docs/experiments.md) on tiny runs: P² against exact quantiles, summaries
// against replicates computed by hand, common random numbers in compare, seek on problems with
// known answers, sweep resumability, prepay quotas.
#include <gtest/gtest.h>
#include <unistd.h>

#include <H5Cpp.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <random>
#include <thread>

#include "sim/engine/experiments.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/scenario_yaml.hpp"
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
  acc.add(a);
  acc.add(b);
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
  const sim::Summary sum = sim::replicates(s, 3, world());
  ASSERT_EQ(sum.replicates, 3u);
  ASSERT_EQ(sum.months, 3u);
  EXPECT_EQ(sum.month_index, (std::vector<std::int64_t>{s.start_month, s.start_month + 1, s.start_month + 2}));
  std::vector<sim::Results> runs;
  for (int r = 0; r < 3; ++r) {
    sim::Scenario sr = s;
    sr.seed = s.seed + static_cast<std::uint64_t>(r);
    runs.push_back(sim::run_scenario(sr, world()));
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
  io::Provenance prov;
  prov.text["experiment"] = "test";
  prov.numbers["replicates"] = 3;
  io::write_summary_hdf5((dir / "s.h5").string(), sum, prov);
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
  const sim::Comparison c = sim::compare({s, s}, 3, world());
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
  const sim::Comparison c = sim::compare({tiny("baseline"), tiny("no-reduction")}, 3, world());
  ASSERT_EQ(c.names, (std::vector<std::string>{"baseline", "no-reduction"}));
  const auto& diff = c.differences[0];
  for (std::size_t m = 1; m < diff.months; ++m) {
    EXPECT_GT(month_sum(diff.mean.at("offsite/fund"), diff.months, m), 0.0) << m;
    EXPECT_GT(month_sum(c.scenarios[1].mean.at("offsite/fund"), diff.months, m),
              month_sum(c.scenarios[0].mean.at("offsite/fund"), diff.months, m));
  }
}

TEST(Experiments, CompareRefusesDifferentPeriods) {
  EXPECT_THROW(sim::compare({tiny("baseline", 3), tiny("baseline", 4)}, 1, world()), io::InputError);
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
  } catch (const io::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--range: field 'levers.networked_inpatient': value 2 is out of range; expected a number from 0 to 1");
  }
  EXPECT_THROW((void)sim::with_param(s, "no.such", 1, "--grid"), io::InputError);
}

TEST(Experiments, TargetsParseAndLocateTheirMonth) {
  const sim::Target t = sim::parse_target("dsr_inpatient_national >= 0.7 by 2022-03");
  EXPECT_EQ(t.threshold, 0.7);
  EXPECT_EQ(t.month_index, 2022 * 12 + 2);
  EXPECT_THROW(sim::parse_target("dsr >= 0.7 by 2022-03"), io::InputError);
  EXPECT_THROW(sim::parse_target("dsr_inpatient_national > 0.7 by 2022-03"), io::InputError);
  EXPECT_THROW(sim::parse_target("dsr_inpatient_national >= 0.7 by 2022-13"), io::InputError);
  // A province's own rate: the index of its code in the province dimension (outputs/SCHEMA.md).
  const sim::Target tibet = sim::parse_target("dsr_inpatient[540000] >= 0.7 by 2025-12");
  EXPECT_EQ(tibet.province, 25u);
  EXPECT_EQ(tibet.month_index, 2025 * 12 + 11);
  EXPECT_EQ(sim::parse_target("dsr_inpatient_national >= 0.7 by 2022-03").province, sim::Target::kNational);
  try {
    (void)sim::parse_target("dsr_inpatient[999999] >= 0.7 by 2025-12");
    ADD_FAILURE() << "an unknown province must be refused";
  } catch (const io::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--target: field 'target': unknown province '999999'; expected a province code such as 110000 (yidi "
              "schema lists them)");
  }
  const sim::Wilson w = sim::wilson95(3, 3);
  EXPECT_NEAR(w.low, 0.4385, 1e-4);
  EXPECT_EQ(w.high, 1.0);
  const sim::Wilson h = sim::wilson95(5, 10);
  EXPECT_NEAR(h.low, 0.2366, 1e-4);
  EXPECT_NEAR(h.high, 0.7634, 1e-4);
}

TEST(Experiments, SeekKnownAnswers) {
  const sim::Scenario s = tiny("baseline", 2);
  // Always met: the answer is the low end, found with one evaluation.
  const auto easy = sim::seek(s, "levers.networked_inpatient", 0.3, 0.9,
                              sim::parse_target("dsr_inpatient_national >= 0 by 2022-02"), 0.8, 3, 0.05, world());
  EXPECT_TRUE(easy.found);
  EXPECT_EQ(easy.answer, 0.3);
  EXPECT_EQ(easy.successes, 3);
  EXPECT_EQ(easy.evaluations.size(), 1u);
  // Never met (a rate above 1): not found, bracket = the range.
  const auto never = sim::seek(s, "levers.networked_inpatient", 0.3, 0.9,
                               sim::parse_target("dsr_inpatient_national >= 1.01 by 2022-02"), 0.8, 3, 0.05, world());
  EXPECT_FALSE(never.found);
  EXPECT_EQ(never.successes, 0);
  EXPECT_EQ(never.low, 0.3);
  EXPECT_EQ(never.high, 0.9);
  // A month outside the run is an input error.
  EXPECT_THROW(sim::seek(s, "levers.networked_inpatient", 0.3, 0.9,
                         sim::parse_target("dsr_inpatient_national >= 0 by 2030-01"), 0.8, 3, 0.05, world()),
               io::InputError);
}

// Bisection between: the national rate rises with networking, so a threshold between the rates
// at the two ends is reached inside the range, within the tolerance.
TEST(Experiments, SeekBisectsToTheTolerance) {
  const sim::Scenario s = tiny("baseline", 1);
  auto rate = [&](double v) {
    return sim::run_scenario(sim::with_param(s, "levers.networked_inpatient", v, "t"), world())
        .data("offsite/dsr_inpatient_national")
        .f[0];
  };
  const double lo = rate(0.2), hi = rate(1.0);
  ASSERT_LT(lo, hi);
  const double mid = (lo + hi) / 2;
  const auto r = sim::seek(s, "levers.networked_inpatient", 0.2, 1.0,
                           sim::Target{"dsr_inpatient_national", mid, s.start_month}, 1.0, 1, 0.1, world());
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
  auto rate = [&](double v) {
    return sim::run_scenario(sim::with_param(s, "levers.networked_inpatient", v, "t"), world())
        .data("offsite/dsr_inpatient")
        .f[target.province];
  };
  const double lo = rate(0.2), hi = rate(1.0);
  ASSERT_LT(lo, hi);
  sim::Target mid = target;
  mid.threshold = (lo + hi) / 2;
  const auto r = sim::seek(s, "levers.networked_inpatient", 0.2, 1.0, mid, 1.0, 1, 0.1, world());
  ASSERT_TRUE(r.found);
  EXPECT_LE(r.high - r.low, 0.1);
  EXPECT_GE(rate(r.answer), mid.threshold);
  EXPECT_LT(rate(r.low), mid.threshold);
}

TEST(Experiments, SweepResumesOnlyMissingPoints) {
  const sim::Scenario s = tiny("baseline", 2);
  const fs::path dir = scratch("sweep");
  io::Provenance prov;
  prov.text["scenario_sha256"] = io::sha256_hex(io::resolved_yaml(s));
  const std::vector<sim::GridAxis> grid{{"mobility.trip_days", {6, 10}}, {"levers.credential", {0.9}}};
  const auto first = sim::sweep(s, grid, 2, dir.string(), prov, world());
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
  const auto second = sim::sweep(s, grid, 2, dir.string(), prov, world());
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
  EXPECT_THROW(sim::sweep(s, grid, 1, dir.string(), prov, world()), io::InputError);
  const auto third = sim::sweep(s, grid, 1, dir.string(), prov, world(), {}, {true, {}});
  EXPECT_TRUE(third[0].computed && third[1].computed);
  fs::remove_all(dir);
}

TEST(Experiments, PrepayQuotaCoversThePeakQuantile) {
  const sim::Scenario s = tiny("baseline", 4);
  const auto rows = sim::prepay(s, 0.2, 4, world());
  ASSERT_EQ(rows.size(), 32u);
  int positive = 0;
  for (const auto& r : rows) {
    EXPECT_GE(r.proposed_quota.fen() * 9, r.peak_quantile.fen() * 10) << r.province;
    EXPECT_LT((r.proposed_quota.fen() - 1) * 9, r.peak_quantile.fen() * 10) << r.province;  // the smallest such
    EXPECT_GE(r.rule_quota.fen(), 0);
    EXPECT_GE(r.rule_2x_gross.fen(), 0);
    positive += r.peak_quantile.fen() > 0 ? 1 : 0;
  }
  EXPECT_GT(positive, 20);
  EXPECT_EQ(rows[0].province, "110000");
  EXPECT_THROW(sim::prepay(s, 1.5, 1, world()), io::InputError);
}
