#include "sim/io/output.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>

#include "sim/version.hpp"

namespace yidi::io {
namespace fs = std::filesystem;

std::string os_reason(int err) { return std::error_code(err, std::generic_category()).message(); }

std::string file_name_part(std::string_view name) {
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    // Bytes of UTF-8 sequences (≥ 0x80) can never be '/' or '.': a name in Chinese stays readable.
    const bool plain = std::isalnum(u) || u >= 0x80 || c == '-' || c == '_' || c == '.';
    out += plain && !(c == '.' && out.empty()) ? c : '_';
  }
  return out.empty() ? std::string("_") : out;
}

void crash_point(std::string_view point) {
  const char* const at = std::getenv("YIDI_TEST_CRASH_AT");
  if (at != nullptr && point == at) ::kill(::getpid(), SIGKILL);
}

std::string_view to_string(OutputKind k) {
  switch (k) {
    case OutputKind::text: return "text";
    case OutputKind::html: return "report";
    case OutputKind::hdf5: return "HDF5";
    case OutputKind::checkpoint: return "checkpoint";
  }
  return "?";
}

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& message) { throw InputError({path, 0, 0}, "", message); }

/// Absolute and lexically normal, without a trailing separator ("out/" and "out" are one target).
std::string normal(const std::string& path) {
  fs::path p = fs::absolute(fs::path(path)).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}
std::string parent_of(const std::string& abs) {
  const auto slash = abs.rfind('/');
  return slash == 0 ? std::string("/") : abs.substr(0, slash);
}
std::string name_of(const std::string& abs) { return abs.substr(abs.rfind('/') + 1); }

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "host";
  std::string out;
  for (const char* c = buf; *c; ++c) out += (std::isalnum(static_cast<unsigned char>(*c)) || *c == '-') ? *c : '_';
  return out.empty() ? "host" : out;
}
const std::string& this_host() {
  static const std::string h = host_name();
  return h;
}

bool process_alive(long pid) {
  if (pid <= 0) return true;  // not ours to judge
  if (pid == ::getpid()) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void sync_folder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

/// rename(2) that refuses an existing target atomically; 0 or an errno.
int rename_noreplace(const std::string& from, const std::string& to, bool folder) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  const int err = errno;
  if (err != EINVAL && err != ENOSYS) return err;
  // A file system without RENAME_NOREPLACE: link(2) refuses an existing name just as atomically.
  if (!folder) {
    if (::link(from.c_str(), to.c_str()) != 0) return errno;
    ::unlink(from.c_str());
    return 0;
  }
  struct stat st {};
  if (::lstat(to.c_str(), &st) == 0) return EEXIST;
  return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

// ---- temporaries removed on SIGINT, SIGTERM and SIGHUP -----------------------------------------

constexpr std::size_t kSlots = 64;
constexpr std::size_t kPathMax = 4096;
struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 a file, 3 a folder
  std::array<char, kPathMax> path{};
};
std::array<Slot, kSlots> g_slots;

