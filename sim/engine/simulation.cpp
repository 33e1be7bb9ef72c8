#include "sim/engine/simulation.hpp"

#include <tbb/combinable.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>

namespace yidi::sim {
namespace {

Ratio to_ratio(double share) { return Ratio::bp(static_cast<std::int32_t>(std::lround(share * Ratio::kOne))); }
Money yuan_of(double yuan) { return Money::fen(std::llround(yuan * 100.0)); }
Date last_day(int m) { return Date::from_ymd(m / 12, static_cast<unsigned>(m % 12 + 1), 1)->plus_months(1).plus_days(-1); }

/// Full-scale insured persons of a province and scheme, consistent with the sample.
std::int64_t insured(const Layout& l, std::size_t prov, Scheme s) {
  if (s == Scheme::resident) return static_cast<std::int64_t>(l.count[prov][2]) * l.scale;
  return (static_cast<std::int64_t>(l.count[prov][0]) + l.count[prov][1]) * l.scale;
}
}  // namespace

Simulation::Simulation(const Scenario& scenario, const PolicyBook& book, const World& world, const Comm& comm,
                       SimulationOptions options)
    : scenario_(scenario),
      book_(book),
      snapshots_(book),
      world_(world),
      comm_(comm),
      rng_(scenario.seed),
      layout_(make_layout(world, scenario.params, scenario.scale)),
      part_(partition(layout_, comm.rank(), comm.size())),
      mobility_(Mobility::build(world, scenario.params, layout_)),
      agents_(build_agents(world, scenario.params, layout_, mobility_, rng_, true, part_.agent_begin, part_.agent_end)),
      options_(options),
      clearing_(scenario.clearing, scenario.start_month),
      recorders_(std::make_unique<const Recorders>(world)) {
  // A regional lever's series names a province or a pool of this world (else it would act nowhere).
  if (const auto bad = unknown_regional_code(world, scenario.params)) throw std::invalid_argument(bad->first + ": " + bad->second);
  restore(Resume{0, std::move(agents_), {}, Results(run_labels(world))});  // moved, not copied: the population is allocated once
  recorders_->record_start(world_, layout_, results_);
}

std::int32_t Simulation::response_extra_points() const {
  return static_cast<std::int32_t>(std::lround(scenario_.params.response_points * 100));
}

void Simulation::restore(Resume r) {
  if (r.agents.size() != part_.agents())
    throw std::invalid_argument("snapshot of " + std::to_string(r.agents.size()) + " agents, but this rank owns " +
                                std::to_string(part_.agents()));
  agents_ = std::move(r.agents);
  results_ = std::move(r.results);
  results_.set_names(run_labels(world_));  // a checkpoint keeps the codes only
  months_done_ = 0;
  fed_.clear();
  // The clearing system is rebuilt by replaying what it was fed: its state is a pure function of it.
  clearing_ = ClearingSystem(scenario_.clearing, scenario_.start_month);
  clearing_.keep_event_log(options_.ledger_events);
  const SimParams& p = scenario_.params;
  const Date opening = *Date::from_ymd(scenario_.start_month / 12, static_cast<unsigned>(scenario_.start_month % 12 + 1), 1);
  const std::size_t regions = world_.size();
  contribution_.assign(regions, {});
  other_spending_.assign(regions, {});
  // Per person, a pool raises and spends (outside the simulated visits) the national amounts ×
  // its cost index^e, normalised over each scheme's insured so that the national totals stay
  // [assumed; funds.contribution_cost_elasticity]: a dear pool's fund is not drained by its bills.
  std::array<double, 2> norm{0, 0}, weight{0, 0};
  for (std::size_t g = 0; g < regions; ++g)
    for (Scheme s : {Scheme::employee, Scheme::resident}) {
      const double n = static_cast<double>(insured(layout_, g, s));
      norm[index(s)] += n * std::pow(world_.region(g).cost_index, p.contribution_cost_elasticity);
      weight[index(s)] += n;
    }
  for (std::size_t prov = 0; prov < regions; ++prov) {
    const double c = std::pow(world_.region(prov).cost_index, p.contribution_cost_elasticity);
    const auto factor = [&](Scheme s) { return norm[index(s)] > 0 ? c * weight[index(s)] / norm[index(s)] : 1.0; };
    contribution_[prov] = {yuan_of(p.contribution_employee * factor(Scheme::employee)),
                           yuan_of(p.contribution_resident * factor(Scheme::resident))};
    other_spending_[prov] = {yuan_of(p.other_spending_employee * factor(Scheme::employee)),
                             yuan_of(p.other_spending_resident * factor(Scheme::resident))};
    for (Scheme s : {Scheme::employee, Scheme::resident}) {
      const double months = s == Scheme::employee ? p.opening_months_employee : p.opening_months_resident;
      const Money monthly = scale_half_up(contribution_[prov][index(s)], insured(layout_, prov, s), 12);
      clearing_.add_fund(world_.region(prov).code, s, yuan_of(months * static_cast<double>(monthly.fen()) / 100.0), opening);
    }
  }
  response_.assign(regions, 0);
  for (auto& recs : r.fed) {
    update_response(apply_records(recs, scenario_.start_month + months_done_));
    fed_.push_back(std::move(recs));
    ++months_done_;
  }
}

void Simulation::run_month() {
  const int m = current_month();
  MonthContext ctx = MonthContext::make(m, scenario_.params, rng_, mobility_, world_);
  // The policy in force on the settlement date: snapshots built once per change date of the book
  // and shared read-only by all threads; a province under the fund response gets its own copy.
  const NationalRules& national = snapshots_.national(ctx.settle_date);
  ctx.coaudit_threshold = national.coaudit_threshold.value;
  const std::int32_t extra = response_extra_points();
  std::vector<InsuredPolicy> responding;
  responding.reserve(world_.size());  // stable addresses for ctx.policy
  for (std::size_t i = 0; i < world_.size(); ++i) {
    const RegionCode code = world_.region(i).code;
    ctx.policy[i] = &snapshots_.insured(code, ctx.settle_date);
    ctx.catalogue[i] = &snapshots_.catalogue(code, ctx.settle_date);
    ctx.province_pooled[i] = scenario_.clearing.pooled_fund(code, ctx.settle_date) ? 1 : 0;
    // The fund policy response [seed 003 二]: a province below the floor deepens its temporary and
    // unfiled reductions (points only; capped at the national ceiling).
    if (extra <= 0 || response_[i] == 0) continue;
    InsuredPolicy& policy = responding.emplace_back(*ctx.policy[i]);
    for (auto* table : {&policy.reduction, &policy.reduction_intra}) {  // cross- and intra-province
      for (auto& by_category : *table)
        for (FilingCategory c : {FilingCategory::referral, FilingCategory::emergency, FilingCategory::other_temporary,
                                 FilingCategory::unfiled}) {
          Reduction& r = by_category[index(c)].value;
          if (r.kind == Reduction::Kind::multiplier) continue;
          r.kind = Reduction::Kind::points;
          r.points.bp = std::min(r.points.bp + extra, national.reduction_ceiling[index(c)].value.bp);
        }
    }
    ctx.policy[i] = &policy;
  }
  ctx.set_free_zones();

  // Steps 1–3 for every agent, block by block; integer totals, so any split gives the same sums.
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint32_t n = static_cast<std::uint32_t>(agents_.size());
  const std::size_t regions = world_.size();
  tbb::combinable<MonthTotals> partial([regions] { return MonthTotals(regions); });
  tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, (n + kBlock - 1) / kBlock),
                    [&](const tbb::blocked_range<std::uint32_t>& blocks) {
                      MonthTotals& t = partial.local();
                      for (std::uint32_t b = blocks.begin(); b != blocks.end(); ++b) {
                        const std::uint32_t end = std::min(n, (b + 1) * kBlock);
                        step_range(agents_.data() + (b * kBlock), part_.agent_begin + b * kBlock, end - b * kBlock,
                                   layout_, ctx, t);
                      }
                    });
  MonthTotals total(regions);
  partial.combine_each([&](const MonthTotals& t) { total.add(t); });
  stepping_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sum_over_ranks(comm_, total);  // every rank now holds the whole population's totals

  // Step 4–5: ledger postings and month end.
  results_.begin_month(m);
  feed_clearing(total, ctx);
  ++months_done_;
}

