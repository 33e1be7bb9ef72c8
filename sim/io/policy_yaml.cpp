#include "sim/io/policy_yaml.hpp"
// Reads the policy tree (format: scenarios/policy/README.md). Every error is an InputError
// naming the file, the 1-based line and column of the offending YAML node, the dotted parameter
// path and the form that was expected; nothing is half-loaded silently.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <variant>

#include "sim/io/claims_csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/strict_yaml.hpp"
#include "sim/model/names.hpp"

namespace yidi::io {
namespace {

const std::string kDatedKeys = "from, source, value";
/// The largest whole-number parameter (months or days: 100 years of months).
constexpr std::int64_t kMaxPolicyInteger = 1200;

std::string join(const std::vector<std::string>& parts, std::string_view sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string dotted(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

/// How a node looks in a message: its text if scalar, else its shape.
std::string shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  return "a mapping";
}

InputLocation locate(const std::string& file, const YAML::Mark& m) {
  if (m.is_null()) return InputLocation{file, 0, 0};
  return InputLocation{file, m.line + 1, m.column + 1};
}

bool has_key(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return false;
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  return false;
}

YAML::Node child(const YAML::Node& map, std::string_view key) {
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  return YAML::Node(YAML::NodeType::Undefined);
}

/// One problem found while interpreting a value, before we know whether it is fatal (a broadcast
/// tries every leaf beneath it and only fails when none accepts the value).
struct Problem {
  YAML::Mark mark;
  std::string message;
};
using Interpreted = std::variant<ParamValue, Problem>;

std::string expected(const ParamSpec& spec) {
  if (spec.type == ParamType::choice) return "one of: " + join(spec.choices);
  if (spec.type == ParamType::integer) return "a whole number from 0 to " + std::to_string(kMaxPolicyInteger);
  return std::string(expected_form(spec.type));
}

Problem wrong(const ParamSpec& spec, const YAML::Node& n) {
  return Problem{n.Mark(), "expected " + expected(spec) + ", got " + shown(n)};
}

/// Progressive bands: [{upto: 10000, ratio: 0.8}, {ratio: 0.9}]; every band but the last has an
/// increasing `upto` (cumulative, from the start of the schedule); the last is open-ended.
Interpreted interpret_bands(const YAML::Node& n, const ParamSpec& spec) {
  if (n.size() == 0) return wrong(spec, n);
  Bands bands;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const YAML::Node band = n[i];
    const bool last = i + 1 == n.size();
    if (!band.IsMap() || !has_key(band, "ratio"))
      return Problem{band.Mark(), "expected a band such as {upto: 10000, ratio: 0.8} (the last without upto), got " +
                                      shown(band)};
    for (const auto& kv : band) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      if (k != "ratio" && k != "upto")
        return Problem{kv.first.Mark(), "unknown key '" + k + "' in a band; expected one of: ratio, upto"};
    }
    RatioBand rb;
    const YAML::Node ratio = child(band, "ratio");
    const auto r = ratio.IsScalar() ? Ratio::parse(ratio.Scalar()) : std::nullopt;
    if (!r || !r->in_unit_interval())
      return Problem{ratio.Mark(), "expected a ratio such as 0.85 or 85% for the band, got " + shown(ratio)};
    rb.ratio = *r;
    if (has_key(band, "upto")) {
      const YAML::Node upto = child(band, "upto");
      if (last)
        return Problem{upto.Mark(), "the last band is open-ended: remove its 'upto'"};
      const auto m = upto.IsScalar() ? Money::parse(upto.Scalar()) : std::nullopt;
      if (!m || m->is_negative() || m->is_zero())
        return Problem{upto.Mark(), "expected an amount in yuan such as 10000 for 'upto', got " + shown(upto)};
      if (!bands.empty() && *m <= bands.back().upto)
        return Problem{upto.Mark(), "band limits must increase: " + m->str() + " after " + bands.back().upto.str()};
      rb.upto = *m;
    } else if (!last) {
      return Problem{band.Mark(), "every band but the last needs 'upto'"};
    }
    bands.push_back(rb);
  }
  return ParamValue{std::move(bands)};
}

Interpreted interpret(const YAML::Node& n, const ParamSpec& spec) {
  if (spec.type == ParamType::text_list) {
    if (!n.IsSequence()) return wrong(spec, n);
    std::vector<std::string> names;
    for (const auto& item : n) {
      if (!item.IsScalar() || item.Scalar().empty())
        return Problem{item.Mark(), "expected a name in the list, got " + shown(item)};
      names.push_back(item.Scalar());
    }
    return ParamValue{std::move(names)};
  }
  if (spec.type == ParamType::bands && n.IsSequence()) return interpret_bands(n, spec);
  if (!n.IsScalar()) return wrong(spec, n);
  auto v = parse_scalar(spec.type, n.Scalar(), &spec);
  if (!v) return wrong(spec, n);
  // Whole numbers count months or days, and are used as int: a larger one would wrap.
  if (const auto* i = std::get_if<std::int64_t>(&*v); i && *i > kMaxPolicyInteger) return wrong(spec, n);
  return *std::move(v);
}

/// One dated value as written: the node holding the value, its start date and its source.
struct Entry {
  YAML::Node value;
  Date from;
  std::string source;
  YAML::Mark mark;
};

/// The file being read.
struct FileContext {
  PolicyBook& book;
  std::string file;
  RegionCode region;
  Date effective_from;
  bool overlay = false;  // a reform overlay: each value holds from its date on, replacing later ones

