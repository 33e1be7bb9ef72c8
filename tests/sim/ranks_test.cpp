// A run split over ranks (sim/engine/comm.hpp) in one process: each "rank" is a thread with its
// own Simulation, and ThreadComm sums their month totals the way MPI_Allreduce does. Every rank
// must end with the results of the serial run, to the last integer. The real mpirun test is
// tests/cli/mpi_cli_test.cpp; this one also runs under the sanitizers.
#include <gtest/gtest.h>

#include <barrier>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "sim/engine/comm.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/io/scenario_yaml.hpp"
#include "sim/io/world_yaml.hpp"

using namespace yidi;

namespace {
/// K ranks as K threads: each contribution goes into a slot, and after a barrier every rank sums
/// all slots in rank order.
class ThreadComm final : public sim::Comm {
public:
  struct Shared {
    explicit Shared(int ranks) : slots(static_cast<std::size_t>(ranks)), sync(ranks) {}
    std::vector<std::vector<std::int64_t>> slots;
    std::barrier<> sync;
  };
  ThreadComm(Shared& shared, int rank) : shared_(shared), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(shared_.slots.size()); }
  void sum(std::span<std::int64_t> data) const override {
    shared_.slots[static_cast<std::size_t>(rank_)].assign(data.begin(), data.end());
    shared_.sync.arrive_and_wait();
    for (std::size_t i = 0; i < data.size(); ++i) {
      std::int64_t total = 0;
      for (const auto& s : shared_.slots) total += s[i];
      data[i] = total;
    }
    shared_.sync.arrive_and_wait();  // nobody overwrites a slot before all have read it
  }
  std::vector<std::int64_t> gather(std::span<const std::int64_t> mine) const override {
    shared_.slots[static_cast<std::size_t>(rank_)].assign(mine.begin(), mine.end());
    shared_.sync.arrive_and_wait();
    std::vector<std::int64_t> all;
    for (const auto& s : shared_.slots) all.insert(all.end(), s.begin(), s.end());
    shared_.sync.arrive_and_wait();
    return all;
  }
  std::pair<std::int64_t, std::int64_t> min_max(std::int64_t v) const override {
    shared_.slots[static_cast<std::size_t>(rank_)] = {v};
    shared_.sync.arrive_and_wait();
    std::int64_t lo = v, hi = v;
    for (const auto& s : shared_.slots) lo = std::min(lo, s[0]), hi = std::max(hi, s[0]);
    shared_.sync.arrive_and_wait();
    return {lo, hi};
  }

private:
  Shared& shared_;
  int rank_;
};

struct Fixture {
  sim::World world = sim::embedded_world();
  PolicyBook book;
  sim::Scenario scenario;
  Fixture() {
    scenario = io::load_scenario("baseline");
    scenario.scale = 20000;
    scenario.months = 3;
    book = io::scenario_policy(scenario);
  }
};
}  // namespace

// Ranks own contiguous provinces whose agents tile the population, in rank order, balanced to
// within one province of an equal share (each cut is at most half a province from its target).
TEST(Ranks, PartitionTilesTheProvincesInOrder) {
  const Fixture f;
  const sim::Layout layout = sim::make_layout(f.world, f.scenario.params, f.scenario.scale);
  std::uint32_t largest = 0;
  for (std::size_t p = 0; p < layout.regions(); ++p)
    largest = std::max(largest, layout.count[p][0] + layout.count[p][1] + layout.count[p][2]);
  for (int ranks = 1; ranks <= 40; ++ranks) {
    std::uint32_t next_agent = 0;
    std::size_t next_province = 0;
    for (int r = 0; r < ranks; ++r) {
      const sim::Partition p = sim::partition(layout, r, ranks);
      EXPECT_EQ(p.province_begin, next_province) << ranks << " ranks, rank " << r;
      EXPECT_EQ(p.agent_begin, next_agent) << ranks << " ranks, rank " << r;
      EXPECT_LE(p.province_begin, p.province_end);
      EXPECT_LE(p.agents(), layout.total / ranks + largest) << ranks << " ranks, rank " << r;
      next_agent = p.agent_end;
      next_province = p.province_end;
    }
    EXPECT_EQ(next_agent, layout.total) << ranks;
    EXPECT_EQ(next_province, f.world.size()) << ranks;
  }
  // One rank owns everything; 2 ranks cut the population near the middle.
  EXPECT_EQ(sim::partition(layout, 0, 1).agents(), layout.total);
  const sim::Partition half = sim::partition(layout, 0, 2);
  EXPECT_NEAR(static_cast<double>(half.agents()) / layout.total, 0.5, 0.08);
  EXPECT_THROW(sim::partition(layout, 2, 2), std::invalid_argument);
}

