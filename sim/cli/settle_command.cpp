// `yidi settle CLAIMS.csv -o RESULTS.csv`: settles each visit of a claims file under the policy in
// force on its discharge date and writes one result row per visit (docs/settle-formats.md).
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include "models/settlement_engine.hpp"
#include "sim/cli/commands.hpp"
#include "sim/io/claims_csv.hpp"
#include "sim/io/embedded.hpp"
#include "sim/io/output.hpp"
#include "sim/io/policy_snapshots.hpp"
#include "sim/io/policy_yaml.hpp"
#include "sim/io/strict_yaml.hpp"
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
  bool overwrite = false;
  bool print_columns = false;
  int threads = 2;
};

/// The policy book and a line saying where it came from, with a hash of its data: SHA-256 over, for
/// each .yaml file in order of its path relative to the policy folder, "<path>\n<size in bytes>\n<bytes>",
/// then each overlay as "overlay:<name>" (docs/settle-formats.md).
struct LoadedPolicy {
  PolicyBook book;
  std::string provenance;
  std::vector<std::string> files;  // the files read from disk (policy folder, overlays)
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
    for (const auto& n : names) {
      add(n, io::read_config_file((dir / n).string(), "policy file"));
      out.files.push_back((dir / n).string());
    }
    where = "folder " + o.policy_dir;
  }
  // An overlay is a file on disk or, failing that, one embedded under that path (as the loader reads it).
  for (const auto& ov : o.overlays) {
    const auto embedded = fs::exists(ov) ? std::nullopt : io::embedded_file(fs::path(ov).generic_string());
    add("overlay:" + ov, embedded ? std::string(*embedded) : io::read_config_file(ov, "overlay"));
    if (!embedded) out.files.push_back(ov);
  }
  out.book = o.policy_dir.empty() ? io::load_embedded_policy(overlays) : io::load_policy_dir(o.policy_dir, overlays);
  out.provenance = where + (o.overlays.empty() ? "" : " + " + std::to_string(o.overlays.size()) + " overlay(s)") + " (" +
                   std::to_string(files) + " files), sha256 " + io::sha256_hex(hashed);
  return out;
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
  if (o.overwrite) c += " --overwrite";
  return c;
}

// ---- the streaming pipeline (docs/settle-formats.md "Speed and memory") ---------------------------
//
// read raw records in file order (serial) → parse them (parallel) → check ids, carry the
// year-to-date accumulators and settle, in file order (serial: accumulators depend on the rows
// before) → format the output lines (parallel) → write them in file order (serial). Batches of
// records travel through the stages; a bounded number is in flight, so memory does not grow with
// the input. The bytes written are the same on any number of threads.

struct Counts {
  std::size_t settled = 0, rejected = 0;
};

/// The three snapshots a row is settled under, or the policy data's reason it has none.
struct Policies {
  const Catalogue* catalogue = nullptr;
  const InsuredPolicy* insured = nullptr;
  const NationalRules* national = nullptr;
  int error = -1;  // index into Batch::policy_errors, or −1
};

/// The policy snapshots shared by the parsing threads: built once each, by the first thread that
/// needs it, under the lock (PolicySnapshots is not thread-safe; its references stay valid). Each
/// batch keeps a small cache of the (insured region, treatment region, effective date) triples it
/// has resolved, so the lock is taken only for a triple new to that batch.
class SharedSnapshots {
public:
  explicit SharedSnapshots(const PolicyBook& book) : snapshots_(book), changes_(book.change_dates()) {}

  template <class T>
  struct Entry {
    std::uint64_t key = ~std::uint64_t{0};
    const T* value = nullptr;
  };
  /// Per batch: direct-mapped, by (region, effective date) for the two regional snapshots.
  struct Cache {
    std::array<Entry<Catalogue>, 256> catalogue;
    std::array<Entry<InsuredPolicy>, 256> insured;
    Entry<NationalRules> national;
  };

