// The region registry loader (sim/io/policy_yaml.hpp): yidi::io::load_region_registry into an
// empty book. Expected: InputError naming the file (bad codes, cities before their province,
// duplicates, unknown keys, YAML syntax).
#include "fuzz/harness.hpp"
#include "sim/io/policy_yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-regions.yaml";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    yidi::PolicyBook book;
    yidi::io::load_region_registry(book, yidi::fuzz::as_text(data, size), file);
  });
  return 0;
}
