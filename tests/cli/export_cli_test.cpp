// `yidi export` (issue 18): a run's answers as one tidy table. First the aggregation rules on
// results made by hand, whose every value is worked out below (flows summed, stocks at the period's
// last month, rates recomputed from their summed parts and never averaged, national months payable
// as the provinces' holdings over their spending, money exact to the fen, sums that would overflow
// refused); then the command end to end on a tiny run, every exported value checked against the
// run file's own datasets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>

#include "sim/engine/experiments.hpp"
#include "sim/engine/export.hpp"
#include "sim/engine/results.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/model/names.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::slurp;
using yidi::testing::spit;
namespace fs = std::filesystem;

namespace {

// ---- the aggregation rules on hand-made results ----------------------------------------------

/// Two provinces (440000, 510000), three pools, three months: 2022-11, 2022-12, 2023-01.
sim::Results hand_made() {
  sim::RunLabels labels = sim::RunLabels::of_regions({"440100", "440300", "510100"});
  labels.region_names = {"广州市", "深圳市", "成都市"};
  labels.region_names_en = {"Guangzhou", "Shenzhen", "Chengdu"};
  labels.province_names = {"广东省", "四川省"};
  labels.province_names_en = {"Guangdong", "Sichuan"};
  sim::Results r(labels);
  // offsite/visits: month × province × group(3) × visit_type(4) × path(2)
  auto visit = [](std::size_t p, std::size_t g, std::size_t v, std::size_t path) { return ((p * 3 + g) * 4 + v) * 2 + path; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int m = 2022 * 12 + 10; m <= 2023 * 12; ++m) {
    r.begin_month(m);
    std::int64_t* v = r.ints("offsite/visits");
    std::int64_t* bal = r.ints("funds/balance");          // month × province × scheme(2)
    double* mp = r.floats("funds/months_payable");         // month × province × scheme
    std::int64_t* warning = r.ints("prepayment/warning");  // month × province
    double* usage = r.floats("prepayment/usage");
    std::int64_t* rv = r.ints("region/offsite_visits");    // month × region × visit_type × path
    std::int64_t* sample = r.ints("region/sample_inpatient");
    for (std::size_t i = 0; i < 4; ++i) mp[i] = nan;
    usage[0] = usage[1] = nan;
    if (m == 2022 * 12 + 10) {  // November
      v[visit(0, 0, 0, 0)] = 30, v[visit(0, 0, 0, 1)] = 10;  // Guangdong: 30 direct, 10 manual stays
      v[visit(1, 2, 0, 0)] = 1, v[visit(1, 2, 0, 1)] = 9;    // Sichuan: 1 and 9
      v[visit(0, 0, 1, 0)] = 7;                              // an outpatient visit: not a stay
      bal[0] = 100;
      warning[0] = 2, usage[0] = 0.95;
      rv[(1 * 4 + 0) * 2 + 0] = 3, rv[(1 * 4 + 0) * 2 + 1] = 1, sample[1] = 4;  // Shenzhen: 3 of 4
    } else if (m == 2022 * 12 + 11) {  // December
      v[visit(0, 1, 0, 0)] = 10, v[visit(0, 1, 0, 1)] = 50;  // Guangdong: 10 direct, 50 manual
      bal[0] = 250, bal[2] = 1000;
      mp[0] = 5.0, mp[2] = 10.0;  // employee funds: Guangdong 5 months, Sichuan 10
      warning[0] = 1, usage[0] = 0.5;
    } else {  // January 2023
      v[visit(0, 0, 0, 0)] = 5;
      bal[0] = -5;
    }
  }
  return r;
}

/// The table's values as "code period measure" → text.
std::map<std::string, std::string> cells(const sim::ExportTable& t) {
  std::map<std::string, std::string> out;
  for (const auto& row : t.rows)
    out[t.codes[row.unit] + " " + t.periods[row.period] + " " + sim::export_measures()[row.measure].name] = row.value.text();
  return out;
}

sim::ExportOptions by(sim::ExportLevel l, sim::ExportPeriod p, std::vector<std::string> measures) {
  sim::ExportOptions o;
  o.level = l;
  o.period = p;
  o.measures = std::move(measures);
  return o;
}

TEST(ExportTable, RatesAreRecomputedFromTheirPartsNotAveraged) {
  const auto t = sim::export_table(hand_made(), by(sim::ExportLevel::province, sim::ExportPeriod::year,
                                                   {"cross_inpatient_stays", "cross_inpatient_direct", "cross_dsr_inpatient", "cross_visits"}));
  ASSERT_EQ(t.periods, (std::vector<std::string>{"2022", "2023"}));
  EXPECT_EQ(t.period_months, (std::vector<int>{2, 1}));
  const auto c = cells(t);
  EXPECT_EQ(c.at("440000 2022 cross_inpatient_stays"), "100");
  EXPECT_EQ(c.at("440000 2022 cross_inpatient_direct"), "40");
  // 40 ÷ 100, not the mean of November's 0.75 and December's 1/6
  EXPECT_EQ(c.at("440000 2022 cross_dsr_inpatient"), "0.4");
  EXPECT_EQ(c.at("510000 2022 cross_dsr_inpatient"), "0.1");
  EXPECT_EQ(c.at("440000 2023 cross_dsr_inpatient"), "1");
  EXPECT_EQ(c.at("510000 2023 cross_dsr_inpatient"), "");  // no stays: no rate, an empty cell
  EXPECT_EQ(c.at("440000 2022 cross_visits"), "107");       // the outpatient visit counts here
  // Nationally: 41 of 110 stays
  const auto n = cells(sim::export_table(hand_made(), by(sim::ExportLevel::national, sim::ExportPeriod::year, {"cross_dsr_inpatient"})));
  EXPECT_EQ(std::stod(n.at("000000 2022 cross_dsr_inpatient")), 41.0 / 110.0);
}

TEST(ExportTable, StocksAtThePeriodsLastMonthMoneyExactInYuan) {
  const auto c = cells(sim::export_table(
      hand_made(), by(sim::ExportLevel::province, sim::ExportPeriod::year, {"fund_balance_employee", "months_payable_employee"})));
  EXPECT_EQ(c.at("440000 2022 fund_balance_employee"), "2.50");   // December's 250 fen, not 100 + 250
  EXPECT_EQ(c.at("440000 2023 fund_balance_employee"), "-0.05");  // −5 fen
  EXPECT_EQ(c.at("510000 2022 fund_balance_employee"), "10.00");
  EXPECT_EQ(c.at("440000 2022 months_payable_employee"), "5");
  EXPECT_EQ(c.at("440000 2023 months_payable_employee"), "");  // not reported that month (NaN)
  // Nationally: (250 + 1000) held ÷ (250/5 + 1000/10) spent a month = 1250/150 months.
  auto n = cells(sim::export_table(hand_made(), by(sim::ExportLevel::national, sim::ExportPeriod::year,
                                                   {"months_payable_employee", "fund_balance_employee"})));
  EXPECT_EQ(std::stod(n.at("000000 2022 months_payable_employee")), 1250.0 / 150.0);
  EXPECT_EQ(n.at("000000 2022 fund_balance_employee"), "12.50");
  EXPECT_EQ(n.at("000000 2023 months_payable_employee"), "");  // no province reported it
  n = cells(sim::export_table(hand_made(), by(sim::ExportLevel::national, sim::ExportPeriod::all, {"fund_balance_employee"})));
  EXPECT_EQ(n.at("000000 2022-11..2023-01 fund_balance_employee"), "-0.05");  // January's: −5 + 0 fen
}

TEST(ExportTable, PeaksCountsPeriodsAndPools) {
  const auto q = sim::export_table(hand_made(), by(sim::ExportLevel::province, sim::ExportPeriod::quarter,
                                                   {"prepayment_peak_usage", "prepayment_red_months"}));
  EXPECT_EQ(q.periods, (std::vector<std::string>{"2022Q4", "2023Q1"}));
  auto c = cells(q);
  EXPECT_EQ(c.at("440000 2022Q4 prepayment_peak_usage"), "0.95");
  EXPECT_EQ(c.at("440000 2022Q4 prepayment_red_months"), "1");  // November red, December yellow
  EXPECT_EQ(c.at("510000 2022Q4 prepayment_peak_usage"), "");    // no quota: no usage
  const auto m = sim::export_table(hand_made(), by(sim::ExportLevel::region, sim::ExportPeriod::month,
                                                   {"cross_dsr_inpatient", "cross_dsr_inpatient_se", "cross_inpatient_sampled"}));
  EXPECT_EQ(m.periods, (std::vector<std::string>{"2022-11", "2022-12", "2023-01"}));
  EXPECT_EQ(m.names[1], "深圳市");
  EXPECT_EQ(m.names_en[2], "Chengdu");
  c = cells(m);
  EXPECT_EQ(c.at("440300 2022-11 cross_dsr_inpatient"), "0.75");
  EXPECT_EQ(std::stod(c.at("440300 2022-11 cross_dsr_inpatient_se")), std::sqrt(0.75 * 0.25 / 4));
  EXPECT_EQ(c.at("440300 2022-11 cross_inpatient_sampled"), "4");
  EXPECT_EQ(c.at("440100 2022-11 cross_dsr_inpatient"), "");
  // Only the units asked for, in the order asked.
  sim::ExportOptions o = by(sim::ExportLevel::region, sim::ExportPeriod::all, {"cross_inpatient_sampled"});
  o.units = {2, 1};
  const auto u = sim::export_table(hand_made(), o);
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.codes[u.rows[0].unit], "510100");
  EXPECT_EQ(u.codes[u.rows[1].unit], "440300");
}

