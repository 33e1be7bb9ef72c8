// The fixed-seed regression tier (CTest label `regression`, STYLE.md): the real `yidi` binary on
// three scenarios at 1:10000 over their whole period, and `yidi settle` / `yidi clear` on the
// sample claims, each output reduced to one SHA-256 per HDF5 dataset or per CSV file and compared
// with tests/regression/baseline.txt.
//
// What is hashed leaves provenance out, so that a new version number or another thread count
// changes nothing: per dataset its type, shape, attributes (unit, description, dims) and raw
// bytes; the root attributes but `yidi_version`, `threads` and `ranks`; per CSV file its lines but
// the `#` comment lines (version, command, input paths); the `--explain` text as printed.
//
// A changed hash is a changed output. If the change is intended, regenerate the baseline with
// scripts/rebaseline-regression.sh and commit it in a commit that says why the outputs changed.
// With YIDI_REGRESSION_WRITE=FILE set the tests record what they compute into FILE instead of
// comparing (what the script does).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/io/claims_csv.hpp"
#include "tests/support/cli_runner.hpp"

namespace fs = std::filesystem;
using yidi::testing::Outcome;
using yidi::testing::slurp;

namespace {

/// (group, item) → sha256: a group is a scenario or a command, an item a dataset or a file.
using Hashes = std::map<std::pair<std::string, std::string>, std::string>;

const char* kBaseline = YIDI_SOURCE_DIR "/tests/regression/baseline.txt";

/// Root attributes that are provenance rather than output.
const std::set<std::string> kProvenanceAttributes = {"yidi_version", "threads", "ranks"};

// --- HDF5: one canonical byte string per dataset --------------------------------------------

std::string describe_type(hid_t type) {
  std::ostringstream s;
  s << "class " << static_cast<int>(H5Tget_class(type)) << " size " << H5Tget_size(type);
  if (H5Tget_class(type) == H5T_STRING) s << (H5Tis_variable_str(type) > 0 ? " variable" : " fixed");
  return s.str();
}

/// The raw bytes of an attribute or dataset read in its own (file) type; variable-length strings
/// as their text.
std::string attribute_bytes(hid_t attr) {
  const hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::string out = describe_type(type) + " n " + std::to_string(n) + ":";
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
    std::vector<char*> p(static_cast<std::size_t>(n), nullptr);
    H5Aread(attr, type, p.data());
    for (char* c : p) out += std::string(c ? c : "") + '\0';
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, p.data());
  } else {
    std::string buf(static_cast<std::size_t>(n) * H5Tget_size(type), '\0');
    H5Aread(attr, type, buf.data());
    out += buf;
  }
  H5Sclose(space);
  H5Tclose(type);
  return out;
}

struct AttrWalk {
  std::map<std::string, std::string> values;
  const std::set<std::string>* skip = nullptr;
};

herr_t collect_attribute(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* walk = static_cast<AttrWalk*>(data);
  if (walk->skip && walk->skip->count(name)) return 0;
  const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  walk->values[name] = attribute_bytes(a);
  H5Aclose(a);
  return 0;
}

std::string attributes_of(hid_t obj, const std::set<std::string>* skip) {
  AttrWalk walk;
  walk.skip = skip;
  hsize_t idx = 0;
  H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attribute, &walk);
  std::string out;
  for (const auto& [name, bytes] : walk.values) out += "attribute " + name + " = " + bytes + "\n";
  return out;
}

std::string dataset_bytes(hid_t ds) {
  const hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  std::ostringstream head;
  head << describe_type(type) << " shape";
  for (hsize_t d : dims) head << ' ' << d;
  head << '\n';
  std::string out = head.str() + attributes_of(ds, nullptr) + "data:";
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
    std::vector<char*> p(static_cast<std::size_t>(n), nullptr);
    H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data());
    for (char* c : p) out += std::string(c ? c : "") + '\0';
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, p.data());
  } else {
    std::string buf(static_cast<std::size_t>(n) * H5Tget_size(type), '\0');
    if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    out += buf;
  }
  H5Sclose(space);
  H5Tclose(type);
  return out;
}

struct DatasetWalk {
  std::vector<std::string> names;
};

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* data) {
  if (info->type == H5O_TYPE_DATASET) static_cast<DatasetWalk*>(data)->names.emplace_back(name);
  return 0;
}

/// sha256 per dataset of an HDF5 file, plus "@root" for the root attributes but provenance.
std::map<std::string, std::string> hdf5_hashes(const fs::path& file) {
  std::map<std::string, std::string> out;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    ADD_FAILURE() << file << ": cannot open as HDF5";
    return out;
  }
  DatasetWalk walk;
  H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &walk, H5O_INFO_BASIC);
  for (const auto& name : walk.names) {
    const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    out[name] = yidi::io::sha256_hex(dataset_bytes(ds));
    H5Dclose(ds);
  }
  out["@root"] = yidi::io::sha256_hex(attributes_of(f, &kProvenanceAttributes));
  H5Fclose(f);
  return out;
}

/// A CSV's lines but its `#` comment lines (provenance: version, command, paths, input hashes).
std::string without_comments(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (!line.starts_with("#")) out += line + "\n";
  return out;
}

// --- the baseline file -----------------------------------------------------------------------

Hashes read_baseline() {
  Hashes out;
  std::ifstream in(kBaseline);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with("#")) continue;
    std::istringstream s(line);
    std::string group, item, sha;
    s >> group >> item >> sha;
    out[{group, item}] = sha;
  }
  return out;
}

