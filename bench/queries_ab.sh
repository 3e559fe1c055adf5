#!/usr/bin/env bash
# Issue 13's benchmark, in one run: what the query index costs the hot path,
# and the page latencies with the hot path running.
#
#   bash bench/queries_ab.sh BASE_BUILD_DIR [NEW_BUILD_DIR]
#
# BASE_BUILD_DIR holds allot and allot-inprocess-bench built from the
# commit before the index (e.g. main); NEW_BUILD_DIR (default build/) this
# branch's, with allot-query-bench. Prints:
#   1. the in-process hot-item rate, new against base, run in turn (A B A B
#      ...) by farm-bench so that machine drift cancels pair by pair;
#   2. the HTTP hot-item rate (allot-bench, 256 connections), the two
#      servers in turn, RUNS pairs of DURATION seconds;
#   3. allot-query-bench: the page p99s.
# Env: RUNS (5), DURATION (10), HOT (1000000), WHALE (100000), PAGES (2000).
set -euo pipefail

base=${1:?usage: queries_ab.sh BASE_BUILD_DIR [NEW_BUILD_DIR]}
new=${2:-build}
runs=${RUNS:-5}
duration=${DURATION:-10}
work=$(mktemp -d /tmp/allot-queries-ab-XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

ratio_summary() {  # file of "a b" lines: prints the median of a/b and each pair
  python3 - "$1" <<'EOF'
import statistics, sys
pairs = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
ratios = [a / b for a, b in pairs]
print("  new/base per pair: " + " ".join(f"{r:.3f}" for r in ratios))
print(f"  median new {statistics.median(a for a, _ in pairs):,.0f}/s, base "
      f"{statistics.median(b for _, b in pairs):,.0f}/s, median ratio {statistics.median(ratios):.3f}")
EOF
}

echo "== 1. in-process hot item (allot-inprocess-bench, batch_max 10000), $runs pairs"
filter='--benchmark_filter=batch_max:10000'
farm-bench -n "$runs" --timeout 600 \
  --vs "sh -c 'cd $work && exec $(realpath "$base")/allot-inprocess-bench $filter >> $work/inproc-base 2>&1'" \
  -- sh -c "cd $work && exec $(realpath "$new")/allot-inprocess-bench $filter >> $work/inproc-new 2>&1" \
  > "$work/farm.txt" 2>&1 || { cat "$work/farm.txt"; exit 1; }
rate() { grep -o 'items_per_second=[0-9.]*k' "$1" | sed 's/items_per_second=//; s/k$//' | awk '{print $1 * 1000}'; }
# The first line of each file is farm-bench's warm-up run.
paste -d' ' <(rate "$work/inproc-new" | tail -n +2) <(rate "$work/inproc-base" | tail -n +2) \
  > "$work/inproc-pairs"
ratio_summary "$work/inproc-pairs"

echo "== 2. HTTP hot item (allot-bench, 256 connections, ${duration} s), $runs pairs"
serve_and_load() {  # build_dir -> prints reservations per second
  local dir=$1 db="$work/http-$RANDOM.db"
  "$dir/allot" serve --listen 127.0.0.1:0 --db "$db" --access-log off > "$work/serve.log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    sleep 0.1
  done
  "$new/allot-bench" --url "http://127.0.0.1:$port" --scenario hot-item --connections 256 \
    --duration "$duration" --no-progress --json "$work/load.json" > /dev/null 2>&1
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  rm -f "$db" "$db"-wal "$db"-shm
  python3 -c "import json; print(json.load(open('$work/load.json'))['reservationsPerSecond'])"
}
: > "$work/http-pairs"
for _ in $(seq "$runs"); do
  a=$(serve_and_load "$new")
  b=$(serve_and_load "$base")
  echo "$a $b" >> "$work/http-pairs"
done
ratio_summary "$work/http-pairs"

echo "== 3. pages with the hot path running (allot-query-bench)"
"$new/allot-query-bench" --hot "${HOT:-1000000}" --whale "${WHALE:-100000}" --pages "${PAGES:-2000}" \
  --dir "$work"
