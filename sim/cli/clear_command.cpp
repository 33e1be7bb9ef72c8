// `yidi clear RESULTS.csv -o OUTDIR`: runs the clearing calendar over settlement results (the output
// of `yidi settle`) and writes the monthly clearing matrices, net positions, prepayment positions
// and fund balances (docs/clear-formats.md).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <unordered_map>
#include <sstream>

#include "sim/cli/commands.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/clearing_yaml.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/output.hpp"
#include "sim/io/settlements_csv.hpp"
#include "sim/io/strict_yaml.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct ClearOptions {
  std::string results;
  std::string output;
  std::string config;
  std::string policy_dir;
  bool ledger = false;
  bool overwrite = false;
};

std::string month_label(int m) { return Date::month_label(m); }
std::string usage_str(std::int64_t bp) {
  if (bp >= std::numeric_limits<std::int32_t>::max()) return "inf";
  return Ratio::bp(static_cast<std::int32_t>(std::min<std::int64_t>(bp, 1000000))).str();
}
std::string months_str(double m) {
  if (!std::isfinite(m)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", m);
  return buf;
}

/// A CSV file in the output folder with its provenance lines.
class Table {
public:
  Table(io::OutputFolder& folder, const std::string& name, const std::vector<std::string>& provenance,
        const std::vector<std::string>& header)
      : out_(folder.create(name)) {
    std::string text;
    for (const auto& p : provenance) text += "# " + p + "\n";
    out_.write(text);
    row(header);
  }
  void row(const std::vector<std::string>& fields) {
    line_.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) line_ += ',';
      line_ += io::csv_field(fields[i]);
    }
    line_ += '\n';
    out_.write(line_);
  }
  void close() { out_.close(); }

private:
  io::FileWriter out_;
  std::string line_;
};

