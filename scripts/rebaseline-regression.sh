#!/usr/bin/env bash
# Regenerates tests/regression/baseline.txt, the regression tier's hashes (CTest label `regression`),
# from the current build. Run it only when an output change is intended, and commit the new baseline
# in a commit whose message says which outputs changed and why.
#   scripts/rebaseline-regression.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
cmake --build "$build" -j2 --target yidi test_regression
YIDI_REGRESSION_WRITE="$root/tests/regression/baseline.txt" "$build/tests/test_regression"
cd "$root"
if ! git ls-files --error-unmatch tests/regression/baseline.txt > /dev/null 2>&1; then
  echo "rebaseline-regression: tests/regression/baseline.txt written (new, $(grep -vc '^#' tests/regression/baseline.txt) hashes)"
elif git diff --quiet -- tests/regression/baseline.txt; then
  echo "rebaseline-regression: tests/regression/baseline.txt unchanged"
else
  echo "rebaseline-regression: tests/regression/baseline.txt changed:"
  git --no-pager diff --stat -- tests/regression/baseline.txt
  git --no-pager diff -U0 -- tests/regression/baseline.txt | grep '^[-+][^-+]' | awk '{print $1" "$2}' | sort -u
  echo "commit it with a message saying why these outputs changed"
fi
