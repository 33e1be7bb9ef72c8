#include "sim/model/population.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace yidi::sim {

std::pair<std::size_t, std::size_t> Layout::cell_of(std::uint32_t i) const {
  for (std::size_t p = count.size(); p-- > 0;)
    for (std::size_t g = kGroups; g-- > 0;)
      if (count[p][g] > 0 && i >= begin[p][g]) return {p, g};
  return {0, 0};
}

Layout make_layout(const World& world, const SimParams& p, std::int64_t scale) {
  if (scale < 1) throw std::invalid_argument("scale must be at least 1 (1 = full scale)");
  if (world.size() > Agent::kMaxRegions)
    throw std::invalid_argument("a world of " + std::to_string(world.size()) + " regions; an agent names at most " +
                                std::to_string(Agent::kMaxRegions));
  Layout l;
  l.scale = scale;
  l.begin.assign(world.size(), {});
  l.count.assign(world.size(), {});
  l.insured.assign(world.size(), {});
  l.senior_share.assign(world.size(), p.resident_senior_share);
  double pop = 0;
  for (const auto& r : world.regions()) pop += r.population;
  // Age: each pool's factor (its 60+ share ÷ the nation's)^e, normalised over the population so
  // that the national mix is kept [assumed form; sim/README.md "Population"]. Employees and
  // residents are shared by population; the retired share of employees and the senior share of
  // residents follow the factor.
  std::vector<double> age(world.size());
  double weighted = 0;
  for (std::size_t i = 0; i < world.size(); ++i) {
    age[i] = std::pow(world.age60_factor(i), p.age_elasticity);
    weighted += age[i] * world.region(i).population;
  }
  for (double& a : age) a = weighted > 0 ? a * pop / weighted : 1.0;
  const double employees = p.employees_in_service + p.employees_retired;
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < world.size(); ++i) {
    const double share = world.region(i).population / pop;
    const double retired = std::min(1.0, p.employees_retired / employees * age[i]);
    l.insured[i][index(InsuredGroup::employee_in_service)] = employees * share * (1 - retired);
    l.insured[i][index(InsuredGroup::employee_retired)] = employees * share * retired;
    l.insured[i][index(InsuredGroup::resident)] = p.residents * share;
    l.senior_share[i] = std::min(p.resident_senior_share * age[i], 1 - p.resident_child_share);
    for (std::size_t g = 0; g < kGroups; ++g) {
      const auto n = static_cast<std::uint64_t>(std::llround(l.insured[i][g] / static_cast<double>(scale)));
      l.begin[i][g] = static_cast<std::uint32_t>(next);
      l.count[i][g] = static_cast<std::uint32_t>(n);
      next += n;
      if (next > 0xFFFFFFF0ull) throw std::invalid_argument("population too large for 32-bit person numbers");
    }
  }
  l.total = static_cast<std::uint32_t>(next);
  return l;
}

Mobility Mobility::build(const World& world, const SimParams& p, const Layout& l) {
  Mobility m;
  m.stock = world.offsite_stock(p);
  m.away_share.assign(world.size(), {});
  m.move_hazard.assign(world.size(), {});
  const double mix[kGroups] = {p.offsite_mix_in_service, p.offsite_mix_retired,
                               1.0 - p.offsite_mix_in_service - p.offsite_mix_retired};
  for (std::size_t o = 0; o < world.size(); ++o) {
    double out = 0;
    for (double x : m.stock[o]) out += x;
    m.destination.push_back(Choice::from_weights(m.stock[o]));
    m.trip.push_back(world.trip_destinations(o, p));
    m.trip_rate.push_back(p.trip_per_month * world.trip_rate_factor(o, p));
    m.referral.push_back(world.referral_destinations(o));
    const auto seat = world.intra_referral(o);
    m.intra_referral.push_back(seat ? static_cast<std::int32_t>(*seat) : -1);
    for (std::size_t g = 0; g < kGroups; ++g) {
      const double n = l.insured[o][g];
      const double share = n > 0 ? std::min(0.9, out * mix[g] / n) : 0.0;
      m.away_share[o][g] = share;
      // In equilibrium, leavers balance returners: (1 − s) × h = s × r.
      m.move_hazard[o][g] = share < 1 ? p.return_per_month * share / (1 - share) : 0;
    }
  }
  return m;
}

namespace {
// Agents [lo, hi) of the layout into agents[i - first].
void init_range(Agent* agents, std::uint32_t first, std::uint32_t lo, std::uint32_t hi, const SimParams& p,
                const Layout& l, const Mobility& mob, const Rng& rng) {
  // The draws as integer thresholds on the init words (bit-identical to comparing uniforms).
  const std::uint64_t child_below = unit_below(p.resident_child_share);
  const double cs = p.chronic_share;
  const std::uint64_t chronic_below = unit_below(cs);
  // One word serves both: the assistance draw uses the part of [0,1) above the chronic share.
  const std::uint64_t assist_chronic_below =
      words_below([&](std::uint32_t w) { return Rng::to_unit(w) / cs < p.assistance_share; });
  const std::uint64_t assist_other_below =
      words_below([&](std::uint32_t w) { return (Rng::to_unit(w) - cs) / (1 - cs) < p.assistance_share; });
  WordBatch wb;
  for (std::uint32_t i = lo; i < hi;) {
    const auto [prov, g] = l.cell_of(i);
    const std::uint32_t cell_end = std::min<std::uint32_t>(hi, l.begin[prov][g] + l.count[prov][g]);
    const auto group = static_cast<InsuredGroup>(g);
    const std::uint64_t away_below = unit_below(mob.away_share[prov][g]);
    const std::uint64_t adult_below = unit_below(1 - l.senior_share[prov]);
    const std::size_t home = prov;
    for (std::uint32_t base = i; base < cell_end; base += kBatch) {
      rng.words_batch(base, 0, Purpose::init, 0, wb);
      const std::uint32_t lim = std::min(kBatch, cell_end - base);
      for (std::uint32_t j = 0; j < lim; ++j) {
        const std::uint32_t w0 = wb.w[0][j], w1 = wb.w[1][j], w2 = wb.w[2][j], w3 = wb.w[3][j];
        Agent a;
        a.traits = 0;
        a.set_region(w0 < away_below ? mob.destination[prov].draw(Rng::to_unit(w1)) : home);
        unsigned age = 1;
        if (group == InsuredGroup::employee_retired) age = 2;
        if (group == InsuredGroup::resident) age = w2 < child_below ? 0 : w2 < adult_below ? 1 : 2;
        const bool chronic = w3 < chronic_below;
        const bool assistance = group == InsuredGroup::resident && w3 < (chronic ? assist_chronic_below : assist_other_below);
        a.set_traits(age, chronic, assistance);
        a.op_deductible = 0;
        a.ytd_pooled = 0;
        a.ytd_layer = 0;
        agents[base + j - first] = a;
      }
    }
    i = cell_end;
  }
}
}  // namespace

AgentVector build_agents(const World&, const SimParams& p, const Layout& l, const Mobility& mob, const Rng& rng,
                         bool parallel, std::uint32_t first, std::uint32_t last) {
  last = std::min(last, l.total);
  first = std::min(first, last);
  AgentVector agents(last - first);  // allocated, not written: each agent is written once, below
  if (!parallel) {
    init_range(agents.data(), first, first, last, p, l, mob, rng);
  } else {
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(first, last, 1u << 16), [&](const tbb::blocked_range<std::uint32_t>& r) {
      init_range(agents.data(), first, r.begin(), r.end(), p, l, mob, rng);
    });
  }
  return agents;
}

}  // namespace yidi::sim