TEST(ExportTable, UnknownOrMisplacedMeasuresAndOverflowsAreRefused) {
  const auto r = hand_made();
  try {
    sim::export_table(r, by(sim::ExportLevel::province, sim::ExportPeriod::year, {"cross_dsr_inpatiant"}));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown measure 'cross_dsr_inpatiant' (did you mean 'cross_dsr_inpatient', 'cross_dsr_inpatient_se' or "
              "'intra_dsr_inpatient'?); yidi export --list shows them");
  }
  try {
    sim::export_table(r, by(sim::ExportLevel::region, sim::ExportPeriod::year, {"prepayment_quota"}));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "measure 'prepayment_quota' is not given by region; it is by national, province");
  }
  // Two months of 2^62 fen each: the year's sum does not fit in 64 bits and is refused, not wrapped.
  sim::Results big(r.run_labels());
  for (int m = 2022 * 12; m < 2022 * 12 + 2; ++m) {
    big.begin_month(m);
    big.ints("offsite/fund")[0] = std::int64_t{1} << 62;
  }
  EXPECT_THROW(sim::export_table(big, by(sim::ExportLevel::province, sim::ExportPeriod::year, {"cross_fund"})),
               std::overflow_error);
  // The most negative fen prints without overflow.
  sim::ExportValue v;
  v.kind = sim::ExportValue::Kind::money;
  v.i = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(v.text(), "-92233720368547758.08");
}