// 1, 2, 3 and 5 ranks in threads: every rank ends with the serial run's results, and the ranks'
// agents together are the serial run's agents.
TEST(Ranks, SplitRunEqualsSerialRunOnEveryRank) {
  const Fixture f;
  sim::Simulation serial(f.scenario, f.book, f.world);
  while (!serial.done()) serial.run_month();
  for (int ranks : {1, 2, 3, 5}) {
    ThreadComm::Shared shared(ranks);
    std::vector<sim::Results> results(static_cast<std::size_t>(ranks));
    std::vector<sim::AgentVector> agents(static_cast<std::size_t>(ranks));
    std::vector<std::thread> threads;
    for (int r = 0; r < ranks; ++r)
      threads.emplace_back([&, r] {
        const ThreadComm comm(shared, r);
        sim::Simulation s(f.scenario, f.book, f.world, comm);
        while (!s.done()) s.run_month();
        results[static_cast<std::size_t>(r)] = s.results();
        agents[static_cast<std::size_t>(r)] = s.agents();
      });
    for (auto& t : threads) t.join();
    std::vector<sim::Agent> joined;
    for (int r = 0; r < ranks; ++r) {
      EXPECT_TRUE(results[static_cast<std::size_t>(r)] == serial.results()) << ranks << " ranks, rank " << r;
      joined.insert(joined.end(), agents[static_cast<std::size_t>(r)].begin(), agents[static_cast<std::size_t>(r)].end());
    }
    ASSERT_EQ(joined.size(), serial.agents().size()) << ranks;
    EXPECT_EQ(std::memcmp(joined.data(), serial.agents().data(), joined.size() * sizeof(sim::Agent)), 0) << ranks;
  }
  // The run did something worth comparing: money was cleared between provinces.
  std::int64_t cleared = 0;
  for (std::int64_t x : serial.results().data("clearing/gross").i) cleared += x;
  EXPECT_GT(cleared, 0);
}

// The same on the 400-region test world (tests/sim/world-400.yaml): ranks own whole insured
// regions, exchange sparse off-site cells (Comm::gather), and every rank ends with the serial
// run's results; the cells of regions from 256 on travel too.
TEST(Ranks, SplitRunOf400RegionsEqualsSerialRun) {
  const std::string file = std::string(YIDI_SOURCE_DIR) + "/tests/sim/world-400.yaml";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const sim::World world = io::world_from_yaml(text.str(), file);
  ASSERT_EQ(world.size(), 400u);
  Fixture f;
  for (const auto& r : world.regions())
    if (!f.book.has_region(r.code)) f.book.add_region(RegionInfo{r.code, r.name, r.name_en});
  sim::Simulation serial(f.scenario, f.book, world);
  while (!serial.done()) serial.run_month();
  for (int ranks : {2, 3}) {
    ThreadComm::Shared shared(ranks);
    std::vector<sim::Results> results(static_cast<std::size_t>(ranks));
    std::vector<std::thread> threads;
    for (int r = 0; r < ranks; ++r)
      threads.emplace_back([&, r] {
        const ThreadComm comm(shared, r);
        sim::Simulation s(f.scenario, f.book, world, comm);
        while (!s.done()) s.run_month();
        results[static_cast<std::size_t>(r)] = s.results();
      });
    for (auto& t : threads) t.join();
    for (int r = 0; r < ranks; ++r)
      EXPECT_TRUE(results[static_cast<std::size_t>(r)] == serial.results()) << ranks << " ranks, rank " << r;
  }
  // Visits were treated in regions from 256 on (so their cells crossed ranks).
  const auto& bt = serial.results().data("offsite/by_treatment").i;  // month × 400 × 400 × 4
  std::int64_t to_high = 0;
  for (std::size_t i = 0; i < bt.size(); ++i)
    if ((i / 4) % 400 >= 256) to_high += bt[i];
  EXPECT_GT(to_high, 0);
}
