#include "models/parameters.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

namespace yidi {

std::string_view to_string(ParamType t) {
  switch (t) {
    case ParamType::boolean: return "boolean";
    case ParamType::integer: return "integer";
    case ParamType::money: return "money";
    case ParamType::ratio: return "ratio";
    case ParamType::points: return "points";
    case ParamType::bands: return "bands";
    case ParamType::reduction: return "reduction";
    case ParamType::choice: return "choice";
    case ParamType::text_list: return "text_list";
  }
  return "?";
}

std::string_view expected_form(ParamType t) {
  switch (t) {
    case ParamType::boolean: return "true or false";
    case ParamType::integer: return "a whole number such as 12";
    case ParamType::money: return "an amount in yuan with at most 2 decimals and at most 10^12, such as 1300 or 48.89";
    case ParamType::ratio: return "a ratio such as 0.85 or 85% (at most 1 basis point of precision)";
    case ParamType::points: return "percentage points such as 10";
    case ParamType::bands:
      return "a ratio such as 0.85, or a list of bands [{upto: 10000, ratio: 0.8}, {ratio: 0.9}]";
    case ParamType::reduction: return "none, minus points such as -10pp, or a multiplier such as x0.8";
    case ParamType::choice: return "one of the listed choices";
    case ParamType::text_list: return "a list of names";
  }
  return "?";
}

std::string to_string(const ParamValue& v) {
  struct V {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(Money m) const { return m.str(); }
    std::string operator()(Ratio r) const { return r.str(); }
    std::string operator()(Points p) const {
      const auto s = Ratio::bp(p.bp).str();
      return s.substr(0, s.size() - 1) + "pp";
    }
    std::string operator()(const Bands& b) const {
      if (b.size() == 1) return b[0].ratio.str();
      std::string out = "[";
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (i) out += ", ";
        out += b[i].upto.is_unlimited() ? std::string("rest") : "to " + b[i].upto.str();
        out += ": " + b[i].ratio.str();
      }
      return out + "]";
    }
    std::string operator()(const Reduction& r) const { return r.str(); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = "[";
      for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + l[i];
      return out + "]";
    }
  };
  return std::visit(V{}, v);
}

// ---------------------------------------------------------------------------------------------
// Schema

namespace {
/// The labels of a category's members, in order: what the schema's paths and choices are made of.
template <class E, std::size_t N>
std::vector<std::string> labels_of(const std::array<E, N>& all) {
  std::vector<std::string> out;
  for (E e : all) out.emplace_back(to_string(e));
  return out;
}
std::vector<std::string> names_of_groups() { return labels_of(kInsuredGroups); }
std::vector<std::string> names_of_visits() { return labels_of(kVisitTypes); }
std::vector<std::string> names_of_levels() { return labels_of(kHospitalLevels); }
std::vector<std::string> names_of_categories() { return labels_of(kFilingCategories); }
}  // namespace

