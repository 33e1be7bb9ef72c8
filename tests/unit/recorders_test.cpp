// The multi-dimensional view and the output recorders (issue 13, "Layers that point one way"):
// row-major offsets, extents from the world, and each recorder writing its datasets where the
// schema's C order puts them.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "sim/engine/fund_alarms.hpp"
#include "sim/engine/recorders.hpp"
#include "sim/engine/sampling_noise.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;
using namespace yidi::sim;

TEST(View, RowMajorOffsetsTheLastIndexFastest) {
  std::vector<int> data(2 * 3 * 4);
  std::iota(data.begin(), data.end(), 0);
  const View<int, 3> v(std::span<int>(data), {2, 3, 4});
  EXPECT_EQ(v.size(), 24u);
  EXPECT_EQ(v.extent(0), 2u);
  EXPECT_EQ(v.extent(2), 4u);
  EXPECT_EQ(v(0, 0, 0), 0);
  EXPECT_EQ(v(0, 0, 3), 3);
  EXPECT_EQ(v(0, 1, 0), 4);
  EXPECT_EQ(v(1, 0, 0), 12);
  EXPECT_EQ(v(1, 2, 3), 23);  // (1 · 3 + 2) · 4 + 3
  EXPECT_EQ(v[1](2, 3), 23);  // the sub-view of the first index
  EXPECT_EQ(v[1][2](1), 21);
  v(1, 1, 1) = -7;
  EXPECT_EQ(data[17], -7);  // writes go to the data
  const View<const int, 0> scalar(data.data() + 5, {});
  EXPECT_EQ(scalar.size(), 1u);
  EXPECT_EQ(scalar(), 5);
}

TEST(View, AViewOfWholeDataMustFitItsExtents) {
  std::vector<double> data(10);
  EXPECT_THROW((View<double, 2>(std::span<double>(data), {3, 4})), std::length_error);
  EXPECT_NO_THROW((View<double, 2>(std::span<double>(data), {2, 5})));
}

// The schema is `months` and the recorders' declarations in order; every dataset is declared once.
TEST(Recorders, TheSchemaIsWhatTheRecordersDeclare) {
  const Recorders recorders(OutputExtents::of_schema());
  const auto declared = recorders.datasets();
  const auto& schema = output_schema();
  ASSERT_EQ(schema.size(), declared.size() + 1);
  EXPECT_EQ(schema[0].name, "months");
  std::set<std::string> names;
  for (std::size_t i = 0; i < declared.size(); ++i) {
    EXPECT_EQ(schema[i + 1].name, declared[i]->name);
    EXPECT_EQ(schema[i + 1].dims, declared[i]->dims);
    EXPECT_EQ(schema[i + 1].unit, declared[i]->unit);
    EXPECT_FALSE(declared[i]->description.empty()) << declared[i]->name;
    names.insert(declared[i]->name);
  }
  EXPECT_EQ(names.size(), declared.size());
  EXPECT_EQ(schema[1].name, "population/insured");
  EXPECT_EQ(schema.back().name, "region/response_active");
  EXPECT_EQ(dataset("offsite/dsr_inpatient").integer, false);
  EXPECT_EQ(dataset("clearing/gross").dims,
            (std::vector<Dim>{Dim::month, Dim::province, Dim::treatment_province}));
}

TEST(Recorders, ExtentsComeFromTheWorld) {
  const World world = embedded_world();
  const OutputExtents x = OutputExtents::of_world(world);
  EXPECT_EQ(x.regions, world.size());
  EXPECT_EQ(x.of(Dim::region), 342u);  // the 341 census units and the XPCC (scenarios/data/pools.yaml)
  EXPECT_EQ(x.of(Dim::province), 32u);
  EXPECT_EQ(x.of(Dim::treatment_province), 32u);
  EXPECT_EQ(x.of(Dim::group), 3u);
  EXPECT_EQ(x.of(Dim::scheme), 2u);
  EXPECT_EQ(x.of(Dim::visit_type), 4u);
  EXPECT_EQ(x.of(Dim::path), 2u);
  EXPECT_EQ(x.of(Dim::reason), 10u);
  EXPECT_NO_THROW(Recorders{world});
}