  /// The snapshots for a visit, in the order the serial stage took them (catalogue, insured
  /// policy, national rules: the first PolicyError is the row's). `errors` receives its message.
  Policies resolve(const Visit& v, Cache& cache, std::vector<std::string>& errors) {
    // The latest change date on or before the discharge (as PolicySnapshots keys its snapshots).
    const auto it = std::upper_bound(changes_.begin(), changes_.end(), v.discharge);
    const Date eff = it == changes_.begin() ? v.discharge : *std::prev(it);
    const std::uint64_t when = static_cast<std::uint64_t>(eff.days() + 32768) << 32;  // > 0 for supported dates
    const std::uint64_t cat_key = when | v.treatment_region.value(), ins_key = when | v.insured_region.value();
    auto slot = [](std::uint64_t key) { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 56); };
    Entry<Catalogue>& c = cache.catalogue[slot(cat_key)];
    Entry<InsuredPolicy>& i = cache.insured[slot(ins_key)];
    Entry<NationalRules>& n = cache.national;
    Policies p;
    if (c.key == cat_key && i.key == ins_key && n.key == when) {
      p.catalogue = c.value;
      p.insured = i.value;
      p.national = n.value;
      return p;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      p.catalogue = c.key == cat_key ? c.value : &snapshots_.catalogue(v.treatment_region, v.discharge);
      c = {cat_key, p.catalogue};
      p.insured = i.key == ins_key ? i.value : &snapshots_.insured(v.insured_region, v.discharge);
      i = {ins_key, p.insured};
      p.national = n.key == when ? n.value : &snapshots_.national(v.discharge);
      n = {when, p.national};
    } catch (const PolicyError& err) {
      errors.emplace_back(err.what());
      p = Policies{};
      p.error = static_cast<int>(errors.size()) - 1;
    }
    return p;
  }

private:
  std::mutex mutex_;
  io::PolicySnapshots snapshots_;
  std::vector<Date> changes_;
};

struct Batch {
  std::string raw;                        // the records' bytes, one after the other
  struct Rec {
    int line = 0;
    std::size_t offset = 0, size = 0;
    std::optional<io::InputError> error;  // from the splitter
  };
  std::vector<Rec> recs;
  std::vector<io::ClaimRow> rows;
  std::vector<io::ParsedRecord> parsed;
  std::vector<Settlement> settlements;
  std::vector<Policies> policies;
  std::vector<std::string> policy_errors;
  SharedSnapshots::Cache cache;  // kept when the batch is recycled
  io::ClaimParseCache parse_cache;
  std::string results, rejects, explain, messages;  // formatted output
  std::vector<io::FieldView> fields;
  std::string scratch, cell;
  std::size_t settled = 0, rejected = 0;

  io::RawRecord record(std::size_t i) const {
    return io::RawRecord{recs[i].line, std::string_view(raw).substr(recs[i].offset, recs[i].size), recs[i].error};
  }
};

constexpr std::size_t kBatchRecords = 2048;