  [[noreturn]] void fail(const YAML::Mark& m, std::string field, std::string message) const {
    throw InputError(locate(file, m), std::move(field), std::move(message));
  }
};

bool is_dated_map(const YAML::Node& n) { return n.IsMap() && has_key(n, "value"); }

Entry dated_entry(const FileContext& ctx, const YAML::Node& n, const std::string& source, const std::string& field) {
  Entry e{child(n, "value"), ctx.effective_from, source, n.Mark()};
  for (const auto& kv : n) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (k == "value") continue;
    if (k == "from") {
      const auto d = kv.second.IsScalar() ? parse_supported_date(kv.second.Scalar()) : std::nullopt;
      if (!d) ctx.fail(kv.second.Mark(), field, "expected " + supported_date_form() + ", got " + shown(kv.second));
      e.from = *d;
    } else if (k == "source") {
      if (!kv.second.IsScalar() || kv.second.Scalar().empty())
        ctx.fail(kv.second.Mark(), field, "expected a citation such as \"seed 003 §四\", got " + shown(kv.second));
      e.source = kv.second.Scalar();
    } else {
      ctx.fail(kv.first.Mark(), field, "unknown key '" + k + "' in a dated value; expected one of: " + kDatedKeys);
    }
  }
  return e;
}

/// The value forms: a plain value (scalar, bands list or name list), one dated map, or a list of
/// dated maps (a history). nullopt: `n` is a mapping of further keys, not a value.
std::optional<std::vector<Entry>> entries_of(const FileContext& ctx, const YAML::Node& n, const std::string& source,
                                             const std::string& field) {
  if (is_dated_map(n)) return std::vector<Entry>{dated_entry(ctx, n, source, field)};
  if (n.IsMap()) return std::nullopt;
  if (n.IsSequence() && n.size() > 0 && is_dated_map(n[0])) {
    std::vector<Entry> out;
    std::map<Date, YAML::Mark> seen;
    for (const auto& item : n) {
      if (!is_dated_map(item))
        ctx.fail(item.Mark(), field,
                 "in a dated history every entry is {value: X, from: DATE, source: S}, got " + shown(item));
      out.push_back(dated_entry(ctx, item, source, field));
      if (!seen.emplace(out.back().from, item.Mark()).second)
        ctx.fail(item.Mark(), field, "two values from " + out.back().from.str() + " in one history");
    }
    return out;
  }
  return std::vector<Entry>{Entry{n, ctx.effective_from, source, n.Mark()}};
}

/// "origin" strings stored in the book are "FILE:LINE:COL"; reads one back.
InputLocation parse_origin(const std::string& origin) {
  InputLocation loc{origin, 0, 0};
  const auto c2 = origin.rfind(':');
  if (c2 == std::string::npos || c2 == 0) return loc;
  const auto c1 = origin.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return loc;
  try {
    loc.line = std::stoi(origin.substr(c1 + 1, c2 - c1 - 1));
    loc.column = std::stoi(origin.substr(c2 + 1));
    loc.file = origin.substr(0, c1);
  } catch (const std::exception&) {
    return InputLocation{origin, 0, 0};
  }
  return loc;
}

