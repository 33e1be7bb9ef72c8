#pragma once
// Clearing (清算), prepayment (预付金) and fund ledgers: what a provincial or national centre does
// with settlements after the hospital counter [DOMAIN.md §5–6]. A calendar driven by its caller one
// month at a time: no clock, no threads, no files. Settlements may be single visits or batches.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/claim.hpp"
#include "models/ledger.hpp"
#include "models/rounding.hpp"

namespace yidi {

/// How a province's agencies pre-settle intra-province (省内异地) settlements with each other during
/// the year: monthly, at the fee-for-service (按项目) amounts the hospitals were paid [seed 003 三].
/// The only form the seeds describe; an enum so that a province with another one breaks the build.
enum class IntraPreSettlement : std::uint8_t { monthly_fee_for_service };
/// What happens to a year's intra-province settlements at the year's clearing (年度清算).
enum class IntraAnnual : std::uint8_t {
  none,     // the monthly pre-settlement is final
  drg_dip,  // re-priced under the treatment region's DRG/DIP payment standards [seed 003 三]
};
std::string_view to_string(IntraPreSettlement);
std::string_view to_string(IntraAnnual);

/// One province's intra-province clearing rule from a date: it applies to the intra-province
/// settlements dated from `from` (until the province's next rule), and at the year's clearing to
/// that part of the year's flows. Jiangsu from 2024-12-01: monthly fee-for-service
/// pre-settlement, annual DRG/DIP clearing (苏医保发〔2024〕56号 三, citing 苏医保发〔2024〕42号)
/// [seed 003].
struct IntraRule {
  Date from;  // unused in the default rule
  IntraPreSettlement pre_settlement = IntraPreSettlement::monthly_fee_for_service;
  IntraAnnual annual = IntraAnnual::none;
  Ratio drg_ratio = Ratio::percent(100);  // DRG/DIP payment ÷ fee-for-service pre-settlement [assumed; drg_dip only]
  bool operator==(const IntraRule&) const = default;
};

/// The intra-province clearing rules: dated rules per province, and a default for a province
/// without one (or before its first).
struct IntraProvinceRules {
  /// [assumed] Monthly fee-for-service pre-settlement, final (no annual re-pricing): the seeds fix
  /// DRG/DIP clearing only for Jiangsu; the national notice (医保发〔2024〕21号 三(三)) asks
  /// provinces to start intra-province DRG/DIP but sets no date [seed 003], and the rest is full
  /// monthly clearing ("统一清分、按月清算", 全额清算 [seed 004 二十二]). The behaviour before
  /// dated rules existed.
  IntraRule default_rule;
  /// Province code (e.g. 320000) → its rules, `from` strictly increasing.
  std::map<RegionCode, std::vector<IntraRule>> by_province;
  /// The rule for settlements of `province` dated `on`.
  const IntraRule& in_force(RegionCode province, Date on) const;
  bool operator==(const IntraProvinceRules&) const = default;
};

/// Where the cross-province prepayment quota, its warnings and its emergency top-ups are kept.
enum class QuotaLevel : std::uint8_t {
  /// One quota per insured province [seed 000, 002: 年度预付金额度 per province; seed 004 (二十一):
  /// the province's quota is passed down to its agencies]: re-based each January from the
  /// province's flows of last year, warned and topped up on the province's usage. Its money comes
  /// from the pools' funds and is held per (pool, scheme, treatment province), in proportion to
  /// their flows (re-base) or their outstanding amounts (top-up), so pair positions stay as detail.
  province,
  /// One quota per (insured pool, scheme, treatment province): each pair re-based, warned and
  /// topped up on its own (the behaviour before province quotas; worked cases and comparisons).
  pair,
};
std::string_view to_string(QuotaLevel);

/// A quota set by hand for an insured province: from `from` (the first of a month) to the end of
/// its year, the province's quota is `quota` instead of the rule's; the next January returns to
/// the rule unless another setting starts then.
struct QuotaSetting {
  Date from;
  Money quota;
  bool operator==(const QuotaSetting&) const = default;
};

/// Parameters of the clearing calendar and the prepayment rule, each with its evidence.
struct ClearingParams {
  int declaration_day = 20;                    // declared by the 20th of the next month, cleared then [seed 002]
  int max_delay_months = 2;                    // clearing may slip at most 2 months [seed 002]
  int year_close_month = 3;                    // a year is closed by the end of Q1 of the next [seed 002]
  Ratio quota_multiple = Ratio::bp(20000);     // quota = 2 × previous year's average monthly payments [assumed]
  Ratio yellow_usage = Ratio::percent(70);     // [secondary]
  Ratio red_usage = Ratio::percent(90);        // [secondary]
  Ratio topup_target_usage = Ratio::percent(50);  // emergency top-up restores usage to this [assumed]
  int topup_lag_days = 10;                     // top-up paid this many days after the red month's end [assumed]
  QuotaLevel quota_level = QuotaLevel::province;  // one quota per insured province [seed 000, 002]
  /// Quotas set by hand (clearing.quotas): insured province code → settings, `from` strictly
  /// increasing. Province level only. Empty by default: every quota by the rule.
  std::map<RegionCode, std::vector<QuotaSetting>> quotas;
  int coaudit_answer_day = 26;                 // co-audit answered by the 26th of the next month [seed 003]
  Ratio coaudit_clawback_rate = Ratio::percent(3);  // share of co-audited fund payments clawed back [assumed]
  IntraProvinceRules intra_province;           // intra-province clearing per province, dated [seed 003]
  int months_payable_floor = 6;                // below this, off-site policy must tighten [seed 003]
  /// Province-level pooling (省级统筹; seed 004 (十一) names 省级统筹地区): province code → the
  /// first day of the month from which its pooling regions share one fund, keyed by the province
  /// code. Funds opened before then are merged into it on that day (their balances moved, their
  /// prepayments and pending clearing then paid by it); from then a settlement between two of
  /// its regions is local. Empty by default [assumed]: which provinces pool at province level,
  /// and since when, is scenario data (scenarios/examples/hainan-province-pool.yaml).
  std::map<RegionCode, Date> province_pooling;
  /// A stress test, not a rule (issue 17, clearing as a payment system): insured province code →
  /// the date from which every cross-province settlement of its pools is declared the full
  /// max_delay_months late (whatever the record says), so its prepayment carries three months of
  /// payments instead of one. Empty by default.
  std::map<RegionCode, Date> declaration_slip;
  /// The province-level fund a pool's settlements dated `on` fall to, or nothing (the pool's own).
  std::optional<RegionCode> pooled_fund(RegionCode pool, Date on) const;
};

/// One directly or manually settled visit, or a batch of visits with the same keys.
struct SettlementRecord {
  std::string reference;           // mdtrt_id or a batch label
  RegionCode insured_region;       // the pooling region whose fund pays
  Scheme scheme = Scheme::employee;
  RegionCode treatment_region;
  Date settled_on;                 // discharge / settlement date
  SettlementPath path = SettlementPath::direct;
  std::int64_t visits = 1;
  Money fund_pay;                  // direct: settled through clearing; manual: reimbursed on reimburse_on
  Money patient_pay;               // paid by the patient at the hospital
  Money coaudit_fund_pay;          // the part of fund_pay in bills sent to co-audit (≥ 30,000 yuan)
  int declaration_delay_months = 0;  // 0 = declared on time; 1–2 = late [seed 002]
  std::optional<Date> reimburse_on;  // manual path: when the insured fund pays the person (none = never claimed)
};

/// A malformed record or a call out of calendar order: names the record and what was expected.
class ClearingError : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

enum class Warning : std::uint8_t { none, yellow, red };
std::string_view to_string(Warning);

struct ClearedAmount {
  RegionCode insured;      // insured pooling region (cross-province lines are aggregated to provinces in reports)
  Scheme scheme = Scheme::employee;
  RegionCode treatment;    // treatment province (cross) or treatment region (intra)
  Money amount;
  std::int64_t visits = 0;
};

struct NetPosition {
  RegionCode province;
  Money receivable;  // cleared to it as a treatment province
  Money payable;     // cleared from it as an insured province
  Money net() const { return receivable - payable; }
};

struct PrepaymentPosition {
  RegionCode pool;
  Scheme scheme = Scheme::employee;
  RegionCode treatment_province;
  Money quota;
  Money outstanding;        // settled, not yet cleared
  std::int64_t usage_bp = 0;  // outstanding ÷ quota in basis points (quota 0 with outstanding > 0: very large)
  Warning warning = Warning::none;
  Money topup_requested;    // emergency top-up asked for at this month end
};

/// An insured province's cross-province prepayment: the sum of its pairs. At QuotaLevel::province
/// its warning is the one that counts and its top-up is what its pairs' top-ups add up to.
struct ProvincePrepayment {
  RegionCode province;
  Money quota;
  Money outstanding;
  std::int64_t usage_bp = 0;
  Warning warning = Warning::none;
  Money topup_requested;    // emergency top-ups asked for at this month end (Σ its pairs')
};

struct FundPosition {
  RegionCode pool;
  Scheme scheme = Scheme::employee;
  Money balance;            // the fund account
  Money prepayment_held;    // its money held by treatment provinces
  Money income;             // this month: contributions
  Money expenditure;        // this month: local benefits, clearing, pre-settlement, DRG, manual, less clawbacks
  double months_payable = 0;  // (balance + prepayment held) ÷ average monthly expenditure, trailing 12 months
  double average_expenditure = 0;  // that average, fen a month (so that funds can be added up: Σ held ÷ Σ average)
  bool below_floor = false;   // months payable < floor [seed 003]
};

struct YearClose {
  int year = 0;
  Money settled;            // direct off-site fund payments settled in the year
  Money cleared;            // of which cleared by the close
  bool complete() const { return settled == cleared; }
};

struct MonthReport {
  int month_index = 0;      // Date::month_index()
  Date clearing_date;
  std::vector<ClearedAmount> cleared_cross;   // per (insured pool, scheme, treatment province)
  std::vector<ClearedAmount> cleared_intra;   // per (insured pool, scheme, treatment region)
  std::vector<NetPosition> net_positions;     // cross-province, per province, Σ net = 0
  std::vector<PrepaymentPosition> prepayments;
  std::vector<ProvincePrepayment> provinces;
  std::vector<FundPosition> funds;
  Money topups_paid;
  Money quota_rebased;      // net quota change posted at the year's start (January only)
  Money clawbacks;
  Money manual_paid;
  Money drg_adjustment;
  std::optional<YearClose> year_close;
};

class ClearingSystem {
public:
  /// The calendar opens at `first_month` (a Date::month_index()).
  ClearingSystem(ClearingParams params, int first_month);

