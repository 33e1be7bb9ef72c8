// The outputs of `yidi run`, the experiment commands and `yidi report` under faults (issue 12,
// docs/outputs.md): a kill in the middle of the write, a full disk (a file-size limit), an
// unwritable place, the temporaries of dead processes, an output that is an input.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include "sim/io/output.hpp"
#include "tests/support/cli_runner.hpp"

using namespace yidi;
using yidi::testing::CliTest;
using yidi::testing::Outcome;
using yidi::testing::slurp;
using yidi::testing::spit;
namespace fs = std::filesystem;

namespace {

const std::string kSmall = "run baseline --scale 1:20000 --months 4 --threads 1 ";
const std::string kTiny = " --scale 1:40000 --months 2 --threads 1 ";

/// Runs yidi under a file-size limit of `kib` KiB, as a full disk would stop it.
std::string limited(int kib) { return "bash -c 'ulimit -f " + std::to_string(kib) + "; exec \"$0\" \"$@\"'"; }

/// A process id that is certainly not running: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

/// The name yidi gives a temporary of `target` in process `pid` (sim/io/output.hpp).
std::string temporary_of(const fs::path& target, pid_t pid) {
  const std::string mine = fs::path(io::temporary_name(target.string())).filename().string();  // .NAME.yidi-tmp-HOST-PID-SEQ
  const std::string ours = "-" + std::to_string(::getpid()) + "-";
  const auto at = mine.rfind(ours);
  return mine.substr(0, at) + "-" + std::to_string(pid) + "-0";
}

class OutputFaults : public CliTest {
protected:
  std::set<std::string> folder(const std::string& name) const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(work() / name)) out.insert(e.path().filename().string());
    return out;
  }
  bool has_temporary_of(const std::string& name) const {
    for (const auto& f : files())
      if (f.starts_with("." + name + ".yidi-tmp-")) return true;
    return false;
  }
};

// Killed in the middle of writing its output, a command leaves no partial file in place (its
// temporary only); the next command writing that output removes the temporary.
TEST_F(OutputFaults, AKillDuringTheOutputWriteLeavesNoPartialFile) {
  for (const std::string& cmd : {kSmall + "-o out.h5", "replicates baseline -n 1" + kTiny + "-o out.h5"}) {
    const Outcome killed = yidi_with("YIDI_TEST_CRASH_AT=hdf5:writing", cmd);
    EXPECT_EQ(killed.code, 128 + SIGKILL) << cmd;  // as the shell reports a kill
    EXPECT_FALSE(fs::exists(work() / "out.h5")) << cmd;
    EXPECT_TRUE(has_temporary_of("out.h5")) << cmd;
    const Outcome again = yidi(cmd);
    ASSERT_EQ(again.code, 0) << cmd << ": " << again.err;
    EXPECT_EQ(files(), std::set<std::string>{"out.h5"}) << cmd;
    fs::remove(work() / "out.h5");
  }
  ASSERT_EQ(yidi(kSmall + "-o a.h5").code, 0);
  const Outcome killed = yidi_with("YIDI_TEST_CRASH_AT=before-commit", "report a.h5 -o report.html");
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  EXPECT_FALSE(fs::exists(work() / "report.html"));
  ASSERT_EQ(yidi("report a.h5 -o report.html").code, 0);
  EXPECT_EQ(files(), (std::set<std::string>{"a.h5", "report.html"}));
}

// A full disk (here a file-size limit) is an error naming the file and the reason, and leaves
// nothing: no output, no temporary, no checkpoint (before, the process died of SIGXFSZ or named
// HDF5's "H5Dwrite failed").
TEST_F(OutputFaults, AFullDiskIsAnErrorNamingThePathAndTheReason) {
  const Outcome run = yidi_with(limited(100), kSmall + "-o out.h5");  // a run file is 360 KB
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "yidi: out.h5: cannot write the run output: File too large\n");
  EXPECT_EQ(files(), std::set<std::string>{});
  const Outcome ckpt = yidi_with(limited(500), kSmall + "-o out.h5 --checkpoint ck --checkpoint-every 1");  // 1.2 MB
  EXPECT_EQ(ckpt.code, 1);
  EXPECT_EQ(ckpt.err, "yidi: ck/baseline.m0001.ckpt: cannot write the checkpoint: File too large\n");
  EXPECT_EQ(files(), std::set<std::string>{"ck"});
  EXPECT_EQ(folder("ck"), std::set<std::string>{".yidi-output"});
  const Outcome rep = yidi_with(limited(100), "replicates baseline -n 1" + kTiny + "-o r.h5");
  EXPECT_EQ(rep.code, 1);
  EXPECT_EQ(rep.err, "yidi: r.h5: cannot write the summary: File too large\n");
  const Outcome prepay = yidi_with(limited(1), "prepay baseline --red-probability 0.1 -n 1" + kTiny + "-o q.csv");
  EXPECT_EQ(prepay.code, 1);
  EXPECT_EQ(prepay.err, "yidi: q.csv: cannot write the prepayment quotas: File too large\n");
  EXPECT_EQ(files(), std::set<std::string>{"ck"});
}

