#include "sim/io/clearing_yaml.hpp"

#include <functional>
#include <map>
#include <optional>
#include <tuple>

#include "sim/io/strict_yaml.hpp"
#include "sim/model/names.hpp"

namespace yidi::io {
namespace {

InputLocation at(const std::string& file, const YAML::Node& n) {
  return {file, n.Mark().line + 1, n.Mark().column + 1};
}

/// How a node looks in a message.
std::string shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return n.IsSequence() ? "a list" : "a mapping";
}

std::string scalar(const YAML::Node& n, const std::string& file, const std::string& field, const std::string& form) {
  if (!n.IsScalar()) throw InputError(at(file, n), field, "expected " + form + ", got " + shown(n));
  return n.Scalar();
}
const std::string kRatioForm = "a ratio such as 0.05 or 5%";
const std::string kShareForm = "a share from 0 to 1 such as 0.05 or 5%";
Ratio ratio(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field, kRatioForm);
  const auto r = Ratio::parse(s);
  if (!r) throw InputError(at(file, n), field, "expected " + kRatioForm + ", got '" + s + "'");
  return *r;
}
/// A ratio that is a share of something (at most the whole of it).
Ratio share(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field, kShareForm);
  const auto r = Ratio::parse(s);
  if (!r || !r->in_unit_interval()) throw InputError(at(file, n), field, "expected " + kShareForm + ", got '" + s + "'");
  return *r;
}
template <class Int>
Int integer(const YAML::Node& n, const std::string& file, const std::string& field, Int lo, Int hi) {
  const std::string form = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  const auto s = scalar(n, file, field, form);
  const auto v = parse_whole_number(s);
  if (!v || *v < lo || *v > hi) throw InputError(at(file, n), field, "expected " + form + ", got '" + s + "'");
  return static_cast<Int>(*v);
}
// As the claims and results readers say it (io::amount_expected): Money's input form.
const std::string kMoneyForm(Money::kInputForm);
Money money(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field, kMoneyForm);
  const auto m = Money::parse(s);
  if (!m) throw InputError(at(file, n), field, "expected " + kMoneyForm + ", got '" + s + "'");
  if (m->is_negative())
    throw InputError(at(file, n), field, "expected an amount ≥ 0 (" + kMoneyForm + "), got '" + s + "'");
  return *m;
}
const std::string kRegionForm = "a 6-digit region code in quotes";
RegionCode region(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field, kRegionForm);
  const auto r = RegionCode::parse(s);
  if (!r) throw InputError(at(file, n), field, "expected " + kRegionForm + ", got '" + s + "'");
  return *r;
}
Scheme scheme(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field, "employee or resident");
  if (s == "employee") return Scheme::employee;
  if (s == "resident") return Scheme::resident;
  throw InputError(at(file, n), field, "expected employee or resident, got '" + s + "'");
}

using Handlers = std::map<std::string, std::function<void(const YAML::Node&, const std::string&)>>;

std::string keys_of(const Handlers& handlers) {
  std::string out;
  for (const auto& [k, h] : handlers) out += (out.empty() ? "" : ", ") + k;
  return out;
}

/// Walks a mapping, dispatching each key to its handler; unknown keys name the expected ones.
void each_key(const YAML::Node& map, const std::string& file, const std::string& prefix, const Handlers& handlers) {
  if (!map.IsMap())
    throw InputError(at(file, map), prefix, "expected a mapping with keys " + keys_of(handlers) + ", got " + shown(map));
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string field = prefix.empty() ? key : prefix + "." + key;
    const auto it = handlers.find(key);
    if (it == handlers.end()) {
      std::vector<std::string> keys;
      for (const auto& h : handlers) keys.push_back(h.first);
      throw InputError(at(file, kv.first), field,
                       "unknown key '" + key + "'" + sim::did_you_mean_text(key, keys) + "; expected one of: " + keys_of(handlers));
    }
    it->second(kv.second, field);
  }
}

