#!/usr/bin/env bash
# Set-up command 2: installs what is missing, builds, and runs every test — once in the release
# build, and once more under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
JOBS=${JOBS:-$(nproc)}

cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
ctest --preset release -j "$JOBS"

if [ "${YIDI_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake --preset sanitizers >/dev/null
  cmake --build --preset sanitizers -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset sanitizers -j "$JOBS"
fi
