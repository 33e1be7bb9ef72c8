// Worked cases as data (OpenFisca's tests/ idea): each YAML file under tests/cases/<kind>/ is one
// case citing its source; this driver runs it and compares every expected value to the fen.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include "models/clearing.hpp"
#include "models/settlement_engine.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/clearing_yaml.hpp"
#include "sim/io/policy_snapshots.hpp"
#include "sim/io/policy_yaml.hpp"

using namespace yidi;
namespace fs = std::filesystem;

namespace {

std::string where(const YAML::Node& n) { return "line " + std::to_string(n.Mark().line + 1); }
Money money(const YAML::Node& n) {
  auto m = Money::parse(n.as<std::string>());
  if (!m) throw std::runtime_error(where(n) + ": bad amount '" + n.as<std::string>() + "'");
  return *m;
}
Date date(const YAML::Node& n) {
  auto d = Date::parse(n.as<std::string>());
  if (!d) throw std::runtime_error(where(n) + ": bad date");
  return *d;
}
int month(const YAML::Node& n) { return Date::parse(n.as<std::string>() + "-01")->month_index(); }
RegionCode region(const YAML::Node& n) { return *RegionCode::parse(n.as<std::string>()); }
Scheme scheme(const YAML::Node& n) { return n.as<std::string>() == "resident" ? Scheme::resident : Scheme::employee; }
Ratio ratio(const YAML::Node& n) { return *Ratio::parse(n.as<std::string>()); }

AccountId account(const std::string& s) {
  // "kind:region[:scheme[@holder]]"
  const auto c1 = s.find(':');
  const std::string kind = s.substr(0, c1);
  const std::string rest = s.substr(c1 + 1);
  const auto c2 = rest.find(':');
  const RegionCode r = *RegionCode::parse(rest.substr(0, c2));
  const std::string sch = c2 == std::string::npos ? "" : rest.substr(c2 + 1);
  const Scheme sc = sch.rfind("resident", 0) == 0 ? Scheme::resident : Scheme::employee;
  if (kind == "fund") return AccountId::fund(r, sc);
  if (kind == "hospitals") return AccountId::hospitals(r);
  if (kind == "individuals") return AccountId::individuals(r);
  if (kind == "agency") return AccountId::agency(r);
  if (kind == "contributions") return AccountId::contributions(r, sc);
  if (kind == "local_care") return AccountId::local_care(r, sc);
  if (kind == "prepayment") return AccountId::prepayment(r, sc, *RegionCode::parse(sch.substr(sch.find('@') + 1)));
  throw std::runtime_error("unknown account " + s);
}

ClearingParams params_of(const YAML::Node& n, const fs::path& file) {
  ClearingParams p;
  if (n) io::parse_clearing_params(n, file.string(), p);
  return p;
}

SettlementRecord record_of(const YAML::Node& s) {
  SettlementRecord r;
  r.reference = s["ref"].as<std::string>();
  r.insured_region = region(s["insured"]);
  r.scheme = scheme(s["scheme"]);
  r.treatment_region = region(s["treatment"]);
  r.settled_on = date(s["date"]);
  r.path = s["path"] && s["path"].as<std::string>() == "manual" ? SettlementPath::manual : SettlementPath::direct;
  r.fund_pay = money(s["fund"]);
  r.patient_pay = s["patient"] ? money(s["patient"]) : Money::zero();
  r.coaudit_fund_pay = s["coaudit"] ? money(s["coaudit"]) : Money::zero();
  r.declaration_delay_months = s["delay"] ? s["delay"].as<int>() : 0;
  if (s["reimburse_on"]) r.reimburse_on = date(s["reimburse_on"]);
  return r;
}

void check_conservation(const ClearingSystem& cs, const std::string& at) {
  EXPECT_EQ(cs.ledger().total(), Money::zero()) << at << ": money created or destroyed";
  EXPECT_EQ(cs.ledger().replay(), cs.ledger().balances()) << at << ": derived balances differ from the events";
}

void check_month(const YAML::Node& e, const MonthReport& rep, const ClearingSystem& cs, const std::string& at) {
  if (!e) return;
  if (const auto c = e["cleared"]) {
    ASSERT_EQ(c.size(), rep.cleared_cross.size()) << at << ": cleared lines";
    for (std::size_t i = 0; i < c.size(); ++i) {
      EXPECT_EQ(rep.cleared_cross[i].insured, region(c[i]["insured"])) << at;
      EXPECT_EQ(rep.cleared_cross[i].scheme, scheme(c[i]["scheme"])) << at;
      EXPECT_EQ(rep.cleared_cross[i].treatment, region(c[i]["treatment"])) << at;
      EXPECT_EQ(rep.cleared_cross[i].amount.str(), money(c[i]["amount"]).str()) << at << " cleared " << i;
    }
  }
  if (const auto c = e["cleared_intra"]) {
    ASSERT_EQ(c.size(), rep.cleared_intra.size()) << at << ": intra lines";
    for (std::size_t i = 0; i < c.size(); ++i) {
      EXPECT_EQ(rep.cleared_intra[i].treatment, region(c[i]["treatment"])) << at;
      EXPECT_EQ(rep.cleared_intra[i].amount.str(), money(c[i]["amount"]).str()) << at << " intra " << i;
    }
  }
  if (const auto n = e["net"]) {
    ASSERT_EQ(n.size(), rep.net_positions.size()) << at << ": net positions";
    Money sum;
    for (std::size_t i = 0; i < n.size(); ++i) {
      EXPECT_EQ(rep.net_positions[i].province, region(n[i]["province"])) << at;
      EXPECT_EQ(rep.net_positions[i].receivable.str(), money(n[i]["receivable"]).str()) << at;
      EXPECT_EQ(rep.net_positions[i].payable.str(), money(n[i]["payable"]).str()) << at;
      sum += rep.net_positions[i].net();
    }
    EXPECT_EQ(sum, Money::zero()) << at << ": net positions must sum to zero";
  }
  if (const auto p = e["prepayment"]) {
    ASSERT_EQ(p.size(), rep.prepayments.size()) << at << ": prepayment positions";
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto& x = rep.prepayments[i];
      EXPECT_EQ(x.pool, region(p[i]["pool"])) << at;
      EXPECT_EQ(x.scheme, scheme(p[i]["scheme"])) << at;
      EXPECT_EQ(x.treatment_province, region(p[i]["treatment"])) << at;
      EXPECT_EQ(x.quota.str(), money(p[i]["quota"]).str()) << at << " quota " << i;
      EXPECT_EQ(x.outstanding.str(), money(p[i]["outstanding"]).str()) << at << " outstanding " << i;
      if (p[i]["usage"]) { EXPECT_EQ(x.usage_bp, ratio(p[i]["usage"]).bp()) << at << " usage " << i; }
      if (p[i]["warning"]) { EXPECT_EQ(to_string(x.warning), p[i]["warning"].as<std::string>()) << at << " warning " << i; }
      if (p[i]["topup"]) { EXPECT_EQ(x.topup_requested.str(), money(p[i]["topup"]).str()) << at << " topup " << i; }
    }
  }
  if (const auto p = e["provinces"]) {
    ASSERT_EQ(p.size(), rep.provinces.size()) << at << ": province positions";
    for (std::size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(rep.provinces[i].province, region(p[i]["province"])) << at;
      EXPECT_EQ(rep.provinces[i].quota.str(), money(p[i]["quota"]).str()) << at;
      EXPECT_EQ(rep.provinces[i].outstanding.str(), money(p[i]["outstanding"]).str()) << at;
      EXPECT_EQ(to_string(rep.provinces[i].warning), p[i]["warning"].as<std::string>()) << at;
      if (p[i]["usage"]) { EXPECT_EQ(rep.provinces[i].usage_bp, ratio(p[i]["usage"]).bp()) << at; }
      if (p[i]["topup"]) { EXPECT_EQ(rep.provinces[i].topup_requested.str(), money(p[i]["topup"]).str()) << at; }
    }
  }
  if (const auto f = e["funds"]) {
    ASSERT_EQ(f.size(), rep.funds.size()) << at << ": fund positions";
    for (std::size_t i = 0; i < f.size(); ++i) {
      EXPECT_EQ(rep.funds[i].pool, region(f[i]["pool"])) << at;
      EXPECT_EQ(rep.funds[i].balance.str(), money(f[i]["balance"]).str()) << at << " fund balance " << i;
      if (f[i]["prepayment_held"]) {
        EXPECT_EQ(rep.funds[i].prepayment_held.str(), money(f[i]["prepayment_held"]).str()) << at << " held " << i;
      }
      if (f[i]["income"]) { EXPECT_EQ(rep.funds[i].income.str(), money(f[i]["income"]).str()) << at; }
      if (f[i]["expenditure"]) { EXPECT_EQ(rep.funds[i].expenditure.str(), money(f[i]["expenditure"]).str()) << at; }
      if (f[i]["months_payable"]) {
        EXPECT_NEAR(rep.funds[i].months_payable, f[i]["months_payable"].as<double>(), 0.005) << at;
      }
      if (f[i]["below_floor"]) { EXPECT_EQ(rep.funds[i].below_floor, f[i]["below_floor"].as<bool>()) << at; }
    }
  }
  if (const auto b = e["balances"]) {
    for (const auto& kv : b) {
      EXPECT_EQ(cs.ledger().balance(account(kv.first.as<std::string>())).str(), money(kv.second).str())
          << at << " balance " << kv.first.as<std::string>();
    }
  }
  if (e["topups_paid"]) { EXPECT_EQ(rep.topups_paid.str(), money(e["topups_paid"]).str()) << at; }
  if (e["quota_rebased"]) { EXPECT_EQ(rep.quota_rebased.str(), money(e["quota_rebased"]).str()) << at; }
  if (e["clawbacks"]) { EXPECT_EQ(rep.clawbacks.str(), money(e["clawbacks"]).str()) << at; }
  if (e["manual_paid"]) { EXPECT_EQ(rep.manual_paid.str(), money(e["manual_paid"]).str()) << at; }
  if (e["drg_adjustment"]) { EXPECT_EQ(rep.drg_adjustment.str(), money(e["drg_adjustment"]).str()) << at; }
  if (const auto y = e["year_close"]) {
    ASSERT_TRUE(rep.year_close.has_value()) << at << ": expected a year close";
    EXPECT_EQ(rep.year_close->year, y["year"].as<int>()) << at;
    EXPECT_EQ(rep.year_close->settled.str(), money(y["settled"]).str()) << at;
    EXPECT_EQ(rep.year_close->cleared.str(), money(y["cleared"]).str()) << at;
    EXPECT_EQ(rep.year_close->complete(), y["complete"].as<bool>()) << at;
  }
  if (const auto err = e["error"]) FAIL() << at << ": expected error '" << err.as<std::string>() << "' was not raised";
}