/// Keys a list item must have (checked after each_key has seen that it is a mapping).
void require(const YAML::Node& n, const std::string& file, const std::string& prefix, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (!n[k]) throw InputError(at(file, n), prefix + "." + k, "missing; expected a value");
}

/// Where each (key) of a list was first seen, to refuse a second entry for it.
template <class Key>
void once(std::map<Key, int>& seen, const Key& key, const YAML::Node& item, const std::string& file,
          const std::string& field, const std::string& what) {
  const auto [it, fresh] = seen.emplace(key, item.Mark().line + 1);
  if (!fresh)
    throw InputError(at(file, item), field,
                     what + " is listed twice (first on line " + std::to_string(it->second) + "); expected one entry each");
}

// --- clearing.intra_province: dated rules per province ---------------------------------------

/// A mapping key that must be a province code ("320000"): else the error names the expected form,
/// or, for a city's code, the province's and why (`whose`).
RegionCode province_key(const YAML::Node& key_node, const std::string& file, const std::string& field,
                        const std::string& form, const std::string& whose) {
  const std::string key = key_node.IsScalar() ? key_node.Scalar() : "?";
  const auto code = RegionCode::parse(key);
  if (!code || code->value() == 0) throw InputError(at(file, key_node), field, "unknown key '" + key + "'; expected " + form);
  if (!code->is_province())
    throw InputError(at(file, key_node), field,
                     "expected a province code (its first 2 digits, then 0000, such as \"" + code->province().str() +
                         "\"): " + whose + ", got '" + key + "'");
  return *code;
}

const std::string kIntraForm =
    "a mapping of 'default' and province codes in quotes (such as \"320000\") to intra-province rules";

/// One rule: a mapping; `dated` rules (a province's list) need `from` and `annual`.
IntraRule intra_rule(const YAML::Node& n, const std::string& file, const std::string& field, bool dated) {
  IntraRule r;
  std::optional<YAML::Node> ratio_node;
  Handlers h = {
      {"pre_settlement",
       [&](const YAML::Node& x, const std::string& f) {
         const auto s = scalar(x, file, f, "monthly_fee_for_service");
         if (s != "monthly_fee_for_service")
           throw InputError(at(file, x), f,
                            "expected monthly_fee_for_service (the only pre-settlement the seeds describe, "
                            "seed 003 三), got '" + s + "'");
         r.pre_settlement = IntraPreSettlement::monthly_fee_for_service;
       }},
      {"annual",
       [&](const YAML::Node& x, const std::string& f) {
         const auto s = scalar(x, file, f, "none or drg_dip");
         if (s == "none") r.annual = IntraAnnual::none;
         else if (s == "drg_dip") r.annual = IntraAnnual::drg_dip;
         else throw InputError(at(file, x), f, "expected none or drg_dip, got '" + s + "'");
       }},
      {"drg_ratio",
       [&](const YAML::Node& x, const std::string& f) {
         r.drg_ratio = ratio(x, file, f);
         if (r.drg_ratio.bp() <= 0) throw InputError(at(file, x), f, "expected a ratio above 0 such as 97%, got '" + x.Scalar() + "'");
         ratio_node = x;
       }}};
  if (dated)
    h["from"] = [&](const YAML::Node& x, const std::string& f) {
      const auto s = scalar(x, file, f, "a date YYYY-MM-DD on the 1st of a month");
      const auto d = Date::parse(s);
      if (!d) throw InputError(at(file, x), f, "expected a date YYYY-MM-DD on the 1st of a month, got '" + s + "'");
      // Settlements reach clearing in monthly batches (yidi clear) or monthly totals (yidi run),
      // each dated within its month: a rule can only take effect at a month's start.
      if (d->day() != 1)
        throw InputError(at(file, x), f,
                         "expected a date on the 1st of a month (settlements are cleared in monthly batches), got '" + s + "'");
      r.from = *d;
    };
  each_key(n, file, field, h);
  if (dated) require(n, file, field, {"from", "annual"});
  if (r.annual == IntraAnnual::drg_dip && !ratio_node)
    throw InputError(at(file, n), field + ".drg_ratio",
                     "missing; expected the DRG/DIP payment ÷ fee-for-service ratio (such as 97%) with annual: drg_dip");
  if (r.annual == IntraAnnual::none && ratio_node)
    throw InputError(at(file, *ratio_node), field + ".drg_ratio",
                     "expected no drg_ratio with annual: none (it re-prices only annual: drg_dip), got '" +
                         ratio_node->Scalar() + "'");
  return r;
}