TEST(Names, RegionsByCodeChineseOrEnglishNameAndSuggestions) {
  const std::vector<sim::NamedRegion> r{{"450000", "广西壮族自治区", "Guangxi"}, {"510000", "四川省", "Sichuan"},
                                        {"540000", "西藏自治区", "Xizang"}, {"440300", "深圳市", "Shenzhen"}};
  EXPECT_EQ(sim::find_region(r, "510000"), 1u);
  EXPECT_EQ(sim::find_region(r, "四川"), 1u);
  EXPECT_EQ(sim::find_region(r, "四川省"), 1u);
  EXPECT_EQ(sim::find_region(r, "sichuan"), 1u);
  EXPECT_EQ(sim::find_region(r, "广西"), 0u);
  EXPECT_EQ(sim::find_region(r, "西藏"), 2u);
  EXPECT_EQ(sim::find_region(r, "深圳"), 3u);
  EXPECT_EQ(sim::find_region(r, "Sichuang"), std::nullopt);
  // Two pools with one English name are named by code or Chinese name, never silently the first.
  const std::vector<sim::NamedRegion> pools{{"320500", "苏州市", "Suzhou"}, {"341300", "宿州市", "Suzhou"},
                                            {"222400", "延边朝鲜族自治州", "Yanbian"},
                                            {"422800", "恩施土家族苗族自治州", "Enshi"}};
  EXPECT_EQ(sim::find_region(pools, "Suzhou"), std::nullopt);
  EXPECT_EQ(sim::find_regions(pools, "suzhou"), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(sim::region_not_found(pools, "Suzhou", "pool", "a.h5"),
            "'Suzhou' names 2 pools: 320500 苏州市, 341300 宿州市; give the code or the Chinese name");
  EXPECT_EQ(sim::find_region(pools, "宿州"), 1u);
  EXPECT_EQ(sim::find_region(pools, "341300"), 1u);
  // An autonomous prefecture by its place name alone.
  EXPECT_EQ(sim::find_region(pools, "延边"), 2u);
  EXPECT_EQ(sim::find_region(pools, "恩施"), 3u);
  EXPECT_EQ(sim::find_region(pools, "延"), std::nullopt);  // one character is not a place name
  EXPECT_EQ(sim::find_region(r, ""), std::nullopt);
  EXPECT_EQ(sim::did_you_mean("Sichuang", {"Guangxi", "Sichuan", "Xizang"}), std::vector<std::string>{"Sichuan"});
  EXPECT_EQ(sim::did_you_mean("zzzz", {"Guangxi", "Sichuan"}), std::vector<std::string>{});
  EXPECT_EQ(sim::did_you_mean_text("provnce", {"national", "province", "region"}), " (did you mean 'province'?)");
}

// ---- the command on a tiny run ---------------------------------------------------------------

class ExportCli : public CliTest {
protected:
  static fs::path runs() { return runs_; }
  static void SetUpTestSuite() {
    std::string failed;
    runs_ = yidi::testing::shared_runs(
        "export", {"run baseline --months 15 --scale 1:40000 --seed 7 --threads 2 -o a.h5",
                   "run baseline --months 2 --scale 1:40000 --seed 7 --threads 2 -o a2.h5",
                   "replicates baseline -n 2 --months 2 --scale 1:40000 --seed 7 --threads 2 -o r.h5",
                   "compare baseline no-reduction -n 2 --months 2 --scale 1:40000 --seed 7 --threads 2 -o c.h5"},
        failed);
    ASSERT_EQ(failed, "");
  }
  static inline fs::path runs_;
  std::string run() const { return (runs() / "a.h5").string(); }
};

/// The CSV's rows as maps of column → value.
std::vector<std::map<std::string, std::string>> rows_of(const std::string& csv) {
  std::vector<std::map<std::string, std::string>> out;
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::string cur;
    bool quoted = false;
    for (char ch : l) {
      if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) f.push_back(cur), cur.clear();
      else cur += ch;
    }
    f.push_back(cur);
    return f;
  };
  while (std::getline(in, line)) {
    if (header.empty()) {
      header = split(line.rfind("\xEF\xBB\xBF", 0) == 0 ? line.substr(3) : line);
      continue;
    }
    const auto f = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    out.push_back(row);
  }
  return out;
}