void set_value(FileContext& ctx, const ParamSpec& spec, const Entry& e, ParamValue value, const YAML::Mark& where) {
  if (e.source.empty())
    ctx.fail(where, spec.path,
             "no source: cite the document (source: \"seed 003 §四\") or write source: \"assumed: <why>\"");
  const InputLocation loc = locate(ctx.file, where);
  const std::string origin = format_location(loc);
  try {
    ctx.book.set(ctx.region, spec.path, e.from, std::move(value), e.source, origin, ctx.overlay);
  } catch (const PolicyError& err) {
    std::string msg = err.what();
    if (msg.rfind(origin + ": ", 0) == 0) msg.erase(0, origin.size() + 2);
    throw InputError(loc, spec.path, msg);
  }
}

void set_leaf(FileContext& ctx, const ParamSpec& spec, const YAML::Node& n, const std::string& source) {
  const auto entries = entries_of(ctx, n, source, spec.path);
  if (!entries)
    ctx.fail(n.Mark(), spec.path,
             "'" + spec.path + "' is a single parameter: expected " + expected(spec) +
                 ", or {value: X, from: DATE, source: S}, got a mapping of other keys");
  for (const Entry& e : *entries) {
    Interpreted v = interpret(e.value, spec);
    if (auto* p = std::get_if<Problem>(&v)) ctx.fail(p->mark.is_null() ? e.mark : p->mark, spec.path, p->message);
    set_value(ctx, spec, e, std::get<ParamValue>(std::move(v)), e.value.IsDefined() ? e.value.Mark() : e.mark);
  }
}

/// A value written at a group is set on every parameter beneath it that accepts it ("ratio: 0.8"
/// sets level1..3); if parameters of more than one type accept it, it is ambiguous.
void broadcast(FileContext& ctx, const std::string& prefix, const std::vector<Entry>& entries) {
  std::vector<const ParamSpec*> leaves = ParamSchema::get().under(prefix);
  if (ctx.region != kNational)
    std::erase_if(leaves, [](const ParamSpec* s) { return s->national_only; });
  std::set<ParamType> types_beneath;
  for (const auto* s : leaves) types_beneath.insert(s->type);
  for (const Entry& e : entries) {
    std::vector<std::pair<const ParamSpec*, ParamValue>> accepted;
    std::set<ParamType> types;
    std::optional<Problem> first_problem;
    for (const auto* s : leaves) {
      Interpreted v = interpret(e.value, *s);
      if (auto* p = std::get_if<Problem>(&v)) {
        if (!first_problem) first_problem = *p;
        continue;
      }
      types.insert(s->type);
      accepted.emplace_back(s, std::get<ParamValue>(std::move(v)));
    }
    const YAML::Mark where = e.value.IsDefined() ? e.value.Mark() : e.mark;
    if (accepted.empty()) {
      if (types_beneath.size() == 1 && first_problem)
        ctx.fail(first_problem->mark.is_null() ? where : first_problem->mark, prefix, first_problem->message);
      std::vector<std::string> names;
      for (auto t : types_beneath) names.emplace_back(to_string(t));
      ctx.fail(where, prefix,
               "a value here is set on every parameter under '" + prefix + "' that accepts it, but none accepts " +
                   shown(e.value) + " (types there: " + join(names) + "); expected keys, one of: " +
                   join(ParamSchema::get().children(prefix)));
    }
    if (types.size() > 1) {
      std::vector<std::string> names;
      for (auto t : types) names.emplace_back(to_string(t));
      ctx.fail(where, prefix,
               shown(e.value) + " is ambiguous under '" + prefix + "': it could be a " + join(names, " or ") +
                   " value; set it one level further down");
    }
    for (auto& [spec, value] : accepted) set_value(ctx, *spec, e, std::move(value), where);
  }
}