void Simulation::feed_clearing(const MonthTotals& t, const MonthContext& ctx) {
  const std::int64_t k = layout_.scale;
  const SimParams& p = scenario_.params;
  const Ratio late1 = to_ratio(p.late_one_month), late2 = to_ratio(p.late_two_months);
  std::vector<SettlementRecord> recs;
  // Off-site visits, aggregated over groups of a scheme and visit types: the cells reached, summed per (insured region, scheme, treatment region, path) in that
  // order (the order of the records: the dense loops over all four skipped the empty ones).
  const std::size_t regions = world_.size();
  std::map<std::uint64_t, Flow> by_pair;
  auto pair_key = [&](std::size_t h, std::size_t s, std::size_t tr, std::size_t path) -> std::uint64_t {
    return ((h * 2 + s) * regions + tr) * kPaths + path;
  };
  constexpr Scheme kSchemeOrder[2] = {Scheme::employee, Scheme::resident};
  const auto offsite = t.offsite.sorted();  // once a month: the records and the recorders read it
  for (const auto& [key, flow] : offsite) {
    const auto [h, g, tr, v, path] = t.offsite_cell(key);
    (void)v;
    const std::size_t s = scheme_of(static_cast<InsuredGroup>(g)) == kSchemeOrder[0] ? 0 : 1;
    by_pair[pair_key(h, s, tr, path)].add(flow);
  }
  for (std::size_t h = 0; h < regions; ++h) {
    const InsuredPolicy& pol = *ctx.policy[h];
    const std::uint64_t next_h = pair_key(h + 1, 0, 0, 0);
    for (auto it = by_pair.lower_bound(pair_key(h, 0, 0, 0)); it != by_pair.end() && it->first < next_h; ++it) {
      std::uint64_t rest = it->first;
      const std::size_t path = rest % kPaths;
      rest /= kPaths;
      const std::size_t tr = rest % regions;
      const Scheme s = kSchemeOrder[(rest / regions) % 2];
      const Flow& f = it->second;
      if (f.visits == 0) continue;
      SettlementRecord r;
      r.insured_region = world_.region(h).code;
      r.scheme = s;
      r.treatment_region = world_.region(tr).code;
      r.settled_on = ctx.settle_date;
      r.path = path == 0 ? SettlementPath::direct : SettlementPath::manual;
      r.visits = f.visits * k;
      r.fund_pay = Money::fen(f.fund * k);
      r.coaudit_fund_pay = Money::fen(f.coaudit_fund * k);
      const Money medfee = Money::fen(f.medfee * k);
      r.reference = std::string(to_string(r.path)) + " " + r.insured_region.str() + "/" + std::string(to_string(s)) + "@" +
                    r.treatment_region.str();
      if (r.path == SettlementPath::direct) {
        r.patient_pay = medfee - r.fund_pay;
        // Declared on time, a month late or two months late [seed 002; shares assumed].
        SettlementRecord parts[3] = {r, r, r};
        const Ratio shares[3] = {Ratio::zero(), late1, late2};
        for (int d = 1; d < 3; ++d) {
          parts[d].declaration_delay_months = d;
          parts[d].fund_pay = apply_ratio_half_up(r.fund_pay, shares[d]);
          parts[d].patient_pay = apply_ratio_half_up(r.patient_pay, shares[d]);
          parts[d].coaudit_fund_pay = min(parts[d].fund_pay, apply_ratio_half_up(r.coaudit_fund_pay, shares[d]));
          parts[d].visits = scale_half_up(Money::fen(r.visits), shares[d].bp(), Ratio::kOne).fen();
          parts[0].fund_pay -= parts[d].fund_pay;
          parts[0].patient_pay -= parts[d].patient_pay;
          parts[0].coaudit_fund_pay -= parts[d].coaudit_fund_pay;
          parts[0].visits -= parts[d].visits;
        }
        parts[0].coaudit_fund_pay = min(parts[0].coaudit_fund_pay, parts[0].fund_pay);
        for (auto& x : parts)
          if (x.visits > 0 || !x.fund_pay.is_zero()) recs.push_back(x);
      } else {
        // The patient paid in full; a share of them claim, reimbursed months later [policy manual.*].
        r.patient_pay = medfee;
        SettlementRecord claimed = r, unclaimed = r;
        claimed.fund_pay = apply_ratio_half_up(r.fund_pay, pol.manual.claim_share.value);
        claimed.patient_pay = apply_ratio_half_up(medfee, pol.manual.claim_share.value);
        claimed.visits = scale_half_up(Money::fen(r.visits), pol.manual.claim_share.value.bp(), Ratio::kOne).fen();
        claimed.coaudit_fund_pay = Money::zero();
        claimed.reimburse_on = ctx.settle_date.plus_months(static_cast<int>(pol.manual.lag_months.value));
        unclaimed.fund_pay = r.fund_pay - claimed.fund_pay;
        unclaimed.patient_pay = medfee - claimed.patient_pay;
        unclaimed.visits = r.visits - claimed.visits;
        unclaimed.coaudit_fund_pay = Money::zero();
        recs.push_back(claimed);
        recs.push_back(unclaimed);
      }
    }
    // Local stays settled visit by visit: the fund pays its own hospitals.
    for (Scheme s : {Scheme::employee, Scheme::resident}) {
      Flow f;
      for (std::size_t g = 0; g < kGroups; ++g)
        if (scheme_of(static_cast<InsuredGroup>(g)) == s)
          for (std::size_t v = 0; v < kVisitTypes; ++v) f.add(t.local[MonthTotals::local_index(h, g, v)]);
      if (f.visits == 0) continue;
      SettlementRecord r;
      r.reference = "local " + world_.region(h).code.str() + "/" + std::string(to_string(s));
      r.insured_region = r.treatment_region = world_.region(h).code;
      r.scheme = s;
      r.settled_on = ctx.settle_date;
      r.visits = f.visits * k;
      r.fund_pay = Money::fen(f.fund * k);
      r.patient_pay = Money::fen((f.medfee - f.fund) * k);
      recs.push_back(r);
    }
  }
  const MonthReport rep = apply_records(recs, ctx.month);
  std::vector<std::int32_t> claim_share(regions);
  for (std::size_t h = 0; h < regions; ++h) claim_share[h] = ctx.policy[h]->manual.claim_share.value.bp();
  record(t, offsite, rep, claim_share);
  update_response(rep);
  fed_.push_back(std::move(recs));
}