TEST_F(ExportCli, NationalMonthlyRatesAreTheRunsOwn) {
  const auto r = yidi("export '" + run() + "' --by national,month --measures cross_dsr_inpatient,cross_dsr_inpatient_official");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 30u);  // 15 months × 2 measures
  const auto dsr = io::read_dataset_hdf5(run(), "offsite/dsr_inpatient_national");
  const auto official = io::read_dataset_hdf5(run(), "offsite/dsr_inpatient_official_national");
  for (std::size_t m = 0; m < 15; ++m) {
    const auto& a = rows[2 * m];
    const auto& b = rows[2 * m + 1];
    EXPECT_EQ(a.at("level"), "national");
    EXPECT_EQ(a.at("region"), "全国");
    EXPECT_EQ(a.at("months"), "1");
    EXPECT_EQ(a.at("unit"), "ratio");
    EXPECT_EQ(a.at("period"), (m < 12 ? "2022-" : "2023-") + std::string(m % 12 < 9 ? "0" : "") + std::to_string(m % 12 + 1));
    EXPECT_EQ(std::stod(a.at("value")), dsr.f[m]) << m;
    EXPECT_EQ(std::stod(b.at("value")), official.f[m]) << m;
    EXPECT_EQ(a.at("scale"), "1:40000");
    EXPECT_EQ(a.at("seed"), "7");
    EXPECT_EQ(a.at("scenario"), "baseline");
    EXPECT_EQ(a.at("scenario_sha256"), io::read_text_attribute_hdf5(run(), "scenario_sha256"));
  }
}