// One month through the recorders: every value lands at the flat offset of the dataset's C order
// (computed here by hand, as Simulation::record once did).
TEST(Recorders, AMonthLandsWhereTheSchemaSaysItDoes) {
  const World world = embedded_world("provinces.yaml");  // the provinces as pools: no intra-province care
  const Recorders recorders(world);
  const std::size_t P = 32, G = 3, V = 4, Paths = 2, R = 10, S = 2;
  MonthTotals t(P);
  Flow f;
  f.visits = 2;
  f.medfee = 500;
  f.fund = 300;
  f.hifp = 250;
  // Insured province 4, retirees, treated in province 9, inpatient, manual.
  t.offsite.at(t.offsite_index(4, 1, 9, 0, 1)) = f;
  Flow direct = f;
  direct.visits = 6;
  t.offsite.at(t.offsite_index(4, 2, 11, 0, 0)) = direct;
  t.local[MonthTotals::local_index(7, 2, 0)] = f;
  t.inpatient_reasons[(4 * 2 + 0) * R + index(PathReason::no_filing)] = 2;  // cross-province
  t.away[5 * G + 2] = 3;
  MonthReport rep;
  rep.cleared_cross.push_back(ClearedAmount{world.region(4).code, Scheme::employee, world.region(9).code, Money::fen(123), 1});
  rep.net_positions.push_back(NetPosition{world.region(9).code, Money::fen(123), Money::zero()});
  ProvincePrepayment pp;
  pp.province = world.region(4).code;
  pp.quota = Money::fen(1000);
  pp.outstanding = Money::fen(250);
  pp.warning = Warning::yellow;
  rep.provinces.push_back(pp);
  FundPosition fund;
  fund.pool = world.region(6).code;
  fund.scheme = Scheme::resident;
  fund.balance = Money::fen(99);
  fund.months_payable = 7.5;
  fund.average_expenditure = 99.0 / 7.5;
  fund.below_floor = false;
  rep.funds.push_back(fund);
  FundPosition broke;  // a fund that cannot pay (issue 15: loud, region/below_zero)
  broke.pool = world.region(8).code;
  broke.scheme = Scheme::employee;
  broke.balance = Money::fen(-5);
  broke.average_expenditure = 10;
  broke.months_payable = -0.5;
  rep.funds.push_back(broke);
  rep.topups_paid = Money::fen(42);
  std::array<std::uint8_t, 32> active{};
  active[3] = 1;
  std::vector<std::int32_t> claim_share(32, 10000);
  claim_share[4] = 8000;  // 80% of province 4's manual-path patients claim

  Results results(run_labels(world));
  Layout empty;  // 32 regions of no agents
  empty.begin.assign(P, {});
  empty.count.assign(P, {});
  empty.insured.assign(P, {});
  recorders.record_start(world, empty, results);
  results.begin_month(2024 * 12);
  const auto offsite = t.offsite.sorted();
  recorders.record(MonthInput{world, t, rep, offsite, 10, active, claim_share, {0.5, 1, 1, 1}}, results);

  const std::int64_t* visits = results.ints("offsite/visits");
  EXPECT_EQ(visits[((4 * G + 1) * V + 0) * Paths + 1], 20);
  EXPECT_EQ(visits[((4 * G + 2) * V + 0) * Paths + 0], 60);
  EXPECT_EQ(std::accumulate(visits, visits + P * G * V * Paths, std::int64_t{0}), 80);
  EXPECT_EQ(results.ints("offsite/individual")[((4 * G + 1) * V + 0) * Paths + 1], 2000);
  EXPECT_EQ(results.ints("offsite/by_treatment")[(4 * P + 9) * V + 0], 20);
  EXPECT_EQ(results.ints("offsite/by_treatment")[(4 * P + 11) * V + 0], 60);
  EXPECT_DOUBLE_EQ(results.floats("offsite/dsr_inpatient")[4], 6.0 / 8.0);
  EXPECT_TRUE(std::isnan(results.floats("offsite/dsr_inpatient")[5]));  // no stays
  EXPECT_DOUBLE_EQ(results.floats("offsite/dsr_inpatient_national")[0], 0.75);
  // The official rate sees claimed manual stays only: 20 manual × 80% = 16 claimed, 4 never.
  EXPECT_EQ(results.ints("offsite/manual_claimed_inpatient")[4], 16);
  EXPECT_EQ(results.ints("offsite/manual_unclaimed_inpatient")[4], 4);
  EXPECT_DOUBLE_EQ(results.floats("offsite/dsr_inpatient_official")[4], 60.0 / 76.0);
  EXPECT_DOUBLE_EQ(results.floats("offsite/dsr_inpatient_official_national")[0], 60.0 / 76.0);
  EXPECT_TRUE(std::isnan(results.floats("offsite/dsr_inpatient_official")[5]));
  EXPECT_EQ(results.ints("region/below_zero")[8 * S + 0], 1);
  EXPECT_EQ(results.ints("region/below_zero")[6 * S + 1], 0);
  EXPECT_EQ(std::accumulate(results.ints("region/below_zero"), results.ints("region/below_zero") + P * S, std::int64_t{0}), 1);
  EXPECT_EQ(results.ints("offsite/manual_reasons")[4 * R + index(PathReason::no_filing)], 20);
  EXPECT_EQ(results.ints("local/inpatient_stays")[7 * G + 2], 20);
  EXPECT_EQ(results.ints("local/inpatient_fund")[7 * G + 2], 3000);
  EXPECT_EQ(results.ints("population/away")[5 * G + 2], 30);
  EXPECT_EQ(results.ints("clearing/gross")[4 * P + 9], 123);
  EXPECT_EQ(results.ints("clearing/net")[9], 123);
  EXPECT_EQ(results.ints("prepayment/quota")[4], 1000);
  EXPECT_DOUBLE_EQ(results.floats("prepayment/usage")[4], 0.25);
  EXPECT_TRUE(std::isnan(results.floats("prepayment/usage")[0]));
  EXPECT_EQ(results.ints("prepayment/warning")[4], static_cast<std::int64_t>(Warning::yellow));
  EXPECT_EQ(results.ints("prepayment/topups_paid")[0], 42);
  // Sampling error of the usage (issue 17): province 4's direct cross-province cell, 6 sampled stays
  // paying 300 fen, each standing for 10, inpatient cv² 0.5: (10 × 300)² ÷ 6 × 1.5 = 2,250,000 fen²,
  // √ = 1,500 fen against a quota of 1,000: 1.5, mostly noise. The manual cell does not count.
  EXPECT_DOUBLE_EQ(results.floats("prepayment/usage_se")[4], 1.5);
  EXPECT_EQ(results.ints("prepayment/noisy")[4], 1);
  EXPECT_TRUE(std::isnan(results.floats("prepayment/usage_se")[0]));  // no quota
  EXPECT_EQ(results.ints("prepayment/noisy")[0], 2);
  EXPECT_EQ(results.ints("funds/balance")[6 * S + 1], 99);
  EXPECT_DOUBLE_EQ(results.floats("funds/months_payable")[6 * S + 1], 7.5);
  // A fund below zero still spends: its province's months payable is −5 ÷ 10 fen a month, not
  // infinite (its spending was recovered from its months payable and dropped when that was ≤ 0).
  EXPECT_DOUBLE_EQ(results.floats("funds/months_payable")[8 * S + 0], -0.5);
  EXPECT_EQ(results.ints("funds/response_active")[3], 1);
  EXPECT_EQ(results.ints("funds/response_active")[4], 0);
  EXPECT_EQ(results.ints("months")[0], 2024 * 12);
}

