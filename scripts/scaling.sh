#!/usr/bin/env bash
# Strong and weak scaling of `mpirun -np K yidi run` on this machine (docs/scaling.md).
#   strong: the same population (1:SCALE) on 1 and 2 ranks;
#   weak:   1 rank at 1:2×SCALE, 2 ranks at 1:SCALE (the same agents per rank).
# One thread per rank, so ranks are the only parallelism; a threads-only run is printed beside.
# Usage: scripts/scaling.sh [SCALE=200] [MONTHS=12]   (needs a release build: cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-200}
MONTHS=${2:-12}
YIDI=./build/release/sim/yidi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Wall seconds of one command, as yidi reports them ("... months in S s").
seconds() { "$@" 2>&1 | sed -n 's/.* months in \([0-9.e+-]*\) s.*/\1/p'; }
run() {  # ranks threads scale
  local k=$1 t=$2 s=$3
  if [ "$k" -eq 1 ] && [ "$t" -gt 1 ]; then
    seconds "$YIDI" run baseline --scale "1:$s" --months "$MONTHS" --threads "$t" -o "$out/r.h5" --overwrite
  else
    seconds mpirun --oversubscribe -np "$k" "$YIDI" run baseline --scale "1:$s" --months "$MONTHS" --threads "$t" \
      -o "$out/r.h5" --overwrite
  fi
}

echo "# yidi scaling: baseline, $MONTHS months, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
strong1=$(run 1 1 "$SCALE"); strong2=$(run 2 1 "$SCALE"); threads2=$(run 1 2 "$SCALE")
weak1=$(run 1 1 $((SCALE * 2))); weak2=$(run 2 1 "$SCALE")
awk -v s1="$strong1" -v s2="$strong2" -v t2="$threads2" -v w1="$weak1" -v w2="$weak2" -v sc="$SCALE" 'BEGIN {
  printf "| run | population | ranks × threads | seconds | speed-up | efficiency |\n|---|---|---|---|---|---|\n"
  printf "| strong | 1:%d | 1 × 1 | %.2f | 1.00 | 1.00 |\n", sc, s1
  printf "| strong | 1:%d | 2 × 1 | %.2f | %.2f | %.2f |\n", sc, s2, s1 / s2, s1 / s2 / 2
  printf "| threads only | 1:%d | 1 × 2 | %.2f | %.2f | %.2f |\n", sc, t2, s1 / t2, s1 / t2 / 2
  printf "| weak | 1:%d | 1 × 1 | %.2f | | 1.00 |\n", sc * 2, w1
  printf "| weak | 1:%d | 2 × 1 | %.2f | | %.2f |\n", sc, w2, w1 / w2
}'
