// The results reader (sim/io/settlements_csv.hpp): yidi::io::read_settlements with the default
// record rules. Expected: InputError for a missing required column; malformed rows come back as
// rejections naming the file.
#include <sstream>

#include "fuzz/harness.hpp"
#include "sim/io/settlements_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "fuzz-results.csv";
  yidi::fuzz::expect_only_input_errors(file, false, [&] {
    std::istringstream in{std::string(yidi::fuzz::as_text(data, size))};
    const auto read = yidi::io::read_settlements(in, file, yidi::io::RecordRules{});
    for (const auto& e : read.rejected) yidi::fuzz::check_names_file(e, file);
  });
  return 0;
}
