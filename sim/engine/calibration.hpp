#pragma once
// Model vs data for the calibration targets (../shared/data/national-stats.csv, each [VERIFIED]):
// computed from a run's results, printed by `yidi calibration`, checked by tests/sim.
#include <string>
#include <vector>

#include "sim/engine/results.hpp"

namespace yidi::sim {

struct CalibrationRow {
  std::string measure;
  double model = 0;
  double data = 0;
  std::string source;
  double ratio() const { return data != 0 ? model / data : 0; }
};

/// The rows whose year the run covers (2022 and/or 2023).
std::vector<CalibrationRow> calibration(const Results& r);
/// A Markdown table of the rows.
std::string calibration_markdown(const std::vector<CalibrationRow>& rows);

}  // namespace yidi::sim
