#pragma once
// Rule parameters as data: a schema naming every parameter, and a tree of dated values per
// region, each citing its source (OpenFisca's parameters/ tree). A region inherits what it does
// not set from its province, and the province from the national defaults.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "models/policy.hpp"

namespace yidi {

enum class ParamType : std::uint8_t { boolean, integer, money, ratio, points, bands, reduction, choice, text_list };
std::string_view to_string(ParamType);
/// What a value of this type looks like, for error messages ("a ratio such as 0.85 or 85%").
std::string_view expected_form(ParamType);

using ParamValue = std::variant<bool, std::int64_t, Money, Ratio, Points, Bands, Reduction, std::string,
                                std::vector<std::string>>;
std::string to_string(const ParamValue&);

struct ParamSpec {
  std::string path;
  ParamType type;
  std::string description;
  std::vector<std::string> choices;  // for ParamType::choice
  bool national_only = false;
};

/// Every parameter the engines read, by full dotted path (e.g.
/// "benefit.employee_retired.inpatient.ratio.level3").
class ParamSchema {
public:
  static const ParamSchema& get();
  const ParamSpec* find(std::string_view path) const;
  /// Paths of all leaves at or under `prefix` (a prefix ends at a dot boundary).
  std::vector<const ParamSpec*> under(std::string_view prefix) const;
  /// The keys allowed directly below `prefix` ("" = top level), for "expected one of" messages.
  std::vector<std::string> children(std::string_view prefix) const;
  const std::vector<ParamSpec>& all() const { return specs_; }

private:
  ParamSchema();
  std::vector<ParamSpec> specs_;
  std::map<std::string, std::size_t, std::less<>> by_path_;
};

/// Error in policy data or in a value given for a parameter. A validation error also names the
/// region, date and parameter it is about, so callers can point at the offending value.
class PolicyError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  PolicyError(const std::string& message, RegionCode region, Date date, std::string parameter)
      : std::runtime_error(message), region_(region), date_(date), parameter_(std::move(parameter)) {}
  /// Empty unless the error is about one parameter of one region on one date.
  const std::string& parameter() const { return parameter_; }
  RegionCode region() const { return region_; }
  Date date() const { return date_; }

private:
  RegionCode region_;
  Date date_;
  std::string parameter_;
};

/// Parses one scalar for a parameter of `type` (not bands or lists); nullopt if malformed.
std::optional<ParamValue> parse_scalar(ParamType type, std::string_view text, const ParamSpec* spec = nullptr);

struct DatedValue {
  Date from;
  ParamValue value;
  const std::string* source = nullptr;  // the document cited, or "assumed: ..."
  std::string origin;                   // where it was read, "scenarios/policy/national.yaml:12"
};

/// What the region registry knows of one region.
struct RegionInfo {
  RegionCode code;
  std::string name;
  std::string name_en;
};

/// The national pseudo-region holding defaults.
inline constexpr RegionCode kNational = RegionCode::of(0);

class PolicyBook {
public:
  PolicyBook();
  PolicyBook(PolicyBook&&) noexcept;
  PolicyBook& operator=(PolicyBook&&) noexcept;
  ~PolicyBook();

  /// Registers a region; a city's province must be registered first.
  void add_region(RegionInfo info);
  bool has_region(RegionCode code) const;
  const RegionInfo* region(RegionCode code) const;
  std::vector<RegionCode> regions() const;

  /// Adds a dated value; throws PolicyError (naming `origin`) if the path is unknown, the type
  /// does not match, the region is unknown or a national-only parameter is set for a region.
  /// `replace_later`: a reform overlay — values of this region and path dated after `from` are
  /// dropped, so that from `from` on this value holds.
  void set(RegionCode region, std::string_view path, Date from, ParamValue value, std::string_view source,
           std::string origin, bool replace_later = false);

  /// The value in force for `path` on `date`, walking region → province → national.
  const DatedValue& lookup(RegionCode region, std::string_view path, Date date) const;

  InsuredPolicy insured_policy(RegionCode region, Date date) const;
  Catalogue catalogue(RegionCode region, Date date) const;
  NationalRules national(Date date) const;

  /// Builds every region's snapshot at every date on which one of its values changes and checks
  /// it (reductions within national ceilings, band order, ratios within 0–100%). Throws PolicyError.
  void validate() const;
  /// Dates on which any value changes, sorted.
  std::vector<Date> change_dates() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Checks one snapshot against the national rules; throws PolicyError naming the parameter.
void check_policy(const InsuredPolicy& policy, const NationalRules& national);

}  // namespace yidi
