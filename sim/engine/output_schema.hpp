#pragma once
// The run output's schema: every dataset with its dimensions, unit and meaning, as the recorders
// declare them (sim/engine/recorders.hpp). The HDF5 writer, the results store and
// outputs/SCHEMA.md (`yidi schema`) all come from it.
#include <cstdint>
#include <string>
#include <vector>

namespace yidi::sim {

/// `region`: the run's pooling regions (from its world; no fixed labels); `province` and
/// `treatment_province`: the provinces.
enum class Dim : std::uint8_t { month, region, province, treatment_province, group, scheme, visit_type, path, reason };
const char* dim_name(Dim d);
/// Length of a dimension other than month.
std::size_t dim_size(Dim d);
/// Labels of a dimension other than month (province codes, group names, ...); none for `region`,
/// whose labels each run takes from its world (Results::labels).
std::vector<std::string> dim_labels(Dim d);

struct DatasetSpec {
  std::string name;          // HDF5 path below the root, e.g. "offsite/visits"
  std::vector<Dim> dims;     // the first is `month` for monthly series
  bool integer = true;       // int64 (counts, fen) or float64 (ratios, months)
  std::string unit;
  std::string description;
};

/// `months`, then every recorder's datasets in output order.
const std::vector<DatasetSpec>& output_schema();
const DatasetSpec& dataset(const std::string& name);
/// outputs/SCHEMA.md, generated from output_schema().
std::string schema_markdown();

}  // namespace yidi::sim