ParamSchema::ParamSchema() {
  auto add = [this](std::string path, ParamType type, std::string desc, std::vector<std::string> choices = {},
                    bool national_only = false) {
    specs_.push_back(ParamSpec{std::move(path), type, std::move(desc), std::move(choices), national_only});
  };
  for (const auto& g : names_of_groups()) {
    for (const auto& v : names_of_visits()) {
      const std::string b = "benefit." + g + "." + v + ".";
      add(b + "covered", ParamType::boolean, "whether the pooled fund pays for this visit type at all");
      add(b + "deductible.kind", ParamType::choice, "deductible (起付标准) per admission, annual, or none",
          labels_of(kDeductibleKinds));
      for (const auto& l : names_of_levels()) {
        for (auto o : kAdmissionOrdinals) {
          switch (o) {
            case AdmissionOrdinal::first:
              add(b + "deductible." + l + ".first", ParamType::money, "deductible for the year's first admission");
              break;
            case AdmissionOrdinal::second:
              add(b + "deductible." + l + ".second", ParamType::money, "deductible for the year's second admission");
              break;
            case AdmissionOrdinal::third_plus:
              add(b + "deductible." + l + ".third_plus", ParamType::money,
                  "deductible for the third and later admissions");
              break;
          }
        }
        add(b + "deductible." + l + ".annual", ParamType::money, "annual deductible");
        add(b + "ratio." + l, ParamType::bands, "pooled-fund ratio (支付比例), progressive bands over the amount above the deductible");
      }
      add(b + "annual_cap", ParamType::money, "pooled fund's annual cap (最高支付限额) for the cap pool");
      add(b + "cap_pool", ParamType::choice, "which annual cap this visit type counts against", labels_of(kCapPools));
    }
  }
  for (const std::string layer : {"critical_illness", "large_expense"}) {
    const std::string b = layer + ".";
    add(b + "enabled", ParamType::boolean, "whether the layer exists");
    add(b + "threshold", ParamType::money, "annual threshold on the cumulative in-policy burden");
    add(b + "bands", ParamType::bands, "ratios over the burden above the threshold");
    add(b + "annual_cap", ParamType::money, "annual cap of the layer");
    for (const auto& v : names_of_visits())
      add(b + "applies." + v, ParamType::boolean, "whether the layer covers this visit type");
  }
  add("assistance.ratio", ParamType::ratio, "medical assistance (医疗救助) share of the remaining in-policy burden");
  add("assistance.annual_cap", ParamType::money, "medical assistance annual cap");
  for (const auto& v : names_of_visits())
    add("assistance.applies." + v, ParamType::boolean, "whether assistance covers this visit type");
  for (const auto& v : names_of_visits())
    for (const auto& c : names_of_categories())
      add("reduction." + v + "." + c, ParamType::reduction, "off-site reduction for this filing category");
  add("reduction_scope", ParamType::choice,
      "which off-site visits the reduction table applies to: all_offsite (intra- and cross-province) or "
      "cross_province (intra-province visits take reduction_intra)",
      labels_of(kReductionScopes));
  for (const auto& v : names_of_visits())
    for (const auto& c : names_of_categories())
      add("reduction_intra." + v + "." + c, ParamType::reduction,
          "off-site reduction for this filing category on intra-province visits, where reduction_scope is "
          "cross_province");
  add("reduction_base", ParamType::choice, "what the reduction is taken off", labels_of(kReductionBases));
  add("chronic_diseases", ParamType::text_list, "chronic/special outpatient diseases covered (门诊慢特病病种)");
  add("filing.temporary_validity_months", ParamType::integer, "validity of a temporary filing, months");
  add("filing.commitment_days", ParamType::integer, "days to supply missing documents of a commitment filing");
  add("filing.long_term_lock_months", ParamType::integer, "months a long-term filing cannot be cancelled");
  add("filing.long_term_indefinite", ParamType::boolean,
      "long-term filings never expire (else they last as long as their supporting material)");
  for (const auto& v : names_of_visits())
    add("filing.requires_filing." + v, ParamType::boolean, "whether direct settlement needs a filing");
  add("filing.retroactive_before_discharge", ParamType::boolean,
      "a filing made before discharge still allows direct settlement");
  add("filing.free_zone", ParamType::text_list,
      "province codes where this region's insured need no filing (免备案 / 视同备案 zones such as the Yangtze River Delta)");
  add("filing.free_zone_category", ParamType::choice, "the filing category a free-zone visit is treated as",
      names_of_categories());
  add("manual.extra_reduction", ParamType::points, "further cut of the ratio on the manual path");
  add("manual.lag_months", ParamType::integer, "months from discharge to manual reimbursement");
  add("manual.claim_share", ParamType::ratio, "share of manual-path patients who ever claim");
  for (const auto& v : names_of_visits())
    add("catalogue.selfpay_prop_b." + v, ParamType::ratio, "乙 self-pay-first share in the treatment region's catalogue");
  for (const auto& c : names_of_categories())
    add("national.reduction_ceiling." + c, ParamType::points, "largest reduction a region may set", {}, true);
  add("national.coaudit_threshold", ParamType::money, "single cross-province inpatient bill sent to co-audit", {},
      true);
  for (std::size_t i = 0; i < specs_.size(); ++i) by_path_.emplace(specs_[i].path, i);
}

const ParamSchema& ParamSchema::get() {
  static const ParamSchema schema;
  return schema;
}

const ParamSpec* ParamSchema::find(std::string_view path) const {
  const auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &specs_[it->second];
}

std::vector<const ParamSpec*> ParamSchema::under(std::string_view prefix) const {
  std::vector<const ParamSpec*> out;
  for (const auto& s : specs_) {
    if (prefix.empty() || s.path == prefix ||
        (s.path.size() > prefix.size() && s.path.compare(0, prefix.size(), prefix) == 0 &&
         s.path[prefix.size()] == '.'))
      out.push_back(&s);
  }
  return out;
}

