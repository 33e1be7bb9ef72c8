// The layers point one way (README, "Layout"; issue 13):
//   models ← sim/model ← sim/engine ← sim/io ← sim/report ← sim/cli
// Every `#include "..."` of those folders names a header of its own layer or of one below it;
// models/ includes nothing of sim/, no library headers, and no header of threads, files or clocks.
// The generated sim/version.hpp may be included by any layer of sim/. A small allowlist names the
// exceptions of today with their reasons; an entry that no longer matches anything fails too, so
// that the list only shrinks. tests/unit/check_link_layers.py (CTest layering.link) checks the same
// order on the libraries' symbols.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;

namespace {

/// The layers, lowest first: a folder of the source root and its rank.
constexpr std::array<std::string_view, 6> kLayers = {"models", "sim/model", "sim/engine", "sim/io", "sim/report", "sim/cli"};
constexpr std::string_view kOrder = "models ← sim/model ← sim/engine ← sim/io ← sim/report ← sim/cli";

/// The rank of the layer holding `path` (relative to the source root), if any.
std::optional<std::size_t> layer_of(std::string_view path) {
  for (std::size_t i = 0; i < kLayers.size(); ++i)
    if (path.starts_with(kLayers[i]) && path.size() > kLayers[i].size() && path[kLayers[i].size()] == '/') return i;
  return std::nullopt;
}

/// System headers models/ never includes: threads, files, clocks and outside libraries.
constexpr std::array<std::string_view, 12> kModelsForbidden = {
    "thread", "mutex", "shared_mutex", "condition_variable", "future", "atomic",
    "fstream", "filesystem", "cstdio", "iostream", "chrono", "ctime"};
constexpr std::array<std::string_view, 12> kModelsForbiddenPrefixes = {
    "tbb/", "oneapi/", "yaml-cpp/", "H5", "hdf5", "mpi", "CLI/", "boost/", "Random123/", "unistd", "sys/", "zlib"};
/// Clock names models/ never uses (the calendar types of <chrono> are allowed where listed).
constexpr std::array<std::string_view, 6> kClocks = {"system_clock", "steady_clock", "high_resolution_clock",
                                                     "file_clock", "utc_clock", "std::time("};

/// An exception: `file` may include `header` (quoted, or <header> for a system header).
struct Allowed {
  std::string_view file, header, reason;
};

constexpr std::array<Allowed, 1> kAllowed = {{
    {"models/date.hpp", "<chrono>",
     "the calendar types (year_month_day, sys_days) for date arithmetic, never a clock (clock names are refused)"},
}};

struct Finding {
  std::string file;
  int line = 0;
  std::string what;
  friend bool operator==(const Finding&, const Finding&) = default;
};

bool allowed(std::string_view file, std::string_view header, std::vector<bool>* used) {
  for (std::size_t i = 0; i < kAllowed.size(); ++i)
    if (kAllowed[i].file == file && kAllowed[i].header == header) {
      if (used) (*used)[i] = true;
      return true;
    }
  return false;
}

/// The delimiter ('<' or '"') and header of an `#include` line, as the preprocessor reads it
/// (blanks allowed around '#'); nothing for any other line. (By hand, not std::regex: GCC 12 at
/// -O1 with the sanitizers warns inside <regex>'s std::function, -Wmaybe-uninitialized.)
std::optional<std::pair<char, std::string>> include_of(std::string_view line) {
  std::size_t i = 0;
  auto blanks = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  blanks();
  if (i >= line.size() || line[i] != '#') return std::nullopt;
  ++i;
  blanks();
  if (line.substr(i, 7) != "include") return std::nullopt;
  i += 7;
  blanks();
  if (i >= line.size() || (line[i] != '<' && line[i] != '"')) return std::nullopt;
  const char open = line[i++];
  const std::size_t end = line.find(open == '<' ? '>' : '"', i);
  if (end == std::string_view::npos || end == i) return std::nullopt;
  return std::make_pair(open, std::string(line.substr(i, end - i)));
}

/// What is wrong with the includes of one file, `file` relative to the source root, of text `text`.
std::vector<Finding> check_source(const std::string& file, const std::string& text, std::vector<bool>* used = nullptr) {
  std::vector<Finding> out;
  const auto own = layer_of(file);
  if (!own) return out;
  std::istringstream in(text);
  std::string line;
  bool in_comment = false;
  for (int n = 1; std::getline(in, line); ++n) {
    // Lines inside /* ... */ are not code.
    if (in_comment) {
      if (line.find("*/") != std::string::npos) in_comment = false;
      continue;
    }
    if (const auto open = line.find("/*"); open != std::string::npos && line.find("*/", open) == std::string::npos &&
                                           line.find("//") > open)
      in_comment = true;
    if (*own == 0) {
      const std::string code = line.substr(0, line.find("//"));
      for (auto clock : kClocks)
        if (code.find(clock) != std::string::npos)
          out.push_back({file, n, "uses " + std::string(clock) + ": models/ reads no clock"});
    }
    const auto inc = include_of(line);
    if (!inc) continue;
    const std::string& header = inc->second;
    if (inc->first == '<') {
      if (*own != 0) continue;
      const bool forbidden = std::find(kModelsForbidden.begin(), kModelsForbidden.end(), header) != kModelsForbidden.end() ||
                             std::any_of(kModelsForbiddenPrefixes.begin(), kModelsForbiddenPrefixes.end(),
                                         [&](std::string_view p) { return header.starts_with(p); });
      if (forbidden && !allowed(file, "<" + header + ">", used))
        out.push_back({file, n, "includes <" + header + ">: models/ has no threads, files, clocks or outside libraries"});
      continue;
    }
    if (allowed(file, header, used)) continue;
    if (header == "sim/version.hpp") {
      if (*own == 0) out.push_back({file, n, "includes \"sim/version.hpp\": models/ includes nothing of sim/"});
      continue;
    }
    const auto target = layer_of(header);
    if (!target) {
      out.push_back({file, n, "includes \"" + header + "\", which is in no layer (" + std::string(kOrder) + ")"});
    } else if (*target > *own) {
      out.push_back({file, n,
                     "includes \"" + header + "\" of " + std::string(kLayers[*target]) + ", a layer above " +
                         std::string(kLayers[*own]) + "; a layer includes only itself and the layers below it (" +
                         std::string(kOrder) + ")"});
    }
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += f.file + ":" + std::to_string(f.line) + ": " + f.what + "\n";
  return out;
}

}  // namespace

// The tree as it is: no include points up a layer but the allowlisted ones, each still needed.
TEST(Layering, EveryIncludePointsDownOrWithinItsLayer) {
  const fs::path root = YIDI_SOURCE_DIR;
  std::vector<bool> used(kAllowed.size(), false);
  std::vector<Finding> findings;
  std::size_t files = 0;
  for (auto layer : kLayers) {
    ASSERT_TRUE(fs::is_directory(root / layer)) << layer;
    for (const auto& e : fs::recursive_directory_iterator(root / layer)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".hpp" && ext != ".cpp" && ext != ".h")) continue;
      ++files;
      const auto found = check_source(fs::relative(e.path(), root).generic_string(), slurp(e.path()), &used);
      findings.insert(findings.end(), found.begin(), found.end());
    }
  }
  EXPECT_GT(files, 80u);  // the six folders were found and read
  EXPECT_TRUE(findings.empty()) << describe(findings);
  for (std::size_t i = 0; i < kAllowed.size(); ++i)
    EXPECT_TRUE(used[i]) << "allowlist entry " << kAllowed[i].file << " → " << kAllowed[i].header
                         << " matches nothing any more: remove it (" << kAllowed[i].reason << ")";
}