// Issue 14, sampling noise: a pool's rate over few sampled stays is flagged, month by month, in
// region/dsr_noisy (cross-province) and region/intra_dsr_noisy, beside the stays and the plain
// standard error behind it.
TEST(Recorders, APoolsRateOverFewSampledStaysIsFlaggedAsNoise) {
  const World world = embedded_world();
  const Recorders recorders(world);
  // Pools: `few`, `many` and `all_direct` in three provinces, `none` in a fourth; `other` is a
  // pool of `many`'s province (their intra-province care); `abroad` a treatment pool elsewhere.
  const std::size_t N = world.size();
  std::size_t many = N, other = N;  // the first two pools of one province
  for (std::size_t r = 0; r < N && other == N; ++r)
    for (std::size_t q = r + 1; q < N && other == N; ++q)
      if (world.same_province(r, q)) many = r, other = q;
  ASSERT_LT(other, N);
  std::vector<std::size_t> pick{many};  // pools of distinct provinces
  for (std::size_t r = 0; r < N && pick.size() < 5; ++r) {
    bool fresh = true;
    for (std::size_t q : pick) fresh = fresh && !world.same_province(q, r);
    if (fresh) pick.push_back(r);
  }
  ASSERT_EQ(pick.size(), 5u);
  const std::size_t few = pick[1], all_direct = pick[2], none = pick[3], abroad = pick[4];
  MonthTotals t(N);
  auto stays = [&](std::size_t h, std::size_t tr, std::size_t path, std::int64_t n) {
    Flow f;
    f.visits = n;
    f.medfee = 100 * n;
    t.offsite.at(t.offsite_index(h, 0, tr, index(VisitType::inpatient), path)) = f;
  };
  constexpr std::size_t direct = 0, manual = 1;
  stays(few, abroad, direct, 2);  // 4 stays, p = 0.5
  stays(few, abroad, manual, 2);
  stays(many, abroad, direct, 360);  // 400 stays, p = 0.9
  stays(many, abroad, manual, 40);
  stays(all_direct, abroad, direct, 3);  // 3 stays, all direct: plain error 0
  stays(many, other, direct, 50);  // intra-province: 100 stays, p = 0.5
  stays(many, other, manual, 50);
  stays(other, many, direct, 9);  // intra-province: 9 stays, all direct
  MonthReport rep;
  std::vector<std::uint8_t> active(N, 0);
  Results results(run_labels(world));
  results.begin_month(2024 * 12);
  const auto offsite = t.offsite.sorted();
  recorders.record(MonthInput{world, t, rep, offsite, 1000, active}, results);

  const std::int64_t* n = results.ints("region/sample_inpatient");
  const double* se = results.floats("region/dsr_inpatient_se");
  const std::int64_t* noisy = results.ints("region/dsr_noisy");
  EXPECT_EQ(n[few], 4);
  EXPECT_DOUBLE_EQ(se[few], 0.25);  // √(0.5 · 0.5 / 4)
  EXPECT_EQ(noisy[few], 1);
  EXPECT_EQ(n[many], 400);
  EXPECT_DOUBLE_EQ(se[many], 0.015);  // √(0.9 · 0.1 / 400)
  EXPECT_EQ(noisy[many], 0);
  EXPECT_EQ(n[all_direct], 3);
  EXPECT_DOUBLE_EQ(se[all_direct], 0.0);
  EXPECT_EQ(noisy[all_direct], 1);  // Agresti–Coull: √(5/7 · 2/7 / 7) ≈ 0.171
  EXPECT_EQ(n[none], 0);
  EXPECT_TRUE(std::isnan(se[none]));
  EXPECT_EQ(noisy[none], 2);
  const std::int64_t* in = results.ints("region/intra_sample_inpatient");
  const double* ise = results.floats("region/intra_dsr_inpatient_se");
  const std::int64_t* inoisy = results.ints("region/intra_dsr_noisy");
  EXPECT_EQ(in[many], 100);
  EXPECT_DOUBLE_EQ(ise[many], 0.05);  // √(0.25 / 100); Agresti–Coull √(0.25 / 104) ≈ 0.049: readable
  EXPECT_EQ(inoisy[many], 0);
  EXPECT_EQ(in[other], 9);
  EXPECT_EQ(inoisy[other], 1);
  EXPECT_EQ(n[other], 0);  // its stay in `many` is not cross-province
  EXPECT_EQ(inoisy[few], 2);
  EXPECT_DOUBLE_EQ(results.floats("region/intra_dsr_inpatient")[other], 1.0);
}