void on_signal(int sig) {
  // Files first (in reverse order of creation), then folders, which are then empty.
  for (std::size_t i = kSlots; i-- > 0;)
    if (g_slots[i].state.load() == 2) ::unlink(g_slots[i].path.data());
  for (std::size_t i = kSlots; i-- > 0;)
    if (g_slots[i].state.load() == 3) ::rmdir(g_slots[i].path.data());
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static std::atomic<bool> done{false};
  if (done.exchange(true)) return;
  // With SIGXFSZ ignored, a file-size limit (ulimit -f) is an EFBIG error that names the file.
  ::signal(SIGXFSZ, SIG_IGN);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;  // someone else's
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

/// Registers a temporary for removal on a signal; returns its slot or -1 (then only a later run removes it).
int remember(const std::string& path, bool folder) {
  install_handlers();
  if (path.size() >= kPathMax) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (!g_slots[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(g_slots[i].path.data(), path.c_str(), path.size() + 1);
    g_slots[i].state.store(folder ? 3 : 2);
    return static_cast<int>(i);
  }
  return -1;
}
void forget(int slot) {
  if (slot >= 0) g_slots[static_cast<std::size_t>(slot)].state.store(0);
}

std::string read_prefix(const std::string& path, std::size_t n) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out.data() + got, n - got);
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

/// The marker's content: what wrote the folder and the files it holds.
std::string marker_text(const std::string& what, const std::vector<std::string>& files) {
  std::string out = std::string("# yidi ") + kVersion + " output folder: " + what +
                    "\n# yidi replaces this folder (--overwrite) only while it holds nothing but these files:\n";
  for (const auto& f : files) out += f + "\n";
  return out;
}

/// The files a marker lists, or nullopt if `dir` has no readable marker.
std::optional<std::vector<std::string>> marker_files(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kFolderMarker);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const std::string text = read_prefix(path, 1 << 20);
  if (!text.starts_with("# yidi ")) return std::nullopt;
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    const std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!line.empty() && line.front() != '#') out.push_back(line);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string temporary_name(const std::string& path, std::string_view tag) {
  static std::atomic<unsigned> sequence{0};
  const std::string abs = normal(path);
  return parent_of(abs) + "/." + name_of(abs) + ".yidi-" + std::string(tag) + "-" + this_host() + "-" +
         std::to_string(::getpid()) + "-" + std::to_string(sequence++);
}

int remove_stale_temporaries(const std::string& path) {
  const std::string abs = normal(path);
  const std::string dir = parent_of(abs), name = name_of(abs);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  std::vector<std::string> stale;
  const std::string ours = "." + name + ".yidi-";
  while (const dirent* e = ::readdir(d)) {
    const std::string_view f = e->d_name;
    long pid = -1;
    if (f.starts_with(ours)) {
      // .NAME.yidi-{tmp,old}-HOST-PID-SEQ, of this machine only (another's processes are not ours to see).
      std::string_view rest = f.substr(ours.size());
      if (!rest.starts_with("tmp-") && !rest.starts_with("old-")) continue;
      rest.remove_prefix(4);
      if (!rest.starts_with(this_host() + "-")) continue;
      rest.remove_prefix(this_host().size() + 1);
      const auto dash = rest.find('-');
      if (dash == std::string_view::npos || !all_digits(rest.substr(0, dash)) || !all_digits(rest.substr(dash + 1)))
        continue;
      pid = std::strtol(std::string(rest.substr(0, dash)).c_str(), nullptr, 10);
    } else if (f.starts_with(name + ".tmp-") && all_digits(f.substr(name.size() + 5))) {
      pid = std::strtol(std::string(f.substr(name.size() + 5)).c_str(), nullptr, 10);  // yidi 0.1's NAME.tmp-PID
    } else if (f.starts_with("." + name + ".tmp") && all_digits(f.substr(name.size() + 5))) {
      pid = std::strtol(std::string(f.substr(name.size() + 5)).c_str(), nullptr, 10);  // yidi 0.1's .NAME.tmpPID
    } else {
      continue;
    }
    if (!process_alive(pid)) stale.emplace_back(f);
  }
  ::closedir(d);
  int removed = 0;
  for (const auto& f : stale) {
    const std::string p = dir + "/" + f;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    std::error_code ec;
    if (S_ISDIR(st.st_mode)) {
      if (!marker_files(p)) continue;  // a folder is removed only if it is one of yidi's own
      fs::remove_all(p, ec);
    } else {
      fs::remove(p, ec);
    }
    if (!ec) ++removed;
  }
  return removed;
}

// ---- inputs --------------------------------------------------------------------------------------

void InputFiles::add(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return;
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  ids_.push_back(Id{st.st_dev, st.st_ino, path, ec ? normal(path) : canonical.string()});
}

void InputFiles::check_not_input(const std::string& output, bool folder) const {
  struct stat st {};
  if (::stat(output.c_str(), &st) != 0) return;  // what does not exist is no input
  for (const auto& id : ids_)
    if (id.dev == st.st_dev && id.ino == st.st_ino)
      fail(output, "is an input of this command (" + id.path + "); choose another output");
  if (!folder) return;
  std::error_code ec;
  const std::string dir = fs::canonical(output, ec).string();
  if (ec) return;
  for (const auto& id : ids_)
    if (id.canonical.starts_with(dir + "/") || dir == "/")
      fail(output, "holds an input of this command (" + id.path + "); choose another output folder");
}

