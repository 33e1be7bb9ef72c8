#pragma once
// Runs the real `yidi` binary (YIDI_BINARY) in a scratch folder per test, keeping its stdout and
// stderr beside the folder so that listing it shows only what yidi wrote.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace yidi::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
inline void spit(const std::filesystem::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

/// A folder of runs made once for all the test processes of a suite. CTest runs each test in a
/// process of its own, so runs made in SetUpTestSuite would be remade for every test (about 40 s
/// each under the sanitizers). The folder is YIDI_TEST_SHARED/NAME-HASH, HASH over the binary's
/// size and modification time and the commands, so a rebuilt binary or changed commands make it
/// anew. The first process makes it under an exclusive lock (flock) in NAME-HASH.making, renamed
/// once every command has succeeded; the others wait on the lock and reuse it. Tests only read
/// from it. Each command runs as `cd FOLDER && YIDI_BINARY COMMAND`. Returns the folder, or an
/// empty path with `failed` set to the command that failed.
inline std::filesystem::path shared_runs(const std::string& name, const std::vector<std::string>& commands,
                                         std::string& failed) {
  namespace fs = std::filesystem;
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;
  };
  mix(YIDI_BINARY);
  mix(std::to_string(fs::file_size(YIDI_BINARY)));
  mix(std::to_string(fs::last_write_time(YIDI_BINARY).time_since_epoch().count()));
  for (const auto& c : commands) mix(c);
  std::ostringstream hex;
  hex << std::hex << h;
  const fs::path root = YIDI_TEST_SHARED;
  fs::create_directories(root);
  const fs::path done = root / (name + "-" + hex.str());
  const int lock = ::open((root / (name + ".lock")).c_str(), O_CREAT | O_RDWR, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  if (!fs::exists(done)) {
    const fs::path making = root / (name + "-" + hex.str() + ".making");
    fs::remove_all(making);
    fs::create_directories(making);
    for (const auto& c : commands) {
      const std::string cmd = "cd '" + making.string() + "' && '" + YIDI_BINARY + "' " + c + " >/dev/null 2>&1 </dev/null";
      if (std::system(cmd.c_str()) != 0) {
        failed = c;
        break;
      }
    }
    if (failed.empty()) fs::rename(making, done);
  }
  if (lock >= 0) ::close(lock);  // closing releases the lock
  return failed.empty() ? done : fs::path{};
}

struct Outcome {
  int code = -1;
  std::string out, err;
};

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    base_ = std::filesystem::temp_directory_path() /
            ("yidi-cli-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(work());
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::filesystem::path work() const { return base_ / "work"; }

  Outcome yidi(const std::string& args) const { return yidi_with("", args); }

  /// `yidi ARGS` started by a launcher, e.g. "mpirun -np 2" (the launcher's words come first).
  Outcome yidi_with(const std::string& launcher, const std::string& args) const {
    const std::string cmd = "cd '" + work().string() + "' && " + launcher + " '" + std::string(YIDI_BINARY) + "' " + args +
                            " >'" + (base_ / "stdout").string() + "' 2>'" + (base_ / "stderr").string() + "' </dev/null";
    const int status = std::system(cmd.c_str());
    Outcome r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(base_ / "stdout");
    r.err = slurp(base_ / "stderr");
    return r;
  }

  /// Names of the files and folders directly in work/.
  std::set<std::string> files() const {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(work())) out.insert(e.path().filename().string());
    return out;
  }

private:
  std::filesystem::path base_;
};

}  // namespace yidi::testing