TEST(SamplingNoise, TheFlagsErrorAddsTwoDirectAndTwoManualStays) {
  EXPECT_DOUBLE_EQ(noise_se(2, 4), std::sqrt(0.25 / 8));
  EXPECT_NEAR(noise_se(360, 400), 0.015185, 1e-6);
  EXPECT_NEAR(noise_se(9, 9), 0.100068, 1e-6);  // p̃ = 11/13
  EXPECT_TRUE(std::isinf(noise_se(0, 0)));
  EXPECT_EQ(noise_code(2, 4), 1);
  EXPECT_EQ(noise_code(360, 400), 0);
  EXPECT_EQ(noise_code(48, 96), 0);  // √(0.25 / 100) = 0.05: at the threshold, readable
  EXPECT_EQ(noise_code(47, 95), 1);  // √((49/99)(50/99) / 99) ≈ 0.05025
  EXPECT_EQ(noise_code(0, 0), 2);
}

// The run summary over the last 12 months: which pools' rates are mostly noise, and the sampling
// ratio that would make the median noisy one readable.
TEST(SamplingNoise, TheSummaryCountsPoolsFlaggedInMostMonthsAndScalesTheMedianOne) {
  // Three pools of Jiangsu and Beijing (one pool: no intra-province care).
  Results r(RunLabels::of_regions({"110000", "320100", "320200", "320500"}));
  const std::size_t beijing = 0, nanjing = 1, wuxi = 2;  // Suzhou (3): no sampled stays at all
  for (int m = 0; m < 14; ++m) {  // 14 months: the first two are not looked at
    r.begin_month(2024 * 12 + m);
    std::int64_t* n = r.ints("region/sample_inpatient");
    double* p = r.floats("region/dsr_inpatient");
    std::int64_t* in = r.ints("region/intra_sample_inpatient");
    double* ip = r.floats("region/intra_dsr_inpatient");
    for (std::size_t g = 0; g < 4; ++g) p[g] = ip[g] = std::nan("");
    if (m < 2) continue;  // nothing anywhere: every pool would be noisy in these months
    n[nanjing] = 400, p[nanjing] = 0.9;  // readable every month
    n[wuxi] = 4, p[wuxi] = 0.5;          // noisy every month
    if (m % 2 == 0) n[beijing] = 400, p[beijing] = 0.9;  // noisy (no stays) in 6 of 12: not "most"
    in[nanjing] = 100, ip[nanjing] = 0.5;  // readable
    in[wuxi] = 9, ip[wuxi] = 1.0;          // noisy: all direct
    in[beijing] = 4, ip[beijing] = 0.5;    // noisy, but Beijing cannot have intra-province care
  }
  const NoiseSummary s = noise_summary(r, 1000);
  EXPECT_EQ(s.months, 12);
  EXPECT_EQ(s.cross.pools, 4u);
  EXPECT_EQ(s.cross.noisy, 2u);  // wuxi, suzhou
  // The median of {wuxi, suzhou (no stays: last)} is wuxi: 4 stays, p = 0.5. At 1:k it has
  // 4000/k, and √(0.25 / (4000/k + 4)) ≤ 0.05 ⇔ 4000/k ≥ 96 ⇔ k ≤ 41.67.
  EXPECT_EQ(s.cross.ratio, 41);
  EXPECT_EQ(s.intra.pools, 3u);
  EXPECT_EQ(s.intra.noisy, 2u);  // suzhou (none), wuxi
  // wuxi, 9 stays all direct: at 1:k, n = 9000/k and p̃ = (n + 2)/(n + 4); 387 is the last k with
  // p̃(1 − p̃)/(n + 4) ≤ 0.0025 (n ≈ 23.26: p̃ ≈ 0.927, error ≈ 0.04998).
  EXPECT_EQ(s.intra.ratio, 387);
  EXPECT_EQ(noise_sentence(s),
            "sampling noise at 1:1000, last 12 month(s): pools whose inpatient direct-settlement rate is mostly noise "
            "(standard error above 0.05): cross-province 2 of 4 (1:41 would bring the median one under), "
            "intra-province 2 of 3 (1:387 would bring the median one under)");
  // The same samples at 1:40 stand for 25 times fewer stays: only full scale would do.
  EXPECT_EQ(noise_summary(r, 40).cross.ratio, 1);
  // Flagged in 7 of 12 months (95 stays, 47 direct: error ≈ 0.05025) but 400 stays in the other
  // five: its average month (≈ 222 stays) is readable at the run's own scale.
  Results edge(RunLabels::of_regions({"320100"}));
  for (int m = 0; m < 12; ++m) {
    edge.begin_month(2024 * 12 + m);
    edge.ints("region/sample_inpatient")[0] = m < 7 ? 95 : 400;
    edge.floats("region/dsr_inpatient")[0] = m < 7 ? 47.0 / 95.0 : 0.5;
    edge.floats("region/intra_dsr_inpatient")[0] = std::nan("");
  }
  const NoiseSummary e = noise_summary(edge, 1000);
  EXPECT_EQ(e.cross.noisy, 1u);
  EXPECT_EQ(e.cross.ratio, 1000);
  EXPECT_EQ(e.intra.pools, 0u);  // Nanjing alone in its province here
  EXPECT_NE(noise_sentence(e).find("cross-province 1 of 1 (the median one is readable on average at this scale)"),
            std::string::npos);
  // One stay, direct, at full scale: no ratio would do.
  Results tiny(RunLabels::of_regions({"320100"}));
  tiny.begin_month(2024 * 12);
  tiny.ints("region/sample_inpatient")[0] = 1;
  tiny.floats("region/dsr_inpatient")[0] = 1.0;
  tiny.floats("region/intra_dsr_inpatient")[0] = std::nan("");
  EXPECT_EQ(noise_summary(tiny, 1).cross.ratio, -1);
  EXPECT_NE(noise_sentence(noise_summary(tiny, 1)).find("(not even full scale would bring the median one under)"),
            std::string::npos);
}

