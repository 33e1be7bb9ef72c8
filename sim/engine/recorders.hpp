#pragma once
// The run's recorders: one per output group (population, offsite, local, clearing, prepayment,
// funds). Each declares its datasets — name, dimensions, unit, meaning — as members, and writes
// each month's slice of them through a View whose extents come from the world at run time. The
// output schema (output_schema(), outputs/SCHEMA.md, the HDF5 file) is the list of their
// declarations, in this order, after `months`.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/clearing.hpp"
#include "sim/engine/output_schema.hpp"
#include "sim/engine/results.hpp"
#include "sim/engine/view.hpp"
#include "sim/model/population.hpp"
#include "sim/model/totals.hpp"
#include "sim/model/world.hpp"

namespace yidi::sim {

/// How long each output dimension is in one run: the provinces and regions from the world, the
/// rest from their enums.
struct OutputExtents {
  std::size_t provinces = 0;
  std::size_t regions = 0;
  /// Length of dimension d (not `month`, which grows a slice at a time).
  std::size_t of(Dim d) const;
  static OutputExtents of_world(const World& world) { return OutputExtents{world.provinces().size(), world.size()}; }
  /// The extents the schema's labels give (dim_labels): the schema's provinces, no regions.
  static OutputExtents of_schema() { return OutputExtents{dim_labels(Dim::province).size(), 0}; }
};

/// The labels of a run's regional dimensions, from its world.
RunLabels run_labels(const World& world);

/// What a month's recorders read.
struct MonthInput {
  const World& world;
  const MonthTotals& totals;             // the month's sample sums, over all ranks
  const MonthReport& report;             // the clearing system's month end
  /// totals.offsite.sorted(): the off-site cells in key order, computed once for every recorder.
  const std::vector<std::pair<std::uint64_t, Flow>>& offsite;
  std::int64_t scale = 1;                // persons an agent stands for
  std::span<const std::uint8_t> response_active;  // by region: deepened reductions in force this month (0/1)
  /// By region: the share of manual-path patients who claim reimbursement (the insured pool's
  /// policy manual.claim_share), in basis points; empty: all of them claim.
  std::span<const std::int32_t> claim_share_bp = {};
  /// By visit type: the squared coefficient of variation of one visit's bill (exp(σ²) − 1 of the
  /// lognormal cost model), for the sampling error of fund flows (prepayment/usage_se).
  std::array<double, 4> cost_cv2 = {1, 1, 1, 1};  // inpatient, general outpatient, chronic outpatient, pharmacy
};

/// One output group's recorder. Its datasets register themselves in declaration order; the
/// recorder is neither copied nor moved (they point into it).
class Recorder {
public:
  explicit Recorder(const OutputExtents& extents) : extents_(extents) {}
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  virtual ~Recorder() = default;

  /// Its datasets, in output order.
  const std::vector<const DatasetSpec*>& datasets() const { return specs_; }
  /// Writes the month's slice of its monthly datasets (Results::begin_month done).
  virtual void record(const MonthInput& in, Results& out) const = 0;

protected:
  /// A declared dataset of element type T (std::int64_t or double) with N dimensions besides
  /// `month`; slice() is the current month's slice (or the whole of a static dataset) as a View.
  template <class T, std::size_t N>
  class Dataset {
    static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>);

  public:
    Dataset(Recorder& owner, std::string name, std::vector<Dim> dims, std::string unit, std::string description)
        : spec_{std::move(name), std::move(dims), std::is_same_v<T, std::int64_t>, std::move(unit), std::move(description)} {
      std::size_t d = 0;
      for (Dim dim : spec_.dims)
        if (dim != Dim::month) {
          if (d == N) break;
          extents_[d++] = owner.extents_.of(dim);
        }
      if (d != N || spec_.dims.size() - (spec_.dims.front() == Dim::month ? 1 : 0) != N)
        throw std::logic_error("dataset " + spec_.name + " is declared with the wrong number of dimensions");
      owner.specs_.push_back(&spec_);
    }
    Dataset(const Dataset&) = delete;
    Dataset& operator=(const Dataset&) = delete;