Counts settle_stream(io::CsvSplitter& input, const io::ClaimsFormat& format, const PolicyBook& book,
                     const SettleOptions& o, bool explain, io::OutputFile& results, io::OutputFile& rejects,
                     io::OutputFile* explain_out) {
  const std::string& file = o.claims;
  const io::CsvLimits limits = input.limits();
  SharedSnapshots snapshots(book);
  io::YearToDateLedger ledger;
  io::VisitIds ids;
  Counts total;
  // Batches are recycled: their buffers keep their capacity. `all` owns them, also those in flight
  // when a stage throws (a write error cancels the pipeline).
  std::vector<std::unique_ptr<Batch>> all;
  std::vector<Batch*> pool;
  std::mutex pool_mutex;
  auto take = [&]() -> Batch* {
    std::lock_guard<std::mutex> lock(pool_mutex);
    if (pool.empty()) {
      all.push_back(std::make_unique<Batch>());
      return all.back().get();
    }
    Batch* b = pool.back();
    pool.pop_back();
    return b;
  };
  auto give = [&](Batch* b) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    pool.push_back(b);
  };
  bool done = false;
  const int threads = std::max(1, o.threads);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(2 * threads + 2),
        tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                       [&](tbb::flow_control& fc) -> Batch* {
                                         if (done) {
                                           fc.stop();
                                           return nullptr;
                                         }
                                         Batch* b = take();
                                         b->raw.clear();
                                         b->recs.clear();
                                         io::RawRecord rec;
                                         while (b->recs.size() < kBatchRecords) {
                                           if (!input.next(rec)) {
                                             done = true;
                                             break;
                                           }
                                           b->recs.push_back({rec.line, b->raw.size(), rec.text.size(), rec.error});
                                           b->raw.append(rec.text);
                                         }
                                         if (b->recs.empty()) {
                                           give(b);
                                           fc.stop();
                                           return nullptr;
                                         }
                                         return b;
                                       }) &
            tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel,
                                             [&](Batch* b) {
                                               const std::size_t n = b->recs.size();
                                               if (b->rows.size() < n) b->rows.resize(n);
                                               b->parsed.resize(n);
                                               b->policies.resize(n);
                                               b->policy_errors.clear();
                                               for (std::size_t i = 0; i < n; ++i) {
                                                 io::parse_claim_record(format, b->record(i), file, book, limits,
                                                                        b->rows[i], b->parsed[i], b->fields, b->scratch, &b->parse_cache);
                                                 if (b->parsed[i].ok)
                                                   b->policies[i] = snapshots.resolve(b->rows[i].request.visit, b->cache,
                                                                                      b->policy_errors);
                                               }
                                               return b;
                                             }) &
            tbb::make_filter<Batch*, Batch*>(
                tbb::filter_mode::serial_in_order,
                [&](Batch* b) {
                  const std::size_t n = b->recs.size();
                  if (b->settlements.size() < n) b->settlements.resize(n);
                  constexpr std::size_t kAhead = 8;  // rows looked ahead: the tables' cache misses overlap
                  for (std::size_t i = 0; i < n; ++i) {
                    if (i + kAhead < n) {
                      const io::ParsedRecord& q = b->parsed[i + kAhead];
                      if (q.has_id) ids.prefetch(q.id);
                      if (q.ok) ledger.prefetch(b->rows[i + kAhead]);
                    }
                    io::ParsedRecord& p = b->parsed[i];
                    io::check_visit_id(ids, file, b->record(i), limits, p);
                    if (!p.ok) continue;
                    io::ClaimRow& row = b->rows[i];
                    const Visit& v = row.request.visit;
                    const Policies& pol = b->policies[i];
                    if (pol.error >= 0) {
                      // The record's fields are added when the rejection is formatted (in parallel).
                      p.ok = false;
                      p.rejected.emplace(io::RejectedRow{
                          row.line, {},
                          io::InputError({file, row.line, 0}, "dscg_date",
                                         "expected a date the policy data covers (" +
                                             b->policy_errors[static_cast<std::size_t>(pol.error)] + "), got '" +
                                             v.discharge.str() + "'")});
                      continue;
                    }
                    row.request.ytd = ledger.before(row);
                    try {
                      b->settlements[i] =
                          SettlementEngine::settle(row.request, *pol.catalogue, *pol.insured, *pol.national, explain);
                    } catch (const InvalidClaim& e) {
                      p.ok = false;
                      p.rejected.emplace(io::RejectedRow{row.line, {}, io::claim_error(row, e, file)});
                      continue;
                    }
                    ledger.record(row, b->settlements[i]);
                  }
                  return b;
                }) &
            tbb::make_filter<Batch*, Batch*>(
                tbb::filter_mode::parallel,
                [&](Batch* b) {
                  b->results.clear();
                  b->rejects.clear();
                  b->explain.clear();
                  b->messages.clear();
                  b->settled = b->rejected = 0;
                  const std::size_t width = format.header().size();
                  for (std::size_t i = 0; i < b->recs.size(); ++i) {
                    const io::ParsedRecord& p = b->parsed[i];
                    if (p.ok) {
                      io::append_result_row(b->results, b->cell, b->rows[i], b->settlements[i]);
                      if (explain) b->explain += io::format_explanation(b->rows[i], b->settlements[i], file) + "\n";
                      ++b->settled;
                      continue;
                    }
                    const io::RejectedRow& r = *p.rejected;
                    ++b->rejected;
                    b->messages += r.error.what();
                    b->messages += '\n';
                    std::vector<std::string> fields{std::to_string(r.line), r.error.field(), r.error.message()};
                    std::vector<std::string> record = r.fields;
                    if (record.empty() && !b->recs[i].error) {
                      // A record the engine refused is not kept as fields: split again (it split before).
                      std::vector<io::FieldView> f;
                      std::string scratch;
                      try {
                        io::split_fields(b->record(i), file, limits, f, scratch);
                        for (const auto& x : f) record.emplace_back(x.value);
                      } catch (const io::InputError&) {
                      }
                    }
                    record.resize(width);  // a record of the wrong width is shown cut or padded
                    fields.insert(fields.end(), record.begin(), record.end());
                    for (std::size_t k = 0; k < fields.size(); ++k) {
                      if (k) b->rejects += ',';
                      io::append_csv_field(b->rejects, fields[k]);
                    }
                    b->rejects += '\n';
                  }
                  return b;
                }) &
            tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* b) {
              results.write(b->results);
              rejects.write(b->rejects);
              if (explain) {
                if (explain_out != nullptr) explain_out->write(b->explain);
                else std::cout << b->explain;
              }
              if (!b->messages.empty()) std::cerr << b->messages;
              total.settled += b->settled;
              total.rejected += b->rejected;
              give(b);
            }));
  });
  return total;
}

