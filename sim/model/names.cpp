#include "sim/model/names.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace yidi::sim {
namespace {

std::string folded(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '-' || c == '_') continue;
    out += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < 0x80) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

/// Whether `t` is an autonomous prefecture's name without its ethnic groups and suffix: 延边 for
/// 延边朝鲜族自治州, 恩施 for 恩施土家族苗族自治州 (at least two characters, the rest "…族自治州").
bool prefecture_short(const std::string& name, const std::string& t) {
  const std::string suffix = "自治州", ethnic = "族";
  if (t.size() < 6 || name.size() <= t.size() + suffix.size() || name.compare(0, t.size(), t) != 0) return false;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  const std::string middle = name.substr(t.size(), name.size() - t.size() - suffix.size());
  return middle.size() >= ethnic.size() && middle.compare(middle.size() - ethnic.size(), ethnic.size(), ethnic) == 0;
}

/// A Chinese name without its administrative suffix (四川省 → 四川, 广西壮族自治区 → 广西).
std::string short_name(const std::string& name) {
  // Longest first, so that 壮族自治区 goes before 自治区.
  static const std::vector<std::string> suffixes{"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区",
                                                 "自治州", "地区", "省", "市", "盟"};
  for (const auto& s : suffixes)
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
      return name.substr(0, name.size() - s.size());
  return name;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<std::size_t> find_regions(const std::vector<NamedRegion>& regions, std::string_view text) {
  std::vector<std::size_t> out;
  if (text.empty()) return out;
  const std::string t(text);
  auto pass = [&](auto&& match) {
    for (std::size_t i = 0; i < regions.size(); ++i)
      if (match(regions[i])) out.push_back(i);
    return !out.empty();
  };
  if (pass([&](const NamedRegion& r) { return r.code == t; })) return out;
  if (pass([&](const NamedRegion& r) { return !r.name.empty() && r.name == t; })) return out;
  if (pass([&](const NamedRegion& r) { return !r.name.empty() && (short_name(r.name) == t || prefecture_short(r.name, t)); }))
    return out;
  const std::string f = folded(t);
  pass([&](const NamedRegion& r) { return !r.name_en.empty() && folded(r.name_en) == f; });
  return out;
}

std::optional<std::size_t> find_region(const std::vector<NamedRegion>& regions, std::string_view text) {
  const auto all = find_regions(regions, text);
  if (all.size() != 1) return std::nullopt;
  return all.front();
}

std::string region_not_found(const std::vector<NamedRegion>& regions, std::string_view text, const std::string& what,
                             const std::string& where) {
  const auto all = find_regions(regions, text);
  if (all.size() > 1) {
    std::string list;
    for (std::size_t i : all) list += (list.empty() ? "" : ", ") + regions[i].code + " " + regions[i].name;
    return "'" + std::string(text) + "' names " + std::to_string(all.size()) + " " + what + "s: " + list +
           "; give the code or the Chinese name";
  }
  // Suggestions from the English and the Chinese names.
  std::vector<std::string> shown;
  for (const auto& r : regions) {
    if (!r.name_en.empty()) shown.push_back(r.name_en);
    if (!r.name.empty()) shown.push_back(r.name);
    if (r.name_en.empty() && r.name.empty()) shown.push_back(r.code);
  }
  const bool pools = what == "pool";
  return "no " + what + " '" + std::string(text) + "'" + (where.empty() ? "" : " in " + where) + did_you_mean_text(text, shown) +
         "; expected a code (" + (pools ? "440300" : "440000") + "), a Chinese name (" + (pools ? "深圳, 深圳市" : "广东, 广东省") +
         ") or an English name (" + (pools ? "Shenzhen" : "Guangdong") + ")";
}

std::optional<ResolvedRegion> resolve_region(const std::vector<NamedRegion>& provinces, const std::vector<NamedRegion>& pools,
                                             std::string_view text, bool pool_first, std::string& error) {
  const auto province = find_region(provinces, text);
  const auto pool = find_region(pools, text);
  if (pool && (pool_first || !province)) return ResolvedRegion{true, *pool};
  if (province) return ResolvedRegion{false, *province};
  error = find_regions(pools, text).size() > 1
              ? region_not_found(pools, text, "pool", "")
              : region_not_found(provinces, text, "province", "") + (pools.empty() ? "" : ", or a pool");
  return std::nullopt;
}

std::vector<std::string> did_you_mean(std::string_view wrong, const std::vector<std::string>& candidates,
                                      std::size_t most) {
  const std::string w = lower(wrong);
  if (w.empty()) return {};
  const std::size_t limit = std::max<std::size_t>(2, (w.size() + 2) / 3);
  std::vector<std::pair<std::size_t, std::size_t>> scored;  // (distance, index)
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string c = lower(candidates[i]);
    const std::size_t d = edit_distance(w, c);
    const bool contains = (w.size() >= 3 && c.find(w) != std::string::npos) || (c.size() >= 3 && w.find(c) != std::string::npos);
    if (d <= limit || contains) scored.emplace_back(contains ? std::min(d, limit) : d, i);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [d, i] : scored) {
    if (out.size() == most) break;
    if (std::find(out.begin(), out.end(), candidates[i]) == out.end()) out.push_back(candidates[i]);
  }
  return out;
}

std::string did_you_mean_text(std::string_view wrong, const std::vector<std::string>& candidates) {
  const auto close = did_you_mean(wrong, candidates);
  if (close.empty()) return "";
  std::string out = " (did you mean ";
  for (std::size_t i = 0; i < close.size(); ++i)
    out += (i == 0 ? "" : i + 1 == close.size() ? " or " : ", ") + ("'" + close[i] + "'");
  return out + "?)";
}

}  // namespace yidi::sim
