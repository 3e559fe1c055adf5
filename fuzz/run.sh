#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs
# each for N seconds (default 60), one after the other, starting from its
# committed corpus in fuzz/corpus/<name>/. New inputs go to
# build-fuzz/corpus/<name>/, crashes to build-fuzz/crashes/<name>/. Prints the
# executions of each run and exits non-zero if any fuzzer found something.
#
#   fuzz/run.sh [seconds] [fuzzer...]    # fuzzers: router json_decode handler
set -uo pipefail

seconds=${1:-60}
shift || true
fuzzers=("$@")
if [ ${#fuzzers[@]} -eq 0 ]; then fuzzers=(router json_decode handler); fi

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
cd "$root"

# The outer configure is the normal one; its allot_fuzzers target is the
# nested clang build (fuzz/CMakeLists.txt), so the flags live in one place.
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
fi
cmake --build "$build" --target allot_fuzzers -j "${JOBS:-2}" || exit 1

status=0
for name in "${fuzzers[@]}"; do
  binary=$build/fuzz-build/fuzz/${name}_fuzzer
  corpus=$build/corpus/$name
  crashes=$build/crashes/$name
  mkdir -p "$corpus" "$crashes"
  log=$build/fuzz-$name.log
  echo "== $name: ${seconds}s"
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" "$root/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9/]+[a-zA-Z]*')
  if [ $rc -eq 0 ]; then
    echo "   ${execs:-?} executions, $cov, no findings"
  else
    status=1
    echo "   FOUND something (exit $rc) after ${execs:-?} executions; log: $log"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/   /'
  fi
done
exit $status
