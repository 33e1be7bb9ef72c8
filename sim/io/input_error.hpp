#pragma once
// The one error type for bad input files: names the file, line, field and what was expected.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace yidi::io {

struct InputLocation {
  std::string file;  // as the user named it, or "<embedded>/scenarios/..." for embedded data
  int line = 0;      // 1-based; 0 = whole file
  int column = 0;    // 1-based; 0 = unknown
};

class InputError : public std::runtime_error {
public:
  /// Message: "FILE:LINE:COL: field 'FIELD': MESSAGE" (parts omitted when unknown).
  InputError(InputLocation where, std::string field, std::string message);
  const InputLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

private:
  InputLocation where_;
  std::string field_;
  std::string message_;
};

std::string format_location(const InputLocation& where);

/// The most read_text_file reads, with no limit of the caller's, from a file that is not a
/// regular file (a pipe, or a device such as /dev/zero, which never ends): 64 MiB.
inline constexpr std::uintmax_t kMaxStreamBytes = std::uintmax_t{64} << 20;

/// The whole of a file. InputError "PATH: cannot open the WHAT: REASON" if it cannot be read,
/// "PATH: the WHAT is a folder; expected a file", and "PATH: the WHAT exceeds the size limit of
/// N MiB (B bytes)" when it is longer than `max_bytes` (read at most max_bytes + 1 bytes to
/// tell). max_bytes 0: no limit for a regular file, kMaxStreamBytes for any other.
std::string read_text_file(const std::string& path, const std::string& what, std::uintmax_t max_bytes = 0);

/// Writes `content` to `path` under a temporary name beside it (`PATH.tmp-PID`), renamed when
/// complete: a reader never sees half a file and a failure leaves nothing behind. Creates the
/// folder if needed. InputError "PATH: cannot write the WHAT: REASON" on failure.
void write_text_file_atomically(const std::string& path, const std::string& content, const std::string& what);

}  // namespace yidi::io
