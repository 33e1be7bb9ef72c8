// The policy loader (sim/io/policy_yaml.hpp): yidi::io::load_policy_text of one policy file over
// the embedded region registry. Two marker lines change how the input is loaded, so that each input
// always takes the same path: "# overlay" loads it as a reform overlay, and "# validate" loads it
// over the national defaults and then runs PolicyBook::validate (as load_policy_dir does; 0.2 s an
// input under ASan, so only for inputs that ask). Expected: InputError naming the file from
// load_policy_text (it translates PolicyBook's errors), PolicyError from validate() (documented in
// models/parameters.hpp).
#include <string>
#include <vector>

#include "fuzz/harness.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/policy_yaml.hpp"

namespace {
const std::string kRegistry = "scenarios/policy/regions.yaml";
const std::string kNational = "scenarios/policy/national.yaml";
std::string_view embedded(const std::string& path) {
  const auto t = yidi::io::embedded_file(path);
  if (!t) yidi::fuzz::finding("not embedded", path);
  return *t;
}
}  // namespace

/// A book holding the embedded region registry, without parsing it again: its regions are read
/// once and added to each new book.
yidi::PolicyBook registry_book() {
  static const std::vector<yidi::RegionInfo> infos = [] {
    yidi::PolicyBook b;
    yidi::io::load_region_registry(b, embedded(kRegistry), kRegistry);
    std::vector<yidi::RegionInfo> out;
    for (const auto code : b.regions()) out.push_back(*b.region(code));
    return out;
  }();
  yidi::PolicyBook b;
  for (const auto& info : infos) b.add_region(info);
  return b;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)registry_book();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-policy.yaml";
  const std::string_view text = yidi::fuzz::as_text(data, size);
  const bool overlay = text.find("# overlay\n") != std::string_view::npos;
  const bool validate = text.find("# validate\n") != std::string_view::npos;
  // First over the registry alone (cheap: most inputs stop here with an InputError).
  bool loaded = false;
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    yidi::PolicyBook book = registry_book();
    yidi::io::load_policy_text(book, text, file, overlay);
    loaded = true;
  });
  if (!loaded || !validate) return 0;
  // Then as the loaders do it: over the national defaults, and validated.
  yidi::PolicyBook book = registry_book();
  yidi::io::load_policy_text(book, embedded(kNational), kNational);
  loaded = false;
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    yidi::io::load_policy_text(book, text, file, overlay);
    loaded = true;
  });
  if (!loaded) return 0;
  try {
    book.validate();
  } catch (const yidi::PolicyError&) {
    // documented: a value outside the national rules (load_policy_dir locates it as an InputError)
  } catch (const std::exception& e) {
    yidi::fuzz::finding(("undocumented exception from validate: " + yidi::fuzz::type_name(e)).c_str(), e.what());
  }
  return 0;
}
