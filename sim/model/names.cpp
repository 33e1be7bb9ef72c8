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

std::optional<std::size_t> find_region(const std::vector<NamedRegion>& regions, std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::string t(text);
  for (std::size_t i = 0; i < regions.size(); ++i)
    if (regions[i].code == t) return i;
  for (std::size_t i = 0; i < regions.size(); ++i)
    if (!regions[i].name.empty() && (regions[i].name == t || short_name(regions[i].name) == t)) return i;
  const std::string f = folded(t);
  for (std::size_t i = 0; i < regions.size(); ++i)
    if (!regions[i].name_en.empty() && folded(regions[i].name_en) == f) return i;
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
