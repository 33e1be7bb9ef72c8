// The simulator end to end on small samples: same seed → same results at any thread count;
// a restart from a checkpoint gives the same results as an uninterrupted run; every fen of the
// clearing ledger is accounted for; the baseline reproduces its calibration targets.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/engine/calibration.hpp"
#include "sim/engine/export.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/checkpoint.hpp"
#include "sim/io/hdf5_output.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/targets_csv.hpp"

using namespace yidi;
namespace fs = std::filesystem;

namespace {
struct Fixture {
  sim::World world = sim::embedded_world();
  PolicyBook book;
  sim::Scenario scenario;
  Fixture(std::int64_t scale, int months) {
    scenario = io::load_scenario("baseline");
    scenario.scale = scale;
    scenario.months = months;
    book = io::scenario_policy(scenario);
  }
};

/// A scenario's population, and its months' contexts with the policy in force on each settlement
/// date as Simulation::run_month sets them up (without the fund response): for stepping agents
/// directly, outside a Simulation.
struct Stepping {
  const Fixture& f;
  const sim::SimParams& p = f.scenario.params;
  const sim::Layout l = sim::make_layout(f.world, p, f.scenario.scale);
  const sim::Mobility mob = sim::Mobility::build(f.world, p, l);
  const sim::Rng rng{f.scenario.seed};
  explicit Stepping(const Fixture& fixture) : f(fixture) {}
  sim::AgentVector agents() const { return sim::build_agents(f.world, p, l, mob, rng); }

