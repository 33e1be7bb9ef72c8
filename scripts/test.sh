#!/usr/bin/env bash
# Set-up command 2: installs what is missing, builds, and runs every test — once in the release
# build, once more under AddressSanitizer + UndefinedBehaviorSanitizer, once more built with clang
# 14 (-Werror in every build), then the libFuzzer targets of fuzz/ for a short fixed time each
# (CTest label fuzz, YIDI_FUZZ_SECONDS seconds a target, 30 by default). The notebooks (label
# notebooks) run in the release and clang passes only: under the sanitizers they take four minutes
# to check Python and figure code the release pass already checks, on the same C++ code the other
# sanitizer tests drive.
# YIDI_SKIP_SANITIZERS=1, YIDI_SKIP_CLANG=1 and YIDI_SKIP_FUZZ=1 leave out a pass.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-python-package.sh
JOBS=${JOBS:-$(nproc)}

cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
ctest --preset release -j "$JOBS"

if [ "${YIDI_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake --preset sanitizers >/dev/null
  cmake --build --preset sanitizers -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset sanitizers -j "$JOBS"
fi

if [ "${YIDI_SKIP_CLANG:-0}" != "1" ]; then
  cmake --preset clang >/dev/null
  cmake --build --preset clang -j "$JOBS"
  ctest --preset clang -j "$JOBS"
fi

if [ "${YIDI_SKIP_FUZZ:-0}" != "1" ]; then
  cmake --preset fuzz -DYIDI_FUZZ_SECONDS="${YIDI_FUZZ_SECONDS:-30}" >/dev/null
  cmake --build --preset fuzz -j "$JOBS"
  ctest --preset fuzz -j "$JOBS"
fi
