#pragma once
// Sampling noise (issue 14): whether a pool's direct-settlement rate, estimated from the few
// sampled stays behind it, can be read at the run's scale — month by month (region/dsr_noisy,
// region/intra_dsr_noisy) and over a run's last year (the `yidi run` summary line and the
// noise_* root attributes, outputs/SCHEMA.md).
#include <cstdint>
#include <string>

#include "sim/engine/results.hpp"

namespace yidi::sim {

/// A rate whose sampling standard error is above this is mostly noise [assumed]: 0.05 is five
/// percentage points, so an approximate 95% interval (± 2 SE) is then wider than ± 10 points, as
/// wide as the gap between a pool at the 70% target and one at 60%; a pool figure that cannot tell
/// those apart answers no question the report or the notebooks ask of it.
inline constexpr double kNoiseSe = 0.05;
/// The summary looks at the run's last this many months (fewer if the run is shorter): a year, so
/// that every calendar month is in it once.
inline constexpr int kNoiseMonths = 12;

/// The standard error the flags use, of a rate with `direct` direct stays of `stays`: √(p̃(1−p̃)/ñ)
/// with the Agresti–Coull adjustment p̃ = (direct + 2)/(stays + 4), ñ = stays + 4 (two direct and
/// two manual stays added). Unlike the plain √(p(1−p)/n) of region/dsr_inpatient_se it is not 0
/// for a pool whose handful of stays were all direct (or all manual). Doubles, so that a month's
/// average over a year can be put in. Infinite with no stays.
double noise_se(double direct, double stays);

/// A month's flag: 0 readable (noise_se at most kNoiseSe), 1 mostly noise, 2 no sampled stays.
std::int64_t noise_code(std::int64_t direct, std::int64_t stays);

/// A province's prepayment usage whose sampling standard error is above this is mostly noise
/// [assumed]: 0.10 is ten points of usage, so the typical month-end usage (about 50%: a month's
/// payments outstanding against a quota of two) is then within 4 standard errors of the 90% red
/// line, and noise alone turns provinces red and asks for top-ups (issue 17).
inline constexpr double kPrepaymentNoiseSe = 0.10;
/// A month's prepayment flag: 0 readable, 1 mostly noise (se above kPrepaymentNoiseSe), 2 no quota (NaN).
std::int64_t prepayment_noise_code(double se);

/// The prepayment summary over a run's last months (prepayment/usage_se and prepayment/noisy).
struct PrepaymentNoise {
  std::int64_t scale = 1;
  int months = 0;
  std::size_t provinces = 0;   // provinces with a quota in some month looked at
  std::size_t noisy = 0;       // of which flagged mostly noise in more than half of those months
  std::vector<std::size_t> worst;  // the noisy ones, largest average usage_se first
  /// The sampling ratio 1:`ratio` that would bring the median noisy province's average usage_se to
  /// kPrepaymentNoiseSe (the variance of a scaled sum grows as the scale: se ∝ √scale); 0 if none is noisy.
  std::int64_t ratio = 0;
};
PrepaymentNoise prepayment_noise(const Results& results, std::int64_t scale);
/// The summary as a sentence of the `yidi run` line (without its "yidi run: ").
std::string prepayment_noise_sentence(const Results& results, const PrepaymentNoise& s, std::size_t shown = 5);

/// One rate's summary over the last months.
struct NoiseCount {
  std::size_t pools = 0;  // pools that can have the rate (intra-province: a province of two or more)
  std::size_t noisy = 0;  // of which flagged (1 or 2) in more than half of the months
  /// The sampling ratio 1:`ratio` that would bring the median noisy pool's average-month
  /// noise_se to kNoiseSe or under (stays scale as 1/scale), at most the run's; −1 if not even
  /// full scale would; 0 if no pool is noisy or the median one had no sampled stays (nothing to
  /// scale). Intra-province: pools of a province with another pool, not pooling at province level
  /// in the last month.
  std::int64_t ratio = 0;
};
struct NoiseSummary {
  std::int64_t scale = 1;  // the run's: an agent stands for `scale` persons
  int months = 0;          // months looked at
  NoiseCount cross, intra;
};

/// The summary of a run's results (region/sample_inpatient, region/dsr_inpatient and their intra
/// twins) at its scale.
NoiseSummary noise_summary(const Results& results, std::int64_t scale);

/// The summary as the sentence of the `yidi run` line (without its "yidi run: ") and of the report.
std::string noise_sentence(const NoiseSummary& s);

}  // namespace yidi::sim