// ---- recognising yidi's own outputs ----------------------------------------------------------------

bool is_own_output(const std::string& path, OutputKind kind) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  switch (kind) {
    case OutputKind::text: {
      // "# yidi …" provenance lines, or a spreadsheet-clean table whose first column is
      // yidi_version (yidi prepay), after a UTF-8 byte-order mark or not
      const std::string head = read_prefix(path, 16);
      return head.starts_with("# yidi ") || head.starts_with("yidi_version,") || head.starts_with("\xEF\xBB\xBFyidi_version,");
    }
    case OutputKind::checkpoint: return read_prefix(path, 7) == "YIDICKP";
    case OutputKind::html:
      return read_prefix(path, 4096).find("<meta name=\"generator\" content=\"yidi ") != std::string::npos;
    case OutputKind::hdf5: {
      const std::string head = read_prefix(path, 64 << 10);
      return head.starts_with("\x89HDF\r\n\x1a\n") && head.find("yidi_version") != std::string::npos;
    }
  }
  return false;
}

// ---- FileWriter -------------------------------------------------------------------------------------

FileWriter::FileWriter(const std::string& path, std::string shown_as, std::string what)
    : shown_(std::move(shown_as)), what_(std::move(what)) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    const int err = errno;
    fail("cannot create the " + what_ + " (" + path + ")", err);
  }
  buffer_.reserve(1 << 20);
}

FileWriter::FileWriter(FileWriter&& o) noexcept
    : fd_(o.fd_), shown_(std::move(o.shown_)), what_(std::move(o.what_)), buffer_(std::move(o.buffer_)), written_(o.written_) {
  o.fd_ = -1;
}

FileWriter& FileWriter::operator=(FileWriter&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    shown_ = std::move(o.shown_);
    what_ = std::move(o.what_);
    buffer_ = std::move(o.buffer_);
    written_ = o.written_;
    o.fd_ = -1;
  }
  return *this;
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void FileWriter::fail(const std::string& doing, int err) const {
  throw InputError({shown_, 0, 0}, "", doing + ": " + os_reason(err));
}

void FileWriter::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("FileWriter::write on a closed file");
  if (buffer_.size() + bytes.size() > (1u << 20)) flush();
  // Large blocks (a checkpoint's agents, gigabytes at full scale) go to the file as they are, never copied.
  if (bytes.size() >= (1u << 20)) return write_through(bytes);
  buffer_.append(bytes);
}

void FileWriter::write_through(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::size_t want = std::min<std::size_t>(bytes.size() - done, std::size_t{1} << 30);
    const ssize_t w = ::write(fd_, bytes.data() + done, want);
    if (w < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      fail("cannot write the " + what_, err);
    }
    done += static_cast<std::size_t>(w);
  }
  written_ += done;
}

void FileWriter::flush() {
  try {
    write_through(buffer_);
  } catch (...) {
    buffer_.clear();
    throw;
  }
  buffer_.clear();
}

void FileWriter::close() {
  if (fd_ < 0) return;
  flush();
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
    const int err = errno;
    fail("cannot write the " + what_ + " to disk", err);
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int err = errno;
    fail("cannot write the " + what_, err);
  }
}

// ---- OutputFile -----------------------------------------------------------------------------------

