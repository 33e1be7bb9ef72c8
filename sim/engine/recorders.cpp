#include "sim/engine/recorders.hpp"

#include <limits>
#include <string>

namespace yidi::sim {

std::size_t OutputExtents::of(Dim d) const {
  switch (d) {
    case Dim::month: return 1;
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

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio_or_nan(std::int64_t num, std::int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : kNaN;
}
/// The month totals' arrays as views (their layout: sim/model/totals.hpp).
View<const Flow, 3> local_flows(const MonthTotals& t) {  // [province][group][visit type]
  return View<const Flow, 3>(std::span<const Flow>(t.local), {t.regions, kGroups, kVisitTypes});
}
}  // namespace

// ---- population/

void PopulationRecorder::record_start(const Layout& layout, Results& out) const {
  const auto insured = insured_.slice(out);
  for (std::size_t p = 0; p < insured.extent(0); ++p)
    for (std::size_t g = 0; g < insured.extent(1); ++g)
      insured(p, g) = static_cast<std::int64_t>(layout.count[p][g]) * layout.scale;
}

void PopulationRecorder::record(const MonthInput& in, Results& out) const {
  const auto away = away_.slice(out);
  const View<const std::int64_t, 2> sample(std::span<const std::int64_t>(in.totals.away), {in.totals.regions, kGroups});
  for (std::size_t p = 0; p < away.extent(0); ++p)
    for (std::size_t g = 0; g < away.extent(1); ++g) away(p, g) = sample(p, g) * in.scale;
}

// ---- offsite/

void OffsiteRecorder::record(const MonthInput& in, Results& out) const {
  const std::int64_t k = in.scale;
  const auto visits = visits_.slice(out), medfee = medfee_.slice(out), fund = fund_.slice(out), hifp = hifp_.slice(out),
             individual = individual_.slice(out);
  const auto by_treatment = by_treatment_.slice(out);
  const auto dsr = dsr_.slice(out);
  constexpr std::size_t inpatient = index(VisitType::inpatient), direct = index(SettlementPath::direct);
  std::int64_t national_direct = 0, national_all = 0;
  // Inpatient stays by insured region, sample counts: direct, all.
  std::vector<std::int64_t> stays_direct(in.totals.regions, 0), stays_all(in.totals.regions, 0);
  for (const auto& [key, f] : in.totals.offsite.sorted()) {  // integer sums: any order gives the same
    if (f.visits == 0) continue;
    const auto [h, g, tr, v, path] = in.totals.offsite_cell(key);
    visits(h, g, v, path) += f.visits * k;
    medfee(h, g, v, path) += f.medfee * k;
    fund(h, g, v, path) += f.fund * k;
    hifp(h, g, v, path) += f.hifp * k;
    individual(h, g, v, path) += (f.medfee - f.fund) * k;
    by_treatment(h, tr, v) += f.visits * k;
    if (v == inpatient) {
      stays_all[h] += f.visits;
      if (path == direct) stays_direct[h] += f.visits;
    }
  }
  for (std::size_t h = 0; h < dsr.extent(0); ++h) {
    const std::int64_t h_direct = stays_direct[h], h_all = stays_all[h];
    dsr(h) = ratio_or_nan(h_direct, h_all);
    national_direct += h_direct;
    national_all += h_all;
  }
  dsr_national_.slice(out)() = ratio_or_nan(national_direct, national_all);
  const auto reasons = manual_reasons_.slice(out);
  const View<const std::int64_t, 2> sample(std::span<const std::int64_t>(in.totals.inpatient_reasons), {in.totals.regions, kReasons});
  for (std::size_t h = 0; h < reasons.extent(0); ++h)
    for (std::size_t r = 0; r < reasons.extent(1); ++r) reasons(h, r) = sample(h, r) * k;
}

// ---- local/

void LocalRecorder::record(const MonthInput& in, Results& out) const {
  const auto flows = local_flows(in.totals);
  const auto stays = stays_.slice(out), medfee = medfee_.slice(out), fund = fund_.slice(out);
  for (std::size_t h = 0; h < stays.extent(0); ++h)
    for (std::size_t g = 0; g < stays.extent(1); ++g) {
      const Flow& f = flows(h, g, index(VisitType::inpatient));
      stays(h, g) = f.visits * in.scale;
      medfee(h, g) = f.medfee * in.scale;
      fund(h, g) = f.fund * in.scale;
    }
}

namespace {
/// The row of a reported region or province code (World::row_of): with regions == provinces,
/// the province's; a province-level figure of a world of sub-province regions lands on its
/// province's first region until provincial outputs have a dimension of their own (issue 14).
std::size_t row(const World& w, RegionCode c) {
  if (const auto i = w.row_of(c)) return *i;
  throw std::out_of_range("region " + c.str() + " has no region of its province in the world");
}
}  // namespace

// ---- clearing/ (pools are provinces here)

void ClearingRecorder::record(const MonthInput& in, Results& out) const {
  auto prov_of = [&](RegionCode c) { return row(in.world, c); };
  const auto gross = gross_.slice(out);
  for (const auto& c : in.report.cleared_cross) gross(prov_of(c.insured), prov_of(c.treatment)) += c.amount.fen();
  const auto net = net_.slice(out);
  for (const auto& n : in.report.net_positions) net(prov_of(n.province)) = n.net().fen();
}

// ---- prepayment/

void PrepaymentRecorder::record(const MonthInput& in, Results& out) const {
  auto prov_of = [&](RegionCode c) { return row(in.world, c); };
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
}

// ---- funds/

void FundsRecorder::record(const MonthInput& in, Results& out) const {
  const auto balance = balance_.slice(out), held = prepayment_held_.slice(out), income = income_.slice(out),
             expenditure = expenditure_.slice(out), below_floor = below_floor_.slice(out);
  const auto months_payable = months_payable_.slice(out);
  for (const auto& f : in.report.funds) {
    const std::size_t p = row(in.world, f.pool), s = index(f.scheme);
    balance(p, s) = f.balance.fen();
    held(p, s) = f.prepayment_held.fen();
    income(p, s) = f.income.fen();
    expenditure(p, s) = f.expenditure.fen();
    months_payable(p, s) = f.months_payable;
    below_floor(p, s) = f.below_floor ? 1 : 0;
  }
  const auto active = response_active_.slice(out);
  for (std::size_t p = 0; p < active.extent(0); ++p) active(p) = in.response_active[p] != 0 ? 1 : 0;
}

// ---- all of them

Recorders::Recorders(const OutputExtents& extents)
    : population_(extents),
      offsite_(extents),
      local_(extents),
      clearing_(extents),
      prepayment_(extents),
      funds_(extents),
      all_{&population_, &offsite_, &local_, &clearing_, &prepayment_, &funds_} {}

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