// The checker itself, on planted sources.
TEST(Layering, APlantedBackIncludeIsFound) {
  const std::string text = "#include \"sim/model/world.hpp\"\n\n#include \"sim/io/embedded.hpp\"\n";
  EXPECT_EQ(check_source("sim/model/world.cpp", text),
            (std::vector<Finding>{{"sim/model/world.cpp", 3,
                                   "includes \"sim/io/embedded.hpp\" of sim/io, a layer above sim/model; a layer includes "
                                   "only itself and the layers below it (models ← sim/model ← sim/engine ← sim/io ← "
                                   "sim/report ← sim/cli)"}}));
  // Downward, within the layer, and sim/version.hpp are fine.
  EXPECT_TRUE(check_source("sim/cli/main.cpp",
                           "#include \"sim/io/output.hpp\"\n#include \"sim/cli/commands.hpp\"\n#include \"models/money.hpp\"\n"
                           "#include \"sim/version.hpp\"\n")
                  .empty());
  // Spaces after '#' are still an include; a commented-out one is not.
  EXPECT_EQ(check_source("sim/engine/results.cpp", "  #  include \"sim/report/svg.hpp\"\n").size(), 1u);
  EXPECT_TRUE(check_source("sim/engine/results.cpp", "// #include \"sim/report/svg.hpp\"\n").empty());
  EXPECT_TRUE(check_source("sim/engine/results.cpp", "/*\n#include \"sim/report/svg.hpp\"\n*/\n").empty());
  // models/ includes nothing of sim/, not even the version.
  EXPECT_EQ(check_source("models/ledger.cpp", "#include \"sim/model/agent.hpp\"\n").size(), 1u);
  EXPECT_EQ(check_source("models/ledger.cpp", "#include \"sim/version.hpp\"\n").size(), 1u);
  // A header of no layer (tests/, fuzz/) is refused anywhere.
  EXPECT_EQ(check_source("sim/io/csv.cpp", "#include \"tests/support/cli_runner.hpp\"\n")[0].what,
            "includes \"tests/support/cli_runner.hpp\", which is in no layer (models ← sim/model ← sim/engine ← sim/io "
            "← sim/report ← sim/cli)");
  // Files outside the layers are not checked.
  EXPECT_TRUE(check_source("tests/unit/money_test.cpp", "#include \"sim/cli/commands.hpp\"\n").empty());
}

