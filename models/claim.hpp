#pragma once
// What goes into a settlement (a visit, the person's filing and year-to-date accumulators)
// and what comes out. Field names follow the national interface where one exists [interface].
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/categories.hpp"
#include "models/date.hpp"
#include "models/money.hpp"
#include "models/policy.hpp"
#include "models/ratio.hpp"
#include "models/region.hpp"

namespace yidi {

/// One fee line after the hospital's coding: catalogue class (`chrgitm_lv`), amount, and the part
/// above the item's price cap (`pric_uplmt_amt` × quantity), which is self-paid (`overlmt_selfpay`).
struct ClaimLine {
  ItemClass item_class = ItemClass::a;
  Money amount;
  Money over_price_cap;                 // part of `amount` above the price cap
  std::optional<Ratio> selfpay_prop;    // 乙 item's own self-pay-first share, if the catalogue lists one
};

/// A filing (备案) held by the person [seed 000, 003, 004].
struct Filing {
  FilingCategory category = FilingCategory::unfiled;
  RegionCode target;                    // city, or province for province-level pools and municipalities [seed 001, 004]
  Date filed_on;                        // when it was made (and took effect)
  std::optional<Date> valid_until;      // long-term: end of the supporting material (Jiangsu); temporary: override
  bool commitment = false;              // 承诺制: documents still owed [seed 003]
  std::optional<Date> documents_supplied_on;
  std::optional<Date> cancelled_on;
};

/// The person's accumulators for the calendar year of the visit, before it (the engine is
/// stateless: it returns them updated).
struct YearToDate {
  std::int32_t admissions = 0;                 // admissions already settled this year
  ByEnum<CapPool, Money> pooled_paid{};        // pooled fund paid, per cap pool
  Money annual_deductible_met;                 // outpatient annual deductible already met
  Money layer_base;                            // cumulative in-policy burden after the pooled fund
  Money critical_illness_paid;
  Money large_expense_paid;
  Money assistance_paid;
  bool operator==(const YearToDate&) const = default;
};

/// One visit to settle.
struct Visit {
  std::string id;                       // setl_id / row reference
  RegionCode insured_region;            // insuplc_admdvs
  RegionCode treatment_region;          // mdtrtarea_admvs
  InsuredGroup group = InsuredGroup::employee_in_service;
  VisitType visit_type = VisitType::inpatient;
  HospitalLevel level = HospitalLevel::level3;
  Date admission;                       // adm date; for outpatient the visit date
  Date discharge;                       // settlement date: the parameters in force on it apply
  Money medfee_sumamt;
  std::vector<ClaimLine> lines;
  std::string disease;                  // chronic/special outpatient disease
  bool emergency = false;               // hospital uploaded the emergency flag [seed 003]
  bool networked = true;                // 跨省联网定点 for this visit type
  bool credential_presented = true;     // 持码卡就医 [seed 000, 001]
  bool settlement_failed = false;       // system error at settlement [seed 003]
  bool assistance_eligible = false;     // 医疗救助 eligible
  bool use_personal_account = false;    // employee's personal account pays the individual part
  Money personal_account_balance;
};

struct SettlementRequest {
  Visit visit;
  std::optional<Filing> filing;
  YearToDate ytd;
};

/// Thrown for a malformed request (negative amount, parts not summing to the total, discharge
/// before admission...): names the field and what was expected. Not-payable is a result, not this.
class InvalidClaim : public std::invalid_argument {
public:
  InvalidClaim(std::string field, const std::string& message)
      : std::invalid_argument(field + ": " + message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

private:
  std::string field_;
};

enum class SettlementPath : std::uint8_t { direct, manual };
/// Why a visit did or did not settle directly (§4), and notes on payability.
enum class PathReason : std::uint8_t {
  direct,                 // settled directly
  local,                  // not off-site: settled at home under local rules
  not_networked,          // institution not networked for this visit type
  no_filing,              // no filing, not an emergency, not filed before discharge
  filing_wrong_region,    // filing is for another region
  filing_expired,         // admission outside the filing's validity
  filing_revoked,         // commitment filing whose documents were not supplied in time
  filing_cancelled,       // filing cancelled before admission
  no_credential,          // e-voucher / card not presented
  settlement_failed,      // system failure at settlement
};
inline constexpr std::array kSettlementPaths{SettlementPath::direct, SettlementPath::manual};
inline constexpr std::array kPathReasons{
    PathReason::direct,         PathReason::local,         PathReason::not_networked,  PathReason::no_filing,
    PathReason::filing_wrong_region, PathReason::filing_expired, PathReason::filing_revoked,
    PathReason::filing_cancelled,    PathReason::no_credential,  PathReason::settlement_failed};

constexpr std::string_view to_string(SettlementPath p) {
  switch (p) {
    case SettlementPath::direct: return "direct";
    case SettlementPath::manual: return "manual";
  }
  return "?";
}
constexpr std::string_view to_string(PathReason r) {
  switch (r) {
    case PathReason::direct: return "direct";
    case PathReason::local: return "local";
    case PathReason::not_networked: return "not_networked";
    case PathReason::no_filing: return "no_filing";
    case PathReason::filing_wrong_region: return "filing_wrong_region";
    case PathReason::filing_expired: return "filing_expired";
    case PathReason::filing_revoked: return "filing_revoked";
    case PathReason::filing_cancelled: return "filing_cancelled";
    case PathReason::no_credential: return "no_credential";
    case PathReason::settlement_failed: return "settlement_failed";
  }
  return "?";
}
constexpr const auto& members(SettlementPath) { return kSettlementPaths; }
constexpr const auto& members(PathReason) { return kPathReasons; }
static_assert(lists_every_member<SettlementPath>());
static_assert(lists_every_member<PathReason>());
/// A sentence for people: "institution not networked for this visit type".
std::string_view describe(PathReason);

/// One step of an explanation: what was computed, with which parameter, value and source.
struct ExplainStep {
  std::string step;
  std::string detail;
  std::string parameter;
  std::string value;
  std::string source;
};
using Explanation = std::vector<ExplainStep>;

/// The result of settling one visit [interface names].
struct Settlement {
  std::string id;
  SettlementPath path = SettlementPath::direct;
  PathReason reason = PathReason::direct;
  bool cross_province = false;
  bool offsite = false;
  FilingCategory category = FilingCategory::unfiled;  // the category whose rules applied
  bool payable = true;                                 // false: not covered (e.g. disease not on list)
  std::string note;

  // Step A (treatment region's catalogue)
  Money medfee_sumamt;
  Money fulamt_ownpay_amt;   // 丙 / out of catalogue
  Money overlmt_selfpay;     // above price caps
  Money preselfpay_amt;      // 乙 self-pay-first
  Money inscp_scp_amt;       // policy-eligible amount
  // Step B (insured region's policy)
  Money deductible;          // 起付标准 applied
  Reduction reduction;       // off-site reduction applied
  Money hifp_pay;            // pooled fund
  Money hifmi_pay;           // residents' critical illness
  Money hifob_pay;           // employees' large-expense subsidy
  Money maf_pay;             // medical assistance
  Money fund_pay_sumamt;     // all funds
  Money psn_part_amt;        // individual burden = medfee_sumamt − fund_pay_sumamt
  Money acct_pay;            // from the personal account
  Money psn_cash_pay;        // cash: psn_part_amt − acct_pay (direct); medfee_sumamt (manual, paid up front)
  bool coaudit = false;      // ≥ threshold cross-province inpatient bill [seed 000, 003]
  YearToDate ytd_after;
  Explanation explanation;   // filled only when asked for
};

}  // namespace yidi
