#pragma once
// RFC 4180 CSV. Two readers:
//  - CsvSplitter and split_fields, the strict streaming reader of `yidi settle` and `yidi clear`
//    (below, docs/settle-formats.md "CSV"): comment lines only before the header (and, for yidi's
//    own results, at the end), never a line dropped silently after the header, size limits, text
//    checked for NUL, control characters, invalid UTF-8 and a byte-order mark after the start, a
//    broken quote reported for its record with reading resumed on the next line;
//  - CsvReader / read_csv, a lenient reader of whole texts for tests and yidi's own small files.
// And a writer that quotes only when it must.
//
// CsvReader: fields separated by commas; a field may be quoted with '"', and inside quotes commas,
// line breaks and doubled quotes ("") are data. Lines may end in LF or CRLF. A UTF-8 byte-order mark
// at the start is skipped. Lines that are entirely empty are skipped, and so are lines whose first
// character is '#' (comments, as pandas' `comment='#'`), so a file may carry provenance lines.
#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/io/input_error.hpp"

namespace yidi::io {

/// SHA-256 (FIPS 180-4), fed in pieces; the SHA extensions of x86 CPUs are used when present.
class Sha256 {
public:
  Sha256();
  void update(std::string_view bytes);
  /// 64 lowercase hex digits (the same as `sha256sum`); the object is spent afterwards.
  std::string hex();
  /// The digest as eight big-endian words; the object is spent afterwards.
  std::array<std::uint32_t, 8> finish();

private:
  void blocks(const unsigned char* p, std::size_t n);
  std::array<std::uint32_t, 8> h_;
  std::array<unsigned char, 64> pending_{};
  std::size_t pending_n_ = 0;
  std::uint64_t total_ = 0;
};

/// The SHA-256 digests of two texts (as Sha256::finish gives them), computed side by side when both
/// fit one block (the visit and person ids of a claims row).
void sha256_pair(std::string_view a, std::string_view b, std::array<std::uint32_t, 8>& da,
                 std::array<std::uint32_t, 8>& db);

/// Size limits of the strict reader (docs/settle-formats.md): a value, a record (all its lines) and
/// the number of fields of a header or record. Anything larger is refused with its line.
struct CsvLimits {
  std::size_t field_bytes = 4096;
  std::size_t record_bytes = 65536;
  std::size_t fields = 256;
};
inline constexpr CsvLimits kCsvLimits{};

/// One record as split from the input. `text` is its bytes without the final line end (a quoted
/// line break inside stays), valid until the next call. `error` is set instead for what cannot be
/// a record: an unterminated quote, a record over the size limit, an empty or comment line among
/// the data rows.
struct RawRecord {
  int line = 0;       // the physical line it starts on
  std::string_view text;
  std::optional<InputError> error;
};

/// Splits a CSV input into records, streaming: memory is bounded by the record size limit, not by
/// the input. Hashes every byte it reads (the input's SHA-256 for provenance).
class CsvSplitter {
public:
  /// Reads the file `path` (opened here; InputError "FILE: cannot open the WHAT: REASON" on failure).
  CsvSplitter(const std::string& path, std::string file_name, const std::string& what, CsvLimits limits = kCsvLimits);
  /// Reads a text held in memory (tests, small inputs).
  CsvSplitter(std::string_view text, std::string file_name, CsvLimits limits = kCsvLimits);
  ~CsvSplitter();
  CsvSplitter(const CsvSplitter&) = delete;
  CsvSplitter& operator=(const CsvSplitter&) = delete;

  /// The header: the first line that is neither empty nor a comment ('#' first). False if none.
  /// A record error in the header is thrown.
  bool header(RawRecord& out);
  /// Tells the splitter how many fields a record has, so that a quoted line break that would make
  /// a record of another width is taken as an unterminated quote instead (reported, reading resumes
  /// on the next line).
  void expect_fields(std::size_t n) { expected_fields_ = n; }
  /// Whether comment lines after the last record are accepted as provenance (yidi's results).
  void allow_trailing_comments(bool on) { trailing_comments_ = on; }
  /// The next record after the header (or an error record); false at the end of the input.
  bool next(RawRecord& out);

