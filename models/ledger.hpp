#pragma once
// An append-only ledger of money events (MATSim's PersonMoneyEvent idea): every event moves an
// amount from one account to another; balances are derived, never stored as truth. Every event
// debits one account and credits another, so all balances always sum to zero (conservation).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/categories.hpp"
#include "models/date.hpp"
#include "models/money.hpp"
#include "models/region.hpp"

namespace yidi {

enum class AccountKind : std::uint8_t {
  contributions,  // external source: contributions and subsidies into a pooling fund
  fund,           // a pooling fund (统筹基金), per pooling region and scheme
  prepayment,     // an insured fund's prepayment (预付金) held by a treatment province
  agency,         // a treatment region's agency settlement float (intra-province pre-settlement)
  hospitals,      // the hospitals of a treatment region
  individuals,    // the insured persons of a region
  local_care,     // external sink: local benefit payments of a fund
};
std::string_view to_string(AccountKind);

struct AccountId {
  AccountKind kind = AccountKind::fund;
  RegionCode region;                 // the owning region (pool, treatment region, ...)
  Scheme scheme = Scheme::employee;  // for contributions, fund, prepayment
  RegionCode holder;                 // for prepayment: the treatment province holding it
  auto operator<=>(const AccountId&) const = default;
  std::string str() const;

  static AccountId fund(RegionCode pool, Scheme s) { return {AccountKind::fund, pool, s, {}}; }
  static AccountId contributions(RegionCode pool, Scheme s) { return {AccountKind::contributions, pool, s, {}}; }
  static AccountId prepayment(RegionCode pool, Scheme s, RegionCode treatment_province) {
    return {AccountKind::prepayment, pool, s, treatment_province.province()};
  }
  static AccountId agency(RegionCode treatment) { return {AccountKind::agency, treatment, Scheme::employee, {}}; }
  static AccountId hospitals(RegionCode treatment) { return {AccountKind::hospitals, treatment, Scheme::employee, {}}; }
  static AccountId individuals(RegionCode pool) { return {AccountKind::individuals, pool, Scheme::employee, {}}; }
  static AccountId local_care(RegionCode pool, Scheme s) { return {AccountKind::local_care, pool, s, {}}; }
};

enum class Purpose : std::uint8_t {
  contribution,         // contributions in
  local_benefit,        // local benefit payments
  direct_settlement,    // fund share of a directly settled off-site visit, paid to the hospital
  patient_payment,      // what the patient pays the hospital (individual part, or all on the manual path)
  clearing,             // monthly clearing: the insured fund restores its prepayment (cross-province)
  pre_settlement,       // monthly pre-settlement between pooling regions (intra-province)
  drg_adjustment,       // annual DRG/DIP clearing of intra-province stays [seed 003]
  prepayment_quota,     // annual prepayment set-up or re-basing
  prepayment_topup,     // emergency top-up (预付金紧急调增)
  coaudit_clawback,     // co-audit clawback returned to the insured fund [seed 000, 003, 004]
  manual_reimbursement, // manual (手工) reimbursement paid to the person
  fund_merge,           // a pool's balance moved into its province-level fund (省级统筹)
};
std::string_view to_string(Purpose);

struct MoneyEvent {
  Date date;
  Money amount;  // > 0
  AccountId from;
  AccountId to;
  Purpose purpose = Purpose::direct_settlement;
  std::string reference;
};

class Ledger {
public:
  /// A handle on one account, for callers that post to the same accounts again and again.
  using Slot = std::uint32_t;

  /// Appends an event; throws std::invalid_argument for a non-positive amount or from == to.
  void post(MoneyEvent event);
  /// Appends when amount > 0, the reverse movement when < 0, nothing when zero.
  void post_signed(Date date, Money amount, const AccountId& from, const AccountId& to, Purpose purpose,
                   std::string reference);
  /// The account's handle; an account without events yet is not listed by balances().
  Slot slot(const AccountId& account);
  const AccountId& account(Slot s) const { return accounts_[s].id; }
  /// post / post_signed by handles: the same events as by account.
  void post(Date date, Money amount, Slot from, Slot to, Purpose purpose, std::string_view reference);
  void post_signed(Date date, Money amount, Slot from, Slot to, Purpose purpose, std::string_view reference);

  /// Whether events() keeps every event (the default). Off, balances are maintained exactly the
  /// same but no event is stored, so events() and replay() stay empty: for a caller that only
  /// reads balances (a simulation run), it saves the log's memory and copying.
  void keep_events(bool keep) { keep_events_ = keep; }
  bool keeps_events() const { return keep_events_; }

  const std::vector<MoneyEvent>& events() const { return events_; }
  /// Balance derived from the events: credits minus debits.
  Money balance(const AccountId& account) const;
  Money balance(Slot s) const { return accounts_[s].balance; }
  /// All accounts with events and their balances, in account order (built on demand: for reports and tests).
  std::map<AccountId, Money> balances() const;
  /// Σ of every balance: zero by construction; the conservation tests check it stays so.
  Money total() const;
  /// Recomputes all balances from the events alone (for tests: derived == maintained).
  std::map<AccountId, Money> replay() const;

private:
  struct Hash {
    std::size_t operator()(const AccountId& a) const noexcept;
  };
  struct Account {
    AccountId id;
    Money balance;
    bool used = false;  // an event has touched it
  };
  void check(Money amount, bool same_account, const AccountId& from, std::string_view reference) const;
  void move(Slot from, Slot to, Money amount);

  std::vector<MoneyEvent> events_;
  // Cache of the fold over events_: one slot per account, in order of first use, found by hash.
  std::vector<Account> accounts_;
  std::unordered_map<AccountId, Slot, Hash> index_;
  bool keep_events_ = true;
};

}  // namespace yidi