void walk(FileContext& ctx, const YAML::Node& n, const std::string& prefix, const std::string& source) {
  if (const ParamSpec* spec = ParamSchema::get().find(prefix)) {
    set_leaf(ctx, *spec, n, source);
    return;
  }
  const std::string shown_prefix = prefix.empty() ? "policy" : prefix;
  if (!n.IsDefined() || n.IsNull())
    ctx.fail(n.Mark(), prefix,
             "'" + shown_prefix + "' is empty: expected keys, one of: " + join(ParamSchema::get().children(prefix)));
  if (const auto entries = entries_of(ctx, n, source, prefix)) {
    if (prefix.empty()) ctx.fail(n.Mark(), "policy", "expected a mapping of parameters, got " + shown(n));
    broadcast(ctx, prefix, *entries);
    return;
  }
  // A group: `source:` sets the default citation of its subtree; other keys name children,
  // possibly several at once ("inpatient,chronic_outpatient").
  std::string src = source;
  if (has_key(n, "source")) {
    const YAML::Node s = child(n, "source");
    if (!s.IsScalar() || s.Scalar().empty())
      ctx.fail(s.Mark(), dotted(prefix, "source"), "expected a citation such as \"seed 003 §四\", got " + shown(s));
    src = s.Scalar();
  }
  const std::vector<std::string> allowed = ParamSchema::get().children(prefix);
  for (const auto& kv : n) {
    // Keys are names, each once per mapping: load_strict_yaml has refused anything else.
    const std::string key = kv.first.Scalar();
    if (key == "source") continue;
    std::vector<std::string> names;
    std::stringstream parts(key);
    for (std::string part; std::getline(parts, part, ',');) names.push_back(trim(part));
    for (const std::string& name : names) {
      if (name.empty())
        ctx.fail(kv.first.Mark(), dotted(prefix, key), "empty name in the key list '" + key + "'");
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
        ctx.fail(kv.first.Mark(), dotted(prefix, name),
                 "unknown key '" + name + "' under '" + shown_prefix + "'" + sim::did_you_mean_text(name, allowed) +
                     "; expected one of: " + join(allowed));
      if (prefix.empty() && name == "national" && ctx.region != kNational)
        ctx.fail(kv.first.Mark(), "national",
                 "national rules (national.*) can only be set in a file with region: national");
    }
    for (const std::string& name : names) walk(ctx, kv.second, dotted(prefix, name), src);
  }
}

YAML::Node parse_yaml(std::string_view text, const std::string& file) {
  // Field names in messages are parameter paths, without the "policy." they sit under.
  return load_strict_yaml(text, file, "policy.");
}

std::string read_file(const std::filesystem::path& p) { return read_config_file(p.string(), "policy file"); }

/// Policy files named "<code>-<name>.yaml" must be about that region.
std::optional<RegionCode> region_in_file_name(const std::string& file) {
  const std::string base = std::filesystem::path(file).filename().string();
  if (base.size() < 8 || base[6] != '-') return std::nullopt;
  return RegionCode::parse(std::string_view(base).substr(0, 6));
}

/// Where a PolicyError from validate() points: "region R on D: PATH ..." names the region, date
/// and parameter; the value in force there says where it was read.
InputError locate_validation_error(const PolicyBook& book, const PolicyError& e, const std::string& fallback_file) {
  InputLocation loc{fallback_file, 0, 0};
  if (!e.parameter().empty()) {
    try {
      loc = parse_origin(book.lookup(e.region(), e.parameter(), e.date()).origin);
    } catch (const PolicyError&) {
      // no value to point at: keep the folder as the location
    }
  }
  return InputError(loc, e.parameter(), e.what());
}

void validate_located(const PolicyBook& book, const std::string& fallback_file) {
  try {
    book.validate();
  } catch (const PolicyError& e) {
    throw locate_validation_error(book, e, fallback_file);
  }
}

std::vector<std::filesystem::path> yaml_files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

namespace {
void load_registry_root(PolicyBook& book, const YAML::Node& root, const std::string& file);
void load_policy_root(PolicyBook& book, const YAML::Node& root, const std::string& file, bool overlay);
}  // namespace

void load_region_registry(PolicyBook& book, std::string_view text, const std::string& file) {
  const YAML::Node root = parse_yaml(text, file);
  with_file_name(file, [&] { load_registry_root(book, root, file); });
}

void load_policy_text(PolicyBook& book, std::string_view text, const std::string& file, bool overlay) {
  const YAML::Node root = parse_yaml(text, file);
  with_file_name(file, [&] { load_policy_root(book, root, file, overlay); });
}

