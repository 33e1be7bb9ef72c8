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
  Results();
  /// Number of monthly rows so far.
  std::size_t months() const { return months_; }
  /// Elements of one slice (one month, or the whole dataset for non-monthly ones).
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

private:
  std::map<std::string, Series64> data_;
  std::size_t months_ = 0;
};

}  // namespace yidi::sim