TEST_F(ExportCli, YearlyMoneyIsTheSumOfTheMonthsFenInYuan) {
  const auto r = yidi("export '" + run() + "' --measures cross_fund,months_payable_resident --regions 广东,Sichuan,110000");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 12u);  // 3 provinces × 2 years × 2 measures
  const auto fund = io::read_dataset_hdf5(run(), "offsite/fund");  // month × 32 × 3 × 4 × 2
  const auto mp = io::read_dataset_hdf5(run(), "funds/months_payable");  // month × 32 × 2
  const auto provinces = io::read_labels_hdf5(run(), "labels/province");
  for (const auto& row : rows) {
    const std::size_t p = static_cast<std::size_t>(std::find(provinces.begin(), provinces.end(), row.at("region_code")) - provinces.begin());
    ASSERT_LT(p, provinces.size());
    const bool first = row.at("period") == "2022";
    EXPECT_EQ(row.at("months"), first ? "12" : "3");
    if (row.at("measure") == "cross_fund") {
      std::int64_t fen = 0;
      for (std::size_t m = first ? 0 : 12; m < (first ? 12u : 15u); ++m)
        for (std::size_t k = 0; k < 24; ++k) fen += fund.i[(m * 32 + p) * 24 + k];
      char want[40];
      std::snprintf(want, sizeof want, "%lld.%02lld", static_cast<long long>(fen / 100), static_cast<long long>(fen % 100));
      EXPECT_EQ(row.at("value"), want) << row.at("region_en");
      EXPECT_EQ(row.at("unit"), "yuan");
    } else {
      EXPECT_EQ(std::stod(row.at("value")), mp.f[((first ? 11 : 14) * 32 + p) * 2 + 1]) << row.at("region_en");
    }
  }
  EXPECT_EQ(rows[0].at("region_en"), "Guangdong");
  EXPECT_EQ(rows[4].at("region"), "四川省");
  EXPECT_EQ(rows[8].at("region_code"), "110000");
}

TEST_F(ExportCli, WritesItsOwnTableAndReplacesOnlyThat) {
  auto r = yidi("export '" + run() + "' --by region,all -o t.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = slurp(work() / "t.csv");
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBFyidi_version,scenario,", 0), 0u);
  const auto rows = rows_of(csv);
  std::size_t per_region = 0;
  for (const auto& m : sim::export_measures()) per_region += m.region ? 1 : 0;
  const auto regions = io::read_labels_hdf5(run(), "labels/region");
  EXPECT_EQ(rows.size(), regions.size() * per_region);
  EXPECT_NE(r.err.find("rows from 1 file(s); wrote t.csv"), std::string::npos) << r.err;
  // Again: refused without --overwrite, done with it; a file yidi did not write is never replaced.
  r = yidi("export '" + run() + "' --by region,all -o t.csv");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(yidi("export '" + run() + "' --by region,all -o t.csv --overwrite").code, 0);
  spit(work() / "mine.csv", "a,b\n1,2\n");
  r = yidi("export '" + run() + "' -o mine.csv --overwrite");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(slurp(work() / "mine.csv"), "a,b\n1,2\n");
  EXPECT_NE(r.err.find("yidi replaces only its own outputs"), std::string::npos) << r.err;
}

TEST_F(ExportCli, BadInputsAreNamedWithSuggestions) {
  auto r = yidi("export '" + run() + "' --regions Sichuang");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no province 'Sichuang' in " + run() + " (did you mean 'Sichuan'?)"), std::string::npos) << r.err;
  r = yidi("export '" + run() + "' --by region --regions Suzhou");
  EXPECT_NE(r.err.find("'Suzhou' names 2 pools: 320500 苏州市, 341300 宿州市; give the code or the Chinese name"),
            std::string::npos)
      << r.err;
  r = yidi("export '" + run() + "' --by provnce");
  EXPECT_NE(r.err.find("unknown 'provnce' (did you mean 'province'?)"), std::string::npos) << r.err;
  r = yidi("export '" + run() + "' --by region --measures prepayment_quota");
  EXPECT_NE(r.err.find("measure 'prepayment_quota' is not given by region; it is by national, province"), std::string::npos) << r.err;
  r = yidi("export '" + (runs() / "r.h5").string() + "' --by province,month");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("a summary of replicates keeps each replicate's values by year, not by month; expected --by "
                       "province,year"),
            std::string::npos)
      << r.err;
  r = yidi("export '" + (runs() / "r.h5").string() + "' --measures cross_medfee");
  EXPECT_NE(r.err.find("'cross_medfee' is not kept per replicate in a summary; by province it keeps: cross_dsr_inpatient, "
                       "cross_fund, cross_individual, "),
            std::string::npos)
      << r.err;
  r = yidi("export '" + run() + "' --probability 'cross_dsr_inpatient >= 0.7'");
  EXPECT_NE(r.err.find("a single run: --probability is the share of replicates"), std::string::npos) << r.err;
  r = yidi("export '" + (runs() / "r.h5").string() + "' --probability 'cross_dsr_inpatient => 0.7'");
  EXPECT_NE(r.err.find("expected \"MEASURE OP NUMBER\" with OP one of >=, >, <=, <"), std::string::npos) << r.err;
  spit(work() / "x.h5", "not hdf5");
  r = yidi("export x.h5");
  EXPECT_NE(r.err.find("x.h5: not an HDF5 file; expected a run file of `yidi run`"), std::string::npos) << r.err;
  r = yidi("export --list");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("measure,unit,levels,description\n", 0), 0u);
  EXPECT_NE(r.out.find("\ncross_dsr_inpatient,ratio,national province region,"), std::string::npos) << r.out;
}

