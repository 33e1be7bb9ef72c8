#pragma once
// Writes a run's Results to one HDF5 file, laid out by output_schema(): every dataset with its
// unit, description and dimension names; dimension labels under labels/; provenance attributes on
// the root (always with yidi_version). Built in memory and written through an io::OutputFile
// (sim/io/output.hpp: a temporary beside the target, put in place by the caller's commit()). Object
// timestamps are off, so the same results give the same bytes.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/results.hpp"
#include "sim/io/output.hpp"

namespace yidi::io {

/// Root attributes: name → value (strings) and name → value (integers).
struct Provenance {
  std::map<std::string, std::string> text;
  std::map<std::string, std::int64_t> numbers;
};

/// Writes a run file into `out` (the caller commits it).
void write_results_hdf5(OutputFile& out, const sim::Results& results, const Provenance& provenance);
/// The same into a new file at `path` (refused if it exists), put in place when complete.
void write_results_hdf5(const std::string& path, const sim::Results& results, const Provenance& provenance);

/// Summary files of the experiment layer: io::Hdf5SummarySink (sim/io/summary_sink.hpp).

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

/// True if `path` is a readable HDF5 file (false for a missing, unreadable or other file).
bool is_hdf5_file(const std::string& path);
/// True if the file holds a dataset at `name` (e.g. "quantiles/offsite/dsr_inpatient_national").
bool has_dataset_hdf5(const std::string& path, const std::string& name);
/// Every attribute of the root: strings into `text`, integers into `numbers`, floats into `text`
/// in the shortest form that reads back exactly.
Provenance read_root_attributes_hdf5(const std::string& path);
/// A dataset of fixed-length strings (the dimension labels, `labels/province`, ...).
std::vector<std::string> read_labels_hdf5(const std::string& path, const std::string& name);

}  // namespace yidi::io
