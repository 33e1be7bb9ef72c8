#include "sim/engine/recorders.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "sim/engine/sampling_noise.hpp"

namespace yidi::sim {

std::size_t OutputExtents::of(Dim d) const {
  switch (d) {
    case Dim::month: return 1;
    case Dim::region: return regions;
    case Dim::province:
    case Dim::treatment_province: return provinces;
    case Dim::group: return yidi::kInsuredGroups.size();
    case Dim::scheme: return yidi::kSchemes.size();
    case Dim::visit_type: return yidi::kVisitTypes.size();
    case Dim::path: return kSettlementPaths.size();
    case Dim::reason: return kPathReasons.size();
  }
  return 0;
}

RunLabels run_labels(const World& world) {
  RunLabels l;
  for (const auto& r : world.regions()) {
    l.regions.push_back(r.code.str());
    l.region_names.push_back(r.name);
    l.region_names_en.push_back(r.name_en);
  }
  for (const auto& p : world.provinces()) {
    l.provinces.push_back(p.code.str());
    l.province_names.push_back(p.name);
    l.province_names_en.push_back(p.name_en);
  }
  return l;
}

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio_or_nan(std::int64_t num, std::int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : kNaN;
}
/// The month totals' arrays as views (their layout: sim/model/totals.hpp).
View<const Flow, 3> local_flows(const MonthTotals& t) {  // [region][group][visit type]
  return View<const Flow, 3>(std::span<const Flow>(t.local), {t.regions, kGroups, kVisitTypes});
}
/// The province row of a reported region or province code.
std::size_t province_row(const World& w, RegionCode c) {
  if (const auto i = w.province_index(c)) return *i;
  throw std::out_of_range("code " + c.str() + " has no province in the world");
}
}  // namespace

// ---- population/

void PopulationRecorder::record_start(const World& world, const Layout& layout, Results& out) const {
  const auto insured = insured_.slice(out);
  for (std::size_t r = 0; r < layout.regions(); ++r)
    for (std::size_t g = 0; g < insured.extent(1); ++g)
      insured(world.province_of(r), g) += static_cast<std::int64_t>(layout.count[r][g]) * layout.scale;
}

void PopulationRecorder::record(const MonthInput& in, Results& out) const {
  const auto away = away_.slice(out);
  const View<const std::int64_t, 2> sample(std::span<const std::int64_t>(in.totals.away), {in.totals.regions, kGroups});
  for (std::size_t r = 0; r < sample.extent(0); ++r)
    for (std::size_t g = 0; g < away.extent(1); ++g) away(in.world.province_of(r), g) += sample(r, g) * in.scale;
}

// ---- offsite/ and intra/

