// The multi-dimensional view and the output recorders (issue 13, "Layers that point one way"):
// row-major offsets, extents from the world, and each recorder writing its datasets where the
// schema's C order puts them.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "sim/engine/recorders.hpp"
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
  fund.below_floor = false;
  rep.funds.push_back(fund);
  rep.topups_paid = Money::fen(42);
  std::array<std::uint8_t, 32> active{};
  active[3] = 1;

  Results results(run_labels(world));
  Layout empty;  // 32 regions of no agents
  empty.begin.assign(P, {});
  empty.count.assign(P, {});
  empty.insured.assign(P, {});
  recorders.record_start(world, empty, results);
  results.begin_month(2024 * 12);
  const auto offsite = t.offsite.sorted();
  recorders.record(MonthInput{world, t, rep, offsite, 10, active}, results);

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
  EXPECT_EQ(results.ints("funds/balance")[6 * S + 1], 99);
  EXPECT_DOUBLE_EQ(results.floats("funds/months_payable")[6 * S + 1], 7.5);
  EXPECT_EQ(results.ints("funds/response_active")[3], 1);
  EXPECT_EQ(results.ints("funds/response_active")[4], 0);
  EXPECT_EQ(results.ints("months")[0], 2024 * 12);
}