// A summary of replicates exports each replicate's yearly values (issue 18): replicate 0 is the run
// of the same seed, value for value, and replicate 1 names its own seed.
TEST_F(ExportCli, ASummarysReplicatesAreTheRunsOfTheirSeeds) {
  const std::string measures = " --measures cross_dsr_inpatient,cross_fund,cross_individual,fund_balance_resident,months_payable_employee,"
                               "prepayment_peak_outstanding,prepayment_red_months,prepayment_topup_requested";
  const auto s = yidi("export '" + (runs() / "r.h5").string() + "'" + measures);
  const auto one = yidi("export '" + (runs() / "a2.h5").string() + "'" + measures);
  ASSERT_EQ(s.code, 0) << s.err;
  ASSERT_EQ(one.code, 0) << one.err;
  const auto rows = rows_of(s.out), single = rows_of(one.out);
  ASSERT_EQ(rows.size(), 2 * single.size());  // two replicates, one year (2022, 2 months)
  std::map<std::string, std::string> want;
  for (const auto& r : single) want[r.at("region_code") + " " + r.at("measure")] = r.at("value");
  std::size_t compared = 0;
  for (const auto& r : rows) {
    EXPECT_EQ(r.at("period"), "2022");
    EXPECT_EQ(r.at("months"), "2");
    if (r.at("replicate") == "1") {
      EXPECT_EQ(r.at("seed"), "8");
      continue;
    }
    EXPECT_EQ(r.at("replicate"), "0");
    EXPECT_EQ(r.at("seed"), "7");
    EXPECT_EQ(r.at("value"), want.at(r.at("region_code") + " " + r.at("measure"))) << r.at("region_en") << " " << r.at("measure");
    ++compared;
  }
  EXPECT_EQ(compared, single.size());
  EXPECT_EQ(rows.front().at("region"), "北京市");  // names from the world: a summary keeps codes only
}

// A compare file: each scenario's replicates, its rows naming the scenario; the baseline's are
// those of the baseline's own summary on the same seeds.
TEST_F(ExportCli, ACompareFileExportsEachScenariosReplicates) {
  const auto c = rows_of(yidi("export '" + (runs() / "c.h5").string() + "' --by national,year").out);
  const auto r = rows_of(yidi("export '" + (runs() / "r.h5").string() + "' --by national,year").out);
  ASSERT_EQ(c.size(), 2 * r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(c[i].at("scenario"), "baseline");
    EXPECT_EQ(c[i].at("measure"), r[i].at("measure"));
    EXPECT_EQ(c[i].at("seed"), r[i].at("seed"));
    EXPECT_EQ(c[i].at("value"), r[i].at("value")) << r[i].at("measure");
    EXPECT_EQ(c[r.size() + i].at("scenario"), "no-reduction");
  }
}

