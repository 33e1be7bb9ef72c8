#pragma once
// A small multi-dimensional view over contiguous row-major (C order) data, std::mdspan's idea in
// C++20: the extents are set at run time, e.g. View<std::int64_t, 3>{data, {years, regions, categories}},
// and v(i, j, k) is data[(i · regions + j) · categories + k]. No ownership, no copies. Indices are
// checked against the extents in debug builds (assert).
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace yidi::sim {

template <class T, std::size_t N>
class View {
public:
  using Extents = std::array<std::size_t, N>;

  constexpr View() = default;
  /// A view of `data` with these extents (data holds at least their product).
  constexpr View(T* data, Extents extents) : data_(data), extents_(extents) {}
  /// A view of all of `data`: std::length_error unless its size is the product of the extents.
  View(std::span<T> data, Extents extents) : data_(data.data()), extents_(extents) {
    if (data.size() != size())
      throw std::length_error("view of " + std::to_string(data.size()) + " elements with extents of " +
                              std::to_string(size()));
  }

  constexpr std::size_t extent(std::size_t d) const { return extents_[d]; }
  constexpr const Extents& extents() const { return extents_; }
  /// Number of elements: the product of the extents (1 for N = 0, a scalar).
  constexpr std::size_t size() const {
    std::size_t n = 1;
    for (std::size_t e : extents_) n *= e;
    return n;
  }
  constexpr T* data() const { return data_; }

  /// The element at (i0, i1, ...): row-major offset, the last index fastest.
  template <class... I>
    requires(sizeof...(I) == N && (std::integral<I> && ...))
  constexpr T& operator()(I... i) const {
    const std::array<std::size_t, N> idx{static_cast<std::size_t>(i)...};
    std::size_t o = 0;
    for (std::size_t d = 0; d < N; ++d) {
      assert(idx[d] < extents_[d]);
      o = o * extents_[d] + idx[d];
    }
    return data_[o];
  }

  /// The sub-view with the first index fixed at i.
  constexpr View<T, N - 1> operator[](std::size_t i) const
    requires(N > 0)
  {
    assert(i < extents_[0]);
    std::array<std::size_t, N - 1> rest{};
    for (std::size_t d = 1; d < N; ++d) rest[d - 1] = extents_[d];
    const View<T, N - 1> sub(data_, rest);
    return View<T, N - 1>(data_ + i * sub.size(), rest);
  }

private:
  T* data_ = nullptr;
  Extents extents_{};
};

}  // namespace yidi::sim
