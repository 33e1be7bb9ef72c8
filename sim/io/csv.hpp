#pragma once
// Minimal RFC 4180 CSV: a reader that keeps the line number each record starts on (for
// "FILE:LINE: ..." messages) and a writer that quotes only when it must.
//
// Reading: fields separated by commas; a field may be quoted with '"', and inside quotes commas,
// line breaks and doubled quotes ("") are data. Lines may end in LF or CRLF. A UTF-8 byte-order mark
// at the start is skipped. Lines that are entirely empty are skipped, and so are lines whose first
// character is '#' (comments, as pandas' `comment='#'`), so a file may carry provenance lines.
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace yidi::io {

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

}  // namespace yidi::io
