#include "sim/engine/sampling_noise.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <vector>

#include "models/region.hpp"

namespace yidi::sim {

double noise_se(double direct, double stays) {
  if (!(stays > 0)) return std::numeric_limits<double>::infinity();
  const double n = stays + 4, p = (direct + 2) / n;
  return std::sqrt(p * (1 - p) / n);
}

std::int64_t noise_code(std::int64_t direct, std::int64_t stays) {
  if (stays <= 0) return 2;
  return noise_se(static_cast<double>(direct), static_cast<double>(stays)) > kNoiseSe ? 1 : 0;
}

namespace {

/// One rate's counts over the last months, by region: sampled stays and direct ones.
struct Window {
  std::vector<std::int64_t> stays, direct;
  std::vector<int> flagged;  // months flagged 1 or 2
};

Window window(const Results& r, const std::string& rate, const std::string& sample, std::size_t regions, int months) {
  Window w{std::vector<std::int64_t>(regions, 0), std::vector<std::int64_t>(regions, 0), std::vector<int>(regions, 0)};
  const auto& p = r.data(rate).f;
  const auto& n = r.data(sample).i;
  for (std::size_t m = r.months() - static_cast<std::size_t>(months); m < r.months(); ++m)
    for (std::size_t g = 0; g < regions; ++g) {
      const std::int64_t stays = n[m * regions + g];
      // The rate is direct ÷ stays exactly, so the direct count comes back by rounding.
      const std::int64_t direct = stays > 0 ? std::llround(p[m * regions + g] * static_cast<double>(stays)) : 0;
      w.stays[g] += stays;
      w.direct[g] += direct;
      w.flagged[g] += noise_code(direct, stays) != 0 ? 1 : 0;
    }
  return w;
}

NoiseCount count(const Window& w, const std::vector<bool>& can_have, int months, std::int64_t scale) {
  NoiseCount c;
  struct Noisy {
    double se, stays, direct;  // of the average month
  };
  std::vector<Noisy> noisy;
  for (std::size_t g = 0; g < can_have.size(); ++g) {
    if (!can_have[g]) continue;
    ++c.pools;
    if (2 * w.flagged[g] <= months) continue;
    ++c.noisy;
    const double stays = static_cast<double>(w.stays[g]) / months, direct = static_cast<double>(w.direct[g]) / months;
    noisy.push_back({noise_se(direct, stays), stays, direct});
  }
  if (noisy.empty()) return c;
  std::sort(noisy.begin(), noisy.end(), [](const Noisy& a, const Noisy& b) { return a.se < b.se; });
  const Noisy& median = noisy[(noisy.size() - 1) / 2];
  if (median.stays <= 0) return c;  // no stays to scale up
  // At 1:k the average month has stays × scale ÷ k of them; noise_se falls as k falls.
  auto ok = [&](std::int64_t k) {
    const double f = static_cast<double>(scale) / static_cast<double>(k);
    return noise_se(median.direct * f, median.stays * f) <= kNoiseSe;
  };
  if (!ok(1)) {
    c.ratio = -1;
    return c;
  }
  std::int64_t lo = 1, hi = scale;  // ok(lo); the largest k with ok(k) is sought
  if (ok(hi)) lo = hi;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (ok(mid) ? lo : hi) = mid;
  }
  c.ratio = lo;
  return c;
}

}  // namespace

NoiseSummary noise_summary(const Results& results, std::int64_t scale) {
  NoiseSummary s;
  s.scale = scale;
  s.months = static_cast<int>(std::min<std::size_t>(results.months(), kNoiseMonths));
  if (s.months == 0) return s;
  const auto& codes = results.run_labels().regions;
  const std::size_t regions = codes.size();
  // Intra-province care needs another pool in the province.
  std::map<std::uint32_t, int> per_province;
  std::vector<std::uint32_t> province(regions, 0);
  for (std::size_t g = 0; g < regions; ++g) {
    const auto code = RegionCode::parse(codes[g]);
    province[g] = code ? code->province_number() : 0;
    ++per_province[province[g]];
  }
  std::vector<bool> all(regions, true), shared(regions, false);
  for (std::size_t g = 0; g < regions; ++g) shared[g] = per_province[province[g]] > 1;
  // A pool whose province pools at province level in the last month has no intra-province care.
  {
    const auto& pooled = results.data("region/province_pooled").i;
    const std::size_t last = (results.months() - 1) * regions;
    for (std::size_t g = 0; g < regions && last + g < pooled.size(); ++g)
      if (pooled[last + g] != 0) shared[g] = false;
  }
  s.cross = count(window(results, "region/dsr_inpatient", "region/sample_inpatient", regions, s.months), all, s.months,
                  scale);
  s.intra = count(window(results, "region/intra_dsr_inpatient", "region/intra_sample_inpatient", regions, s.months),
                  shared, s.months, scale);
  return s;
}

