#include "models/settlement_engine.hpp"

#include <algorithm>
#include <string>

#include "models/parameters.hpp"

namespace yidi {
namespace {

using i128 = Wide;
constexpr std::int64_t kBp2 = static_cast<std::int64_t>(Ratio::kOne) * Ratio::kOne;  // 100% at bp×bp scale

std::string src(const std::string* s) { return s ? *s : std::string("built-in"); }

/// Appends a step only when an explanation was asked for: the text is never built otherwise.
template <class Make>
void explain(Explanation* out, Make&& make) {
  if (out) out->push_back(make());
}

std::string path_of(InsuredGroup g, VisitType v, std::string_view leaf) {
  return "benefit." + std::string(to_string(g)) + "." + std::string(to_string(v)) + "." + std::string(leaf);
}

/// Σ over bands of (part of [from, to) inside the band) × ratio_eff, where ratio_eff at bp² scale is
/// max(0, ratio × multiplier − points × 1e4). Returns the exact numerator at bp² scale.
[[gnu::always_inline]] inline i128 banded_numerator(const Bands& bands, Money from, Money to, std::int32_t multiplier_bp,
                                                   std::int32_t minus_bp) {
  i128 num = 0;
  Money lo = Money::zero();
  for (const auto& band : bands) {
    const Money hi = band.upto;
    const Money a = max(lo, from), b = min(hi, to);
    if (b > a) {
      std::int64_t r = static_cast<std::int64_t>(band.ratio.bp()) * multiplier_bp -
                       static_cast<std::int64_t>(minus_bp) * Ratio::kOne;
      if (r < 0) r = 0;
      num += static_cast<i128>((b - a).fen()) * r;
    }
    if (hi >= to) break;
    lo = hi;
  }
  return num;
}

std::string bands_str(const Bands& b) { return to_string(ParamValue{b}); }

}  // namespace

void SettlementEngine::validate(const SettlementRequest& req) {
  const Visit& v = req.visit;
  if (v.insured_region.value() == 0) throw InvalidClaim("insuplc_admdvs", "missing insured region");
  if (v.treatment_region.value() == 0) throw InvalidClaim("mdtrtarea_admvs", "missing treatment region");
  if (v.medfee_sumamt.is_negative())
    throw InvalidClaim("medfee_sumamt", "negative amount " + v.medfee_sumamt.str() + "; expected ≥ 0");
  if (v.discharge < v.admission)
    throw InvalidClaim("dscg_date", "discharge " + v.discharge.str() + " is before admission " + v.admission.str());
  Money sum;
  for (std::size_t i = 0; i < v.lines.size(); ++i) {
    const ClaimLine& l = v.lines[i];
    const auto at = [i] { return "line " + std::to_string(i + 1); };  // built only for an error
    if (l.amount.is_negative())
      throw InvalidClaim(at() + " amount", "negative amount " + l.amount.str() + "; expected ≥ 0");
    if (l.over_price_cap.is_negative() || l.over_price_cap > l.amount)
      throw InvalidClaim(at() + " overlmt_amt", "over-cap part " + l.over_price_cap.str() +
                                                 " must be between 0 and the line amount " + l.amount.str());
    if (l.selfpay_prop && !l.selfpay_prop->in_unit_interval())
      throw InvalidClaim(at() + " selfpay_prop", "expected a ratio between 0 and 1");
    sum += l.amount;
  }
  if (sum != v.medfee_sumamt)
    throw InvalidClaim("medfee_sumamt", "total " + v.medfee_sumamt.str() + " differs from the sum of its parts " +
                                            sum.str());
  if (v.visit_type == VisitType::chronic_outpatient && v.disease.empty())
    throw InvalidClaim("dise_codg", "a chronic/special outpatient visit needs its disease");
  if (v.personal_account_balance.is_negative())
    throw InvalidClaim("acct_balc", "negative personal account balance");
  const YearToDate& y = req.ytd;
  if (y.admissions < 0 || y.annual_deductible_met.is_negative() || y.layer_base.is_negative() ||
      y.pooled_paid[0].is_negative() || y.pooled_paid[1].is_negative() || y.critical_illness_paid.is_negative() ||
      y.large_expense_paid.is_negative() || y.assistance_paid.is_negative())
    throw InvalidClaim("ytd", "year-to-date accumulators must be ≥ 0");
  if (req.filing && req.filing->category != FilingCategory::unfiled && req.filing->target.value() == 0)
    throw InvalidClaim("filing_admdvs", "a filing needs the region it targets");
}

CatalogueSplit SettlementEngine::split_classes(Money a, Money b, Money c, Money over_cap, Ratio prop_b) {
  CatalogueSplit s;
  s.fulamt_ownpay_amt = c;
  s.overlmt_selfpay = over_cap;
  s.preselfpay_amt = apply_ratio_half_up(b, prop_b);
  // The rest by subtraction: (a + b + c + over) − c − over − 乙's share, so the parts sum to the total.
  s.inscp_scp_amt = a + b - s.preselfpay_amt;
  return s;
}

CatalogueSplit SettlementEngine::split(const Visit& v, const Catalogue& cat, Explanation* ex) {
  CatalogueSplit s;
  const auto& default_prop = cat.selfpay_prop_b[index(v.visit_type)];
  for (std::size_t i = 0; i < v.lines.size(); ++i) {
    const ClaimLine& l = v.lines[i];
    switch (l.item_class) {
      case ItemClass::c:
        s.fulamt_ownpay_amt += l.amount;
        explain(ex, [&] {
          return ExplainStep{"A: catalogue",
                             "line " + std::to_string(i + 1) + ": class 丙 / out of catalogue " + l.amount.str() +
                                 " fully self-paid", {}, {}, {}};
        });
        break;
      case ItemClass::a:
      case ItemClass::b: {
        s.overlmt_selfpay += l.over_price_cap;
        const Money within = l.amount - l.over_price_cap;
        Money pre;
        if (l.item_class == ItemClass::b) {
          const Ratio prop = l.selfpay_prop ? *l.selfpay_prop : default_prop.value;
          pre = apply_ratio_half_up(within, prop);
          explain(ex, [&] {
            return ExplainStep{
                "A: catalogue",
                "line " + std::to_string(i + 1) + ": class 乙 " + within.str() + " × self-pay-first " + prop.str() +
                    " = " + pre.str() + " (half-up)",
                l.selfpay_prop ? "line selfpay_prop" : "catalogue.selfpay_prop_b." + std::string(to_string(v.visit_type)),
                prop.str(), l.selfpay_prop ? "claim line" : src(default_prop.source)};
          });
        } else {
          explain(ex, [&] {
            return ExplainStep{"A: catalogue", "line " + std::to_string(i + 1) + ": class 甲 " + within.str() + " fully eligible",
                               {}, {}, {}};
          });
        }
        if (!l.over_price_cap.is_zero())
          explain(ex, [&] {
            return ExplainStep{"A: catalogue",
                               "line " + std::to_string(i + 1) + ": above price cap " + l.over_price_cap.str(), {}, {}, {}};
          });
        s.preselfpay_amt += pre;
        break;
      }
    }
  }
  // The eligible amount is the rest, by subtraction, so the four parts sum to the total exactly.
  s.inscp_scp_amt = v.medfee_sumamt - s.fulamt_ownpay_amt - s.overlmt_selfpay - s.preselfpay_amt;
  explain(ex, [&] {
    return ExplainStep{"A: catalogue",
                       "eligible inscp_scp_amt = " + v.medfee_sumamt.str() + " − " + s.fulamt_ownpay_amt.str() + " − " +
                           s.overlmt_selfpay.str() + " − " + s.preselfpay_amt.str() + " = " + s.inscp_scp_amt.str(),
                       {}, {}, {}};
  });
  return s;
}

// ---- Step B as named steps, in the order of DOMAIN.md §3

namespace {

/// What every step of one visit's policy reads: the input, the insured region's policy, the rule
/// for the visit's group and type, and where the explanation goes (nullptr: none).
struct PolicyStep {
  const PolicyInput& in;
  const InsuredPolicy& pol;
  const BenefitRule& rule;
  Explanation* ex;
};

/// A reduction as the engine applies it to a ratio: ratio × multiplier − points (DOMAIN.md §3).
struct Cut {
  std::int32_t multiplier_bp = Ratio::kOne;
  std::int32_t minus_bp = 0;
  bool any() const { return multiplier_bp != Ratio::kOne || minus_bp != 0; }
};

Money& layer_paid(YearToDate& y, Scheme scheme) {
  return scheme == Scheme::resident ? y.critical_illness_paid : y.large_expense_paid;
}

/// Whether the pooled fund pays for this visit at all: its visit type covered, a chronic/special
/// outpatient disease on the insured region's list.
NotPayable payability(const PolicyStep& s) {
  if (!s.rule.covered.value) {
    explain(s.ex, [&] {
      return ExplainStep{"B: policy", "visit type not covered by the pooled fund",
                         path_of(s.in.group, s.in.visit_type, "covered"), "false", src(s.rule.covered.source)};
    });
    return NotPayable::visit_type_not_covered;
  }
  if (s.in.visit_type == VisitType::chronic_outpatient && !s.in.disease_listed) {
    explain(s.ex, [&] {
      return ExplainStep{"B: policy", "disease not on the insured region's chronic/special outpatient list",
                         "chronic_diseases", to_string(ParamValue{s.pol.chronic_diseases.value}),
                         src(s.pol.chronic_diseases.source)};
    });
    return NotPayable::disease_not_listed;
  }
  return NotPayable::none;
}

/// Deductible (起付标准) on the eligible amount: per admission (lower for later admissions of the
/// year) or annual (what the year has not yet met).
Money deductible(const PolicyStep& s, YearToDate& y) {
  const Money E = s.in.eligible;
  switch (s.rule.deductible_kind.value) {
    case DeductibleKind::none:
      explain(s.ex, [&] {
        return ExplainStep{"B: deductible", "none", path_of(s.in.group, s.in.visit_type, "deductible.kind"), "none",
                           src(s.rule.deductible_kind.source)};
      });
      return Money::zero();
    case DeductibleKind::per_admission: {
      const AdmissionOrdinal ordinal = admission_ordinal(y.admissions);
      const auto& p = s.rule.deductible_per_admission[index(s.in.level)][index(ordinal)];
      const Money D = min(E, p.value);
      explain(s.ex, [&] {
        return ExplainStep{"B: deductible",
                           "admission #" + std::to_string(y.admissions + 1) + " of the year: " + D.str() + " applied",
                           path_of(s.in.group, s.in.visit_type,
                                   "deductible." + std::string(to_string(s.in.level)) + "." +
                                       std::string(to_string(ordinal))),
                           p.value.str(), src(p.source)};
      });
      return D;
    }
    case DeductibleKind::annual: {
      const auto& p = s.rule.deductible_annual[index(s.in.level)];
      const Money D = min(E, positive_part(p.value - y.annual_deductible_met));
      y.annual_deductible_met += D;
      explain(s.ex, [&] {
        return ExplainStep{"B: deductible",
                           "annual, " + s.in.ytd.annual_deductible_met.str() + " already met: " + D.str() + " applied",
                           path_of(s.in.group, s.in.visit_type, "deductible." + std::string(to_string(s.in.level)) + ".annual"),
                           p.value.str(), src(p.source)};
      });
      return D;
    }
  }
  return Money::zero();
}

/// The off-site visit's reduction table: `reduction_intra` for an intra-province visit where the
/// insured region's reductions are for cross-province visits only, else `reduction`.
const InsuredPolicy::ReductionTable& reduction_table(const PolicyStep& s) {
  const bool intra = s.pol.uses_intra_table(s.in.cross_province);
  explain(s.ex, [&] {
    return ExplainStep{"B: reduction",
                       std::string(s.in.cross_province ? "cross-province" : "intra-province") + " visit: table " +
                           (intra ? "reduction_intra" : "reduction"),
                       "reduction_scope", std::string(to_string(s.pol.reduction_scope.value)),
                       src(s.pol.reduction_scope.source)};
  });
  return intra ? s.pol.reduction_intra : s.pol.reduction;
}

/// The off-site reduction for the filing category (none for local visits) and the manual path's
/// further cut; `applied` receives the filing category's reduction.
Cut reduction(const PolicyStep& s, Reduction& applied) {
  Reduction red;
  if (s.in.offsite) {
    const auto& table = reduction_table(s);
    const auto& p = table[index(s.in.visit_type)][index(s.in.category)];
    red = p.value;
    explain(s.ex, [&] {
      return ExplainStep{"B: reduction",
                         "filing category " + std::string(to_string(s.in.category)) + ": " + red.str() + " off " +
                             std::string(to_string(s.pol.reduction_base.value)),
                         std::string(&table == &s.pol.reduction ? "reduction." : "reduction_intra.") +
                             std::string(to_string(s.in.visit_type)) + "." + std::string(to_string(s.in.category)),
                         red.str(), src(p.source)};
    });
  }
  Cut cut;
  cut.multiplier_bp = red.kind == Reduction::Kind::multiplier ? red.multiplier.bp() : Ratio::kOne;
  cut.minus_bp = red.kind == Reduction::Kind::points ? red.points.bp : 0;
  const auto& extra = s.pol.manual.extra_reduction;
  if (s.in.offsite && s.in.path == SettlementPath::manual && extra.value.bp > 0) {
    cut.minus_bp += extra.value.bp;
    explain(s.ex, [&] {
      const std::string pts = to_string(ParamValue{extra.value});
      return ExplainStep{"B: reduction", "manual path: a further " + pts, "manual.extra_reduction", pts,
                         src(extra.source)};
    });
  }
  applied = red;
  return cut;
}

/// Pooled fund (统筹基金): progressive ratio bands over the amount above the deductible, cut by
/// `cut` (the reduction when it is on the basic ratio, else none), capped by the room left under
/// the annual cap of the visit type's cap pool.
Money pooled_fund(const PolicyStep& s, Money above_deductible, Cut cut, YearToDate& y) {
  const auto& bands = s.rule.ratio[index(s.in.level)];
  const Money raw = Rounding::half_up().quotient(
      banded_numerator(bands.value, Money::zero(), above_deductible, cut.multiplier_bp, cut.minus_bp), kBp2);
  explain(s.ex, [&] {
    return ExplainStep{"B: pooled fund",
                       above_deductible.str() + " above the deductible × " + bands_str(bands.value) +
                           (cut.any() ? " (reduced)" : "") + " = " + raw.str() + " (half-up)",
                       path_of(s.in.group, s.in.visit_type, "ratio." + std::string(to_string(s.in.level))),
                       bands_str(bands.value), src(bands.source)};
  });
  Money& paid = y.pooled_paid[index(s.rule.cap_pool.value)];
  const Money room = room_under(s.rule.annual_cap.value, paid);
  const Money hifp = min(raw, room);
  if (hifp < raw)
    explain(s.ex, [&] {
      return ExplainStep{"B: annual cap", "capped at the room left " + room.str(),
                         path_of(s.in.group, s.in.visit_type, "annual_cap"), s.rule.annual_cap.value.str(),
                         src(s.rule.annual_cap.source)};
    });
  paid += hifp;
  return hifp;
}

/// Critical illness (residents) or large expense (employees) on the remaining in-policy burden:
/// bands over the year's cumulative burden above the threshold, capped by the layer's room.
Money layer_payment(const PolicyStep& s, Money burden, YearToDate& y) {
  const Scheme scheme = scheme_of(s.in.group);
  const Layer& layer = scheme == Scheme::resident ? s.pol.critical_illness : s.pol.large_expense;
  if (!layer.enabled.value || !layer.applies[index(s.in.visit_type)].value) return Money::zero();
  const Money before = y.layer_base, after = y.layer_base + burden;
  const Money T = layer.threshold.value;
  const Money pay = min(Rounding::half_up().quotient(banded_numerator(layer.bands.value, positive_part(before - T),
                                                                      positive_part(after - T), Ratio::kOne, 0),
                                                     kBp2),
                        room_under(layer.annual_cap.value, layer_paid(y, scheme)));
  y.layer_base = after;
  explain(s.ex, [&] {
    const std::string name = scheme == Scheme::resident ? "critical_illness" : "large_expense";
    return ExplainStep{"B: " + name,
                       "burden " + burden.str() + " takes the year's total from " + before.str() + " to " +
                           after.str() + "; above threshold " + T.str() + " × " + bands_str(layer.bands.value) +
                           " = " + pay.str(),
                       name + ".bands", bands_str(layer.bands.value), src(layer.bands.source)};
  });
  return pay;
}

/// Medical assistance (医疗救助) on what remains, for eligible people, capped by its room.
Money assistance(const PolicyStep& s, Money remaining, const YearToDate& y) {
  const Assistance& a = s.pol.assistance;
  if (!s.in.assistance_eligible || !a.applies[index(s.in.visit_type)].value) return Money::zero();
  const Money maf = min(Rounding::half_up()(remaining, a.ratio.value), room_under(a.annual_cap.value, y.assistance_paid));
  explain(s.ex, [&] {
    return ExplainStep{"B: assistance", remaining.str() + " × " + a.ratio.value.str() + " = " + maf.str(),
                       "assistance.ratio", a.ratio.value.str(), src(a.ratio.source)};
  });
  return maf;
}

/// Nantong: the reduction is taken off the sum of all layers [seed 003 §四]. The reduced total,
/// total × multiplier − points × the amount above the deductible (half-up, never above the
/// total), is shared out in proportion to the unreduced parts by the project's rule (DOMAIN.md
/// §3): each part half-up, the last non-zero part by subtraction. No part exceeds its unreduced
/// amount (see split_in_proportion), so no cap is exceeded; the pooled fund's year-to-date sum
/// gives back what was cut from it.
void reduce_all_layers(const PolicyStep& s, Money above_deductible, Cut cut, Money parts[3], YearToDate& y) {
  const Money total = parts[0] + parts[1] + parts[2];
  const Wide cut_num = static_cast<Wide>(total.fen()) * cut.multiplier_bp -
                       static_cast<Wide>(above_deductible.fen()) * cut.minus_bp;
  const Money reduced = cut_num <= 0 ? Money::zero() : min(total, Rounding::half_up().quotient(cut_num, Ratio::kOne));
  const Money unreduced[3] = {parts[0], parts[1], parts[2]};
  split_in_proportion(reduced, unreduced, std::span<Money>(parts, 3));
  y.pooled_paid[index(s.rule.cap_pool.value)] -= unreduced[0] - parts[0];
  explain(s.ex, [&] {
    return ExplainStep{"B: reduction", "all layers " + total.str() + " reduced to " + reduced.str(), "reduction_base",
                       "all_layers", src(s.pol.reduction_base.source)};
  });
}

}  // namespace

PolicyResult SettlementEngine::apply_policy(const PolicyInput& in, const InsuredPolicy& pol, Explanation* ex) {
  const PolicyStep s{in, pol, pol.rule(in.group, in.visit_type), ex};
  PolicyResult out;
  YearToDate y = in.ytd;
  out.not_payable = payability(s);
  if (out.not_payable == NotPayable::none) {
    const Money E = in.eligible;
    out.deductible = deductible(s, y);
    const Money A = E - out.deductible;
    const Cut cut = reduction(s, out.reduction);
    const bool on_basic = pol.reduction_base.value == ReductionBase::basic_ratio;
    Money funds[3];  // pooled fund, layer, assistance
    funds[0] = pooled_fund(s, A, on_basic ? cut : Cut{}, y);
    funds[1] = layer_payment(s, E - funds[0], y);
    funds[2] = assistance(s, E - funds[0] - funds[1], y);
    if (!on_basic && cut.any()) reduce_all_layers(s, A, cut, funds, y);
    layer_paid(y, scheme_of(in.group)) += funds[1];  // only what is paid counts toward the caps
    y.assistance_paid += funds[2];
    out.hifp = funds[0];
    out.layer = funds[1];
    out.maf = funds[2];
  }
  if (in.visit_type == VisitType::inpatient) y.admissions += 1;
  out.ytd_after = y;
  return out;
}

namespace {
/// A filing whose dates run out of the supported range (a validity or a lock ending after
/// 2200-12-31) is a bad claim rather than an exception past the caller.
template <class F>
auto with_filing_dates(F&& f) {
  try {
    return f();
  } catch (const DateRangeError& e) {
    throw InvalidClaim("filing_date", std::string("the filing's dates leave the supported range (") + e.what() + ")");
  }
}
FilingStatus filing_status(const Visit& v, const std::optional<Filing>& filing, const FilingRules& rules,
                           bool with_detail) {
  return with_filing_dates([&] { return resolve_filing(v, filing, rules, with_detail); });
}

Settlement settle_visit(const SettlementRequest& req, const Catalogue& cat, const InsuredPolicy& pol,
                        const NationalRules& national, bool want_explanation) {
  using E = SettlementEngine;
  E::validate(req);
  // A cancellation inside a long-term filing's lock is a bad row, local visit or not (filing.hpp).
  if (req.filing && req.filing->category != FilingCategory::unfiled)
    with_filing_dates([&] { check_cancellation(*req.filing, pol.filing); });
  const Visit& v = req.visit;
  Settlement r;
  r.id = v.id;
  r.medfee_sumamt = v.medfee_sumamt;
  Explanation* ex = want_explanation ? &r.explanation : nullptr;

  // ---- where and how: local or off-site, filing, path (§2, §4)
  r.offsite = v.insured_region != v.treatment_region;
  r.cross_province = is_cross_province(v.insured_region, v.treatment_region);
  if (!r.offsite) {
    r.path = kLocalSettlement.path;
    r.reason = kLocalSettlement.reason;
    r.category = req.filing ? req.filing->category : FilingCategory::unfiled;
    explain(ex, [&] {
      return ExplainStep{"path", "treated in the insured region " + v.insured_region.str() +
                                     ": local settlement, no reduction", {}, {}, {}};
    });
  } else {
    const FilingStatus fs = filing_status(v, req.filing, pol.filing, want_explanation);
    const PathDecision pd = decide_path(v, fs);
    r.path = pd.path;
    r.reason = pd.reason;
    r.category = fs.category;
    explain(ex, [&] {
      return ExplainStep{"filing",
                         std::string(fs.valid ? "valid: " : "not valid: ") + fs.detail + "; category " +
                             std::string(to_string(fs.category)),
                         "filing.*", "", src(pol.filing.temporary_validity_months.source)};
    });
    explain(ex, [&] {
      return ExplainStep{"path", std::string(to_string(pd.path)) + ": " + std::string(describe(pd.reason)), {}, {}, {}};
    });
  }

  // ---- Step A
  const CatalogueSplit s = E::split(v, cat, ex);
  r.fulamt_ownpay_amt = s.fulamt_ownpay_amt;
  r.overlmt_selfpay = s.overlmt_selfpay;
  r.preselfpay_amt = s.preselfpay_amt;
  r.inscp_scp_amt = s.inscp_scp_amt;

  // ---- Step B
  PolicyInput in;
  in.group = v.group;
  in.visit_type = v.visit_type;
  in.level = v.level;
  in.eligible = s.inscp_scp_amt;
  in.offsite = r.offsite;
  in.cross_province = r.cross_province;  // the simulator's rule too (models/region.hpp is_cross_province)
  in.path = r.path;
  in.category = r.category;
  in.assistance_eligible = v.assistance_eligible;
  if (v.visit_type == VisitType::chronic_outpatient) {
    const auto& list = pol.chronic_diseases.value;
    in.disease_listed = std::find(list.begin(), list.end(), v.disease) != list.end();
  }
  in.ytd = req.ytd;
  const PolicyResult p = E::apply_policy(in, pol, ex);
  r.payable = p.not_payable == NotPayable::none;
  switch (p.not_payable) {
    case NotPayable::none: break;
    case NotPayable::visit_type_not_covered: r.note = "visit type not covered by the pooled fund"; break;
    case NotPayable::disease_not_listed:
      r.note = "disease '" + v.disease + "' is not on the insured region's chronic/special outpatient list";
      break;
  }
  const Scheme scheme = scheme_of(v.group);
  r.deductible = p.deductible;
  r.reduction = p.reduction;
  r.hifp_pay = p.hifp;
  if (scheme == Scheme::resident) r.hifmi_pay = p.layer;
  else r.hifob_pay = p.layer;
  r.maf_pay = p.maf;
  r.fund_pay_sumamt = p.fund();
  r.psn_part_amt = v.medfee_sumamt - r.fund_pay_sumamt;  // exactly, by definition [interface]
  if (r.path == SettlementPath::direct) {
    r.acct_pay = v.use_personal_account && scheme == Scheme::employee ? min(r.psn_part_amt, v.personal_account_balance)
                                                                      : Money::zero();
    r.psn_cash_pay = r.psn_part_amt - r.acct_pay;
  } else {
    r.psn_cash_pay = v.medfee_sumamt;  // paid in full at the hospital, fund share reimbursed later
  }
  r.coaudit = sent_to_coaudit(r.cross_province, v.visit_type, v.medfee_sumamt, national.coaudit_threshold.value);
  if (r.coaudit)
    explain(ex, [&] {
      return ExplainStep{"co-audit", "cross-province inpatient bill ≥ " + national.coaudit_threshold.value.str(),
                         "national.coaudit_threshold", national.coaudit_threshold.value.str(),
                         src(national.coaudit_threshold.source)};
    });
  explain(ex, [&] {
    return ExplainStep{"result", "fund_pay_sumamt " + r.fund_pay_sumamt.str() + ", psn_part_amt " + r.psn_part_amt.str() +
                                     " (" + std::string(to_string(r.path)) + ")", {}, {}, {}};
  });
  r.ytd_after = p.ytd_after;
  return r;
}
}  // namespace

Settlement SettlementEngine::settle(const SettlementRequest& req, const Catalogue& cat, const InsuredPolicy& pol,
                                    const NationalRules& national, bool want_explanation) {
  try {
    return settle_visit(req, cat, pol, national, want_explanation);
  } catch (const MoneyOverflow& e) {
    // Amounts (with the person's year-to-date sums) beyond Money's range: a bad record, not a crash.
    throw InvalidClaim("medfee_sumamt", std::string(e.what()) + "; expected amounts up to " +
                                            Money::max_input().str() + " yuan whose sums stay in range");
  }
}

}  // namespace yidi
