#include "sim/io/settlements_csv.hpp"

#include <map>

namespace yidi::io {
namespace {
const char* const kRequired[] = {"mdtrt_id", "insuplc_admdvs", "mdtrtarea_admvs", "insutype", "dscg_date",
                                 "path", "medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "coaudit"};
}

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

SettlementsFile read_settlements(std::istream& in, const std::string& file_name, const RecordRules& rules) {
  CsvReader reader(in, file_name);
  CsvRecord rec;
  if (!reader.next(rec)) throw InputError({file_name, 0, 0}, "", "empty file; expected the header of a results file");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rec.fields.size(); ++i) col[rec.fields[i]] = i;
  for (const char* name : kRequired)
    if (!col.count(name))
      throw InputError({file_name, rec.line, 0}, name,
                       "missing column; expected the header written by `yidi settle` (docs/settle-formats.md)");
  SettlementsFile out;
  while (reader.next(rec)) {
    const int line = rec.line;
    auto field = [&](const char* name) -> const std::string& {
      const std::size_t i = col.at(name);
      if (i >= rec.fields.size())
        throw InputError({file_name, line, 0}, name, "row has " + std::to_string(rec.fields.size()) + " fields");
      return rec.fields[i];
    };
    auto money = [&](const char* name) {
      const auto m = Money::parse(field(name));
      if (!m || m->is_negative())
        throw InputError({file_name, line, 0}, name,
                         "expected a non-negative amount in yuan with at most 2 decimals, got '" + field(name) + "'");
      return *m;
    };
    auto region = [&](const char* name) {
      const auto r = RegionCode::parse(field(name));
      if (!r) throw InputError({file_name, line, 0}, name, "expected a 6-digit region code, got '" + field(name) + "'");
      return *r;
    };
    try {
      SettlementRecord r;
      r.reference = field("mdtrt_id");
      r.insured_region = region("insuplc_admdvs");
      r.treatment_region = region("mdtrtarea_admvs");
      const std::string& insutype = field("insutype");
      if (insutype == "310") r.scheme = Scheme::employee;
      else if (insutype == "390") r.scheme = Scheme::resident;
      else throw InputError({file_name, line, 0}, "insutype", "expected 310 or 390, got '" + insutype + "'");
      const auto d = Date::parse(field("dscg_date"));
      if (!d) throw InputError({file_name, line, 0}, "dscg_date", "expected a date YYYY-MM-DD, got '" + field("dscg_date") + "'");
      r.settled_on = *d;
      const std::string& path = field("path");
      if (path == "direct") r.path = SettlementPath::direct;
      else if (path == "manual") r.path = SettlementPath::manual;
      else throw InputError({file_name, line, 0}, "path", "expected direct or manual, got '" + path + "'");
      r.fund_pay = money("fund_pay_sumamt");
      const Money medfee = money("medfee_sumamt");
      r.patient_pay = r.path == SettlementPath::direct ? money("psn_part_amt") : medfee;
      const std::string& co = field("coaudit");
      if (co != "0" && co != "1") throw InputError({file_name, line, 0}, "coaudit", "expected 0 or 1, got '" + co + "'");
      r.coaudit_fund_pay = co == "1" ? r.fund_pay : Money::zero();
      const double late = stable_uniform(r.reference, "declaration");
      const double one = rules.late_one_month.bp() / 10000.0, two = rules.late_two_months.bp() / 10000.0;
      r.declaration_delay_months = late < two ? 2 : late < two + one ? 1 : 0;
      if (r.path == SettlementPath::manual &&
          stable_uniform(r.reference, "manual claim") < rules.manual_claim_share.bp() / 10000.0)
        r.reimburse_on = r.settled_on.plus_months(rules.manual_lag_months);
      out.rows.push_back({line, r});
    } catch (const InputError& e) {
      out.rejected.push_back(e);
    }
  }
  return out;
}

}  // namespace yidi::io
