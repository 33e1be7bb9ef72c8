// `yidi settle CLAIMS.csv -o RESULTS.csv`: settles each visit of a claims file under the policy in
// force on its discharge date and writes one result row per visit (docs/settle-formats.md).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "models/settlement_engine.hpp"
#include "sim/cli/commands.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/policy_snapshots.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/version.hpp"

namespace yidi::cli {
namespace {
namespace fs = std::filesystem;

struct SettleOptions {
  std::string claims;
  std::string output;
  std::string policy_dir;
  std::vector<std::string> overlays;
  bool explain = false;
  std::string explain_file;
  bool print_columns = false;
};

/// The policy book and a line saying where it came from, with a hash of its data: SHA-256 over, for
/// each .yaml file in order of its path relative to the policy folder, "<path>\n<size in bytes>\n<bytes>",
/// then each overlay as "overlay:<name>" (docs/settle-formats.md).
struct LoadedPolicy {
  PolicyBook book;
  std::string provenance;
};

LoadedPolicy load_policy(const SettleOptions& o) {
  std::vector<fs::path> overlays(o.overlays.begin(), o.overlays.end());
  std::string hashed;
  std::size_t files = 0;
  auto add = [&](const std::string& name, std::string_view text) {
    hashed += name + "\n" + std::to_string(text.size()) + "\n";
    hashed += text;
    ++files;
  };
  LoadedPolicy out;
  std::string where;
  if (o.policy_dir.empty()) {
    // Paths relative to the policy folder, as for --policy: the same data hashes the same.
    constexpr std::string_view kRoot = "scenarios/policy/";
    for (const auto& f : io::embedded_files())
      if (f.path.starts_with(kRoot)) add(std::string(f.path.substr(kRoot.size())), f.text);
    where = "embedded scenarios/policy";
  } else {
    const fs::path dir(o.policy_dir);
    if (!fs::is_directory(dir)) throw io::InputError({o.policy_dir, 0, 0}, "", "not a policy folder (no such directory)");
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".yaml")
        names.push_back(fs::relative(e.path(), dir).generic_string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) add(n, io::read_text_file((dir / n).string(), "policy file"));
    where = "folder " + o.policy_dir;
  }
  // An overlay is a file on disk or, failing that, one embedded under that path (as the loader reads it).
  for (const auto& ov : o.overlays) {
    const auto embedded = fs::exists(ov) ? std::nullopt : io::embedded_file(fs::path(ov).generic_string());
    add("overlay:" + ov, embedded ? std::string(*embedded) : io::read_text_file(ov, "overlay"));
  }
  out.book = o.policy_dir.empty() ? io::load_embedded_policy(overlays) : io::load_policy_dir(o.policy_dir, overlays);
  out.provenance = where + (o.overlays.empty() ? "" : " + " + std::to_string(o.overlays.size()) + " overlay(s)") + " (" +
                   std::to_string(files) + " files), sha256 " + io::sha256_hex(hashed);
  return out;
}

/// Writes `content` to `target` through a temporary file in the same folder, renamed when
/// complete: a reader never sees half a file, and a failure leaves nothing behind.
void write_atomically(const fs::path& target, const std::string& content) {
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const fs::path tmp = dir / ("." + target.filename().string() + ".tmp" + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(target.string() + ": cannot write: " + std::strerror(errno));
    out << content;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw std::runtime_error(target.string() + ": write failed");
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(target.string() + ": cannot rename the finished file into place: " + ec.message());
  }
}

std::string quote_arg(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t'\"\\$") == std::string::npos) return a;
  std::string out = "'";
  for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const SettleOptions& o) {
  std::string c = "yidi settle " + quote_arg(o.claims) + " -o " + quote_arg(o.output);
  if (!o.policy_dir.empty()) c += " --policy " + quote_arg(o.policy_dir);
  for (const auto& ov : o.overlays) c += " --overlay " + quote_arg(ov);
  if (!o.explain_file.empty()) c += " --explain-file " + quote_arg(o.explain_file);
  else if (o.explain) c += " --explain";
  return c;
}

void run_settle(const SettleOptions& o) {
  if (o.print_columns) {
    std::cout << io::columns_markdown();
    return;
  }
  if (o.claims.empty()) throw CLI::RequiredError("CLAIMS");
  if (o.output.empty()) throw CLI::RequiredError("--output");
  std::error_code ec;
  if (fs::exists(o.output, ec) && fs::equivalent(o.claims, o.output, ec))
    throw std::runtime_error(o.output + ": the results would overwrite the claims file; choose another -o");

  const std::string input = io::read_text_file(o.claims, "claims file");
  const LoadedPolicy policy = load_policy(o);
  std::istringstream in(input);
  io::ClaimsReader reader(in, o.claims, policy.book);  // throws on a bad header: nothing is written

  io::PolicySnapshots snapshots(policy.book);
  io::YearToDateLedger ledger;
  const bool explain = o.explain || !o.explain_file.empty();
  std::ostringstream body, rejects_body, explanation;
  io::write_csv_row(body, io::result_header());
  std::vector<std::string> reject_header{"line", "field", "error"};
  reject_header.insert(reject_header.end(), reader.header().begin(), reader.header().end());
  io::write_csv_row(rejects_body, reject_header);

  std::size_t settled = 0, rejected = 0;
  auto reject = [&](const io::RejectedRow& r) {
    ++rejected;
    std::cerr << r.error.what() << "\n";
    std::vector<std::string> fields{std::to_string(r.line), r.error.field(), r.error.message()};
    std::vector<std::string> record = r.fields;
    record.resize(reader.header().size());  // a record of the wrong width is shown cut or padded
    fields.insert(fields.end(), record.begin(), record.end());
    io::write_csv_row(rejects_body, fields);
  };

  io::ClaimRow row;
  std::optional<io::RejectedRow> bad;
  for (;;) {
    const auto next = reader.next(row, bad);
    if (next == io::ClaimsReader::Next::end) break;
    if (next == io::ClaimsReader::Next::rejected) {
      reject(*bad);
      continue;
    }
    const Visit& v = row.request.visit;
    row.request.ytd = ledger.before(row);
    Settlement s;
    try {
      const Catalogue& cat = snapshots.catalogue(v.treatment_region, v.discharge);
      const InsuredPolicy& pol = snapshots.insured(v.insured_region, v.discharge);
      const NationalRules& nat = snapshots.national(v.discharge);
      s = SettlementEngine::settle(row.request, cat, pol, nat, explain);
    } catch (const InvalidClaim& e) {
      reject({row.line, {}, io::claim_error(row, e, o.claims)});
      continue;
    } catch (const PolicyError& e) {
      reject({row.line, {},
              io::InputError({o.claims, row.line, 0}, "dscg_date",
                             std::string("expected a date the policy data covers (") + e.what() + "), got '" +
                                 v.discharge.str() + "'")});
      continue;
    }
    ledger.record(row, s);
    io::write_csv_row(body, io::result_fields(row, s));
    if (explain) explanation << io::format_explanation(row, s, o.claims) << "\n";
    ++settled;
  }

  // Provenance: leading comment lines (docs/settle-formats.md).
  auto head = [&](std::string_view what) {
    std::ostringstream h;
    h << "# yidi " << kVersion << " " << what << " (docs/settle-formats.md); read with pandas.read_csv(path, comment='#')\n"
      << "# command: " << command_line(o) << "\n"
      << "# policy: " << policy.provenance << "\n"
      << "# input: " << o.claims << ", sha256 " << io::sha256_hex(input) << ", " << input.size() << " bytes\n"
      << "# rows: " << settled + rejected << " read, " << settled << " settled, " << rejected << " rejected\n";
    return h.str();
  };

  const fs::path out_path(o.output);
  const fs::path rejects_path(o.output + ".rejects.csv");
  write_atomically(out_path, head("settlement results") + body.str());
  if (rejected > 0) {
    write_atomically(rejects_path, head("rejected claims rows") + rejects_body.str());
  } else {
    fs::remove(rejects_path, ec);  // a stale list from an earlier run would mislead
  }
  if (explain) {
    if (o.explain_file.empty()) std::cout << explanation.str();
    else write_atomically(o.explain_file, explanation.str());
  }

  std::cerr << "yidi settle: " << settled << " settled, " << rejected << " rejected; wrote " << o.output;
  if (rejected > 0) std::cerr << " and " << rejects_path.string();
  std::cerr << "\n";
  if (rejected > 0) throw CLI::RuntimeError(kRowsRejected);
}

}  // namespace

void register_settle(CLI::App& app) {
  auto opts = std::make_shared<SettleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "settle", "settle a CSV of claims: one result row per visit, rejected rows reported (docs/settle-formats.md)");
  // Files are checked when read, so that a missing one exits with kFailure and a FILE: message.
  cmd->add_option("CLAIMS", opts->claims, "claims CSV file");
  cmd->add_option("-o,--output", opts->output, "results CSV file (written whole, or not at all)");
  cmd->add_option("--policy", opts->policy_dir, "policy folder laid out as scenarios/policy (default: embedded data)");
  cmd->add_option("--overlay", opts->overlays, "policy overlay file applied after the baseline (repeatable)");
  cmd->add_flag("--explain", opts->explain, "print each step of each settlement on standard output");
  cmd->add_option("--explain-file", opts->explain_file, "write the explanations to this file instead");
  cmd->add_flag("--columns", opts->print_columns, "print the input and output column tables (Markdown) and exit");
  cmd->callback([opts] { run_settle(*opts); });
}

}  // namespace yidi::cli