OutputFile::OutputFile(const std::string& target, std::string what, OutputKind kind, bool overwrite,
                       const InputFiles& inputs)
    : target_(target), what_(std::move(what)), kind_(kind), overwrite_(overwrite), inputs_(inputs) {
  if (target_.empty()) fail("-o", "expected a path for the " + what_);
  absolute_ = normal(target_);
  struct stat st {};
  if (::stat(absolute_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    fail(target_, "is a folder; expected a file name for the " + what_);
  inputs_.check_not_input(target_, false);
  check_replaceable();
  const std::string dir = parent_of(absolute_);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(target_, "cannot create its folder " + dir + ": " + ec.message());
  remove_stale_temporaries(absolute_);
  temp_ = temporary_name(absolute_);
  slot_ = remember(temp_, false);
  try {
    writer_ = FileWriter(temp_, target_, what_);
  } catch (...) {
    forget(slot_);
    throw;
  }
}

OutputFile::~OutputFile() {
  if (committed_) return;
  writer_ = FileWriter();  // closes the handle, if still open
  ::unlink(temp_.c_str());
  forget(slot_);
}

void OutputFile::check_replaceable(bool at_commit) const {
  struct stat st {};
  if (::lstat(absolute_.c_str(), &st) != 0) return;
  if (S_ISLNK(st.st_mode))
    fail(target_, "is a symbolic link; yidi does not replace links (name the file itself, or another output)");
  if (S_ISDIR(st.st_mode)) fail(target_, "is a folder; expected a file name for the " + what_);
  if (!overwrite_ && at_commit)
    fail(target_, "exists: it appeared while this command ran (another job writing the same output?); "
                  "nothing was replaced; choose another output or pass --overwrite");
  if (!overwrite_) fail(target_, "exists; choose another output or pass --overwrite");
  if (!S_ISREG(st.st_mode) || !is_own_output(absolute_, kind_))
    fail(target_, "exists and is not a yidi " + std::string(to_string(kind_)) +
                      " output; yidi replaces only its own outputs (choose another output)");
}

void OutputFile::hand_over() { writer_.close(); }

void OutputFile::finish() {
  if (finished_) return;
  if (writer_.is_open()) {
    writer_.close();
  } else {
    // Written by name (HDF5): synced here.
    const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      fail(target_, "cannot reopen the finished " + what_ + " (" + temp_ + "): " + os_reason(err));
    }
    const int r = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (r != 0 && err != EINVAL && err != EROFS) fail(target_, "cannot write the " + what_ + " to disk: " + os_reason(err));
  }
  finished_ = true;
}

void OutputFile::commit() {
  if (committed_) return;
  finish();
  crash_point("before-commit");
  struct stat st {};
  int err = 0;
  if (overwrite_ && ::lstat(absolute_.c_str(), &st) == 0) {
    check_replaceable();
    err = ::rename(temp_.c_str(), absolute_.c_str()) == 0 ? 0 : errno;
  } else {
    err = rename_noreplace(temp_, absolute_, false);
    if (err == EEXIST)
      fail(target_, "exists: it appeared while this command ran (another job writing the same output?); "
                    "nothing was replaced; choose another output or pass --overwrite");
  }
  if (err != 0) fail(target_, "cannot put the finished " + what_ + " in place: " + os_reason(err));
  sync_folder(parent_of(absolute_));
  forget(slot_);
  committed_ = true;
}

void commit_together(OutputFile& primary, std::initializer_list<OutputFile*> others) {
  std::vector<OutputFile*> order(others.begin(), others.end());  // secondaries first, the primary last
  order.push_back(&primary);
  for (OutputFile* f : order) f->finish();
  for (OutputFile* f : order) f->check_replaceable(true);
  // Move every existing target aside, the primary first: from now on no old primary is visible.
  std::vector<std::pair<OutputFile*, std::string>> aside;
  auto restore = [&] {
    for (auto it = aside.rbegin(); it != aside.rend(); ++it) (void)rename_noreplace(it->second, it->first->absolute_, false);
  };
  std::vector<OutputFile*> moving{&primary};
  moving.insert(moving.end(), others.begin(), others.end());
  for (OutputFile* f : moving) {
    struct stat st {};
    if (::lstat(f->absolute_.c_str(), &st) != 0) continue;
    const std::string old = temporary_name(f->absolute_, "old");
    if (::rename(f->absolute_.c_str(), old.c_str()) != 0) {
      const int err = errno;
      restore();
      fail(f->target_, "cannot move the old " + f->what_ + " aside to replace it: " + os_reason(err));
    }
    aside.emplace_back(f, old);
    crash_point("after-aside");
  }
  std::vector<OutputFile*> placed;
  for (OutputFile* f : order) {
    const int err = rename_noreplace(f->temp_, f->absolute_, false);
    if (err != 0) {
      for (OutputFile* p : placed) (void)::rename(p->absolute_.c_str(), p->temp_.c_str());
      restore();
      if (err == EEXIST)
        fail(f->target_, "exists: it appeared while this command ran (another job writing the same output?); "
                         "nothing was replaced; choose another output or pass --overwrite");
      fail(f->target_, "cannot put the finished " + f->what_ + " in place: " + os_reason(err));
    }
    placed.push_back(f);
    crash_point("after-place");
  }
  for (const auto& [f, old] : aside) ::unlink(old.c_str());
  for (OutputFile* f : order) {
    sync_folder(parent_of(f->absolute_));
    forget(f->slot_);
    f->committed_ = true;
  }
}

// ---- OutputFolder -----------------------------------------------------------------------------------

OutputFolder::OutputFolder(const std::string& target, std::string what, bool overwrite, const InputFiles& inputs)
    : target_(target), what_(std::move(what)), overwrite_(overwrite), inputs_(inputs) {
  if (target_.empty()) fail("-o", "expected a folder for the " + what_);
  absolute_ = normal(target_);
  if (absolute_ == "/") fail(target_, "is the root folder; choose another output folder");
  inputs_.check_not_input(target_, true);
  check_replaceable();
  const std::string dir = parent_of(absolute_);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(target_, "cannot create its folder " + dir + ": " + ec.message());
  remove_stale_temporaries(absolute_);
  temp_ = temporary_name(absolute_);
  if (::mkdir(temp_.c_str(), 0777) != 0) {
    const int err = errno;
    fail(target_, "cannot create the " + what_ + " beside it (" + temp_ + "): " + os_reason(err));
  }
  slots_.push_back(remember(temp_, true));
  // The marker goes in first, so that a folder left by a crash is recognisably yidi's own.
  FileWriter marker(temp_ + "/" + std::string(kFolderMarker), target_ + "/" + std::string(kFolderMarker), "folder marker");
  slots_.push_back(remember(temp_ + "/" + std::string(kFolderMarker), false));
  marker.write(marker_text(what_, {}));
  marker.close();
}

OutputFolder::~OutputFolder() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);  // ours: created by this command
  for (int s : slots_) forget(s);
}

