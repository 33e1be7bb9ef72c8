// The scenario loader (sim/io/scenario_yaml.hpp): yidi::io::parse_scenario over the defaults.
// Expected: InputError naming the file for unknown keys, malformed or out-of-range values.
// (load_scenario's `extends:` and scenario_policy's overlays read files: not fuzzed here.)
//
// It also checks that the resolved form of an accepted scenario (io::resolved_yaml, stored in every
// run and hashed for provenance) parses back to the same resolved form.

#include "fuzz/harness.hpp"
#include "sim/io/scenario_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-scenario.yaml";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    const auto s = yidi::io::parse_scenario(yidi::fuzz::as_text(data, size), file);
    const std::string resolved = yidi::io::resolved_yaml(s);  // every accepted scenario has a resolved form
    std::string again;
    try {
      again = yidi::io::resolved_yaml(yidi::io::parse_scenario(resolved, "resolved.yaml"));
    } catch (const std::exception& e) {
      yidi::fuzz::finding("the resolved form does not parse back", std::string(e.what()) + "\n" + resolved);
    }
    if (again != resolved)
      yidi::fuzz::finding("the resolved form changes when parsed back", resolved + "\n---\n" + again);
  });
  return 0;
}