void OffsiteRecorder::record(const MonthInput& in, Results& out) const {
  const std::int64_t k = in.scale;
  const auto visits = visits_.slice(out), medfee = medfee_.slice(out), fund = fund_.slice(out), hifp = hifp_.slice(out),
             individual = individual_.slice(out);
  const auto by_treatment = by_treatment_.slice(out);
  const auto dsr = dsr_.slice(out);
  constexpr std::size_t inpatient = index(VisitType::inpatient), direct = index(SettlementPath::direct);
  std::int64_t national_direct = 0, national_all = 0;
  // Inpatient stays by insured province, sample counts: direct, all.
  const std::size_t provinces = dsr.extent(0);
  std::vector<std::int64_t> stays_direct(provinces, 0), stays_all(provinces, 0);
  std::vector<std::int64_t> manual_of_region(in.world.size(), 0);  // sample inpatient stays, manual path
  for (const auto& [key, f] : in.offsite) {  // integer sums: any order gives the same
    if (f.visits == 0) continue;
    const auto [h, g, tr, v, path] = in.totals.offsite_cell(key);
    if (in.world.same_province(h, tr) != intra_) continue;
    const std::size_t p = in.world.province_of(h);
    visits(p, g, v, path) += f.visits * k;
    medfee(p, g, v, path) += f.medfee * k;
    fund(p, g, v, path) += f.fund * k;
    hifp(p, g, v, path) += f.hifp * k;
    individual(p, g, v, path) += (f.medfee - f.fund) * k;
    by_treatment(p, in.world.province_of(tr), v) += f.visits * k;
    if (v == inpatient) {
      stays_all[p] += f.visits;
      if (path == direct) stays_direct[p] += f.visits;
      else manual_of_region[h] += f.visits;
    }
  }
  for (std::size_t p = 0; p < provinces; ++p) {
    dsr(p) = ratio_or_nan(stays_direct[p], stays_all[p]);
    national_direct += stays_direct[p];
    national_all += stays_all[p];
  }
  dsr_national_.slice(out)() = ratio_or_nan(national_direct, national_all);
  // The official rate counts a manual stay only once claimed: per insured pool, its manual stays
  // (scaled) × its claim share, half-up; the rest never reach the agencies.
  const auto claimed = claimed_.slice(out), unclaimed = unclaimed_.slice(out);
  for (std::size_t h = 0; h < manual_of_region.size(); ++h) {
    if (manual_of_region[h] == 0) continue;
    const std::int64_t manual = manual_of_region[h] * k;
    const std::int64_t bp = in.claim_share_bp.empty() ? Ratio::kOne : in.claim_share_bp[h];
    const std::int64_t c = scale_half_up(Money::fen(manual), bp, Ratio::kOne).fen();
    claimed(in.world.province_of(h)) += c;
    unclaimed(in.world.province_of(h)) += manual - c;
  }
  const auto official = dsr_official_.slice(out);
  std::int64_t national_claimed = 0;
  for (std::size_t p = 0; p < provinces; ++p) {
    official(p) = ratio_or_nan(stays_direct[p] * k, stays_direct[p] * k + claimed(p));
    national_claimed += claimed(p);
  }
  dsr_official_national_.slice(out)() = ratio_or_nan(national_direct * k, national_direct * k + national_claimed);
  const auto reasons = manual_reasons_.slice(out);
  const View<const std::int64_t, 3> sample(std::span<const std::int64_t>(in.totals.inpatient_reasons),
                                           {in.totals.regions, 2, kReasons});
  for (std::size_t h = 0; h < sample.extent(0); ++h)
    for (std::size_t r = 0; r < reasons.extent(1); ++r) reasons(in.world.province_of(h), r) += sample(h, intra_ ? 1 : 0, r) * k;
}

// ---- local/

void LocalRecorder::record(const MonthInput& in, Results& out) const {
  const auto flows = local_flows(in.totals);
  const auto stays = stays_.slice(out), medfee = medfee_.slice(out), fund = fund_.slice(out);
  for (std::size_t h = 0; h < flows.extent(0); ++h)
    for (std::size_t g = 0; g < stays.extent(1); ++g) {
      const Flow& f = flows(h, g, index(VisitType::inpatient));
      const std::size_t p = in.world.province_of(h);
      stays(p, g) += f.visits * in.scale;
      medfee(p, g) += f.medfee * in.scale;
      fund(p, g) += f.fund * in.scale;
    }
}

// ---- clearing/ (by insured and treatment province)

void ClearingRecorder::record(const MonthInput& in, Results& out) const {
  auto prov_of = [&](RegionCode c) { return province_row(in.world, c); };
  const auto gross = gross_.slice(out);
  for (const auto& c : in.report.cleared_cross) gross(prov_of(c.insured), prov_of(c.treatment)) += c.amount.fen();
  const auto net = net_.slice(out);
  for (const auto& n : in.report.net_positions) net(prov_of(n.province)) = n.net().fen();
}

// ---- prepayment/