    const DatasetSpec& spec() const { return spec_; }
    const std::array<std::size_t, N>& extents() const { return extents_; }
    View<T, N> slice(Results& out) const {
      if constexpr (std::is_same_v<T, std::int64_t>) return View<T, N>(out.ints(spec_), extents_);
      else return View<T, N>(out.floats(spec_), extents_);
    }

  private:
    DatasetSpec spec_;
    std::array<std::size_t, N> extents_{};
  };
  using Ints1 = Dataset<std::int64_t, 1>;
  using Ints2 = Dataset<std::int64_t, 2>;

  const OutputExtents& extents() const { return extents_; }

private:
  OutputExtents extents_;
  std::vector<const DatasetSpec*> specs_;
};

/// population/: insured persons (static) and persons living off-site.
class PopulationRecorder final : public Recorder {
public:
  explicit PopulationRecorder(const OutputExtents& x) : Recorder(x) {}
  /// The static datasets, once at the start of a run.
  void record_start(const World& world, const Layout& layout, Results& out) const;
  void record(const MonthInput& in, Results& out) const override;

private:
  Dataset<std::int64_t, 2> insured_{*this, "population/insured", {Dim::province, Dim::group}, "persons",
                                    "insured persons (full scale) by home province and group"};
  Dataset<std::int64_t, 2> away_{*this, "population/away", {Dim::month, Dim::province, Dim::group}, "persons",
                                 "insured persons living in another pooling region (of their province or another) at month end (scaled), by home province"};
};

/// offsite/ (cross-province, 跨省) or intra/ (intra-province in another pool, 省内异地): visits,
/// their money, direct-settlement rates and manual reasons, by insured province.
class OffsiteRecorder final : public Recorder {
public:
  /// `intra`: the intra-province group; else the cross-province one.
  OffsiteRecorder(const OutputExtents& x, bool intra) : Recorder(x), intra_(intra) {}
  void record(const MonthInput& in, Results& out) const override;

private:
  const bool intra_;
  static std::vector<Dim> by_path() { return {Dim::month, Dim::province, Dim::group, Dim::visit_type, Dim::path}; }
  std::string name(const char* n) const { return std::string(intra_ ? "intra/" : "offsite/") + n; }
  std::string what() const { return intra_ ? "intra-province visits in another pool" : "cross-province visits"; }
  using ByPath = Dataset<std::int64_t, 4>;
  ByPath visits_{*this, name("visits"), by_path(), "visits", what() + " by insured province (scaled), direct or manual"};
  ByPath medfee_{*this, name("medfee"), by_path(), "fen", "their total bills (medfee_sumamt)"};
  ByPath fund_{*this, name("fund"), by_path(), "fen",
               "what the funds pay (fund_pay_sumamt); manual: the entitlement, paid only if claimed"};
  ByPath hifp_{*this, name("hifp"), by_path(), "fen", "of which the pooled fund (hifp_pay)"};
  ByPath individual_{*this, name("individual"), by_path(), "fen", "individual burden psn_part_amt = medfee − fund"};
  Dataset<std::int64_t, 3> by_treatment_{
      *this, name("by_treatment"), {Dim::month, Dim::province, Dim::treatment_province, Dim::visit_type}, "visits",
      what() + " by insured and treatment province (scaled), both paths"};
  Dataset<double, 1> dsr_{*this, name("dsr_inpatient"), {Dim::month, Dim::province}, "ratio",
                          std::string(intra_ ? "intra-province" : "cross-province") +
                              " inpatient direct-settlement rate of the insured province: direct ÷ (direct + manual)"};
  Dataset<double, 0> dsr_national_{*this, name("dsr_inpatient_national"), {Dim::month}, "ratio", "the same, national"};
  Dataset<std::int64_t, 1> claimed_{*this, name("manual_claimed_inpatient"), {Dim::month, Dim::province}, "visits",
                                    "manual-path inpatient stays whose patients claim reimbursement (scaled): each "
                                    "insured pool's manual stays × its manual.claim_share, half-up"};
  Dataset<std::int64_t, 1> unclaimed_{*this, name("manual_unclaimed_inpatient"), {Dim::month, Dim::province}, "visits",
                                      "manual-path inpatient stays never claimed (scaled): no reimbursement, and unseen "
                                      "by the official rate"};
  Dataset<double, 1> dsr_official_{*this, name("dsr_inpatient_official"), {Dim::month, Dim::province}, "ratio",
                                   "the rate as officially counted: direct ÷ (direct + manual stays claimed), since the "
                                   "agencies see a manual stay only when it is claimed"};
  Dataset<double, 0> dsr_official_national_{*this, name("dsr_inpatient_official_national"), {Dim::month}, "ratio",
                                            "the same, national"};
  Dataset<std::int64_t, 2> manual_reasons_{*this, name("manual_reasons"), {Dim::month, Dim::province, Dim::reason},
                                           "visits", std::string("why ") + (intra_ ? "intra-province" : "cross-province") +
                                                         " inpatient stays were settled manually (scaled)"};
};