namespace {
void load_registry_root(PolicyBook& book, const YAML::Node& root, const std::string& file) {
  if (root.IsNull()) throw InputError({file, 1, 1}, "", "expected a list of regions, got nothing");
  const std::string form = "a list of regions such as - {code: \"131000\", name: 廊坊市, name_en: Langfang}";
  if (!root.IsSequence()) throw InputError(locate(file, root.Mark()), "", "expected " + form + ", got " + shown(root));
  // Codes listed in this file, to tell "province listed later" from "province missing".
  std::map<RegionCode, int> lines;
  for (const auto& item : root)
    if (item.IsMap() && child(item, "code").IsScalar())
      if (auto c = RegionCode::parse(child(item, "code").Scalar())) lines.emplace(*c, item.Mark().line + 1);
  std::map<RegionCode, int> added;
  for (const auto& item : root) {
    if (!item.IsMap()) throw InputError(locate(file, item.Mark()), "", "expected " + form + ", got " + shown(item));
    for (const auto& kv : item) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      if (k != "code" && k != "name" && k != "name_en")
        throw InputError(locate(file, kv.first.Mark()), k,
                         "unknown key '" + k + "' in a region; expected one of: code, name, name_en");
      if (!kv.second.IsScalar() || kv.second.Scalar().empty())
        throw InputError(locate(file, kv.second.Mark()), k, "expected text, got " + shown(kv.second));
    }
    for (const char* k : {"code", "name", "name_en"})
      if (!has_key(item, k)) throw InputError(locate(file, item.Mark()), k, std::string("missing '") + k + "'");
    const YAML::Node code_node = child(item, "code");
    const auto code = RegionCode::parse(code_node.Scalar());
    if (!code)
      throw InputError(locate(file, code_node.Mark()), "code",
                       "expected a 6-digit region code (GB/T 2260) such as \"131000\", got " + shown(code_node));
    const std::string name = child(item, "name").Scalar();
    if (book.has_region(*code))
      throw InputError(locate(file, code_node.Mark()), "code",
                       "region " + code->str() + " is listed twice" +
                           (added.count(*code) ? " (first on line " + std::to_string(added[*code]) + ")" : ""));
    if (!code->is_province() && !book.has_region(code->province())) {
      const auto later = lines.find(code->province());
      throw InputError(locate(file, code_node.Mark()), "code",
                       later != lines.end()
                           ? "city " + code->str() + " (" + name + ") comes before its province " +
                                 code->province().str() + " (line " + std::to_string(later->second) +
                                 "); list each province before its cities"
                           : "city " + code->str() + " (" + name + "): its province " + code->province().str() +
                                 " is not in the registry; add it before its cities");
    }
    book.add_region(RegionInfo{*code, name, child(item, "name_en").Scalar()});
    added.emplace(*code, item.Mark().line + 1);
  }
}

void load_policy_root(PolicyBook& book, const YAML::Node& root, const std::string& file, bool overlay) {
  const std::vector<std::string> top = {"effective_from", "policy", "region", "source"};
  if (!root.IsMap())
    throw InputError(root.IsNull() ? InputLocation{file, 1, 1} : locate(file, root.Mark()), "",
                     "expected a mapping with keys " + join(top) + ", got " + shown(root));
  for (const auto& kv : root) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (std::find(top.begin(), top.end(), k) == top.end())
      throw InputError(locate(file, kv.first.Mark()), k,
                       "unknown top-level key '" + k + "'; expected one of: " + join(top));
  }
  for (const char* k : {"region", "effective_from", "policy"})
    if (!has_key(root, k)) throw InputError(locate(file, root.Mark()), k, std::string("missing top-level key '") + k + "'");

  FileContext ctx{book, file, kNational, Date{}, overlay};
  const YAML::Node region = child(root, "region");
  // `region: all` sets the values on every registered region (a reform overlay applying everywhere,
  // over the provinces' and cities' own values).
  const bool all = region.IsScalar() && region.Scalar() == "all";
  std::vector<RegionCode> listed;  // `region: ["310000", "320000"]`: the same values for each
  if (region.IsSequence()) {
    for (const auto& item : region) {
      const auto code = item.IsScalar() ? RegionCode::parse(item.Scalar()) : std::nullopt;
      if (!code) ctx.fail(item.Mark(), "region", "expected a 6-digit region code such as \"131000\", got " + shown(item));
      if (!book.has_region(*code))
        ctx.fail(item.Mark(), "region", "unknown region '" + code->str() + "': not in the region registry (regions.yaml)");
      listed.push_back(*code);
    }
    if (listed.empty()) ctx.fail(region.Mark(), "region", "expected at least one region code");
  }
  if (!all && listed.empty() && (!region.IsScalar() || region.Scalar() != "national")) {
    const auto code = region.IsScalar() ? RegionCode::parse(region.Scalar()) : std::nullopt;
    if (!code)
      ctx.fail(region.Mark(), "region",
               "expected \"national\", \"all\" or a 6-digit region code such as \"131000\", got " + shown(region));
    if (!book.has_region(*code))
      ctx.fail(region.Mark(), "region", "unknown region '" + code->str() + "': not in the region registry (regions.yaml)");
    if (const auto named = region_in_file_name(file); named && *named != *code)
      ctx.fail(region.Mark(), "region",
               "the file name says region " + named->str() + " but the file sets region " + code->str());
    ctx.region = *code;
  }
  const YAML::Node from = child(root, "effective_from");
  const auto date = from.IsScalar() ? parse_supported_date(from.Scalar()) : std::nullopt;
  if (!date) ctx.fail(from.Mark(), "effective_from", "expected " + supported_date_form() + ", got " + shown(from));
  ctx.effective_from = *date;
  std::string source;
  if (has_key(root, "source")) {
    const YAML::Node s = child(root, "source");
    if (!s.IsScalar() || s.Scalar().empty())
      ctx.fail(s.Mark(), "source", "expected a citation such as \"seed 003 §四\", got " + shown(s));
    source = s.Scalar();
  }
  const YAML::Node policy = child(root, "policy");
  if (!policy.IsMap()) ctx.fail(policy.Mark(), "policy", "expected a mapping of parameters, got " + shown(policy));
  if (!all && listed.empty()) {
    walk(ctx, policy, "", source);
    return;
  }
  for (RegionCode r : all ? book.regions() : listed) {
    ctx.region = r;
    walk(ctx, policy, "", source);
  }
}
}  // namespace