  /// Opens a pooling fund's account with its opening balance (posted from contributions on `on`).
  void add_fund(RegionCode pool, Scheme scheme, Money opening_balance, Date on);
  bool has_fund(RegionCode pool, Scheme scheme) const;
  /// The first year's quota for a pair (later years re-base from the previous year's flows);
  /// posted from the fund to the prepayment on the first day of the open month.
  void set_initial_quota(RegionCode pool, Scheme scheme, RegionCode treatment_province, Money quota);

  /// Posts one settlement (or batch) of the open month. Throws ClearingError for an unknown fund,
  /// a date outside the open month, negative amounts or a delay beyond the maximum.
  void submit(const SettlementRecord& record);
  void post_contribution(RegionCode pool, Scheme scheme, Date on, Money amount);
  void post_local_benefit(RegionCode pool, Scheme scheme, Date on, Money amount);

  /// Runs the rest of the open month's calendar (top-ups due, clearing on the declaration day,
  /// co-audit clawbacks, manual reimbursements, year-start re-basing, year close), reports the
  /// month-end positions, and opens the next month.
  MonthReport close_month();

  int open_month() const { return open_; }
  const Ledger& ledger() const { return ledger_; }
  /// Whether the ledger keeps its event log (default yes; see Ledger::keep_events). Positions,
  /// balances and month reports are the same either way.
  void keep_event_log(bool keep) { ledger_.keep_events(keep); }
  const ClearingParams& params() const { return params_; }
  /// Quota in force for a pair.
  Money quota(RegionCode pool, Scheme scheme, RegionCode treatment_province) const;

private:
  struct PairKey {
    RegionCode pool;
    Scheme scheme;
    RegionCode treatment;  // province for cross-province pairs, region for intra-province
    auto operator<=>(const PairKey&) const = default;
  };
  struct PairKeyHash {
    std::size_t operator()(const PairKey& k) const noexcept;
  };
  using Id = std::uint32_t;
  /// Keys given dense ids in order of first use (ids never move), found by hash; `sorted()` lists
  /// the ids in key order, rebuilt only after a new key. Replaces std::map on the hot paths while
  /// keeping the key order every report and ledger posting follows.
  class KeyIds {
  public:
    Id get(const PairKey& k);                 // creating it
    std::optional<Id> find(const PairKey& k) const;
    const PairKey& key(Id id) const { return keys_[id]; }
    std::size_t size() const { return keys_.size(); }
    const std::vector<Id>& sorted() const;