/// local/: inpatient stays at home.
class LocalRecorder final : public Recorder {
public:
  explicit LocalRecorder(const OutputExtents& x) : Recorder(x) {}
  void record(const MonthInput& in, Results& out) const override;

private:
  static std::vector<Dim> by_group() { return {Dim::month, Dim::province, Dim::group}; }
  Ints2 stays_{*this, "local/inpatient_stays", by_group(), "visits", "inpatient stays at home (scaled)"};
  Ints2 medfee_{*this, "local/inpatient_medfee", by_group(), "fen", "their bills"};
  Ints2 fund_{*this, "local/inpatient_fund", by_group(), "fen", "what the funds paid for them"};
};

/// clearing/: what the month's clearing moved between provinces.
class ClearingRecorder final : public Recorder {
public:
  explicit ClearingRecorder(const OutputExtents& x) : Recorder(x) {}
  void record(const MonthInput& in, Results& out) const override;

private:
  Ints2 gross_{*this, "clearing/gross", {Dim::month, Dim::province, Dim::treatment_province}, "fen",
               "cleared this month: insured province (row) pays treatment province (column)"};
  Ints1 net_{*this, "clearing/net", {Dim::month, Dim::province}, "fen",
             "multilateral net position cleared this month (receivable − payable)"};
};

/// prepayment/: the insured provinces' prepayment positions at month end.
class PrepaymentRecorder final : public Recorder {
public:
  explicit PrepaymentRecorder(const OutputExtents& x) : Recorder(x) {}
  void record(const MonthInput& in, Results& out) const override;

private:
  static std::vector<Dim> by_province() { return {Dim::month, Dim::province}; }
  Ints1 quota_{*this, "prepayment/quota", by_province(), "fen", "cross-province prepayment quota of the insured province at month end (one per province, clearing.quota_level)"};
  Ints1 outstanding_{*this, "prepayment/outstanding", by_province(), "fen", "settled but not yet cleared at month end"};
  Dataset<double, 1> usage_{*this, "prepayment/usage", by_province(), "ratio", "outstanding ÷ quota"};
  Ints1 warning_{*this, "prepayment/warning", by_province(), "0/1/2", "the province's warning at month end: none / yellow (≥ 70%) / red (≥ 90%, asks for a top-up)"};
  Ints1 topup_requested_{*this, "prepayment/topup_requested", by_province(), "fen", "emergency top-up the province asked for at month end (split over its pools by what they have outstanding)"};
  Dataset<std::int64_t, 0> topups_paid_{*this, "prepayment/topups_paid", {Dim::month}, "fen",
                                        "emergency top-ups paid during the month, national"};
  Dataset<double, 1> usage_se_{*this, "prepayment/usage_se", by_province(), "ratio",
                               "sampling standard error of prepayment/usage: that of the month's direct cross-province "
                               "fund payments (outpatient and inpatient, each cell's sampled visits standing for `scale`) "
                               "÷ the quota (NaN without a quota)"};
  Ints1 noisy_{*this, "prepayment/noisy", by_province(), "0/1/2",
               "prepayment/usage and its warning readable / mostly sampling noise (usage_se above 0.10) / no quota"};
};

