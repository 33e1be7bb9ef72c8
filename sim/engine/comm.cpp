#include "sim/engine/comm.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace yidi::sim {
namespace {
std::uint32_t first_agent(const Layout& l, std::size_t province) {
  return province < l.regions() ? l.begin[province][0] : l.total;
}
}  // namespace

const Comm& serial_comm() {
  static const Comm serial;
  return serial;
}

void sum_over_ranks(const Comm& comm, MonthTotals& t) {
  if (comm.size() == 1) return;
  // Flatten every integer of the totals into one buffer: one collective per month.
  constexpr std::size_t kFlow = 7;
  static_assert(sizeof(Flow) == kFlow * sizeof(std::int64_t), "sum_over_ranks must carry every field of Flow");
  // The off-site cells are sparse and differ between ranks: every rank's (key, flow) list is
  // gathered and summed into the same cells on every rank (integer sums, in any order).
  {
    std::vector<std::int64_t> mine;
    mine.reserve(t.offsite.size() * (1 + kFlow));
    for (const auto& [key, f] : t.offsite.sorted())
      mine.insert(mine.end(), {static_cast<std::int64_t>(key), f.visits, f.medfee, f.fund, f.hifp, f.layer, f.maf,
                               f.coaudit_fund});
    const std::vector<std::int64_t> all = comm.gather(mine);
    if (all.size() % (1 + kFlow) != 0) throw std::runtime_error("sum_over_ranks: a gathered off-site list is cut short");
    t.offsite = OffsiteFlows{};
    for (std::size_t at = 0; at < all.size(); at += 1 + kFlow)
      t.offsite.at(static_cast<std::uint64_t>(all[at]))
          .add(Flow{all[at + 1], all[at + 2], all[at + 3], all[at + 4], all[at + 5], all[at + 6], all[at + 7]});
  }
  std::vector<std::int64_t> buf;
  buf.reserve(t.local.size() * kFlow + t.inpatient_reasons.size() + t.away.size() + 3);
  auto put_flows = [&](const std::vector<Flow>& v) {
    for (const Flow& f : v) buf.insert(buf.end(), {f.visits, f.medfee, f.fund, f.hifp, f.layer, f.maf, f.coaudit_fund});
  };
  put_flows(t.local);
  buf.insert(buf.end(), t.inpatient_reasons.begin(), t.inpatient_reasons.end());
  buf.insert(buf.end(), t.away.begin(), t.away.end());
  buf.insert(buf.end(), {t.moves_out, t.returns, t.trips});
  comm.sum(buf);
  std::size_t at = 0;
  auto get_flows = [&](std::vector<Flow>& v) {
    for (Flow& f : v) {
      f = Flow{buf[at], buf[at + 1], buf[at + 2], buf[at + 3], buf[at + 4], buf[at + 5], buf[at + 6]};
      at += kFlow;
    }
  };
  get_flows(t.local);
  for (auto& x : t.inpatient_reasons) x = buf[at++];
  for (auto& x : t.away) x = buf[at++];
  t.moves_out = buf[at++];
  t.returns = buf[at++];
  t.trips = buf[at++];
}

Partition partition(const Layout& l, int rank, int ranks) {
  if (ranks < 1 || rank < 0 || rank >= ranks) throw std::invalid_argument("partition: rank out of range");
  // Cut r lies at the insured-region boundary whose running weight (the regions' agents,
  // Layout::agents_of) is nearest to r/ranks of all agents (the first such boundary on a tie), so
  // cuts never go backwards as r grows.
  const std::size_t regions = l.regions();
  std::vector<std::uint64_t> running(regions + 1, 0);  // agents of regions [0, p)
  for (std::size_t p = 0; p < regions; ++p) running[p + 1] = running[p] + l.agents_of(p);
  auto cut = [&](int r) -> std::size_t {
    if (r <= 0) return 0;
    if (r >= ranks) return regions;
    const double target = static_cast<double>(running[regions]) * r / ranks;
    std::size_t best = 0;
    double best_gap = target;
    for (std::size_t p = 1; p <= regions; ++p) {
      const double gap = std::abs(static_cast<double>(running[p]) - target);
      if (gap < best_gap) {
        best = p;
        best_gap = gap;
      }
    }
    return best;
  };
  Partition part;
  part.province_begin = cut(rank);
  part.province_end = cut(rank + 1);
  part.agent_begin = first_agent(l, part.province_begin);
  part.agent_end = first_agent(l, part.province_end);
  return part;
}

}  // namespace yidi::sim
