#pragma once
// The clearing configuration for `yidi clear` (docs/clear-formats.md): the calendar and prepayment
// parameters, how results become clearing records, the funds and the first year's quotas.
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "models/clearing.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/settlements_csv.hpp"

namespace yidi::io {

/// A pooling fund: contributions come in per insured person, local benefits go out per insured
/// person, both growing by `annual_growth` a year (per-capita amounts in the first year).
struct FundSetup {
  RegionCode pool;
  Scheme scheme = Scheme::employee;
  Money opening;
  std::int64_t insured = 0;           // insured persons
  Money contribution_per_capita;      // a year, employer + employee or individual + subsidy
  Money local_spending_per_capita;    // a year, benefits paid for local care
  Ratio annual_growth;
  /// This month's amount for a yearly per-capita amount: insured × per-capita ÷ 12, half-up.
  static Money monthly(std::int64_t insured, Money per_capita_year);
};

struct InitialQuota {
  RegionCode pool;
  Scheme scheme = Scheme::employee;
  RegionCode treatment_province;
  Money quota;
};

struct ClearingConfig {
  ClearingParams params;
  RecordRules rules;
  std::vector<FundSetup> funds;           // empty: every insured fund in the input opens at 0
  std::vector<InitialQuota> initial_quotas;  // empty: bootstrapped from the first year's flows
  std::string source;                     // where it came from, for provenance
};

/// Overrides `params` from a mapping of ClearingParams fields; unknown keys and bad values are
/// InputError with the file and line.
void parse_clearing_params(const YAML::Node& node, const std::string& file, ClearingParams& params);
/// Reads a whole configuration file's text.
ClearingConfig parse_clearing_config(std::string_view text, const std::string& file);
/// The intra-province rules as one YAML flow mapping that `clearing.intra_province` reads back:
/// the default rule, then each province's dated rules in code order.
std::string intra_province_text(const IntraProvinceRules& rules);
/// Province-level pooling dates as one flow mapping that reads back to the same map.
std::string province_pooling_text(const std::map<RegionCode, Date>& pooling);
/// clearing.quotas as YAML flow text (the resolved scenario's line).
std::string quotas_text(const std::map<RegionCode, std::vector<QuotaSetting>>& quotas);
/// The resolved parameters, one "name=value" per entry, for provenance lines.
std::vector<std::string> describe(const ClearingParams& p, const RecordRules& r);

}  // namespace yidi::io