// A place the output cannot be written to is found when the command starts, before any month
// runs (YIDI_TEST_CRASH_AT=run:m0001 would kill the run at the end of its first month; it exits
// with the message instead). As root no permission stops a write, so a file stands where the
// folder should be.
TEST_F(OutputFaults, AnUnwritablePlaceFailsBeforeTheMonths) {
  spit(work() / "blocker", "x");
  const std::string reason = ": Not a directory\n";
  const std::string blocker = (work() / "blocker").string();
  const Outcome out = yidi_with("YIDI_TEST_CRASH_AT=run:m0001", kSmall + "-o blocker/out.h5");
  EXPECT_EQ(out.code, 1);
  EXPECT_EQ(out.err, "yidi: blocker/out.h5: cannot create its folder " + blocker + reason);
  const Outcome ckpt = yidi_with("YIDI_TEST_CRASH_AT=run:m0001", kSmall + "-o out.h5 --checkpoint blocker/ck");
  EXPECT_EQ(ckpt.code, 1);
  EXPECT_EQ(ckpt.err, "yidi: blocker/ck: cannot create its folder " + blocker + reason);
  const Outcome rep = yidi("replicates baseline -n 1" + kTiny + "-o blocker/r.h5");
  EXPECT_EQ(rep.code, 1);
  EXPECT_EQ(rep.err, "yidi: blocker/r.h5: cannot create its folder " + blocker + reason);
  const Outcome sweep = yidi("sweep baseline --grid levers.credential=0.9 -n 1" + kTiny + "-o blocker/sw");
  EXPECT_EQ(sweep.code, 1);
  EXPECT_EQ(sweep.err, "yidi: blocker/sw: cannot create its folder " + blocker + reason);
  EXPECT_EQ(files(), std::set<std::string>{"blocker"});
}

// The temporaries of processes that died (kill -9, power loss) are removed by the next command
// writing the same output: yidi 0.1's NAME.tmp-PID as well as today's hidden names, for the
// output and the checkpoints (up to 16 GB each at full scale); a running process's stay.
TEST_F(OutputFaults, TheTemporariesOfDeadProcessesAreRemoved) {
  const pid_t dead = dead_pid();
  ASSERT_EQ(yidi(kSmall + "-o first.h5 --checkpoint ck --checkpoint-every 1 --stop-after 1").code, 0);
  const std::string old_output = "out.h5.tmp-" + std::to_string(dead);
  const std::string new_output = temporary_of(work() / "out.h5", dead);
  const std::string old_ckpt = "baseline.ckpt.tmp-" + std::to_string(dead);
  const std::string new_ckpt = temporary_of(work() / "ck" / "baseline.m0002.ckpt", dead);
  const std::string alive = temporary_of(work() / "ck" / "baseline.m0003.ckpt", ::getpid());
  for (const auto& f : {old_output, new_output}) spit(work() / f, "partial");
  for (const auto& f : {old_ckpt, new_ckpt, alive}) spit(work() / "ck" / f, "YIDICKP3 partial");
  const Outcome o = yidi(kSmall + "-o out.h5 --checkpoint ck --checkpoint-every 1 --resume");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(files(), (std::set<std::string>{"ck", "out.h5"}));  // first.h5 was never written (--stop-after)
  EXPECT_EQ(folder("ck"), (std::set<std::string>{".yidi-output", alive, "baseline.m0004.ckpt"}));
}

// No output of the experiment commands is ever one of their inputs, whatever --overwrite says.
TEST_F(OutputFaults, AnExperimentsOutputIsNeverItsInput) {
  const std::string yaml = "name: s\nstart: 2022-01\nmonths: 2\nscale: 1:40000\n";
  spit(work() / "s.yaml", yaml);
  spit(work() / "t.yaml", yaml);
  for (const char* cmd : {"replicates s.yaml -n 1 -o s.yaml", "compare t.yaml s.yaml -n 1 -o s.yaml",
                          "prepay s.yaml --red-probability 0.1 -n 1 -o s.yaml"}) {
    const Outcome o = yidi(std::string(cmd) + " --overwrite");
    EXPECT_EQ(o.code, 1) << cmd;
    EXPECT_EQ(o.err, "yidi: s.yaml: is an input of this command (s.yaml); choose another output\n") << cmd;
    EXPECT_EQ(slurp(work() / "s.yaml"), yaml) << cmd;
  }
  EXPECT_EQ(files(), (std::set<std::string>{"s.yaml", "t.yaml"}));
}

// A scenario's name becomes part of default output and checkpoint names: one file name, never a
// path out of its folder (the scenario parser may also refuse such names; this holds regardless).
TEST(OutputNames, AScenarioNameBecomesOneFileNameInItsFolder) {
  const std::pair<std::string, std::string> cases[] = {
      {"baseline", "baseline"},           {"no-reduction_v2.1", "no-reduction_v2.1"},
      {"../../escape", "_._.._escape"},   {"/etc/passwd", "_etc_passwd"},
      {".hidden", "_hidden"},             {"..", "_."},
      {".", "_"},                          {"", "_"},
      {"a b\tc", "a_b_c"},                {"异地就医", "异地就医"},
  };
  for (const auto& [name, expected] : cases) {
    const std::string got = io::file_name_part(name);
    EXPECT_EQ(got, expected) << name;
    EXPECT_EQ(got.find('/'), std::string::npos) << name;
    EXPECT_FALSE(got.starts_with(".")) << name;
  }
}

}  // namespace
