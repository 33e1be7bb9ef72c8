// Outputs that never destroy a user's file (sim/io/output.hpp, docs/outputs.md): each rule of the
// module, on real files in a fresh folder.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/output.hpp"

using namespace yidi::io;
namespace fs = std::filesystem;

namespace {

class Output : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("yidi-output-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string at(const std::string& name) const { return (dir_ / name).string(); }
  static void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
  static std::string get(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// Names in the folder, sorted.
  std::vector<std::string> listing() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  /// The message of the InputError `f` throws, or "" if none.
  template <class F>
  static std::string error_of(F&& f) {
    try {
      f();
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

/// A process id that is certainly not running: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST_F(Output, WritesThroughATemporaryAndPutsItInPlace) {
  OutputFile out(at("r.csv"), "results", OutputKind::text, false);
  out << "# yidi x\n" << "a,b\n";
  // Before the commit the target does not exist; the temporary is hidden beside it.
  EXPECT_FALSE(fs::exists(at("r.csv")));
  EXPECT_EQ(fs::path(out.temp_path()).parent_path(), dir_);
  EXPECT_TRUE(fs::path(out.temp_path()).filename().string().starts_with(".r.csv.yidi-tmp-"));
  out.commit();
  EXPECT_EQ(get(at("r.csv")), "# yidi x\na,b\n");
  EXPECT_EQ(listing(), std::vector<std::string>{"r.csv"});
}

TEST_F(Output, AnUncommittedOutputLeavesNothing) {
  {
    OutputFile out(at("r.csv"), "results", OutputKind::text, false);
    out << "partial";
  }
  EXPECT_TRUE(listing().empty());
}

TEST_F(Output, RefusesAnExistingTargetWithoutOverwrite) {
  put(at("r.csv"), "# yidi old\n");
  EXPECT_EQ(error_of([&] { OutputFile(at("r.csv"), "results", OutputKind::text, false); }),
            at("r.csv") + ": exists; choose another output or pass --overwrite");
  EXPECT_EQ(get(at("r.csv")), "# yidi old\n");
}

TEST_F(Output, RefusesATargetThatAppearsWhileTheWorkRuns) {
  // Two jobs writing one path: the second to finish must fail, at the moment of the rename.
  OutputFile first(at("r.csv"), "results", OutputKind::text, false);
  OutputFile second(at("r.csv"), "results", OutputKind::text, false);
  first << "# yidi first\n";
  second << "# yidi second\n";
  first.commit();
  const std::string e = error_of([&] { second.commit(); });
  EXPECT_TRUE(e.starts_with(at("r.csv") + ": exists: it appeared while this command ran")) << e;
  EXPECT_EQ(get(at("r.csv")), "# yidi first\n");
}

TEST_F(Output, OverwriteReplacesOnlyYidisOwnOutput) {
  put(at("own.csv"), "# yidi 0.1.0 settlement results\nold\n");
  put(at("user.csv"), "mdtrt_id,psn_no\n");
  {
    OutputFile out(at("own.csv"), "results", OutputKind::text, true);
    out << "# yidi new\n";
    out.commit();
  }
  EXPECT_EQ(get(at("own.csv")), "# yidi new\n");
  EXPECT_EQ(error_of([&] { OutputFile(at("user.csv"), "results", OutputKind::text, true); }),
            at("user.csv") + ": exists and is not a yidi text output; yidi replaces only its own outputs "
                             "(choose another output)");
  EXPECT_EQ(get(at("user.csv")), "mdtrt_id,psn_no\n");
}

TEST_F(Output, NeverReplacesAnInputHoweverItIsNamed) {
  put(at("claims.csv"), "# yidi looks like an output\n");
  InputFiles inputs;
  inputs.add(at("claims.csv"));
  fs::create_hard_link(at("claims.csv"), at("alias.csv"));
  for (const std::string& name : {at("claims.csv"), at("alias.csv"), (dir_ / "." / "claims.csv").string()})
    EXPECT_EQ(error_of([&] { OutputFile(name, "results", OutputKind::text, true, inputs); }),
              name + ": is an input of this command (" + at("claims.csv") + "); choose another output");
  EXPECT_EQ(get(at("claims.csv")), "# yidi looks like an output\n");
}

TEST_F(Output, RefusesFoldersAndLinksAsFileTargets) {
  fs::create_directories(at("sub"));
  EXPECT_EQ(error_of([&] { OutputFile(at("sub"), "results", OutputKind::text, true); }),
            at("sub") + ": is a folder; expected a file name for the results");
  put(at("real.csv"), "# yidi x\n");
  fs::create_symlink(at("real.csv"), at("link.csv"));
  EXPECT_TRUE(error_of([&] { OutputFile(at("link.csv"), "results", OutputKind::text, true); })
                  .starts_with(at("link.csv") + ": is a symbolic link"));
}

TEST_F(Output, AnUnwritableFolderIsFoundWhenTheOutputIsOpened) {
  if (::geteuid() == 0) {
    // root writes anywhere: a file where the folder should be stands in for an unwritable folder.
    put(at("blocker"), "x");
    const std::string e = error_of([&] { OutputFile(at("blocker/r.csv"), "results", OutputKind::text, false); });
    EXPECT_TRUE(e.starts_with(at("blocker/r.csv") + ": cannot create its folder")) << e;
    return;
  }
  fs::create_directories(at("ro"));
  fs::permissions(at("ro"), fs::perms::owner_read | fs::perms::owner_exec);
  const std::string e = error_of([&] { OutputFile(at("ro/r.csv"), "results", OutputKind::text, false); });
  EXPECT_NE(e.find("Permission denied"), std::string::npos) << e;
  fs::permissions(at("ro"), fs::perms::owner_all);
}

TEST_F(Output, RemovesTheStaleTemporariesOfDeadProcessesOnly) {
  const pid_t dead = dead_pid();
  const std::string mine = temporary_name(at("r.csv"));
  // .r.csv.yidi-tmp-HOST-PID-SEQ
  const std::string pid_seq = "-" + std::to_string(::getpid()) + "-";
  const std::size_t from = mine.find("yidi-tmp-") + 9;
  const std::string host = mine.substr(from, mine.rfind(pid_seq) - from);
  const std::string stale = at(".r.csv.yidi-tmp-" + host + "-" + std::to_string(dead) + "-0");
  const std::string legacy = at("r.csv.tmp-" + std::to_string(dead));
  const std::string alive = at(".r.csv.yidi-tmp-" + host + "-" + std::to_string(::getppid()) + "-3");
  const std::string other_host = at(".r.csv.yidi-tmp-elsewhere-" + std::to_string(dead) + "-0");
  const std::string other_target = at(".s.csv.yidi-tmp-" + host + "-" + std::to_string(dead) + "-0");
  for (const auto& p : {stale, legacy, alive, other_host, other_target}) put(p, "x");
  EXPECT_EQ(remove_stale_temporaries(at("r.csv")), 2);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(legacy));
  EXPECT_TRUE(fs::exists(alive));         // its process runs
  EXPECT_TRUE(fs::exists(other_host));    // not this machine's to judge
  EXPECT_TRUE(fs::exists(other_target));  // another output's
}

TEST_F(Output, ATemporaryIsRemovedWhenTheProcessIsInterrupted) {
  const pid_t child = ::fork();
  if (child == 0) {
    OutputFile out(at("r.csv"), "results", OutputKind::text, false);
    out << "partial";
    ::raise(SIGTERM);
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_TRUE(listing().empty());
}

TEST_F(Output, CommitsAPairTogether) {
  put(at("r.csv"), "# yidi old results\n");
  put(at("r.csv.rejects.csv"), "# yidi old rejects\n");
  {
    OutputFile results(at("r.csv"), "results", OutputKind::text, true);
    OutputFile rejects(at("r.csv.rejects.csv"), "rejects", OutputKind::text, true);
    results << "# yidi new results\n";
    rejects << "# yidi new rejects\n";
    commit_together(results, {&rejects});
  }
  EXPECT_EQ(get(at("r.csv")), "# yidi new results\n");
  EXPECT_EQ(get(at("r.csv.rejects.csv")), "# yidi new rejects\n");
  EXPECT_EQ(listing(), (std::vector<std::string>{"r.csv", "r.csv.rejects.csv"}));
}

TEST_F(Output, APairIsRefusedWholeIfEitherCannotBeReplaced) {
  put(at("r.csv"), "# yidi old results\n");
  put(at("r.csv.rejects.csv"), "a user's notes\n");
  OutputFile results(at("r.csv"), "results", OutputKind::text, true);
  EXPECT_TRUE(error_of([&] { OutputFile(at("r.csv.rejects.csv"), "rejects", OutputKind::text, true); })
                  .find("is not a yidi text output") != std::string::npos);
  EXPECT_EQ(get(at("r.csv")), "# yidi old results\n");
}

TEST_F(Output, AKillBetweenThePairsRenamesNeverPairsNewWithOld) {
  put(at("r.csv"), "# yidi old results\n");
  put(at("r.csv.rejects.csv"), "# yidi old rejects\n");
  for (const char* point : {"after-aside", "after-place"}) {
    const pid_t child = ::fork();
    if (child == 0) {
      ::setenv("YIDI_TEST_CRASH_AT", point, 1);
      OutputFile results(at("r.csv"), "results", OutputKind::text, true);
      OutputFile rejects(at("r.csv.rejects.csv"), "rejects", OutputKind::text, true);
      results << "# yidi new results\n";
      rejects << "# yidi new rejects\n";
      commit_together(results, {&rejects});
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << point;
    // Whatever is visible, new rejects never sit beside old results.
    const bool results_old = fs::exists(at("r.csv")) && get(at("r.csv")) == "# yidi old results\n";
    const bool rejects_new = fs::exists(at("r.csv.rejects.csv")) && get(at("r.csv.rejects.csv")) == "# yidi new rejects\n";
    EXPECT_FALSE(results_old && rejects_new) << point;
    // The next writer removes what the killed one left behind, and the pair is whole again.
    OutputFile results(at("r.csv"), "results", OutputKind::text, true);
    OutputFile rejects(at("r.csv.rejects.csv"), "rejects", OutputKind::text, true);
    results << "# yidi old results\n";
    rejects << "# yidi old rejects\n";
    commit_together(results, {&rejects});
    EXPECT_EQ(listing(), (std::vector<std::string>{"r.csv", "r.csv.rejects.csv"})) << point;
  }
}

TEST_F(Output, AFolderIsPutInPlaceWholeWithItsMarker) {
  {
    OutputFolder out(at("tables"), "clearing tables", false);
    auto w = out.create("funds.csv");
    w << "# yidi\n";
    w.close();
    EXPECT_FALSE(fs::exists(at("tables")));
    out.commit();
  }
  EXPECT_EQ(get(at("tables/funds.csv")), "# yidi\n");
  const std::string marker = get(at("tables/.yidi-output"));
  EXPECT_TRUE(marker.starts_with("# yidi ")) << marker;
  EXPECT_NE(marker.find("\nfunds.csv\n"), std::string::npos) << marker;
  EXPECT_EQ(listing(), std::vector<std::string>{"tables"});
}

TEST_F(Output, OverwriteReplacesOnlyAFolderOfYidisOwn) {
  fs::create_directories(at("plain"));
  put(at("plain/x.csv"), "user data");
  EXPECT_TRUE(error_of([&] { OutputFolder(at("plain"), "clearing tables", true); })
                  .starts_with(at("plain") + ": is not a yidi output folder"));
  {
    OutputFolder out(at("tables"), "clearing tables", false);
    out.create("funds.csv").close();
    out.commit();
  }
  put(at("tables/notes.txt"), "the user's own file");
  EXPECT_TRUE(error_of([&] { OutputFolder(at("tables"), "clearing tables", true); })
                  .starts_with(at("tables") + ": holds notes.txt, which yidi did not write there"));
  fs::remove(at("tables/notes.txt"));
  {
    OutputFolder out(at("tables"), "clearing tables", true);
    auto w = out.create("months.csv");
    w << "new";
    w.close();
    out.commit();
  }
  EXPECT_FALSE(fs::exists(at("tables/funds.csv")));
  EXPECT_EQ(get(at("tables/months.csv")), "new");
  EXPECT_TRUE(fs::exists(at("plain/x.csv")));
}

TEST_F(Output, AFolderNeverHoldsOrIsAnInput) {
  put(at("results.csv"), "# yidi results\n");
  InputFiles inputs;
  inputs.add(at("results.csv"));
  // `yidi clear results.csv -o . --overwrite` and `-o results.csv --overwrite`
  EXPECT_EQ(error_of([&] { OutputFolder(dir_.string(), "clearing tables", true, inputs); }),
            dir_.string() + ": holds an input of this command (" + at("results.csv") + "); choose another output folder");
  EXPECT_EQ(error_of([&] { OutputFolder(at("results.csv"), "clearing tables", true, inputs); }),
            at("results.csv") + ": is an input of this command (" + at("results.csv") + "); choose another output");
  EXPECT_EQ(get(at("results.csv")), "# yidi results\n");
}

TEST_F(Output, AFolderWithATrailingSlashIsTheFolder) {
  {
    OutputFolder out(at("tables") + "/", "clearing tables", false);
    out.create("a.csv").close();
    out.commit();
  }
  EXPECT_TRUE(fs::exists(at("tables/a.csv")));
}

TEST_F(Output, AFailedWriteNamesThePathAndTheReason) {
  // A file-size limit (ulimit -f) stands in for a full disk: the write fails with EFBIG, and the
  // message names the target and the reason; the temporary is gone.
  const pid_t child = ::fork();
  if (child == 0) {
    std::string message = "no error";
    try {
      OutputFile out(at("r.csv"), "results", OutputKind::text, false);
      rlimit lim{4096, 4096};
      ::setrlimit(RLIMIT_FSIZE, &lim);
      out << std::string(3 << 20, 'x');
      out.commit();
    } catch (const InputError& e) {
      message = e.what();
    }
    rlimit none{RLIM_INFINITY, RLIM_INFINITY};
    ::setrlimit(RLIMIT_FSIZE, &none);
    std::ofstream(at("message")) << message;
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(get(at("message")), at("r.csv") + ": cannot write the results: File too large");
  EXPECT_EQ(listing(), std::vector<std::string>{"message"});
}

TEST_F(Output, AnIncrementalFolderNeedsTheMarkerOrNothingInIt) {
  EXPECT_EQ(open_output_folder(at("sweep"), "sweep"), at("sweep"));
  EXPECT_TRUE(fs::exists(at("sweep/.yidi-output")));
  put(at("sweep/point-0000.h5"), "anything");  // the marker admits the folder whatever it holds
  EXPECT_EQ(open_output_folder(at("sweep"), "sweep"), at("sweep"));
  fs::create_directories(at("mine"));
  put(at("mine/photo.jpg"), "x");
  EXPECT_TRUE(error_of([&] { open_output_folder(at("mine"), "sweep"); })
                  .starts_with(at("mine") + ": exists and is not a yidi output folder"));
  EXPECT_FALSE(fs::exists(at("mine/.yidi-output")));
}

}  // namespace
