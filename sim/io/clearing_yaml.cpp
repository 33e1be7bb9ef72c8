#include "sim/io/clearing_yaml.hpp"

#include <functional>
#include <map>

namespace yidi::io {
namespace {

InputLocation at(const std::string& file, const YAML::Node& n) {
  return {file, n.Mark().line + 1, n.Mark().column + 1};
}

std::string scalar(const YAML::Node& n, const std::string& file, const std::string& field) {
  if (!n.IsScalar()) throw InputError(at(file, n), field, "expected a single value");
  return n.Scalar();
}
Ratio ratio(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field);
  const auto r = Ratio::parse(s);
  if (!r) throw InputError(at(file, n), field, "expected a ratio such as 0.05 or 5%, got '" + s + "'");
  return *r;
}
int integer(const YAML::Node& n, const std::string& file, const std::string& field, int lo, int hi) {
  const auto s = scalar(n, file, field);
  try {
    std::size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used == s.size() && v >= lo && v <= hi) return v;
  } catch (const std::exception&) {
  }
  throw InputError(at(file, n), field,
                   "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + s + "'");
}
bool boolean(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field);
  if (s == "true") return true;
  if (s == "false") return false;
  throw InputError(at(file, n), field, "expected true or false, got '" + s + "'");
}
Money money(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field);
  const auto m = Money::parse(s);
  if (!m || m->is_negative())
    throw InputError(at(file, n), field, "expected an amount in yuan with at most 2 decimals, got '" + s + "'");
  return *m;
}
RegionCode region(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field);
  const auto r = RegionCode::parse(s);
  if (!r) throw InputError(at(file, n), field, "expected a 6-digit region code in quotes, got '" + s + "'");
  return *r;
}
Scheme scheme(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field);
  if (s == "employee") return Scheme::employee;
  if (s == "resident") return Scheme::resident;
  throw InputError(at(file, n), field, "expected employee or resident, got '" + s + "'");
}

/// Walks a mapping, dispatching each key to its handler; unknown keys name the expected ones.
void each_key(const YAML::Node& map, const std::string& file, const std::string& prefix,
              const std::map<std::string, std::function<void(const YAML::Node&, const std::string&)>>& handlers) {
  if (!map.IsMap()) throw InputError(at(file, map), prefix, "expected a mapping");
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) throw InputError(at(file, kv.first), prefix, "expected a key name, not a list, a mapping or null");
    const std::string key = kv.first.Scalar();
    const std::string field = prefix.empty() ? key : prefix + "." + key;
    const auto it = handlers.find(key);
    if (it == handlers.end()) {
      std::string expected;
      for (const auto& [k, h] : handlers) expected += (expected.empty() ? "" : ", ") + k;
      throw InputError(at(file, kv.first), field, "unknown key '" + key + "'; expected one of: " + expected);
    }
    it->second(kv.second, field);
  }
}

template <class F>
void require(const YAML::Node& n, const std::string& file, const std::string& prefix, std::initializer_list<const char*> keys, F) {
  if (!n.IsMap()) throw InputError(at(file, n), prefix, "expected a mapping");
  for (const char* k : keys)
    if (!n[k]) throw InputError(at(file, n), prefix + "." + k, "missing; expected a value");
}
}  // namespace

void parse_clearing_params(const YAML::Node& node, const std::string& file, ClearingParams& p) {
  each_key(node, file, "clearing",
           {{"declaration_day", [&](const YAML::Node& n, const std::string& f) { p.declaration_day = integer(n, file, f, 1, 28); }},
            {"max_delay_months", [&](const YAML::Node& n, const std::string& f) { p.max_delay_months = integer(n, file, f, 0, 2); }},
            {"year_close_month", [&](const YAML::Node& n, const std::string& f) { p.year_close_month = integer(n, file, f, 1, 12); }},
            {"quota_multiple", [&](const YAML::Node& n, const std::string& f) { p.quota_multiple = ratio(n, file, f); }},
            {"yellow_usage", [&](const YAML::Node& n, const std::string& f) { p.yellow_usage = ratio(n, file, f); }},
            {"red_usage", [&](const YAML::Node& n, const std::string& f) { p.red_usage = ratio(n, file, f); }},
            {"topup_target_usage", [&](const YAML::Node& n, const std::string& f) { p.topup_target_usage = ratio(n, file, f); }},
            {"topup_lag_days", [&](const YAML::Node& n, const std::string& f) { p.topup_lag_days = integer(n, file, f, 0, 90); }},
            {"coaudit_answer_day", [&](const YAML::Node& n, const std::string& f) { p.coaudit_answer_day = integer(n, file, f, 1, 28); }},
            {"coaudit_clawback_rate", [&](const YAML::Node& n, const std::string& f) { p.coaudit_clawback_rate = ratio(n, file, f); }},
            {"intra_drg_annual", [&](const YAML::Node& n, const std::string& f) { p.intra_drg_annual = boolean(n, file, f); }},
            {"drg_ratio", [&](const YAML::Node& n, const std::string& f) { p.drg_ratio = ratio(n, file, f); }},
            {"months_payable_floor", [&](const YAML::Node& n, const std::string& f) { p.months_payable_floor = integer(n, file, f, 0, 120); }}});
}