/// Overlays `rules`: `default` replaces the default rule, a province's list replaces its rules.
void parse_intra_province(const YAML::Node& n, const std::string& file, const std::string& field,
                          IntraProvinceRules& rules) {
  if (!n.IsMap()) throw InputError(at(file, n), field, "expected " + kIntraForm + ", got " + shown(n));
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string f = field + "." + key;
    if (key == "default") {
      rules.default_rule = intra_rule(kv.second, file, f, false);
      continue;
    }
    const RegionCode code = province_key(kv.first, file, f, kIntraForm, "intra-province rules are the province's");
    if (!kv.second.IsSequence())
      throw InputError(at(file, kv.second), f, "expected a list of rules, each with from and annual, got " + shown(kv.second));
    std::vector<IntraRule> list;
    for (std::size_t i = 0; i < kv.second.size(); ++i) {
      const YAML::Node item = kv.second[i];
      const std::string fi = f + "[" + std::to_string(i) + "]";
      list.push_back(intra_rule(item, file, fi, true));
      if (i > 0 && !(list[i - 1].from < list[i].from))
        throw InputError(at(file, item["from"]), fi + ".from",
                         "expected a date after the previous rule's " + list[i - 1].from.str() + ", got '" +
                             list[i].from.str() + "'");
    }
    rules.by_province[code] = std::move(list);
  }
}

// --- clearing.province_pooling: provinces whose pools share one fund from a date --------------

/// A date on the first of a month (YYYY-MM-01); `why` says why it must be one.
Date month_start(const YAML::Node& x, const std::string& file, const std::string& field, const std::string& why) {
  const auto s = scalar(x, file, field, "a date YYYY-MM-01");
  const auto d = Date::parse(s);
  if (!d || d->day() != 1)
    throw InputError(at(file, x), field, "expected a date YYYY-MM-01 on the 1st of a month (" + why + "), got '" + s + "'");
  return *d;
}

/// Overlays `dates`: each province listed gets its date, the first of a month (null removes it,
/// for a scenario built on one that sets it). `what` says what the date starts, `whose` why the key
/// is a province's.
void parse_province_dates(const YAML::Node& n, const std::string& file, const std::string& field,
                          std::map<RegionCode, Date>& dates, const std::string& what, const std::string& whose,
                          const std::string& why_first) {
  const std::string form = "a mapping of province codes in quotes (such as \"460000\") to the first day of the month from "
                           "which " + what + " (YYYY-MM-01), or null";
  if (!n.IsMap()) throw InputError(at(file, n), field, "expected " + form + ", got " + shown(n));
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string f = field + "." + key;
    const RegionCode code = province_key(kv.first, file, f, form, whose);
    if (kv.second.IsNull()) {
      dates.erase(code);
      continue;
    }
    dates[code] = month_start(kv.second, file, f, why_first);
  }
}

/// clearing.province_pooling: provinces whose pools share one fund from a date.
void parse_province_pooling(const YAML::Node& n, const std::string& file, const std::string& field,
                            std::map<RegionCode, Date>& pooling) {
  parse_province_dates(n, file, field, pooling, "its pools share one fund", "pooling at province level is the province's",
                       "funds are merged when a month opens");
}

// --- clearing.quotas: prepayment quotas set by hand, per insured province from a date ---------

const std::string kQuotaAmountForm =
    "an amount in yuan such as 1500000000.00, or in 亿元 or 万元 such as '15亿元' or '150000万元'";

