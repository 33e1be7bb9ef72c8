#!/usr/bin/env bash
# One fuzz test (CTest label fuzz): replays every saved reproducer of REGRESSIONS, then fuzzes for
# SECONDS from CORPUS, with new inputs and any reproducer written under WORK (the build folder).
# Fails on any finding: an undocumented exception, a crash, a sanitizer report, an input taking
# more than TIMEOUT seconds, or more than RSS_MB of memory.
# usage: run-fuzzer.sh FUZZER DICT SECONDS TIMEOUT RSS_MB CORPUS REGRESSIONS WORK
set -uo pipefail
fuzzer=$1 dict=$2 seconds=$3 timeout=$4 rss=$5 corpus=$6 regressions=$7 work=$8
name=$(basename "$fuzzer")
limits=(-timeout="$timeout" -rss_limit_mb="$rss" -malloc_limit_mb="$rss")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

mkdir -p "$(dirname "$work")"
# Files directly in REGRESSIONS only: a subfolder (open/) holds reproducers of findings not yet fixed.
mapfile -t saved < <(find "$regressions" -maxdepth 1 -type f 2>/dev/null | sort)
if [ ${#saved[@]} -gt 0 ]; then
  echo "$name: replaying ${#saved[@]} saved reproducers of $regressions"
  if ! "$fuzzer" "${limits[@]}" "${saved[@]}" >"$work.replay.log" 2>&1; then
    tail -n 60 "$work.replay.log"
    echo "$name: FAILED: a saved reproducer of $regressions fails again (full log: $work.replay.log)"
    exit 1
  fi
fi

rm -rf "$work" && mkdir -p "$work/new" "$work/artifacts"
echo "$name: fuzzing for ${seconds}s from $corpus"
if ! "$fuzzer" "${limits[@]}" -max_total_time="$seconds" -dict="$dict" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/new" "$corpus" >"$work/fuzz.log" 2>&1; then
  tail -n 80 "$work/fuzz.log"
  echo "$name: FAILED: finding; reproducer(s):"
  ls -1 "$work/artifacts/"* 2>/dev/null
  echo "save it as $regressions/NAME (it is then replayed by this test) and report it"
  exit 1
fi
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$work/fuzz.log"
echo "$name: no finding in ${seconds}s"
