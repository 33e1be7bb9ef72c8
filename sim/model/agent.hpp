#pragma once
// One insured person in 12 bytes, so 1.35 billion (15 GiB) fit in 20 GiB with room for the rest.
// The home province and the group are not stored: agents are laid out by home province then group
// (population.hpp, Layout), so they follow from the agent's index. What does not fit is either
// derived (long-term filing category from the group; filing propensity from a latent draw) or not
// tracked (documented in sim/README.md).
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "models/categories.hpp"

namespace yidi::sim {

/// No default member initialisers: a population is allocated without being written, and the
/// initialisation (population.cpp) writes every field of every agent.
struct Agent {
  /// Regions an agent's 10-bit region index can name (World::size() must not exceed it).
  static constexpr std::size_t kMaxRegions = 1024;
  std::uint8_t away;            // low 8 bits of the region index where the person lives now (== home at home)
  std::uint8_t traits;          // age band:2 chronic:1 assistance:1 admissions:2 region high bits:2
  std::uint16_t op_deductible;  // outpatient annual deductible met this year, whole yuan (floored)
  std::uint32_t ytd_pooled;     // pooled fund paid this year, inpatient cap pool, fen (saturating)
  std::uint32_t ytd_layer;      // in-policy burden after the pooled fund this year, fen (saturating)

  unsigned age_band() const { return traits & 3u; }  // residents: 0 child, 1 adult, 2 senior
  bool chronic() const { return (traits >> 2) & 1u; }
  bool assistance() const { return (traits >> 3) & 1u; }
  unsigned admissions() const { return (traits >> 4) & 3u; }  // this year, 3 = three or more
  /// The region where the person lives now: `away` and the top two bits of `traits` (bits 8–9).
  /// With fewer than 257 regions the high bits are 0, so the bytes are those of an 8-bit index.
  std::size_t region() const { return static_cast<std::size_t>(away) | (static_cast<std::size_t>(traits >> 6) << 8); }
  /// Sets region() to r (< kMaxRegions), leaving the other traits.
  void set_region(std::size_t r) {
    away = static_cast<std::uint8_t>(r & 0xFFu);
    traits = static_cast<std::uint8_t>((traits & 0x3Fu) | (((r >> 8) & 3u) << 6));
  }
  bool is_away(std::size_t home) const { return region() != home; }

  /// Sets the age band, chronic condition and assistance eligibility; clears the admissions and
  /// leaves the region's high bits.
  void set_traits(unsigned age, bool chronic_condition, bool assistance_eligible) {
    traits = static_cast<std::uint8_t>((traits & 0xC0u) | age | (chronic_condition ? 1u << 2 : 0u) |
                                       (assistance_eligible ? 1u << 3 : 0u));
  }
  void set_admissions(unsigned n) {
    traits = static_cast<std::uint8_t>((traits & ~(3u << 4)) | ((n > 3 ? 3u : n) << 4));
  }
  /// A new year: the accumulators start again.
  void reset_year() {
    set_admissions(0);
    op_deductible = 0;
    ytd_pooled = 0;
    ytd_layer = 0;
  }
  bool operator==(const Agent&) const = default;
};
static_assert(sizeof(Agent) == 12, "an agent must stay 12 bytes");

/// Allocates once, leaves elements default-initialised (so a population is not written twice),
/// and puts allocations of 2 MiB or more on 2 MiB boundaries with transparent huge pages asked for
/// (madvise), so stepping 15 GiB of agents does not walk four million page-table entries.
template <class T>
struct PopulationAllocator {
  using value_type = T;
  PopulationAllocator() = default;
  template <class U>
  PopulationAllocator(const PopulationAllocator<U>&) {}
  static constexpr std::size_t kHuge = std::size_t{2} << 20;
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    const std::size_t align = bytes >= kHuge ? kHuge : 64;
    void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (bytes >= kHuge) ::madvise(p, (bytes + kHuge - 1) / kHuge * kHuge, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { std::free(p); }
  template <class U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;  // default-initialisation: nothing written
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const PopulationAllocator<U>&) const { return true; }
};

/// The agents of a population (or of a rank's part of it), in layout order.
using AgentVector = std::vector<Agent, PopulationAllocator<Agent>>;

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