ClearingConfig parse_clearing_config(std::string_view text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw InputError({file, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
  }
  ClearingConfig c;
  c.source = file;
  if (!root || root.IsNull()) return c;
  each_key(root, file, "",
           {{"source", [&](const YAML::Node& n, const std::string& f) { c.source = file + " (" + scalar(n, file, f) + ")"; }},
            {"clearing", [&](const YAML::Node& n, const std::string&) { parse_clearing_params(n, file, c.params); }},
            {"records",
             [&](const YAML::Node& n, const std::string& f) {
               each_key(n, file, f,
                        {{"late_one_month", [&](const YAML::Node& x, const std::string& g) { c.rules.late_one_month = ratio(x, file, g); }},
                         {"late_two_months", [&](const YAML::Node& x, const std::string& g) { c.rules.late_two_months = ratio(x, file, g); }},
                         {"manual_lag_months", [&](const YAML::Node& x, const std::string& g) { c.rules.manual_lag_months = integer(x, file, g, 0, 36); }},
                         {"manual_claim_share", [&](const YAML::Node& x, const std::string& g) { c.rules.manual_claim_share = ratio(x, file, g); }}});
             }},
            {"funds",
             [&](const YAML::Node& n, const std::string& f) {
               if (!n.IsSequence()) throw InputError(at(file, n), f, "expected a list of funds");
               for (std::size_t i = 0; i < n.size(); ++i) {
                 FundSetup s;
                 const std::string fi = f + "[" + std::to_string(i) + "]";
                 require(n[i], file, fi, {"pool", "scheme"}, 0);
                 each_key(n[i], file, fi,
                          {{"pool", [&](const YAML::Node& x, const std::string& g) { s.pool = region(x, file, g); }},
                           {"scheme", [&](const YAML::Node& x, const std::string& g) { s.scheme = scheme(x, file, g); }},
                           {"opening", [&](const YAML::Node& x, const std::string& g) { s.opening = money(x, file, g); }},
                           {"insured", [&](const YAML::Node& x, const std::string& g) { s.insured = integer(x, file, g, 0, 2000000000); }},
                           {"contribution_per_capita", [&](const YAML::Node& x, const std::string& g) { s.contribution_per_capita = money(x, file, g); }},
                           {"local_spending_per_capita", [&](const YAML::Node& x, const std::string& g) { s.local_spending_per_capita = money(x, file, g); }},
                           {"annual_growth", [&](const YAML::Node& x, const std::string& g) { s.annual_growth = ratio(x, file, g); }}});
                 c.funds.push_back(s);
               }
             }},
            {"initial_quotas", [&](const YAML::Node& n, const std::string& f) {
               if (!n.IsSequence()) throw InputError(at(file, n), f, "expected a list of quotas");
               for (std::size_t i = 0; i < n.size(); ++i) {
                 InitialQuota q;
                 const std::string fi = f + "[" + std::to_string(i) + "]";
                 require(n[i], file, fi, {"pool", "scheme", "treatment", "quota"}, 0);
                 each_key(n[i], file, fi,
                          {{"pool", [&](const YAML::Node& x, const std::string& g) { q.pool = region(x, file, g); }},
                           {"scheme", [&](const YAML::Node& x, const std::string& g) { q.scheme = scheme(x, file, g); }},
                           {"treatment", [&](const YAML::Node& x, const std::string& g) { q.treatment_province = region(x, file, g); }},
                           {"quota", [&](const YAML::Node& x, const std::string& g) { q.quota = money(x, file, g); }}});
                 c.initial_quotas.push_back(q);
               }
             }}});
  return c;
}

Money FundSetup::monthly(std::int64_t insured, Money per_capita_year) {
  return scale_half_up(per_capita_year, insured, 12);
}

std::vector<std::string> describe(const ClearingParams& p, const RecordRules& r) {
  return {"declaration_day=" + std::to_string(p.declaration_day),
          "max_delay_months=" + std::to_string(p.max_delay_months),
          "year_close_month=" + std::to_string(p.year_close_month),
          "quota_multiple=" + p.quota_multiple.str(),
          "yellow_usage=" + p.yellow_usage.str(),
          "red_usage=" + p.red_usage.str(),
          "topup_target_usage=" + p.topup_target_usage.str(),
          "topup_lag_days=" + std::to_string(p.topup_lag_days),
          "coaudit_answer_day=" + std::to_string(p.coaudit_answer_day),
          "coaudit_clawback_rate=" + p.coaudit_clawback_rate.str(),
          "intra_drg_annual=" + std::string(p.intra_drg_annual ? "true" : "false"),
          "drg_ratio=" + p.drg_ratio.str(),
          "months_payable_floor=" + std::to_string(p.months_payable_floor),
          "late_one_month=" + r.late_one_month.str(),
          "late_two_months=" + r.late_two_months.str(),
          "manual_lag_months=" + std::to_string(r.manual_lag_months),
          "manual_claim_share=" + r.manual_claim_share.str()};
}

}  // namespace yidi::io