/// funds/: the pooling funds at month end, and the fund policy response.
class FundsRecorder final : public Recorder {
public:
  explicit FundsRecorder(const OutputExtents& x) : Recorder(x) {}
  void record(const MonthInput& in, Results& out) const override;

private:
  static std::vector<Dim> by_scheme() { return {Dim::month, Dim::province, Dim::scheme}; }
  Ints2 balance_{*this, "funds/balance", by_scheme(), "fen", "pooling fund balance at month end"};
  Ints2 prepayment_held_{*this, "funds/prepayment_held", by_scheme(), "fen",
                         "the fund's money held by other provinces as prepayment"};
  Ints2 income_{*this, "funds/income", by_scheme(), "fen", "contributions in during the month"};
  Ints2 expenditure_{*this, "funds/expenditure", by_scheme(), "fen",
                     "spending during the month: local benefits, clearing, manual reimbursements, less clawbacks"};
  Dataset<double, 2> months_payable_{*this, "funds/months_payable", by_scheme(), "months",
                                     "(balance + prepayment held) ÷ average monthly expenditure, trailing 12 months"};
  Ints2 below_floor_{*this, "funds/below_floor", by_scheme(), "0/1", "months payable below 6 [seed 003]"};
  Ints1 response_active_{*this, "funds/response_active", {Dim::month, Dim::province}, "0/1",
                         "deepened off-site reductions were in force this month in a pool of the province (funds.response_points)"};
};

