// `yidi bench settle`: settlement throughput on synthetic visits, on 1 thread then on 2 (oneTBB
// parallel_for over chunks). The engine is stateless and the snapshots are built before timing, so
// the threads share only read-only data; the results must be the same on any thread count.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
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
#include "sim/io/claims_csv.hpp"
#include "sim/io/output.hpp"
#include "sim/io/policy_snapshots.hpp"
#include "sim/io/policy_yaml.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct BenchOptions {
  std::size_t rows = 200000;
  int repeat = 3;
  std::size_t grain = 1024;
  std::string policy_dir;
  bool cli = false;       // end to end: `yidi settle` on a generated claims file
  std::string keep;       // with --cli: write the claims file here and keep it
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

/// One synthetic valid visit (the i-th), drawn from every region of the book.
void make_job(const std::vector<RegionCode>& regions, io::PolicySnapshots& snapshots, SplitMix& rng, std::size_t i,
              Job& j) {
  const Date first = *Date::from_ymd(2024, 1, 1);
  j = Job{};
  Visit& v = j.request.visit;
  v.id = "B" + std::to_string(i + 1);
  v.insured_region = regions[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(regions.size())))];
  v.treatment_region = rng.below(10) == 0
                           ? v.insured_region
                           : regions[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(regions.size())))];
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

/// Synthetic valid visits across region pairs drawn from every region of the book.
std::vector<Job> make_jobs(const PolicyBook& book, io::PolicySnapshots& snapshots, std::size_t n,
                           std::size_t& pairs_used) {
  const std::vector<RegionCode> regions = book.regions();
  if (regions.empty()) throw std::runtime_error("the policy data has no regions to draw visits from");
  SplitMix rng(20240601);
  std::set<std::pair<RegionCode, RegionCode>> pairs;
  std::vector<Job> jobs(n);
  for (std::size_t i = 0; i < n; ++i) {
    make_job(regions, snapshots, rng, i, jobs[i]);
    pairs.emplace(jobs[i].request.visit.insured_region, jobs[i].request.visit.treatment_region);
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

/// Writes `n` synthetic visits (the engine benchmark's) as a claims CSV (docs/settle-formats.md),
/// with person ids so that year-to-date accumulators are carried (about 3 visits a person).
void write_claims(const PolicyBook& book, std::size_t n, const std::string& path) {
  io::PolicySnapshots snapshots(book);
  const std::vector<RegionCode> regions = book.regions();
  SplitMix rng(20240601), persons(7);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw io::InputError({path, 0, 0}, "", "cannot write the generated claims file: " + io::os_reason(errno));
  out << "# yidi bench settle --cli: " << n << " synthetic visits (seed 20240601)\n"
      << "mdtrt_id,psn_no,insuplc_admdvs,mdtrtarea_admvs,insutype,psn_type,med_type,hosp_lv,adm_date,dscg_date,"
         "medfee_sumamt,cls_a_amt,cls_b_amt,cls_c_amt,overlmt_amt,dise_codg,filing_type,filing_admdvs,filing_date,"
         "emergency,networked,maf_eligible,acct_used,acct_balc\n";
  Job j;
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    make_job(regions, snapshots, rng, i, j);
    const Visit& v = j.request.visit;
    line.clear();
    line += v.id;
    line += ",P" + std::to_string(persons.below(static_cast<std::int64_t>(n / 3 + 1)));
    line += "," + v.insured_region.str() + "," + v.treatment_region.str() + ",";
    line += std::string(io::insutype_code(v.group)) + "," + std::string(io::psn_type_name(v.group)) + ",";
    line += std::string(io::med_type_code(v.visit_type)) + "," + std::to_string(index(v.level) + 1) + ",";
    line += v.admission.str() + "," + v.discharge.str() + "," + v.medfee_sumamt.str() + ",";
    const Money over = v.lines[0].over_price_cap;
    line += (v.lines[0].amount - over).str() + "," + v.lines[1].amount.str() + "," + v.lines[2].amount.str() + "," +
            over.str() + "," + v.disease + ",";
    if (j.request.filing) {
      line += std::string(to_string(j.request.filing->category)) + "," + j.request.filing->target.str() + "," +
              j.request.filing->filed_on.str();
    } else {
      line += ",,";
    }
    line += std::string(",") + (v.emergency ? "1" : "0") + "," + (v.networked ? "1" : "0") + "," +
            (v.assistance_eligible ? "1" : "0") + "," + (v.use_personal_account ? "1" : "0") + "," +
            v.personal_account_balance.str() + "\n";
    out << line;
  }
  out.close();
  if (!out) throw io::InputError({path, 0, 0}, "", "cannot write the generated claims file");
}

/// SHA-256 of a file, read in blocks.
std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io::InputError({path, 0, 0}, "", "cannot open the results: " + io::os_reason(errno));
  io::Sha256 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  return h.hex();
}

struct ChildRun {
  double wall = 0, cpu = 0;
  long max_rss_kb = 0;
  int code = -1;
};

