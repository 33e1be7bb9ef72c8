// Every bad scenario, policy file and clearing configuration of tests/invalid/ given to the real
// `yidi` binary, in a fresh empty folder:
//   scenarios  yidi run BAD.yaml -o out.h5 --months 1
//   policy     yidi settle CLAIMS -o r.csv --overlay BAD.yaml    (a registry: --policy DIR)
//   clearing   yidi clear RESULTS -o out --config BAD.yaml
// Each must exit 1 with "yidi: " and the case's exact message on stderr, and leave the folder as
// it was (empty: every input lives outside it). Then the command line's own bad values
// (--months, --seed, --scale) and files that never end or are too large.
//
// YIDI_BINARY_UNDER_TEST, if set, names another binary to run (to show that a case fails with
// an older build); by default the tests run the binary they were built with.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/io/strict_yaml.hpp"

namespace fs = std::filesystem;

namespace {
const fs::path kSource = fs::path(YIDI_SOURCE_DIR);
const fs::path kClaims = kSource / "scenarios" / "examples" / "claims-sample.csv";

std::string binary() {
  const char* other = std::getenv("YIDI_BINARY_UNDER_TEST");
  return other && *other ? other : YIDI_BINARY;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

enum class Kind { scenario, policy, registry, clearing };

struct Case {
  std::string name;
  Kind kind = Kind::scenario;
  fs::path path;
  std::string expected;  // with {file} and {dir} still in it
  bool prefix = false;   // "# expect-prefix:"
};

// gtest shows a case by its file, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.path.filename().string(); }

std::vector<Case> corpus() {
  std::vector<Case> out;
  const std::pair<const char*, Kind> folders[] = {
      {"scenarios", Kind::scenario}, {"policy", Kind::policy}, {"clearing", Kind::clearing}};
  for (const auto& [folder, kind] : folders) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(kSource / "tests" / "invalid" / folder))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      Case c;
      c.path = p;
      c.kind = kind;
      c.name = std::string(folder) + "_" + p.stem().string();
      for (char& ch : c.name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      std::istringstream lines(slurp(p));
      for (std::string line; std::getline(lines, line);) {
        if (line == "# kind: registry") c.kind = Kind::registry;
        for (const char* tag : {"# expect: ", "# expect-prefix: "})
          if (line.rfind(tag, 0) == 0) {
            c.expected = line.substr(std::string(tag).size());
            c.prefix = std::string(tag) == "# expect-prefix: ";
          }
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

struct Outcome {
  int code = -1;
  std::string out, err;
};

/// A scratch folder: base/ holds the inputs made for a test and yidi's stdout/stderr, base/work/
/// is where yidi runs and starts empty.
class Scratch {
public:
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    base_ = fs::temp_directory_path() / ("yidi-invalid-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(work());
  }
  ~Scratch() { fs::remove_all(base_); }
  fs::path base() const { return base_; }
  fs::path work() const { return base_ / "work"; }

  Outcome yidi(const std::string& args) const {
    const fs::path out = base_ / "stdout", err = base_ / "stderr";
    const std::string cmd = "cd " + sh_quote(work().string()) + " && " + sh_quote(binary()) + " " + args + " >" +
                            sh_quote(out.string()) + " 2>" + sh_quote(err.string()) + " </dev/null";
    const int status = std::system(cmd.c_str());
    Outcome r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  /// The settlement results of the sample claims, as `yidi clear` reads them.
  fs::path results() const {
    const fs::path p = base_ / "results.csv";
    if (!fs::exists(p)) {
      const std::string cmd = sh_quote(binary()) + " settle " + sh_quote(kClaims.string()) + " -o " + sh_quote(p.string()) +
                              " >/dev/null 2>&1 </dev/null";
      EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
    return p;
  }

private:
  fs::path base_;
};

/// Runs `args` and expects exit 1, "yidi: MESSAGE" on stderr and no change in the work folder.
void expect_refused(const Scratch& s, const std::string& args, const std::string& message, bool prefix = false) {
  const auto before = listing(s.work());
  const Outcome r = s.yidi(args);
  EXPECT_EQ(r.code, 1) << args << "\n" << r.err;
  const std::string expected = "yidi: " + message + (prefix ? "" : "\n");
  if (prefix) EXPECT_EQ(r.err.substr(0, expected.size()), expected) << args;
  else EXPECT_EQ(r.err, expected) << args;
  EXPECT_EQ(listing(s.work()), before) << args << ": the folder changed";
}

class InvalidInputCli : public ::testing::TestWithParam<Case> {};

TEST_P(InvalidInputCli, ExitsOneWithTheMessageAndWritesNothing) {
  const Case& c = GetParam();
  ASSERT_FALSE(c.expected.empty()) << c.path << " has no '# expect:' line";
  Scratch s;
  std::string expected = c.expected, args;
  std::string file = c.path.string();
  switch (c.kind) {
    case Kind::scenario:
      args = "run " + sh_quote(file) + " -o out.h5 --months 1";
      break;
    case Kind::policy:
      args = "settle " + sh_quote(kClaims.string()) + " -o r.csv --overlay " + sh_quote(file);
      break;
    case Kind::registry: {
      // A copy of the real policy folder with this registry, outside the work folder.
      const fs::path dir = s.base() / "policy";
      fs::copy(kSource / "scenarios" / "policy", dir, fs::copy_options::recursive);
      fs::copy_file(c.path, dir / "regions.yaml", fs::copy_options::overwrite_existing);
      file = (dir / "regions.yaml").string();
      args = "settle " + sh_quote(kClaims.string()) + " -o r.csv --policy " + sh_quote(dir.string());
      break;
    }
    case Kind::clearing:
      args = "clear " + sh_quote(s.results().string()) + " -o out --config " + sh_quote(file);
      break;
  }
  replace_all(expected, "{file}", file);
  replace_all(expected, "{dir}", c.path.parent_path().string());
  expect_refused(s, args, expected, c.prefix);
}

INSTANTIATE_TEST_SUITE_P(Corpus, InvalidInputCli, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

// The issue asks for at least 90 bad scenarios, policy files and clearing configurations together.
TEST(InvalidInputCorpus, HasAtLeastNinetyCases) {
  std::size_t scenarios = 0, policy = 0, clearing = 0;
  for (const auto& c : corpus()) {
    scenarios += c.kind == Kind::scenario;
    policy += c.kind == Kind::policy || c.kind == Kind::registry;
    clearing += c.kind == Kind::clearing;
  }
  EXPECT_GE(scenarios + policy + clearing, 90u);
  EXPECT_GE(scenarios, 30u);
  EXPECT_GE(policy, 30u);
  EXPECT_GE(clearing, 30u);
}

// --months -3 and --seed -7 were ignored; --months 2300 went past the 600-month cap and the
// supported months; the --scale text was pasted into YAML, so a crafted value set another key.
TEST(ScenarioOverridesCli, BadValuesAreRefusedByEveryCommand) {
  Scratch s;
  const std::string months = "command line: field '--months': expected a whole number of months from 1 to 600, got ";
  const std::string seed = "command line: field '--seed': expected a seed: a whole number from 0 to 18446744073709551615, got ";
  const std::string scale =
      "command line: field '--scale': expected a whole sampling ratio from 1:1 (full scale) to 1:10000000, written 1:N "
      "or N, such as 1:1000 or 1000, got ";
  for (const std::string cmd : {"run baseline -o out.h5", "replicates baseline -n 1 -o out.h5",
                                "compare baseline no-reduction -n 1 -o out.h5", "prepay baseline --red-probability 0.1 -n 1 -o out.csv"}) {
    SCOPED_TRACE(cmd);
    expect_refused(s, cmd + " --months -3", months + "'-3'");
    expect_refused(s, cmd + " --months 2300", months + "'2300'");
    expect_refused(s, cmd + " --months 1.5", months + "'1.5'");
    expect_refused(s, cmd + " --seed -7", seed + "'-7'");
    expect_refused(s, cmd + " --seed 1e3", seed + "'1e3'");
    expect_refused(s, cmd + " --scale 1:1000abc", scale + "'1:1000abc'");
    expect_refused(s, cmd + " --scale " + sh_quote("1000\"\nseed: \"5"), scale + "'1000\"\nseed: \"5'");
  }
}

// An `extends` cycle (a -> b -> a) recursed until the stack overflowed (SIGSEGV); now the chain
// is named. The files sit in the folder yidi runs in, where the old loader looked for them too.
TEST(ScenarioExtendsCli, ACycleIsNamedNotACrash) {
  Scratch s;
  std::ofstream(s.work() / "a.yaml") << "extends: b.yaml\nname: a\n";
  std::ofstream(s.work() / "b.yaml") << "name: b\nextends: a.yaml\n";
  expect_refused(s, "run a.yaml -o out.h5 --months 1",
                 "b.yaml:2:10: field 'extends': the scenarios extend each other in a cycle: a.yaml → b.yaml → a.yaml; "
                 "expected a chain that ends at a scenario without extends");
  expect_refused(s, "validate b.yaml",
                 "a.yaml:1:10: field 'extends': the scenarios extend each other in a cycle: b.yaml → a.yaml → b.yaml; "
                 "expected a chain that ends at a scenario without extends");
}

// A run ending past the supported months is refused whether the period comes from the file or
// the command line (--months 600 from 2190-01 would end in 2239-12).
TEST(ScenarioOverridesCli, MonthsPastTheSupportedRange) {
  Scratch s;
  const fs::path late = s.base() / "late.yaml";
  std::ofstream(late) << "name: late\nstart: 2190-01\nyears: 1\n";
  expect_refused(s, "run " + sh_quote(late.string()) + " -o out.h5 --months 600",
                 "command line: field '--months': the run from 2190-01 for 600 months would end in 2239-12; expected "
                 "every month within " + yidi::io::supported_months_text());
}

// A scenario named ../../escape wrote outputs/../../escape-seedS.h5 and its checkpoint outside
// their folders; with no -o and a checkpoint folder, nothing is written anywhere under base/.
TEST(ScenarioNameCli, AnEscapingNameWritesNothing) {
  Scratch s;
  const fs::path bad = s.base() / "escape.yaml";
  std::ofstream(bad) << "name: ../../escape\nmonths: 1\n";
  const auto before = listing(s.base());
  const Outcome r = s.yidi("run " + sh_quote(bad.string()) + " --checkpoint ckpt");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "yidi: " + bad.string() +
                       ":1:7: field 'name': expected a name of 1 to 64 characters from A-Z a-z 0-9 _ - . (the first a "
                       "letter or digit), as it becomes file names, got '../../escape'\n");
  auto after = listing(s.base());
  after.erase("stdout");
  after.erase("stderr");
  EXPECT_EQ(after, before);
}

// A folder in the current folder named like an embedded scenario does not hide it (the folder
// was read as an empty scenario).
TEST(ScenarioNameCli, AFolderDoesNotHideAnEmbeddedScenario) {
  Scratch s;
  fs::create_directory(s.work() / "baseline");
  const Outcome r = s.yidi("validate baseline");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nname: baseline\n"), std::string::npos) << r.out;
}

// A /dev/zero overlay read until memory ran out. Every reader now stops at a limit it names:
// 4 MiB for scenario, policy, overlay and clearing files (io::read_config_file), 64 MiB for a stream of another kind.
TEST(FileSizeCli, EndlessAndOversizedFilesAreRefused) {
  Scratch s;
  expect_refused(s, "run /dev/zero -o out.h5", "/dev/zero: the scenario exceeds the size limit of 4 MiB (4194304 bytes)");
  expect_refused(s, "run " + sh_quote(s.base().string()) + " -o out.h5",
                 s.base().string() + ": the scenario is a folder; expected a file");
  // A scenario whose overlay never ends.
  const fs::path zero = s.base() / "zero.yaml";
  std::ofstream(zero) << "name: zero\nmonths: 1\npolicy_overlays: [/dev/zero]\n";
  expect_refused(s, "run " + sh_quote(zero.string()) + " -o out.h5",
                 "/dev/zero: the policy file exceeds the size limit of 4 MiB (4194304 bytes)");
  // settle's overlays and clear's configuration are YAML files too: the same 4 MiB, read no further.
  expect_refused(s, "settle " + sh_quote(kClaims.string()) + " -o r.csv --overlay /dev/zero",
                 "/dev/zero: the overlay exceeds the size limit of 4 MiB (4194304 bytes)");
  expect_refused(s, "clear " + sh_quote(s.results().string()) + " -o out --config /dev/zero",
                 "/dev/zero: the clearing configuration exceeds the size limit of 4 MiB (4194304 bytes)");
  // Regular files one byte over 4 MiB.
  const fs::path big = s.base() / "big.yaml";
  std::ofstream(big) << std::string(yidi::io::kMaxConfigFileBytes + 1, '#');
  expect_refused(s, "settle " + sh_quote(kClaims.string()) + " -o r.csv --overlay " + sh_quote(big.string()),
                 big.string() + ": the overlay exceeds the size limit of 4 MiB (4194304 bytes)");
  expect_refused(s, "clear " + sh_quote(s.results().string()) + " -o out --config " + sh_quote(big.string()),
                 big.string() + ": the clearing configuration exceeds the size limit of 4 MiB (4194304 bytes)");
  expect_refused(s, "run " + sh_quote(big.string()) + " -o out.h5",
                 big.string() + ": the scenario exceeds the size limit of 4 MiB (4194304 bytes)");
}
}  // namespace
