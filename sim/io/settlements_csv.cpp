#include "sim/io/settlements_csv.hpp"

#include <array>

namespace yidi::io {
namespace {
// The columns read, in the order of the checks on a row; the first ten are required.
enum Col : int {
  c_mdtrt_id, c_insuplc, c_mdtrtarea, c_insutype, c_dscg_date, c_path, c_medfee, c_fund, c_psn_part, c_coaudit,
  c_cross_province,
  kCols
};
constexpr std::array<std::string_view, kCols> kNames = {
    "mdtrt_id", "insuplc_admdvs", "mdtrtarea_admvs", "insutype", "dscg_date", "path", "medfee_sumamt",
    "fund_pay_sumamt", "psn_part_amt", "coaudit", "cross_province"};
constexpr int kRequired = c_coaudit + 1;

struct RowError {
  InputError error;
};
}  // namespace

double stable_uniform(std::string_view id, std::string_view purpose) {
  // FNV-1a 64 over purpose + '\0' + id, then the top 53 bits as a fraction.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(purpose);
  mix(std::string_view("\0", 1));
  mix(id);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return static_cast<double>(h >> 11) / 9007199254740992.0;
}

SettlementsReader::SettlementsReader(CsvSplitter& splitter, const RecordRules& rules, const PolicyBook& registry)
    : splitter_(splitter), rules_(rules), registry_(registry), col_(kCols, -1) {
  const std::string& file = splitter_.file_name();
  splitter_.allow_trailing_comments(true);  // yidi settle ends its results with provenance lines
  RawRecord rec;
  if (!splitter_.header(rec)) throw InputError({file, 0, 0}, "", "empty file; expected the header of a results file");
  split_fields(rec, file, splitter_.limits(), fields_, scratch_);
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const std::string name(fields_[i].value);
    for (std::size_t k = 0; k < header_.size(); ++k)
      if (header_[k] == name)
        throw InputError(location_in(rec, file, fields_[i].offset), shown(name),
                         "column given twice (columns " + std::to_string(k + 1) + " and " + std::to_string(i + 1) + ")");
    header_.push_back(name);
    for (std::size_t c = 0; c < kCols; ++c)
      if (kNames[c] == name) col_[c] = static_cast<int>(i);
  }
  for (int c = 0; c < kRequired; ++c)
    if (col_[static_cast<std::size_t>(c)] < 0)
      throw InputError({file, rec.line, 0}, std::string(kNames[static_cast<std::size_t>(c)]),
                       "missing column; expected the header written by `yidi settle` (docs/settle-formats.md)");
  splitter_.expect_fields(header_.size());
}