/// With YIDI_REGRESSION_WRITE set: what the tests computed, written out when they end.
Hashes& recorded() {
  static Hashes h;
  return h;
}
const char* write_target() { return std::getenv("YIDI_REGRESSION_WRITE"); }

class WriteBaseline : public ::testing::Environment {
public:
  void TearDown() override {
    if (!write_target()) return;
    std::ofstream out(write_target(), std::ios::binary);
    out << "# The regression tier's baseline (tests/regression/regression_test.cpp): group, item, sha256.\n"
           "# Regenerated by scripts/rebaseline-regression.sh; commit a change only with a message saying\n"
           "# why the outputs changed.\n";
    for (const auto& [key, sha] : recorded()) out << key.first << ' ' << key.second << ' ' << sha << '\n';
  }
};
const auto* const kWriteBaseline = ::testing::AddGlobalTestEnvironment(new WriteBaseline);

class Regression : public yidi::testing::CliTest {
protected:
  /// Compares (or, when writing, records) the hashes of one group against the baseline.
  void check(const std::string& group, const std::map<std::string, std::string>& actual) {
    ASSERT_FALSE(actual.empty()) << group << ": nothing to hash";
    if (write_target()) {
      for (const auto& [item, sha] : actual) recorded()[{group, item}] = sha;
      return;
    }
    std::map<std::string, std::string> expected;
    for (const auto& [key, sha] : read_baseline())
      if (key.first == group) expected[key.second] = sha;
    std::vector<std::string> changed, added, missing;
    for (const auto& [item, sha] : actual) {
      const auto it = expected.find(item);
      if (it == expected.end()) added.push_back(item);
      else if (it->second != sha) changed.push_back(item);
    }
    for (const auto& [item, sha] : expected)
      if (!actual.count(item)) missing.push_back(item);
    if (changed.empty() && added.empty() && missing.empty()) return;
    std::ostringstream msg;
    msg << group << ": the outputs differ from " << kBaseline << "\n";
    auto list = [&](const char* what, const std::vector<std::string>& items) {
      if (items.empty()) return;
      msg << "  " << what << " (" << items.size() << "):";
      for (const auto& i : items) msg << ' ' << i;
      msg << '\n';
    };
    list("changed", changed);
    list("new, not in the baseline", added);
    list("in the baseline, not produced", missing);
    msg << "If this change of output is intended, run scripts/rebaseline-regression.sh and commit\n"
           "tests/regression/baseline.txt in a commit whose message explains why these outputs changed.";
    ADD_FAILURE() << msg.str();
  }

  /// `yidi run SCENARIO` at 1:10000 over the scenario's whole period on `threads` threads.
  void run_scenario(const std::string& scenario, int threads) {
    const std::string file = scenario + ".h5";
    const Outcome r = yidi("run " + scenario + " --scale 1:10000 --threads " + std::to_string(threads) + " -o " + file);
    ASSERT_EQ(r.code, 0) << r.err;
    check("run:" + scenario, hdf5_hashes(work() / file));
  }

  /// The sample claims copied into work/ (relative paths keep --explain's text free of folders).
  void copy_claims() {
    fs::copy_file(fs::path(YIDI_SOURCE_DIR) / "scenarios/examples/claims-sample.csv", work() / "claims.csv");
    fs::copy_file(fs::path(YIDI_SOURCE_DIR) / "scenarios/examples/clearing-config.yaml", work() / "config.yaml");
  }
  std::map<std::string, std::string> csv_hashes(const fs::path& dir) const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".csv")
        out[e.path().filename().string()] = yidi::io::sha256_hex(without_comments(slurp(e.path())));
    return out;
  }
};

}  // namespace

TEST_F(Regression, Baseline) { run_scenario("baseline", 2); }
TEST_F(Regression, Target70) { run_scenario("target-70", 2); }
TEST_F(Regression, ReductionsNational) { run_scenario("reductions-national", 2); }
// The same hashes on one thread: a run is byte-identical at any thread count.
TEST_F(Regression, BaselineOnOneThread) {
  if (write_target()) GTEST_SKIP() << "compares with what Baseline records";
  run_scenario("baseline", 1);
}

TEST_F(Regression, SettleAndClear) {
  copy_claims();
  Outcome r = yidi("settle claims.csv -o results.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  r = yidi("settle claims.csv -o explained.csv --explain");
  ASSERT_EQ(r.code, 0) << r.err;
  auto settled = csv_hashes(work());
  settled.erase("claims.csv");
  EXPECT_EQ(settled.count("results.csv"), 1u);
  EXPECT_EQ(settled.count("results.csv.rejects.csv"), 1u);
  settled["explain.txt"] = yidi::io::sha256_hex(r.out);
  check("settle", settled);

  r = yidi("clear results.csv -o cleared");
  ASSERT_EQ(r.code, 0) << r.err;
  check("clear", csv_hashes(work() / "cleared"));
  // The example configuration funds two pools: the settlement insured elsewhere is rejected (exit 2).
  r = yidi("clear results.csv -o configured --config config.yaml --ledger");
  ASSERT_EQ(r.code, 2) << r.err;
  auto configured = csv_hashes(work() / "configured");
  EXPECT_EQ(configured.count("ledger.csv"), 1u);
  configured["stderr.txt"] = yidi::io::sha256_hex(r.err);
  check("clear-config-ledger", configured);
}
