#include "sim/model/totals.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace yidi::sim {

Flow& OffsiteFlows::at(std::uint64_t key) {
  if (2 * (used_ + 1) > keys_.size()) grow();
  const std::size_t mask = keys_.size() - 1;
  // Fibonacci hashing of the key (high bits folded down), then linear probing.
  const std::uint64_t h = key * 0x9E3779B97F4A7C15ull;
  std::size_t i = static_cast<std::size_t>(h ^ (h >> 32)) & mask;
  while (keys_[i] != key) {
    if (keys_[i] == kEmpty) {
      keys_[i] = key;
      ++used_;
      break;
    }
    i = (i + 1) & mask;
  }
  return flows_[i];
}

void OffsiteFlows::grow() {
  std::vector<std::uint64_t> keys = std::move(keys_);
  std::vector<Flow> flows = std::move(flows_);
  const std::size_t n = keys.empty() ? 1024 : keys.size() * 2;
  keys_.assign(n, kEmpty);
  flows_.assign(n, Flow{});
  used_ = 0;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] != kEmpty) at(keys[i]) = flows[i];
}

void OffsiteFlows::add(const OffsiteFlows& o) {
  for (std::size_t i = 0; i < o.keys_.size(); ++i)
    if (o.keys_[i] != kEmpty) at(o.keys_[i]).add(o.flows_[i]);
}

std::vector<std::pair<std::uint64_t, Flow>> OffsiteFlows::sorted() const {
  std::vector<std::pair<std::uint64_t, Flow>> out;
  out.reserve(used_);
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] != kEmpty) out.emplace_back(keys_[i], flows_[i]);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

bool OffsiteFlows::operator==(const OffsiteFlows& o) const {
  auto nonzero = [](const OffsiteFlows& x) {
    auto v = x.sorted();
    std::erase_if(v, [](const auto& e) { return e.second == Flow{}; });
    return v;
  };
  return nonzero(*this) == nonzero(o);
}

void MonthTotals::add(const MonthTotals& o) {
  if (o.regions != regions) throw std::invalid_argument("month totals of " + std::to_string(o.regions) + " regions added to totals of " + std::to_string(regions));
  offsite.add(o.offsite);
  for (std::size_t i = 0; i < local.size(); ++i) local[i].add(o.local[i]);
  for (std::size_t i = 0; i < inpatient_reasons.size(); ++i) inpatient_reasons[i] += o.inpatient_reasons[i];
  for (std::size_t i = 0; i < away.size(); ++i) away[i] += o.away[i];
  moves_out += o.moves_out;
  returns += o.returns;
  trips += o.trips;
}

void MonthTotals::clear() { *this = MonthTotals(regions); }

}  // namespace yidi::sim