  private:
    std::vector<PairKey> keys_;
    std::unordered_map<PairKey, Id, PairKeyHash> index_;
    mutable std::vector<Id> sorted_;
    mutable bool dirty_ = false;
    Id last_ = 0;  // the id last asked for
  };
  struct Pending {
    Money amount;
    std::int64_t visits = 0;
    bool due = false;  // an entry exists (even with zero amount and visits: it still makes a report line)
  };
  /// What falls due in one clearing month: settlement year -> pending amount per pair id.
  using DueBucket = std::map<int, std::vector<Pending>>;
  using Slot = Ledger::Slot;
  struct FundState {
    Slot fund, individuals, local_hospitals;  // ledger accounts of the pool and scheme
    Money income, expenditure;     // this month
    std::vector<Money> history;    // monthly expenditure, trailing 12 months
  };
  struct CrossState {
    Id fund = 0;
    Slot prepayment = 0;
    RegionCode hospital_region;    // the treatment region last settled with, and its hospitals' account
    Slot hospitals = 0;
    Money quota, outstanding;
  };
  struct IntraState {
    Id fund = 0;
    Slot agency = 0, hospitals = 0;  // of the treatment region
    std::vector<IntraRule> rules;    // its province's dated rules (a copy: none, the default only)
  };
  /// Which rule a settlement falls under: 0 = the default, k = its province's (k−1)th rule.
  std::size_t intra_rule_index(const IntraState& st, Date on) const;
  const IntraRule& intra_rule(const IntraState& st, std::size_t index) const {
    return index == 0 ? params_.intra_province.default_rule : st.rules[index - 1];
  }
  struct TopUp {
    Date date;
    Id pair;  // cross pair id
    Money amount;
  };
  struct Manual {
    Date date;
    Id fund;           // the fund that pays (re-pointed when its pool's fund is merged)
    Slot individuals;  // the insured pool's people
    Money amount;
    std::string reference;
  };
  struct Clawback {
    Id pair;  // cross pair id
    RegionCode hospital_region;
    Money amount;
  };

