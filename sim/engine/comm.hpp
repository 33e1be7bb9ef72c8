#pragma once
// How the ranks of one run talk. A run is split by insured region over ranks (partition());
// each rank steps only its own agents, and at every month end the ranks sum their integer month
// totals, so every rank feeds the same totals to its own copy of the clearing system and funds.
// Integer sums do not depend on the order they are added in, so the outputs are the same bytes
// for any number of ranks. Serial runs use Comm itself (one rank, nothing to exchange); runs
// started with `mpirun` use MpiComm (sim/engine/mpi_comm.hpp). The model code never sees MPI.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sim/model/population.hpp"

namespace yidi::sim {

class Comm {
public:
  virtual ~Comm() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  /// Element-wise sum over all ranks, in place, the same on every rank.
  virtual void sum(std::span<std::int64_t> data) const { (void)data; }
  /// Every rank's `mine`, concatenated in rank order, the same on every rank (for the sparse
  /// off-site cells, whose keys differ between ranks).
  virtual std::vector<std::int64_t> gather(std::span<const std::int64_t> mine) const {
    return std::vector<std::int64_t>(mine.begin(), mine.end());
  }
  /// The smallest and largest of one value over all ranks.
  virtual std::pair<std::int64_t, std::int64_t> min_max(std::int64_t value) const { return {value, value}; }
};

/// The serial Comm: one rank.
const Comm& serial_comm();

/// Sums a month's totals over all ranks, in place.
void sum_over_ranks(const Comm& comm, MonthTotals& totals);

/// The agents one rank owns: the insured regions [province_begin, province_end) of the world,
/// which are the agents [agent_begin, agent_end) of the layout (agents are sorted by home region).
struct Partition {
  std::size_t province_begin = 0, province_end = 0;  // region indices
  std::uint32_t agent_begin = 0, agent_end = 0;
  std::uint32_t agents() const { return agent_end - agent_begin; }
};

/// Rank `rank` of `ranks`: whole insured regions, contiguous, cut where the running weight (the
/// regions' agents, Layout::agents_of) is nearest to an equal share, so a rank's load is within
/// one region's agents of it. With more ranks than regions some ranks own none.
Partition partition(const Layout& layout, int rank, int ranks);

}  // namespace yidi::sim
