#include "models/clearing.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

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

std::string_view to_string(QuotaLevel l) {
  switch (l) {
    case QuotaLevel::province: return "province";
    case QuotaLevel::pair: return "pair";
  }
  return "?";
}

std::string_view to_string(IntraPreSettlement p) {
  switch (p) {
    case IntraPreSettlement::monthly_fee_for_service: return "monthly_fee_for_service";
  }
  return "?";
}

std::string_view to_string(IntraAnnual a) {
  switch (a) {
    case IntraAnnual::none: return "none";
    case IntraAnnual::drg_dip: return "drg_dip";
  }
  return "?";
}

const IntraRule& IntraProvinceRules::in_force(RegionCode province, Date on) const {
  const auto it = by_province.find(province.province());
  if (it == by_province.end()) return default_rule;
  const IntraRule* rule = &default_rule;
  for (const IntraRule& r : it->second)
    if (r.from <= on) rule = &r;
  return *rule;
}

std::optional<RegionCode> ClearingParams::pooled_fund(RegionCode pool, Date on) const {
  const auto it = province_pooling.find(pool.province());
  if (it == province_pooling.end() || on < it->second) return std::nullopt;
  return pool.province();
}

namespace {
void check_intra_rule(const IntraRule& r, const std::string& what) {
  if (r.annual == IntraAnnual::drg_dip && r.drg_ratio.bp() <= 0)
    throw ClearingError(what + ": drg_ratio must be positive");
  if (r.annual == IntraAnnual::none && r.drg_ratio != Ratio::percent(100))
    throw ClearingError(what + ": drg_ratio " + r.drg_ratio.str() + " without annual DRG/DIP clearing; expected 100%");
}
}  // namespace

ClearingSystem::ClearingSystem(ClearingParams params, int first_month) : params_(params), first_month_(first_month), open_(first_month) {
  check_intra_rule(params_.intra_province.default_rule, "default intra-province rule");
  for (const auto& [province, rules] : params_.intra_province.by_province) {
    if (!province.is_province() || province.value() == 0)
      throw ClearingError("intra-province rules for " + province.str() + ": expected a province code (the first 2 digits, then 0000)");
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const std::string what = "intra-province rule of " + province.str() + " from " + rules[i].from.str();
      check_intra_rule(rules[i], what);
      if (i > 0 && !(rules[i - 1].from < rules[i].from))
        throw ClearingError(what + ": expected dates in increasing order, after " + rules[i - 1].from.str());
    }
  }
  for (const auto& [province, from] : params_.province_pooling) {
    if (!province.is_province() || province.value() == 0)
      throw ClearingError("province-level pooling of " + province.str() +
                          ": expected a province code (the first 2 digits, then 0000)");
    if (from.day() != 1)
      throw ClearingError("province-level pooling of " + province.str() + " from " + from.str() +
                          ": expected the first day of a month (funds are merged when a month opens)");
  }
  for (const auto& [province, from] : params_.declaration_slip)
    if (!province.is_province() || province.value() == 0)
      throw ClearingError("declaration slip of " + province.str() + " from " + from.str() +
                          ": expected a province code (the first 2 digits, then 0000)");
  for (const auto& [province, settings] : params_.quotas) {
    if (params_.quota_level != QuotaLevel::province)
      throw ClearingError("quotas set for " + province.str() + " with quota_level " +
                          std::string(to_string(params_.quota_level)) + "; expected quota_level province");
    if (!province.is_province() || province.value() == 0)
      throw ClearingError("quota of " + province.str() + ": expected a province code (the first 2 digits, then 0000)");
    for (std::size_t i = 0; i < settings.size(); ++i) {
      const std::string what = "quota of " + province.str() + " from " + settings[i].from.str();
      if (settings[i].from.day() != 1) throw ClearingError(what + ": expected the first day of a month");
      if (settings[i].quota.is_negative() || settings[i].quota.is_unlimited())
        throw ClearingError(what + ": expected an amount ≥ 0");
      if (i > 0 && !(settings[i - 1].from < settings[i].from))
        throw ClearingError(what + ": expected dates in increasing order, after " + settings[i - 1].from.str());
    }
  }
  if (!Date::month_in_range(first_month))
    throw ClearingError("first month " + month_label(first_month) + " is outside the supported dates, " +
                        std::string(Date::kRangeText));
  if (params_.max_delay_months < 0 || params_.max_delay_months > 2)
    throw ClearingError("max_delay_months must be 0–2: clearing may slip at most 2 months [seed 002]");
  if (params_.yellow_usage > params_.red_usage) throw ClearingError("yellow_usage must not exceed red_usage");
  if (params_.topup_target_usage.bp() <= 0) throw ClearingError("topup_target_usage must be positive");
}

