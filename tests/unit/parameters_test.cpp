#include <gtest/gtest.h>

#include "models/claim.hpp"
#include "models/parameters.hpp"

using namespace yidi;

namespace {
Date d(const char* s) { return *Date::parse(s); }

/// Sets every schema parameter nationally from 2020-01-01 with a neutral value.
void fill_national(PolicyBook& book) {
  for (const auto& spec : ParamSchema::get().all()) {
    ParamValue v;
    switch (spec.type) {
      case ParamType::boolean: v = true; break;
      case ParamType::integer: v = std::int64_t{6}; break;
      case ParamType::money: v = Money::yuan(1000); break;
      case ParamType::ratio: v = Ratio::percent(10); break;
      case ParamType::points: v = Points::of(20); break;
      case ParamType::bands: v = Bands{RatioBand{Money::unlimited(), Ratio::percent(80)}}; break;
      case ParamType::reduction: v = Reduction{}; break;
      case ParamType::choice: v = spec.choices.front(); break;
      case ParamType::text_list: v = std::vector<std::string>{"diabetes"}; break;
    }
    book.set(kNational, spec.path, d("2020-01-01"), v, "test", "test:" + spec.path);
  }
}
}  // namespace

TEST(ParamSchema, KnowsEveryParameterAndItsChildren) {
  const auto& s = ParamSchema::get();
  ASSERT_NE(s.find("benefit.employee_retired.inpatient.ratio.level3"), nullptr);
  EXPECT_EQ(s.find("benefit.employee_retired.inpatient.ratio.level3")->type, ParamType::bands);
  EXPECT_EQ(s.find("benefit.employee_retired.inpatient.ratio.level4"), nullptr);
  const auto kids = s.children("benefit.resident.inpatient.deductible.level1");
  EXPECT_EQ(kids, (std::vector<std::string>{"annual", "first", "second", "third_plus"}));
  EXPECT_EQ(s.under("reduction.inpatient").size(), 7u);
}

TEST(ParamSchema, ParsesScalarsByType) {
  const auto* red = ParamSchema::get().find("reduction.inpatient.referral");
  EXPECT_EQ(std::get<Reduction>(*parse_scalar(ParamType::reduction, "-10pp", red)).points, Points::of(10));
  EXPECT_EQ(std::get<Reduction>(*parse_scalar(ParamType::reduction, "x0.8", red)).multiplier, Ratio::percent(80));
  EXPECT_FALSE(parse_scalar(ParamType::reduction, "-10", red));
  EXPECT_FALSE(parse_scalar(ParamType::ratio, "1.2"));
  EXPECT_FALSE(parse_scalar(ParamType::money, "-5"));
  EXPECT_FALSE(parse_scalar(ParamType::boolean, "yes"));
  const auto* kind = ParamSchema::get().find("benefit.resident.inpatient.deductible.kind");
  EXPECT_TRUE(parse_scalar(ParamType::choice, "annual", kind));
  EXPECT_FALSE(parse_scalar(ParamType::choice, "monthly", kind));
}

// A region inherits from its province, then the nation; a visit uses the values in force on its date.
TEST(PolicyBook, DatedValuesAndInheritance) {
  PolicyBook book;
  book.add_region({RegionCode::of(320000), "江苏省", "Jiangsu"});
  book.add_region({RegionCode::of(320600), "南通市", "Nantong"});
  fill_national(book);
  const std::string path = "reduction.inpatient.other_temporary";
  book.set(RegionCode::of(320000), path, d("2022-01-01"),
           Reduction{Reduction::Kind::points, Points::of(10), Ratio::one()}, "province", "p");
  book.set(RegionCode::of(320600), path, d("2025-01-01"),
           Reduction{Reduction::Kind::points, Points::of(20), Ratio::one()}, "seed 003 §四", "n");
  const auto at = [&](const char* date) {
    return book.insured_policy(RegionCode::of(320600), d(date))
        .reduction[index(VisitType::inpatient)][index(FilingCategory::other_temporary)];
  };
  EXPECT_EQ(at("2021-06-01").value.kind, Reduction::Kind::none);
  EXPECT_EQ(at("2024-12-31").value.points, Points::of(10));
  EXPECT_EQ(*at("2024-12-31").source, "province");
  EXPECT_EQ(at("2025-01-01").value.points, Points::of(20));
  EXPECT_EQ(*at("2025-01-01").source, "seed 003 §四");
  EXPECT_NO_THROW(book.validate());
}

