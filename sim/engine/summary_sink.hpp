#pragma once
// Where the experiment layer writes its files (docs/experiments.md). The engine decides what a
// summary file holds and in which order; a sink only writes it. The HDF5 sink lives in sim/io
// (sim/io/summary_sink.hpp): the engine never includes sim/io.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yidi::sim {

/// Attributes of a file's root: name → text and name → integer (the provenance of a run file,
/// outputs/SCHEMA.md).
struct Attributes {
  std::map<std::string, std::string> text;
  std::map<std::string, std::int64_t> numbers;
};

/// A dataset's own attributes.
struct DatasetAttributes {
  std::string unit, description, dims;  // dims: dimension names, comma-separated
};

/// One summary file in the making. Calls come in the order the datasets are to appear; a path
/// with '/' creates its groups. close() puts the finished file in place (a sink destroyed
/// unclosed leaves nothing).
class SummarySink {
public:
  virtual ~SummarySink() = default;
  /// The root attributes; first, once.
  virtual void attributes(const Attributes& a) = 0;
  /// A one-dimensional dataset of strings (dimension labels, `labels/NAME`).
  virtual void labels(const std::string& name, const std::vector<std::string>& labels) = 0;
  /// A float64 or int64 dataset of `shape` (row-major), with its attributes when given.
  virtual void dataset(const std::string& name, const std::vector<std::size_t>& shape, const std::vector<double>& data,
                       const DatasetAttributes* attributes) = 0;
  virtual void dataset(const std::string& name, const std::vector<std::size_t>& shape,
                       const std::vector<std::int64_t>& data, const DatasetAttributes* attributes) = 0;
  virtual void close() = 0;
};

/// The folder of a sweep: one summary file per grid point and an index (`yidi sweep -o DIR`).
class SweepStore {
public:
  virtual ~SweepStore() = default;
  /// Opens (or creates) the folder and the index; called once the grid is checked, before any
  /// point is computed, so that an unwritable place is found at once.
  virtual void open() = 0;
  /// The root attributes of the point file `file`, if it exists and can be read.
  virtual std::optional<Attributes> read(const std::string& file) = 0;
  /// Whether anything (a file, a link, a folder) stands at `file`.
  virtual bool exists(const std::string& file) = 0;
  /// For a `file` that exists but is not a complete point of this sweep: throws unless it may be
  /// replaced (--overwrite, and yidi's own HDF5 output).
  virtual void check_replaceable(const std::string& file) = 0;
  /// A sink for the point file `file`.
  virtual std::unique_ptr<SummarySink> point(const std::string& file) = 0;
  /// Writes the index (CSV text) and puts it in place.
  virtual void index(const std::string& text) = 0;
};

}  // namespace yidi::sim