std::size_t ClearingSystem::PairKeyHash::operator()(const PairKey& k) const noexcept {
  std::uint64_t h = (static_cast<std::uint64_t>(k.pool.value()) << 32) ^ k.treatment.value();
  h ^= static_cast<std::uint64_t>(k.scheme) * 0x9E3779B97F4A7C15ULL;
  h *= 0xBF58476D1CE4E5B9ULL;
  return static_cast<std::size_t>(h ^ (h >> 31));
}

ClearingSystem::Id ClearingSystem::KeyIds::get(const PairKey& k) {
  if (last_ < keys_.size() && keys_[last_] == k) return last_;  // settlements come grouped by pair
  const auto [it, added] = index_.try_emplace(k, static_cast<Id>(keys_.size()));
  if (added) {
    keys_.push_back(k);
    sorted_.push_back(it->second);
    dirty_ = true;
  }
  last_ = it->second;
  return it->second;
}

std::optional<ClearingSystem::Id> ClearingSystem::KeyIds::find(const PairKey& k) const {
  const auto it = index_.find(k);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

const std::vector<ClearingSystem::Id>& ClearingSystem::KeyIds::sorted() const {
  if (dirty_) {
    std::sort(sorted_.begin(), sorted_.end(), [this](Id a, Id b) { return keys_[a] < keys_[b]; });
    dirty_ = false;
  }
  return sorted_;
}

ClearingSystem::Id ClearingSystem::fund_id(RegionCode pool, Scheme scheme) const {
  const auto id = funds_.find({pool, scheme, {}});
  if (!id) throw ClearingError("fund " + pool.str() + "/" + std::string(to_string(scheme)) + ": no fund account");
  return paying(*id);
}

ClearingSystem::Id ClearingSystem::cross_id(const PairKey& k) {
  const std::size_t n = cross_.size();
  const Id id = cross_.get(k);
  if (id == n) {
    CrossState st;
    st.fund = fund_id(k.pool, k.scheme);
    st.prepayment = ledger_.slot(AccountId::prepayment(k.pool, k.scheme, k.treatment));
    cross_state_.push_back(st);
    // A quota set by hand for a province that had no pair yet: the first pair holds it.
    if (const auto u = unplaced_quota_.find(k.pool.province()); u != unplaced_quota_.end()) {
      ledger_.post_signed(first_day(open_), u->second, fund_state_[st.fund].fund, st.prepayment,
                          Purpose::prepayment_quota, "quota set " + k.pool.province().str());
      cross_state_[id].quota = u->second;
      unplaced_quota_.erase(u);
    }
  }
  return id;
}

ClearingSystem::Slot ClearingSystem::cross_hospitals(Id c, RegionCode treatment_region) {
  CrossState& st = cross_state_[c];
  if (st.hospital_region != treatment_region) {
    st.hospital_region = treatment_region;
    st.hospitals = ledger_.slot(AccountId::hospitals(treatment_region));
  }
  return st.hospitals;
}

ClearingSystem::Id ClearingSystem::intra_id(const PairKey& k) {
  const std::size_t n = intra_.size();
  const Id id = intra_.get(k);
  if (id == n) {
    IntraState st{fund_id(k.pool, k.scheme), ledger_.slot(AccountId::agency(k.treatment)),
                  ledger_.slot(AccountId::hospitals(k.treatment)), {}};
    const auto rules = params_.intra_province.by_province.find(k.pool.province());
    if (rules != params_.intra_province.by_province.end()) st.rules = rules->second;
    intra_state_.push_back(std::move(st));
  }
  return id;
}

std::size_t ClearingSystem::intra_rule_index(const IntraState& st, Date on) const {
  std::size_t index = 0;
  for (std::size_t i = 0; i < st.rules.size() && st.rules[i].from <= on; ++i) index = i + 1;
  return index;
}

ClearingSystem::Pending& ClearingSystem::due_entry(DueBucket& bucket, int year, Id id, std::size_t ids) {
  auto& v = bucket[year];
  if (v.size() <= id) v.resize(ids);
  Pending& p = v[id];
  p.due = true;
  return p;
}

ClearingSystem::Id ClearingSystem::open_fund_state(RegionCode pool, Scheme scheme) {
  const Id id = funds_.get({pool, scheme, {}});
  if (id == fund_state_.size()) {
    FundState st;
    st.fund = ledger_.slot(AccountId::fund(pool, scheme));
    st.individuals = ledger_.slot(AccountId::individuals(pool));
    st.local_hospitals = ledger_.slot(AccountId::hospitals(pool));
    fund_state_.push_back(std::move(st));
    merged_into_.push_back(id);
  }
  return id;
}

void ClearingSystem::add_fund(RegionCode pool, Scheme scheme, Money opening, Date on) {
  if (opening.is_negative()) throw ClearingError("fund " + pool.str() + ": negative opening balance");
  const Id id = open_fund_state(pool, scheme);
  // A pool of a province already pooling at province level: its opening balance is the province
  // fund's, and the province fund pays for it from the start.
  if (const auto province = params_.pooled_fund(pool, on); province && *province != pool)
    merged_into_[id] = open_fund_state(*province, scheme);
  ledger_.post_signed(on, opening, ledger_.slot(AccountId::contributions(pool, scheme)), fund_state_[paying(id)].fund,
                      Purpose::contribution, "opening balance");
}

// Province-level pooling from the first of month m: every open fund of the province's pools (in
// key order) moves its balance into the province's fund, which from then pays for the pool: its
// prepayments, pending clearing and reimbursements, and its trailing expenditure counts towards
// the province fund's months payable.
void ClearingSystem::merge_pools(int m) {
  for (const auto& [province, from] : params_.province_pooling) {
    if (from.month_index() != m) continue;
    const std::vector<Id> ids = funds_.sorted();  // a copy: opening the province fund adds a key
    for (const Id id : ids) {
      const PairKey k = funds_.key(id);
      if (k.pool.province() != province || k.pool == province || paying(id) != id) continue;
      const Id into = open_fund_state(province, k.scheme);
      FundState& from_st = fund_state_[id];
      ledger_.post_signed(first_day(m), ledger_.balance(from_st.fund), from_st.fund, fund_state_[into].fund,
                          Purpose::fund_merge, "province-level pooling " + province.str());
      std::vector<Money>& to_history = fund_state_[into].history;  // aligned on the latest month
      const std::vector<Money>& history = fund_state_[id].history;
      if (to_history.size() < history.size()) to_history.insert(to_history.begin(), history.size() - to_history.size(), Money::zero());
      for (std::size_t i = 0; i < history.size(); ++i) to_history[to_history.size() - history.size() + i] += history[i];
      for (auto& st : cross_state_)
        if (st.fund == id) st.fund = into;
      for (auto& st : intra_state_)
        if (st.fund == id) st.fund = into;
      for (auto& [month, v] : manual_)
        for (auto& x : v)
          if (x.fund == id) x.fund = into;
      merged_into_[id] = into;
    }
  }
}

bool ClearingSystem::has_fund(RegionCode pool, Scheme scheme) const { return funds_.find({pool, scheme, {}}).has_value(); }

void ClearingSystem::set_initial_quota(RegionCode pool, Scheme scheme, RegionCode province, Money q) {
  if (!has_fund(pool, scheme))
    throw ClearingError("initial quota for " + pool.str() + "/" + std::string(to_string(scheme)) +
                        ": no fund account for that region and scheme");
  if (q.is_negative()) throw ClearingError("initial quota must be ≥ 0");
  const Id c = cross_id({pool, scheme, province.province()});
  const Money change = q - cross_state_[c].quota;
  ledger_.post_signed(first_day(open_), change, fund_state_[cross_state_[c].fund].fund, cross_state_[c].prepayment,
                      Purpose::prepayment_quota, "initial quota");
  cross_state_[c].quota = q;
}

Money ClearingSystem::quota(RegionCode pool, Scheme scheme, RegionCode province) const {
  const auto c = cross_.find({pool, scheme, province.province()});
  return c ? cross_state_[*c].quota : Money::zero();
}

ClearingSystem::Id ClearingSystem::check_fund(const SettlementRecord& r) const {
  const auto ref = [&r] { return "settlement '" + r.reference + "'"; };  // only when it fails
  const auto fund = funds_.find({r.insured_region, r.scheme, {}});
  if (!fund)
    throw ClearingError(ref() + ": no fund account for insured region " + r.insured_region.str() + " (" +
                        std::string(to_string(r.scheme)) + "); expected one of the funds opened with add_fund");
  if (r.treatment_region.value() == 0) throw ClearingError(ref() + ": missing treatment region");
  if (r.settled_on.month_index() != open_)
    throw ClearingError(ref() + ": dated " + r.settled_on.str() + " but the open month is " + month_label(open_) +
                        "; months must be submitted in order");
  if (r.fund_pay.is_negative() || r.patient_pay.is_negative() || r.coaudit_fund_pay.is_negative())
    throw ClearingError(ref() + ": negative amount");
  if (r.coaudit_fund_pay > r.fund_pay) throw ClearingError(ref() + ": co-audited part exceeds the fund payment");
  if (r.declaration_delay_months < 0 || r.declaration_delay_months > params_.max_delay_months)
    throw ClearingError(ref() + ": declaration delay " + std::to_string(r.declaration_delay_months) +
                        " months; expected 0 to " + std::to_string(params_.max_delay_months) + " [seed 002]");
  if (r.reimburse_on && *r.reimburse_on < r.settled_on)
    throw ClearingError(ref() + ": reimbursed before it was settled");
  if (r.visits < 0) throw ClearingError(ref() + ": negative visit count");
  return *fund;
}

namespace {
Money& slot(std::vector<Money>& v, std::size_t id, std::size_t ids) {
  if (v.size() <= id) v.resize(ids);
  return v[id];
}
}  // namespace

void ClearingSystem::submit(const SettlementRecord& r) {
  const Id own_id = check_fund(r);
  const Id f = paying(own_id);
  const FundState& own = fund_state_[own_id];  // the insured pool's people and hospitals
  const FundState& fs = fund_state_[f];        // the fund that pays: the pool's, or its province's
  const int year = r.settled_on.year();
  // Local: treated in its own pool, or, under province-level pooling, anywhere in the province.
  const auto pooled = params_.pooled_fund(r.insured_region, r.settled_on);
  const bool local = r.insured_region == r.treatment_region || (pooled && *pooled == r.treatment_region.province());
  const bool cross = !local && is_cross_province(r.insured_region, r.treatment_region);
  // The ledger accounts: the treatment region's hospitals through the pair's cached handle.
  Id pair = 0;
  Slot hospitals;
  if (local) {
    hospitals = r.treatment_region == r.insured_region ? own.local_hospitals
                                                        : ledger_.slot(AccountId::hospitals(r.treatment_region));
  } else if (cross) {
    pair = cross_id({r.insured_region, r.scheme, r.treatment_region.province()});
    hospitals = cross_hospitals(pair, r.treatment_region);
  } else {
    pair = intra_id({r.insured_region, r.scheme, r.treatment_region});
    hospitals = intra_state_[pair].hospitals;
  }
  ledger_.post_signed(r.settled_on, r.patient_pay, own.individuals, hospitals, Purpose::patient_payment, r.reference);

  if (r.path == SettlementPath::manual) {
    if (r.reimburse_on && r.fund_pay > Money::zero())
      manual_[r.reimburse_on->month_index()].push_back(Manual{*r.reimburse_on, f, own.individuals, r.fund_pay, r.reference});
    return;
  }
  if (local) {  // the fund pays its own hospitals
    ledger_.post_signed(r.settled_on, r.fund_pay, fs.fund, hospitals, Purpose::local_benefit, r.reference);
    record_expenditure(f, r.fund_pay);
    return;
  }
  int delay = r.declaration_delay_months;
  if (cross && !params_.declaration_slip.empty()) {  // the stress test: the province declares late
    const auto slip = params_.declaration_slip.find(r.insured_region.province());
    if (slip != params_.declaration_slip.end() && slip->second <= r.settled_on) delay = params_.max_delay_months;
  }
  const int clear_month = open_ + 1 + delay;
  if (cross) {
    // The treatment side pays its hospital out of the insured fund's prepayment [seed 000, 004].
    CrossState& st = cross_state_[pair];
    ledger_.post_signed(r.settled_on, r.fund_pay, st.prepayment, hospitals, Purpose::direct_settlement, r.reference);
    st.outstanding += r.fund_pay;
    slot(flows_[year], pair, cross_.size()) += r.fund_pay;
    year_settled_[year] += r.fund_pay;
    auto& due = due_entry(due_cross_[clear_month], year, pair, cross_.size());
    due.amount += r.fund_pay;
    due.visits += r.visits;
    if (r.coaudit_fund_pay > Money::zero())
      clawbacks_[open_ + 1].push_back(
          Clawback{pair, r.treatment_region, apply_ratio_half_up(r.coaudit_fund_pay, params_.coaudit_clawback_rate)});
  } else {
    // Intra-province: the treatment region's agency pays, pre-settled monthly at the
    // fee-for-service amounts under every rule [seed 003 三]; under a DRG/DIP rule the part is
    // also kept for the year's clearing.
    const IntraState& st = intra_state_[pair];
    ledger_.post_signed(r.settled_on, r.fund_pay, st.agency, hospitals, Purpose::direct_settlement, r.reference);
    slot(intra_flows_[year], pair, intra_.size()) += r.fund_pay;
    const std::size_t rule = intra_rule_index(st, r.settled_on);
    switch (intra_rule(st, rule).annual) {
      case IntraAnnual::none: break;
      case IntraAnnual::drg_dip: {
        auto& per_pair = drg_flows_[year];
        if (per_pair.size() <= pair) per_pair.resize(intra_.size());
        slot(per_pair[pair], rule, st.rules.size() + 1) += r.fund_pay;
        break;
      }
    }
    auto& due = due_entry(due_intra_[clear_month], year, pair, intra_.size());
    due.amount += r.fund_pay;
    due.visits += r.visits;
  }
}

void ClearingSystem::post_contribution(RegionCode pool, Scheme scheme, Date on, Money amount) {
  const auto found = funds_.find({pool, scheme, {}});
  if (!found) throw ClearingError("contribution to " + pool.str() + ": no fund account");
  const Id f = paying(*found);
  ledger_.post_signed(on, amount, ledger_.slot(AccountId::contributions(pool, scheme)), fund_state_[f].fund,
                      Purpose::contribution, "contributions " + month_label(on.month_index()));
  fund_state_[f].income += amount;
}

void ClearingSystem::post_local_benefit(RegionCode pool, Scheme scheme, Date on, Money amount) {
  const auto found = funds_.find({pool, scheme, {}});
  if (!found) throw ClearingError("local benefit of " + pool.str() + ": no fund account");
  const Id f = paying(*found);
  ledger_.post_signed(on, amount, fund_state_[f].fund, ledger_.slot(AccountId::local_care(pool, scheme)),
                      Purpose::local_benefit, "local benefits " + month_label(on.month_index()));
  record_expenditure(f, amount);
}

std::vector<std::vector<ClearingSystem::Id>> ClearingSystem::quota_groups() const {
  // Pairs sort by insured pool first, and a province's pools by their codes, so each province's
  // pairs are consecutive in key order.
  std::vector<std::vector<Id>> groups;
  for (const Id c : cross_.sorted()) {
    const RegionCode province = cross_.key(c).pool.province();
    if (groups.empty() || params_.quota_level == QuotaLevel::pair ||
        cross_.key(groups.back().front()).pool.province() != province)
      groups.emplace_back();
    groups.back().push_back(c);
  }
  return groups;
}

void ClearingSystem::set_group_quota(const std::vector<Id>& ids, const std::vector<Money>& weights, Money total,
                                     Date on, const std::string& ref, MonthReport& report) {
  std::vector<Money> parts(ids.size());
  split_in_proportion(total, weights, parts, Rounding::down());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    CrossState& st = cross_state_[ids[i]];
    const Money change = parts[i] - st.quota;
    ledger_.post_signed(on, change, fund_state_[st.fund].fund, st.prepayment, Purpose::prepayment_quota, ref);
    report.quota_rebased += change;
    st.quota = parts[i];
  }
}