/// A quota: yuan (Money's input form), or a decimal number of 亿元 (10^8 yuan) or 万元 (10^4 yuan)
/// with at most as many decimals as make a whole fen (10 for 亿元, 6 for 万元), read exactly.
Money quota_amount(const YAML::Node& n, const std::string& file, const std::string& field) {
  const auto s = scalar(n, file, field, kQuotaAmountForm);
  const auto bad = [&] { return InputError(at(file, n), field, "expected " + kQuotaAmountForm + " (≥ 0), got '" + s + "'"); };
  int decimals = 2;  // fen per unit = 10^decimals
  std::string number = s;
  for (const auto& [suffix, d] : {std::pair<std::string, int>{"亿元", 10}, {"亿", 10}, {"万元", 6}, {"万", 6}, {"元", 2}}) {
    if (number.size() > suffix.size() && number.compare(number.size() - suffix.size(), suffix.size(), suffix) == 0) {
      number.resize(number.size() - suffix.size());
      decimals = d;
      break;
    }
  }
  if (decimals == 2) {  // yuan: Money's own form
    const auto m = Money::parse(number);
    if (!m || m->is_negative()) throw bad();
    return *m;
  }
  const auto dot = number.find('.');
  std::string digits = number.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : number.substr(dot + 1);
  if (digits.empty() || (dot != std::string::npos && fraction.empty()) || fraction.size() > static_cast<std::size_t>(decimals))
    throw bad();
  fraction.resize(static_cast<std::size_t>(decimals), '0');
  digits += fraction;
  std::int64_t fen = 0;
  for (const char ch : digits) {
    if (ch < '0' || ch > '9') throw bad();
    if (fen > (Money::kMaxInputFen - (ch - '0')) / 10)
      throw InputError(at(file, n), field, "expected at most " + Money::max_input().str() + " yuan, got '" + s + "'");
    fen = fen * 10 + (ch - '0');
  }
  return Money::fen(fen);
}

/// Overlays `quotas`: each province listed gets its settings (null removes them).
void parse_quotas(const YAML::Node& n, const std::string& file, const std::string& field,
                  std::map<RegionCode, std::vector<QuotaSetting>>& quotas) {
  const std::string form =
      "a mapping of insured province codes in quotes (such as \"440000\") to a list of {from: YYYY-MM-01, quota: "
      "AMOUNT}, or null";
  if (!n.IsMap()) throw InputError(at(file, n), field, "expected " + form + ", got " + shown(n));
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string f = field + "." + key;
    const RegionCode code = province_key(kv.first, file, f, form, "the prepayment quota is the insured province's");
    if (kv.second.IsNull()) {
      quotas.erase(code);
      continue;
    }
    if (!kv.second.IsSequence())
      throw InputError(at(file, kv.second), f, "expected a list of {from: YYYY-MM-01, quota: AMOUNT}, got " + shown(kv.second));
    std::vector<QuotaSetting> list;
    for (std::size_t i = 0; i < kv.second.size(); ++i) {
      const YAML::Node item = kv.second[i];
      const std::string fi = f + "[" + std::to_string(i) + "]";
      QuotaSetting q;
      each_key(item, file, fi,
               {{"from",
                 [&](const YAML::Node& x, const std::string& g) {
                   q.from = month_start(x, file, g, "a quota is set when a month opens");
                 }},
                {"quota", [&](const YAML::Node& x, const std::string& g) { q.quota = quota_amount(x, file, g); }}});
      require(item, file, fi, {"from", "quota"});
      if (i > 0 && !(list.back().from < q.from))
        throw InputError(at(file, item["from"]), fi + ".from",
                         "expected a date after the previous setting's " + list.back().from.str() + ", got '" +
                             q.from.str() + "'");
      list.push_back(q);
    }
    quotas[code] = std::move(list);
  }
}