MonthReport Simulation::apply_records(const std::vector<SettlementRecord>& recs, int m) {
  const SimParams& p = scenario_.params;
  if (m != scenario_.start_month && m % 12 == 0) {  // a new year: contributions per person grow
    const auto g = static_cast<std::int64_t>(std::llround(p.contribution_growth * Ratio::kOne));
    for (auto& prov : contribution_)
      for (Money& x : prov) x += scale_half_up(x, g, Ratio::kOne);
  }
  // Other spending follows the care the visits follow: its 2023-level amount × the month's use ×
  // prices (care.volume_index × care.cost_index), as a ratio to 10⁻⁴.
  const auto spending = static_cast<std::int64_t>(std::llround(care_spending_at(p, m) * Ratio::kOne));
  if (m == scenario_.start_month) {
    // No previous year to base the first quotas on: bootstrap from the first month's flows, as if
    // it were last year's average month (documented in sim/README.md).
    std::map<std::tuple<RegionCode, Scheme, RegionCode>, Money> flows;
    for (const auto& r : recs)
      if (r.path == SettlementPath::direct && is_cross_province(r.insured_region, r.treatment_region))
        flows[{r.insured_region, r.scheme, r.treatment_region.province()}] += r.fund_pay;
    for (const auto& [key, flow] : flows)
      clearing_.set_initial_quota(std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                  scale_half_up(flow, scenario_.clearing.quota_multiple.bp(), Ratio::kOne));
  }
  for (const auto& r : recs) clearing_.submit(r);
  const Date end = last_day(m);
  for (std::size_t prov = 0; prov < world_.size(); ++prov) {
    for (Scheme s : {Scheme::employee, Scheme::resident}) {
      const auto n = insured(layout_, prov, s);
      clearing_.post_contribution(world_.region(prov).code, s, end, scale_half_up(contribution_[prov][index(s)], n, 12));
      const Money yearly = scale_half_up(other_spending_[prov][index(s)], spending, Ratio::kOne);
      clearing_.post_local_benefit(world_.region(prov).code, s, end, scale_half_up(yearly, n, 12));
    }
  }
  return clearing_.close_month();
}

