#include "models/settlement_engine.hpp"

#include <algorithm>
#include <string>

#include "models/parameters.hpp"

namespace yidi {
namespace {

using i128 = Wide;
constexpr std::int64_t kBp2 = static_cast<std::int64_t>(Ratio::kOne) * Ratio::kOne;  // 100% at bp×bp scale

/// numerator / scale, rounded half away from zero: the one rounding rule (DOMAIN.md §3 [assumed]).
Money round_half_up(i128 numerator, std::int64_t scale) { return Rounding::half_up().quotient(numerator, scale); }

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
i128 banded_numerator(const Bands& bands, Money from, Money to, std::int32_t multiplier_bp, std::int32_t minus_bp) {
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
  s.inscp_scp_amt = a + b + c + over_cap - s.fulamt_ownpay_amt - s.overlmt_selfpay - s.preselfpay_amt;
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

PolicyResult SettlementEngine::apply_policy(const PolicyInput& in, const InsuredPolicy& pol, Explanation* ex) {
  PolicyResult out;
  YearToDate y = in.ytd;
  const BenefitRule& rule = pol.rule(in.group, in.visit_type);
  const Scheme scheme = scheme_of(in.group);
  const CapPool pool = rule.cap_pool.value;
  const Money E = in.eligible;

  if (!rule.covered.value) {
    out.not_payable = NotPayable::visit_type_not_covered;
    explain(ex, [&] {
      return ExplainStep{"B: policy", "visit type not covered by the pooled fund",
                         path_of(in.group, in.visit_type, "covered"), "false", src(rule.covered.source)};
    });
  } else if (in.visit_type == VisitType::chronic_outpatient && !in.disease_listed) {
    out.not_payable = NotPayable::disease_not_listed;
    explain(ex, [&] {
      return ExplainStep{"B: policy", "disease not on the insured region's chronic/special outpatient list",
                         "chronic_diseases", to_string(ParamValue{pol.chronic_diseases.value}),
                         src(pol.chronic_diseases.source)};
    });
  }

  if (out.not_payable == NotPayable::none) {
    // Deductible (起付标准)
    Money D;
    switch (rule.deductible_kind.value) {
      case DeductibleKind::none:
        explain(ex, [&] {
          return ExplainStep{"B: deductible", "none", path_of(in.group, in.visit_type, "deductible.kind"), "none",
                             src(rule.deductible_kind.source)};
        });
        break;
      case DeductibleKind::per_admission: {
        const AdmissionOrdinal ordinal = admission_ordinal(y.admissions);
        const auto& p = rule.deductible_per_admission[index(in.level)][index(ordinal)];
        D = min(E, p.value);
        explain(ex, [&] {
          return ExplainStep{"B: deductible",
                             "admission #" + std::to_string(y.admissions + 1) + " of the year: " + D.str() + " applied",
                             path_of(in.group, in.visit_type,
                                     "deductible." + std::string(to_string(in.level)) + "." +
                                         std::string(to_string(ordinal))),
                             p.value.str(), src(p.source)};
        });
        break;
      }
      case DeductibleKind::annual: {
        const auto& p = rule.deductible_annual[index(in.level)];
        D = min(E, positive_part(p.value - y.annual_deductible_met));
        y.annual_deductible_met += D;
        explain(ex, [&] {
          return ExplainStep{"B: deductible",
                             "annual, " + in.ytd.annual_deductible_met.str() + " already met: " + D.str() + " applied",
                             path_of(in.group, in.visit_type, "deductible." + std::string(to_string(in.level)) + ".annual"),
                             p.value.str(), src(p.source)};
        });
        break;
      }
    }
    out.deductible = D;
    const Money A = E - D;

    // Off-site reduction for the filing category (none for local visits) and the manual path's extra cut.
    Reduction red;
    if (in.offsite) {
      const auto& p = pol.reduction[index(in.visit_type)][index(in.category)];
      red = p.value;
      explain(ex, [&] {
        return ExplainStep{"B: reduction",
                           "filing category " + std::string(to_string(in.category)) + ": " + red.str() + " off " +
                               std::string(to_string(pol.reduction_base.value)),
                           "reduction." + std::string(to_string(in.visit_type)) + "." + std::string(to_string(in.category)),
                           red.str(), src(p.source)};
      });
    }
    const std::int32_t multiplier_bp = red.kind == Reduction::Kind::multiplier ? red.multiplier.bp() : Ratio::kOne;
    std::int32_t minus_bp = red.kind == Reduction::Kind::points ? red.points.bp : 0;
    if (in.offsite && in.path == SettlementPath::manual && pol.manual.extra_reduction.value.bp > 0) {
      minus_bp += pol.manual.extra_reduction.value.bp;
      explain(ex, [&] {
        const std::string pts = to_string(ParamValue{pol.manual.extra_reduction.value});
        return ExplainStep{"B: reduction", "manual path: a further " + pts, "manual.extra_reduction", pts,
                           src(pol.manual.extra_reduction.source)};
      });
    }
    out.reduction = red;
    const bool reduced = multiplier_bp != Ratio::kOne || minus_bp != 0;
    const bool on_basic = pol.reduction_base.value == ReductionBase::basic_ratio;

    // Pooled fund (统筹基金): progressive ratio bands over the amount above the deductible.
    const auto& bands = rule.ratio[index(in.level)];
    const i128 num = on_basic ? banded_numerator(bands.value, Money::zero(), A, multiplier_bp, minus_bp)
                              : banded_numerator(bands.value, Money::zero(), A, Ratio::kOne, 0);
    const Money hifp_raw = round_half_up(num, kBp2);
    explain(ex, [&] {
      return ExplainStep{"B: pooled fund",
                         A.str() + " above the deductible × " + bands_str(bands.value) +
                             (on_basic && reduced ? " (reduced)" : "") + " = " + hifp_raw.str() + " (half-up)",
                         path_of(in.group, in.visit_type, "ratio." + std::string(to_string(in.level))),
                         bands_str(bands.value), src(bands.source)};
    });
    const Money room = room_under(rule.annual_cap.value, y.pooled_paid[index(pool)]);
    Money hifp = min(hifp_raw, room);
    if (hifp < hifp_raw)
      explain(ex, [&] {
        return ExplainStep{"B: annual cap", "capped at the room left " + room.str(),
                           path_of(in.group, in.visit_type, "annual_cap"), rule.annual_cap.value.str(),
                           src(rule.annual_cap.source)};
      });
    y.pooled_paid[index(pool)] += hifp;

    // Critical illness (residents) or large expense (employees) on the remaining in-policy burden.
    const Layer& layer = scheme == Scheme::resident ? pol.critical_illness : pol.large_expense;
    Money& layer_ytd = scheme == Scheme::resident ? y.critical_illness_paid : y.large_expense_paid;
    Money layer_pay, maf;
    if (layer.enabled.value && layer.applies[index(in.visit_type)].value) {
      const Money burden = E - hifp;
      const Money before = y.layer_base, after = y.layer_base + burden;
      const Money T = layer.threshold.value;
      const i128 lnum = banded_numerator(layer.bands.value, positive_part(before - T), positive_part(after - T),
                                         Ratio::kOne, 0);
      layer_pay = min(round_half_up(lnum, kBp2), room_under(layer.annual_cap.value, layer_ytd));
      y.layer_base = after;
      explain(ex, [&] {
        const std::string name = scheme == Scheme::resident ? "critical_illness" : "large_expense";
        return ExplainStep{"B: " + name,
                           "burden " + burden.str() + " takes the year's total from " + before.str() + " to " +
                               after.str() + "; above threshold " + T.str() + " × " + bands_str(layer.bands.value) +
                               " = " + layer_pay.str(),
                           name + ".bands", bands_str(layer.bands.value), src(layer.bands.source)};
      });
    }

    // Medical assistance on what remains.
    if (in.assistance_eligible && pol.assistance.applies[index(in.visit_type)].value) {
      const Money remaining = E - hifp - layer_pay;
      maf = min(apply_ratio_half_up(remaining, pol.assistance.ratio.value),
                room_under(pol.assistance.annual_cap.value, y.assistance_paid));
      explain(ex, [&] {
        return ExplainStep{"B: assistance", remaining.str() + " × " + pol.assistance.ratio.value.str() + " = " + maf.str(),
                           "assistance.ratio", pol.assistance.ratio.value.str(), src(pol.assistance.ratio.source)};
      });
    }

    // Nantong: the reduction is taken off the sum of all layers [seed 003]. The cut total is shared
    // out in proportion, each part rounded toward zero; the few fen left go to the pooled fund, then
    // the layer, then assistance, none above its unreduced amount (so no cap is ever exceeded).
    if (!on_basic && reduced) {
      const Money total = hifp + layer_pay + maf;
      const i128 cut_num = static_cast<i128>(total.fen()) * multiplier_bp - static_cast<i128>(A.fen()) * minus_bp;
      const Money cut = cut_num <= 0 ? Money::zero() : min(total, round_half_up(cut_num, Ratio::kOne));
      if (!total.is_zero()) {
        const Money parts[3] = {hifp, layer_pay, maf};
        Money scaled[3];
        Money left = cut;
        for (int i = 0; i < 3; ++i) {
          scaled[i] = Money::fen(static_cast<std::int64_t>(static_cast<i128>(parts[i].fen()) * cut.fen() / total.fen()));
          left -= scaled[i];
        }
        for (int i = 0; i < 3 && left > Money::zero(); ++i) {
          const Money add = min(left, parts[i] - scaled[i]);
          scaled[i] += add;
          left -= add;
        }
        y.pooled_paid[index(pool)] -= hifp - scaled[0];
        hifp = scaled[0];
        layer_pay = scaled[1];
        maf = scaled[2];
      }
      explain(ex, [&] {
        return ExplainStep{"B: reduction", "all layers " + total.str() + " reduced to " + cut.str(), "reduction_base",
                           "all_layers", src(pol.reduction_base.source)};
      });
    }
    layer_ytd += layer_pay;  // only what is paid counts toward the layer's cap
    y.assistance_paid += maf;
    out.hifp = hifp;
    out.layer = layer_pay;
    out.maf = maf;
  }
  if (in.visit_type == VisitType::inpatient) y.admissions += 1;
  out.ytd_after = y;
  return out;
}

namespace {
/// resolve_filing, with a filing whose dates run out of the supported range (a validity or a lock
/// ending after 2200-12-31) reported as a bad claim rather than thrown past the caller.
FilingStatus filing_status(const Visit& v, const std::optional<Filing>& filing, const FilingRules& rules,
                           bool with_detail) {
  try {
    return resolve_filing(v, filing, rules, with_detail);
  } catch (const DateRangeError& e) {
    throw InvalidClaim("filing_date", std::string("the filing's dates leave the supported range (") + e.what() + ")");
  }
}

Settlement settle_visit(const SettlementRequest& req, const Catalogue& cat, const InsuredPolicy& pol,
                        const NationalRules& national, bool want_explanation) {
  using E = SettlementEngine;
  E::validate(req);
  const Visit& v = req.visit;
  Settlement r;
  r.id = v.id;
  r.medfee_sumamt = v.medfee_sumamt;
  Explanation* ex = want_explanation ? &r.explanation : nullptr;

  // ---- where and how: local or off-site, filing, path (§2, §4)
  r.offsite = v.insured_region != v.treatment_region;
  r.cross_province = is_cross_province(v.insured_region, v.treatment_region);
  if (!r.offsite) {
    r.path = SettlementPath::direct;
    r.reason = PathReason::local;
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
  r.coaudit = r.cross_province && v.visit_type == VisitType::inpatient &&
              v.medfee_sumamt >= national.coaudit_threshold.value;
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
