#include "sim/engine/output_schema.hpp"

#include <stdexcept>

#include "models/categories.hpp"
#include "models/claim.hpp"

namespace yidi::sim {

const char* dim_name(Dim d) {
  switch (d) {
    case Dim::month: return "month";
    case Dim::province: return "province";
    case Dim::treatment_province: return "treatment_province";
    case Dim::group: return "group";
    case Dim::scheme: return "scheme";
    case Dim::visit_type: return "visit_type";
    case Dim::path: return "path";
    case Dim::reason: return "reason";
  }
  return "?";
}

std::size_t dim_size(Dim d) { return dim_labels(d).size(); }

std::vector<std::string> dim_labels(Dim d) {
  switch (d) {
    case Dim::month: return {};
    case Dim::province:
    case Dim::treatment_province:
      return {"110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000",
              "310000", "320000", "330000", "340000", "350000", "360000", "370000", "410000",
              "420000", "430000", "440000", "450000", "460000", "500000", "510000", "520000",
              "530000", "540000", "610000", "620000", "630000", "640000", "650000", "660000"};
    case Dim::group: return {"employee_in_service", "employee_retired", "resident"};
    case Dim::scheme: return {"employee", "resident"};
    case Dim::visit_type: return {"inpatient", "general_outpatient", "chronic_outpatient", "pharmacy"};
    case Dim::path: return {"direct", "manual"};
    case Dim::reason: {
      std::vector<std::string> out;
      for (int r = 0; r <= static_cast<int>(PathReason::settlement_failed); ++r)
        out.emplace_back(to_string(static_cast<PathReason>(r)));
      return out;
    }
  }
  return {};
}

const std::vector<DatasetSpec>& output_schema() {
  using D = Dim;
  static const std::vector<DatasetSpec> s = {
      {"months", {D::month}, true, "year × 12 + month − 1", "the month of each row of every monthly series"},
      {"population/insured", {D::province, D::group}, true, "persons", "insured persons (full scale) by home province and group"},
      {"population/away", {D::month, D::province, D::group}, true, "persons", "insured persons living in another province at month end (scaled)"},
      {"offsite/visits", {D::month, D::province, D::group, D::visit_type, D::path}, true, "visits",
       "cross-province visits by insured province (scaled), direct or manual"},
      {"offsite/medfee", {D::month, D::province, D::group, D::visit_type, D::path}, true, "fen", "their total bills (medfee_sumamt)"},
      {"offsite/fund", {D::month, D::province, D::group, D::visit_type, D::path}, true, "fen",
       "what the funds pay (fund_pay_sumamt); manual: the entitlement, paid only if claimed"},
      {"offsite/hifp", {D::month, D::province, D::group, D::visit_type, D::path}, true, "fen", "of which the pooled fund (hifp_pay)"},
      {"offsite/individual", {D::month, D::province, D::group, D::visit_type, D::path}, true, "fen",
       "individual burden psn_part_amt = medfee − fund"},
      {"offsite/by_treatment", {D::month, D::province, D::treatment_province, D::visit_type}, true, "visits",
       "cross-province visits by insured and treatment province (scaled), both paths"},
      {"offsite/dsr_inpatient", {D::month, D::province}, false, "ratio",
       "cross-province inpatient direct-settlement rate of the insured province: direct ÷ (direct + manual)"},
      {"offsite/dsr_inpatient_national", {D::month}, false, "ratio", "the same, national"},
      {"offsite/manual_reasons", {D::month, D::province, D::reason}, true, "visits",
       "why cross-province inpatient stays were settled manually (scaled)"},
      {"local/inpatient_stays", {D::month, D::province, D::group}, true, "visits", "inpatient stays at home (scaled)"},
      {"local/inpatient_medfee", {D::month, D::province, D::group}, true, "fen", "their bills"},
      {"local/inpatient_fund", {D::month, D::province, D::group}, true, "fen", "what the funds paid for them"},
      {"clearing/gross", {D::month, D::province, D::treatment_province}, true, "fen",
       "cleared this month: insured province (row) pays treatment province (column)"},
      {"clearing/net", {D::month, D::province}, true, "fen", "multilateral net position cleared this month (receivable − payable)"},
      {"prepayment/quota", {D::month, D::province}, true, "fen", "prepayment quota of the insured province at month end"},
      {"prepayment/outstanding", {D::month, D::province}, true, "fen", "settled but not yet cleared at month end"},
      {"prepayment/usage", {D::month, D::province}, false, "ratio", "outstanding ÷ quota"},
      {"prepayment/warning", {D::month, D::province}, true, "0/1/2", "none / yellow (≥ 70%) / red (≥ 90%) at month end"},
      {"prepayment/topup_requested", {D::month, D::province}, true, "fen", "emergency top-ups asked for at month end"},
      {"prepayment/topups_paid", {D::month}, true, "fen", "emergency top-ups paid during the month, national"},
      {"funds/balance", {D::month, D::province, D::scheme}, true, "fen", "pooling fund balance at month end"},
      {"funds/prepayment_held", {D::month, D::province, D::scheme}, true, "fen", "the fund's money held by other provinces as prepayment"},
      {"funds/income", {D::month, D::province, D::scheme}, true, "fen", "contributions in during the month"},
      {"funds/expenditure", {D::month, D::province, D::scheme}, true, "fen",
       "spending during the month: local benefits, clearing, manual reimbursements, less clawbacks"},
      {"funds/months_payable", {D::month, D::province, D::scheme}, false, "months",
       "(balance + prepayment held) ÷ average monthly expenditure, trailing 12 months"},
      {"funds/below_floor", {D::month, D::province, D::scheme}, true, "0/1", "months payable below 6 [seed 003]"},
      {"funds/response_active", {D::month, D::province}, true, "0/1",
       "the province's deepened off-site reductions were in force this month (funds.response_points)"},
  };
  return s;
}

const DatasetSpec& dataset(const std::string& name) {
  for (const auto& d : output_schema())
    if (d.name == name) return d;
  throw std::out_of_range("no dataset " + name);
}

std::string schema_markdown() {
  std::string out =
      "# Run output schema\n\n"
      "Generated by `yidi schema` from `sim/engine/output_schema.cpp`; do not edit by hand.\n\n"
      "One HDF5 file per run (`yidi run`). Money is int64 fen (divide by 100 for yuan); counts are\n"
      "scaled to full scale (a sample agent stands for `scale` persons). Every dataset carries the\n"
      "attributes `unit`, `description` and `dims`; the root carries the provenance attributes\n"
      "`yidi_version`, `scenario` (resolved YAML), `scenario_sha256`, `seed`, `scale`, `threads`,\n"
      "`ranks`, `start_month`, `months`. Dimension labels are datasets under `labels/`.\n\n"
      "| dataset | dimensions | type | unit | meaning |\n|---|---|---|---|---|\n";
  for (const auto& d : output_schema()) {
    std::string dims;
    for (std::size_t i = 0; i < d.dims.size(); ++i) dims += (i ? " × " : "") + std::string(dim_name(d.dims[i]));
    out += "| `" + d.name + "` | " + dims + " | " + (d.integer ? "int64" : "float64") + " | " + d.unit + " | " +
           d.description + " |\n";
  }
  out += "\n## Dimensions\n\n| dimension | labels |\n|---|---|\n";
  for (Dim dim : {Dim::province, Dim::group, Dim::scheme, Dim::visit_type, Dim::path, Dim::reason}) {
    std::string labels;
    for (const auto& l : dim_labels(dim)) labels += (labels.empty() ? "" : ", ") + l;
    out += "| `" + std::string(dim_name(dim)) + "` | " + labels + " |\n";
  }
  out += "| `month` | one row a simulated month; see `months` |\n";
  out += "\n`treatment_province` has the labels of `province`.\n";
  return out;
}

}  // namespace yidi::sim
