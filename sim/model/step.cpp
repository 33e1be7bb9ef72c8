#include "sim/model/step.hpp"

#include <boost/random/lognormal_distribution.hpp>

#include <immintrin.h>

#include <cmath>
#include <cstring>

namespace yidi::sim {
namespace {

Ratio to_ratio(double share) { return Ratio::bp(static_cast<std::int32_t>(std::lround(share * Ratio::kOne))); }

/// Poisson count from one uniform by inverse CDF, given p0 = exp(−λ) (λ is small: the loop rarely runs).
unsigned poisson_from_uniform(double lambda, double p0, double u) {
  if (u <= p0) return 0;
  double p = p0, cdf = p0;
  unsigned k = 0;
  while (u > cdf && k < 30) {
    ++k;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/// A bill in yuan rounded to the fen (the named rounding step of the care model).
Money bill_of(double yuan) { return Money::fen(std::llround(yuan * 100.0)); }

enum class Where : std::uint8_t { home, long_term, trip, referral };

struct VisitEvent {
  VisitType type = VisitType::inpatient;
  std::size_t treatment = 0;  // region index
  Where where = Where::home;
  bool emergency = false;
  Money bill;
  HospitalLevel level = HospitalLevel::level3;
};

/// Who an agent is beyond its state: global person number, home region and group (the cell).
struct Who {
  std::uint32_t person;
  std::size_t home;
  InsuredGroup group;
  /// This month: has the person filed as long-term off-site (−1: not looked up yet)? The latent
  /// propensity draw is made once a month, and only for a visit that needs it.
  std::int8_t long_term_filed = -1;
};

void settle(Agent& a, Who& who, const VisitEvent& ev, std::uint32_t k, const MonthContext& ctx,
            MonthTotals& totals) {
  const SimParams& p = *ctx.params;
  const std::uint32_t person = who.person;
  const std::size_t home = who.home;
  const InsuredPolicy& pol = *ctx.policy[home];
  const InsuredGroup group = who.group;
  const bool offsite = ctx.offsite(home, ev.treatment);
  const bool cross = offsite && !ctx.world->same_province(home, ev.treatment);

  // Channel (§2, §4): the facts drawn here, the rules applied by models/filing (resolve_filing,
  // decide_path), as for `yidi settle`.
  PathDecision d = kLocalSettlement;
  FilingCategory category = FilingCategory::unfiled;
  if (offsite) {
    const auto m = static_cast<std::uint32_t>(ctx.month);
    const auto w = ctx.rng->words(person, m, Purpose::channel, k);
    const bool inpatient = ev.type == VisitType::inpatient;
    FilingFacts facts;
    facts.visit_type = ev.type;
    facts.emergency = ev.emergency;
    facts.free_zone = ctx.in_free_zone(home, ev.treatment);
    // The filing the person holds: made before admission, for the treatment region (so it
    // covers it, and none is cancelled, revoked or expired in the model).
    HeldFiling& held = facts.filing;
    FilingCategory applied_for = FilingCategory::unfiled;  // what the person would file as
    bool filed = false;
    switch (ev.where) {
      case Where::long_term:
        applied_for = long_term_category(group);
        if (who.long_term_filed < 0)
          who.long_term_filed =
              Rng::to_unit(ctx.rng->words(person, 0, Purpose::latent)[0]) < ctx.long_term_filing_of[home][index(group)];
        filed = who.long_term_filed != 0;
        break;
      case Where::referral:
        applied_for = FilingCategory::referral;
        held.referral_certified = Rng::to_unit(w[3]) < p.referral_certificate;
        filed = held.referral_certified;  // without the certificate, no referral filing before admission
        break;
      case Where::trip:
        // An emergency is deemed filed [seed 003]: no trip filing is looked up for it.
        applied_for = FilingCategory::other_temporary;
        filed = !ev.emergency && Rng::to_unit(ctx.rng->words(person, m, Purpose::trip, 1)[0]) < ctx.trip_filing_of[home];
        break;
      case Where::home: break;
    }
    if (filed) held.category = applied_for;
    FilingStatus fs = resolve_filing(facts, pol.filing);
    // An inpatient whose stay would not settle directly may file before discharge (levers
    // retroactive_filing); the region's rules decide whether that counts, and in which category.
    if (!fs.valid && inpatient && applied_for != FilingCategory::unfiled &&
        Rng::to_unit(ctx.rng->words(person, m, Purpose::channel, k | 0x80000000u)[0]) < ctx.retroactive_of[home]) {
      held.category = applied_for;
      held.filed = FiledWhen::by_discharge;
      fs = resolve_filing(facts, pol.filing);
    }
    category = fs.category;
    const double networked = inpatient ? ctx.networked_inpatient[ev.treatment] : ctx.networked_outpatient[ev.treatment];
    d = decide_path(Rng::to_unit(w[0]) < networked, fs, Rng::to_unit(w[1]) < ctx.credential,
                    Rng::to_unit(w[2]) < ctx.failure);
  }
  const SettlementPath path = d.path;
  const PathReason reason = d.reason;

  // Step A: the treatment region's catalogue splits the bill.
  const Money c = apply_ratio_half_up(ev.bill, ctx.class_c);
  const Money over = apply_ratio_half_up(ev.bill, ctx.over_cap);
  const Money b = apply_ratio_half_up(ev.bill, ctx.class_b);
  const Money a_amt = ev.bill - b - c - over;
  const CatalogueSplit s = SettlementEngine::split_classes(
      a_amt, b, c, over, ctx.catalogue[ev.treatment]->selfpay_prop_b[index(ev.type)].value);

  // Step B: the insured region's policy, with the person's year-to-date accumulators.
  PolicyInput in;
  in.group = group;
  in.visit_type = ev.type;
  in.level = ev.level;
  in.eligible = s.inscp_scp_amt;
  in.offsite = offsite;
  in.cross_province = cross;
  in.path = path;
  in.category = category;
  in.assistance_eligible = a.assistance();
  in.ytd.admissions = static_cast<std::int32_t>(a.admissions());
  const bool inpatient_pool = pol.rule(group, ev.type).cap_pool.value == CapPool::inpatient;
  if (inpatient_pool) in.ytd.pooled_paid[index(CapPool::inpatient)] = Money::fen(a.ytd_pooled);
  in.ytd.annual_deductible_met = Money::yuan(a.op_deductible);
  in.ytd.layer_base = Money::fen(a.ytd_layer);
  const PolicyResult r = SettlementEngine::apply_policy(in, pol);

  // Write the accumulators back (saturating; see agent.hpp).
  auto sat32 = [](Money m) { return static_cast<std::uint32_t>(std::min<std::int64_t>(m.fen(), 0xFFFFFFFFll)); };
  a.set_admissions(static_cast<unsigned>(r.ytd_after.admissions));
  if (inpatient_pool) a.ytd_pooled = sat32(r.ytd_after.pooled_paid[index(CapPool::inpatient)]);
  a.ytd_layer = sat32(r.ytd_after.layer_base);
  a.op_deductible = static_cast<std::uint16_t>(std::min<std::int64_t>(r.ytd_after.annual_deductible_met.fen() / 100, 65535));

  Flow f;
  f.visits = 1;
  f.medfee = ev.bill.fen();
  f.fund = r.fund().fen();
  f.hifp = r.hifp.fen();
  f.layer = r.layer.fen();
  f.maf = r.maf.fen();
  // Co-audit is for cross-province bills only (national.coaudit_threshold).
  if (sent_to_coaudit(cross, ev.type, ev.bill, ctx.coaudit_threshold)) f.coaudit_fund = f.fund;
  const std::size_t g = index(group), v = index(ev.type);
  if (offsite) {
    totals.offsite.at(totals.offsite_index(home, g, ev.treatment, v, index(path))).add(f);
    if (ev.type == VisitType::inpatient && path == SettlementPath::manual)
      ++totals.inpatient_reasons[(home * 2 + (cross ? 0 : 1)) * kReasons + static_cast<std::size_t>(reason)];
  } else {
    totals.local[MonthTotals::local_index(home, g, v)].add(f);
  }
}

/// Monthly rates of general outpatient visits, chronic visits and pharmacy purchases for a person
/// off-site for `share` of the month; returns their sum. Computed once a month (MonthContext::make),
/// so the screen's thresholds and the full step use the same values.
double outpatient_rates(const SimParams& p, double share, bool chronic, double rates[3]) {
  rates[0] = p.outpatient_per_month_away * share;
  rates[1] = chronic ? p.chronic_per_month * share : 0.0;
  rates[2] = p.pharmacy_per_month_away * share;
  return rates[0] + rates[1] + rates[2];
}

HospitalLevel level_of(double u, const SimParams& p) {
  if (u < p.level1_share) return HospitalLevel::level1;
  if (u < p.level1_share + p.level2_share) return HospitalLevel::level2;
  return HospitalLevel::level3;
}

}  // namespace

MonthContext MonthContext::make(int month, const SimParams& p, const Rng& rng, const Mobility& mob, const World& world) {
  MonthContext c;
  c.month = month;
  c.settle_date = *Date::from_ymd(month / 12, static_cast<unsigned>(month % 12 + 1), 15);
  c.params = &p;
  c.rng = &rng;
  c.mobility = &mob;
  c.world = &world;
  c.new_year = month % 12 == 0;
  const std::size_t n = world.size();
  c.regions = n;
  c.policy.assign(n, nullptr);
  c.catalogue.assign(n, nullptr);
  c.networked_inpatient.assign(n, 0.0);
  c.networked_outpatient.assign(n, 0.0);
  c.cells.resize(n);
  c.free_zone.assign(n * n, 0);
  c.province_pooled.assign(n, 0);
  for (std::size_t t = 0; t < n; ++t) {
    // A region's own series, else its province's, else the national one.
    const std::uint32_t code = world.region(t).code.value(), prov = world.region(t).code.province().value();
    c.networked_inpatient[t] = regional_series(p, "levers.networked_inpatient", p.networked_inpatient, code, prov).at(month);
    c.networked_outpatient[t] = regional_series(p, "levers.networked_outpatient", p.networked_outpatient, code, prov).at(month);
  }
  const double level_norm = p.level1_share * p.level1_cost + p.level2_share * p.level2_cost +
                            (1 - p.level1_share - p.level2_share) * p.level3_cost;
  c.level_cost = {p.level1_cost / level_norm, p.level2_cost / level_norm, p.level3_cost / level_norm};
  c.long_term_filing = p.long_term_filing.at(month);
  c.trip_filing = p.trip_filing.at(month);
  c.retroactive = p.retroactive_filing.at(month);
  c.credential = p.credential.at(month);
  c.failure = p.settlement_failure.at(month);
  // Care over time: the month's use and prices relative to the 2023 levels the rates and costs state.
  c.volume = care_volume_at(p, month);
  c.cost = care_cost_at(p, month);
  c.travel = p.travel.at(month);
  c.referral_share = p.referral_share * c.travel;
  c.trip_rate.resize(n);
  for (std::size_t pr = 0; pr < n; ++pr) c.trip_rate[pr] = std::min(1.0, mob.trip_rate[pr] * c.travel);
  // Residents' age factors are normalised so that their mean rate stays the configured one.
  const double adult_share = 1 - p.resident_child_share - p.resident_senior_share;
  const double norm = p.resident_child_share * p.child_rate_factor + adult_share + p.resident_senior_share * p.senior_rate_factor;
  const double res = c.volume * p.inpatient_rate_resident / 12 / norm;
  const double in_service = c.volume * p.inpatient_rate_in_service / 12, retired = c.volume * p.inpatient_rate_retired / 12;
  c.stay_rate[index(InsuredGroup::employee_in_service)] = {in_service, in_service, in_service};
  c.stay_rate[index(InsuredGroup::employee_retired)] = {retired, retired, retired};
  c.stay_rate[index(InsuredGroup::resident)] = {res * p.child_rate_factor, res, res * p.senior_rate_factor};
  for (std::size_t g = 0; g < kGroups; ++g)
    for (std::size_t a = 0; a < 3; ++a) c.no_stay[g][a] = std::exp(-c.stay_rate[g][a]);
  const double s2 = p.inpatient_cost_sigma * p.inpatient_cost_sigma / 2;
  const double log_cost = std::log(c.cost);
  c.log_mean_inpatient = {std::log(p.inpatient_cost_employee) + log_cost - s2, std::log(p.inpatient_cost_resident) + log_cost - s2};
  const double o2 = p.outpatient_cost_sigma * p.outpatient_cost_sigma / 2;
  c.log_mean_outpatient = {std::log(p.outpatient_cost) + log_cost - o2, std::log(p.chronic_cost) + log_cost - o2,
                           std::log(p.pharmacy_cost) + log_cost - o2};
  // The month as integer thresholds on the words, and the screen derived from them, by cell.
  const std::uint64_t return_below = unit_below(p.return_per_month);
  std::array<std::array<std::uint64_t, 3>, kGroups> no_stay_below{};
  for (std::size_t g = 0; g < kGroups; ++g)
    for (std::size_t a = 0; a < 3; ++a) no_stay_below[g][a] = unit_at_most(c.no_stay[g][a]);
  // Off-site outpatient care: the rates the full step uses, and no visit as thresholds on w3.
  std::array<std::uint64_t, 2> no_op_below{}, no_op_trip_below{};
  for (int trip = 0; trip < 2; ++trip)
    for (int chronic = 0; chronic < 2; ++chronic) {
      MonthContext::OutpatientRates& op = c.outpatient[static_cast<std::size_t>(trip)][static_cast<std::size_t>(chronic)];
      op.total = outpatient_rates(p, c.volume * (trip != 0 ? p.trip_days / 30.0 : 1.0), chronic != 0, op.rates.data());
      op.none = std::exp(-op.total);
      (trip != 0 ? no_op_trip_below : no_op_below)[static_cast<std::size_t>(chronic)] = unit_at_most(op.none);
    }
  for (std::size_t pr = 0; pr < n; ++pr)
    for (std::size_t g = 0; g < kGroups; ++g) {
      CellThresholds& t = c.cells[pr][g];
      t.home = static_cast<std::uint16_t>(pr);
      t.move_below = unit_below(mob.move_hazard[pr][g]);
      t.return_below = return_below;
      t.trip_below = unit_below(c.trip_rate[pr]);
      t.no_stay_below = {no_stay_below[g][0], no_stay_below[g][1], no_stay_below[g][2], no_stay_below[g][2]};
      t.no_op_below = no_op_below;
      t.no_op_trip_below = no_op_trip_below;
      t.derive_screen();
    }
  c.class_b = to_ratio(p.class_b_share);
  c.class_c = to_ratio(p.class_c_share);
  c.over_cap = to_ratio(p.over_cap_share);
  return c;
}

namespace {
constexpr std::uint64_t kWords = std::uint64_t{1} << 32;  // 2^32: the number of 32-bit words
/// A probability as a threshold on a word (w < cut happens with probability p), clamped to [0, 2^32].
std::uint64_t cut_of(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return kWords;
  return std::min<std::uint64_t>(kWords, static_cast<std::uint64_t>(std::llround(std::ldexp(p, 32))));
}
double share_of(std::uint64_t words) { return std::ldexp(static_cast<double>(words), -32); }
/// r uniform on [0, n) mapped onto [a, b) (a < b; n ≥ 1): a + ⌊r (b − a) / n⌋.
std::uint32_t onto(std::uint64_t r, std::uint64_t n, std::uint64_t a, std::uint64_t b) {
  if (b <= a) return static_cast<std::uint32_t>(a < kWords ? a : kWords - 1);  // empty: never drawn but for rounding
  return static_cast<std::uint32_t>(a + r * (b - a) / n);
}
}  // namespace

void CellThresholds::derive_screen() {
  for (unsigned q = 0; q < 16; ++q) {
    const bool away = q >= 8, chronic = (q >> 2) & 1u;
    const double first = share_of(away ? return_below : move_below);  // returns, or moves away
    const double stay = 1 - share_of(no_stay_below[q & 3u]);
    double nothing = 0, trip_only = 0, last = 0;  // last: the third event (trip with care, or care)
    if (away) {
      last = 1 - share_of(no_op_below[chronic]);
      nothing = (1 - first) * (1 - stay) * (1 - last);
    } else {
      const double trip = share_of(trip_below), care = 1 - share_of(no_op_trip_below[chronic]);
      last = trip * care;
      nothing = (1 - first) * (1 - stay) * (1 - trip);
      trip_only = (1 - first) * (1 - stay) * trip * (1 - care);
    }
    nothing_below[q] = cut_of(nothing);
    lean_below[q] = std::max(nothing_below[q], cut_of(nothing + trip_only));
    nothing_hi[q] = static_cast<std::uint32_t>(nothing_below[q] >> 16);
    lean_hi[q] = static_cast<std::uint32_t>(lean_below[q] >> 16);
    const double any = 1 - (1 - first) * (1 - stay) * (1 - last), rest = 1 - (1 - stay) * (1 - last);
    first_cut[q] = any > 0 ? cut_of(first / any) : 0;
    second_cut[q] = rest > 0 ? cut_of(stay / rest) : 0;
  }
}

namespace detail {
std::array<std::uint32_t, 4> conditional_words(const CellThresholds& t, unsigned q, const std::array<std::uint32_t, 4>& x) {
  const bool away = q >= 8, chronic = (q >> 2) & 1u;
  const std::uint64_t first_below = away ? t.return_below : t.move_below;
  const std::uint64_t stay_from = t.no_stay_below[q & 3u];
  std::array<std::uint32_t, 4> w = x;
  // The first event (a move, or a return home): then the rest as they come.
  const std::uint64_t cut1 = t.first_cut[q];
  if (x[0] < cut1) {
    w[0] = onto(x[0], cut1, 0, first_below);
    return w;
  }
  w[0] = onto(x[0] - cut1, kWords - cut1, first_below, kWords);
  // Not the first: a stay, with the last event as it comes; else no stay and the last event.
  const std::uint64_t cut2 = t.second_cut[q];
  if (x[1] < cut2) {
    w[1] = onto(x[1], cut2, stay_from, kWords);
    return w;
  }
  w[1] = onto(x[1] - cut2, kWords - cut2, 0, stay_from);
  if (away) {
    w[3] = onto(x[3], kWords, t.no_op_below[chronic], kWords);  // care while living off-site
  } else {
    w[2] = onto(x[2], kWords, 0, t.trip_below);                 // a trip ...
    w[3] = onto(x[3], kWords, t.no_op_trip_below[chronic], kWords);  // ... with care on it
  }
  return w;
}
}  // namespace detail

void MonthContext::set_free_zones() {
  for (std::size_t h = 0; h < regions; ++h)
    for (std::size_t t = 0; t < regions; ++t)
      free_zone[h * regions + t] = h != t && policy[h]->filing.in_free_zone(world->region(t).code) ? 1 : 0;
  // Filing and the stake: the points of cross-province inpatient reduction (as cut on a 100% ratio)
  // that filing in a category saves against staying unfiled, under the home region's policy; the
  // lever's log-odds move by filing_stake_log_odds per point beyond the reference.
  const auto shifted = [](double p, double log_odds) {
    if (p <= 0 || p >= 1 || log_odds == 0) return p;
    return 1 / (1 + (1 - p) / p * std::exp(-log_odds));
  };
  const auto cut = [](const InsuredPolicy& pol, FilingCategory c) {
    return pol.reduction[index(VisitType::inpatient)][index(c)].value.worst_case_points().bp / 100.0;
  };
  const double beta = params->filing_stake_log_odds;
  long_term_filing_of.assign(regions, {});
  trip_filing_of.assign(regions, trip_filing);
  retroactive_of.assign(regions, retroactive);
  for (std::size_t h = 0; h < regions; ++h) {
    const InsuredPolicy& pol = *policy[h];
    // The filing levers of the home region (its own series, its province's, or the national one).
    const std::uint32_t code = world->region(h).code.value(), prov = world->region(h).code.province().value();
    const double trip = regional_series(*params, "levers.trip_filing", params->trip_filing, code, prov).at(month);
    const double long_term = regional_series(*params, "levers.long_term_filing", params->long_term_filing, code, prov).at(month);
    retroactive_of[h] = regional_series(*params, "levers.retroactive_filing", params->retroactive_filing, code, prov).at(month);
    const double unfiled = cut(pol, FilingCategory::unfiled);
    trip_filing_of[h] = shifted(trip, beta * (unfiled - cut(pol, FilingCategory::other_temporary) -
                                              params->filing_stake_reference_trip));
    for (std::size_t g = 0; g < kGroups; ++g) {
      const FilingCategory c = long_term_category(static_cast<InsuredGroup>(g));
      long_term_filing_of[h][g] =
          shifted(long_term, beta * (unfiled - cut(pol, c) - params->filing_stake_reference_long_term));
    }
  }
}

namespace {
/// The whole step of one agent given its month words `w` (the year reset already done): every
/// event, as written in sim/README.md. step_range takes it only when its thresholds say that
/// something happens; step_agent always.
void step_full(Agent& a, Who who, const std::uint32_t* w, const MonthContext& ctx, MonthTotals& totals) {
  const SimParams& p = *ctx.params;
  const Mobility& mob = *ctx.mobility;
  const auto m = static_cast<std::uint32_t>(ctx.month);
  const std::uint32_t person = who.person;
  const std::size_t home = who.home;
  const std::size_t g = index(who.group);

  // 1. Moves: a long-term off-site person may return; a person at home may move away.
  if (a.is_away(home)) {
    if (Rng::to_unit(w[0]) < p.return_per_month) {
      a.set_region(home);
      ++totals.returns;
    }
  } else if (Rng::to_unit(w[0]) < mob.move_hazard[home][g]) {
    const auto d = ctx.rng->words(person, m, Purpose::move);
    a.set_region(mob.destination[home].draw(Rng::to_unit(d[0])));
    ++totals.moves_out;
  }
  if (a.is_away(home)) ++totals.away[home * kGroups + g];

  // A temporary trip this month (only for people living at home).
  const bool on_trip = !a.is_away(home) && Rng::to_unit(w[2]) < ctx.trip_rate[home];
  if (on_trip) ++totals.trips;
  // Where the trip goes, drawn only when a visit needs it (the draw is the same whenever made).
  std::size_t trip_dest = SIZE_MAX;
  auto trip_to = [&] {
    if (trip_dest == SIZE_MAX) trip_dest = mob.trip[home].draw(Rng::to_unit(ctx.rng->words(person, m, Purpose::trip, 0)[1]));
    return trip_dest;
  };

  // 2. Care events. Inpatient stays: where they happen decides the channel.
  std::uint32_t k = 0;  // visit number this month (channel stream index)
  const unsigned stays =
      poisson_from_uniform(ctx.stay_rate[g][a.age_band()], ctx.no_stay[g][a.age_band()], Rng::to_unit(w[1]));
  if (stays > 0) {
    auto st = ctx.rng->stream(person, m, Purpose::stay);
    const Scheme scheme = scheme_of(who.group);
    for (unsigned i = 0; i < stays; ++i) {
      VisitEvent ev;
      ev.type = VisitType::inpatient;
      ev.treatment = a.region();
      ev.where = a.is_away(home) ? Where::long_term : Where::home;
      const double u_where = st.uniform();
      if (!a.is_away(home)) {
        if (on_trip && u_where < p.trip_days / 30.0) {
          ev.treatment = trip_to();
          ev.where = Where::trip;
          ev.emergency = st.uniform() < p.trip_emergency_share;
        } else if (const double u_ref = st.uniform(); u_ref < ctx.referral_share) {
          ev.treatment = mob.referral[home].draw(st.uniform());  // to a national centre in another province
          ev.where = Where::referral;
        } else if (mob.intra_referral[home] >= 0 && u_ref < ctx.referral_share + p.intra_referral_share) {
          ev.treatment = static_cast<std::size_t>(mob.intra_referral[home]);  // to the provincial seat
          ev.where = Where::referral;
        }
      }
      boost::random::lognormal_distribution<double> cost(ctx.log_mean_inpatient[index(scheme)], p.inpatient_cost_sigma);
      double yuan = cost(st) * ctx.world->region(ev.treatment).cost_index;
      if (ev.where == Where::referral) {
        yuan *= ctx.world->same_province(home, ev.treatment) ? p.intra_referral_cost_factor : p.referral_cost_factor;
        ev.level = HospitalLevel::level3;
      } else {
        ev.level = level_of(st.uniform(), p);
      }
      ev.bill = bill_of(yuan * ctx.level_cost[index(ev.level)]);
      settle(a, who, ev, k++, ctx, totals);
    }
  }

  // Outpatient care and pharmacy purchases while living off-site (local outpatient care is part of
  // the funds' other spending, not simulated visit by visit: sim/README.md).
  if (a.is_away(home) || on_trip) {
    // The visits of the three kinds are independent Poisson processes: draw their total exactly
    // from this month's word, then each visit's kind in proportion to the rates.
    const MonthContext::OutpatientRates& op = ctx.outpatient[a.is_away(home) ? 0 : 1][a.chronic() ? 1 : 0];
    const double* rates = op.rates.data();
    const double total_rate = op.total;
    const unsigned n = poisson_from_uniform(total_rate, op.none, Rng::to_unit(w[3]));
    if (n > 0) {
      auto st = ctx.rng->stream(person, m, Purpose::outpatient);
      const VisitType types[3] = {VisitType::general_outpatient, VisitType::chronic_outpatient, VisitType::pharmacy};
      for (unsigned i = 0; i < n; ++i) {
        const double u = st.uniform() * total_rate;
        const int t = u < rates[0] ? 0 : u < rates[0] + rates[1] ? 1 : 2;
        VisitEvent ev;
        ev.type = types[t];
        ev.treatment = a.is_away(home) ? a.region() : trip_to();
        ev.where = a.is_away(home) ? Where::long_term : Where::trip;
        boost::random::lognormal_distribution<double> cost(ctx.log_mean_outpatient[static_cast<std::size_t>(t)],
                                                           p.outpatient_cost_sigma);
        const double yuan = cost(st) * ctx.world->region(ev.treatment).cost_index;
        ev.level = ev.type == VisitType::pharmacy ? HospitalLevel::level1 : level_of(st.uniform(), p);
        ev.bill = bill_of(ev.type == VisitType::pharmacy ? yuan : yuan * ctx.level_cost[index(ev.level)]);
        settle(a, who, ev, k++, ctx, totals);
      }
    }
  }
}
}  // namespace

namespace {
/// The month of an agent in state q whose screen is s_hi · 2^16 + (low bits, drawn here only when
/// the high bits tie a threshold's): nothing, a trip with no visit, or the full step on the four
/// words drawn conditioned on something happening.
void step_screened(Agent& a, const Who& who, const CellThresholds& t, std::uint32_t s_hi, const MonthContext& ctx,
                   MonthTotals& totals) {
  const unsigned q = CellThresholds::state(a, who.home);
  const auto m = static_cast<std::uint32_t>(ctx.month);
  detail::Screen screen = detail::screen_of_hi(t, q, s_hi);
  if (screen == detail::Screen::tie) screen = detail::screen_of(t, q, s_hi << 16 | ctx.rng->screen_low(who.person, m));
  if (screen == detail::Screen::full) {
    const auto w = detail::conditional_words(t, q, ctx.rng->words(who.person, m, Purpose::month));
    step_full(a, who, w.data(), ctx, totals);
  } else if (screen == detail::Screen::trip_only) {
    ++totals.trips;
  } else if (q >= 8) {
    ++totals.away[who.home * kGroups + index(who.group)];  // nothing happens to a person living off-site
  }
}
}  // namespace

void step_agent(Agent& a, std::uint32_t person, std::size_t home, std::size_t group, const MonthContext& ctx,
                MonthTotals& totals) {
  if (ctx.new_year) a.reset_year();
  step_screened(a, Who{person, home, static_cast<InsuredGroup>(group)}, ctx.cells[home][group],
                ctx.rng->screen_hi(person, static_cast<std::uint32_t>(ctx.month)), ctx, totals);
}

void step_agent_unscreened(Agent& a, std::uint32_t person, std::size_t home, std::size_t group,
                           const MonthContext& ctx, MonthTotals& totals) {
  if (ctx.new_year) a.reset_year();
  const auto w = ctx.rng->words(person, static_cast<std::uint32_t>(ctx.month), Purpose::month, 1);
  step_full(a, Who{person, home, static_cast<InsuredGroup>(group)}, w.data(), ctx, totals);
}

namespace {
/// Agents [0, n) of one (home, group) cell, persons first, first + 1, ...: the screens' high bits
/// 128 persons at a time (aligned to multiples of 128, so that any split draws the same), then 16
/// agents at a time through the mask; only an agent the mask lets through is stepped one by one.
void step_cell(Agent* agents, std::uint32_t first, std::uint32_t n, std::size_t home, std::size_t group,
               const MonthContext& ctx, MonthTotals& totals) {
  const CellThresholds& t = ctx.cells[home][group];
  const auto m = static_cast<std::uint32_t>(ctx.month);
  const Who cell{first, home, static_cast<InsuredGroup>(group)};
  detail::LeanCounts lean;  // what the agents that take no full step add
  alignas(32) std::uint16_t screen[kScreenBlock];
  std::uint32_t screen_block = 0xFFFFFFFFu;  // the block of persons whose high bits `screen` holds
  const std::uint32_t end = first + n;
  for (std::uint32_t p = first; p < end;) {
    const std::uint32_t chunk_end = std::min(end, (p / kBatch + 1) * kBatch);  // 16-aligned chunks
    const std::uint32_t len = chunk_end - p;
    if (p / kScreenBlock != screen_block) {
      screen_block = p / kScreenBlock;
      ctx.rng->screen_hi_batch(screen_block, m, screen);
    }
    const std::uint16_t* const hi = screen + p % kScreenBlock;
    Agent* const blk = agents + (p - first);
    if (ctx.new_year)
      for (std::uint32_t j = 0; j < len; ++j) blk[j].reset_year();
    std::uint32_t full_mask =
        len == kBatch ? detail::lean_mask(blk, hi, t, lean) : detail::lean_mask_scalar(blk, hi, len, t, lean);
    while (full_mask != 0) {
      const auto j = static_cast<std::uint32_t>(__builtin_ctz(full_mask));
      full_mask &= full_mask - 1;
      Who who = cell;
      who.person = p + j;
      step_screened(blk[j], who, t, hi[j], ctx, totals);
    }
    p = chunk_end;
  }
  totals.away[home * kGroups + group] += lean.away;
  totals.trips += lean.trips;
}
}  // namespace

namespace detail {

std::uint32_t lean_mask_scalar(const Agent* agents, const std::uint16_t* screen_hi, std::uint32_t n,
                               const CellThresholds& t, LeanCounts& counts) {
  std::uint32_t full_mask = 0;
  for (std::uint32_t j = 0; j < n; ++j) {
    const unsigned q = CellThresholds::state(agents[j], t.home);
    const Screen screen = screen_of_hi(t, q, screen_hi[j]);
    const bool nothing = screen == Screen::nothing, trip = screen == Screen::trip_only;
    full_mask |= static_cast<std::uint32_t>(!(nothing || trip)) << j;
    counts.away += q >= 8 && nothing;
    counts.trips += trip;
  }
  return full_mask;
}

namespace {
__attribute__((target("avx2"), always_inline)) inline std::uint32_t bits(__m256i v) {
  return static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(v)));
}
std::uint32_t lean_mask_scalar_batch(const Agent* agents, const std::uint16_t* screen_hi, const CellThresholds& t,
                                     LeanCounts& counts) {
  return lean_mask_scalar(agents, screen_hi, kBatch, t, counts);
}
}  // namespace

__attribute__((target("avx2"))) std::uint32_t lean_mask_avx2(const Agent* agents, const std::uint16_t* screen_hi,
                                                             const CellThresholds& t, LeanCounts& counts) {
  const __m256i home = _mm256_set1_epi32(t.home), byte = _mm256_set1_epi32(0xFF), high = _mm256_set1_epi32(0x300),
                seven = _mm256_set1_epi32(7);
  const __m256i nothing_home = _mm256_load_si256(reinterpret_cast<const __m256i*>(&t.nothing_hi[0]));
  const __m256i nothing_away = _mm256_load_si256(reinterpret_cast<const __m256i*>(&t.nothing_hi[8]));
  const __m256i lean_home = _mm256_load_si256(reinterpret_cast<const __m256i*>(&t.lean_hi[0]));
  const __m256i lean_away = _mm256_load_si256(reinterpret_cast<const __m256i*>(&t.lean_hi[8]));
  std::uint32_t lean_bits = 0, away_nothing_bits = 0, trip_bits = 0;
  for (std::uint32_t h = 0; h < 2; ++h) {
    // The first four bytes of eight agents (away, traits, ...), one 32-bit lane each; the region is
    // the low byte and traits' top two bits (lane bits 14–15) as bits 8–9 (Agent::region).
    std::uint32_t d[8];
    for (std::uint32_t k = 0; k < 8; ++k) std::memcpy(&d[k], &agents[8 * h + k], sizeof d[k]);
    const __m256i head = _mm256_setr_epi32(static_cast<int>(d[0]), static_cast<int>(d[1]), static_cast<int>(d[2]),
                                           static_cast<int>(d[3]), static_cast<int>(d[4]), static_cast<int>(d[5]),
                                           static_cast<int>(d[6]), static_cast<int>(d[7]));
    const __m256i region = _mm256_or_si256(_mm256_and_si256(head, byte), _mm256_and_si256(_mm256_srli_epi32(head, 6), high));
    const __m256i at_home = _mm256_cmpeq_epi32(region, home);
    const __m256i idx = _mm256_and_si256(_mm256_srli_epi32(head, 8), seven);  // chronic · 4 + age band
    const __m256i t0 = _mm256_blendv_epi8(_mm256_permutevar8x32_epi32(nothing_away, idx),
                                          _mm256_permutevar8x32_epi32(nothing_home, idx), at_home);
    const __m256i t1 = _mm256_blendv_epi8(_mm256_permutevar8x32_epi32(lean_away, idx),
                                          _mm256_permutevar8x32_epi32(lean_home, idx), at_home);
    const __m256i hi = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(screen_hi + 8 * h)));
    const __m256i nothing = _mm256_cmpgt_epi32(t0, hi);  // all values ≤ 65536: signed compares are exact
    const __m256i trip = _mm256_and_si256(_mm256_cmpgt_epi32(hi, t0), _mm256_cmpgt_epi32(t1, hi));
    lean_bits |= bits(_mm256_or_si256(nothing, trip)) << (8 * h);
    away_nothing_bits |= bits(_mm256_andnot_si256(at_home, nothing)) << (8 * h);
    trip_bits |= bits(trip) << (8 * h);
  }
  counts.away += __builtin_popcount(away_nothing_bits);
  counts.trips += __builtin_popcount(trip_bits);
  return ~lean_bits & 0xFFFFu;
}

const LeanMaskFn lean_mask = philox_batch_has_avx2() ? &lean_mask_avx2 : &lean_mask_scalar_batch;

}  // namespace detail

void step_range(Agent* agents, std::uint32_t first_person, std::uint32_t count, const Layout& layout,
                const MonthContext& ctx, MonthTotals& totals) {
  const std::uint32_t end = first_person + count;
  for (std::uint32_t i = first_person; i < end;) {
    const auto [home, group] = layout.cell_of(i);
    const std::uint32_t cell_end = std::min(end, layout.begin[home][group] + layout.count[home][group]);
    step_cell(agents + (i - first_person), i, cell_end - i, home, group, ctx, totals);
    i = cell_end;
  }
}

}  // namespace yidi::sim