void PrepaymentRecorder::record(const MonthInput& in, Results& out) const {
  auto prov_of = [&](RegionCode c) { return province_row(in.world, c); };
  const auto quota = quota_.slice(out), outstanding = outstanding_.slice(out), warning = warning_.slice(out);
  const auto usage = usage_.slice(out);
  for (std::size_t h = 0; h < usage.extent(0); ++h) usage(h) = kNaN;  // no quota reported
  for (const auto& pp : in.report.provinces) {
    const std::size_t h = prov_of(pp.province);
    quota(h) = pp.quota.fen();
    outstanding(h) = pp.outstanding.fen();
    usage(h) = pp.quota.is_zero() ? kNaN : static_cast<double>(pp.outstanding.fen()) / static_cast<double>(pp.quota.fen());
    warning(h) = static_cast<std::int64_t>(pp.warning);
  }
  const auto topup = topup_requested_.slice(out);
  for (const auto& pp : in.report.prepayments) topup(prov_of(pp.pool)) += pp.topup_requested.fen();
  topups_paid_.slice(out)() = in.report.topups_paid.fen();
  // Sampling error of the usage: what is outstanding at month end is mostly the month's direct
  // cross-province fund payments. A cell's n sampled visits of mean x̄ (fen), each standing for k,
  // add k² n x̄² (1 + cv²) = (k Σx)² ÷ n × (1 + cv²) to the variance of the scaled sum (a compound
  // Poisson count of visits with the cost model's spread; the fund's share of a bill taken as fixed).
  std::vector<double> variance(usage.extent(0), 0.0);
  constexpr std::size_t direct = index(SettlementPath::direct);
  const double k = static_cast<double>(in.scale);
  for (const auto& [key, f] : in.offsite) {
    if (f.visits == 0 || f.fund == 0) continue;
    const auto [h, g, tr, v, path] = in.totals.offsite_cell(key);
    if (path != direct || in.world.same_province(h, tr)) continue;
    const double scaled = k * static_cast<double>(f.fund);
    variance[in.world.province_of(h)] += scaled * scaled / static_cast<double>(f.visits) * (1 + in.cost_cv2[v]);
  }
  const auto se = usage_se_.slice(out);
  const auto noisy = noisy_.slice(out);
  for (std::size_t h = 0; h < se.extent(0); ++h) {
    se(h) = quota(h) > 0 ? std::sqrt(variance[h]) / static_cast<double>(quota(h)) : kNaN;
    noisy(h) = prepayment_noise_code(se(h));
  }
}

// ---- funds/ (the pools of a province together)

void FundsRecorder::record(const MonthInput& in, Results& out) const {
  const auto balance = balance_.slice(out), held = prepayment_held_.slice(out), income = income_.slice(out),
             expenditure = expenditure_.slice(out), below_floor = below_floor_.slice(out);
  const auto months_payable = months_payable_.slice(out);
  // Months payable of the province's pools together: what they hold ÷ the sum of their average
  // monthly expenditures (each pool's = what it holds ÷ its months payable).
  std::vector<double> holds(balance.size(), 0.0), spends(balance.size(), 0.0);
  std::vector<std::uint8_t> reported(balance.size(), 0);
  for (const auto& f : in.report.funds) {
    const std::size_t p = province_row(in.world, f.pool), s = index(f.scheme);
    balance(p, s) += f.balance.fen();
    held(p, s) += f.prepayment_held.fen();
    income(p, s) += f.income.fen();
    expenditure(p, s) += f.expenditure.fen();
    const double has = static_cast<double>(f.balance.fen() + f.prepayment_held.fen());
    holds[p * kSchemes.size() + s] += has;
    // Each pool's average monthly spending itself (not recovered from its months payable, which
    // is 0 or negative for a fund at or below zero and would drop that pool's spending).
    if (f.average_expenditure > 0) spends[p * kSchemes.size() + s] += f.average_expenditure;
    reported[p * kSchemes.size() + s] = 1;
    if (f.below_floor) below_floor(p, s) = 1;
  }
  for (std::size_t p = 0; p < months_payable.extent(0); ++p)
    for (std::size_t s = 0; s < months_payable.extent(1); ++s) {
      const std::size_t i = p * kSchemes.size() + s;
      months_payable(p, s) = !reported[i] ? kNaN : spends[i] > 0 ? holds[i] / spends[i] : std::numeric_limits<double>::infinity();
    }
  const auto active = response_active_.slice(out);
  for (std::size_t r = 0; r < in.response_active.size(); ++r)
    if (in.response_active[r] != 0) active(in.world.province_of(r)) = 1;
}

// ---- region/

void RegionRecorder::record_start(const World&, const Layout& layout, Results& out) const {
  const auto insured = insured_.slice(out);
  const auto agents = sample_agents_.slice(out);
  for (std::size_t r = 0; r < insured.extent(0); ++r) {
    for (std::size_t g = 0; g < insured.extent(1); ++g) insured(r, g) = static_cast<std::int64_t>(layout.count[r][g]) * layout.scale;
    agents(r) = layout.agents_of(r);
  }
}

