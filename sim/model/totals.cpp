#include "sim/model/totals.hpp"

#include <stdexcept>
#include <string>

namespace yidi::sim {

void MonthTotals::add(const MonthTotals& o) {
  if (o.regions != regions) throw std::invalid_argument("month totals of " + std::to_string(o.regions) + " regions added to totals of " + std::to_string(regions));
  for (std::size_t i = 0; i < offsite.size(); ++i) offsite[i].add(o.offsite[i]);
  for (std::size_t i = 0; i < local.size(); ++i) local[i].add(o.local[i]);
  for (std::size_t i = 0; i < inpatient_reasons.size(); ++i) inpatient_reasons[i] += o.inpatient_reasons[i];
  for (std::size_t i = 0; i < away.size(); ++i) away[i] += o.away[i];
  moves_out += o.moves_out;
  returns += o.returns;
  trips += o.trips;
}

void MonthTotals::clear() { *this = MonthTotals(regions); }

}  // namespace yidi::sim
