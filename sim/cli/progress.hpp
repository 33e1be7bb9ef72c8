#pragma once
// Progress of a long command: on a terminal one line rewritten in place; otherwise (a log, a pipe,
// a batch job) a line every YIDI_PROGRESS_SECONDS seconds (10 by default), each with the
// percentage done, the elapsed time and the time left. --quiet silences both.
#include <chrono>
#include <string>

namespace yidi::cli {

class ProgressReporter {
public:
  /// `command` starts each logged line ("yidi run"); `enabled` false (--quiet, or not the lead rank) prints nothing.
  ProgressReporter(std::string command, bool enabled);
  /// `fraction` of the work done (0 to 1), `what` names where it is ("month 2024-03, 27/64").
  void update(double fraction, const std::string& what);
  /// Ends the terminal line (a newline) if one was drawn.
  void finish();
  bool tty() const { return tty_; }

private:
  std::string command_;
  bool enabled_ = true, tty_ = false, drawn_ = false;
  double every_ = 10;
  std::chrono::steady_clock::time_point start_, last_;
};

/// "1m05s", "12.3s".
std::string duration_text(double seconds);

}  // namespace yidi::cli