  Id check_fund(const SettlementRecord& r) const;
  /// The fund that pays for a fund key: itself, or the province-level fund it was merged into.
  Id paying(Id fund) const { return merged_into_[fund]; }
  /// Opens (or finds) a fund's state and account without posting anything.
  Id open_fund_state(RegionCode pool, Scheme scheme);
  /// Province-level pooling from the first of month `m`: merges the province's open funds.
  void merge_pools(int m);
  Id fund_id(RegionCode pool, Scheme scheme) const;  // throws ClearingError when there is none
  Id cross_id(const PairKey& k);
  Slot cross_hospitals(Id c, RegionCode treatment_region);
  Id intra_id(const PairKey& k);
  void rebase_quotas(Date on, MonthReport& report);
  /// Sets quotas by hand (params_.quotas) whose settings start in month `m` (the January ones
  /// after the re-base, which they override).
  void apply_quota_settings(int m, MonthReport& report);
  /// Sets the quota of the pairs `ids` (all of one group) to `total`, split in proportion to
  /// `weights` (rounded down, the rest to the last: the parts sum to the total), posted on `on`.
  void set_group_quota(const std::vector<Id>& ids, const std::vector<Money>& weights, Money total, Date on,
                       const std::string& ref, MonthReport& report);
  /// The pairs of each quota group in key order: one group per insured province, or per pair.
  std::vector<std::vector<Id>> quota_groups() const;
  void record_expenditure(Id fund, Money amount) { fund_state_[fund].expenditure += amount; }
  static Pending& due_entry(DueBucket& bucket, int year, Id id, std::size_t ids);

  // close_month's steps, in calendar order (each on the open month `m`).
  void rebase_in_january(int m, MonthReport& rep);
  void pay_due_topups(int m, MonthReport& rep);
  void clear_declared(int m, MonthReport& rep);
  void net_positions(MonthReport& rep) const;
  void return_clawbacks(int m, MonthReport& rep);
  void pay_manual_reimbursements(int m, MonthReport& rep);
  void close_year(int m, MonthReport& rep);
  void prepayment_positions(int m, MonthReport& rep);
  void fund_positions(MonthReport& rep);

  ClearingParams params_;
  int first_month_;  // the month the calendar opened: its year keeps its initial quotas
  int open_;
  Ledger ledger_;
  KeyIds funds_;                                  // (pool, scheme, {})
  std::vector<FundState> fund_state_;             // per fund id
  std::vector<Id> merged_into_;                   // per fund id: the fund paying for it (itself unless merged)
  KeyIds cross_;                                  // (pool, scheme, treatment province)
  std::vector<CrossState> cross_state_;           // per cross id: quota in force, settled − cleared
  KeyIds intra_;                                  // (pool, scheme, treatment region)
  std::vector<IntraState> intra_state_;           // per intra id
  std::map<int, DueBucket> due_cross_;            // clearing month -> amounts due
  std::map<int, DueBucket> due_intra_;
  std::map<int, std::vector<Money>> flows_;       // year -> per cross id: direct fund payments
  std::map<int, std::vector<Money>> intra_flows_; // year -> per intra id: direct fund payments
  /// year -> per intra id -> per rule index (intra_rule_index): direct fund payments under a rule
  /// with annual DRG/DIP clearing, re-priced at the year's close.
  std::map<int, std::vector<std::vector<Money>>> drg_flows_;
  std::map<int, std::vector<Clawback>> clawbacks_;  // month -> co-audit clawbacks, in submission order
  std::map<int, Money> year_settled_, year_cleared_;
  std::vector<TopUp> topups_;
  /// Hand-set quotas of provinces with no pair yet: placed on the province's first pair.
  std::map<RegionCode, Money> unplaced_quota_;
  std::map<int, std::vector<Manual>> manual_;     // month -> reimbursements
};

}  // namespace yidi
