#pragma once
// Regions and names as users type them: a code ("510000"), a Chinese name with or without its
// administrative suffix ("四川省", "四川"), an English name in any case ("Sichuan"); and "did you
// mean" suggestions for a mistyped name of anything (measures, parameters, regions).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yidi::sim {

struct NamedRegion {
  std::string code, name, name_en;
};

/// The regions `text` names: a code equal to it, a Chinese name equal to it or to it plus one of the
/// suffixes 省 市 自治区 特别行政区 地区 盟 自治州 (and the ethnic autonomous regions' full names:
/// 广西 for 广西壮族自治区, 延边 for 延边朝鲜族自治州), an English name equal to it ignoring case,
/// spaces and hyphens. The kinds of match are tried in that order and the first kind that matches
/// gives all its regions: more than one when two pools share an English name (Suzhou: 苏州 and
/// 宿州), which callers must refuse, naming them.
std::vector<std::size_t> find_regions(const std::vector<NamedRegion>& regions, std::string_view text);

/// The one region `text` names, or nullopt if none does or several do (find_regions).
std::optional<std::size_t> find_region(const std::vector<NamedRegion>& regions, std::string_view text);

/// "no province 'X' in FILE (did you mean …?); expected …" or "'Suzhou' names 2 pools: 320500 苏州市,
/// 341300 宿州市; give the code or the Chinese name": the message for a name find_region refused.
std::string region_not_found(const std::vector<NamedRegion>& regions, std::string_view text, const std::string& what,
                             const std::string& where);

/// A province or a pool named by `text` (find_region): a province first, then a pool, unless
/// `pool_first` (a measure given by pool only: 北京 is then the pool 110000, which shares the
/// province's code). `pool` says which list `index` is in. When neither names it, nullopt and
/// `error` holds region_not_found's message ("…, or a pool"), or the list of pools an ambiguous name
/// gives (Suzhou).
struct ResolvedRegion {
  bool pool = false;
  std::size_t index = 0;
};
std::optional<ResolvedRegion> resolve_region(const std::vector<NamedRegion>& provinces, const std::vector<NamedRegion>& pools,
                                             std::string_view text, bool pool_first, std::string& error);

/// Up to `most` of `candidates` closest to `wrong` by edit distance (case-insensitive, counting
/// bytes), those within max(2, ⌈length/3⌉) edits, closest first (ties in the candidates' order);
/// and any candidate that contains `wrong` (of at least 3 characters) or is contained in it.
std::vector<std::string> did_you_mean(std::string_view wrong, const std::vector<std::string>& candidates,
                                      std::size_t most = 3);

/// " (did you mean 'a' or 'b'?)" from did_you_mean (empty when nothing is close).
std::string did_you_mean_text(std::string_view wrong, const std::vector<std::string>& candidates);

}  // namespace yidi::sim
