#pragma once
// Runs the real `yidi` binary (YIDI_BINARY) in a scratch folder per test, keeping its stdout and
// stderr beside the folder so that listing it shows only what yidi wrote.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace yidi::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
inline void spit(const std::filesystem::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

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
