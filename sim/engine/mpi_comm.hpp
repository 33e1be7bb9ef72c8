#pragma once
// Comm over MPI (OpenMPI from Debian): the only file of yidi that includes <mpi.h>.
#include <memory>

#include "sim/engine/comm.hpp"

namespace yidi::sim {

/// True when this process was started by `mpirun` (OpenMPI sets OMPI_COMM_WORLD_SIZE); a plain
/// `yidi` does not initialise MPI at all.
bool launched_by_mpirun();

/// MPI for the lifetime of `main`: MPI_Init on construction when launched by mpirun, MPI_Finalize
/// on destruction; comm() is MPI_COMM_WORLD then, or a serial Comm otherwise.
class MpiSession {
public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  const Comm& comm() const { return *comm_; }
  /// Ends every rank at once after an error on one of them (a rank left waiting would hang).
  [[noreturn]] void abort(int code) const;
  /// The session of this process (set by the constructor), or nullptr.
  static const MpiSession* current();

private:
  bool initialised_ = false;
  std::unique_ptr<Comm> comm_;
};

}  // namespace yidi::sim
