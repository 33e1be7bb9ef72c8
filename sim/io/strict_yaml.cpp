#include "sim/io/strict_yaml.hpp"

#include <yaml-cpp/eventhandler.h>

#include <charconv>
#include <cmath>
#include <map>
#include <sstream>
#include <vector>

namespace yidi::io {
namespace {

InputLocation locate(const std::string& file, const YAML::Mark& m) {
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

/// Walks yaml-cpp's parse events (the nodes before yaml-cpp builds them, with their tags and
/// anchors, and every key of a mapping even when repeated) and refuses what the header lists.
class StrictChecker : public YAML::EventHandler {
public:
  StrictChecker(const std::string& file, const std::string& strip) : file_(file), strip_(strip) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      fail(mark, "", "a second YAML document (after '---'); expected one document per file");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (stack_.empty()) return;  // an empty document ("~" alone): like an empty file
    if (key_expected()) fail(mark, top().path, "expected a name as key, got nothing");
    check_anchor(mark, anchor);
    const Frame& f = top();
    if (f.map) fail(f.key_mark, value_path(), "no value after '" + f.key + ":'; expected a value");
    fail(mark, value_path(), "an empty list item; expected a value");
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, key_expected() ? top().path : value_path(),
         "YAML aliases (*name) are not supported; write the value out");
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    check_tag(mark, tag);
    check_anchor(mark, anchor);
    if (key_expected()) {
      Frame& f = top();
      const auto [it, fresh] = f.keys.emplace(value, mark.line + 1);
      if (!fresh)
        fail(mark, join(f.path, value),
             "key '" + value + "' appears twice " + (f.path.empty() ? std::string("at the top level")
                                                                   : "under '" + shown_path(f.path) + "'") +
                 " (first on line " + std::to_string(it->second) + ")");
      f.key = value;
      f.key_mark = mark;
      f.want_key = false;
      return;
    }
    done_value();
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, false, "a list");
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, true, "a mapping");
  }
  void OnMapEnd() override { close(); }

private:
  struct Frame {
    bool map = false;
    std::string path;            // the collection's own field path
    bool want_key = true;        // mappings: the next node is a key
    std::string key;             // mappings: the current key
    YAML::Mark key_mark;         // ... and where it is
    std::size_t index = 0;       // lists: the next item's index
    std::map<std::string, int> keys;  // mappings: each key and its 1-based line
  };

  Frame& top() { return stack_.back(); }
  bool key_expected() const { return !stack_.empty() && stack_.back().map && stack_.back().want_key; }

  static std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
  std::string value_path() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    return f.map ? join(f.path, f.key) : f.path + "[" + std::to_string(f.index) + "]";
  }
  std::string shown_path(const std::string& path) const {
    return path.rfind(strip_, 0) == 0 && !strip_.empty() ? path.substr(strip_.size()) : path;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, bool map, const char* what) {
    if (key_expected()) fail(mark, top().path, std::string("expected a name as key, got ") + what);
    check_tag(mark, tag);
    check_anchor(mark, anchor);
    Frame f;
    f.map = map;
    f.path = value_path();
    stack_.push_back(std::move(f));
  }
  void close() {
    stack_.pop_back();
    done_value();
  }
  void done_value() {
    if (stack_.empty()) return;
    Frame& f = top();
    if (f.map) f.want_key = true;
    else ++f.index;
  }

  void check_tag(const YAML::Mark& mark, const std::string& tag) {
    // "?": no tag (plain), "!": the non-specific tag of a quoted scalar.
    if (tag.empty() || tag == "?" || tag == "!") return;
    // Shown as written: yaml-cpp expands "!!float" to "tag:yaml.org,2002:float".
    const std::string core = "tag:yaml.org,2002:";
    const std::string written = tag.rfind(core, 0) == 0 ? "!!" + tag.substr(core.size()) : tag;
    fail(mark, key_expected() ? top().path : value_path(),
         "YAML tags such as '" + written + "' are not supported; expected a plain value (remove the tag)");
  }
  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor == YAML::NullAnchor) return;
    fail(mark, key_expected() ? top().path : value_path(),
         "YAML anchors (&name) are not supported; write the value out");
  }
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path, const std::string& message) const {
    throw InputError(locate(file_, mark), shown_path(path), message);
  }

  const std::string& file_;
  const std::string& strip_;
  int documents_ = 0;
  std::vector<Frame> stack_;
};

std::string mib(std::uintmax_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

std::string supported_months_text() {
  return std::to_string(kFirstSupportedYear) + "-01 to " + std::to_string(kLastSupportedYear) + "-12";
}

std::optional<Date> parse_supported_date(std::string_view text) {
  const auto d = Date::parse(text);
  if (!d || d->year() < kFirstSupportedYear || d->year() > kLastSupportedYear) return std::nullopt;
  return d;
}

std::string supported_date_form() {
  return "an ISO date from " + std::to_string(kFirstSupportedYear) + "-01-01 to " + std::to_string(kLastSupportedYear) +
         "-12-31 such as 2025-01-01";
}

YAML::Node load_strict_yaml(std::string_view text, const std::string& file, const std::string& strip_field_prefix) {
  if (text.size() > kMaxConfigFileBytes)
    throw InputError({file, 0, 0}, "",
                     "the file exceeds the size limit of " + mib(kMaxConfigFileBytes) + " (" +
                         std::to_string(kMaxConfigFileBytes) + " bytes) for scenario, policy and clearing files");
  const std::string owned(text);
  try {
    std::istringstream in(owned);
    YAML::Parser parser(in);
    StrictChecker checker(file, strip_field_prefix);
    while (parser.HandleNextDocument(checker)) {
    }
    return YAML::Load(owned);
  } catch (const YAML::Exception& e) {
    throw InputError(locate(file, e.mark), "", "YAML syntax error: " + e.msg);
  }
}

std::string read_config_file(const std::string& path, const std::string& what) {
  return read_text_file(path, what, kMaxConfigFileBytes);
}

std::optional<std::int64_t> parse_whole_number(std::string_view t) {
  const std::string_view digits = !t.empty() && t.front() == '-' ? t.substr(1) : t;
  if (digits.empty()) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_unsigned_number(std::string_view t) {
  if (t.empty()) return std::nullopt;
  for (char c : t)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_decimal(std::string_view t) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - from;
  };
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  const std::size_t whole = digits();
  std::size_t frac = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    frac = digits();
    if (frac == 0 && whole == 0) return std::nullopt;
  }
  if (whole == 0 && frac == 0) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  // from_chars does not take a leading '+'.
  const std::string_view body = t.front() == '+' ? t.substr(1) : t;
  double v = 0;
  const auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec != std::errc{} || p != body.data() + body.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace yidi::io