void ClearingSystem::rebase_quotas(Date on, MonthReport& report) {
  // Quota for the new year = multiple × previous year's average monthly direct-settlement fund
  // payments of the group (the insured province, or the pair) [seed 000, 002; multiple assumed],
  // rounded half-up to the fen, held by its pairs in proportion to their flows. A pair without
  // flows last year returns its quota.
  const auto prev = flows_.find(on.year() - 1);
  const std::string ref = "quota " + std::to_string(on.year());
  unplaced_quota_.clear();  // a hand-set quota lasts to its year's end
  for (const auto& ids : quota_groups()) {
    std::vector<Money> w(ids.size());
    Money flow;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (prev != flows_.end() && ids[i] < prev->second.size()) w[i] = prev->second[ids[i]];
      flow += w[i];
    }
    set_group_quota(ids, w, scale_half_up(flow, params_.quota_multiple.bp(), 12 * Ratio::kOne), on, ref, report);
  }
}

void ClearingSystem::apply_quota_settings(int m, MonthReport& report) {
  if (params_.quotas.empty()) return;
  const Date on = first_day(m);
  const auto groups = quota_groups();
  const auto prev = flows_.find(on.year() - 1);
  for (const auto& [code, settings] : params_.quotas) {
    const RegionCode province = code;  // a copy: clang 14 refuses a structured binding in a lambda
    for (const QuotaSetting& q : settings) {
      if (q.from.month_index() != m) continue;
      const std::string ref = "quota set " + province.str() + " from " + q.from.str();
      const auto g = std::find_if(groups.begin(), groups.end(),
                                  [&](const auto& ids) { return cross_.key(ids.front()).pool.province() == province; });
      if (g == groups.end()) {  // no pair yet: the province's first pair will hold it
        unplaced_quota_[province] = q.quota;
        continue;
      }
      // Held by its pairs as the rule would hold it: in proportion to last year's flows in a
      // January, else to the quotas they hold, else to what they have outstanding, else equally.
      const auto weights = [&](auto of) {
        std::vector<Money> w(g->size());
        Money sum;
        for (std::size_t i = 0; i < g->size(); ++i) sum += (w[i] = max(of((*g)[i]), Money::zero()));
        return std::pair{w, sum};
      };
      auto [w, sum] = weights([&](Id c) {
        return m % 12 == 0 && prev != flows_.end() && c < prev->second.size() ? prev->second[c] : Money::zero();
      });
      if (sum.is_zero()) std::tie(w, sum) = weights([&](Id c) { return cross_state_[c].quota; });
      if (sum.is_zero()) std::tie(w, sum) = weights([&](Id c) { return cross_state_[c].outstanding; });
      if (sum.is_zero()) std::tie(w, sum) = weights([&](Id) { return Money::fen(1); });
      set_group_quota(*g, w, q.quota, on, ref, report);
    }
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
  prepayment_positions(m, rep);
  fund_positions(rep);
  for (auto& f : fund_state_) f.income = f.expenditure = Money::zero();
  ++open_;
  merge_pools(open_);
  return rep;
}

// 1. January: re-base every quota from last year's flows (a year without flows gives none; a
//    calendar opening in January keeps its initial quotas); then the quotas set by hand from this month.
void ClearingSystem::rebase_in_january(int m, MonthReport& rep) {
  if (m % 12 == 0 && m != first_month_) rebase_quotas(first_day(m), rep);
  apply_quota_settings(m, rep);
}

// 2. Emergency top-ups falling due this month.
void ClearingSystem::pay_due_topups(int m, MonthReport& rep) {
  for (auto it = topups_.begin(); it != topups_.end();) {
    if (it->date.month_index() == m) {
      const CrossState& st = cross_state_[it->pair];
      ledger_.post(it->date, it->amount, fund_state_[st.fund].fund, st.prepayment, Purpose::prepayment_topup,
                   "emergency top-up");
      cross_state_[it->pair].quota += it->amount;
      rep.topups_paid += it->amount;
      it = topups_.erase(it);
    } else {
      ++it;
    }
  }
}

// 3. Clearing on the declaration day: full (全额) clearing of what was declared [seed 002, 004].
//    Cross-province: the insured fund restores its prepayment; intra-province: it pre-settles
//    with the treatment region's agency [seed 003]. Pairs in key order, then settlement years.
void ClearingSystem::clear_declared(int m, MonthReport& rep) {
  auto clear_due = [&](std::map<int, DueBucket>& due_by_month, bool is_cross, const KeyIds& ids,
                       std::vector<ClearedAmount>& lines) {
    const auto due = due_by_month.find(m);
    if (due == due_by_month.end()) return;
    const std::string ref = std::string(is_cross ? "clearing " : "pre-settlement ") + month_label(m);
    for (const Id id : ids.sorted()) {
      bool first = true;
      for (const auto& [year, pending] : due->second) {
        if (id >= pending.size() || !pending[id].due) continue;
        const Pending& p = pending[id];
        const PairKey& k = ids.key(id);
        const Id fund = is_cross ? cross_state_[id].fund : intra_state_[id].fund;
        const Slot to = is_cross ? cross_state_[id].prepayment : intra_state_[id].agency;
        ledger_.post_signed(rep.clearing_date, p.amount, fund_state_[fund].fund, to,
                            is_cross ? Purpose::clearing : Purpose::pre_settlement, ref);
        if (is_cross) {
          cross_state_[id].outstanding -= p.amount;
          year_cleared_[year] += p.amount;
        }
        record_expenditure(fund, p.amount);
        if (first) {
          lines.push_back(ClearedAmount{k.pool, k.scheme, k.treatment, Money::zero(), 0});
          first = false;
        }
        lines.back().amount += p.amount;
        lines.back().visits += p.visits;
      }
    }
    due_by_month.erase(due);
  };
  clear_due(due_cross_, true, cross_, rep.cleared_cross);
  clear_due(due_intra_, false, intra_, rep.cleared_intra);
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

// 4. Co-audit clawbacks answered by the 26th, returned to the insured fund [seed 000, 003, 004];
//    summed per (pair, hospital region) in key order.
void ClearingSystem::return_clawbacks(int m, MonthReport& rep) {
  const auto cb = clawbacks_.find(m);
  if (cb == clawbacks_.end()) return;
  const Date on = day_of(m, params_.coaudit_answer_day);
  const std::string ref = "co-audit " + month_label(m);
  std::vector<Clawback>& v = cb->second;
  const auto same = [](const Clawback& a, const Clawback& b) {
    return a.pair == b.pair && a.hospital_region == b.hospital_region;
  };
  std::stable_sort(v.begin(), v.end(), [this](const Clawback& a, const Clawback& b) {
    if (a.pair != b.pair) return cross_.key(a.pair) < cross_.key(b.pair);
    return a.hospital_region < b.hospital_region;
  });
  for (std::size_t i = 0; i < v.size();) {
    Money amount = v[i].amount;
    std::size_t j = i + 1;
    for (; j < v.size() && same(v[i], v[j]); ++j) amount += v[j].amount;
    // The hospital returns the clawed-back amount to the insured fund ("按原渠道返回参保地" [seed 004]).
    ledger_.post_signed(on, amount, cross_hospitals(v[i].pair, v[i].hospital_region),
                        fund_state_[cross_state_[v[i].pair].fund].fund, Purpose::coaudit_clawback, ref);
    record_expenditure(cross_state_[v[i].pair].fund, -amount);
    rep.clawbacks += amount;
    i = j;
  }
  clawbacks_.erase(cb);
}

// 5. Manual reimbursements paid by the insured fund this month.
void ClearingSystem::pay_manual_reimbursements(int m, MonthReport& rep) {
  const auto mr = manual_.find(m);
  if (mr == manual_.end()) return;
  for (const auto& x : mr->second) {
    ledger_.post(x.date, x.amount, fund_state_[x.fund].fund, x.individuals, Purpose::manual_reimbursement, x.reference);
    record_expenditure(x.fund, x.amount);
    rep.manual_paid += x.amount;
  }
  manual_.erase(mr);
}

// 6. Year close at the end of Q1: last year's settlements must all be cleared [seed 002]; the
//    intra-province flows settled under a DRG/DIP rule are re-priced under the treatment region's
//    DRG/DIP standards [seed 003 三]: per pair and rule, half-up to the fen, the difference moving
//    from the insured fund through the treatment agency to the hospitals (or back).
void ClearingSystem::close_year(int m, MonthReport& rep) {
  if (m % 12 + 1 != params_.year_close_month) return;
  const int year = m / 12 - 1;
  if (!year_settled_.count(year) && !intra_flows_.count(year)) return;
  rep.year_close = YearClose{year, year_settled_[year], year_cleared_[year]};
  const auto drg = drg_flows_.find(year);
  if (drg == drg_flows_.end()) return;
  const std::string ref = "DRG/DIP " + std::to_string(year);
  const Date on = last_day(m);
  for (const Id i : intra_.sorted()) {
    if (i >= drg->second.size()) continue;
    const IntraState& st = intra_state_[i];
    const std::vector<Money>& by_rule = drg->second[i];
    for (std::size_t rule = 0; rule < by_rule.size(); ++rule) {
      const Money flow = by_rule[rule];
      const Money adj = Rounding::half_up()(flow, intra_rule(st, rule).drg_ratio) - flow;
      ledger_.post_signed(on, adj, fund_state_[st.fund].fund, st.agency, Purpose::drg_adjustment, ref);
      ledger_.post_signed(on, adj, st.agency, st.hospitals, Purpose::drg_adjustment, ref);
      record_expenditure(st.fund, adj);
      rep.drg_adjustment += adj;
    }
  }
  drg_flows_.erase(drg);
}

// 7. Month-end prepayment positions, per pair and per insured province (pairs in key order, so a
//    province's pairs are consecutive). Red asks for an emergency top-up paid after a lag [seed
//    000, 002]: at QuotaLevel::province on the province's usage, split over its pairs in
//    proportion to their outstanding amounts; at QuotaLevel::pair on each pair's own.
void ClearingSystem::prepayment_positions(int m, MonthReport& rep) {
  const auto warning_of = [&](std::int64_t bp) {
    if (bp >= params_.red_usage.bp()) return Warning::red;
    if (bp >= params_.yellow_usage.bp()) return Warning::yellow;
    return Warning::none;
  };
  // Raises a quota so that usage falls to the target: outstanding ÷ target − quota, asked for in
  // whole yuan, rounded up (zero when it is already there).
  const auto topup_for = [&](Money outstanding, Money quota) {
    const std::int32_t target = params_.topup_target_usage.bp();
    const Money amount = Rounding::up_to_yuan().quotient(
        static_cast<i128>(outstanding.fen()) * Ratio::kOne - static_cast<i128>(quota.fen()) * target, target);
    return max(amount, Money::zero());
  };
  const auto due = [&] { return last_day(m).plus_days(params_.topup_lag_days); };  // only when one is asked for
  const bool by_pair = params_.quota_level == QuotaLevel::pair;
  rep.prepayments.reserve(cross_.size());
  std::vector<Id> pair_of;             // per position: its pair
  std::vector<std::size_t> first_of;   // per province: its first position
  pair_of.reserve(cross_.size());
  for (const Id c : cross_.sorted()) {
    const PairKey& k = cross_.key(c);
    PrepaymentPosition p;
    p.pool = k.pool;
    p.scheme = k.scheme;
    p.treatment_province = k.treatment;
    p.quota = cross_state_[c].quota;
    p.outstanding = cross_state_[c].outstanding;
    if (p.quota.is_zero() && p.outstanding.is_zero()) continue;
    p.usage_bp = usage_bp(p.outstanding, p.quota);
    p.warning = warning_of(p.usage_bp);
    if (by_pair && p.warning == Warning::red) {
      p.topup_requested = topup_for(p.outstanding, p.quota);
      if (p.topup_requested > Money::zero()) topups_.push_back(TopUp{due(), c, p.topup_requested});
    }
    rep.prepayments.push_back(p);
    pair_of.push_back(c);
    if (rep.provinces.empty() || rep.provinces.back().province != k.pool.province()) {
      rep.provinces.emplace_back();
      rep.provinces.back().province = k.pool.province();
      first_of.push_back(rep.prepayments.size() - 1);
    }
    auto& pp = rep.provinces.back();
    pp.quota += p.quota;
    pp.outstanding += p.outstanding;
    pp.topup_requested += p.topup_requested;
  }
  first_of.push_back(rep.prepayments.size());
  for (std::size_t i = 0; i < rep.provinces.size(); ++i) {
    ProvincePrepayment& pp = rep.provinces[i];
    pp.usage_bp = usage_bp(pp.outstanding, pp.quota);
    pp.warning = warning_of(pp.usage_bp);
    if (by_pair || pp.warning != Warning::red) continue;
    pp.topup_requested = topup_for(pp.outstanding, pp.quota);
    if (pp.topup_requested.is_zero()) continue;
    const std::size_t lo = first_of[i], n = first_of[i + 1] - lo;
    std::vector<Money> weights(n), parts(n);
    for (std::size_t j = 0; j < n; ++j) weights[j] = max(rep.prepayments[lo + j].outstanding, Money::zero());
    split_in_proportion(pp.topup_requested, weights, parts, Rounding::down());
    for (std::size_t j = 0; j < n; ++j) {
      if (parts[j].is_zero()) continue;
      rep.prepayments[lo + j].topup_requested = parts[j];
      topups_.push_back(TopUp{due(), pair_of[lo + j], parts[j]});
    }
  }
}

// 8. Funds: balance, prepayment held, this month's flows, months payable [seed 003].
void ClearingSystem::fund_positions(MonthReport& rep) {
  std::vector<Money> held(funds_.size());  // per fund id: Σ its prepayment balances, pairs in key order
  for (const Id c : cross_.sorted()) held[cross_state_[c].fund] += ledger_.balance(cross_state_[c].prepayment);
  rep.funds.reserve(funds_.size());
  for (const Id id : funds_.sorted()) {
    if (paying(id) != id) continue;  // merged into its province's fund, which reports for it
    const PairKey& k = funds_.key(id);
    FundState& st = fund_state_[id];
    FundPosition f;
    f.pool = k.pool;
    f.scheme = k.scheme;
    f.balance = ledger_.balance(st.fund);
    f.prepayment_held = held[id];
    f.income = st.income;
    f.expenditure = st.expenditure;
    auto& history = st.history;
    history.push_back(f.expenditure);
    if (history.size() > 12) history.erase(history.begin());
    Money total;
    for (Money e : history) total += e;
    const double avg = static_cast<double>(total.fen()) / static_cast<double>(history.size());
    f.average_expenditure = avg;
    f.months_payable = avg > 0 ? static_cast<double>((f.balance + f.prepayment_held).fen()) / avg
                               : std::numeric_limits<double>::infinity();
    f.below_floor = f.months_payable < params_.months_payable_floor;
    rep.funds.push_back(f);
  }
}

}  // namespace yidi
