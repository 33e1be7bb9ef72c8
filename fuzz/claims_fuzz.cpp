// The claims parser (sim/io/claims_csv.hpp): yidi::io::parse_claims over the embedded policy data.
// Expected: InputError for a bad header (empty file, unknown/duplicate/missing columns); every
// malformed row comes back as a RejectedRow whose error names the file and its own line.
#include "fuzz/harness.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/policy_yaml.hpp"

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
  const std::string file = "fuzz-claims.csv";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    const auto parsed = yidi::io::parse_claims(yidi::fuzz::as_text(data, size), file, book());
    for (const auto& r : parsed.rejected) {
      yidi::fuzz::check_names_file(r.error, file);
      if (r.line < 1) yidi::fuzz::finding("rejected row without a line", r.error.what());
    }
    for (const auto& r : parsed.rows)
      if (r.line < 1) yidi::fuzz::finding("row without a line", std::to_string(r.line));
  });
  return 0;
}