SettlementsReader::Next SettlementsReader::next(SettlementRow& out, std::optional<InputError>& rejected) {
  rejected.reset();
  RawRecord rec;
  if (!splitter_.next(rec)) return Next::end;
  const std::string& file = splitter_.file_name();
  if (rec.error) {
    rejected = *rec.error;
    return Next::rejected;
  }
  try {
    split_fields(rec, file, splitter_.limits(), fields_, scratch_, &header_);
  } catch (const InputError& e) {
    rejected = e;
    return Next::rejected;
  }
  // The id is taken from a record of any width, so that a later duplicate is still found.
  const std::size_t id_at = static_cast<std::size_t>(col_[c_mdtrt_id]);
  std::optional<IdHash> id;
  if (id_at < fields_.size() && !fields_[id_at].value.empty() && !text_problem(fields_[id_at].value))
    id = id_hash(fields_[id_at].value);
  int first_seen = 0;
  if (id) first_seen = ids_.insert(*id, rec.line);
  if (fields_.size() != header_.size()) {
    rejected = InputError({file, rec.line, 0}, "", "expected " + std::to_string(header_.size()) +
                                                       " fields as in the header, got " + std::to_string(fields_.size()));
    return Next::rejected;
  }
  auto where = [&](Col c) {
    return location_in(rec, file, fields_[static_cast<std::size_t>(col_[static_cast<std::size_t>(c)])].offset);
  };
  auto fail = [&](Col c, const std::string& message) -> InputError {
    return InputError(where(c), std::string(kNames[static_cast<std::size_t>(c)]), message);
  };
  auto cell = [&](Col c) -> std::string_view {
    const std::string_view v = fields_[static_cast<std::size_t>(col_[static_cast<std::size_t>(c)])].value;
    if (const auto problem = text_problem(v)) throw RowError{fail(c, *problem)};
    return v;
  };
  auto expected = [&](Col c, const std::string& what) -> RowError {
    return RowError{fail(c, "expected " + what + ", got '" + shown(cell(c)) + "'")};
  };
  auto money = [&](Col c) {
    Money m;
    const AmountForm form = parse_amount(cell(c), m);
    if (form != AmountForm::ok) throw expected(c, std::string(amount_expected(form)));
    return m;
  };
  auto region = [&](Col c) {
    const auto r = RegionCode::parse(cell(c));
    if (!r) throw expected(c, "a 6-digit region code such as 110000");
    if (!registry_.has_region(*r)) throw expected(c, "a region code present in the policy data");
    return *r;
  };
  try {
    // Every value is text, columns clearing does not use included (in column order).
    for (std::size_t i = 0; i < fields_.size(); ++i)
      if (const auto problem = text_problem(fields_[i].value))
        throw RowError{InputError(location_in(rec, file, fields_[i].offset), shown(header_[i]), *problem)};
    SettlementRecord r;
    r.reference = std::string(cell(c_mdtrt_id));
    if (r.reference.empty()) throw expected(c_mdtrt_id, "a non-empty value");
    if (first_seen != 0)
      throw expected(c_mdtrt_id, "a visit id not used on an earlier row (it is on line " + std::to_string(first_seen) +
                                     "; a visit is cleared once)");
    r.insured_region = region(c_insuplc);
    r.treatment_region = region(c_mdtrtarea);
    const std::string_view insutype = cell(c_insutype);
    if (insutype == "310") r.scheme = Scheme::employee;
    else if (insutype == "390") r.scheme = Scheme::resident;
    else throw expected(c_insutype, "310 (employees) or 390 (residents)");
    const auto d = Date::parse(cell(c_dscg_date));
    if (!d) throw expected(c_dscg_date, "a date YYYY-MM-DD");
    r.settled_on = *d;
    const std::string_view path = cell(c_path);
    if (path == "direct") r.path = SettlementPath::direct;
    else if (path == "manual") r.path = SettlementPath::manual;
    else throw expected(c_path, "direct or manual");
    const Money medfee = money(c_medfee);
    r.fund_pay = money(c_fund);
    if (r.fund_pay > medfee) throw expected(c_fund, "at most medfee_sumamt " + medfee.str() + " (the fund pays part of the bill)");
    const Money part = money(c_psn_part);
    if (r.fund_pay + part != medfee)
      throw expected(c_psn_part, "medfee_sumamt − fund_pay_sumamt = " + (medfee - r.fund_pay).str());
    r.patient_pay = r.path == SettlementPath::direct ? part : medfee;
    const std::string_view co = cell(c_coaudit);
    if (co != "0" && co != "1") throw expected(c_coaudit, "0 or 1");
    r.coaudit_fund_pay = co == "1" ? r.fund_pay : Money::zero();
    if (col_[c_cross_province] >= 0) {
      const std::string_view cross = cell(c_cross_province);
      const bool is = is_cross_province(r.insured_region, r.treatment_region);
      if (cross != (is ? "1" : "0"))
        throw expected(c_cross_province, std::string(is ? "1" : "0") + " for insured region " + r.insured_region.str() +
                                             " and treatment region " + r.treatment_region.str());
    }
    const double late = stable_uniform(r.reference, "declaration");
    const double one = rules_.late_one_month.bp() / 10000.0, two = rules_.late_two_months.bp() / 10000.0;
    r.declaration_delay_months = late < two ? 2 : late < two + one ? 1 : 0;
    if (r.path == SettlementPath::manual &&
        stable_uniform(r.reference, "manual claim") < rules_.manual_claim_share.bp() / 10000.0)
      r.reimburse_on = r.settled_on.plus_months(rules_.manual_lag_months);
    out.line = rec.line;
    out.record = std::move(r);
    return Next::row;
  } catch (const RowError& e) {
    rejected = e.error;
    return Next::rejected;
  }
}

SettlementsFile read_settlements(std::string_view text, const std::string& file_name, const RecordRules& rules,
                                 const PolicyBook& registry) {
  CsvSplitter splitter(text, file_name);
  SettlementsReader reader(splitter, rules, registry);
  SettlementsFile out;
  SettlementRow row;
  std::optional<InputError> rejected;
  for (auto n = reader.next(row, rejected); n != SettlementsReader::Next::end; n = reader.next(row, rejected)) {
    if (n == SettlementsReader::Next::row) out.rows.push_back(row);
    else out.rejected.push_back(*rejected);
  }
  return out;
}

}  // namespace yidi::io
