#include "models/rounding.hpp"

#include <stdexcept>

namespace yidi {

void split_in_proportion(Money whole, std::span<const Money> weights, std::span<Money> parts, Rounding rounding) {
  if (weights.size() != parts.size()) throw std::invalid_argument("split_in_proportion: as many parts as weights");
  Wide total = 0;
  std::size_t last = weights.size();
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i].is_negative() || weights[i].is_unlimited())
      throw std::invalid_argument("split_in_proportion: weight " + weights[i].str() + "; expected a finite amount ≥ 0");
    total += weights[i].fen();
    if (!weights[i].is_zero()) last = i;
  }
  if (last == weights.size()) {
    if (!whole.is_zero())
      throw std::invalid_argument("split_in_proportion: " + whole.str() + " to split over weights that are all zero");
    for (Money& p : parts) p = Money::zero();
    return;
  }
  Money rest = whole;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (i == last) {
      parts[i] = rest;  // the last non-zero part by subtraction: the parts sum to the whole
    } else {
      parts[i] = weights[i].is_zero() ? Money::zero()
                                      : rounding.quotient(static_cast<Wide>(whole.fen()) * weights[i].fen(), total);
      rest -= parts[i];
    }
  }
}

}  // namespace yidi
