#pragma once
// One insured person in 16 bytes, so 1.33 billion fit in 24 GiB with headroom. What does not fit
// is either derived (long-term filing category from the group; filing propensity from a latent
// draw) or not tracked (documented in sim/README.md).
#include <cstdint>

#include "models/categories.hpp"

namespace yidi::sim {

struct Agent {
  std::uint16_t home = 0;         // insured province index (the pooling region whose fund pays)
  std::uint16_t away = 0;         // province index where the person lives now (== home at home)
  std::uint16_t traits = 0;       // group:2 age band:2 chronic:1 assistance:1 admissions:2
  std::uint16_t op_deductible = 0;  // outpatient annual deductible met this year, whole yuan (floored)
  std::uint32_t ytd_pooled = 0;   // pooled fund paid this year, inpatient cap pool, fen (saturating)
  std::uint32_t ytd_layer = 0;    // in-policy burden after the pooled fund this year, fen (saturating)

  InsuredGroup group() const { return static_cast<InsuredGroup>(traits & 3u); }
  unsigned age_band() const { return (traits >> 2) & 3u; }  // residents: 0 child, 1 adult, 2 senior
  bool chronic() const { return (traits >> 4) & 1u; }
  bool assistance() const { return (traits >> 5) & 1u; }
  unsigned admissions() const { return (traits >> 6) & 3u; }  // this year, 3 = three or more
  bool is_away() const { return away != home; }
  bool is_away(std::size_t home_province) const { return away != home_province; }

  void set_traits(InsuredGroup g, unsigned age, bool chronic_condition, bool assistance_eligible) {
    traits = static_cast<std::uint16_t>(static_cast<unsigned>(g) | (age << 2) | (chronic_condition ? 1u << 4 : 0u) |
                                        (assistance_eligible ? 1u << 5 : 0u));
  }
  void set_admissions(unsigned n) {
    traits = static_cast<std::uint16_t>((traits & ~(3u << 6)) | ((n > 3 ? 3u : n) << 6));
  }
  /// A new year: the accumulators start again.
  void reset_year() {
    set_admissions(0);
    op_deductible = 0;
    ytd_pooled = 0;
    ytd_layer = 0;
  }
};
static_assert(sizeof(Agent) == 16, "an agent must stay 16 bytes");

/// The filing category a long-term off-site person holds, by group [seed 000, 003, 004].
constexpr FilingCategory long_term_category(InsuredGroup g) {
  switch (g) {
    case InsuredGroup::employee_in_service: return FilingCategory::stationed_worker;
    case InsuredGroup::employee_retired: return FilingCategory::retiree_resettled;
    case InsuredGroup::resident: return FilingCategory::long_term_resident;
  }
  return FilingCategory::long_term_resident;
}

}  // namespace yidi::sim