std::uint64_t memory_available() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  std::uint64_t kb = 0;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::optional<std::string> population_memory_shortfall(std::uint64_t agents, std::int64_t scale,
                                                        std::uint64_t available) {
  // The agents, allocated once, plus a working margin for totals, snapshots and results.
  const std::uint64_t need = agents * sizeof(Agent) + (256ull << 20);
  if (available == 0 || need <= available) return std::nullopt;
  const double persons = static_cast<double>(agents) * static_cast<double>(scale);
  const double room = static_cast<double>(available > (256ull << 20) ? available - (256ull << 20) : 1);
  const auto min_scale = static_cast<long long>(std::ceil(persons * sizeof(Agent) / room));
  char msg[320];
  std::snprintf(msg, sizeof msg,
                "a population of %llu agents (1:%lld) needs %.1f GiB of memory but %.1f GiB are available; expected "
                "a sampling ratio of at least 1:%lld",
                static_cast<unsigned long long>(agents), static_cast<long long>(scale),
                static_cast<double>(need) / (1u << 30), static_cast<double>(available) / (1u << 30), min_scale);
  return std::string(msg);
}

void Simulation::update_response(const MonthReport& rep) {
  response_.assign(world_.size(), 0);
  for (const auto& f : rep.funds)
    if (f.below_floor) {
      // The pool's own region, or, for a pool the world does not hold as a region, every region
      // of the pool's province.
      if (const auto i = world_.find(f.pool)) {
        response_[*i] = 1;
      } else {
        for (std::size_t r = 0; r < world_.size(); ++r)
          if (world_.region(r).code.province() == f.pool.province()) response_[r] = 1;
      }
    }
}

void Simulation::record(const MonthTotals& t, const std::vector<std::pair<std::uint64_t, Flow>>& offsite,
                        const MonthReport& rep, std::span<const std::int32_t> claim_share_bp) {
  // Called before update_response: response_ is still what was in force this month.
  std::vector<std::uint8_t> active(world_.size(), 0);
  const bool responding = response_extra_points() > 0;
  for (std::size_t i = 0; i < active.size(); ++i) active[i] = responding && response_[i] != 0 ? 1 : 0;
  // The cost model's spread per visit type (lognormal shapes; every outpatient type shares one).
  const auto cv2 = [](double sigma) { return std::expm1(sigma * sigma); };
  const double in_cv2 = cv2(scenario_.params.inpatient_cost_sigma), out_cv2 = cv2(scenario_.params.outpatient_cost_sigma);
  recorders_->record(MonthInput{world_, t, rep, offsite, layout_.scale, active, claim_share_bp,
                                {in_cv2, out_cv2, out_cv2, out_cv2}},
                     results_);
}

}  // namespace yidi::sim
