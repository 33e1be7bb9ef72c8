#pragma once
// Writes a run's Results to one HDF5 file, laid out by output_schema(): every dataset with its
// unit, description and dimension names; dimension labels under labels/; provenance attributes on
// the root. Written to a temporary name beside the target and renamed when complete. Object
// timestamps are off, so the same results give the same bytes.
#include <cstdint>
#include <map>
#include <string>

#include "sim/engine/results.hpp"

namespace yidi::io {

/// Root attributes: name → value (strings) and name → value (integers).
struct Provenance {
  std::map<std::string, std::string> text;
  std::map<std::string, std::int64_t> numbers;
};

void write_results_hdf5(const std::string& path, const sim::Results& results, const Provenance& provenance);

/// Reads back one dataset (for tests and `yidi` subcommands that compare runs).
struct Dataset64 {
  std::vector<std::size_t> shape;
  std::vector<std::int64_t> i;
  std::vector<double> f;
};
Dataset64 read_dataset_hdf5(const std::string& path, const std::string& name);
/// All datasets of a run file back into Results.
sim::Results read_results_hdf5(const std::string& path);
std::string read_text_attribute_hdf5(const std::string& path, const std::string& name);
std::int64_t read_number_attribute_hdf5(const std::string& path, const std::string& name);

}  // namespace yidi::io