namespace {
std::string scale_text(std::int64_t k) { return k == 1 ? "1:1 (full scale)" : "1:" + std::to_string(k); }

std::string count_text(const NoiseCount& c, const char* what, std::int64_t scale) {
  std::string out = std::string(what) + " " + std::to_string(c.noisy) + " of " + std::to_string(c.pools);
  if (c.noisy == 0) return out;
  if (c.ratio > 0 && c.ratio >= scale) return out + " (the median one is readable on average at this scale)";
  if (c.ratio > 0) return out + " (" + scale_text(c.ratio) + " would bring the median one under)";
  if (c.ratio < 0) return out + " (not even full scale would bring the median one under)";
  return out + " (the median one had no sampled stays)";
}
}  // namespace

std::string noise_sentence(const NoiseSummary& s) {
  char se[16];
  std::snprintf(se, sizeof se, "%.2f", kNoiseSe);
  return "sampling noise at 1:" + std::to_string(s.scale) + ", last " + std::to_string(s.months) +
         " month(s): pools whose inpatient direct-settlement rate is mostly noise (standard error above " + se +
         "): " + count_text(s.cross, "cross-province", s.scale) + ", " + count_text(s.intra, "intra-province", s.scale);
}

std::int64_t prepayment_noise_code(double se) {
  if (std::isnan(se)) return 2;
  return se > kPrepaymentNoiseSe ? 1 : 0;
}

PrepaymentNoise prepayment_noise(const Results& results, std::int64_t scale) {
  PrepaymentNoise s;
  s.scale = scale;
  s.months = static_cast<int>(std::min<std::size_t>(results.months(), kNoiseMonths));
  if (s.months == 0) return s;
  const auto& se = results.data("prepayment/usage_se").f;
  const std::size_t P = results.run_labels().provinces.size(), first = results.months() - static_cast<std::size_t>(s.months);
  std::vector<std::pair<double, std::size_t>> noisy;  // average se, province
  for (std::size_t p = 0; p < P; ++p) {
    int with_quota = 0, flagged = 0;
    double sum = 0;
    for (std::size_t m = first; m < results.months(); ++m) {
      const double x = se[m * P + p];
      if (std::isnan(x)) continue;
      ++with_quota;
      sum += x;
      flagged += prepayment_noise_code(x) == 1 ? 1 : 0;
    }
    if (with_quota == 0) continue;
    ++s.provinces;
    if (2 * flagged <= with_quota) continue;
    ++s.noisy;
    noisy.emplace_back(sum / with_quota, p);
  }
  if (noisy.empty()) return s;
  std::sort(noisy.begin(), noisy.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (const auto& [x, p] : noisy) s.worst.push_back(p);
  const double median = noisy[noisy.size() / 2].first;
  const double r = static_cast<double>(scale) * (kPrepaymentNoiseSe / median) * (kPrepaymentNoiseSe / median);
  s.ratio = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(r)));
  return s;
}

std::string prepayment_noise_sentence(const Results& results, const PrepaymentNoise& s, std::size_t shown) {
  char se[16];
  std::snprintf(se, sizeof se, "%.2f", kPrepaymentNoiseSe);
  std::string out = "prepayment at 1:" + std::to_string(s.scale) + ", last " + std::to_string(s.months) +
                    " month(s): provinces whose usage and warnings are mostly sampling noise (prepayment/usage_se above " +
                    se + "): " + std::to_string(s.noisy) + " of " + std::to_string(s.provinces);
  if (s.noisy == 0) return out;
  const RunLabels& l = results.run_labels();
  out += " (";
  for (std::size_t i = 0; i < s.worst.size() && i < shown; ++i) {
    const std::size_t p = s.worst[i];
    const bool named = p < l.province_names_en.size() && !l.province_names_en[p].empty();
    out += (i ? ", " : "") + (named ? l.province_names_en[p] : l.provinces[p]);
  }
  if (s.worst.size() > shown) out += ", …";
  out += "); their top-ups are not an answer at this scale";
  if (s.ratio < s.scale) out += ", " + scale_text(s.ratio) + " would bring the median one under";
  return out;
}

}  // namespace yidi::sim