void run_clearing_case(const fs::path& file) {
  const YAML::Node c = YAML::LoadFile(file.string());
  ASSERT_TRUE(c["source"]) << file << ": every case cites its source";
  ClearingSystem cs(params_of(c["params"], file), month(c["start"]));
  const Date start = *Date::parse(c["start"].as<std::string>() + "-01");
  for (const auto& f : c["funds"]) cs.add_fund(region(f["pool"]), scheme(f["scheme"]), money(f["opening"]), start);
  for (const auto& q : c["initial_quotas"])
    cs.set_initial_quota(region(q["pool"]), scheme(q["scheme"]), region(q["treatment"]), money(q["quota"]));
  for (const auto& m : c["months"]) {
    const int target = month(m["month"]);
    const std::string at = file.filename().string() + " " + m["month"].as<std::string>();
    while (cs.open_month() < target) {
      cs.close_month();
      check_conservation(cs, at + " (empty month)");
    }
    try {
      for (const auto& x : m["contributions"])
        cs.post_contribution(region(x["pool"]), scheme(x["scheme"]), date(x["date"]), money(x["amount"]));
      for (const auto& x : m["local"])
        cs.post_local_benefit(region(x["pool"]), scheme(x["scheme"]), date(x["date"]), money(x["amount"]));
      for (const auto& s : m["settlements"]) cs.submit(record_of(s));
    } catch (const ClearingError& err) {
      ASSERT_TRUE(m["expect"] && m["expect"]["error"]) << at << ": unexpected error: " << err.what();
      EXPECT_EQ(std::string(err.what()), m["expect"]["error"].as<std::string>()) << at;
      return;
    }
    const MonthReport rep = cs.close_month();
    check_conservation(cs, at);
    check_month(m["expect"], rep, cs, at);
  }
}

