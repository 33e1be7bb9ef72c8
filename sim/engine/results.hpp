#pragma once
// The run's outputs in memory, laid out by output_schema(): one flat array per dataset, monthly
// series growing by one month-slice at a time (month-major, C order).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/engine/output_schema.hpp"

namespace yidi::sim {

struct Series64 {
  std::vector<std::int64_t> i;
  std::vector<double> f;
};

class Results {
public:
  /// Results of a run over the schema's provinces (dim_labels(Dim::province)).
  Results();
  /// Results of a run over a world of these region codes (labels of the province dimensions).
  explicit Results(std::vector<std::string> region_labels);
  /// Number of monthly rows so far.
  std::size_t months() const { return months_; }
  /// Length of dimension d (not `month`) in this run: the regions for the province dimensions.
  std::size_t extent(Dim d) const { return d == Dim::province || d == Dim::treatment_province ? regions_.size() : dim_size(d); }
  /// Labels of dimension d in this run.
  std::vector<std::string> labels(Dim d) const { return d == Dim::province || d == Dim::treatment_province ? regions_ : dim_labels(d); }
  /// Elements of one slice (one month, or the whole dataset for non-monthly ones) in this run.
  std::size_t elements(const DatasetSpec& d) const;
  /// The same over the schema's provinces (a default Results).
  static std::size_t slice_size(const DatasetSpec& d);
  /// Opens a new month: every monthly dataset grows by a zeroed slice.
  void begin_month(int month_index);
  /// The current month's slice of a monthly dataset, or the whole of a static one.
  std::int64_t* ints(const std::string& name);
  double* floats(const std::string& name);
  /// The same for a dataset of the schema (a recorder's, sim/engine/recorders.hpp).
  std::int64_t* ints(const DatasetSpec& d);
  double* floats(const DatasetSpec& d);
  const Series64& data(const std::string& name) const { return data_.at(name); }
  /// Shape of a dataset now (month dimension = months()).
  std::vector<std::size_t> shape(const DatasetSpec& d) const;
  bool operator==(const Results& o) const;
  /// Rebuilds results from raw arrays (a checkpoint); throws if a size does not fit the schema.
  static Results from_raw(std::size_t months, std::map<std::string, Series64> data);
  static Results from_raw(std::vector<std::string> region_labels, std::size_t months, std::map<std::string, Series64> data);

private:
  std::vector<std::string> regions_;
  std::map<std::string, Series64> data_;
  std::size_t months_ = 0;
};

}  // namespace yidi::sim
