#include "sim/io/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <limits>
#include <set>
#include <span>
#include <vector>

#include "models/date.hpp"
#include "sim/engine/output_schema.hpp"
#include "sim/io/input_error.hpp"
#include "sim/io/world_yaml.hpp"
#include "sim/model/totals.hpp"

namespace yidi::io {
namespace {

constexpr std::string_view kTrailerMagic = "YIDIEND3";
constexpr std::size_t kMaxSha = 128;
// magic, file/rest bytes, population, agent_begin, agents, rank, ranks, months, previous, start, sha length
constexpr std::size_t kFixedHeader = 8 + 5 * 8 + 5 * 4 + 4;
constexpr std::size_t kTrailer = 4 + kTrailerMagic.size();
constexpr std::size_t kMaxReference = 64;
// One month's clearing inputs (Simulation::feed_clearing): per insured province and scheme, at
// most 3 direct and 2 manual records per treatment province, and one local record.
/// The most clearing inputs a month of a run of `regions` regions feeds: per insured region and
/// scheme, two per treatment region and path at most, and the local one.
constexpr std::uint64_t max_records_per_month(std::uint64_t regions) { return regions * 2 * (regions * 5 + 1); }
/// The bound before the run's regions are known (the header): the most regions an agent can name.
constexpr std::uint64_t kMaxRecordsPerMonth = max_records_per_month(sim::Agent::kMaxRegions);
// A record after its reference: regions, scheme, date, path, visits, three amounts, delay, reimbursement.
constexpr std::uint64_t kRecordFixed = 4 + 1 + 4 + 4 + 1 + 8 + 8 + 8 + 8 + 4 + 1 + 4;
// No amount or count of one month's aggregate comes near this (10^14 yuan; 2^63 is 9.2·10^18).
constexpr std::int64_t kMaxAmount = 10'000'000'000'000'000;

[[noreturn]] void fail(const std::string& path, const std::string& message, const std::string& field = "") {
  throw InputError({path, 0, 0}, field, message);
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::string month_text(int m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", m / 12, m % 12 + 1);
  return buf;
}

// ---- bytes out ------------------------------------------------------------------------------------

class Bytes {
public:
  template <class T>
  void pod(const T& v) {
    s_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void raw(std::string_view b) { s_.append(b); }
  template <class T>
  void vec(const std::vector<T>& v) {
    pod<std::uint64_t>(v.size());
    if (!v.empty()) s_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  std::string& str() { return s_; }

private:
  std::string s_;
};

void put_record(Bytes& o, const SettlementRecord& r) {
  o.pod<std::uint64_t>(r.reference.size());
  o.raw(r.reference);
  o.pod(r.insured_region.value());
  o.pod(static_cast<std::uint8_t>(r.scheme));
  o.pod(r.treatment_region.value());
  o.pod(r.settled_on.days());
  o.pod(static_cast<std::uint8_t>(r.path));
  o.pod(r.visits);
  o.pod(r.fund_pay.fen());
  o.pod(r.patient_pay.fen());
  o.pod(r.coaudit_fund_pay.fen());
  o.pod(static_cast<std::int32_t>(r.declaration_delay_months));
  o.pod(static_cast<std::uint8_t>(r.reimburse_on.has_value()));
  o.pod(r.reimburse_on ? r.reimburse_on->days() : 0);
}

std::string encode_header(const CheckpointHeader& h) {
  Bytes o;
  o.raw(kCheckpointMagic);
  o.pod(h.file_bytes);
  o.pod(h.rest_bytes);
  o.pod(h.population);
  o.pod(h.agent_begin);
  o.pod(h.agents);
  o.pod(h.rank);
  o.pod(h.ranks);
  o.pod(h.months_done);
  o.pod(h.previous);
  o.pod(h.start_month);
  o.pod(static_cast<std::uint32_t>(h.scenario_sha256.size()));
  o.raw(h.scenario_sha256);
  o.pod(static_cast<std::uint32_t>(crc32_of(0, o.str().data(), o.str().size())));
  return std::move(o.str());
}

std::size_t header_size(std::size_t sha) { return kFixedHeader + sha + 4; }

// ---- bytes in -------------------------------------------------------------------------------------

/// Reads fields from a buffer that has passed the checksum; every read is bounded and every field
/// range-checked by the caller, so that a damaged (or forged) file is an error, never a crash.
class Reader {
public:
  Reader(std::string_view data, const std::string& path) : data_(data), path_(path) {}
  template <class T>
  T pod(const std::string& what) {
    need(sizeof(T), what);
    T v{};
    std::memcpy(&v, data_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string_view raw(std::size_t n, const std::string& what) {
    need(n, what);
    const std::string_view v = data_.substr(at_, n);
    at_ += n;
    return v;
  }
  std::size_t at() const { return at_; }
  std::size_t left() const { return data_.size() - at_; }

private:
  void need(std::size_t n, const std::string& what) {
    if (left() < n) fail(path_, "checkpoint ends inside its " + what + " (damaged)");
  }
  std::string_view data_;
  const std::string& path_;
  std::size_t at_ = 0;
};

/// The run's region codes (labels/province of its results).
std::set<std::uint32_t> region_codes(const std::vector<std::string>& labels) {
  std::set<std::uint32_t> out;
  for (const auto& l : labels) {
    std::uint32_t v = 0;
    std::from_chars(l.data(), l.data() + l.size(), v);
    out.insert(v);
  }
  return out;
}

/// One record of month `month` (0-based in the run), every field range-checked.
SettlementRecord get_record(Reader& in, const std::string& path, int start_month, int month, std::uint64_t index,
                            const std::set<std::uint32_t>& codes) {
  const std::string where = "clearing input " + std::to_string(index) + " of month " + month_text(start_month + month);
  auto bad = [&](const std::string& field, const std::string& expected, const std::string& got) {
    fail(path, where + ": expected " + expected + ", got " + got, field);
  };
  SettlementRecord r;
  const auto len = in.pod<std::uint64_t>("clearing inputs");
  if (len > kMaxReference) bad("reference", "at most " + std::to_string(kMaxReference) + " bytes", std::to_string(len) + " bytes");
  r.reference = std::string(in.raw(len, "clearing inputs"));
  const auto insured = in.pod<std::uint32_t>("clearing inputs");
  if (!codes.contains(insured)) bad("insured_region", "a region code of the run", std::to_string(insured));
  r.insured_region = RegionCode::of(insured);
  const auto scheme = in.pod<std::uint8_t>("clearing inputs");
  if (scheme > 1) bad("scheme", "0 (employee) or 1 (resident)", std::to_string(scheme));
  r.scheme = static_cast<Scheme>(scheme);
  const auto treatment = in.pod<std::uint32_t>("clearing inputs");
  if (!codes.contains(treatment)) bad("treatment_region", "a region code of the run", std::to_string(treatment));
  r.treatment_region = RegionCode::of(treatment);
  const auto settled = in.pod<std::int32_t>("clearing inputs");
  r.settled_on = Date::from_days(settled);
  // Days from 1900 to 2300 keep the calendar arithmetic in range; the month must be the record's own.
  constexpr std::int32_t kMinDays = -25567, kMaxDays = 120'000;
  if (settled < kMinDays || settled > kMaxDays || r.settled_on.month_index() != start_month + month)
    bad("settled_on", "a day of " + month_text(start_month + month), "day " + std::to_string(settled));
  const auto path_code = in.pod<std::uint8_t>("clearing inputs");
  if (path_code > 1) bad("path", "0 (direct) or 1 (manual)", std::to_string(path_code));
  r.path = static_cast<SettlementPath>(path_code);
  r.visits = in.pod<std::int64_t>("clearing inputs");
  if (r.visits < 0 || r.visits > kMaxAmount) bad("visits", "a count from 0 to 10^16", std::to_string(r.visits));
  const char* names[3] = {"fund_pay", "patient_pay", "coaudit_fund_pay"};
  Money* amounts[3] = {&r.fund_pay, &r.patient_pay, &r.coaudit_fund_pay};
  for (int k = 0; k < 3; ++k) {
    const auto fen = in.pod<std::int64_t>("clearing inputs");
    if (fen < -kMaxAmount || fen > kMaxAmount) bad(names[k], "an amount within ±10^16 fen", std::to_string(fen));
    *amounts[k] = Money::fen(fen);
  }
  const auto delay = in.pod<std::int32_t>("clearing inputs");
  if (delay < 0 || delay > 2) bad("declaration_delay_months", "0, 1 or 2", std::to_string(delay));
  r.declaration_delay_months = delay;
  const auto has = in.pod<std::uint8_t>("clearing inputs");
  const auto days = in.pod<std::int32_t>("clearing inputs");
  if (has > 1) bad("reimburse_on", "a flag 0 or 1", std::to_string(has));
  if (has == 1) {
    const Date d = Date::from_days(days);
    if (days < settled || days > kMaxDays || d.month_index() > r.settled_on.month_index() + 120)
      bad("reimburse_on", "a day within ten years after the settlement", "day " + std::to_string(days));
    r.reimburse_on = d;
  } else if (days != 0) {
    bad("reimburse_on", "day 0 when there is no reimbursement", "day " + std::to_string(days));
  }
  return r;
}

/// Bytes of the results section for `months` months: the month count, then per dataset of the
/// schema its integer and float arrays, each with its length.
std::uint64_t results_bytes(std::uint64_t months) {
  std::uint64_t n = 8;
  for (const auto& spec : sim::output_schema()) {
    // A bound: the province dimensions as long as the most regions an agent can name.
    std::uint64_t slice = 1;
    for (sim::Dim d : spec.dims)
      if (d != sim::Dim::month)
        slice *= d == sim::Dim::province || d == sim::Dim::treatment_province ? sim::Agent::kMaxRegions : sim::dim_size(d);
    const std::uint64_t elems = slice * (spec.dims.front() == sim::Dim::month ? months : 1);
    n += 16 + elems * 8;
  }
  return n;
}

/// The most the rest (clearing inputs and results) of a checkpoint of `months` months may hold.
std::uint64_t rest_bound(std::uint64_t months) {
  return 8 + months * (8 + kMaxRecordsPerMonth * (8 + kMaxReference + kRecordFixed)) + results_bytes(months);
}

/// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// Reads exactly n bytes at `offset`; InputError naming the path and the reason.
void read_at(int fd, const std::string& path, void* into, std::size_t n, std::uint64_t offset) {
  auto* p = static_cast<char*>(into);
  std::size_t got = 0;
  while (got < n) {
    const std::size_t want = std::min<std::size_t>(n - got, std::size_t{1} << 30);
    const ssize_t r = ::pread(fd, p + got, want, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      fail(path, "cannot read the checkpoint: " + os_reason(err));
    }
    if (r == 0) fail(path, "checkpoint is truncated: it ended while being read (was it changed meanwhile?)");
    got += static_cast<std::size_t>(r);
  }
}

struct OpenCheckpoint {
  Fd fd;
  CheckpointHeader header;
  std::string header_bytes;
};

/// Opens a checkpoint and checks its header, length and trailer.
void open_checkpoint(const std::string& path, OpenCheckpoint& c) {
  c.fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (c.fd.fd < 0) {
    const int err = errno;
    fail(path, "cannot open the checkpoint: " + os_reason(err));
  }
  struct stat st {};
  if (::fstat(c.fd.fd, &st) != 0) {
    const int err = errno;
    fail(path, "cannot open the checkpoint: " + os_reason(err));
  }
  if (!S_ISREG(st.st_mode)) fail(path, "is not a file; expected a checkpoint");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::string head(static_cast<std::size_t>(std::min<std::uint64_t>(size, header_size(kMaxSha))), '\0');
  read_at(c.fd.fd, path, head.data(), head.size(), 0);
  const std::string_view magic = std::string_view(head).substr(0, std::min<std::size_t>(head.size(), 8));
  if (magic.size() == 8 && magic.starts_with("YIDICKP") && magic != kCheckpointMagic)
    fail(path, "checkpoint of another yidi version (format " + std::string(magic.substr(7)) + "); this yidi reads format " +
                   std::string(kCheckpointMagic.substr(7)) + ": start the run again (--overwrite instead of --resume)");
  if (!kCheckpointMagic.starts_with(magic))
    fail(path, "not a yidi checkpoint (it does not start with " + std::string(kCheckpointMagic) + ")");
  if (size < kFixedHeader)
    fail(path, "checkpoint is truncated: " + std::to_string(size) + " bytes, shorter than its header");
  Reader in(head, path);
  CheckpointHeader& h = c.header;
  (void)in.raw(8, "header");
  h.file_bytes = in.pod<std::uint64_t>("header");
  h.rest_bytes = in.pod<std::uint64_t>("header");
  h.population = in.pod<std::uint64_t>("header");
  h.agent_begin = in.pod<std::uint64_t>("header");
  h.agents = in.pod<std::uint64_t>("header");
  h.rank = in.pod<std::int32_t>("header");
  h.ranks = in.pod<std::int32_t>("header");
  h.months_done = in.pod<std::int32_t>("header");
  h.previous = in.pod<std::int32_t>("header");
  h.start_month = in.pod<std::int32_t>("header");
  const auto sha = in.pod<std::uint32_t>("header");
  const std::string damaged = "checkpoint header is damaged (its checksum does not match)";
  if (sha > kMaxSha) fail(path, damaged);
  if (size < header_size(sha))
    fail(path, "checkpoint is truncated: " + std::to_string(size) + " bytes, shorter than its header");
  h.scenario_sha256 = std::string(in.raw(sha, "header"));
  const auto stored = in.pod<std::uint32_t>("header");
  if (crc32_of(0, head.data(), header_size(sha) - 4) != stored) fail(path, damaged);
  c.header_bytes = head.substr(0, header_size(sha));
  // The header's checksum holds: anything inconsistent now was written so (or forged).
  const std::string inconsistent = "checkpoint header is inconsistent: ";
  if (h.ranks < 1 || h.rank < 0 || h.rank >= h.ranks)
    fail(path, inconsistent + "rank " + std::to_string(h.rank) + " of " + std::to_string(h.ranks));
  if (h.months_done < 1 || h.previous < -1 || h.previous >= h.months_done)
    fail(path, inconsistent + "month " + std::to_string(h.months_done) + " after " + std::to_string(h.previous));
  constexpr std::uint64_t kMaxAgents = std::uint64_t{1} << 40;
  if (h.population > kMaxAgents || h.agents > h.population || h.agent_begin > h.population - h.agents)
    fail(path, inconsistent + "agents " + std::to_string(h.agent_begin) + " + " + std::to_string(h.agents) + " of " +
                   std::to_string(h.population));
  if (h.rest_bytes > rest_bound(static_cast<std::uint64_t>(h.months_done)))
    fail(path, inconsistent + std::to_string(h.rest_bytes) + " bytes of clearing inputs and results for " +
                   std::to_string(h.months_done) + " months");
  const std::uint64_t expected = header_size(sha) + h.agents * sizeof(sim::Agent) + h.rest_bytes + kTrailer;
  if (h.file_bytes != expected)
    fail(path, inconsistent + "a length of " + std::to_string(h.file_bytes) + " bytes; its sections add up to " +
                   std::to_string(expected));
  if (size < h.file_bytes)
    fail(path, "checkpoint is truncated: " + std::to_string(size) + " bytes of the " + std::to_string(h.file_bytes) +
                   " its header records");
  if (size > h.file_bytes)
    fail(path, "checkpoint is " + std::to_string(size) + " bytes, longer than the " + std::to_string(h.file_bytes) +
                   " its header records (damaged)");
  char end[kTrailerMagic.size()];
  read_at(c.fd.fd, path, end, sizeof end, size - sizeof end);
  if (std::string_view(end, sizeof end) != kTrailerMagic)
    fail(path, "checkpoint does not end with its trailer " + std::string(kTrailerMagic) + " (damaged)");
}

void check_agents(std::span<const sim::Agent> agents, const std::string& path, std::uint64_t first, std::size_t regions) {
  // The first bad agent, or agents.size(): a damaged agent would index out of the model's tables.
  const std::size_t bad = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, agents.size(), 1 << 16), agents.size(),
      [&](const tbb::blocked_range<std::size_t>& r, std::size_t found) {
        for (std::size_t i = r.begin(); i < r.end() && i < found; ++i) {
          const sim::Agent& a = agents[i];
          if (a.region() >= regions || a.age_band() > 2) return i;
        }
        return found;
      },
      [](std::size_t a, std::size_t b) { return std::min(a, b); });
  if (bad == agents.size()) return;
  const sim::Agent& a = agents[bad];
  const std::string who = "agent " + std::to_string(first + bad) + ": ";
  // Traits' bits 6–7 are the region index's bits 8–9 (sim::Agent::region).
  if (a.age_band() > 2 || (static_cast<std::size_t>(a.traits >> 6) << 8) >= regions)
    fail(path, who + "expected traits with an age band of 0 to 2 and bits 6–7 naming a region below " +
                   std::to_string(regions) + ", got " + std::to_string(a.traits),
         "traits");
  fail(path, who + "expected a region index below " + std::to_string(regions) + ", got " + std::to_string(a.region()), "away");
}

}  // namespace

void check_checkpoint_header(const std::string& path, const CheckpointHeader& h, const CheckpointExpect& e) {
  if (h.scenario_sha256 != e.scenario_sha256)
    fail(path, "checkpoint is of another scenario (its resolved scenario hash differs)");
  if (h.rank != e.rank || h.ranks != e.ranks)
    fail(path, "checkpoint was written by rank " + std::to_string(h.rank) + " of " + std::to_string(h.ranks) +
                   "; expected rank " + std::to_string(e.rank) + " of " + std::to_string(e.ranks));
  if (h.start_month != e.start_month)
    fail(path, "checkpoint starts in " + month_text(h.start_month) + "; the scenario starts in " + month_text(e.start_month));
  if (h.months_done > e.scenario_months)
    fail(path, "checkpoint is of " + std::to_string(h.months_done) + " months done; the scenario has " +
                   std::to_string(e.scenario_months));
  if (h.agents != e.agents)
    fail(path, "checkpoint holds " + std::to_string(h.agents) + " agents; expected " + std::to_string(e.agents) +
                   " (the same scenario and rank count)");
  if (h.population != e.population || h.agent_begin != e.agent_begin)
    fail(path, "checkpoint holds agents from " + std::to_string(h.agent_begin) + " of " + std::to_string(h.population) +
                   "; expected from " + std::to_string(e.agent_begin) + " of " + std::to_string(e.population) +
                   " (the same scenario and rank count)");
}

std::uint32_t crc32_of(std::uint32_t crc, const void* data, std::size_t n) {
  constexpr std::size_t kChunk = std::size_t{32} << 20;
  const auto* p = static_cast<const unsigned char*>(data);
  if (n == 0) return crc;  // (zlib returns 0 for a null buffer: a rank without agents has one)
  if (n <= kChunk) return static_cast<std::uint32_t>(::crc32_z(crc, p, n));
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<uLong> part(chunks);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    const std::size_t len = std::min(kChunk, n - c * kChunk);
    part[c] = ::crc32_z(0, p + c * kChunk, len);
  });
  uLong out = crc;
  for (std::size_t c = 0; c < chunks; ++c)
    out = ::crc32_combine(out, part[c], static_cast<z_off_t>(std::min(kChunk, n - c * kChunk)));
  return static_cast<std::uint32_t>(out);
}

CheckpointExpect expect_of(const sim::Simulation& s, const std::string& sha) {
  CheckpointExpect e;
  e.scenario_sha256 = sha;
  e.rank = s.comm().rank();
  e.ranks = s.comm().size();
  e.start_month = s.scenario().start_month;
  e.scenario_months = s.scenario().months;
  e.population = s.layout().total;
  e.agent_begin = s.part().agent_begin;
  e.agents = s.part().agents();
  for (const auto& p : s.world().regions()) e.regions.push_back(p.code.str());
  return e;
}

void write_checkpoint(OutputFile& out, const sim::Simulation::ResumeView& r, CheckpointHeader h) {
  if (h.scenario_sha256.size() > kMaxSha) throw std::invalid_argument("write_checkpoint: scenario hash too long");
  Bytes rest;
  rest.pod<std::uint64_t>(r.fed.size());
  for (const auto& month : r.fed) {
    rest.pod<std::uint64_t>(month.size());
    for (const auto& rec : month) put_record(rest, rec);
  }
  rest.pod<std::uint64_t>(r.results.months());
  for (const auto& spec : sim::output_schema()) {
    rest.vec(r.results.data(spec.name).i);
    rest.vec(r.results.data(spec.name).f);
  }
  h.months_done = r.months_done;
  h.agents = r.agents.size();
  h.rest_bytes = rest.str().size();
  const std::uint64_t agent_bytes = r.agents.size_bytes();
  h.file_bytes = header_size(h.scenario_sha256.size()) + agent_bytes + h.rest_bytes + kTrailer;
  const std::string head = encode_header(h);
  std::uint32_t crc = crc32_of(0, head.data(), head.size());
  crc = crc32_of(crc, r.agents.data(), agent_bytes);
  crc = crc32_of(crc, rest.str().data(), rest.str().size());
  out.write(head);
  out.write(std::string_view(reinterpret_cast<const char*>(r.agents.data()), agent_bytes));
  char point[64];
  std::snprintf(point, sizeof point, "checkpoint:rank-%d-of-%d:m%04d:writing", h.rank, h.ranks, h.months_done);
  crash_point(point);
  out.write(rest.str());
  Bytes trailer;
  trailer.pod(crc);
  trailer.raw(kTrailerMagic);
  out.write(trailer.str());
}

CheckpointHeader read_checkpoint_header(const std::string& path) {
  OpenCheckpoint c;
  open_checkpoint(path, c);
  return c.header;
}

sim::Simulation::Resume read_checkpoint(const std::string& path, const CheckpointExpect& e, sim::AgentVector storage) {
  OpenCheckpoint c;
  open_checkpoint(path, c);
  const CheckpointHeader& h = c.header;
  check_checkpoint_header(path, h, e);
  if (storage.size() != h.agents) throw std::invalid_argument("read_checkpoint: storage of another size than expected");
  // Everything is read, and the checksum over the whole file checked, before anything is used.
  const std::uint64_t agent_bytes = h.agents * sizeof(sim::Agent);
  read_at(c.fd.fd, path, storage.data(), agent_bytes, c.header_bytes.size());
  std::string rest(h.rest_bytes, '\0');
  read_at(c.fd.fd, path, rest.data(), rest.size(), c.header_bytes.size() + agent_bytes);
  std::uint32_t stored = 0;
  read_at(c.fd.fd, path, &stored, sizeof stored, h.file_bytes - kTrailer);
  std::uint32_t crc = crc32_of(0, c.header_bytes.data(), c.header_bytes.size());
  crc = crc32_of(crc, storage.data(), agent_bytes);
  crc = crc32_of(crc, rest.data(), rest.size());
  if (crc != stored)
    fail(path, "checkpoint is damaged: its checksum does not match its contents (crc32 " + hex32(crc) + ", recorded " +
                   hex32(stored) + ")");
  const std::vector<std::string> labels = e.regions.empty() ? embedded_world().codes() : e.regions;
  const std::set<std::uint32_t> codes = region_codes(labels);
  const std::uint64_t max_records = max_records_per_month(labels.size());
  check_agents(std::span<const sim::Agent>(storage.data(), storage.size()), path, h.agent_begin, labels.size());

  sim::Simulation::Resume r;
  r.months_done = h.months_done;
  r.agents = std::move(storage);
  Reader in(rest, path);
  const auto months = static_cast<std::uint64_t>(h.months_done);
  const auto fed = in.pod<std::uint64_t>("clearing inputs");
  if (fed != months)
    fail(path, "checkpoint holds clearing inputs of " + std::to_string(fed) + " months; expected " + std::to_string(months) +
                   " (its months done)");
  r.fed.resize(fed);
  for (std::uint64_t m = 0; m < fed; ++m) {
    const auto n = in.pod<std::uint64_t>("clearing inputs");
    if (n > max_records || n * (8 + kRecordFixed) > in.left())
      fail(path, "checkpoint holds " + std::to_string(n) + " clearing inputs in month " +
                     month_text(h.start_month + static_cast<int>(m)) + "; expected at most " +
                     std::to_string(max_records));
    r.fed[m].reserve(n);
    for (std::uint64_t k = 0; k < n; ++k) r.fed[m].push_back(get_record(in, path, h.start_month, static_cast<int>(m), k, codes));
  }
  const auto res_months = in.pod<std::uint64_t>("results");
  if (res_months != months)
    fail(path, "checkpoint holds results of " + std::to_string(res_months) + " months; expected " + std::to_string(months) +
                   " (its months done)");
  std::map<std::string, sim::Series64> data;
  const sim::Results shape(sim::RunLabels::of_regions(labels));
  for (const auto& spec : sim::output_schema()) {
    const std::uint64_t n = shape.elements(spec) * (spec.dims.front() == sim::Dim::month ? months : 1);
    auto& d = data[spec.name];
    for (const bool integer : {true, false}) {
      const auto len = in.pod<std::uint64_t>("results");
      const std::uint64_t want = integer == spec.integer ? n : 0;
      if (len != want)
        fail(path, "checkpoint holds " + std::to_string(len) + " values of dataset " + spec.name + "; expected " +
                       std::to_string(want));
      const std::string_view bytes = in.raw(len * 8, "results");
      if (len == 0) continue;  // (memcpy must not be given an empty vector's null pointer)
      if (integer) {
        d.i.resize(len);
        std::memcpy(d.i.data(), bytes.data(), bytes.size());
      } else {
        d.f.resize(len);
        std::memcpy(d.f.data(), bytes.data(), bytes.size());
      }
    }
  }
  if (in.left() != 0) fail(path, "checkpoint holds " + std::to_string(in.left()) + " bytes after its results (damaged)");
  try {
    r.results = sim::Results::from_raw(sim::RunLabels::of_regions(labels), months, std::move(data));
  } catch (const std::invalid_argument& ex) {
    fail(path, std::string("checkpoint does not fit this version's output schema: ") + ex.what());
  }
  return r;
}

void restore_checkpoint(const std::string& path, sim::Simulation& sim, const std::string& sha) {
  sim::Simulation::Resume r = read_checkpoint(path, expect_of(sim, sha), sim.take_agents());
  try {
    sim.restore(std::move(r));
  } catch (const std::invalid_argument& e) {  // the clearing system refused a replayed input
    fail(path, std::string("checkpoint's clearing inputs cannot be replayed: ") + e.what());
  }
}

void write_checkpoint(const std::string& path, const sim::Simulation::ResumeView& r, const std::string& sha) {
  OutputFile out(path, "checkpoint", OutputKind::checkpoint, true);
  CheckpointHeader h;
  h.scenario_sha256 = sha;
  h.population = r.agents.size();
  const auto& months = r.results.data("months").i;
  h.start_month = months.empty() ? 0 : static_cast<std::int32_t>(months.front());
  write_checkpoint(out, r, h);
  out.commit();
}

sim::Simulation::Resume read_checkpoint(const std::string& path, const std::string& sha, sim::AgentVector storage) {
  const CheckpointHeader h = read_checkpoint_header(path);
  CheckpointExpect e;
  e.scenario_sha256 = sha;
  e.start_month = h.start_month;
  e.scenario_months = h.months_done;
  e.population = h.population;
  e.agent_begin = h.agent_begin;
  e.agents = storage.size();
  return read_checkpoint(path, e, std::move(storage));
}

CheckpointSections checkpoint_sections(const std::string& path) {
  OpenCheckpoint c;
  open_checkpoint(path, c);
  const CheckpointHeader& h = c.header;
  CheckpointSections s;
  s.agents = c.header_bytes.size();
  s.fed = s.agents + h.agents * sizeof(sim::Agent);
  s.trailer = h.file_bytes - kTrailer;
  s.end = h.file_bytes;
  std::string rest(h.rest_bytes, '\0');
  read_at(c.fd.fd, path, rest.data(), rest.size(), s.fed);
  Reader in(rest, path);
  const auto months = in.pod<std::uint64_t>("clearing inputs");
  for (std::uint64_t m = 0; m < months; ++m) {
    const auto n = in.pod<std::uint64_t>("clearing inputs");
    for (std::uint64_t k = 0; k < n; ++k) {
      const auto len = in.pod<std::uint64_t>("clearing inputs");
      (void)in.raw(len + kRecordFixed, "clearing inputs");
    }
  }
  s.results = s.fed + in.at();
  return s;
}

}  // namespace yidi::io
