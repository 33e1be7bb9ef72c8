// `yidi bench settle`: settlement throughput on synthetic visits, on 1 thread then on 2 (oneTBB
// parallel_for over chunks). The engine is stateless and the snapshots are built before timing, so
// the threads share only read-only data; the results must be the same on any thread count.
#include <chrono>
#include <ctime>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "models/settlement_engine.hpp"
#include "sim/cli/commands.hpp"
#include "sim/io/policy_snapshots.hpp"
#include "sim/io/policy_yaml.hpp"

namespace yidi::cli {
namespace {

struct BenchOptions {
  std::size_t rows = 200000;
  int repeat = 3;
  std::size_t grain = 1024;
  std::string policy_dir;
};

/// SplitMix64: a small deterministic generator, so the same --rows gives the same visits.
class SplitMix {
public:
  explicit SplitMix(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n).
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }

private:
  std::uint64_t s_;
};

struct Job {
  SettlementRequest request;
  const Catalogue* catalogue = nullptr;
  const InsuredPolicy* policy = nullptr;
  const NationalRules* national = nullptr;
};

/// Synthetic valid visits across region pairs drawn from every region of the book.
std::vector<Job> make_jobs(const PolicyBook& book, io::PolicySnapshots& snapshots, std::size_t n,
                           std::size_t& pairs_used) {
  const std::vector<RegionCode> regions = book.regions();
  if (regions.empty()) throw std::runtime_error("the policy data has no regions to draw visits from");
  SplitMix rng(20240601);
  const Date first = *Date::from_ymd(2024, 1, 1);
  std::set<std::pair<RegionCode, RegionCode>> pairs;
  std::vector<Job> jobs(n);
  for (std::size_t i = 0; i < n; ++i) {
    Job& j = jobs[i];
    Visit& v = j.request.visit;
    v.id = "B" + std::to_string(i + 1);
    v.insured_region = regions[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(regions.size())))];
    v.treatment_region = rng.below(10) == 0
                             ? v.insured_region
                             : regions[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(regions.size())))];
    pairs.emplace(v.insured_region, v.treatment_region);
    v.group = kInsuredGroups[static_cast<std::size_t>(rng.below(3))];
    const std::int64_t t = rng.below(100);
    v.visit_type = t < 40 ? VisitType::inpatient
                 : t < 65 ? VisitType::general_outpatient
                 : t < 85 ? VisitType::chronic_outpatient
                          : VisitType::pharmacy;
    v.level = v.visit_type == VisitType::pharmacy ? HospitalLevel::level1
                                                  : kHospitalLevels[static_cast<std::size_t>(rng.below(3))];
    v.admission = first.plus_days(static_cast<std::int32_t>(rng.below(350)));
    v.discharge = v.visit_type == VisitType::inpatient ? v.admission.plus_days(static_cast<std::int32_t>(1 + rng.below(20)))
                                                       : v.admission;
    // Inpatient 1,000–60,000 yuan, outpatient 50–2,000; split 甲/乙/丙/over-cap with the last by subtraction.
    const Money total = v.visit_type == VisitType::inpatient ? Money::fen(100000 + rng.below(5900000))
                                                             : Money::fen(5000 + rng.below(195000));
    const Money a = Money::fen(total.fen() * (50 + rng.below(15)) / 100);
    const Money b = Money::fen(total.fen() * (15 + rng.below(15)) / 100);
    const Money over = Money::fen(total.fen() * rng.below(5) / 100);
    const Money c = total - a - b - over;
    v.medfee_sumamt = total;
    v.lines = {ClaimLine{ItemClass::a, a + over, over, std::nullopt}, ClaimLine{ItemClass::b, b, Money::zero(), std::nullopt},
               ClaimLine{ItemClass::c, c, Money::zero(), std::nullopt}};
    v.emergency = rng.below(20) == 0;
    v.networked = rng.below(50) != 0;
    v.assistance_eligible = rng.below(10) == 0;
    v.use_personal_account = scheme_of(v.group) == Scheme::employee && rng.below(2) == 0;
    v.personal_account_balance = Money::fen(rng.below(300000));

    j.catalogue = &snapshots.catalogue(v.treatment_region, v.discharge);
    j.policy = &snapshots.insured(v.insured_region, v.discharge);
    j.national = &snapshots.national(v.discharge);
    if (v.visit_type == VisitType::chronic_outpatient) {
      const auto& list = j.policy->chronic_diseases.value;
      v.disease = list.empty() ? "hypertension" : list[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(list.size())))];
    }
    const std::int64_t f = rng.below(10);
    if (f < 8) {
      Filing fl;
      fl.category = f < 5 ? FilingCategory::long_term_resident
                  : f < 7 ? FilingCategory::referral
                          : FilingCategory::other_temporary;
      fl.target = v.treatment_region;
      fl.filed_on = v.admission.plus_days(-static_cast<std::int32_t>(rng.below(150)));
      j.request.filing = fl;
    }
  }
  pairs_used = pairs.size();
  return jobs;
}

