#pragma once
// Settlement results (the output of `yidi settle`, docs/settle-formats.md) read back as clearing
// records for `yidi clear`. Extra columns are ignored; the ones clearing needs are required.
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "models/clearing.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::io {

/// How results become clearing records, beyond what the file says [assumed; documented in
/// docs/clear-formats.md]: a deterministic share of declarations is late by one or two months
/// (chosen by a hash of mdtrt_id), and manual-path claims are reimbursed `manual_lag_months` after
/// discharge by the share of patients who claim (also chosen by hash).
struct RecordRules {
  Ratio late_one_month = Ratio::percent(5);
  Ratio late_two_months = Ratio::percent(2);
  int manual_lag_months = 3;
  Ratio manual_claim_share = Ratio::percent(100);
};

struct SettlementRow {
  int line = 0;
  SettlementRecord record;
};

struct SettlementsFile {
  std::vector<SettlementRow> rows;
  std::vector<InputError> rejected;
};

/// Reads a results file; throws InputError for a missing required column, returns malformed rows
/// as rejections (file, line, field, what was expected).
SettlementsFile read_settlements(std::istream& in, const std::string& file_name, const RecordRules& rules);

/// A number in [0, 1) fixed by the text and a purpose: the same id always draws the same number.
double stable_uniform(std::string_view id, std::string_view purpose);

}  // namespace yidi::io