/// region/: the pooling regions one by one — insured, off-site care within and across provinces,
/// funds — and the sample behind each figure, so that a pool's answer can be told from noise.
class RegionRecorder final : public Recorder {
public:
  explicit RegionRecorder(const OutputExtents& x) : Recorder(x) {}
  void record_start(const World& world, const Layout& layout, Results& out) const;
  void record(const MonthInput& in, Results& out) const override;

private:
  static std::vector<Dim> by_path() { return {Dim::month, Dim::region, Dim::visit_type, Dim::path}; }
  static std::vector<Dim> by_scheme() { return {Dim::month, Dim::region, Dim::scheme}; }
  using ByPath = Dataset<std::int64_t, 3>;
  Ints2 insured_{*this, "region/insured", {Dim::region, Dim::group}, "persons", "insured persons (full scale) by pool and group"};
  Ints1 sample_agents_{*this, "region/sample_agents", {Dim::region}, "agents",
                       "sampled agents insured in the pool (each stands for `scale` persons)"};
  Ints2 away_{*this, "region/away", {Dim::month, Dim::region, Dim::group}, "persons",
              "insured persons of the pool living in another pool at month end (scaled)"};
  ByPath cross_visits_{*this, "region/offsite_visits", by_path(), "visits", "cross-province visits of the pool's insured (scaled)"};
  ByPath cross_fund_{*this, "region/offsite_fund", by_path(), "fen", "what the pool's funds pay for them"};
  ByPath intra_visits_{*this, "region/intra_visits", by_path(), "visits",
                       "intra-province visits of the pool's insured in another pool of the province (scaled)"};
  ByPath intra_fund_{*this, "region/intra_fund", by_path(), "fen", "what the pool's funds pay for them"};
  Dataset<double, 1> dsr_{*this, "region/dsr_inpatient", {Dim::month, Dim::region}, "ratio",
                          "cross-province inpatient direct-settlement rate of the pool's insured"};
  Ints1 sample_stays_{*this, "region/sample_inpatient", {Dim::month, Dim::region}, "stays",
                      "sampled cross-province inpatient stays behind region/dsr_inpatient"};
  Dataset<double, 1> dsr_se_{*this, "region/dsr_inpatient_se", {Dim::month, Dim::region}, "ratio",
                             "its sampling standard error √(p(1−p)/n) over the sampled stays (NaN with none; "
                             "region/dsr_noisy tells whether the figure can be read)"};
  Ints1 noisy_{*this, "region/dsr_noisy", {Dim::month, Dim::region}, "0/1/2",
               "region/dsr_inpatient readable / mostly sampling noise / no sampled stays: 1 where its standard error, "
               "with two direct and two manual stays added (Agresti–Coull), is above 0.05 (kNoiseSe [assumed], "
               "sim/engine/sampling_noise.hpp)"};
  Dataset<double, 1> intra_dsr_{*this, "region/intra_dsr_inpatient", {Dim::month, Dim::region}, "ratio",
                                "intra-province inpatient direct-settlement rate of the pool's insured"};
  Ints1 intra_sample_stays_{*this, "region/intra_sample_inpatient", {Dim::month, Dim::region}, "stays",
                            "sampled intra-province inpatient stays behind region/intra_dsr_inpatient"};
  Dataset<double, 1> intra_dsr_se_{*this, "region/intra_dsr_inpatient_se", {Dim::month, Dim::region}, "ratio",
                                   "its sampling standard error √(p(1−p)/n) (NaN with none)"};
  Ints1 intra_noisy_{*this, "region/intra_dsr_noisy", {Dim::month, Dim::region}, "0/1/2",
                     "region/intra_dsr_inpatient readable / mostly sampling noise / no sampled stays (as region/dsr_noisy)"};
  Ints2 balance_{*this, "region/fund_balance", by_scheme(), "fen",
                 "the pool's fund balance at month end (under province-level pooling: the province fund's, on the "
                 "provincial seat's pool; 0 on the others)"};
  Dataset<double, 2> months_payable_{*this, "region/months_payable", by_scheme(), "months",
                                     "the pool's months payable (as funds/months_payable; under province-level pooling, "
                                     "the province fund's on each of its pools)"};
  Ints2 below_floor_{*this, "region/below_floor", by_scheme(), "0/1", "the pool's months payable below 6 [seed 003]"};
  Ints2 below_zero_{*this, "region/below_zero", by_scheme(), "0/1",
                    "the pool's fund balance (under province-level pooling, the province fund's) is below zero at month "
                    "end: the fund cannot pay; `yidi run` warns (funds_below_zero)"};
  Ints1 province_pooled_{*this, "region/province_pooled", {Dim::month, Dim::region}, "0/1",
                         "the pool's insured belong to its province's one fund this month (省级统筹, "
                         "clearing.province_pooling): care anywhere in the province is local"};
  Ints1 response_active_{*this, "region/response_active", {Dim::month, Dim::region}, "0/1",
                         "the pool's deepened off-site reductions were in force this month"};
};

/// Every group's recorder, in output order.
class Recorders {
public:
  explicit Recorders(const OutputExtents& extents);
  /// For a run of `world`: std::invalid_argument if its extents are not the output schema's.
  explicit Recorders(const World& world);

  /// Every recorder's datasets, in output order.
  std::vector<const DatasetSpec*> datasets() const;
  /// The static datasets, at the start of a run.
  void record_start(const World& world, const Layout& layout, Results& out) const {
    population_.record_start(world, layout, out);
    region_.record_start(world, layout, out);
  }
  /// The month's slices of every monthly dataset (Results::begin_month done).
  void record(const MonthInput& in, Results& out) const;

private:
  PopulationRecorder population_;
  OffsiteRecorder offsite_;
  OffsiteRecorder intra_;
  LocalRecorder local_;
  ClearingRecorder clearing_;
  PrepaymentRecorder prepayment_;
  FundsRecorder funds_;
  RegionRecorder region_;
  std::array<const Recorder*, 8> all_;
};

}  // namespace yidi::sim
