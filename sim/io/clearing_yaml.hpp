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

struct FundSetup {
  RegionCode pool;
  Scheme scheme = Scheme::employee;
  Money opening;
  Money monthly_contribution;  // in the first year; grows by annual_growth each later year
  Money monthly_local;         // local benefit payments, likewise
  Ratio annual_growth;
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
/// The resolved parameters, one "name=value" per entry, for provenance lines.
std::vector<std::string> describe(const ClearingParams& p, const RecordRules& r);

}  // namespace yidi::io
