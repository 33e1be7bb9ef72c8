#pragma once
// What every fuzz target shares: the input as text, and the one rule for outcomes — the documented
// error types are expected; anything else that escapes (another exception type, or an error that
// does not name the file it is about) is a finding, reported and turned into a crash so libFuzzer
// saves the input. Crashes, sanitizer reports, hangs (-timeout) and memory (-rss_limit_mb) are
// caught by libFuzzer itself.
#include <cxxabi.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "models/parameters.hpp"
#include "sim/io/input_error.hpp"

namespace yidi::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n==yidi-fuzz== FINDING: %s: %s\n", what, detail.c_str());
  std::abort();
}

/// The type of an exception, readable ("YAML::BadSubscript").
inline std::string type_name(const std::exception& e) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string out = status == 0 && name ? name : typeid(e).name();
  std::free(name);
  return out;
}

/// An InputError must name the file it is about (the message starts with it, as
/// "FILE:LINE:COL: ...").
inline void check_names_file(const io::InputError& e, const std::string& file) {
  if (e.where().file != file || std::string_view(e.what()).substr(0, file.size()) != file)
    finding("InputError does not name the input file", e.what());
}

/// Runs `body`; InputError (naming `file`) is an expected outcome, and so is PolicyError when
/// `policy_error_ok`; any other exception is a finding.
template <class F>
void expect_only_input_errors(const std::string& file, bool policy_error_ok, F&& body) {
  try {
    body();
  } catch (const io::InputError& e) {
    check_names_file(e, file);
  } catch (const PolicyError& e) {
    if (!policy_error_ok) finding("undocumented PolicyError", e.what());
  } catch (const std::exception& e) {
    finding(("undocumented exception " + type_name(e)).c_str(), e.what());
  } catch (...) {
    finding("undocumented exception", "(not a std::exception)");
  }
}

}  // namespace yidi::fuzz
