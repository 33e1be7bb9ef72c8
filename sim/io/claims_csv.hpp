#pragma once
// Claims in, settlement results out, as CSV (docs/settle-formats.md). One row a visit; columns by
// header name, with the national interface's names where one exists [interface]. The column lists
// below are the one definition of both formats: the header, the formatting and the documentation
// tables (`yidi settle --columns`) all come from them.
#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <unordered_map>
#include <vector>

#include "models/claim.hpp"
#include "models/parameters.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::io {

/// One input column: its header name, whether it must be present, the form of its values and what
/// it means.
struct ClaimColumn {
  std::string_view name;
  bool required = false;
  std::string_view form;
  std::string_view meaning;
};
const std::vector<ClaimColumn>& claim_columns();

/// A 128-bit hash of a visit id (the first half of its SHA-256): duplicate ids are found with a
/// table of these instead of the ids themselves (docs/settle-formats.md, "Memory").
struct IdHash {
  std::uint64_t hi = 0, lo = 0;
  bool operator==(const IdHash&) const = default;
};
IdHash id_hash(std::string_view id);

/// One parsed claims row, ready to settle. `request.ytd` is zero: accumulators are carried by the
/// caller (YearToDateLedger), because they depend on the rows settled before.
struct ClaimRow {
  int line = 0;                // where the record starts in the claims file
  std::string person;          // psn_no; empty = no carry-forward
  IdHash person_key;           // its 128-bit hash (the year-to-date ledger's key), set by parsing
  std::int32_t year = 0;       // calendar year of the discharge (the ledger's other key), set by parsing
  SettlementRequest request;
  std::vector<std::string> columns;  // the CSV column each engine claim line came from (for messages)
};

/// A row that was not settled, with the record as read and the error naming file, line and field.
struct RejectedRow {
  int line = 0;
  std::vector<std::string> fields;
  InputError error;
};