std::vector<fs::path> cases_in(const std::string& kind) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(YIDI_SOURCE_DIR) / "tests/cases" / kind))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class ClearingCase : public ::testing::TestWithParam<fs::path> {};
TEST_P(ClearingCase, PassesToTheFen) { run_clearing_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Data, ClearingCase, ::testing::ValuesIn(cases_in("clearing")),
                         [](const auto& param_info) {
                           std::string n = param_info.param.stem().string();
                           for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace

// ---- Settlement cases: claims rows in the `yidi settle` format (docs/settle-formats.md), settled
// with the embedded policy data as the settle command does; every expected result column is
// compared as written, and a rejected row's message in full.

namespace {

const PolicyBook& embedded_policy() {
  static const PolicyBook book = io::load_embedded_policy();
  return book;
}

void run_settlement_case(const fs::path& file) {
  const YAML::Node c = YAML::LoadFile(file.string());
  ASSERT_TRUE(c["source"]) << file << ": every case cites its source";
  ASSERT_TRUE(c["claims"] && c["expect"]) << file << ": a case has claims and expected results";
  const PolicyBook& book = embedded_policy();
  io::PolicySnapshots snapshots(book);
  const std::string name = file.filename().string() + " claims";  // messages count lines within the claims text
  const io::ParsedClaims parsed = io::parse_claims(c["claims"].as<std::string>(), name, book);
  std::map<std::string, std::map<std::string, std::string>> results;  // mdtrt_id -> column -> value
  std::map<std::string, std::string> rejected;                       // mdtrt_id -> message
  for (const auto& r : parsed.rejected) rejected[r.fields.empty() ? "?" : r.fields[0]] = r.error.what();
  io::YearToDateLedger ledger;
  const auto header = io::result_header();
  for (io::ClaimRow row : parsed.rows) {
    row.request.ytd = ledger.before(row);
    const Visit& v = row.request.visit;
    try {
      const Settlement s = SettlementEngine::settle(row.request, snapshots.catalogue(v.treatment_region, v.discharge),
                                                    snapshots.insured(v.insured_region, v.discharge),
                                                    snapshots.national(v.discharge));
      ledger.record(row, s);
      const auto fields = io::result_fields(row, s);
      for (std::size_t i = 0; i < header.size(); ++i) results[v.id][header[i]] = fields[i];
    } catch (const InvalidClaim& e) {
      rejected[v.id] = io::claim_error(row, e, name).what();
    }
  }
  for (const auto& kv : c["expect"]) {
    const std::string id = kv.first.as<std::string>();
    const YAML::Node e = kv.second;
    if (e["rejected"]) {
      ASSERT_TRUE(rejected.count(id)) << name << " " << id << ": expected a rejection, got a settlement";
      EXPECT_EQ(rejected[id], e["rejected"].as<std::string>()) << name << " " << id;
      continue;
    }
    ASSERT_TRUE(results.count(id)) << name << " " << id << ": not settled: " << rejected[id];
    for (const auto& col : e) {
      const std::string k = col.first.as<std::string>();
      ASSERT_TRUE(results[id].count(k)) << name << ": no result column '" << k << "'";
      EXPECT_EQ(results[id][k], col.second.as<std::string>()) << name << " " << id << " " << k;
    }
  }
  EXPECT_EQ(results.size() + rejected.size(), c["expect"].size()) << name << ": every row has an expectation";
}

class SettlementCase : public ::testing::TestWithParam<fs::path> {};
TEST_P(SettlementCase, PassesToTheFen) { run_settlement_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Data, SettlementCase, ::testing::ValuesIn(cases_in("settlement")),
                         [](const auto& param_info) {
                           std::string n = param_info.param.stem().string();
                           for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