namespace {
/// An overlay: a file on disk, or else a file embedded in the binary under that path.
}  // namespace

std::pair<std::string, std::string> overlay_text(const std::filesystem::path& p) {
  const std::string shown = p.generic_string();
  if (shown.rfind("<embedded>/", 0) == 0) {
    const auto e = embedded_file(shown.substr(11));
    if (!e) throw InputError(InputLocation{shown, 0, 0}, "", "not embedded in this binary");
    return {std::string(*e), shown};
  }
  // The error_code form: a name the system refuses (too long, ENAMETOOLONG) is a file not found
  // here, and reading it then says why, as an InputError.
  std::error_code ec;
  if (std::filesystem::exists(p, ec) || !embedded_file(p.generic_string())) return {read_file(p), p.string()};
  return {std::string(*embedded_file(p.generic_string())), "<embedded>/" + p.generic_string()};
}

std::string overlay_digest(const std::filesystem::path& p) {
  try {
    const auto [text, name] = overlay_text(p);
    return (name.rfind("<embedded>/", 0) == 0 ? "embedded, sha256 " : "sha256 ") + sha256_hex(text);
  } catch (const InputError&) {
    return "not readable";  // loading the policy book reports it, with the reason
  }
}

PolicyBook load_policy_dir(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& overlays) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw InputError(InputLocation{dir.string(), 0, 0}, "", "policy folder not found");
  PolicyBook book;
  const auto registry = dir / "regions.yaml";
  load_region_registry(book, read_file(registry), registry.string());
  const auto national = dir / "national.yaml";
  load_policy_text(book, read_file(national), national.string());
  for (const char* sub : {"provinces", "regions"})
    for (const auto& p : yaml_files_in(dir / sub)) load_policy_text(book, read_file(p), p.string());
  for (const auto& p : overlays) {
    const auto [text, name] = overlay_text(p);
    load_policy_text(book, text, name, true);
  }
  validate_located(book, dir.string());
  return book;
}

PolicyBook load_embedded_policy(const std::vector<std::filesystem::path>& overlays) {
  const std::string root = "scenarios/policy/";
  const std::string shown_root = "<embedded>/";
  auto text_of = [&](const std::string& path) {
    const auto t = embedded_file(path);
    if (!t) throw InputError(InputLocation{shown_root + path, 0, 0}, "", "not embedded in this binary");
    return *t;
  };
  PolicyBook book;
  load_region_registry(book, text_of(root + "regions.yaml"), shown_root + root + "regions.yaml");
  load_policy_text(book, text_of(root + "national.yaml"), shown_root + root + "national.yaml");
  for (const char* sub : {"provinces/", "regions/"}) {
    const std::string prefix = root + sub;
    std::vector<EmbeddedFile> files;
    for (const auto& f : embedded_files())
      if (f.path.size() > prefix.size() && f.path.substr(0, prefix.size()) == prefix &&
          f.path.find('/', prefix.size()) == std::string_view::npos && f.path.ends_with(".yaml"))
        files.push_back(f);
    std::sort(files.begin(), files.end(), [](const EmbeddedFile& a, const EmbeddedFile& b) { return a.path < b.path; });
    for (const auto& f : files) load_policy_text(book, f.text, shown_root + std::string(f.path));
  }
  for (const auto& p : overlays) {
    const auto [text, name] = overlay_text(p);
    load_policy_text(book, text, name, true);
  }
  validate_located(book, shown_root + root);
  return book;
}

}  // namespace yidi::io