/// Runs this binary with `args` (no shell; its stderr to `err`), measuring its wall time, CPU time and peak memory.
ChildRun run_self(const std::vector<std::string>& args, const std::string& err) {
  std::vector<char*> argv;
  std::string self = "/proc/self/exe";
  argv.push_back(self.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) ::dup2(fd, 2);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  ChildRun r;
  r.wall = seconds_since(t0);
  r.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.max_rss_kb = ru.ru_maxrss;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void run_bench_settle_cli(const BenchOptions& o) {
  const PolicyBook book = o.policy_dir.empty() ? io::load_embedded_policy() : io::load_policy_dir(o.policy_dir);
  const fs::path dir = o.keep.empty() ? fs::temp_directory_path() / ("yidi-bench-settle-" + std::to_string(::getpid()))
                                      : fs::path(o.keep);
  fs::create_directories(dir);
  const std::string claims = (dir / "claims.csv").string();
  const auto t_gen = std::chrono::steady_clock::now();
  write_claims(book, o.rows, claims);
  const double gen_s = seconds_since(t_gen);
  const double mb = static_cast<double>(fs::file_size(claims)) / 1e6;
  std::ostringstream out;
  out << std::fixed << std::setprecision(2);
  out << "yidi bench settle --cli: `yidi settle` end to end on " << o.rows << " synthetic claims (" << mb
      << " MB, generated in " << gen_s << " s, not timed)\n";
  ChildRun cli[2];
  std::string first_bytes;
  bool identical = true;
  for (int threads : {1, 2}) {
    ChildRun best;
    for (int r = 0; r < o.repeat; ++r) {
      // One name for both thread counts: the provenance lines (the command) must match too.
      const std::string results = (dir / "results.csv").string();
      std::vector<std::string> args{"settle", claims, "-o", results, "--overwrite", "--threads", std::to_string(threads)};
      if (!o.policy_dir.empty()) {
        args.push_back("--policy");
        args.push_back(o.policy_dir);
      }
      const std::string err = (dir / "settle.err").string();
      const ChildRun run = run_self(args, err);
      if (run.code != 0 && run.code != 2)
        throw std::runtime_error("yidi settle failed (exit " + std::to_string(run.code) + "): " +
                                 io::read_text_file(err, "messages"));
      fs::remove(err);
      if (r == 0 || run.wall < best.wall) best = run;
    }
    // Compared by hash: a copy of the results held here would count in the next child's peak RSS.
    const std::string digest = file_sha256((dir / "results.csv").string());
    if (threads == 1) first_bytes = digest;
    else identical = digest == first_bytes;
    cli[threads - 1] = best;
  }
  // The engine alone on the same visits, for the ratio (snapshots built before timing, as in
  // `yidi bench settle`). After the command's runs: this process's memory would count in their
  // peak RSS (a forked child's maximum includes what it shared before exec).
  Timing engine[2];
  {
    io::PolicySnapshots snapshots(book);
    std::size_t pairs = 0;
    const std::vector<Job> jobs = make_jobs(book, snapshots, o.rows, pairs);
    std::vector<Outcome> outcomes(jobs.size());
    for (int threads : {1, 2}) engine[threads - 1] = run(jobs, outcomes, threads, o.repeat, o.grain);
  }
  for (int threads : {1, 2}) {
    const ChildRun& best = cli[threads - 1];
    const double rate = static_cast<double>(o.rows) / best.wall;
    const double engine_rate = static_cast<double>(o.rows) / engine[threads - 1].wall;
    // CPU/wall below the thread count: the cores were not all free (a shared machine); the CPU
    // time per claim does not depend on that, and cores / (CPU per claim) is the rate on free cores.
    out << std::setprecision(0) << "  " << threads << (threads == 1 ? " thread : " : " threads: ") << rate
        << " claims/s on " << threads << (threads == 1 ? " thread" : " threads") << "  (best of " << o.repeat << ": "
        << std::setprecision(2) << best.wall << " s; CPU " << best.cpu << " s = " << std::setprecision(3)
        << best.cpu * 1e6 / static_cast<double>(o.rows) << " us/claim; CPU/wall " << std::setprecision(2)
        << best.cpu / best.wall << "; peak RSS " << std::setprecision(1) << static_cast<double>(best.max_rss_kb) / 1024.0
        << " MB)\n"
        << std::setprecision(0) << "             engine alone on the same visits: " << engine_rate
        << " settlements/s (CPU/wall " << std::setprecision(2) << engine[threads - 1].cpu / engine[threads - 1].wall
        << "); settle end to end = " << std::setprecision(3) << rate / engine_rate << " x the engine's rate\n";
  }
  out << "  results identical on 1 and 2 threads: " << (identical ? "yes" : "NO") << "\n";
  std::cout << out.str();
  if (o.keep.empty()) fs::remove_all(dir);
  else {
    fs::remove(dir / "results.csv");
    fs::remove(dir / "results.csv.rejects.csv");
  }
  if (!identical) throw std::runtime_error("the results differ between 1 and 2 threads");
}

void run_bench_settle(const BenchOptions& o) {
  if (o.rows == 0) throw CLI::ValidationError("--rows", "must be at least 1");
  if (o.cli) {
    run_bench_settle_cli(o);
    return;
  }
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
  settle->add_flag("--cli", opts->cli,
                   "end to end: generate a claims CSV of --rows visits and time `yidi settle` on it on 1 and 2 threads "
                   "(wall time, CPU/wall, peak RSS)");
  settle->add_option("--keep", opts->keep, "with --cli: write the claims file into this folder and keep it");
  settle->callback([opts] { run_bench_settle(*opts); });
}

}  // namespace yidi::cli
