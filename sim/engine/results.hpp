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

/// The labels of a run's regional dimensions: its regions (pools) and provinces, codes and names.
struct RunLabels {
  std::vector<std::string> regions, region_names, region_names_en;
  std::vector<std::string> provinces, province_names, province_names_en;
  /// The schema's provinces and no regions (a run's regions come from its world).
  static RunLabels of_schema();
  /// Regions with these codes; their provinces (codes only) derived from them, in code order.
  static RunLabels of_regions(std::vector<std::string> region_codes);
  bool operator==(const RunLabels&) const = default;
};

class Results {
public:
  /// Results over the schema's provinces and no regions (RunLabels::of_schema()).
  Results();
  /// Results of a run over these regions and provinces.
  explicit Results(RunLabels labels);
  /// Number of monthly rows so far.
  std::size_t months() const { return months_; }
  /// Length of dimension d (not `month`) in this run: the regions and provinces from its labels.
  std::size_t extent(Dim d) const {
    if (d == Dim::region) return labels_.regions.size();
    if (d == Dim::province || d == Dim::treatment_province) return labels_.provinces.size();
    return dim_size(d);
  }
  /// Labels (codes) of dimension d in this run.
  std::vector<std::string> labels(Dim d) const {
    if (d == Dim::region) return labels_.regions;
    if (d == Dim::province || d == Dim::treatment_province) return labels_.provinces;
    return dim_labels(d);
  }
  const RunLabels& run_labels() const { return labels_; }
  /// Replaces the names (not the codes: std::invalid_argument if they differ), as a run restored
  /// from a checkpoint gets them back from its world.
  void set_names(const RunLabels& labels);
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
  static Results from_raw(RunLabels labels, std::size_t months, std::map<std::string, Series64> data);

private:
  RunLabels labels_;
  std::map<std::string, Series64> data_;
  std::size_t months_ = 0;
};

}  // namespace yidi::sim
