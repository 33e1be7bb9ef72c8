// The scenario loader (sim/io/scenario_yaml.hpp): yidi::io::parse_scenario over the defaults.
// Expected: InputError naming the file for unknown keys, malformed or out-of-range values.
// (load_scenario's `extends:` and scenario_policy's overlays read files: not fuzzed here.)
#include "fuzz/harness.hpp"
#include "sim/io/scenario_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-scenario.yaml";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    const auto s = yidi::io::parse_scenario(yidi::fuzz::as_text(data, size), file);
    (void)yidi::io::resolved_yaml(s);  // every accepted scenario has a resolved form
  });
  return 0;
}