/// Refuses two outputs of one run that are the same file (e.g. `--explain-file` naming the results).
void check_distinct(const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i)
    for (std::size_t k = 0; k < i; ++k) {
      if (outputs[i].first.empty() || outputs[k].first.empty()) continue;
      std::error_code ec1, ec2;
      const fs::path a = fs::weakly_canonical(fs::absolute(outputs[i].first), ec1);
      const fs::path b = fs::weakly_canonical(fs::absolute(outputs[k].first), ec2);
      if ((!ec1 && !ec2 && a == b) || fs::equivalent(outputs[i].first, outputs[k].first, ec1))
        throw io::InputError({outputs[i].first, 0, 0}, "",
                             "is also the " + outputs[k].second + " of this command; expected a separate file for the " +
                                 outputs[i].second);
    }
}

void run_settle(const SettleOptions& o) {
  if (o.print_columns) {
    std::cout << io::columns_markdown();
    return;
  }
  if (o.claims.empty()) throw CLI::RequiredError("CLAIMS");
  if (o.output.empty()) throw CLI::RequiredError("--output");
  const std::string rejects_path = o.output + ".rejects.csv";
  check_distinct({{o.output, "results file"}, {rejects_path, "rejects file"}, {o.explain_file, "explanation file"}});

  const LoadedPolicy policy = load_policy(o);
  // Every file read is an input, never an output; the outputs' temporaries are created now, so an
  // unwritable place is found before the work (docs/outputs.md).
  io::InputFiles inputs;
  inputs.add(o.claims);
  for (const auto& f : policy.files) inputs.add(f);
  io::OutputFile results(o.output, "results", io::OutputKind::text, o.overwrite, inputs);
  io::OutputFile rejects(rejects_path, "rejects", io::OutputKind::text, o.overwrite, inputs);
  std::optional<io::OutputFile> explain_out;
  if (!o.explain_file.empty()) explain_out.emplace(o.explain_file, "explanations", io::OutputKind::text, o.overwrite, inputs);

  io::CsvSplitter input(o.claims, o.claims, "claims file");
  io::RawRecord header_record;
  if (!input.header(header_record))
    throw io::InputError({o.claims, 0, 0}, "", "no header row; expected a CSV file starting with its column names");
  const io::ClaimsFormat format(header_record, o.claims, input.limits());  // a bad header: nothing is written
  input.expect_fields(format.header().size());

  const bool explain = o.explain || explain_out;
  // Provenance: leading comment lines; the counts and the input's hash close the file
  // (docs/settle-formats.md).
  auto head = [&](std::string_view what, bool csv = true) {
    std::ostringstream h;
    h << "# yidi " << kVersion << " " << what << " (docs/settle-formats.md)"
      << (csv ? "; read with pandas.read_csv(path, comment='#')" : "") << "\n"
      << "# command: " << command_line(o) << "\n"
      << "# policy: " << policy.provenance << "\n";
    return h.str();
  };
  std::ostringstream buf;
  results << head("settlement results");
  io::write_csv_row(buf, io::result_header());
  results << buf.str();
  buf.str("");
  std::vector<std::string> reject_header{"line", "field", "error"};
  reject_header.insert(reject_header.end(), format.header().begin(), format.header().end());
  rejects << head("rejected claims rows");
  io::write_csv_row(buf, reject_header);
  rejects << buf.str();
  buf.str("");
  if (explain_out) *explain_out << head("settlement explanations", false) << "\n";

  const Counts n = settle_stream(input, format, policy.book, o, explain, results, rejects,
                                 explain_out ? &*explain_out : nullptr);

  std::ostringstream tail;
  tail << "# input: " << o.claims << ", sha256 " << input.sha256_hex() << ", " << input.bytes_read() << " bytes\n"
       << "# rows: " << n.settled + n.rejected << " read, " << n.settled << " settled, " << n.rejected << " rejected\n";
  results << tail.str();
  rejects << tail.str();
  // Results, rejects and explanations go in place together, or not at all.
  if (explain_out) io::commit_together(results, {&rejects, &*explain_out});
  else io::commit_together(results, {&rejects});

  std::cerr << "yidi settle: " << n.settled << " settled, " << n.rejected << " rejected; wrote " << o.output << " and "
            << rejects_path << (explain_out ? " and " + o.explain_file : std::string()) << "\n";
  if (n.rejected > 0) throw CLI::RuntimeError(kRowsRejected);
}

}  // namespace