// Issue 17: the provinces whose prepayment usage is mostly sampling noise in most of the last 12
// months, worst first, and the ratio that would bring the median one to a 0.10 standard error.
TEST(SamplingNoise, ThePrepaymentSummaryNamesProvincesWhoseUsageIsMostlyNoise) {
  Results r(RunLabels::of_regions({"110000", "120000", "320100", "440100"}));
  ASSERT_EQ(r.run_labels().provinces, (std::vector<std::string>{"110000", "120000", "320000", "440000"}));
  for (int m = 0; m < 14; ++m) {
    r.begin_month(2024 * 12 + m);
    double* se = r.floats("prepayment/usage_se");
    se[0] = m < 2 ? 0.01 : 0.3;            // Beijing: noisy in every month looked at
    se[1] = m % 2 == 0 ? 0.25 : 0.45;       // Tianjin: noisier still, 0.35 on average
    se[2] = m < 8 ? 0.5 : 0.05;             // Jiangsu: noisy in months 2–7 only, 6 of 12: not "most"
    se[3] = std::nan("");                   // Guangdong: no quota in any month
  }
  const PrepaymentNoise s = prepayment_noise(r, 1000);
  EXPECT_EQ(s.months, 12);
  EXPECT_EQ(s.provinces, 3u);
  EXPECT_EQ(s.noisy, 2u);
  EXPECT_EQ(s.worst, (std::vector<std::size_t>{1, 0}));  // Tianjin (0.35), Beijing (0.3)
  // The median of the two (the second, worst first): Beijing, 0.3; 1000 × (0.10 / 0.3)² = 111.1
  EXPECT_EQ(s.ratio, 111);
  EXPECT_EQ(prepayment_noise_sentence(r, s),
            "prepayment at 1:1000, last 12 month(s): provinces whose usage and warnings are mostly sampling noise "
            "(prepayment/usage_se above 0.10): 2 of 3 (120000, 110000); their top-ups are not an answer at this "
            "scale, 1:111 would bring the median one under");
  EXPECT_EQ(prepayment_noise_code(0.1), 0);
  EXPECT_EQ(prepayment_noise_code(0.1000001), 1);
  EXPECT_EQ(prepayment_noise_code(std::nan("")), 2);
}

