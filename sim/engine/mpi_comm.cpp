#include "sim/engine/mpi_comm.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace yidi::sim {
namespace {

const MpiSession* g_session = nullptr;

class MpiComm final : public Comm {
public:
  MpiComm() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(std::span<std::int64_t> data) const override {
    // Chunks below INT_MAX elements; MPI_SUM over integers is exact, so the order does not matter.
    constexpr std::size_t kChunk = 1u << 28;
    for (std::size_t at = 0; at < data.size(); at += kChunk) {
      const auto n = static_cast<int>(std::min(kChunk, data.size() - at));
      check(MPI_Allreduce(MPI_IN_PLACE, data.data() + at, n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD));
    }
  }
  std::vector<std::int64_t> gather(std::span<const std::int64_t> mine) const override {
    // Counts below INT_MAX: the off-site cells of a month (at most regions² × 24 of 8 values).
    if (mine.size() > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("MPI gather of more than INT_MAX values");
    int n = static_cast<int>(mine.size());
    std::vector<int> counts(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD));
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      if (total > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("MPI gather of more than INT_MAX values");
      offsets[r] = static_cast<int>(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    if (total > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("MPI gather of more than INT_MAX values");
    std::vector<std::int64_t> all(total);
    check(MPI_Allgatherv(mine.data(), n, MPI_INT64_T, all.data(), counts.data(), offsets.data(), MPI_INT64_T,
                         MPI_COMM_WORLD));
    return all;
  }
  std::pair<std::int64_t, std::int64_t> min_max(std::int64_t value) const override {
    std::int64_t lo = value, hi = value;
    check(MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD));
    check(MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD));
    return {lo, hi};
  }

private:
  static void check(int rc) {
    if (rc != MPI_SUCCESS) throw std::runtime_error("MPI_Allreduce failed (code " + std::to_string(rc) + ")");
  }
  int rank_ = 0, size_ = 1;
};

}  // namespace

bool launched_by_mpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr; }

MpiSession::MpiSession(int& argc, char**& argv) {
  if (launched_by_mpirun()) {
    MPI_Init(&argc, &argv);
    initialised_ = true;
    comm_ = std::make_unique<MpiComm>();
  } else {
    comm_ = std::make_unique<Comm>();
  }
  g_session = this;
}

MpiSession::~MpiSession() {
  g_session = nullptr;
  comm_.reset();
  if (initialised_) MPI_Finalize();
}

void MpiSession::abort(int code) const {
  if (initialised_ && comm_->size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

const MpiSession* MpiSession::current() { return g_session; }

}  // namespace yidi::sim