/// The keys dated intra-province rules replaced: refused with what to write instead.
void refuse_replaced_keys(const YAML::Node& node, const std::string& file) {
  if (!node.IsMap()) return;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key == "intra_drg_annual" || key == "drg_ratio")
      throw InputError(at(file, kv.first), "clearing." + key,
                       "replaced by clearing.intra_province (dated rules per province, docs/clear-formats.md); "
                       "for the old intra_drg_annual: true, drg_ratio: R write "
                       "intra_province: {default: {annual: drg_dip, drg_ratio: R}}");
  }
}

std::string intra_rule_text(const IntraRule& r, bool dated) {
  std::string s = "{";
  if (dated) s += "from: " + r.from.str() + ", ";
  s += "pre_settlement: " + std::string(to_string(r.pre_settlement)) + ", annual: " + std::string(to_string(r.annual));
  switch (r.annual) {
    case IntraAnnual::none: break;
    case IntraAnnual::drg_dip: s += ", drg_ratio: " + r.drg_ratio.str(); break;
  }
  return s + "}";
}
}  // namespace

std::string province_pooling_text(const std::map<RegionCode, Date>& pooling) {
  std::string s = "{";
  for (const auto& [code, from] : pooling) s += (s.size() > 1 ? ", \"" : "\"") + code.str() + "\": " + from.str();
  return s + "}";
}

std::string quotas_text(const std::map<RegionCode, std::vector<QuotaSetting>>& quotas) {
  std::string s = "{";
  for (const auto& [code, list] : quotas) {
    s += (s.size() > 1 ? ", \"" : "\"") + code.str() + "\": [";
    for (std::size_t i = 0; i < list.size(); ++i)
      s += (i ? ", " : "") + std::string("{from: ") + list[i].from.str() + ", quota: " + list[i].quota.str() + "}";
    s += "]";
  }
  return s + "}";
}

