// The results reader (sim/io/settlements_csv.hpp): yidi::io::read_settlements with the default
// record rules and the embedded region registry. Expected: InputError for a bad header; malformed
// rows come back as rejections naming the file.
#include "fuzz/harness.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/settlements_csv.hpp"

namespace {
const yidi::PolicyBook& book() {
  static const yidi::PolicyBook b = yidi::io::load_embedded_policy();
  return b;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)book();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-results.csv";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    const auto read = yidi::io::read_settlements(yidi::fuzz::as_text(data, size), file, yidi::io::RecordRules{}, book());
    for (const auto& e : read.rejected) yidi::fuzz::check_names_file(e, file);
  });
  return 0;
}
