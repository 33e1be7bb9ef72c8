#include "sim/cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace yidi::cli {

std::string duration_text(double s) {
  char b[32];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) std::snprintf(b, sizeof b, "%.1fs", s);
  else if (s < 3600) std::snprintf(b, sizeof b, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else std::snprintf(b, sizeof b, "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
  return b;
}

ProgressReporter::ProgressReporter(std::string command, bool enabled)
    : command_(std::move(command)), enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0) {
  if (const char* e = std::getenv("YIDI_PROGRESS_SECONDS")) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (end != e && *end == 0 && v >= 0 && std::isfinite(v)) every_ = v;
  }
  start_ = last_ = std::chrono::steady_clock::now();
}

void ProgressReporter::update(double fraction, const std::string& what) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double el = std::chrono::duration<double>(now - start_).count();
  const double f = std::min(1.0, std::max(0.0, fraction));
  const double eta = f > 0 ? el * (1 - f) / f : NAN;
  char line[256];
  std::snprintf(line, sizeof line, "%3.0f%% (%s), elapsed %s, ETA %s", 100 * f, what.c_str(), duration_text(el).c_str(),
                f > 0 ? duration_text(eta).c_str() : "?");
  if (tty_) {
    std::fprintf(stderr, "\r%s: %-90s", command_.c_str(), line);
    drawn_ = true;
    return;
  }
  // A line once every `every_` seconds: a command shorter than that logs none (it ends with its own
  // summary line anyway).
  if (std::chrono::duration<double>(now - last_).count() < every_) return;
  std::fprintf(stderr, "%s: %s\n", command_.c_str(), line);
  last_ = now;
}

void ProgressReporter::finish() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace yidi::cli