std::string intra_province_text(const IntraProvinceRules& rules) {
  std::string s = "{default: " + intra_rule_text(rules.default_rule, false);
  for (const auto& [code, list] : rules.by_province) {
    s += ", \"" + code.str() + "\": [";
    for (std::size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + intra_rule_text(list[i], true);
    s += "]";
  }
  return s + "}";
}

void parse_clearing_params(const YAML::Node& node, const std::string& file, ClearingParams& p) {
  std::optional<YAML::Node> last_usage;  // the later of yellow_usage / red_usage / topup_target_usage
  std::optional<YAML::Node> quota_level_node, quotas_node;
  refuse_replaced_keys(node, file);
  each_key(node, file, "clearing",
           {{"declaration_day", [&](const YAML::Node& n, const std::string& f) { p.declaration_day = integer(n, file, f, 1, 28); }},
            {"max_delay_months", [&](const YAML::Node& n, const std::string& f) { p.max_delay_months = integer(n, file, f, 0, 2); }},
            {"year_close_month", [&](const YAML::Node& n, const std::string& f) { p.year_close_month = integer(n, file, f, 1, 12); }},
            {"quota_multiple", [&](const YAML::Node& n, const std::string& f) { p.quota_multiple = ratio(n, file, f); }},
            {"yellow_usage", [&](const YAML::Node& n, const std::string& f) { p.yellow_usage = ratio(n, file, f); last_usage = n; }},
            {"red_usage", [&](const YAML::Node& n, const std::string& f) { p.red_usage = ratio(n, file, f); last_usage = n; }},
            {"topup_target_usage", [&](const YAML::Node& n, const std::string& f) { p.topup_target_usage = ratio(n, file, f); last_usage = n; }},
            {"topup_lag_days", [&](const YAML::Node& n, const std::string& f) { p.topup_lag_days = integer(n, file, f, 0, 90); }},
            {"quota_level",
             [&](const YAML::Node& n, const std::string& f) {
               const auto s = scalar(n, file, f, "province or pair");
               if (s == "province") p.quota_level = QuotaLevel::province;
               else if (s == "pair") p.quota_level = QuotaLevel::pair;
               else throw InputError(at(file, n), f, "expected province (one quota per insured province, seed 000, 002) or pair, got '" + s + "'");
               quota_level_node = n;
             }},
            {"quotas", [&](const YAML::Node& n, const std::string& f) { parse_quotas(n, file, f, p.quotas); quotas_node = n; }},
            {"coaudit_answer_day", [&](const YAML::Node& n, const std::string& f) { p.coaudit_answer_day = integer(n, file, f, 1, 28); }},
            {"coaudit_clawback_rate", [&](const YAML::Node& n, const std::string& f) { p.coaudit_clawback_rate = share(n, file, f); }},
            {"intra_province", [&](const YAML::Node& n, const std::string& f) { parse_intra_province(n, file, f, p.intra_province); }},
            {"province_pooling", [&](const YAML::Node& n, const std::string& f) { parse_province_pooling(n, file, f, p.province_pooling); }},
            {"declaration_slip",
             [&](const YAML::Node& n, const std::string& f) {
               parse_province_dates(n, file, f, p.declaration_slip,
                                    "its cross-province settlements are all declared the full max_delay_months late (a stress test)",
                                    "declarations are the insured province's",
                                    "settlements are declared in monthly batches");
             }},
            {"months_payable_floor", [&](const YAML::Node& n, const std::string& f) { p.months_payable_floor = integer(n, file, f, 0, 120); }}});
  if (!p.quotas.empty() && p.quota_level != QuotaLevel::province) {
    const YAML::Node& where = quota_level_node ? *quota_level_node : *quotas_node;
    throw InputError(at(file, where), quota_level_node ? "clearing.quota_level" : "clearing.quotas",
                     "quotas set by hand are an insured province's (clearing.quotas); expected quota_level province "
                     "with them, got quota_level pair");
  }
  // A red warning must come after a yellow one, and a top-up must bring usage below red.
  if (last_usage && !(p.topup_target_usage < p.red_usage && p.yellow_usage <= p.red_usage))
    throw InputError(at(file, *last_usage), "clearing", "expected topup_target_usage < red_usage and yellow_usage <= red_usage, got " +
                                                            p.topup_target_usage.str() + ", " + p.yellow_usage.str() + " and " +
                                                            p.red_usage.str() + " (target, yellow, red)");
}

namespace {
ClearingConfig parse_config_root(const YAML::Node& root, const std::string& file);
}  // namespace

ClearingConfig parse_clearing_config(std::string_view text, const std::string& file) {
  const YAML::Node root = load_strict_yaml(text, file);
  return with_file_name(file, [&] { return parse_config_root(root, file); });
}

namespace {
ClearingConfig parse_config_root(const YAML::Node& root, const std::string& file) {
  ClearingConfig c;
  c.source = file;
  if (!root || root.IsNull()) return c;  // an empty file: every default
  std::map<std::pair<RegionCode, Scheme>, int> funds_seen;
  std::map<std::tuple<RegionCode, Scheme, RegionCode>, int> quotas_seen;
  each_key(root, file, "",
           {{"source",
             [&](const YAML::Node& n, const std::string& f) {
               const std::string s = scalar(n, file, f, "a description of where the values come from");
               if (s.empty()) throw InputError(at(file, n), f, "expected a description of where the values come from, got ''");
               c.source = file + " (" + s + ")";
             }},
            {"clearing", [&](const YAML::Node& n, const std::string&) { parse_clearing_params(n, file, c.params); }},
            {"records",
             [&](const YAML::Node& n, const std::string& f) {
               each_key(n, file, f,
                        {{"late_one_month", [&](const YAML::Node& x, const std::string& g) { c.rules.late_one_month = share(x, file, g); }},
                         {"late_two_months", [&](const YAML::Node& x, const std::string& g) { c.rules.late_two_months = share(x, file, g); }},
                         {"manual_lag_months", [&](const YAML::Node& x, const std::string& g) { c.rules.manual_lag_months = integer(x, file, g, 0, 36); }},
                         {"manual_claim_share", [&](const YAML::Node& x, const std::string& g) { c.rules.manual_claim_share = share(x, file, g); }}});
               if (c.rules.late_one_month.bp() + c.rules.late_two_months.bp() > Ratio::one().bp())
                 throw InputError(at(file, n), f, "late_one_month and late_two_months add up to more than 1 (" +
                                                      c.rules.late_one_month.str() + " + " + c.rules.late_two_months.str() + ")");
             }},
            {"funds",
             [&](const YAML::Node& n, const std::string& f) {
               if (!n.IsSequence()) throw InputError(at(file, n), f, "expected a list of funds, got " + shown(n));
               for (std::size_t i = 0; i < n.size(); ++i) {
                 FundSetup s;
                 const std::string fi = f + "[" + std::to_string(i) + "]";
                 each_key(n[i], file, fi,
                          {{"pool", [&](const YAML::Node& x, const std::string& g) { s.pool = region(x, file, g); }},
                           {"scheme", [&](const YAML::Node& x, const std::string& g) { s.scheme = scheme(x, file, g); }},
                           {"opening", [&](const YAML::Node& x, const std::string& g) { s.opening = money(x, file, g); }},
                           {"insured", [&](const YAML::Node& x, const std::string& g) { s.insured = integer<std::int64_t>(x, file, g, 0, 2000000000); }},
                           {"contribution_per_capita", [&](const YAML::Node& x, const std::string& g) { s.contribution_per_capita = money(x, file, g); }},
                           {"local_spending_per_capita", [&](const YAML::Node& x, const std::string& g) { s.local_spending_per_capita = money(x, file, g); }},
                           {"annual_growth", [&](const YAML::Node& x, const std::string& g) { s.annual_growth = ratio(x, file, g); }}});
                 require(n[i], file, fi, {"pool", "scheme"});
                 once(funds_seen, {s.pool, s.scheme}, n[i], file, fi,
                      "the fund " + s.pool.str() + " " + std::string(s.scheme == Scheme::employee ? "employee" : "resident"));
                 c.funds.push_back(s);
               }
             }},
            {"initial_quotas", [&](const YAML::Node& n, const std::string& f) {
               if (!n.IsSequence()) throw InputError(at(file, n), f, "expected a list of quotas, got " + shown(n));
               for (std::size_t i = 0; i < n.size(); ++i) {
                 InitialQuota q;
                 const std::string fi = f + "[" + std::to_string(i) + "]";
                 each_key(n[i], file, fi,
                          {{"pool", [&](const YAML::Node& x, const std::string& g) { q.pool = region(x, file, g); }},
                           {"scheme", [&](const YAML::Node& x, const std::string& g) { q.scheme = scheme(x, file, g); }},
                           {"treatment", [&](const YAML::Node& x, const std::string& g) { q.treatment_province = region(x, file, g); }},
                           {"quota", [&](const YAML::Node& x, const std::string& g) { q.quota = money(x, file, g); }}});
                 require(n[i], file, fi, {"pool", "scheme", "treatment", "quota"});
                 once(quotas_seen, {q.pool, q.scheme, q.treatment_province}, n[i], file, fi,
                      "the quota of " + q.pool.str() + " " + std::string(q.scheme == Scheme::employee ? "employee" : "resident") +
                          " in " + q.treatment_province.str());
                 c.initial_quotas.push_back(q);
               }
             }}});
  return c;
}
}  // namespace

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
          "quota_level=" + std::string(to_string(p.quota_level)),
          "quotas=" + quotas_text(p.quotas),
          "coaudit_answer_day=" + std::to_string(p.coaudit_answer_day),
          "coaudit_clawback_rate=" + p.coaudit_clawback_rate.str(),
          "intra_province=" + intra_province_text(p.intra_province),
          "months_payable_floor=" + std::to_string(p.months_payable_floor),
          "province_pooling=" + province_pooling_text(p.province_pooling),
          "declaration_slip=" + province_pooling_text(p.declaration_slip),
          "late_one_month=" + r.late_one_month.str(),
          "late_two_months=" + r.late_two_months.str(),
          "manual_lag_months=" + std::to_string(r.manual_lag_months),
          "manual_claim_share=" + r.manual_claim_share.str()};
}

}  // namespace yidi::io
