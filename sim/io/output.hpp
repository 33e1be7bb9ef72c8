#pragma once
// Outputs that never destroy a user's file (docs/outputs.md). Every output is written under a
// temporary name beside its target and put in place only when complete:
//  - an output is never one of the command's inputs (however it is named: the same file by device
//    and inode), nor a folder holding one;
//  - an existing target is replaced only with --overwrite, and only if it is yidi's own output of
//    the same kind (OutputKind); without --overwrite the rename itself refuses an existing target
//    (renameat2 RENAME_NOREPLACE), so of two jobs writing one path only one can succeed;
//  - the temporary is created when the output is opened, before the work, so an unwritable folder
//    is found at once; it is removed when the command fails or is interrupted (SIGINT, SIGTERM,
//    SIGHUP), and any later yidi writing the same target removes those of processes that died;
//  - outputs of one command that belong together (results and rejects) are put in place together
//    (commit_together): never a new file beside an old partner;
//  - every I/O error names the path and the operating system's reason.
#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sim/io/input_error.hpp"

namespace yidi::io {

/// The files a command reads. An output that is one of them, or a folder that holds one, is refused.
class InputFiles {
public:
  /// Records a file or folder the command reads; paths that do not exist are ignored.
  void add(const std::string& path);
  /// InputError naming `output` if it is one of the inputs or, for a folder, holds one.
  void check_not_input(const std::string& output, bool folder) const;

private:
  struct Id {
    dev_t dev = 0;
    ino_t ino = 0;
    std::string path;       // as named
    std::string canonical;  // absolute, symbolic links resolved
  };
  std::vector<Id> ids_;
};

/// What an output is, which decides how yidi recognises an earlier output of its own (the only
/// kind of existing file --overwrite replaces).
enum class OutputKind : std::uint8_t {
  text,        // CSV or text whose first line starts with "# yidi ", or a table whose first column is yidi_version
  html,        // a report: <meta name="generator" content="yidi ..."> near the start
  hdf5,        // an HDF5 file with the root attribute yidi_version (its name within the first 64 KiB)
  checkpoint,  // a checkpoint: starts with the magic "YIDICKP"
};
std::string_view to_string(OutputKind);

/// Whether `path` is an existing regular file that yidi wrote as `kind`.
bool is_own_output(const std::string& path, OutputKind kind);

/// A buffered writer on a file descriptor whose errors name the file and the OS reason.
class FileWriter {
public:
  FileWriter() = default;
  /// Creates `path` (O_EXCL: it must not exist) for writing.
  FileWriter(const std::string& path, std::string shown_as, std::string what);
  FileWriter(FileWriter&& o) noexcept;
  FileWriter& operator=(FileWriter&& o) noexcept;
  ~FileWriter();
  void write(std::string_view bytes);
  FileWriter& operator<<(std::string_view bytes) {
    write(bytes);
    return *this;
  }
  /// Flushes, syncs to disk and closes; InputError on failure.
  void close();
  bool is_open() const { return fd_ >= 0; }
  std::uint64_t bytes_written() const { return written_; }

private:
  void flush();
  void write_through(std::string_view bytes);
  [[noreturn]] void fail(const std::string& doing, int err) const;
  int fd_ = -1;
  std::string shown_;  // the path as shown in messages
  std::string what_;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

/// One output file in the making. The constructor checks the target (not an input; not an
/// existing file unless `overwrite` and it is yidi's own output of `kind`; not a folder or a
/// symbolic link), removes the stale temporaries of dead processes for this target, and creates
/// the temporary file. Destroyed uncommitted, it removes the temporary.
class OutputFile {
public:
  OutputFile(const std::string& target, std::string what, OutputKind kind, bool overwrite,
             const InputFiles& inputs = {});
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  const std::string& target() const { return target_; }
  /// The temporary's path, for writers that open files by name (HDF5, after hand_over()).
  const std::string& temp_path() const { return temp_; }
  void write(std::string_view bytes) { writer_.write(bytes); }
  OutputFile& operator<<(std::string_view bytes) {
    writer_.write(bytes);
    return *this;
  }
  /// Closes yidi's own handle so that a library writes the temporary by name; commit() then
  /// syncs what it wrote.
  void hand_over();
  /// Puts the finished file in place (see commit_together for several).
  void commit();
  bool committed() const { return committed_; }

private:
  friend void commit_together(OutputFile& primary, std::initializer_list<OutputFile*> others);
  void finish();
  /// `at_commit`: the target did not exist, or was replaceable, when the output was opened.
  void check_replaceable(bool at_commit = false) const;
  std::string target_;     // as the user named it
  std::string absolute_;   // absolute, lexically normal
  std::string what_;
  OutputKind kind_;
  bool overwrite_;
  InputFiles inputs_;
  std::string temp_;
  int slot_ = -1;  // in the table of temporaries removed on a signal
  FileWriter writer_;
  bool finished_ = false, committed_ = false;
};

/// Puts `primary` and `others` in place together. Every existing target is checked first; with
/// --overwrite each existing one is moved aside (the primary first) before any new file is put in
/// place, and the primary goes in last. A failure puts the old files back; an interruption between
/// the steps leaves no new file beside an old partner (at worst new secondaries without a primary).
void commit_together(OutputFile& primary, std::initializer_list<OutputFile*> others);

/// An output folder in the making (`yidi clear -o DIR`): written as a temporary folder beside the
/// target with yidi's marker file (`.yidi-output`, listing what it holds), renamed when complete.
/// --overwrite replaces only a folder with the marker that holds nothing but the files it lists.
class OutputFolder {
public:
  OutputFolder(const std::string& target, std::string what, bool overwrite, const InputFiles& inputs = {});
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;
  ~OutputFolder();
  /// Creates a file in the folder being written (recorded in the marker).
  FileWriter create(const std::string& name);
  void commit();
  const std::string& target() const { return target_; }

private:
  void check_replaceable(bool at_commit = false) const;
  std::string target_, absolute_, what_;
  bool overwrite_;
  InputFiles inputs_;
  std::string temp_;
  std::vector<std::string> files_;
  std::vector<int> slots_;
  bool committed_ = false;
};

/// A folder that outputs are added to over several runs (`yidi sweep -o DIR`, `--checkpoint DIR`):
/// created with yidi's marker if missing; an existing folder must carry the marker (or be empty).
/// Returns the folder's path.
std::string open_output_folder(const std::string& path, const std::string& what, const InputFiles& inputs = {});

/// The name of yidi's marker file in its output folders.
inline constexpr std::string_view kFolderMarker = ".yidi-output";

/// Removes the temporaries of processes on this machine that no longer run, for the target `path`
/// (called by OutputFile and OutputFolder; exposed for tests). Returns how many were removed.
int remove_stale_temporaries(const std::string& path);

/// A new temporary's name for `path` in this process: `.NAME.yidi-TAG-HOST-PID-SEQ` beside it.
std::string temporary_name(const std::string& path, std::string_view tag = "tmp");

/// `name` as one file name that stays in its folder (for default output and checkpoint names made
/// from a scenario's name): ASCII letters and digits, '-', '_', '.' and the bytes of UTF-8
/// characters are kept, anything else (a '/', a space) becomes '_', and so does a leading '.'.
std::string file_name_part(std::string_view name);

/// The reason for an errno, as strerror gives it.
std::string os_reason(int err);

/// A test hook: when the environment variable YIDI_TEST_CRASH_AT equals `point`, the process kills
/// itself with SIGKILL there (crash-consistency tests; see tests/cli/output_safety_test.cpp).
void crash_point(std::string_view point);

}  // namespace yidi::io
