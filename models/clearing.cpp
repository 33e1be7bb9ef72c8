#include "models/clearing.hpp"

#include <algorithm>
#include <limits>

namespace yidi {
namespace {
using i128 = Wide;

// Calendar helpers: inside the supported dates or a DateRangeError (models/date.hpp); labels never fail.
Date day_of(int month_index, int day) { return Date::day_of_month(month_index, day); }
Date first_day(int month_index) { return Date::first_of_month(month_index); }
Date last_day(int month_index) { return Date::last_of_month(month_index); }
std::string month_label(int month_index) { return Date::month_label(month_index); }

std::int64_t usage_bp(Money outstanding, Money quota) {
  if (quota <= Money::zero()) return outstanding > Money::zero() ? std::numeric_limits<std::int32_t>::max() : 0;
  return static_cast<std::int64_t>(static_cast<i128>(outstanding.fen()) * Ratio::kOne / quota.fen());
}
}  // namespace

std::string_view to_string(Warning w) {
  switch (w) {
    case Warning::none: return "none";
    case Warning::yellow: return "yellow";
    case Warning::red: return "red";
  }
  return "?";
}

ClearingSystem::ClearingSystem(ClearingParams params, int first_month) : params_(params), open_(first_month) {
  if (!Date::month_in_range(first_month))
    throw ClearingError("first month " + month_label(first_month) + " is outside the supported dates, " +
                        std::string(Date::kRangeText));
  if (params_.max_delay_months < 0 || params_.max_delay_months > 2)
    throw ClearingError("max_delay_months must be 0–2: clearing may slip at most 2 months [seed 002]");
  if (params_.yellow_usage > params_.red_usage) throw ClearingError("yellow_usage must not exceed red_usage");
  if (params_.topup_target_usage.bp() <= 0) throw ClearingError("topup_target_usage must be positive");
}

void ClearingSystem::add_fund(RegionCode pool, Scheme scheme, Money opening, Date on) {
  if (opening.is_negative()) throw ClearingError("fund " + pool.str() + ": negative opening balance");
  funds_[{pool, scheme, {}}] = true;
  ledger_.post_signed(on, opening, AccountId::contributions(pool, scheme), AccountId::fund(pool, scheme),
                      Purpose::contribution, "opening balance");
}

bool ClearingSystem::has_fund(RegionCode pool, Scheme scheme) const { return funds_.count({pool, scheme, {}}) != 0; }

void ClearingSystem::set_initial_quota(RegionCode pool, Scheme scheme, RegionCode province, Money q) {
  if (!has_fund(pool, scheme))
    throw ClearingError("initial quota for " + pool.str() + "/" + std::string(to_string(scheme)) +
                        ": no fund account for that region and scheme");
  if (q.is_negative()) throw ClearingError("initial quota must be ≥ 0");
  const PairKey k{pool, scheme, province.province()};
  const Money change = q - quota_[k];
  ledger_.post_signed(first_day(open_), change, AccountId::fund(pool, scheme),
                      AccountId::prepayment(pool, scheme, province), Purpose::prepayment_quota, "initial quota");
  quota_[k] = q;
}

Money ClearingSystem::quota(RegionCode pool, Scheme scheme, RegionCode province) const {
  const auto it = quota_.find({pool, scheme, province.province()});
  return it == quota_.end() ? Money::zero() : it->second;
}

void ClearingSystem::check_fund(const SettlementRecord& r) const {
  const std::string ref = "settlement '" + r.reference + "'";
  if (!has_fund(r.insured_region, r.scheme))
    throw ClearingError(ref + ": no fund account for insured region " + r.insured_region.str() + " (" +
                        std::string(to_string(r.scheme)) + "); expected one of the funds opened with add_fund");
  if (r.treatment_region.value() == 0) throw ClearingError(ref + ": missing treatment region");
  if (r.settled_on.month_index() != open_)
    throw ClearingError(ref + ": dated " + r.settled_on.str() + " but the open month is " + month_label(open_) +
                        "; months must be submitted in order");
  if (r.fund_pay.is_negative() || r.patient_pay.is_negative() || r.coaudit_fund_pay.is_negative())
    throw ClearingError(ref + ": negative amount");
  if (r.coaudit_fund_pay > r.fund_pay) throw ClearingError(ref + ": co-audited part exceeds the fund payment");
  if (r.declaration_delay_months < 0 || r.declaration_delay_months > params_.max_delay_months)
    throw ClearingError(ref + ": declaration delay " + std::to_string(r.declaration_delay_months) +
                        " months; expected 0 to " + std::to_string(params_.max_delay_months) + " [seed 002]");
  if (r.reimburse_on && *r.reimburse_on < r.settled_on)
    throw ClearingError(ref + ": reimbursed before it was settled");
  if (r.visits < 0) throw ClearingError(ref + ": negative visit count");
}

void ClearingSystem::record_expenditure(const PairKey& fund, Money amount) {
  month_expenditure_[PairKey{fund.pool, fund.scheme, {}}] += amount;
}

void ClearingSystem::submit(const SettlementRecord& r) {
  check_fund(r);
  const AccountId fund = AccountId::fund(r.insured_region, r.scheme);
  const AccountId hospitals = AccountId::hospitals(r.treatment_region);
  const AccountId people = AccountId::individuals(r.insured_region);
  const int year = r.settled_on.year();
  ledger_.post_signed(r.settled_on, r.patient_pay, people, hospitals, Purpose::patient_payment, r.reference);

  if (r.path == SettlementPath::manual) {
    if (r.reimburse_on && r.fund_pay > Money::zero())
      manual_[r.reimburse_on->month_index()].push_back(
          Manual{*r.reimburse_on, PairKey{r.insured_region, r.scheme, {}}, r.fund_pay, r.reference});
    return;
  }
  if (r.insured_region == r.treatment_region) {  // local: the fund pays its own hospitals
    ledger_.post_signed(r.settled_on, r.fund_pay, fund, hospitals, Purpose::local_benefit, r.reference);
    record_expenditure({r.insured_region, r.scheme, {}}, r.fund_pay);
    return;
  }
  const int clear_month = open_ + 1 + r.declaration_delay_months;
  if (is_cross_province(r.insured_region, r.treatment_region)) {
    // The treatment side pays its hospital out of the insured fund's prepayment [seed 000, 004].
    const PairKey k{r.insured_region, r.scheme, r.treatment_region.province()};
    ledger_.post_signed(r.settled_on, r.fund_pay,
                        AccountId::prepayment(r.insured_region, r.scheme, r.treatment_region), hospitals,
                        Purpose::direct_settlement, r.reference);
    outstanding_[k] += r.fund_pay;
    flows_[year][k] += r.fund_pay;
    year_settled_[year] += r.fund_pay;
    auto& due = due_cross_[clear_month][{k, year}];
    due.amount += r.fund_pay;
    due.visits += r.visits;
    if (r.coaudit_fund_pay > Money::zero())
      clawbacks_[open_ + 1][{k, r.treatment_region}] += apply_ratio_half_up(r.coaudit_fund_pay, params_.coaudit_clawback_rate);
  } else {
    // Intra-province: the treatment region's agency pays, pre-settled monthly [seed 003].
    const PairKey k{r.insured_region, r.scheme, r.treatment_region};
    ledger_.post_signed(r.settled_on, r.fund_pay, AccountId::agency(r.treatment_region), hospitals,
                        Purpose::direct_settlement, r.reference);
    intra_flows_[year][k] += r.fund_pay;
    auto& due = due_intra_[clear_month][{k, year}];
    due.amount += r.fund_pay;
    due.visits += r.visits;
  }
}

void ClearingSystem::post_contribution(RegionCode pool, Scheme scheme, Date on, Money amount) {
  if (!has_fund(pool, scheme)) throw ClearingError("contribution to " + pool.str() + ": no fund account");
  ledger_.post_signed(on, amount, AccountId::contributions(pool, scheme), AccountId::fund(pool, scheme),
                      Purpose::contribution, "contributions " + month_label(on.month_index()));
  month_income_[{pool, scheme, {}}] += amount;
}

void ClearingSystem::post_local_benefit(RegionCode pool, Scheme scheme, Date on, Money amount) {
  if (!has_fund(pool, scheme)) throw ClearingError("local benefit of " + pool.str() + ": no fund account");
  ledger_.post_signed(on, amount, AccountId::fund(pool, scheme), AccountId::local_care(pool, scheme),
                      Purpose::local_benefit, "local benefits " + month_label(on.month_index()));
  record_expenditure({pool, scheme, {}}, amount);
}

void ClearingSystem::rebase_quotas(Date on, MonthReport& report) {
  // Quota for the new year = multiple × previous year's average monthly direct-settlement fund
  // payments of the pair [seed 000, 002; multiple assumed], rounded half-up to the fen.
  const auto prev = flows_.find(on.year() - 1);
  std::map<PairKey, Money> next;
  if (prev != flows_.end())
    for (const auto& [k, flow] : prev->second) next[k] = scale_half_up(flow, params_.quota_multiple.bp(), 12 * Ratio::kOne);
  for (const auto& [k, q] : quota_)
    if (!next.count(k)) next[k] = Money::zero();  // no flows last year: the quota is returned
  for (const auto& [k, q] : next) {
    const Money change = q - quota_[k];
    ledger_.post_signed(on, change, AccountId::fund(k.pool, k.scheme), AccountId::prepayment(k.pool, k.scheme, k.treatment),
                        Purpose::prepayment_quota, "quota " + std::to_string(on.year()));
    report.quota_rebased += change;
    quota_[k] = q;
  }
}

MonthReport ClearingSystem::close_month() {
  MonthReport rep;
  const int m = open_;
  rep.month_index = m;
  rep.clearing_date = day_of(m, params_.declaration_day);
  rebase_in_january(m, rep);
  pay_due_topups(m, rep);
  clear_declared(m, rep);
  net_positions(rep);
  return_clawbacks(m, rep);
  pay_manual_reimbursements(m, rep);
  close_year(m, rep);
  const std::map<PairKey, Money> pairs = prepayment_positions(m, rep);
  fund_positions(pairs, rep);
  month_income_.clear();
  month_expenditure_.clear();
  ++open_;
  return rep;
}

// 1. January: re-base every pair's quota from last year's flows (the first year keeps its initial quotas).
void ClearingSystem::rebase_in_january(int m, MonthReport& rep) {
  if (m % 12 == 0 && flows_.count(first_day(m).year() - 1)) rebase_quotas(first_day(m), rep);
}

// 2. Emergency top-ups falling due this month.
void ClearingSystem::pay_due_topups(int m, MonthReport& rep) {
  for (auto it = topups_.begin(); it != topups_.end();) {
    if (it->date.month_index() == m) {
      ledger_.post(MoneyEvent{it->date, it->amount, AccountId::fund(it->pair.pool, it->pair.scheme),
                              AccountId::prepayment(it->pair.pool, it->pair.scheme, it->pair.treatment),
                              Purpose::prepayment_topup, "emergency top-up"});
      quota_[it->pair] += it->amount;
      rep.topups_paid += it->amount;
      it = topups_.erase(it);
    } else {
      ++it;
    }
  }
}

// 3. Clearing on the declaration day: full (全额) clearing of what was declared [seed 002, 004].
//    Cross-province: the insured fund restores its prepayment; intra-province: it pre-settles
//    with the treatment region's agency [seed 003].
void ClearingSystem::clear_declared(int m, MonthReport& rep) {
  std::map<PairKey, ClearedAmount> cross, intra;
  auto clear_due = [&](std::map<int, std::map<DueKey, Pending>>& due_by_month, bool is_cross,
                       std::map<PairKey, ClearedAmount>& lines) {
    const auto due = due_by_month.find(m);
    if (due == due_by_month.end()) return;
    for (const auto& [key, p] : due->second) {
      const PairKey& k = key.first;
      const AccountId to = is_cross ? AccountId::prepayment(k.pool, k.scheme, k.treatment) : AccountId::agency(k.treatment);
      ledger_.post_signed(rep.clearing_date, p.amount, AccountId::fund(k.pool, k.scheme), to,
                          is_cross ? Purpose::clearing : Purpose::pre_settlement,
                          std::string(is_cross ? "clearing " : "pre-settlement ") + month_label(m));
      if (is_cross) {
        outstanding_[k] -= p.amount;
        year_cleared_[key.second] += p.amount;
      }
      record_expenditure(k, p.amount);
      auto& line = lines[k];
      line.insured = k.pool;
      line.scheme = k.scheme;
      line.treatment = k.treatment;
      line.amount += p.amount;
      line.visits += p.visits;
    }
    due_by_month.erase(due);
  };
  clear_due(due_cross_, true, cross);
  clear_due(due_intra_, false, intra);
  for (auto& [k, line] : cross) rep.cleared_cross.push_back(line);
  for (auto& [k, line] : intra) rep.cleared_intra.push_back(line);
}

// Net multilateral positions beside the gross pairwise amounts (Σ net = 0).
void ClearingSystem::net_positions(MonthReport& rep) const {
  std::map<RegionCode, NetPosition> net;
  for (const auto& line : rep.cleared_cross) {
    auto& ins = net[line.insured.province()];
    ins.province = line.insured.province();
    ins.payable += line.amount;
    auto& tr = net[line.treatment];
    tr.province = line.treatment;
    tr.receivable += line.amount;
  }
  for (auto& [p, pos] : net) rep.net_positions.push_back(pos);
}

// 4. Co-audit clawbacks answered by the 26th, returned to the insured fund [seed 000, 003, 004].
void ClearingSystem::return_clawbacks(int m, MonthReport& rep) {
  const auto cb = clawbacks_.find(m);
  if (cb == clawbacks_.end()) return;
  const Date on = day_of(m, params_.coaudit_answer_day);
  for (const auto& [key, amount] : cb->second) {
    const auto& [k, hospital_region] = key;
    // The hospital returns the clawed-back amount to the insured fund ("按原渠道返回参保地" [seed 004]).
    ledger_.post_signed(on, amount, AccountId::hospitals(hospital_region), AccountId::fund(k.pool, k.scheme),
                        Purpose::coaudit_clawback, "co-audit " + month_label(m));
    record_expenditure(k, -amount);
    rep.clawbacks += amount;
  }
  clawbacks_.erase(cb);
}

// 5. Manual reimbursements paid by the insured fund this month.
void ClearingSystem::pay_manual_reimbursements(int m, MonthReport& rep) {
  const auto mr = manual_.find(m);
  if (mr == manual_.end()) return;
  for (const auto& x : mr->second) {
    ledger_.post(MoneyEvent{x.date, x.amount, AccountId::fund(x.fund.pool, x.fund.scheme),
                            AccountId::individuals(x.fund.pool), Purpose::manual_reimbursement, x.reference});
    record_expenditure(x.fund, x.amount);
    rep.manual_paid += x.amount;
  }
  manual_.erase(mr);
}

// 6. Year close at the end of Q1: last year's settlements must all be cleared [seed 002];
//    intra-province stays are cleared under the treatment region's DRG/DIP rates [seed 003].
void ClearingSystem::close_year(int m, MonthReport& rep) {
  if (m % 12 + 1 != params_.year_close_month) return;
  const int year = m / 12 - 1;
  if (!year_settled_.count(year) && !intra_flows_.count(year)) return;
  rep.year_close = YearClose{year, year_settled_[year], year_cleared_[year]};
  if (!params_.intra_drg_annual) return;
  for (const auto& [k, flow] : intra_flows_[year]) {
    const Money adj = Rounding::half_up()(flow, params_.drg_ratio) - flow;
    const Date on = last_day(m);
    ledger_.post_signed(on, adj, AccountId::fund(k.pool, k.scheme), AccountId::agency(k.treatment),
                        Purpose::drg_adjustment, "DRG/DIP " + std::to_string(year));
    ledger_.post_signed(on, adj, AccountId::agency(k.treatment), AccountId::hospitals(k.treatment),
                        Purpose::drg_adjustment, "DRG/DIP " + std::to_string(year));
    record_expenditure(k, adj);
    rep.drg_adjustment += adj;
  }
}

// 7. Month-end prepayment positions, per pair and per province; red pairs ask for an emergency
//    top-up after a lag [seed 000, 002]. Returns every pair with a quota or an outstanding amount.
std::map<ClearingSystem::PairKey, Money> ClearingSystem::prepayment_positions(int m, MonthReport& rep) {
  std::map<RegionCode, ProvincePrepayment> prov;
  std::map<PairKey, Money> all_pairs;
  for (const auto& [k, q] : quota_) all_pairs[k];
  for (const auto& [k, o] : outstanding_) all_pairs[k];
  const auto warning_of = [&](std::int64_t bp) {
    if (bp >= params_.red_usage.bp()) return Warning::red;
    if (bp >= params_.yellow_usage.bp()) return Warning::yellow;
    return Warning::none;
  };
  for (const auto& [k, unused] : all_pairs) {
    PrepaymentPosition p;
    p.pool = k.pool;
    p.scheme = k.scheme;
    p.treatment_province = k.treatment;
    p.quota = quota_[k];
    p.outstanding = outstanding_[k];
    if (p.quota.is_zero() && p.outstanding.is_zero()) continue;
    p.usage_bp = usage_bp(p.outstanding, p.quota);
    p.warning = warning_of(p.usage_bp);
    if (p.warning == Warning::red) {
      // Raise the quota so that usage falls to the target: outstanding ÷ target − quota, asked for
      // in whole yuan, rounded up.
      const std::int32_t target = params_.topup_target_usage.bp();
      const Money amount = Rounding::up_to_yuan().quotient(
          static_cast<i128>(p.outstanding.fen()) * Ratio::kOne - static_cast<i128>(p.quota.fen()) * target, target);
      if (amount > Money::zero()) {
        p.topup_requested = amount;
        topups_.push_back(TopUp{last_day(m).plus_days(params_.topup_lag_days), k, p.topup_requested});
      }
    }
    rep.prepayments.push_back(p);
    auto& pp = prov[k.pool.province()];
    pp.province = k.pool.province();
    pp.quota += p.quota;
    pp.outstanding += p.outstanding;
  }
  for (auto& [code, pp] : prov) {
    pp.usage_bp = usage_bp(pp.outstanding, pp.quota);
    pp.warning = warning_of(pp.usage_bp);
    rep.provinces.push_back(pp);
  }
  return all_pairs;
}

// 8. Funds: balance, prepayment held, this month's flows, months payable [seed 003].
void ClearingSystem::fund_positions(const std::map<PairKey, Money>& pairs, MonthReport& rep) {
  for (const auto& [k, exists] : funds_) {
    FundPosition f;
    f.pool = k.pool;
    f.scheme = k.scheme;
    f.balance = ledger_.balance(AccountId::fund(k.pool, k.scheme));
    for (const auto& [pk, unused] : pairs)
      if (pk.pool == k.pool && pk.scheme == k.scheme)
        f.prepayment_held += ledger_.balance(AccountId::prepayment(k.pool, k.scheme, pk.treatment));
    f.income = month_income_[k];
    f.expenditure = month_expenditure_[k];
    auto& history = expenditure_[k];
    history.push_back(f.expenditure);
    if (history.size() > 12) history.erase(history.begin());
    Money total;
    for (Money e : history) total += e;
    const double avg = static_cast<double>(total.fen()) / static_cast<double>(history.size());
    f.months_payable = avg > 0 ? static_cast<double>((f.balance + f.prepayment_held).fen()) / avg
                               : std::numeric_limits<double>::infinity();
    f.below_floor = f.months_payable < params_.months_payable_floor;
    rep.funds.push_back(f);
  }
}

}  // namespace yidi