// --probability: the share of a summary's replicates meeting a condition, each year and by each
// year, with the Wilson 95% interval of sim::wilson95, exact counts over the replicates.
TEST_F(ExportCli, ProbabilitiesAreCountsOverReplicates) {
  const auto reps = rows_of(yidi("export '" + (runs() / "r.h5").string() + "' --by national,year").out);
  std::vector<double> dsr;
  for (const auto& r : reps)
    if (r.at("measure") == "cross_dsr_inpatient") dsr.push_back(std::stod(r.at("value")));
  ASSERT_EQ(dsr.size(), 2u);
  const double x = std::min(dsr[0], dsr[1]) == std::max(dsr[0], dsr[1]) ? dsr[0] : std::max(dsr[0], dsr[1]);
  const int met = (dsr[0] >= x) + (dsr[1] >= x);  // 1, or 2 if both replicates had the same rate
  char cond[64];
  std::snprintf(cond, sizeof cond, "%.17g", x);
  const auto r = yidi("export '" + (runs() / "r.h5").string() + "' --by national,year --probability 'cross_dsr_inpatient >= " +
                      std::string(cond) + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = rows_of(r.out);
  ASSERT_EQ(rows.size(), 6u);  // P, its interval, and the same "by" the year: one year
  const std::string p = rows[0].at("measure");
  EXPECT_EQ(p.rfind("P(cross_dsr_inpatient >= ", 0), 0u) << p;
  EXPECT_EQ(std::stod(rows[0].at("value")), met / 2.0);
  EXPECT_EQ(std::stod(rows[1].at("value")), sim::wilson95(met, 2).low);
  EXPECT_EQ(std::stod(rows[2].at("value")), sim::wilson95(met, 2).high);
  EXPECT_EQ(rows[3].at("measure"), p.substr(0, p.size() - 1) + " in this year or earlier)");
  EXPECT_EQ(rows[0].at("replicate"), "all");
  EXPECT_EQ(rows[0].at("seed"), "7..8");
  EXPECT_EQ(rows[0].at("unit"), "probability");
  // Nothing meets an impossible condition: 0 with a low end of exactly 0.
  const auto none = rows_of(yidi("export '" + (runs() / "r.h5").string() + "' --regions Guangdong --probability "
                                 "'months_payable_resident < -1'").out);
  ASSERT_EQ(none.size(), 6u);
  EXPECT_EQ(none[0].at("value"), "0");
  EXPECT_EQ(none[1].at("value"), "0");
  EXPECT_EQ(none[0].at("region_en"), "Guangdong");
}

// replicates (and compare, sweep) print a short table: per scenario and year the replicates' national
// rate P5/P50/P95 and the share at or above 70%, the values export gives for the file written.
TEST_F(ExportCli, ReplicatesPrintAShortTableOfTheFilesValues) {
  const auto r = yidi("replicates baseline -n 3 --months 2 --scale 1:40000 --seed 7 --threads 2 -o s.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, row, footer;
  std::getline(lines, header);
  std::getline(lines, row);
  std::getline(lines, footer);
  EXPECT_EQ(header.rfind("scenario ", 0), 0u) << r.out;
  EXPECT_NE(header.find("rate P5      P50      P95   P(>=70%)      Wilson 95%"), std::string::npos) << header;
  EXPECT_EQ(footer, "# every replicate's yearly values, per province: yidi export s.h5 [--probability \"MEASURE >= X\"]");
  std::vector<double> rates;
  for (const auto& e : rows_of(yidi("export s.h5 --by national,year --measures cross_dsr_inpatient").out))
    rates.push_back(std::stod(e.at("value")));
  ASSERT_EQ(rates.size(), 3u);
  std::sort(rates.begin(), rates.end());
  int met = 0;
  for (double v : rates) met += v >= 0.7 ? 1 : 0;
  const sim::Wilson w = sim::wilson95(met, 3);
  char want[200];
  std::snprintf(want, sizeof want, "%-40s %6d %6d %8.4f %8.4f %8.4f %10.3f %7.3f-%-7.3f", "baseline", 2022, 2,
                sim::exact_quantile(rates, 0.05), rates[1], sim::exact_quantile(rates, 0.95), met / 3.0, w.low, w.high);
  EXPECT_EQ(row, want);
}

// docs/export.md lists every measure with its unit and levels, as `yidi export --list` gives them.
TEST(ExportDocs, ListEveryMeasure) {
  const std::string doc = slurp(fs::path(YIDI_SOURCE_DIR) / "docs/export.md");
  for (const auto& m : sim::export_measures()) {
    std::string levels;
    for (auto l : {sim::ExportLevel::national, sim::ExportLevel::province, sim::ExportLevel::region})
      if (m.at(l)) levels += (levels.empty() ? "" : " ") + std::string(sim::level_name(l));
    EXPECT_NE(doc.find("| `" + m.name + "` | " + m.unit + " | " + levels + " | "), std::string::npos) << m.name;
  }
}

}  // namespace
