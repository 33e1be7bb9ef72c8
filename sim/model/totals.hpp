#pragma once
// What one month of agent steps adds up to: integer sums only (counts and fen), so partial sums
// from any number of threads or ranks combine to the same bytes in any order.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "models/categories.hpp"
#include "models/claim.hpp"

namespace yidi::sim {

inline constexpr std::size_t kGroups = 3;
inline constexpr std::size_t kVisitTypes = 4;
inline constexpr std::size_t kPaths = 2;
inline constexpr std::size_t kReasons = 10;  // PathReason values

/// Sums over the visits of one cell (sample counts, sample fen).
struct Flow {
  std::int64_t visits = 0;
  std::int64_t medfee = 0;
  std::int64_t fund = 0;       // fund_pay_sumamt
  std::int64_t hifp = 0;
  std::int64_t layer = 0;      // hifmi (residents) or hifob (employees)
  std::int64_t maf = 0;
  std::int64_t coaudit_fund = 0;  // fund pay in bills ≥ the co-audit threshold
  void add(const Flow& o) {
    visits += o.visits;
    medfee += o.medfee;
    fund += o.fund;
    hifp += o.hifp;
    layer += o.layer;
    maf += o.maf;
    coaudit_fund += o.coaudit_fund;
  }
  bool operator==(const Flow&) const = default;
};

/// Off-site flows by cell key (MonthTotals::offsite_index), sparse: only the cells some visit
/// reached, so that a world of 400 regions does not hold 400 × 400 dense cells per thread and rank
/// (about 215 MB). An open-addressing hash table of integer keys: no allocation per visit (it
/// doubles when half full), and sums that do not depend on the order they are added in.
class OffsiteFlows {
public:
  /// The flow of cell `key`, created zero on first use.
  Flow& at(std::uint64_t key);
  /// Adds every cell of `o`.
  void add(const OffsiteFlows& o);
  /// Number of cells reached.
  std::size_t size() const { return used_; }
  /// The cells reached, sorted by key: the one order every reader uses.
  std::vector<std::pair<std::uint64_t, Flow>> sorted() const;
  /// The same cells with the same sums (cells of no visits and zero sums count as absent).
  bool operator==(const OffsiteFlows& o) const;

private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  void grow();
  std::vector<std::uint64_t> keys_;
  std::vector<Flow> flows_;
  std::size_t used_ = 0;
};

struct MonthTotals {
  /// Regions of the world (World::size()): every array below is sized from it at run time.
  std::size_t regions = 0;
  /// Off-site visits by cell [insured region][group][treatment region][visit type][path]
  /// (offsite_index), the cells reached only.
  OffsiteFlows offsite;
  /// Local visits settled visit by visit (inpatient stays at home): [region][group][visit type].
  std::vector<Flow> local;
  /// Why off-site inpatient stays were not direct: [insured region][cross 0, intra 1][reason].
  std::vector<std::int64_t> inpatient_reasons;
  /// People living in another region (pool) at month end: [home region][group]; and movers this month.
  std::vector<std::int64_t> away;
  std::int64_t moves_out = 0, returns = 0, trips = 0;

  MonthTotals() = default;  // no regions: a placeholder to assign to
  explicit MonthTotals(std::size_t n)
      : regions(n),
        local(n * kGroups * kVisitTypes),
        inpatient_reasons(n * 2 * kReasons),
        away(n * kGroups) {}

  std::uint64_t offsite_index(std::size_t home, std::size_t group, std::size_t treatment, std::size_t visit,
                              std::size_t path) const {
    return (((home * kGroups + group) * regions + treatment) * kVisitTypes + visit) * kPaths + path;
  }
  /// The cell of an off-site key: (home, group, treatment, visit type, path).
  std::array<std::size_t, 5> offsite_cell(std::uint64_t key) const {
    std::array<std::size_t, 5> c{};
    c[4] = key % kPaths;
    key /= kPaths;
    c[3] = key % kVisitTypes;
    key /= kVisitTypes;
    c[2] = key % regions;
    key /= regions;
    c[1] = key % kGroups;
    c[0] = key / kGroups;
    return c;
  }
  static std::size_t local_index(std::size_t region, std::size_t group, std::size_t visit) {
    return (region * kGroups + group) * kVisitTypes + visit;
  }

  void add(const MonthTotals& o);
  void clear();
  bool operator==(const MonthTotals&) const = default;
};

}  // namespace yidi::sim