void RegionRecorder::record(const MonthInput& in, Results& out) const {
  const std::int64_t k = in.scale;
  const auto away = away_.slice(out);
  const View<const std::int64_t, 2> sample(std::span<const std::int64_t>(in.totals.away), {in.totals.regions, kGroups});
  for (std::size_t r = 0; r < away.extent(0); ++r)
    for (std::size_t g = 0; g < away.extent(1); ++g) away(r, g) = sample(r, g) * k;
  const auto cv = cross_visits_.slice(out), cf = cross_fund_.slice(out), iv = intra_visits_.slice(out), xf = intra_fund_.slice(out);
  const std::size_t n = away.extent(0);
  std::vector<std::int64_t> cross_direct(n, 0), cross_all(n, 0), intra_direct(n, 0), intra_all(n, 0);
  constexpr std::size_t inpatient = index(VisitType::inpatient), direct = index(SettlementPath::direct);
  for (const auto& [key, f] : in.offsite) {
    if (f.visits == 0) continue;
    const auto [h, g, tr, v, path] = in.totals.offsite_cell(key);
    const bool intra = in.world.same_province(h, tr);
    (intra ? iv : cv)(h, v, path) += f.visits * k;
    (intra ? xf : cf)(h, v, path) += f.fund * k;
    if (v == inpatient) {
      (intra ? intra_all : cross_all)[h] += f.visits;
      if (path == direct) (intra ? intra_direct : cross_direct)[h] += f.visits;
    }
  }
  const auto dsr = dsr_.slice(out), se = dsr_se_.slice(out), idsr = intra_dsr_.slice(out), ise = intra_dsr_se_.slice(out);
  const auto stays = sample_stays_.slice(out), istays = intra_sample_stays_.slice(out), noisy = noisy_.slice(out),
             inoisy = intra_noisy_.slice(out);
  auto plain_se = [](double p, std::int64_t of) { return of > 0 ? std::sqrt(p * (1 - p) / static_cast<double>(of)) : kNaN; };
  for (std::size_t r = 0; r < n; ++r) {
    dsr(r) = ratio_or_nan(cross_direct[r], cross_all[r]);
    idsr(r) = ratio_or_nan(intra_direct[r], intra_all[r]);
    stays(r) = cross_all[r];
    istays(r) = intra_all[r];
    se(r) = plain_se(dsr(r), cross_all[r]);
    ise(r) = plain_se(idsr(r), intra_all[r]);
    noisy(r) = noise_code(cross_direct[r], cross_all[r]);
    inoisy(r) = noise_code(intra_direct[r], intra_all[r]);
  }
  const auto balance = balance_.slice(out), below = below_floor_.slice(out), negative = below_zero_.slice(out);
  const auto mp = months_payable_.slice(out);
  for (std::size_t r = 0; r < mp.extent(0); ++r)
    for (std::size_t s = 0; s < mp.extent(1); ++s) mp(r, s) = kNaN;
  const auto pooled = province_pooled_.slice(out);
  for (const auto& f : in.report.funds) {
    const std::size_t s = index(f.scheme);
    if (const auto r = in.world.find(f.pool)) {
      balance(*r, s) = f.balance.fen();
      mp(*r, s) = f.months_payable;
      below(*r, s) = f.below_floor ? 1 : 0;
      negative(*r, s) = f.balance.is_negative() ? 1 : 0;
      continue;
    }
    // A province-level fund (省级统筹): its balance once, on the seat's pool, so that sums over
    // pools stay whole; its months payable and floor on each pool it pays for.
    const ProvinceData& prov = in.world.provinces()[province_row(in.world, f.pool)];
    for (const std::size_t r : prov.regions) {
      balance(r, s) = r == prov.seat ? f.balance.fen() : 0;
      mp(r, s) = f.months_payable;
      below(r, s) = f.below_floor ? 1 : 0;
      negative(r, s) = f.balance.is_negative() ? 1 : 0;
      pooled(r) = 1;
    }
  }
  const auto active = response_active_.slice(out);
  for (std::size_t r = 0; r < active.extent(0); ++r) active(r) = in.response_active[r] != 0 ? 1 : 0;
}

// ---- all of them

Recorders::Recorders(const OutputExtents& extents)
    : population_(extents),
      offsite_(extents, false),
      intra_(extents, true),
      local_(extents),
      clearing_(extents),
      prepayment_(extents),
      funds_(extents),
      region_(extents),
      all_{&population_, &offsite_, &intra_, &local_, &clearing_, &prepayment_, &funds_, &region_} {}

Recorders::Recorders(const World& world) : Recorders(OutputExtents::of_world(world)) {}

std::vector<const DatasetSpec*> Recorders::datasets() const {
  std::vector<const DatasetSpec*> out;
  for (const Recorder* r : all_) out.insert(out.end(), r->datasets().begin(), r->datasets().end());
  return out;
}

void Recorders::record(const MonthInput& in, Results& out) const {
  for (const Recorder* r : all_) r->record(in, out);
}

}  // namespace yidi::sim