TEST(Layering, ModelsHaveNoThreadsFilesOrClocks) {
  for (const char* h : {"thread", "mutex", "fstream", "filesystem", "chrono", "cstdio", "tbb/parallel_for.h",
                        "yaml-cpp/yaml.h", "H5Cpp.h", "unistd.h"}) {
    const auto f = check_source("models/clearing.cpp", "#include <" + std::string(h) + ">\n");
    ASSERT_EQ(f.size(), 1u) << h;
    EXPECT_EQ(f[0].line, 1) << h;
  }
  EXPECT_TRUE(check_source("models/clearing.cpp", "#include <vector>\n#include <map>\n#include <compare>\n").empty());
  // The allowlisted <chrono> of models/date.hpp is allowed there only, and no clock anywhere.
  EXPECT_TRUE(check_source("models/date.hpp", "#include <chrono>\n").empty());
  EXPECT_EQ(check_source("models/date.hpp", "auto t = std::chrono::system_clock::now();\n").size(), 1u);
  EXPECT_EQ(check_source("models/date.cpp", "  const auto t0 = std::chrono::steady_clock::now();  // timing\n")[0].what,
            "uses steady_clock: models/ reads no clock");
  EXPECT_TRUE(check_source("models/date.cpp", "// not the system_clock: the calendar only\n").empty());
  // The rest of sim/ may use them.
  EXPECT_TRUE(check_source("sim/engine/simulation.cpp", "#include <chrono>\n#include <fstream>\n").empty());
}