// A province pooling at province level (region/province_pooled in the last month) has no
// intra-province care: its pools are not counted for the intra-province rate.
TEST(SamplingNoise, PoolsOfAProvinceLevelPoolHaveNoIntraProvinceRate) {
  Results r(RunLabels::of_regions({"320100", "320200", "460100", "460200"}));
  for (int m = 0; m < 12; ++m) {
    r.begin_month(2024 * 12 + m);
    for (std::size_t g = 0; g < 4; ++g) {
      r.floats("region/dsr_inpatient")[g] = r.floats("region/intra_dsr_inpatient")[g] = std::nan("");
      if (m == 11 && g >= 2) r.ints("region/province_pooled")[g] = 1;  // Hainan pools from the last month
    }
  }
  const NoiseSummary s = noise_summary(r, 1000);
  EXPECT_EQ(s.cross.pools, 4u);
  EXPECT_EQ(s.intra.pools, 2u);  // Nanjing and Wuxi only
  EXPECT_EQ(s.intra.noisy, 2u);  // neither has a sampled stay
}

// Funds below zero (issue 15): every (pool, scheme) with a negative month-end balance, its first
// month, months and lowest balance, and the run's warning sentence, deepest first.
TEST(FundAlarms, PoolsWhoseFundsWentBelowZeroAreListedDeepestFirst) {
  Results r(RunLabels::of_regions({"110000", "310000", "320600"}));
  const std::int64_t balances[4][3][2] = {
      // Beijing (employee, resident), Shanghai, Nantong
      {{500, 100}, {900, 50}, {300, 20}},
      {{400, -120}, {800, 10}, {250, 30}},
      {{350, -80}, {700, -250000000}, {200, 0}},  // Nantong's 0: not below zero
      {{300, 40}, {600, -300}, {150, 5}},
  };
  for (int m = 0; m < 4; ++m) {
    r.begin_month(2024 * 12 + m);
    std::int64_t* b = r.ints("region/fund_balance");
    for (std::size_t g = 0; g < 3; ++g)
      for (std::size_t s = 0; s < 2; ++s) b[g * 2 + s] = balances[m][g][s];
  }
  const auto alarms = funds_below_zero(r);
  ASSERT_EQ(alarms.size(), 2u);
  EXPECT_EQ(alarms[0].region, 0u);  // Beijing resident: months 1–2, lowest −120 fen
  EXPECT_EQ(alarms[0].scheme, 1u);
  EXPECT_EQ(alarms[0].first, 1u);
  EXPECT_EQ(alarms[0].months, 2u);
  EXPECT_EQ(alarms[0].lowest, -120);
  EXPECT_EQ(alarms[1].region, 1u);  // Shanghai resident: months 2–3, lowest −2,500,000 yuan
  EXPECT_EQ(alarms[1].first, 2u);
  EXPECT_EQ(alarms[1].months, 2u);
  EXPECT_EQ(alarms[1].lowest, -250000000);
  EXPECT_EQ(funds_below_zero_sentence(r, alarms, 2024 * 12),
            "WARNING: 2 pool fund(s) went below zero at a month end (region/below_zero): 310000 resident from 2024-03 "
            "(2 month(s), lowest -2.5 million yuan), 110000 resident from 2024-02 (2 month(s), lowest -1.20 yuan)");
  EXPECT_EQ(funds_below_zero_sentence(r, alarms, 2024 * 12, 1).substr(0, 9), "WARNING: ");
  EXPECT_NE(funds_below_zero_sentence(r, alarms, 2024 * 12, 1).find(", and 1 more"), std::string::npos);
  // No alarm, no sentence.
  Results fine(RunLabels::of_regions({"110000"}));
  fine.begin_month(2024 * 12);
  fine.ints("region/fund_balance")[0] = 1;
  EXPECT_TRUE(funds_below_zero(fine).empty());
  EXPECT_EQ(funds_below_zero_sentence(fine, {}, 2024 * 12), "");
}