std::vector<std::string> ParamSchema::children(std::string_view prefix) const {
  std::set<std::string> keys;
  for (const auto* s : under(prefix)) {
    if (s->path.size() == prefix.size()) continue;
    const std::size_t start = prefix.empty() ? 0 : prefix.size() + 1;
    const auto dot = s->path.find('.', start);
    keys.insert(s->path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
  }
  return {keys.begin(), keys.end()};
}

std::optional<ParamValue> parse_scalar(ParamType type, std::string_view t, const ParamSpec* spec) {
  switch (type) {
    case ParamType::boolean:
      if (t == "true") return ParamValue{true};
      if (t == "false") return ParamValue{false};
      return std::nullopt;
    case ParamType::integer: {
      std::int64_t v = 0;
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc{} || p != t.data() + t.size() || v < 0) return std::nullopt;
      return ParamValue{v};
    }
    case ParamType::money: {
      auto m = Money::parse(t);
      if (!m || m->is_negative()) return std::nullopt;
      return ParamValue{*m};
    }
    case ParamType::ratio: {
      auto r = Ratio::parse(t);
      if (!r || !r->in_unit_interval()) return std::nullopt;
      return ParamValue{*r};
    }
    case ParamType::points: {
      if (t.size() > 2 && t.substr(t.size() - 2) == "pp") t.remove_suffix(2);
      auto r = Ratio::parse(std::string(t) + "%");
      if (!r || !r->in_unit_interval()) return std::nullopt;
      return ParamValue{Points{r->bp()}};
    }
    case ParamType::bands: {
      auto r = Ratio::parse(t);
      if (!r || !r->in_unit_interval()) return std::nullopt;
      return ParamValue{Bands{RatioBand{Money::unlimited(), *r}}};
    }
    case ParamType::reduction: {
      if (t == "none" || t == "0") return ParamValue{Reduction{}};
      if (t.size() > 3 && t.front() == '-' && t.substr(t.size() - 2) == "pp") {
        auto r = Ratio::parse(std::string(t.substr(1, t.size() - 3)) + "%");
        if (!r || !r->in_unit_interval()) return std::nullopt;
        return ParamValue{Reduction{Reduction::Kind::points, Points{r->bp()}, Ratio::one()}};
      }
      if (t.size() > 1 && t.front() == 'x') {
        auto r = Ratio::parse(t.substr(1));
        if (!r || !r->in_unit_interval()) return std::nullopt;
        return ParamValue{Reduction{Reduction::Kind::multiplier, Points{}, *r}};
      }
      return std::nullopt;
    }
    case ParamType::choice:
      if (spec && std::find(spec->choices.begin(), spec->choices.end(), t) == spec->choices.end()) return std::nullopt;
      return ParamValue{std::string(t)};
    case ParamType::text_list: return std::nullopt;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// PolicyBook

namespace {
bool value_matches(ParamType type, const ParamValue& v) {
  switch (type) {
    case ParamType::boolean: return std::holds_alternative<bool>(v);
    case ParamType::integer: return std::holds_alternative<std::int64_t>(v);
    case ParamType::money: return std::holds_alternative<Money>(v);
    case ParamType::ratio: return std::holds_alternative<Ratio>(v);
    case ParamType::points: return std::holds_alternative<Points>(v);
    case ParamType::bands: return std::holds_alternative<Bands>(v);
    case ParamType::reduction: return std::holds_alternative<Reduction>(v);
    case ParamType::choice: return std::holds_alternative<std::string>(v);
    case ParamType::text_list: return std::holds_alternative<std::vector<std::string>>(v);
  }
  return false;
}
}  // namespace

struct PolicyBook::Impl {
  std::map<RegionCode, RegionInfo> regions;
  // (region, path) -> values sorted by `from`
  std::map<std::pair<RegionCode, std::string>, std::vector<DatedValue>, std::less<>> values;
  std::deque<std::string> sources;  // stable storage for source strings
  std::map<std::string, const std::string*, std::less<>> source_index;

  const std::string* intern(std::string_view s) {
    auto it = source_index.find(s);
    if (it != source_index.end()) return it->second;
    sources.emplace_back(s);
    const std::string* p = &sources.back();
    source_index.emplace(sources.back(), p);
    return p;
  }

  const DatedValue* find_exact(RegionCode r, std::string_view path, Date d) const {
    const auto it = values.find(std::pair<RegionCode, std::string>{r, std::string(path)});
    if (it == values.end()) return nullptr;
    const DatedValue* best = nullptr;
    for (const auto& dv : it->second)
      if (dv.from <= d) best = &dv;
    return best;
  }
};

PolicyBook::PolicyBook() : impl_(std::make_unique<Impl>()) {
  impl_->regions.emplace(kNational, RegionInfo{kNational, "全国", "national defaults"});
}
PolicyBook::PolicyBook(PolicyBook&&) noexcept = default;
PolicyBook& PolicyBook::operator=(PolicyBook&&) noexcept = default;
PolicyBook::~PolicyBook() = default;

void PolicyBook::add_region(RegionInfo info) {
  if (!info.code.is_province() && !has_region(info.code.province()))
    throw PolicyError("region " + info.code.str() + " (" + info.name + "): its province " +
                      info.code.province().str() + " is not registered");
  impl_->regions[info.code] = std::move(info);
}
bool PolicyBook::has_region(RegionCode code) const { return impl_->regions.count(code) != 0; }
const RegionInfo* PolicyBook::region(RegionCode code) const {
  const auto it = impl_->regions.find(code);
  return it == impl_->regions.end() ? nullptr : &it->second;
}
std::vector<RegionCode> PolicyBook::regions() const {
  std::vector<RegionCode> out;
  for (const auto& [code, info] : impl_->regions)
    if (code != kNational) out.push_back(code);
  return out;
}

void PolicyBook::set(RegionCode region, std::string_view path, Date from, ParamValue value, std::string_view source,
                     std::string origin, bool replace_later) {
  const ParamSpec* spec = ParamSchema::get().find(path);
  if (!spec) throw PolicyError(origin + ": unknown parameter '" + std::string(path) + "'");
  if (!value_matches(spec->type, value))
    throw PolicyError(origin + ": parameter '" + std::string(path) + "' expects " +
                      std::string(expected_form(spec->type)));
  if (!has_region(region)) throw PolicyError(origin + ": region " + region.str() + " is not registered");
  if (spec->national_only && region != kNational)
    throw PolicyError(origin + ": parameter '" + std::string(path) + "' can only be set in the national section");
  if (source.empty())
    throw PolicyError(origin + ": parameter '" + std::string(path) +
                      "' has no source; cite the document or write 'assumed: <why>'");
  auto& series = impl_->values[{region, std::string(path)}];
  if (replace_later) std::erase_if(series, [&](const DatedValue& dv) { return dv.from > from; });
  for (auto& dv : series) {
    if (dv.from == from) {  // a later file overrides the same date (reform overlays)
      dv = DatedValue{from, std::move(value), impl_->intern(source), std::move(origin)};
      return;
    }
  }
  series.push_back(DatedValue{from, std::move(value), impl_->intern(source), std::move(origin)});
  std::sort(series.begin(), series.end(), [](const DatedValue& a, const DatedValue& b) { return a.from < b.from; });
}

const DatedValue& PolicyBook::lookup(RegionCode region, std::string_view path, Date date) const {
  if (region != kNational && !has_region(region))
    throw PolicyError("region " + region.str() + " does not exist in the policy data");
  if (const auto* v = impl_->find_exact(region, path, date)) return *v;
  if (region != kNational && !region.is_province())
    if (const auto* v = impl_->find_exact(region.province(), path, date)) return *v;
  if (const auto* v = impl_->find_exact(kNational, path, date)) return *v;
  throw PolicyError("parameter '" + std::string(path) + "' has no value for region " + region.str() + " on " +
                    date.str() + " (nor in its province or the national defaults)");
}

namespace {
template <class T>
Param<T> get(const PolicyBook& book, RegionCode r, const std::string& path, Date d) {
  const DatedValue& dv = book.lookup(r, path, d);
  return Param<T>{std::get<T>(dv.value), dv.source};
}

Param<bool> get_bool(const PolicyBook& b, RegionCode r, const std::string& p, Date d) { return get<bool>(b, r, p, d); }

Layer build_layer(const PolicyBook& book, RegionCode r, const std::string& name, Date d) {
  Layer l;
  l.enabled = get<bool>(book, r, name + ".enabled", d);
  l.threshold = get<Money>(book, r, name + ".threshold", d);
  l.bands = get<Bands>(book, r, name + ".bands", d);
  l.annual_cap = get<Money>(book, r, name + ".annual_cap", d);
  for (auto v : kVisitTypes) l.applies[index(v)] = get_bool(book, r, name + ".applies." + std::string(to_string(v)), d);
  return l;
}

template <class E, std::size_t N>
Param<E> get_choice(const PolicyBook& book, RegionCode r, const std::string& path, Date d,
                    const std::array<E, N>& all) {
  const auto p = get<std::string>(book, r, path, d);
  for (E e : all)
    if (to_string(e) == p.value) return Param<E>{e, p.source};
  throw PolicyError("parameter '" + path + "' has unexpected value '" + p.value + "'");
}
}  // namespace

InsuredPolicy PolicyBook::insured_policy(RegionCode r, Date d) const {
  InsuredPolicy p;
  p.region = r;
  p.as_of = d;
  for (auto g : kInsuredGroups) {
    for (auto v : kVisitTypes) {
      BenefitRule& rule = p.benefit[index(g)][index(v)];
      const std::string b = "benefit." + std::string(to_string(g)) + "." + std::string(to_string(v)) + ".";
      rule.covered = get<bool>(*this, r, b + "covered", d);
      rule.deductible_kind = get_choice(*this, r, b + "deductible.kind", d, kDeductibleKinds);
      for (auto l : kHospitalLevels) {
        const std::string lv = std::string(to_string(l));
        for (auto o : kAdmissionOrdinals)
          rule.deductible_per_admission[index(l)][index(o)] =
              get<Money>(*this, r, b + "deductible." + lv + "." + std::string(to_string(o)), d);
        rule.deductible_annual[index(l)] = get<Money>(*this, r, b + "deductible." + lv + ".annual", d);
        rule.ratio[index(l)] = get<Bands>(*this, r, b + "ratio." + lv, d);
      }
      rule.annual_cap = get<Money>(*this, r, b + "annual_cap", d);
      rule.cap_pool = get_choice(*this, r, b + "cap_pool", d, kCapPools);
    }
  }
  p.critical_illness = build_layer(*this, r, "critical_illness", d);
  p.large_expense = build_layer(*this, r, "large_expense", d);
  p.assistance.ratio = get<Ratio>(*this, r, "assistance.ratio", d);
  p.assistance.annual_cap = get<Money>(*this, r, "assistance.annual_cap", d);
  for (auto v : kVisitTypes) {
    const std::string vs = std::string(to_string(v));
    p.assistance.applies[index(v)] = get_bool(*this, r, "assistance.applies." + vs, d);
    for (auto c : kFilingCategories) {
      const std::string cs = std::string(to_string(c));
      p.reduction[index(v)][index(c)] = get<Reduction>(*this, r, "reduction." + vs + "." + cs, d);
      p.reduction_intra[index(v)][index(c)] = get<Reduction>(*this, r, "reduction_intra." + vs + "." + cs, d);
    }
    p.filing.requires_filing[index(v)] = get_bool(*this, r, "filing.requires_filing." + vs, d);
  }
  p.reduction_scope = get_choice(*this, r, "reduction_scope", d, kReductionScopes);
  p.reduction_base = get_choice(*this, r, "reduction_base", d, kReductionBases);
  p.chronic_diseases = get<std::vector<std::string>>(*this, r, "chronic_diseases", d);
  p.filing.temporary_validity_months = get<std::int64_t>(*this, r, "filing.temporary_validity_months", d);
  p.filing.commitment_days = get<std::int64_t>(*this, r, "filing.commitment_days", d);
  p.filing.long_term_lock_months = get<std::int64_t>(*this, r, "filing.long_term_lock_months", d);
  p.filing.long_term_indefinite = get<bool>(*this, r, "filing.long_term_indefinite", d);
  p.filing.retroactive_before_discharge = get<bool>(*this, r, "filing.retroactive_before_discharge", d);
  p.filing.free_zone = get<std::vector<std::string>>(*this, r, "filing.free_zone", d);
  p.filing.free_zone_category = get_choice(*this, r, "filing.free_zone_category", d, kFilingCategories);
  p.manual.extra_reduction = get<Points>(*this, r, "manual.extra_reduction", d);
  p.manual.lag_months = get<std::int64_t>(*this, r, "manual.lag_months", d);
  p.manual.claim_share = get<Ratio>(*this, r, "manual.claim_share", d);
  return p;
}

Catalogue PolicyBook::catalogue(RegionCode r, Date d) const {
  Catalogue c;
  c.region = r;
  c.as_of = d;
  for (auto v : kVisitTypes)
    c.selfpay_prop_b[index(v)] = get<Ratio>(*this, r, "catalogue.selfpay_prop_b." + std::string(to_string(v)), d);
  return c;
}

NationalRules PolicyBook::national(Date d) const {
  NationalRules n;
  n.as_of = d;
  for (auto c : kFilingCategories)
    n.reduction_ceiling[index(c)] =
        get<Points>(*this, kNational, "national.reduction_ceiling." + std::string(to_string(c)), d);
  n.coaudit_threshold = get<Money>(*this, kNational, "national.coaudit_threshold", d);
  return n;
}

std::vector<Date> PolicyBook::change_dates() const {
  std::set<Date> dates;
  for (const auto& [key, series] : impl_->values)
    for (const auto& dv : series) dates.insert(dv.from);
  return {dates.begin(), dates.end()};
}

namespace {
void check_bands(const InsuredPolicy& p, const Bands& bands, const std::string& path) {
  const std::string what = "region " + p.region.str() + " on " + p.as_of.str() + ": " + path;
  auto fail = [&](const std::string& why) { throw PolicyError(what + ": " + why, p.region, p.as_of, path); };
  if (bands.empty()) fail("no bands");
  for (std::size_t i = 0; i < bands.size(); ++i) {
    if (!bands[i].ratio.in_unit_interval()) fail("ratio outside 0–100%");
    if (i + 1 < bands.size() && (bands[i].upto.is_unlimited() || bands[i + 1].upto <= bands[i].upto))
      fail("band limits must increase and only the last band may be open-ended");
  }
  if (!bands.back().upto.is_unlimited()) fail("the last band must be open-ended (no 'upto')");
}
}  // namespace

void check_policy(const InsuredPolicy& p, const NationalRules& n) {
  const std::string where = "region " + p.region.str() + " on " + p.as_of.str();
  for (auto v : kVisitTypes) {
    // Both tables against the ceilings: the national numbers are for cross-province visitors, and the
    // provincial text that speaks of all off-site visits keeps the same 10/20 (seed 003 苏医保发〔2024〕56号 二).
    for (const auto& [table, name] : {std::pair{&p.reduction, "reduction."}, std::pair{&p.reduction_intra, "reduction_intra."}}) {
      for (auto c : kFilingCategories) {
        const auto& red = (*table)[index(v)][index(c)];
        const auto& ceiling = n.reduction_ceiling[index(c)];
        if (red.value.worst_case_points() > ceiling.value) {
          const std::string path = name + std::string(to_string(v)) + "." + std::string(to_string(c));
          throw PolicyError(where + ": " + path + " = " + red.value.str() + " (source: " + *red.source +
                                ") exceeds the national ceiling of " + to_string(ParamValue{ceiling.value}) + " for " +
                                std::string(to_string(c)) + " (source: " + *ceiling.source + ")",
                            p.region, p.as_of, path);
        }
      }
    }
  }
  for (auto g : kInsuredGroups)
    for (auto v : kVisitTypes)
      for (auto l : kHospitalLevels)
        check_bands(p, p.rule(g, v).ratio[index(l)].value,
                    "benefit." + std::string(to_string(g)) + "." + std::string(to_string(v)) + ".ratio." +
                        std::string(to_string(l)));
  // Visit types sharing a cap pool must share its cap, or "the annual cap" would be ambiguous.
  for (auto g : kInsuredGroups) {
    for (auto v : kVisitTypes) {
      for (auto w : kVisitTypes) {
        const BenefitRule& a = p.rule(g, v);
        const BenefitRule& b = p.rule(g, w);
        if (a.cap_pool.value == b.cap_pool.value && a.annual_cap.value != b.annual_cap.value) {
          const std::string path = "benefit." + std::string(to_string(g)) + "." + std::string(to_string(v)) + ".annual_cap";
          throw PolicyError(where + ": " + path + " = " + a.annual_cap.value.str() + " but " + std::string(to_string(w)) +
                                ", in the same cap pool '" + std::string(to_string(a.cap_pool.value)) + "', has " +
                                b.annual_cap.value.str() + "; visit types sharing a pool must share its cap",
                            p.region, p.as_of, path);
        }
      }
    }
  }
  check_bands(p, p.critical_illness.bands.value, "critical_illness.bands");
  check_bands(p, p.large_expense.bands.value, "large_expense.bands");
  if (p.filing.temporary_validity_months.value < 1)
    throw PolicyError(where + ": filing.temporary_validity_months must be at least 1", p.region, p.as_of,
                      "filing.temporary_validity_months");
}

void PolicyBook::validate() const {
  const auto dates = change_dates();
  for (Date d : dates) {
    const NationalRules n = national(d);
    for (RegionCode r : regions()) {
      check_policy(insured_policy(r, d), n);
      (void)catalogue(r, d);
    }
  }
}

}  // namespace yidi