/// What is compared between thread counts (kept small: a full Settlement per visit would cost
/// hundreds of bytes each).
struct Outcome {
  SettlementPath path = SettlementPath::direct;
  PathReason reason = PathReason::direct;
  Money hifp_pay, hifmi_pay, hifob_pay, maf_pay, psn_part_amt, acct_pay, psn_cash_pay;
  YearToDate ytd_after;
  bool operator==(const Outcome&) const = default;
};
Outcome outcome(const Settlement& s) {
  return {s.path, s.reason, s.hifp_pay, s.hifmi_pay, s.hifob_pay, s.maf_pay, s.psn_part_amt, s.acct_pay,
          s.psn_cash_pay, s.ytd_after};
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Timing {
  double wall = 0;  // seconds, best run
  double cpu = 0;   // process CPU seconds of that run, all threads: cpu/wall shows how many cores it got
};

/// Settles every job on `threads` threads; returns the best wall time of `repeat` runs.
Timing run(const std::vector<Job>& jobs, std::vector<Outcome>& out, int threads, int repeat, std::size_t grain) {
  tbb::task_arena arena(threads);
  Timing best;
  for (int r = 0; r < repeat; ++r) {
    const std::clock_t c0 = std::clock();
    const auto t0 = std::chrono::steady_clock::now();
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, jobs.size(), grain),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          for (std::size_t i = range.begin(); i != range.end(); ++i) {
                            const Job& j = jobs[i];
                            out[i] = outcome(SettlementEngine::settle(j.request, *j.catalogue, *j.policy, *j.national));
                          }
                        });
    });
    const double wall = seconds_since(t0);
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    if (r == 0 || wall < best.wall) best = {wall, cpu};
  }
  return best;
}

void run_bench_settle(const BenchOptions& o) {
  if (o.rows == 0) throw CLI::ValidationError("--rows", "must be at least 1");
  const auto t_load = std::chrono::steady_clock::now();
  const PolicyBook book = o.policy_dir.empty() ? io::load_embedded_policy() : io::load_policy_dir(o.policy_dir);
  const double load_s = seconds_since(t_load);

  io::PolicySnapshots snapshots(book);
  const auto t_gen = std::chrono::steady_clock::now();
  std::size_t pairs = 0;
  const std::vector<Job> jobs = make_jobs(book, snapshots, o.rows, pairs);
  const double gen_s = seconds_since(t_gen);

  std::vector<Outcome> one(jobs.size()), two(jobs.size());
  const Timing t1 = run(jobs, one, 1, o.repeat, o.grain);
  const Timing t2 = run(jobs, two, 2, o.repeat, o.grain);
  std::size_t differing = 0, direct = 0;
  Money fund;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!(one[i] == two[i])) ++differing;
    if (one[i].path == SettlementPath::direct) ++direct;
    fund += one[i].hifp_pay + one[i].hifmi_pay + one[i].hifob_pay + one[i].maf_pay;
  }

  const double n = static_cast<double>(jobs.size());
  std::ostringstream out;
  out << std::fixed << std::setprecision(0);
  out << "yidi bench settle: " << jobs.size() << " synthetic visits (seed 20240601), " << book.regions().size()
      << " regions, " << pairs << " region pairs; policy " << (o.policy_dir.empty() ? "embedded" : o.policy_dir) << "\n";
  out << std::setprecision(3) << "  policy loaded in " << load_s << " s; " << snapshots.built()
      << " snapshots built with the visits in " << gen_s << " s (not timed below)\n";
  // CPU/wall: how many cores a run really had (near 1 on 2 threads: no second core was free).
  auto line = [&](const char* label, const Timing& t) {
    out << std::setprecision(0) << label << n / t.wall << " settlements/s  (best of " << o.repeat << ": "
        << std::setprecision(3) << t.wall << " s; CPU/wall " << std::setprecision(2) << t.cpu / t.wall << ")\n";
  };
  line("  1 thread : ", t1);
  line("  2 threads: ", t2);
  out << std::setprecision(2) << "  ratio 2/1: " << t1.wall / t2.wall << "x   (chunks of " << o.grain << " visits; "
      << std::thread::hardware_concurrency() << " hardware threads)\n";
  out << "  results identical on 1 and 2 threads: " << (differing == 0 ? "yes" : "NO") << "; " << direct
      << " direct; fund total " << fund.str() << "\n";
  std::cout << out.str();
  if (differing != 0)
    throw std::runtime_error(std::to_string(differing) + " settlements differ between 1 and 2 threads");
}

}  // namespace

void register_bench(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "benchmarks (timings only; nothing here is asserted in tests)");
  bench->require_subcommand(1);
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* settle = bench->add_subcommand("settle", "settlements per second on 1 and on 2 threads (oneTBB)");
  settle->add_option("--rows", opts->rows, "synthetic visits to settle (deterministic)")->capture_default_str();
  settle->add_option("--repeat", opts->repeat, "timed runs per thread count; the best is reported")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  settle->add_option("--grain", opts->grain, "visits per parallel_for chunk")->capture_default_str()->check(CLI::PositiveNumber);
  settle->add_option("--policy", opts->policy_dir, "policy folder (default: embedded data)");
  settle->callback([opts] { run_bench_settle(*opts); });
}

}  // namespace yidi::cli
