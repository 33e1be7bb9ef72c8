#pragma once
// A hand-built policy for unit tests, independent of the YAML data, with every value sourced
// "test fixture". Tests change the fields they exercise.
#include "models/policy.hpp"
#include "models/settlement_engine.hpp"

#include <ostream>

namespace yidi {
// gtest prints amounts as yuan rather than bytes.
inline void PrintTo(const Money& m, std::ostream* os) { *os << m.str(); }
inline void PrintTo(const Ratio& r, std::ostream* os) { *os << r.str(); }
}  // namespace yidi

namespace yidi::testing {

/// All groups and visit types: covered, no deductible, 80% at every level, cap 500,000 yuan
/// (inpatient pool) / 10,000 (outpatient pool); no layers; no reductions; 6-month temporary filings,
/// 15-day commitment, 6-month lock, filing required everywhere, retroactive filing allowed.
InsuredPolicy simple_policy(RegionCode region);
/// 乙 self-pay-first 10% for every visit type.
Catalogue simple_catalogue(RegionCode region);
/// Ceilings 0 for long-term, 10 for referral and emergency, 20 for other temporary and unfiled;
/// co-audit at 30,000 yuan.
NationalRules national_rules();

/// A visit with one line of each given class amount.
Visit visit(RegionCode insured, RegionCode treatment, VisitType type, Money a, Money b = {}, Money c = {});

Bands flat(Ratio r);
Date d(const char* iso);
Money y(const char* yuan);
}  // namespace yidi::testing
