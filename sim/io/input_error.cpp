#include "sim/io/input_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace yidi::io {

std::string read_text_file(const std::string& path, const std::string& what, std::uintmax_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError({path, 0, 0}, "", "cannot open the " + what + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw InputError({path, 0, 0}, "", "cannot open the " + what + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError({path, 0, 0}, "", "the " + what + " is a folder; expected a file");
  const bool regular = S_ISREG(st.st_mode);
  const std::uintmax_t limit = max_bytes > 0 ? max_bytes : regular ? UINTMAX_MAX : kMaxStreamBytes;
  auto too_long = [&] {
    const std::string size = std::to_string(limit >> 20) + " MiB (" + std::to_string(limit) + " bytes)";
    return InputError({path, 0, 0}, "",
                      max_bytes > 0 ? "the " + what + " exceeds the size limit of " + size
                                    : "the " + what + " is not a regular file and exceeds the size limit of " + size +
                                          " for such files");
  };
  if (regular && static_cast<std::uintmax_t>(st.st_size) > limit) throw too_long();
  std::string out;
  if (regular) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError({path, 0, 0}, "", "cannot read the " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > limit) throw too_long();
  }
  return out;
}

void write_text_file_atomically(const std::string& path, const std::string& content, const std::string& what) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path(), ec);
  if (ec) throw InputError({path, 0, 0}, "", "cannot write the " + what + ": " + ec.message());
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError({path, 0, 0}, "", "cannot write the " + what + ": " + std::strerror(errno));
    out << content;
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw InputError({path, 0, 0}, "", "cannot write the " + what + ": write failed");
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw InputError({path, 0, 0}, "", "cannot write the " + what + ": " + ec.message());
  }
}

std::string format_location(const InputLocation& w) {
  std::string out = w.file;
  if (w.line > 0) out += ":" + std::to_string(w.line);
  if (w.line > 0 && w.column > 0) out += ":" + std::to_string(w.column);
  return out;
}

namespace {
std::string compose(const InputLocation& w, const std::string& field, const std::string& message) {
  std::string out = format_location(w) + ": ";
  if (!field.empty()) out += "field '" + field + "': ";
  return out + message;
}
}  // namespace

InputError::InputError(InputLocation where, std::string field, std::string message)
    : std::runtime_error(compose(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(std::move(message)) {}

}  // namespace yidi::io
