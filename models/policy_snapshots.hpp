#pragma once
// Snapshots of the policy book, cached per (region, date), for `yidi settle`, `yidi bench` and the
// simulator: building one walks every parameter through region → province → national, so a claims
// file with many visits per region and date builds each once. Values change only on the book's change
// dates, so the cache key is the latest change date on or before the visit's date: visits between
// two change dates share one snapshot. Not thread-safe: build snapshots first, then share the
// (stable) references across threads.
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "models/parameters.hpp"

namespace yidi {

class PolicySnapshots {
public:
  explicit PolicySnapshots(const PolicyBook& book) : book_(book), changes_(book.change_dates()) {}

  /// The insured region's policy in force on `date`. Throws PolicyError if the book has no value.
  const InsuredPolicy& insured(RegionCode region, Date date) {
    const auto key = std::make_pair(region, effective(date));
    auto it = insured_.find(key);
    if (it == insured_.end()) it = insured_.emplace(key, book_.insured_policy(region, key.second)).first;
    return it->second;
  }
  /// The treatment region's catalogue in force on `date`.
  const Catalogue& catalogue(RegionCode region, Date date) {
    const auto key = std::make_pair(region, effective(date));
    auto it = catalogue_.find(key);
    if (it == catalogue_.end()) it = catalogue_.emplace(key, book_.catalogue(region, key.second)).first;
    return it->second;
  }
  const NationalRules& national(Date date) {
    const Date key = effective(date);
    auto it = national_.find(key);
    if (it == national_.end()) it = national_.emplace(key, book_.national(key)).first;
    return it->second;
  }
  /// Snapshots built so far (insured policies + catalogues + national rules).
  std::size_t built() const { return insured_.size() + catalogue_.size() + national_.size(); }

private:
  /// The latest change date on or before `date` (the date itself if none is).
  Date effective(Date date) const {
    const auto it = std::upper_bound(changes_.begin(), changes_.end(), date);
    return it == changes_.begin() ? date : *std::prev(it);
  }

  const PolicyBook& book_;
  std::vector<Date> changes_;
  std::map<std::pair<RegionCode, Date>, InsuredPolicy> insured_;
  std::map<std::pair<RegionCode, Date>, Catalogue> catalogue_;
  std::map<Date, NationalRules> national_;
};

}  // namespace yidi
