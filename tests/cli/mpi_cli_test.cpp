// `mpirun -np K yidi run` (OpenMPI from Debian): the run is split by insured province over K ranks
// and gives the same output for K = 1, 2, 3 as a run without MPI (issue 6). CI runs as root on a
// 2-core machine, so mpirun is allowed to run as root and to oversubscribe.
#include <gtest/gtest.h>

#include "sim/io/hdf5_output.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
namespace fs = std::filesystem;

namespace {
const std::string kSmall = "run baseline --scale 1:20000 --months 4 --threads 1 ";
// ASan's leak check would report OpenMPI's own allocations at exit in the sanitizer build.
const std::string kEnv = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 ";
std::string mpirun(int ranks) { return kEnv + "mpirun --oversubscribe -np " + std::to_string(ranks); }

/// Offsets at which two equally long byte strings differ.
std::vector<std::size_t> differences(const std::string& a, const std::string& b) {
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (a[i] != b[i]) at.push_back(i);
  return at;
}
}  // namespace

class MpiCli : public CliTest {};

// The same seed gives the same bytes on 1, 2 and 3 ranks and without mpirun, but for the one
// provenance attribute that records the rank count (an int64: its lowest byte is the count).
TEST_F(MpiCli, OneTwoAndThreeRanksWriteTheSameBytesButTheRankCount) {
  const Outcome plain = yidi(kSmall + "-o plain.h5");
  ASSERT_EQ(plain.code, 0) << plain.err;
  for (int k : {1, 2, 3}) {
    const Outcome o = yidi_with(mpirun(k), kSmall + "-o ranks" + std::to_string(k) + ".h5");
    ASSERT_EQ(o.code, 0) << o.err;
    EXPECT_EQ(o.out, "");
  }
  const std::string base = slurp(work() / "plain.h5");
  ASSERT_GT(base.size(), 100000u);
  EXPECT_TRUE(base == slurp(work() / "ranks1.h5"));
  const std::vector<std::size_t> two = differences(base, slurp(work() / "ranks2.h5"));
  const std::vector<std::size_t> three = differences(base, slurp(work() / "ranks3.h5"));
  EXPECT_EQ(slurp(work() / "ranks2.h5").size(), base.size());
  EXPECT_EQ(slurp(work() / "ranks3.h5").size(), base.size());
  ASSERT_EQ(two.size(), 1u);
  ASSERT_EQ(three, two);  // the same single byte
  EXPECT_EQ(base[two[0]], 1);
  EXPECT_EQ(slurp(work() / "ranks2.h5")[two[0]], 2);
  EXPECT_EQ(slurp(work() / "ranks3.h5")[two[0]], 3);
  EXPECT_EQ(io::read_number_attribute_hdf5((work() / "ranks3.h5").string(), "ranks"), 3);
  EXPECT_EQ(io::read_number_attribute_hdf5((work() / "plain.h5").string(), "ranks"), 1);
  EXPECT_EQ(io::read_number_attribute_hdf5((work() / "ranks3.h5").string(), "agents"), 67296);
  EXPECT_TRUE(io::read_results_hdf5((work() / "ranks3.h5").string()) == io::read_results_hdf5((work() / "plain.h5").string()));
  EXPECT_EQ(files(), (std::set<std::string>{"plain.h5", "ranks1.h5", "ranks2.h5", "ranks3.h5"}));
}

// Each rank checkpoints its own agents; a 2-rank run stopped after 2 months and resumed on 2 ranks
// gives the bytes of an uninterrupted 2-rank run.
TEST_F(MpiCli, ResumedTwoRankRunGivesTheSameBytes) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o straight.h5").code, 0);
  const Outcome stopped =
      yidi_with(mpirun(2), kSmall + "-o resumed.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2");
  ASSERT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_EQ(stopped.err, "yidi run: stopped after 2 months (--stop-after)\n");
  EXPECT_TRUE(fs::exists(work() / "ckpt" / "baseline.rank-0-of-2.ckpt"));
  EXPECT_TRUE(fs::exists(work() / "ckpt" / "baseline.rank-1-of-2.ckpt"));
  const Outcome resumed = yidi_with(mpirun(2), kSmall + "-o resumed.h5 --checkpoint ckpt --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(slurp(work() / "straight.h5") == slurp(work() / "resumed.h5"));
}

// A rank whose checkpoint is missing would continue from another month than the others: refused.
TEST_F(MpiCli, RanksWhoseCheckpointsDisagreeAreRefused) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o out.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2").code, 0);
  fs::remove(work() / "ckpt" / "baseline.rank-1-of-2.ckpt");
  const Outcome o = yidi_with(mpirun(2), kSmall + "-o out.h5 --checkpoint ckpt --resume");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("the ranks' checkpoints disagree (months 0 to 2); expected one checkpoint per rank from the same "
                       "run, written by 2 ranks"),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(work() / "out.h5"));
}

// Checkpoints written by 2 ranks cannot be resumed by 3 ranks or without mpirun (which would
// silently start again from the first month).
TEST_F(MpiCli, CheckpointsResumeOnlyWithTheirRankCount) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o out.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2").code, 0);
  const Outcome three = yidi_with(mpirun(3), kSmall + "-o out.h5 --checkpoint ckpt --resume");
  EXPECT_NE(three.code, 0);
  EXPECT_NE(three.err.find("baseline.rank-"), std::string::npos) << three.err;
  EXPECT_NE(three.err.find("-of-2.ckpt: checkpoint written by a run on 2 rank(s); expected 3 (resume with the rank count "
                           "that wrote it)"),
            std::string::npos)
      << three.err;
  const Outcome plain = yidi(kSmall + "-o out.h5 --checkpoint ckpt --resume");
  EXPECT_EQ(plain.code, 1);
  EXPECT_NE(plain.err.find("checkpoint written by a run on 2 rank(s); expected 1"), std::string::npos) << plain.err;
  EXPECT_FALSE(fs::exists(work() / "out.h5"));
}

// Only a run is split over ranks; other commands say so instead of running K times.
TEST_F(MpiCli, OtherCommandsRefuseToRunOnSeveralRanks) {
  const Outcome o = yidi_with(mpirun(2), "replicates baseline -n 2 -o r.h5");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("yidi: only `yidi run` runs over MPI ranks; start `yidi replicates` without mpirun"),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(work() / "r.h5"));
}
