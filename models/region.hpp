#pragma once
// Region codes: the 6-digit administrative division codes (医保区划, `admdvs`) of the national
// interface. A province code is its first two digits followed by 0000 [interface].
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yidi {

class RegionCode {
public:
  constexpr RegionCode() = default;
  /// nullopt unless six digits with a non-zero province part (this checks form, not existence;
  /// existence is the region registry's business).
  static std::optional<RegionCode> parse(std::string_view text);
  static constexpr RegionCode of(std::uint32_t code) { return RegionCode(code); }

  constexpr std::uint32_t value() const { return code_; }
  /// The two-digit province number (11 = Beijing, 66 = XPCC).
  constexpr std::uint32_t province_number() const { return code_ / 10000; }
  constexpr RegionCode province() const { return RegionCode(province_number() * 10000); }
  constexpr bool is_province() const { return code_ % 10000 == 0; }
  std::string str() const { return std::to_string(code_); }
  constexpr auto operator<=>(const RegionCode&) const = default;

private:
  constexpr explicit RegionCode(std::uint32_t c) : code_(c) {}
  std::uint32_t code_ = 0;
};

/// 跨省: different provinces [interface].
constexpr bool is_cross_province(RegionCode a, RegionCode b) { return a.province_number() != b.province_number(); }
/// 省内异地: same province, different pooling region.
constexpr bool is_intra_province_offsite(RegionCode a, RegionCode b) {
  return a.province_number() == b.province_number() && a != b;
}

}  // namespace yidi