TEST(PolicyBook, RejectsUnknownPathsWrongTypesAndMissingSources) {
  PolicyBook book;
  EXPECT_THROW(book.set(kNational, "benefit.nobody.inpatient.covered", d("2020-01-01"), true, "s", "f:1"), PolicyError);
  try {
    book.set(kNational, "assistance.ratio", d("2020-01-01"), Money::yuan(1), "s", "national.yaml:7");
    FAIL();
  } catch (const PolicyError& e) {
    EXPECT_STREQ(e.what(), "national.yaml:7: parameter 'assistance.ratio' expects a ratio such as 0.85 or 85% (at "
                           "most 1 basis point of precision)");
  }
  EXPECT_THROW(book.set(kNational, "assistance.ratio", d("2020-01-01"), Ratio::percent(5), "", "f:2"), PolicyError);
  EXPECT_THROW(book.set(RegionCode::of(320600), "assistance.ratio", d("2020-01-01"), Ratio::percent(5), "s", "f:3"),
               PolicyError);
}

// National ceilings: a region's −30 pp for referrals is refused with the parameter and the ceiling.
TEST(PolicyBook, ValidateEnforcesNationalCeilings) {
  PolicyBook book;
  book.add_region({RegionCode::of(510000), "四川省", "Sichuan"});
  fill_national(book);
  book.set(kNational, "national.reduction_ceiling.referral", d("2020-01-01"), Points::of(10), "seed 003", "n:1");
  book.set(RegionCode::of(510000), "reduction.inpatient.referral", d("2023-01-01"),
           Reduction{Reduction::Kind::points, Points::of(30), Ratio::one()}, "bad data", "sichuan.yaml:9");
  try {
    book.validate();
    FAIL() << "expected a ceiling violation";
  } catch (const PolicyError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("reduction.inpatient.referral = -30pp"), std::string::npos) << msg;
    EXPECT_NE(msg.find("national ceiling of 10pp"), std::string::npos) << msg;
    EXPECT_NE(msg.find("510000"), std::string::npos) << msg;
  }
  // ×0.8 cuts 20 points off a 100% ratio: too much for a referral.
  book.set(RegionCode::of(510000), "reduction.inpatient.referral", d("2023-01-01"),
           Reduction{Reduction::Kind::multiplier, Points{}, Ratio::percent(80)}, "bad", "s:2");
  EXPECT_THROW(book.validate(), PolicyError);
}

TEST(PolicyBook, UnknownRegionIsAnError) {
  PolicyBook book;
  fill_national(book);
  EXPECT_THROW(book.insured_policy(RegionCode::of(999900), d("2024-01-01")), PolicyError);
  EXPECT_THROW(book.add_region({RegionCode::of(320600), "南通市", "Nantong"}), PolicyError);  // province missing
}

// Arrays indexed by a category are sized by it and the schema's labels come from it (issue 13):
// every (visit type, filing category) has a reduction, every level an ordinal deductible, and the
// choices are the members' labels in order.
static_assert(std::tuple_size_v<decltype(InsuredPolicy::reduction)> == kVisitTypes.size());
static_assert(std::tuple_size_v<decltype(InsuredPolicy::reduction)::value_type> == kFilingCategories.size());
static_assert(std::tuple_size_v<decltype(NationalRules::reduction_ceiling)> == kFilingCategories.size());
static_assert(std::tuple_size_v<decltype(InsuredPolicy::benefit)> == kInsuredGroups.size());
static_assert(std::tuple_size_v<decltype(BenefitRule::deductible_per_admission)::value_type> ==
              kAdmissionOrdinals.size());
static_assert(std::tuple_size_v<decltype(YearToDate::pooled_paid)> == kCapPools.size());

TEST(ParamSchema, PathsAndChoicesComeFromTheCategories) {
  const auto& s = ParamSchema::get();
  for (auto v : kVisitTypes)
    for (auto c : kFilingCategories)
      EXPECT_NE(s.find("reduction." + std::string(to_string(v)) + "." + std::string(to_string(c))), nullptr);
  for (auto l : kHospitalLevels)
    for (auto o : kAdmissionOrdinals)
      EXPECT_NE(s.find("benefit.resident.inpatient.deductible." + std::string(to_string(l)) + "." +
                       std::string(to_string(o))),
                nullptr);
  EXPECT_EQ(s.find("benefit.resident.inpatient.deductible.kind")->choices,
            (std::vector<std::string>{"none", "per_admission", "annual"}));
  EXPECT_EQ(s.find("benefit.resident.inpatient.cap_pool")->choices, (std::vector<std::string>{"inpatient", "outpatient"}));
  EXPECT_EQ(s.find("reduction_base")->choices, (std::vector<std::string>{"basic_ratio", "all_layers"}));
  EXPECT_EQ(s.find("filing.free_zone_category")->choices.size(), kFilingCategories.size());
  EXPECT_EQ(admission_ordinal(0), AdmissionOrdinal::first);
  EXPECT_EQ(admission_ordinal(1), AdmissionOrdinal::second);
  EXPECT_EQ(admission_ordinal(7), AdmissionOrdinal::third_plus);
}