void OutputFolder::check_replaceable(bool at_commit) const {
  struct stat st {};
  if (::lstat(absolute_.c_str(), &st) != 0) return;
  if (S_ISLNK(st.st_mode))
    fail(target_, "is a symbolic link; yidi does not replace links (name the folder itself, or another output)");
  if (!S_ISDIR(st.st_mode)) fail(target_, "exists and is not a folder; expected a folder for the " + what_);
  if (!overwrite_ && at_commit)
    fail(target_, "exists: it appeared while this command ran (another job writing the same output?); "
                  "nothing was replaced; choose another output folder or pass --overwrite");
  if (!overwrite_) fail(target_, "exists; choose another output folder or pass --overwrite");
  const auto listed = marker_files(absolute_);
  if (!listed)
    fail(target_, "is not a yidi output folder (it has no " + std::string(kFolderMarker) +
                      " marker); yidi replaces only its own output folders");
  for (const auto& e : fs::directory_iterator(absolute_)) {
    const std::string name = e.path().filename().string();
    if (name == kFolderMarker) continue;
    const bool ours = std::find(listed->begin(), listed->end(), name) != listed->end();
    if (!ours || !e.is_regular_file() || e.is_symlink())
      fail(target_, "holds " + name + ", which yidi did not write there; yidi replaces only a folder holding "
                    "nothing but its own output (move the file, or choose another output folder)");
  }
}

FileWriter OutputFolder::create(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == kFolderMarker || name.starts_with("."))
    throw std::invalid_argument("OutputFolder::create: bad file name '" + name + "'");
  files_.push_back(name);
  slots_.push_back(remember(temp_ + "/" + name, false));
  return FileWriter(temp_ + "/" + name, target_ + "/" + name, what_ + " file " + name);
}

