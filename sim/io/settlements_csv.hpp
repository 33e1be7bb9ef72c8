#pragma once
// Settlement results (the output of `yidi settle`, docs/settle-formats.md) read back as clearing
// records for `yidi clear`, streaming, with the checks `yidi settle` makes on its own input
// (docs/clear-formats.md "Input"). Extra columns are ignored; the ones clearing needs are required.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/clearing.hpp"
#include "models/parameters.hpp"
#include "sim/io/claims_csv.hpp"
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

/// Reads a results file row by row. The header is read on construction: InputError for a missing
/// required column or a column given twice (the file is refused). Each row is checked as `yidi
/// settle` checks its input: text, amounts, region codes present in `registry`, a unique
/// `mdtrt_id`, fund_pay_sumamt ≤ medfee_sumamt, fund_pay_sumamt + psn_part_amt = medfee_sumamt, the
/// flags; a bad row is returned as a rejection, FILE:LINE:COL: field …: expected …, got '…'.
class SettlementsReader {
public:
  SettlementsReader(CsvSplitter& splitter, const RecordRules& rules, const PolicyBook& registry);
  enum class Next { row, rejected, end };
  Next next(SettlementRow& row, std::optional<InputError>& rejected);
  std::size_t ids_bytes() const { return ids_.bytes(); }

private:
  CsvSplitter& splitter_;
  RecordRules rules_;
  const PolicyBook& registry_;
  std::vector<std::string> header_;
  std::vector<int> col_;  // [required or checked column] → field index, −1 if absent
  VisitIds ids_;
  std::vector<FieldView> fields_;
  std::string scratch_;
};

/// All rows of a results text (tests and small inputs).
struct SettlementsFile {
  std::vector<SettlementRow> rows;
  std::vector<InputError> rejected;
};
SettlementsFile read_settlements(std::string_view text, const std::string& file_name, const RecordRules& rules,
                                 const PolicyBook& registry);

/// A number in [0, 1) fixed by the text and a purpose: the same id always draws the same number.
double stable_uniform(std::string_view id, std::string_view purpose);

}  // namespace yidi::io