/// The slots of the id and year-to-date tables: `n` T of zero bytes (an all-zero slot is an empty
/// one), from calloc (memory fresh from the kernel is not filled a second time; a table freed on
/// growing is reused). Inside a large block transparent huge pages are advised (madvise), so that
/// random lookups miss the TLB less.
void* table_allocate(std::size_t bytes);
void table_deallocate(void* p, std::size_t bytes) noexcept;
template <class T>
class TableSlots {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
  TableSlots() = default;
  explicit TableSlots(std::size_t n) : data_(static_cast<T*>(table_allocate(n * sizeof(T)))), size_(n) {}
  TableSlots(TableSlots&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  TableSlots& operator=(TableSlots&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~TableSlots() { release(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

private:
  void release() noexcept {
    if (data_ != nullptr) table_deallocate(data_, size_ * sizeof(T));
    data_ = nullptr;
    size_ = 0;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// The visit ids seen so far, and the line each was first seen on: 24 bytes a slot in an
/// open-addressing table kept at most 3/4 full.
class VisitIds {
public:
  /// The line `h` was first seen on, or 0 if new (and then recorded as seen on `line`).
  int insert(const IdHash& h, int line);
  /// Hints that `h` comes soon (see YearToDateLedger::prefetch).
  void prefetch(const IdHash& h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(h.lo) & (slots_.size() - 1)]);
  }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return slots_.size() * sizeof(Slot); }

private:
  struct Slot {
    std::uint64_t hi = 0, lo = 0;
    std::int32_t line = 0;  // 0 = empty
  };
  void grow();
  TableSlots<Slot> slots_;
  std::size_t size_ = 0;
};

/// The claims file's header: which field of a record holds each claim column. Throws InputError
/// for unknown (listing at most 10), duplicate or missing required columns.
class ClaimsFormat {
public:
  ClaimsFormat(const RawRecord& header, const std::string& file_name, const CsvLimits& limits = kCsvLimits);
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<int>& index() const { return index_; }
  int id_field() const { return index_[0]; }

private:
  std::vector<std::string> header_;
  std::vector<int> index_;  // [claim column] → field index in a record, −1 if absent
};

/// What parsing one record gave: a row, or a rejection and the claim column it concerns (−1 for
/// the record as a whole), with the id's hash when the record has a usable id.
struct ParsedRecord {
  bool ok = false;
  int failed_column = -1;
  std::optional<RejectedRow> rejected;
  bool has_id = false;
  int id_field = -1;
  IdHash id;
};

/// What parse_claim_record remembers between records of one caller (one thread): region cells it
/// read as codes present in the policy data, by their 6 bytes (direct-mapped; the book is
/// immutable while it is read).
struct ClaimParseCache {
  struct Region {
    std::uint64_t text = 0;  // the cell's 6 bytes, with bit 63 set; 0 = empty
    std::uint32_t code = 0;
  };
  const PolicyBook* book = nullptr;
  std::array<Region, 64> regions{};
};

/// Parses one record into `row` (reused: its buffers keep their capacity). Thread-safe; checks
/// everything but duplicate ids (ClaimsReader / the caller's VisitIds do that, in file order).
/// `fields`, `scratch` and `cache` (optional) are the caller's working space.
void parse_claim_record(const ClaimsFormat& format, const RawRecord& record, const std::string& file_name,
                        const PolicyBook& book, const CsvLimits& limits, ClaimRow& row, ParsedRecord& result,
                        std::vector<FieldView>& fields, std::string& scratch, ClaimParseCache* cache = nullptr);

/// Applies the duplicate-id check to a parsed record, in file order: a row whose id was used on an
/// earlier row is rejected on mdtrt_id (unless it was already rejected on a column checked before
/// mdtrt_id). Every id read is taken, even on a rejected row, so a later duplicate is reported.
void check_visit_id(VisitIds& ids, const std::string& file_name, const RawRecord& record, const CsvLimits& limits,
                    ParsedRecord& result);

/// Reads a claims file: the header on construction (throws InputError for an empty file, or
/// unknown, duplicate or missing required columns), then one row at a time. A malformed row is
/// returned as a RejectedRow, never dropped.
class ClaimsReader {
public:
  /// `book` is used to check that region codes exist.
  ClaimsReader(CsvSplitter& splitter, const PolicyBook& book);

  enum class Next { row, rejected, end };
  Next next(ClaimRow& row, std::optional<RejectedRow>& rejected);

  const std::vector<std::string>& header() const { return format_->header(); }
  const ClaimsFormat& format() const { return *format_; }
  const std::string& file_name() const { return splitter_.file_name(); }

private:
  CsvSplitter& splitter_;
  const PolicyBook& book_;
  std::optional<ClaimsFormat> format_;
  VisitIds ids_;
  std::vector<FieldView> fields_;
  std::string scratch_;
  ClaimParseCache cache_;
};

/// Parses a whole claims text (tests and small inputs): rows and rejections in file order.
struct ParsedClaims {
  std::vector<ClaimRow> rows;
  std::vector<RejectedRow> rejected;
};
ParsedClaims parse_claims(std::string_view text, const std::string& file_name, const PolicyBook& book);

/// An amount in yuan as the CSV formats write it: digits (at most 15), then optionally '.' and one
/// or two digits, at most Money::kMaxInputFen. Anything else — a sign ("-0.00" too), spaces,
/// exponents, separators — is not one.
enum class AmountForm { ok, negative, too_many_decimals, too_large, bad };
AmountForm parse_amount(std::string_view text, Money& out);
/// The message part for a value that is not an amount ≥ 0: Money::kInputForm, with "an amount ≥ 0"
/// first for a negative one.
std::string amount_expected(AmountForm form);

/// Translates the engine's InvalidClaim for `row` into an InputError naming the CSV column.
InputError claim_error(const ClaimRow& row, const InvalidClaim& e, const std::string& file_name);

/// Year-to-date accumulators per person (psn_no, by its 128-bit hash) and calendar year of
/// discharge, carried forward in file order: the request of a row with a person gets the
/// accumulators left by that person's earlier rows of the same year, and `record` stores the
/// settlement's `ytd_after`.
class YearToDateLedger {
public:
  YearToDate before(const ClaimRow& row) const;
  void record(const ClaimRow& row, const Settlement& s);

  std::size_t size() const { return size_; }
  /// Hints that `row` comes soon (the serial stage looks rows ahead so that the table's cache
  /// misses overlap).
  void prefetch(const ClaimRow& row) const;

private:
  // An open-addressing table keyed by the person id's 128-bit hash and the year, the accumulators
  // inline (one cache miss a lookup), at most 3/4 full: memory grows with persons × years (about
  // 150–300 bytes each), never with rows.
  struct Slot {
    std::uint64_t hi = 0, lo = 0;
    std::int32_t year = 0;
    bool used = false;
    YearToDate value;
  };
  std::size_t slot_index(const ClaimRow& row) const;
  void grow();
  TableSlots<Slot> slots_;
  std::size_t size_ = 0;
};

/// One output column: its name, meaning and how its value is appended (unquoted) from a row and
/// its settlement.
struct ResultColumn {
  std::string_view name;
  std::string_view meaning;
  void (*append)(std::string& out, const ClaimRow&, const Settlement&);
};
const std::vector<ResultColumn>& result_columns();
std::vector<std::string> result_header();
std::vector<std::string> result_fields(const ClaimRow& row, const Settlement& s);
/// Appends the row as write_csv_row(result_fields(row, s)) writes it, without its allocations
/// (`scratch` is working space).
void append_result_row(std::string& out, std::string& scratch, const ClaimRow& row, const Settlement& s);

/// Input codes as written in results: "310"/"390", "in_service"/"retired"/"resident", "21"/"11"/"14"/"41".
std::string_view insutype_code(InsuredGroup g);
std::string_view psn_type_name(InsuredGroup g);
std::string_view med_type_code(VisitType v);

/// The explanation of one settled row, one step a line block, for `--explain`.
std::string format_explanation(const ClaimRow& row, const Settlement& s, const std::string& file_name);

/// Both column tables in Markdown, as included in docs/settle-formats.md.
std::string columns_markdown();

/// SHA-256 of bytes, as 64 lowercase hex digits (the same as `sha256sum`).
std::string sha256_hex(std::string_view bytes);

}  // namespace yidi::io
