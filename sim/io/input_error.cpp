#include "sim/io/input_error.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace yidi::io {

std::string read_text_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, 0}, "", "cannot open the " + what + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw InputError({path, 0, 0}, "", "cannot read the " + what);
  return s.str();
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