void OutputFolder::commit() {
  if (committed_) return;
  {
    const std::string marker = temp_ + "/" + std::string(kFolderMarker);
    const std::string next = marker + ".new";
    FileWriter w(next, target_ + "/" + std::string(kFolderMarker), "folder marker");
    w.write(marker_text(what_, files_));
    w.close();
    if (::rename(next.c_str(), marker.c_str()) != 0) {
      const int err = errno;
      fail(target_, "cannot write its marker: " + os_reason(err));
    }
  }
  sync_folder(temp_);
  crash_point("before-commit");
  struct stat st {};
  std::string old;
  if (::lstat(absolute_.c_str(), &st) == 0) {
    check_replaceable(true);  // again, now: it may have changed while this command ran
    old = temporary_name(absolute_, "old");
    if (::rename(absolute_.c_str(), old.c_str()) != 0) {
      const int err = errno;
      fail(target_, "cannot move the old " + what_ + " aside to replace it: " + os_reason(err));
    }
    crash_point("after-aside");
  }
  const int err = rename_noreplace(temp_, absolute_, true);
  if (err != 0) {
    if (!old.empty()) (void)rename_noreplace(old, absolute_, true);
    if (err == EEXIST || err == ENOTEMPTY)
      fail(target_, "exists: it appeared while this command ran (another job writing the same output?); "
                    "nothing was replaced; choose another output folder or pass --overwrite");
    fail(target_, "cannot put the finished " + what_ + " in place: " + os_reason(err));
  }
  if (!old.empty()) {
    std::error_code ec;
    fs::remove_all(old, ec);  // checked above: yidi's marker, nothing but its files
  }
  sync_folder(parent_of(absolute_));
  for (int s : slots_) forget(s);
  committed_ = true;
}

// ---- folders added to over several runs -------------------------------------------------------------

std::string open_output_folder(const std::string& path, const std::string& what, const InputFiles& inputs) {
  if (path.empty()) fail("-o", "expected a folder for the " + what);
  const std::string abs = normal(path);
  inputs.check_not_input(path, false);
  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0) {
    std::error_code ec;
    fs::create_directories(parent_of(abs), ec);
    if (ec) fail(path, "cannot create its folder " + parent_of(abs) + ": " + ec.message());
    if (::mkdir(abs.c_str(), 0777) != 0 && errno != EEXIST) {
      const int err = errno;
      fail(path, "cannot create the " + what + ": " + os_reason(err));
    }
    if (::stat(abs.c_str(), &st) != 0) {
      const int err = errno;
      fail(path, "cannot open the " + what + ": " + os_reason(err));
    }
  }
  if (!S_ISDIR(st.st_mode)) fail(path, "exists and is not a folder; expected a folder for the " + what);
  if (marker_files(abs)) return abs;
  // Without the marker: an empty folder becomes one of yidi's; a folder of earlier yidi outputs too.
  for (const auto& e : fs::directory_iterator(abs)) {
    const std::string p = e.path().string();
    const bool own = is_own_output(p, OutputKind::checkpoint) || is_own_output(p, OutputKind::hdf5) ||
                     is_own_output(p, OutputKind::text);
    if (!own)
      fail(path, "exists and is not a yidi output folder (it has no " + std::string(kFolderMarker) + " marker and holds " +
                     e.path().filename().string() + "); choose another folder");
  }
  const std::string marker = abs + "/" + std::string(kFolderMarker);
  const std::string tmp = temporary_name(marker);
  {
    FileWriter w(tmp, path + "/" + std::string(kFolderMarker), "folder marker");
    w.write(std::string("# yidi ") + kVersion + " output folder: " + what +
            "\n# yidi writes its outputs here and replaces only its own\n");
    w.close();
  }
  const int err = rename_noreplace(tmp, marker, false);
  ::unlink(tmp.c_str());
  if (err != 0 && err != EEXIST) fail(path, "cannot write its marker: " + os_reason(err));
  return abs;
}

}  // namespace yidi::io