  struct Month {
    std::vector<InsuredPolicy> policies;
    std::vector<Catalogue> catalogues;
    sim::MonthContext ctx;
    Month(const Stepping& s, int month) : ctx(sim::MonthContext::make(month, s.p, s.rng, s.mob, s.f.world)) {
      policies.reserve(s.f.world.size());  // ctx points into both: no reallocation
      catalogues.reserve(s.f.world.size());
      for (std::size_t i = 0; i < s.f.world.size(); ++i) {
        policies.push_back(s.f.book.insured_policy(s.f.world.region(i).code, ctx.settle_date));
        catalogues.push_back(s.f.book.catalogue(s.f.world.region(i).code, ctx.settle_date));
        ctx.policy[i] = &policies.back();
        ctx.catalogue[i] = &catalogues.back();
      }
      ctx.set_free_zones();
      ctx.coaudit_threshold = s.f.book.national(ctx.settle_date).coaudit_threshold.value;
    }
    Month(const Month&) = delete;
    Month& operator=(const Month&) = delete;
  };
};

sim::Results run_with_threads(const Fixture& f, int threads) {
  tbb::task_arena arena(threads);
  sim::Results out;
  arena.execute([&] {
    sim::Simulation s(f.scenario, f.book, f.world);
    while (!s.done()) s.run_month();
    out = s.results();
  });
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST(Simulation, SameSeedSameResultsAtAnyThreadCount) {
  const Fixture f(20000, 4);
  const sim::Results one = run_with_threads(f, 1);
  const sim::Results two = run_with_threads(f, 2);
  ASSERT_EQ(one.months(), 4u);
  EXPECT_TRUE(one == two);
  // Something happened: off-site visits and clearing flows are not all zero.
  std::int64_t visits = 0;
  for (auto v : one.data("offsite/visits").i) visits += v;
  EXPECT_GT(visits, 0);
  // The writer adds nothing that varies: the same results and provenance give the same bytes.
  const fs::path dir = fs::temp_directory_path() / ("yidi-sim-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  io::Provenance prov;
  prov.text["scenario"] = io::resolved_yaml(f.scenario);
  prov.numbers["seed"] = static_cast<std::int64_t>(f.scenario.seed);
  io::write_results_hdf5((dir / "one.h5").string(), one, prov);
  io::write_results_hdf5((dir / "two.h5").string(), two, prov);
  EXPECT_EQ(slurp(dir / "one.h5"), slurp(dir / "two.h5"));
  EXPECT_TRUE(io::read_results_hdf5((dir / "one.h5").string()) == one);
  fs::remove_all(dir);
}

TEST(Simulation, DifferentSeedsDiffer) {
  Fixture f(20000, 2);
  const sim::Results a = run_with_threads(f, 2);
  f.scenario.seed += 1;
  EXPECT_FALSE(a == run_with_threads(f, 2));
}

TEST(Simulation, RestartFromCheckpointGivesTheSameResults) {
  const Fixture f(20000, 7);
  const sim::Results straight = run_with_threads(f, 2);
  const fs::path ckpt = fs::temp_directory_path() / ("yidi-ckpt-test-" + std::to_string(::getpid()) + ".bin");
  const std::string sha = "test-scenario";
  {
    sim::Simulation s(f.scenario, f.book, f.world);
    for (int i = 0; i < 3; ++i) s.run_month();
    io::write_checkpoint(ckpt.string(), s.view(), sha);
  }  // "killed" here
  sim::Simulation resumed(f.scenario, f.book, f.world);
  const sim::Agent* storage = resumed.agents().data();
  resumed.restore(io::read_checkpoint(ckpt.string(), sha, resumed.take_agents()));
  EXPECT_EQ(resumed.agents().data(), storage);  // read in place: one population in memory
  EXPECT_EQ(resumed.months_done(), 3);
  while (!resumed.done()) resumed.run_month();
  EXPECT_TRUE(resumed.results() == straight);
  EXPECT_THROW(io::read_checkpoint(ckpt.string(), "another scenario", sim::AgentVector(resumed.agents().size())),
               io::InputError);
  // A checkpoint of another population size (another scale, or another rank's part) is refused.
  try {
    (void)io::read_checkpoint(ckpt.string(), sha, sim::AgentVector(10));
    ADD_FAILURE() << "a checkpoint of another population size must be refused";
  } catch (const io::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint holds " + std::to_string(resumed.agents().size()) +
                                         " agents; expected 10 (the same scenario and rank count)"),
              std::string::npos)
        << e.what();
  }
  fs::remove(ckpt);
}

TEST(Simulation, ClearingLedgerConservesEveryFen) {
  const Fixture f(20000, 15);
  sim::Simulation s(f.scenario, f.book, f.world, sim::serial_comm(), sim::SimulationOptions{.ledger_events = true});
  while (!s.done()) s.run_month();
  EXPECT_EQ(s.clearing().ledger().total(), Money::zero());
  EXPECT_EQ(s.clearing().ledger().replay(), s.clearing().ledger().balances());
  // Money the funds paid for direct cross-province care equals what the hospitals received for it.
  Money paid, received;
  for (const auto& e : s.clearing().ledger().events())
    if (e.purpose == Purpose::direct_settlement && e.from.kind == AccountKind::prepayment) received += e.amount;
  for (auto v : s.results().data("offsite/fund").i) paid += Money::fen(v);
  EXPECT_LE(received, paid);  // manual-path entitlements are in offsite/fund but never in direct settlement
  EXPECT_GT(received, Money::zero());
  // Without the event log (how runs go) the balances and the results are the same.
  sim::Simulation lean(f.scenario, f.book, f.world);
  while (!lean.done()) lean.run_month();
  EXPECT_TRUE(lean.clearing().ledger().events().empty());
  EXPECT_EQ(lean.clearing().ledger().balances(), s.clearing().ledger().balances());
  EXPECT_EQ(lean.clearing().ledger().total(), Money::zero());
  EXPECT_EQ(lean.results().data("offsite/fund").i, s.results().data("offsite/fund").i);
}

// The embedded targets (scenarios/targets/national-2018-2023.csv, from ../shared/data/national-stats.csv)
// of 2022 and 2023 on a 1:2000 sample of the baseline's first two years: every one within its ±10%
// but the misses named here, each asserted on its side (issue 15: the 2022 rate as officially
// counted, the 2022 volume the 2023 bulletin's +98% implies, the fund paid per outpatient visit),
// and one at its band's edge, asserted near it.
TEST(Simulation, BaselineReproducesTheCalibrationTargets) {
  const Fixture f(2000, 24);
  const auto targets = io::load_targets("");
  const auto rows = sim::calibration(run_with_threads(f, 2), targets);
  ASSERT_EQ(rows.size(), 34u);  // the file's 2022 and 2023 rows
  const std::map<std::string, std::pair<double, double>> misses = {
      {"2022 xprov_inpatient_ds_rate", {1.1, 1.25}},
      {"2022 xprov_inpatient_ds_persontimes", {1.1, 1.45}},
      {"2023 xprov_outpatient_ds_fund", {0.55, 0.8}},
  };
  // At the edge of its band: 0.912 at 1:1000, 0.882 at this sample's 1:2000.
  const std::map<std::string, std::pair<double, double>> edges = {{"2022 xprov_inpatient_ds_fund", {0.85, 0.95}}};
  for (const auto& r : rows) {
    const std::string key = std::to_string(r.target.year) + " " + r.target.measure;
    ASSERT_TRUE(r.has_value) << key;
    if (const auto e = edges.find(key); e != edges.end()) {
      EXPECT_GE(r.ratio(), e->second.first) << key;
      EXPECT_LE(r.ratio(), e->second.second) << key;
      continue;
    }
    if (const auto m = misses.find(key); m != misses.end()) {
      EXPECT_FALSE(r.met()) << key << ": model " << r.model << " now meets " << r.target.value << "; drop it from the misses";
      EXPECT_GE(r.ratio(), m->second.first) << key;
      EXPECT_LE(r.ratio(), m->second.second) << key;
      continue;
    }
    EXPECT_TRUE(r.met()) << key << ": model " << r.model << " vs data " << r.target.value;
  }
}

TEST(OutputSchema, CommittedSchemaDocIsCurrent) {
  EXPECT_TRUE(slurp(fs::path(YIDI_SOURCE_DIR) / "outputs/SCHEMA.md") == sim::schema_markdown())
      << "outputs/SCHEMA.md is out of date; regenerate it with: yidi schema > outputs/SCHEMA.md";
}

TEST(Parameters, CommittedParameterDocIsCurrent) {
  EXPECT_TRUE(slurp(fs::path(YIDI_SOURCE_DIR) / "docs/parameters.md") == sim::params_markdown())
      << "docs/parameters.md is out of date; regenerate it with: yidi params > docs/parameters.md";
}

TEST(Parameters, EveryParameterHasASourceAndItsDefaultIsInRange) {
  const sim::SimParams d;
  for (const auto& p : sim::param_defs()) {
    EXPECT_FALSE(p.source.empty()) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
    if (p.kind == sim::ParamDef::Kind::number) {
      EXPECT_GE(d.*(p.number), p.min) << p.name;
      EXPECT_LE(d.*(p.number), p.max) << p.name;
    } else {
      for (const auto& [m, v] : (d.*(p.series)).points) {
        EXPECT_GE(v, p.min) << p.name;
        EXPECT_LE(v, p.max) << p.name;
      }
    }
  }
}

TEST(OutputSchema, ProvinceLabelsAreTheWorldsProvinces) {
  const auto world = sim::embedded_world();
  const auto labels = sim::dim_labels(sim::Dim::province);
  ASSERT_EQ(labels.size(), world.provinces().size());
  for (std::size_t i = 0; i < labels.size(); ++i) EXPECT_EQ(labels[i], world.provinces()[i].code.str());
  // The region dimension has no fixed labels: a run's are its world's 342 pools.
  EXPECT_TRUE(sim::dim_labels(sim::Dim::region).empty());
  EXPECT_EQ(sim::run_labels(world).regions.size(), 342u);
  EXPECT_EQ(sim::run_labels(world).region_names_en[world.index_of(RegionCode::of(410300))], "Luoyang");
}

TEST(Population, LayoutMatchesTheNationalCountsAndCensusShares) {
  const auto world = sim::embedded_world();
  const sim::SimParams p;
  const auto l = sim::make_layout(world, p, 1000);
  double employees = 0, residents = 0;
  for (std::size_t i = 0; i < world.size(); ++i) {
    employees += l.count[i][0] * 1000.0;
    residents += l.count[i][2] * 1000.0;
  }
  EXPECT_NEAR(employees / p.employees_in_service, 1.0, 0.001);  // 2022 快报 26,607万 [VERIFIED]
  EXPECT_NEAR(residents / p.residents, 1.0, 0.001);             // 2022 bulletin 98,349万 [VERIFIED]
  // Guangdong (440000) holds the largest census population: 126,012,510 of 1,409,778,724 (8.94%),
  // in its 21 pools; Guangzhou (440100) 18,676,605 of them (prefecture-census-2020.csv).
  const auto& gd = world.provinces()[*world.province_index(RegionCode::of(440000))];
  EXPECT_EQ(gd.regions.size(), 21u);
  double gd_residents = 0;
  for (std::size_t r : gd.regions) gd_residents += l.count[r][2] * 1000.0;
  EXPECT_NEAR(gd_residents / p.residents, 126012510.0 / 1409778724.0, 0.0005);
  EXPECT_NEAR(l.count[world.index_of(RegionCode::of(440100))][2] * 1000.0 / p.residents, 18676605.0 / 1409778724.0, 0.0005);
}

TEST(Population, OffsiteStockMatchesTheCensusInflowShare) {
  const auto world = sim::embedded_world();
  const sim::SimParams p;
  const auto l = sim::make_layout(world, p, 1000);
  const auto mob = sim::Mobility::build(world, p, l);
  const auto agents = sim::build_agents(world, p, l, mob, sim::Rng(7));
  ASSERT_EQ(agents.size(), l.total);
  std::vector<double> into(world.size(), 0.0), intra(world.provinces().size(), 0.0);
  for (std::size_t h = 0; h < world.size(); ++h)  // agents lie by home region: home is implicit
    for (std::size_t g = 0; g < sim::kGroups; ++g)
      for (std::uint32_t i = l.begin[h][g]; i < l.begin[h][g] + l.count[h][g]; ++i)
        if (agents[i].is_away(h)) {
          if (world.same_province(h, agents[i].region())) intra[world.province_of(h)] += 1000;
          else into[agents[i].region()] += 1000;
        }
  // Shanghai 310000: census inflow 10,479,652 [VERIFIED] × offsite_insured_share, within sampling noise.
  const std::size_t sh = world.index_of(RegionCode::of(310000));
  EXPECT_NEAR(into[sh] / (10479652.0 * p.offsite_insured_share), 1.0, 0.05);
  double total = 0;
  for (double x : into) total += x;
  EXPECT_NEAR(total / (124837153.0 * p.offsite_insured_share), 1.0, 0.03);  // national 跨省流动人口 [VERIFIED]
  // Intra-province: Henan's within-province separation 24,365,959 (province-census-2020.csv
  // [VERIFIED]) × the 省内流动 share × the cross-pool share × the share insured at home.
  const std::size_t henan = *world.province_index(RegionCode::of(410000));
  EXPECT_NEAR(intra[henan] / (24365959.0 * p.intra_floating_share * p.intra_cross_pool_share * p.intra_insured_share), 1.0,
              0.05);
  // The XPCC and the municipalities are one pool each: no intra-province stock.
  EXPECT_EQ(intra[*world.province_index(RegionCode::of(110000))], 0.0);
}

// step_range (batched words, integer thresholds, the full step only when something happens) makes
// the same decisions as step_agent on every agent: same agents and same totals, in a January
// (year reset) and in a later month, over a range that starts and ends inside cells.
TEST(Population, StepRangeEqualsStepAgent) {
  const Fixture f(5000, 1);
  const Stepping st(f);
  const sim::Layout& l = st.l;
  sim::AgentVector fast = st.agents(), slow = fast;
  const std::uint32_t first = l.begin[3][1] + 7, count = l.begin[9][2] + 11 - first;
  for (int month : {f.scenario.start_month, f.scenario.start_month + 5, f.scenario.start_month + 12}) {
    const Stepping::Month mc(st, month);
    const sim::MonthContext& ctx = mc.ctx;
    sim::MonthTotals by_range(f.world.size()), by_agent(f.world.size());
    sim::step_range(fast.data() + first, first, count, l, ctx, by_range);
    for (std::uint32_t i = first; i < first + count; ++i) {
      const auto [home, group] = l.cell_of(i);
      sim::step_agent(slow[i], i, home, group, ctx, by_agent);
    }
    EXPECT_TRUE(fast == slow) << "month " << month;
    EXPECT_TRUE(by_range == by_agent) << "month " << month;
    EXPECT_GT(by_agent.trips, 0);
  }
}

// The month's screen (sim/README.md) reproduces, in distribution, the model it stands for: every
// person drawing the four words and taking the full step. Two independent realisations over the
// 1:2000 population (673,000 agents), January and June, must agree on every count within 5
// standard errors of their difference (√(a + b) for counts a and b): trips, moves, returns, local
// stays, off-site visits by type; people living off-site within 1%, and the off-site fund within 5
// standard errors of its lognormal bills. Catches a screen whose events differ from the full
// step's (a forgotten event, a wrong threshold).
TEST(Population, ScreenReproducesTheUnscreenedModel) {
  const Fixture f(2000, 1);
  const Stepping st(f);
  const sim::SimParams& p = st.p;
  const sim::Layout& l = st.l;
  sim::AgentVector screened = st.agents(), unscreened = screened;
  sim::MonthTotals a(f.world.size()), b(f.world.size());
  for (int month : {f.scenario.start_month, f.scenario.start_month + 5}) {
    const Stepping::Month mc(st, month);
    const sim::MonthContext& ctx = mc.ctx;
    sim::step_range(screened.data(), 0, l.total, l, ctx, a);
    for (std::uint32_t i = 0; i < l.total; ++i) {
      const auto [home, group] = l.cell_of(i);
      sim::step_agent_unscreened(unscreened[i], i, home, group, ctx, b);
    }
  }
  auto agree = [](std::int64_t xi, std::int64_t yi, const char* what) {
    const auto x = static_cast<double>(xi), y = static_cast<double>(yi);
    EXPECT_GT(x + y, 400) << what << ": too few to compare";
    EXPECT_LE(std::abs(x - y), 5 * std::sqrt(x + y)) << what << ": screened " << x << ", unscreened " << y;
  };
  agree(a.trips, b.trips, "trips");
  agree(a.moves_out, b.moves_out, "moves out");
  agree(a.returns, b.returns, "returns");
  std::int64_t away_a = 0, away_b = 0;
  for (std::size_t i = 0; i < a.away.size(); ++i) away_a += a.away[i], away_b += b.away[i];
  // Mostly the same people in both (those living off-site at the start), hence a tighter bound.
  EXPECT_NEAR(static_cast<double>(away_a) / static_cast<double>(away_b), 1.0, 0.01) << "people living off-site";
  std::int64_t local_a = 0, local_b = 0;
  for (std::size_t i = 0; i < a.local.size(); ++i) local_a += a.local[i].visits, local_b += b.local[i].visits;
  agree(local_a, local_b, "local stays");
  std::array<std::int64_t, sim::kVisitTypes> by_type_a{}, by_type_b{};
  std::int64_t fund_a = 0, fund_b = 0;
  for (const auto& [key, flow] : a.offsite.sorted()) {
    by_type_a[a.offsite_cell(key)[3]] += flow.visits;
    fund_a += flow.fund;
  }
  for (const auto& [key, flow] : b.offsite.sorted()) {
    by_type_b[b.offsite_cell(key)[3]] += flow.visits;
    fund_b += flow.fund;
  }
  agree(by_type_a[0], by_type_b[0], "off-site inpatient stays");
  agree(by_type_a[1], by_type_b[1], "off-site general outpatient visits");
  agree(by_type_a[2], by_type_b[2], "off-site chronic outpatient visits");
  agree(by_type_a[3], by_type_b[3], "off-site pharmacy purchases");
  // The fund is mostly off-site stays' bills, lognormal with σ = care.inpatient_cost_sigma: a sum
  // of n of them has a relative standard error of √((1 + cv²) / n), cv² = exp(σ²) − 1 (about 4%
  // for 1,300 stays), so the two sums agree within 5 standard errors of their ratio.
  const double cv2 = std::exp(p.inpatient_cost_sigma * p.inpatient_cost_sigma) - 1;
  const double se = std::sqrt((1 + cv2) / static_cast<double>(by_type_a[0]) + (1 + cv2) / static_cast<double>(by_type_b[0]));
  EXPECT_NEAR(static_cast<double>(fund_a) / static_cast<double>(fund_b), 1.0, 5 * se) << "off-site fund paid";
}

TEST(Scenario, ResolvedFormRoundTrips) {
  const sim::Scenario s = io::load_scenario("baseline");
  const std::string once = io::resolved_yaml(s);
  EXPECT_EQ(io::resolved_yaml(io::parse_scenario(once, "resolved")), once);
}

// The fund policy response [seed 003 二]: a province below 6 months payable deepens its
// temporary reductions from the next month; with the response off nothing changes.
TEST(Simulation, FundPolicyResponseDeepensReductionsBelowTheFloor) {
  Fixture f(20000, 6);
  f.scenario.params.opening_months_resident = 1.0;  // residents' funds start far below 6 months
  const sim::Results off = run_with_threads(f, 2);
  f.scenario.params.response_points = 10;
  const sim::Results on = run_with_threads(f, 2);
  std::int64_t active_off = 0, active_on = 0;
  for (auto v : off.data("funds/response_active").i) active_off += v;
  for (auto v : on.data("funds/response_active").i) active_on += v;
  EXPECT_EQ(active_off, 0);
  EXPECT_GT(active_on, 0);
  // Month 1 is before any response; afterwards the funds pay less for the same off-site visits.
  const auto& spec = sim::dataset("offsite/fund");
  const std::size_t n = sim::Results::slice_size(spec);
  std::int64_t first_off = 0, first_on = 0, later_off = 0, later_on = 0;
  for (std::size_t j = 0; j < n; ++j) {
    first_off += off.data("offsite/fund").i[j];
    first_on += on.data("offsite/fund").i[j];
  }
  for (std::size_t j = n; j < off.data("offsite/fund").i.size(); ++j) {
    later_off += off.data("offsite/fund").i[j];
    later_on += on.data("offsite/fund").i[j];
  }
  EXPECT_EQ(first_on, first_off);
  EXPECT_LT(later_on, later_off);
  // The same visits; since issue 16 their paths may differ (filing responds to the deeper cuts).
  const auto& von = on.data("offsite/visits").i;
  const auto& voff = off.data("offsite/visits").i;
  ASSERT_EQ(von.size(), voff.size());
  for (std::size_t j = 0; j < von.size(); j += 2) EXPECT_EQ(von[j] + von[j + 1], voff[j] + voff[j + 1]) << j;
}

// A population too large for memory is refused up front, naming the field and what would fit.
TEST(Population, TooLargeForMemoryIsAClearError) {
  const auto world = sim::embedded_world();
  const auto full = sim::make_layout(world, sim::SimParams{}, 1);  // 1.346 billion agents (2022 counts), 15 GiB
  try {
    sim::check_population_fits(full, 8ull << 30, "scenarios/national.yaml");
    FAIL() << "expected an error";
  } catch (const io::InputError& e) {
    EXPECT_EQ(e.field(), "scale");
    EXPECT_EQ(std::string(e.what()),
              "scenarios/national.yaml: field 'scale': a population of 1345920012 agents (1:1) needs 15.3 GiB of memory "
              "but 8.0 GiB are available; expected a sampling ratio of at least 1:2");
  }
  EXPECT_NO_THROW(sim::check_population_fits(sim::make_layout(world, sim::SimParams{}, 1000), 8ull << 30, "x"));
}

// Networked coverage by province and year: with no networked institution in Beijing, no direct
// settlement is cleared to Beijing, while the baseline clears some every month after the first.
TEST(Simulation, NetworkedCoverageByProvince) {
  Fixture f(20000, 4);
  const sim::Results base = run_with_threads(f, 2);
  f.scenario = io::parse_scenario(
      "params:\n  levers.networked_inpatient.by_province: {\"110000\": 0}\n"
      "  levers.networked_outpatient.by_province: {\"110000\": {2020: 0, 2030: 0}}\n",
      "override", f.scenario);
  ASSERT_EQ(f.scenario.params.by_region.at("levers.networked_inpatient").count(110000), 1u);
  const sim::Results closed = run_with_threads(f, 2);
  const auto& gross_base = base.data("clearing/gross").i;
  const auto& gross_closed = closed.data("clearing/gross").i;
  const std::size_t P = sim::dim_size(sim::Dim::province);  // clearing/gross: month × insured × treatment
  std::int64_t to_beijing_base = 0, to_beijing_closed = 0, elsewhere_closed = 0;
  for (std::size_t i = 0; i < gross_base.size(); ++i) {
    if (i % P == 0) {  // treatment province 110000 is the first label
      to_beijing_base += gross_base[i];
      to_beijing_closed += gross_closed[i];
    } else {
      elsewhere_closed += gross_closed[i];
    }
  }
  EXPECT_GT(to_beijing_base, 0);
  EXPECT_EQ(to_beijing_closed, 0);
  EXPECT_GT(elsewhere_closed, 0);
  // The resolved form keeps the override, as .by_region, and reads back the same.
  const std::string resolved = io::resolved_yaml(f.scenario);
  EXPECT_NE(resolved.find("levers.networked_inpatient.by_region: {\"110000\": {"), std::string::npos);
  EXPECT_EQ(io::resolved_yaml(io::parse_scenario(resolved, "resolved")), resolved);
  // A scenario on top replaces a region's series; one file giving it twice is refused.
  const sim::Scenario over = io::parse_scenario("params:\n  levers.networked_inpatient.by_region: {\"110000\": 0.5}\n", "child", f.scenario);
  EXPECT_EQ(over.params.by_region.at("levers.networked_inpatient").at(110000).at(2024 * 12), 0.5);
  EXPECT_THROW((void)io::parse_scenario("params:\n  levers.networked_inpatient.by_region: {\"110000\": 0.5}\n"
                                        "  levers.networked_inpatient.by_province: {\"110000\": 0.6}\n",
                                        "twice", f.scenario),
               io::InputError);
}

// The filing levers by insured region: with no filing of any kind for Sichuan's insured, Sichuan's
// cross-province inpatient direct-settlement rate falls, and every other province's is the same
// to the bit (each person's draws are their own; the fund response is off by default).
TEST(Simulation, FilingLeversByInsuredRegion) {
  Fixture f(10000, 6);
  const sim::Results base = run_with_threads(f, 2);
  f.scenario = io::parse_scenario(
      "params:\n  levers.trip_filing.by_region: {\"510000\": 0}\n"
      "  levers.long_term_filing.by_region: {\"510000\": 0}\n"
      "  levers.retroactive_filing.by_region: {\"510000\": 0}\n",
      "override", f.scenario);
  const sim::Results none = run_with_threads(f, 2);
  // Cross-province inpatient stays and those settled directly, by insured province, over the run.
  sim::ExportOptions o;
  o.level = sim::ExportLevel::province;
  o.period = sim::ExportPeriod::all;
  o.measures = {"cross_inpatient_stays", "cross_inpatient_direct"};
  const sim::ExportTable b = sim::export_table(base, o), n = sim::export_table(none, o);
  ASSERT_EQ(b.rows.size(), n.rows.size());
  ASSERT_EQ(b.rows.size(), 2 * b.codes.size());
  int sichuan = 0;
  for (std::size_t k = 0; k < b.rows.size(); k += 2) {
    const std::string& code = b.codes[b.rows[k].unit];
    EXPECT_EQ(b.rows[k].value.i, n.rows[k].value.i) << code;  // the same stays
    if (code == "510000") {
      ++sichuan;
      EXPECT_GT(b.rows[k + 1].value.i, 0);
      // Most of Sichuan's direct settlement needs a filing: fewer than 4 in 5 remain.
      EXPECT_LT(5 * n.rows[k + 1].value.i, 4 * b.rows[k + 1].value.i);
    } else {
      EXPECT_EQ(b.rows[k + 1].value.i, n.rows[k + 1].value.i) << code;
    }
  }
  EXPECT_EQ(sichuan, 1);
  // A pool's own series wins over its province's: Chengdu's insured keep the national levers.
  f.scenario = io::parse_scenario("params:\n  levers.trip_filing.by_region: {\"510100\": {2017: 0.02, 2025: 0.62}}\n", "pool",
                                  f.scenario);
  const auto& by = f.scenario.params.by_region.at("levers.trip_filing");
  EXPECT_EQ(sim::regional_series(f.scenario.params, "levers.trip_filing", f.scenario.params.trip_filing, 510100, 510000).at(2025 * 12), 0.62);
  EXPECT_EQ(sim::regional_series(f.scenario.params, "levers.trip_filing", f.scenario.params.trip_filing, 510700, 510000).at(2025 * 12), 0.0);
  EXPECT_EQ(sim::regional_series(f.scenario.params, "levers.trip_filing", f.scenario.params.trip_filing, 440100, 440000).at(2025 * 12),
            f.scenario.params.trip_filing.at(2025 * 12));
  EXPECT_EQ(by.size(), 2u);
  // Keys by name read as the codes they name (a province before a pool: 北京 is 110000).
  const auto named = io::parse_scenario("params:\n  levers.trip_filing.by_region: {四川: 0.3, Chengdu: 0.4, 北京: 0.5}\n", "names");
  const auto& by_name = named.params.by_region.at("levers.trip_filing");
  ASSERT_EQ(by_name.size(), 3u);
  EXPECT_EQ(by_name.at(510000).at(2025 * 12), 0.3);
  EXPECT_EQ(by_name.at(510100).at(2025 * 12), 0.4);
  EXPECT_EQ(by_name.at(110000).at(2025 * 12), 0.5);
  // A code the world does not hold is refused as the file is read, at its line ...
  try {
    (void)io::parse_scenario("params:\n  levers.trip_filing.by_region: {\"519900\": 0.5}\n", "bad", f.scenario);
    ADD_FAILURE() << "a code outside the world was read";
  } catch (const io::InputError& e) {
    EXPECT_STREQ(e.what(), "bad:2:34: field 'params.levers.trip_filing.by_region': '519900' is neither a province nor a pool "
                           "of the world; expected the code or name of one (yidi schema lists them)");
  }
  // ... and, in a scenario built in code, before any run.
  f.scenario.params.by_region["levers.trip_filing"][519900] = sim::Series::flat(0.5);
  try {
    (void)run_with_threads(f, 1);
    ADD_FAILURE() << "a code outside the world was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "params.levers.trip_filing.by_region: '519900' is neither a province nor a pool of the world; "
                           "expected the code of one");
  }
}
