// The clearing configuration (sim/io/clearing_yaml.hpp): yidi::io::parse_clearing_config.
// Expected: InputError naming the file for unknown keys and bad values.
#include "fuzz/harness.hpp"
#include "sim/io/clearing_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-clearing.yaml";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    const auto c = yidi::io::parse_clearing_config(yidi::fuzz::as_text(data, size), file);
    (void)yidi::io::describe(c.params, c.rules);
  });
  return 0;
}