void register_settle(CLI::App& app) {
  auto opts = std::make_shared<SettleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "settle", "settle a CSV of claims: one result row per visit, rejected rows reported (docs/settle-formats.md)");
  // Files are checked when read, so that a missing one exits with kFailure and a FILE: message.
  cmd->add_option("CLAIMS", opts->claims, "claims CSV file (required, but for --columns)");
  cmd->add_option("-o,--output", opts->output,
                  "results CSV file; RESULTS.rejects.csv beside it lists the rejected rows (both written whole, "
                  "or not at all)");
  cmd->add_option("--policy", opts->policy_dir, "policy folder laid out as scenarios/policy (default: embedded data)");
  cmd->add_option("--overlay", opts->overlays, "policy overlay file applied after the baseline (repeatable)");
  cmd->add_flag("--explain", opts->explain, "print each step of each settlement on standard output");
  cmd->add_option("--explain-file", opts->explain_file, "write the explanations to this file instead");
  cmd->add_flag("--overwrite", opts->overwrite,
                "replace existing outputs (only files yidi wrote; never an input)");
  cmd->add_option("--threads", opts->threads, "threads for parsing and formatting (the bytes written are the same on any)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--columns", opts->print_columns, "print the input and output column tables (Markdown) and exit");
  cmd->callback([opts] { run_settle(*opts); });
}

}  // namespace yidi::cli