/// What clearing needs of a settlement, and nothing else: rows with the same key are cleared as one
/// batch, so that clearing state and ledger events grow with pairs × months, not with rows
/// (docs/clear-formats.md).
struct BatchKey {
  int month = 0;  // Date::month_index() of the discharge
  RegionCode insured;
  Scheme scheme = Scheme::employee;
  RegionCode treatment;
  SettlementPath path = SettlementPath::direct;
  int delay = 0;          // declaration delay, months
  bool claimed = false;   // manual path: whether (and so when) the person is reimbursed
  auto operator<=>(const BatchKey&) const = default;
};
struct BatchKeyHash {
  std::size_t operator()(const BatchKey& k) const {
    std::uint64_t h = static_cast<std::uint64_t>(k.month) * 0x9E3779B97F4A7C15ull;
    h ^= (static_cast<std::uint64_t>(k.insured.value()) << 20 ^ k.treatment.value()) * 0xBF58476D1CE4E5B9ull;
    h ^= static_cast<std::uint64_t>(static_cast<int>(k.scheme) | static_cast<int>(k.path) << 2 | k.delay << 4 |
                                    (k.claimed ? 1 : 0) << 7) *
         0x94D049BB133111EBull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};
struct Batch {
  std::int64_t visits = 0;
  Money fund_pay, patient_pay, coaudit_fund_pay;
  Date last;  // the latest discharge: the batch's date in the ledger
};

/// The region registry `yidi clear` checks codes against: the embedded policy data's, or that of
/// `--policy DIR` (its regions.yaml), as for `yidi settle`.
PolicyBook load_registry(const std::string& policy_dir, io::InputFiles& inputs, std::string& where) {
  PolicyBook book;
  if (policy_dir.empty()) {
    const auto text = io::embedded_file("scenarios/policy/regions.yaml");
    if (!text) throw std::logic_error("no embedded scenarios/policy/regions.yaml");
    io::load_region_registry(book, *text, "<embedded>/scenarios/policy/regions.yaml");
    where = "embedded scenarios/policy/regions.yaml";
  } else {
    const std::string path = (fs::path(policy_dir) / "regions.yaml").string();
    io::load_region_registry(book, io::read_config_file(path, "region registry"), path);
    inputs.add(path);
    where = path;
  }
  return book;
}

int run_clear(const ClearOptions& o, const std::string& command_line) {
  // The inputs are never outputs; the output folder is created now (as a temporary beside its
  // target), so an unwritable place is found before the work (docs/outputs.md).
  io::InputFiles inputs;
  inputs.add(o.results);
  inputs.add(o.config);
  std::string registry_source;
  const PolicyBook registry = load_registry(o.policy_dir, inputs, registry_source);
  io::ClearingConfig config;
  std::string config_hash = "defaults";
  if (!o.config.empty()) {
    const std::string text = io::read_config_file(o.config, "clearing configuration");
    config = io::parse_clearing_config(text, o.config);
    config_hash = io::sha256_hex(text);
  }
  io::OutputFolder folder(o.output, "clearing tables", o.overwrite, inputs);

  // Read the results streaming, each row checked, into batches.
  std::set<std::pair<RegionCode, Scheme>> configured;
  for (const auto& f : config.funds) configured.emplace(f.pool, f.scheme);
  io::CsvSplitter input(o.results, o.results, "results file");
  io::SettlementsReader reader(input, config.rules, registry);
  std::unordered_map<BatchKey, Batch, BatchKeyHash> by_key;
  std::size_t cleared_rows = 0, rejected = 0;
  io::SettlementRow row;
  std::optional<io::InputError> bad;
  for (auto n = reader.next(row, bad); n != io::SettlementsReader::Next::end; n = reader.next(row, bad)) {
    if (n == io::SettlementsReader::Next::rejected) {
      std::cerr << bad->what() << "\n";
      ++rejected;
      continue;
    }
    const SettlementRecord& x = row.record;
    if (!configured.empty() && !configured.count({x.insured_region, x.scheme})) {
      std::cerr << o.results << ":" << row.line << ": field 'insuplc_admdvs': no fund account for "
                << x.insured_region.str() << " (" << to_string(x.scheme) << ") in the configuration; row skipped\n";
      ++rejected;
      continue;
    }
    const BatchKey key{x.settled_on.month_index(), x.insured_region, x.scheme,        x.treatment_region,
                       x.path,                     x.declaration_delay_months, x.reimburse_on.has_value()};
    Batch& b = by_key[key];
    b.visits += 1;
    b.fund_pay += x.fund_pay;
    b.patient_pay += x.patient_pay;
    b.coaudit_fund_pay += x.coaudit_fund_pay;
    if (b.visits == 1 || b.last < x.settled_on) b.last = x.settled_on;
    ++cleared_rows;
  }
  if (by_key.empty()) throw io::InputError({o.results, 0, 0}, "", "no settlement rows to clear");
  // In key order (month first): the calendar takes months in order, and the order is the file's
  // whatever its row order.
  std::vector<std::pair<BatchKey, Batch>> batches(by_key.begin(), by_key.end());
  by_key.clear();
  std::sort(batches.begin(), batches.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  const int first = batches.front().first.month;
  const int last = batches.back().first.month;
  const int last_year = last / 12;
  const int end = std::max(last + 1 + config.params.max_delay_months,
                           (last_year + 1) * 12 + config.params.year_close_month - 1);
  ClearingSystem cs(config.params, first);
  const Date opening = Date::first_of_month(first);

  // Funds: as configured, else every insured fund of the input opens at zero.
  std::map<std::pair<RegionCode, Scheme>, io::FundSetup> funds;
  for (const auto& f : config.funds) funds[{f.pool, f.scheme}] = f;
  const bool auto_funds = config.funds.empty();
  if (auto_funds)
    for (const auto& [k, b] : batches) funds[{k.insured, k.scheme}] = io::FundSetup{k.insured, k.scheme, {}, 0, {}, {}, {}};
  for (const auto& [k, f] : funds) cs.add_fund(f.pool, f.scheme, f.opening, opening);

  // First year's quotas: as configured, else bootstrapped: multiple × the first year's average
  // monthly direct cross-province payments of each pair (documented as a stand-in for last year).
  std::string quota_source = "configured";
  if (!config.initial_quotas.empty()) {
    for (const auto& q : config.initial_quotas) cs.set_initial_quota(q.pool, q.scheme, q.treatment_province, q.quota);
  } else {
    quota_source = "bootstrapped from the first year's flows";
    std::map<std::tuple<RegionCode, Scheme, RegionCode>, Money> flows;
    for (const auto& [k, b] : batches)
      if (k.month / 12 == first / 12 && k.path == SettlementPath::direct && is_cross_province(k.insured, k.treatment))
        flows[{k.insured, k.scheme, k.treatment.province()}] += b.fund_pay;
    for (const auto& [k, flow] : flows) {
      const Money q = scale_half_up(flow, config.params.quota_multiple.bp(), 12 * Ratio::kOne);
      if (cs.has_fund(std::get<0>(k), std::get<1>(k))) cs.set_initial_quota(std::get<0>(k), std::get<1>(k), std::get<2>(k), q);
    }
  }
  const std::string input_hash = input.sha256_hex();

  // Provenance shared by every table.
  std::vector<std::string> prov = {
      std::string("yidi ") + kVersion + " clear",
      "command: " + command_line,
      "input: " + o.results + " sha256=" + input_hash + " rows=" + std::to_string(cleared_rows + rejected) +
          " cleared=" + std::to_string(cleared_rows) + " rejected=" + std::to_string(rejected) + " batches=" +
          std::to_string(batches.size()),
      "region registry: " + registry_source,
      "config: " + (o.config.empty() ? std::string("built-in defaults") : config.source) + " sha256=" + config_hash,
      std::string("funds: ") + (auto_funds ? "opened at zero for every insured fund in the input (no --config funds)" : "configured"),
      "initial quotas: " + quota_source,
      "threads=1 ranks=1"};
  std::string params_line = "params:";
  for (const auto& p : io::describe(config.params, config.rules)) params_line += " " + p;
  prov.push_back(params_line);

  {
    Table pairs(folder, "clearing_pairs.csv", prov,
                {"month", "clearing_date", "insured_province", "treatment_province", "scheme", "gross", "visits"});
    Table intra(folder, "clearing_intra.csv", prov,
                {"month", "clearing_date", "insured_region", "treatment_region", "scheme", "amount", "visits"});
    Table net(folder, "net_positions.csv", prov, {"month", "province", "receivable", "payable", "net"});
    Table prepay(folder, "prepayment_pairs.csv", prov,
                 {"month", "insured_region", "scheme", "treatment_province", "quota", "outstanding", "usage", "warning",
                  "topup_requested"});
    Table prov_t(folder, "prepayment_provinces.csv", prov, {"month", "province", "quota", "outstanding", "usage", "warning", "topup_requested"});
    Table fund_t(folder, "funds.csv", prov,
                 {"month", "pool", "scheme", "balance", "prepayment_held", "income", "expenditure", "months_payable",
                  "below_floor"});
    Table month_t(folder, "months.csv", prov,
                  {"month", "topups_paid", "quota_rebased", "clawbacks", "manual_paid", "drg_adjustment", "year_closed",
                   "year_settled", "year_cleared", "year_complete"});

    auto next = batches.begin();
    std::map<std::pair<RegionCode, Scheme>, Money> contribution, local;  // per capita, this year
    for (const auto& [k, f] : funds) {
      contribution[k] = f.contribution_per_capita;
      local[k] = f.local_spending_per_capita;
    }
    for (int m = first; m <= end; ++m) {
      const Date month_end = Date::last_of_month(m);
      if (m != first && m % 12 == 0)  // a new year: per-capita contributions and local spending grow
        for (auto& [k, f] : funds) {
          contribution[k] = contribution[k] + apply_ratio_half_up(contribution[k], f.annual_growth);
          local[k] = local[k] + apply_ratio_half_up(local[k], f.annual_growth);
        }
      for (; next != batches.end() && next->first.month == m; ++next) {
        const BatchKey& k = next->first;
        const Batch& b = next->second;
        SettlementRecord r;
        r.reference = month_label(m) + " " + k.insured.str() + " " + std::string(to_string(k.scheme)) + " " +
                      k.treatment.str() + " " + std::string(to_string(k.path)) + " d" + std::to_string(k.delay) +
                      (k.path == SettlementPath::manual ? (k.claimed ? " claimed" : " unclaimed") : "") + ": " +
                      std::to_string(b.visits) + " visits";
        r.insured_region = k.insured;
        r.scheme = k.scheme;
        r.treatment_region = k.treatment;
        r.settled_on = b.last;
        r.path = k.path;
        r.visits = b.visits;
        r.fund_pay = b.fund_pay;
        r.patient_pay = b.patient_pay;
        r.coaudit_fund_pay = b.coaudit_fund_pay;
        r.declaration_delay_months = k.delay;
        if (k.claimed) r.reimburse_on = b.last.plus_months(config.rules.manual_lag_months);
        cs.submit(r);
      }
      for (const auto& [k, f] : funds) {
        cs.post_contribution(k.first, k.second, month_end, io::FundSetup::monthly(f.insured, contribution[k]));
        cs.post_local_benefit(k.first, k.second, month_end, io::FundSetup::monthly(f.insured, local[k]));
      }
      const MonthReport rep = cs.close_month();
      const std::string ml = month_label(m), cd = rep.clearing_date.str();
      std::map<std::tuple<RegionCode, RegionCode, Scheme>, std::pair<Money, std::int64_t>> by_province;
      for (const auto& c : rep.cleared_cross) {
        auto& x = by_province[{c.insured.province(), c.treatment, c.scheme}];
        x.first += c.amount;
        x.second += c.visits;
      }
      for (const auto& [k, v] : by_province)
        pairs.row({ml, cd, std::get<0>(k).str(), std::get<1>(k).str(), std::string(to_string(std::get<2>(k))),
                   v.first.str(), std::to_string(v.second)});
      for (const auto& c : rep.cleared_intra)
        intra.row({ml, cd, c.insured.str(), c.treatment.str(), std::string(to_string(c.scheme)), c.amount.str(),
                   std::to_string(c.visits)});
      for (const auto& n : rep.net_positions)
        net.row({ml, n.province.str(), n.receivable.str(), n.payable.str(), n.net().str()});
      for (const auto& p : rep.prepayments)
        prepay.row({ml, p.pool.str(), std::string(to_string(p.scheme)), p.treatment_province.str(), p.quota.str(),
                    p.outstanding.str(), usage_str(p.usage_bp), std::string(to_string(p.warning)), p.topup_requested.str()});
      for (const auto& p : rep.provinces)
        prov_t.row({ml, p.province.str(), p.quota.str(), p.outstanding.str(), usage_str(p.usage_bp),
                    std::string(to_string(p.warning)), p.topup_requested.str()});
      for (const auto& f : rep.funds)
        fund_t.row({ml, f.pool.str(), std::string(to_string(f.scheme)), f.balance.str(), f.prepayment_held.str(),
                    f.income.str(), f.expenditure.str(), months_str(f.months_payable), f.below_floor ? "1" : "0"});
      month_t.row({ml, rep.topups_paid.str(), rep.quota_rebased.str(), rep.clawbacks.str(), rep.manual_paid.str(),
                   rep.drg_adjustment.str(), rep.year_close ? std::to_string(rep.year_close->year) : "",
                   rep.year_close ? rep.year_close->settled.str() : "", rep.year_close ? rep.year_close->cleared.str() : "",
                   rep.year_close ? (rep.year_close->complete() ? "1" : "0") : ""});
    }
    for (Table* t : {&pairs, &intra, &net, &prepay, &prov_t, &fund_t, &month_t}) t->close();
    if (cs.ledger().total() != Money::zero())
      throw std::logic_error("ledger does not balance: " + cs.ledger().total().str());
    if (o.ledger) {
      Table led(folder, "ledger.csv", prov, {"date", "amount", "from", "to", "purpose", "reference"});
      for (const auto& e : cs.ledger().events())
        led.row({e.date.str(), e.amount.str(), e.from.str(), e.to.str(), std::string(to_string(e.purpose)), e.reference});
      led.close();
    }
  }
  folder.commit();
  std::cerr << "yidi clear: " << cleared_rows << " settlements cleared over " << (end - first + 1) << " months, "
            << rejected << " rejected; tables in " << o.output << "\n";
  return rejected > 0 ? kRowsRejected : kOk;
}
}  // namespace

void register_clear(CLI::App& app) {
  auto opts = std::make_shared<ClearOptions>();
  auto* cmd = app.add_subcommand("clear", "run monthly clearing, prepayment and fund ledgers over settlement results");
  cmd->add_option("results", opts->results, "settlement results CSV (the output of `yidi settle`)")->required();
  cmd->add_option("-o,--output", opts->output, "output folder (created; written whole or not at all)")->required();
  cmd->add_option("--config", opts->config, "clearing configuration YAML (docs/clear-formats.md)");
  cmd->add_option("--policy", opts->policy_dir,
                  "policy folder whose regions.yaml is the region registry (default: the embedded data)");
  cmd->add_flag("--ledger", opts->ledger, "also write every money event to ledger.csv");
  cmd->add_flag("--overwrite", opts->overwrite,
                "replace an existing output folder (only one yidi wrote, holding nothing else; never an input)");
  cmd->callback([opts]() {
    const int code = run_clear(*opts, "yidi clear " + opts->results + " -o " + opts->output +
                                          (opts->config.empty() ? "" : " --config " + opts->config) +
                                          (opts->policy_dir.empty() ? "" : " --policy " + opts->policy_dir));
    if (code != kOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace yidi::cli