  const std::string& file_name() const { return file_; }
  std::uint64_t bytes_read() const { return bytes_; }
  /// SHA-256 of every byte read; call once, at the end.
  std::string sha256_hex() { return sha_.hex(); }
  const CsvLimits& limits() const { return limits_; }

private:
  bool fill();                        // reads more into buf_; false at the end
  bool line_end(std::size_t from, std::size_t& nl);  // finds the next '\n' at or after from (pos_-relative)
  std::string file_;
  CsvLimits limits_;
  int fd_ = -1;
  std::string_view text_;  // when reading from memory
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;  // buf_[pos_, end_) not yet consumed
  bool eof_ = false;
  int line_ = 0;  // physical lines consumed
  bool header_done_ = false;
  bool trailing_comments_ = false;
  std::size_t expected_fields_ = 0;
  std::vector<int> pending_;  // empty / comment lines after the header, not yet known to be a trailer
  std::size_t pending_at_ = 0;
  std::uint64_t bytes_ = 0;
  Sha256 sha_;
  std::string scratch_;
};

/// A field of a split record: its value (quotes removed) and its byte offset in the record's text.
struct FieldView {
  std::string_view value;
  std::uint32_t offset = 0;
};

/// Splits a record's text into fields; quoted values are unescaped into `scratch` (which must not
/// be touched while the views are in use). Throws InputError (FILE:LINE:COL) for a quote inside an
/// unquoted field, text after a closing quote, more fields than the limit or a field over the
/// size limit (naming the column from `names`, the header, when given).
void split_fields(const RawRecord& record, const std::string& file_name, const CsvLimits& limits,
                  std::vector<FieldView>& fields, std::string& scratch, const std::vector<std::string>* names = nullptr);

/// Whether every byte is printable ASCII (0x20–0x7E): such a text has nothing text_problem() refuses.
bool plain_ascii(std::string_view text);

/// The physical line and column (in characters, 1-based) of byte `offset` of a record's text.
InputLocation location_in(const RawRecord& record, const std::string& file_name, std::uint32_t offset);

/// What is wrong with a value as text, or nullopt: a NUL or other control character, a byte
/// sequence that is not UTF-8, a byte-order mark (U+FEFF). E.g. "expected UTF-8 text without
/// control characters, got byte 0x00 at character 3".
std::optional<std::string> text_problem(std::string_view value);

/// A value as shown in a message: at most 64 bytes (cut at a character, then "…"), bytes that are
/// not printable UTF-8 as \xNN.
std::string shown(std::string_view value);

struct CsvRecord {
  int line = 0;                     // 1-based physical line the record starts on
  std::vector<std::string> fields;
};

class CsvReader {
public:
  /// `file_name` is used in error messages only.
  CsvReader(std::istream& in, std::string file_name);

  /// Reads the next record; false at the end of the input. Throws InputError (file and line) on
  /// an unterminated quoted field or a quote in the middle of an unquoted field.
  bool next(CsvRecord& out);

  const std::string& file_name() const { return file_; }

private:
  bool read_line(std::string& line);
  std::istream& in_;
  std::string file_;
  int line_ = 0;  // physical lines read so far
};

/// All records of a text (convenience for tests and small files).
std::vector<CsvRecord> read_csv(std::string_view text, const std::string& file_name);

/// The field as it must appear in a CSV file: quoted (with inner quotes doubled) if it holds a
/// comma, a quote, a line break, leading/trailing spaces or a '#' (an unquoted '#' starts a comment
/// for readers such as pandas' `comment='#'`); as is otherwise.
std::string csv_field(std::string_view field);

/// Writes one record terminated by '\n'.
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);
/// Appends a field as csv_field() would give it.
void append_csv_field(std::string& out, std::string_view field);

}  // namespace yidi::io
