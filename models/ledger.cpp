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

void Ledger::post(MoneyEvent e) {
  if (e.amount <= Money::zero())
    throw std::invalid_argument("ledger: amount must be positive, got " + e.amount.str() + " (" + e.reference + ")");
  if (e.from == e.to) throw std::invalid_argument("ledger: from and to are the same account " + e.from.str());
  if (e.amount.is_unlimited()) throw std::invalid_argument("ledger: amount 'unlimited' (" + e.reference + ")");
  // New balances first: a MoneyOverflow leaves the ledger as it was, still conserving money.
  const Money from_after = balance(e.from) - e.amount;
  const Money to_after = balance(e.to) + e.amount;
  const AccountId from = e.from, to = e.to;
  events_.push_back(std::move(e));
  balances_[from] = from_after;
  balances_[to] = to_after;
}

void Ledger::post_signed(Date date, Money amount, const AccountId& from, const AccountId& to, Purpose purpose,
                         std::string reference) {
  if (amount.is_zero()) return;
  if (amount > Money::zero()) post(MoneyEvent{date, amount, from, to, purpose, std::move(reference)});
  else post(MoneyEvent{date, -amount, to, from, purpose, std::move(reference)});
}

Money Ledger::balance(const AccountId& a) const {
  const auto it = balances_.find(a);
  return it == balances_.end() ? Money::zero() : it->second;
}

Money Ledger::total() const {
  Wide t = 0;  // balances near the maximum may sum past it before they come back to zero
  for (const auto& [a, b] : balances_) t += b.fen();
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
