#include "models/ledger.hpp"

#include <stdexcept>

namespace yidi {

std::string_view to_string(AccountKind k) {
  switch (k) {
    case AccountKind::contributions: return "contributions";
    case AccountKind::fund: return "fund";
    case AccountKind::prepayment: return "prepayment";
    case AccountKind::agency: return "agency";
    case AccountKind::hospitals: return "hospitals";
    case AccountKind::individuals: return "individuals";
    case AccountKind::local_care: return "local_care";
  }
  return "?";
}

std::string_view to_string(Purpose p) {
  switch (p) {
    case Purpose::contribution: return "contribution";
    case Purpose::local_benefit: return "local_benefit";
    case Purpose::direct_settlement: return "direct_settlement";
    case Purpose::patient_payment: return "patient_payment";
    case Purpose::clearing: return "clearing";
    case Purpose::pre_settlement: return "pre_settlement";
    case Purpose::drg_adjustment: return "drg_adjustment";
    case Purpose::prepayment_quota: return "prepayment_quota";
    case Purpose::prepayment_topup: return "prepayment_topup";
    case Purpose::coaudit_clawback: return "coaudit_clawback";
    case Purpose::manual_reimbursement: return "manual_reimbursement";
    case Purpose::fund_merge: return "fund_merge";
  }
  return "?";
}

std::string AccountId::str() const {
  std::string out(to_string(kind));
  out += ":" + region.str();
  switch (kind) {
    case AccountKind::contributions:
    case AccountKind::fund:
    case AccountKind::local_care: out += ":" + std::string(to_string(scheme)); break;
    case AccountKind::prepayment: out += ":" + std::string(to_string(scheme)) + "@" + holder.str(); break;
    case AccountKind::agency:
    case AccountKind::hospitals:
    case AccountKind::individuals: break;
  }
  return out;
}

std::size_t Ledger::Hash::operator()(const AccountId& a) const noexcept {
  std::uint64_t h = (static_cast<std::uint64_t>(a.region.value()) << 32) ^ a.holder.value();
  h ^= (static_cast<std::uint64_t>(a.kind) << 8 | static_cast<std::uint64_t>(a.scheme)) * 0x9E3779B97F4A7C15ULL;
  h *= 0xBF58476D1CE4E5B9ULL;
  return static_cast<std::size_t>(h ^ (h >> 31));
}

Ledger::Slot Ledger::slot(const AccountId& a) {
  const auto [it, added] = index_.try_emplace(a, static_cast<Slot>(accounts_.size()));
  if (added) accounts_.push_back(Account{a, Money::zero(), false});
  return it->second;
}

void Ledger::check(Money amount, bool same_account, const AccountId& from, std::string_view reference) const {
  if (amount <= Money::zero())
    throw std::invalid_argument("ledger: amount must be positive, got " + amount.str() + " (" + std::string(reference) +
                                ")");
  if (same_account) throw std::invalid_argument("ledger: from and to are the same account " + from.str());
  if (amount.is_unlimited()) throw std::invalid_argument("ledger: amount 'unlimited' (" + std::string(reference) + ")");
}

void Ledger::move(Slot from, Slot to, Money amount) {
  // New balances first: a MoneyOverflow leaves the ledger as it was, still conserving money.
  const Money from_after = accounts_[from].balance - amount;
  const Money to_after = accounts_[to].balance + amount;
  accounts_[from].balance = from_after;
  accounts_[to].balance = to_after;
  accounts_[from].used = accounts_[to].used = true;
}

void Ledger::post(MoneyEvent e) {
  check(e.amount, e.from == e.to, e.from, e.reference);
  move(slot(e.from), slot(e.to), e.amount);
  if (keep_events_) events_.push_back(std::move(e));
}

void Ledger::post(Date date, Money amount, Slot from, Slot to, Purpose purpose, std::string_view reference) {
  check(amount, from == to, accounts_[from].id, reference);
  move(from, to, amount);
  if (keep_events_)
    events_.push_back(MoneyEvent{date, amount, accounts_[from].id, accounts_[to].id, purpose, std::string(reference)});
}

void Ledger::post_signed(Date date, Money amount, const AccountId& from, const AccountId& to, Purpose purpose,
                         std::string reference) {
  if (amount.is_zero()) return;
  if (amount > Money::zero()) post(MoneyEvent{date, amount, from, to, purpose, std::move(reference)});
  else post(MoneyEvent{date, -amount, to, from, purpose, std::move(reference)});
}

void Ledger::post_signed(Date date, Money amount, Slot from, Slot to, Purpose purpose, std::string_view reference) {
  if (amount.is_zero()) return;
  if (amount > Money::zero()) post(date, amount, from, to, purpose, reference);
  else post(date, -amount, to, from, purpose, reference);
}

Money Ledger::balance(const AccountId& a) const {
  const auto it = index_.find(a);
  return it == index_.end() ? Money::zero() : accounts_[it->second].balance;
}

std::map<AccountId, Money> Ledger::balances() const {
  std::map<AccountId, Money> out;
  for (const auto& a : accounts_)
    if (a.used) out.emplace_hint(out.end(), a.id, a.balance);
  return out;
}

Money Ledger::total() const {
  Wide t = 0;  // balances near the maximum may sum past it before they come back to zero
  for (const auto& a : accounts_) t += a.balance.fen();
  if (t > Money::kMaxFen || t < -Money::kMaxFen) detail::money_out_of_range(t, "Ledger::total");
  return Money::fen(static_cast<std::int64_t>(t));
}

std::map<AccountId, Money> Ledger::replay() const {
  std::map<AccountId, Money> out;
  for (const auto& e : events_) {
    out[e.from] -= e.amount;
    out[e.to] += e.amount;
  }
  return out;
}

}  // namespace yidi
