// `mpirun -np K yidi run` (OpenMPI from Debian): the run is split by insured province over K ranks
// and gives the same output for K = 1, 2, 3 as a run without MPI (issue 6); its checkpoints form
// consistent sets that survive a rank killed while writing them (issue 12). CI runs as root on a
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

class MpiCli : public CliTest {
protected:
  /// Names in a folder of work/, hidden ones included.
  std::set<std::string> folder(const std::string& name) const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(work() / name)) out.insert(e.path().filename().string());
    return out;
  }
};

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
  EXPECT_EQ(io::read_number_attribute_hdf5((work() / "ranks3.h5").string(), "agents"), 67295);
  EXPECT_TRUE(io::read_results_hdf5((work() / "ranks3.h5").string()) == io::read_results_hdf5((work() / "plain.h5").string()));
  EXPECT_EQ(files(), (std::set<std::string>{"plain.h5", "ranks1.h5", "ranks2.h5", "ranks3.h5"}));
}

// Each rank checkpoints its own agents, one file per month; a 2-rank run stopped after 2 months
// and resumed on 2 ranks gives the bytes of an uninterrupted 2-rank run.
TEST_F(MpiCli, ResumedTwoRankRunGivesTheSameBytes) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o straight.h5").code, 0);
  const Outcome stopped =
      yidi_with(mpirun(2), kSmall + "-o resumed.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2");
  ASSERT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_EQ(stopped.err, "yidi run: stopped after 2 months (--stop-after)\n");
  EXPECT_EQ(folder("ckpt"),
            (std::set<std::string>{".yidi-output", "baseline.rank-0-of-2.m0002.ckpt", "baseline.rank-1-of-2.m0002.ckpt"}));
  const Outcome resumed = yidi_with(mpirun(2), kSmall + "-o resumed.h5 --checkpoint ckpt --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(slurp(work() / "straight.h5") == slurp(work() / "resumed.h5"));
}

// A rank's checkpoint removed by hand (no kill leaves that: a rank removes its previous file only
// once every rank has written the next) leaves no month that every rank holds: refused.
TEST_F(MpiCli, RanksWhoseCheckpointsDoNotFormASetAreRefused) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o out.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2").code, 0);
  fs::remove(work() / "ckpt" / "baseline.rank-1-of-2.m0002.ckpt");
  const Outcome o = yidi_with(mpirun(2), kSmall + "-o out.h5 --checkpoint ckpt --resume");
  EXPECT_NE(o.code, 0);
  // Both ranks find it and report it; whichever aborts first may end the other before it writes
  // its line (mpirun ends all ranks at once), so either rank's line is the expected report.
  const bool rank0 = o.err.find("[rank 0 of 2] yidi: ckpt/baseline.rank-0-of-2.m0002.ckpt: the ranks' checkpoints do not "
                                "form a complete set: rank 0 holds month(s) 2, and no month is held by all 2 ranks; "
                                "expected one checkpoint per rank of the same month (were files removed?)") !=
                     std::string::npos;
  const bool rank1 = o.err.find("[rank 1 of 2] yidi: ckpt/baseline.rank-1-of-2.m0000.ckpt: the ranks' checkpoints do not "
                                "form a complete set: rank 1 holds month(s) none, and no month is held by all 2 ranks; "
                                "expected one checkpoint per rank of the same month (were files removed?)") !=
                     std::string::npos;
  EXPECT_TRUE(rank0 || rank1) << o.err;
  EXPECT_FALSE(fs::exists(work() / "out.h5"));
  EXPECT_TRUE(fs::exists(work() / "ckpt" / "baseline.rank-0-of-2.m0002.ckpt"));  // nothing removed
}

// Checkpoints written by 2 ranks cannot be resumed by 3 ranks or without mpirun (which would
// silently start again from the first month).
TEST_F(MpiCli, CheckpointsResumeOnlyWithTheirRankCount) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o out.h5 --checkpoint ckpt --checkpoint-every 1 --stop-after 2").code, 0);
  const Outcome three = yidi_with(mpirun(3), kSmall + "-o out.h5 --checkpoint ckpt --resume");
  EXPECT_NE(three.code, 0);
  EXPECT_NE(three.err.find("baseline.rank-"), std::string::npos) << three.err;
  EXPECT_NE(three.err.find("-of-2.m0002.ckpt: checkpoint written by a run on 2 rank(s); expected 3 (resume with the rank "
                           "count that wrote it)"),
            std::string::npos)
      << three.err;
  const Outcome plain = yidi(kSmall + "-o out.h5 --checkpoint ckpt --resume");
  EXPECT_EQ(plain.code, 1);
  EXPECT_NE(plain.err.find("checkpoint written by a run on 2 rank(s); expected 1"), std::string::npos) << plain.err;
  EXPECT_FALSE(fs::exists(work() / "out.h5"));
}

// A rank killed at any step of writing a month's checkpoints (YIDI_TEST_CRASH_AT, a point named
// by rank and month; mpirun then ends the other rank too) never leaves the run unresumable: each
// --resume continues from the latest month every rank holds and ends with the bytes of an
// uninterrupted run, and the folder then holds the last month's set and nothing else. The steps:
// in the middle of a file, after putting it in place, after every rank agreed that the month is
// complete, after removing the previous month's file; in the first month (no set yet) too.
TEST_F(MpiCli, ARankKilledWhileCheckpointingNeverMakesTheRunUnresumable) {
  ASSERT_EQ(yidi_with(mpirun(2), kSmall + "-o straight.h5").code, 0);
  const std::string straight = slurp(work() / "straight.h5");
  const std::set<std::string> last{".yidi-output", "baseline.rank-0-of-2.m0004.ckpt", "baseline.rank-1-of-2.m0004.ckpt"};
  for (const std::string point :
       {"checkpoint:rank-1-of-2:m0001:writing", "checkpoint:rank-0-of-2:m0001:placed", "checkpoint:rank-1-of-2:m0002:writing",
        "checkpoint:rank-0-of-2:m0002:placed", "checkpoint:rank-1-of-2:m0002:agreed", "checkpoint:rank-0-of-2:m0003:removed",
        "checkpoint:rank-1-of-2:m0003:placed"}) {
    fs::remove_all(work() / "ckpt");
    const std::string crash = "YIDI_TEST_CRASH_AT=" + point + " ";
    const Outcome killed = yidi_with(crash + mpirun(2) + " -x YIDI_TEST_CRASH_AT",
                                     kSmall + "-o resumed.h5 --checkpoint ckpt --checkpoint-every 1");
    EXPECT_NE(killed.code, 0) << point;
    EXPECT_NE(killed.err.find("exited on signal 9"), std::string::npos) << point << "\n" << killed.err;
    EXPECT_FALSE(fs::exists(work() / "resumed.h5")) << point;
    const Outcome resumed = yidi_with(mpirun(2), kSmall + "-o resumed.h5 --checkpoint ckpt --checkpoint-every 1 --resume");
    ASSERT_EQ(resumed.code, 0) << point << "\n" << resumed.err;
    EXPECT_TRUE(slurp(work() / "resumed.h5") == straight) << point;
    EXPECT_EQ(folder("ckpt"), last) << point;
    EXPECT_EQ(files(), (std::set<std::string>{"ckpt", "resumed.h5", "straight.h5"})) << point;
    fs::remove(work() / "resumed.h5");
  }
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
