#!/usr/bin/env bash
# Usage: bench_smoke.sh ALLOT_BINARY ALLOT_BENCH_BINARY
# Starts allot on a free loopback port over a temporary database, runs each
# allot-bench scenario for ~1 s with 16 connections, and fails if any run
# exits non-zero (an invariant failed or the server misbehaved). The server
# is always stopped and the temporary directory removed.
set -euo pipefail

allot=$1
bench=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/allot-bench-smoke.XXXXXX")
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "bench_smoke: $*" >&2
  echo "--- server log (tail) ---" >&2
  tail -n 20 "$tmp/server.log" >&2 || true
  exit 1
}

"$allot" serve --listen 127.0.0.1:0 --db "$tmp/a.db" --sync normal --access-log off >"$tmp/server.log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/server.log" | head -n 1 || true)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "allot exited before listening"
  sleep 0.1
done
[ -n "$url" ] || fail "allot did not print its listening line within 10 s"

for scenario in hot-item spread lifecycle sellout; do
  args=(--url "$url" --scenario "$scenario" --duration 1 --connections 16 --threads 2
        --no-progress --timeout 10 --server-pid "$server_pid" --json "$tmp/$scenario.json")
  case "$scenario" in
    spread) args+=(--items 50) ;;
    sellout) args+=(--stock 50) ;;
  esac
  echo "bench_smoke: allot-bench ${args[*]}"
  status=0
  timeout 30 "$bench" "${args[@]}" || status=$?
  [ "$status" -eq 0 ] || fail "allot-bench --scenario $scenario exited $status"
  grep -q '"ok":true' "$tmp/$scenario.json" || fail "$scenario: results file does not say ok"
done
# Several URLs and an existing item (as bench/pg_compare.sh drives three
# instances on one row): the same server twice, an item made beforehand
# with holds on it that the checks must count from.
curl -sf -XPOST "$url/api/v1/items" -d '{"id":"smoke-hot","onHand":100000}' >/dev/null ||
  fail "cannot create smoke-hot"
curl -sf -XPOST "$url/api/v1/reservations" \
  -d '{"userId":"before","itemId":"smoke-hot","qty":7,"ttlSeconds":600}' >/dev/null ||
  fail "cannot reserve on smoke-hot"
args=(--url "$url,$url" --url "$url" --scenario hot-item --item smoke-hot --duration 1
      --connections 16 --threads 2 --no-progress --timeout 10 --json "$tmp/item.json")
echo "bench_smoke: allot-bench ${args[*]}"
status=0
timeout 30 "$bench" "${args[@]}" || status=$?
[ "$status" -eq 0 ] || fail "allot-bench --item exited $status"
grep -q '"ok":true' "$tmp/item.json" || fail "--item: results file does not say ok"
grep -q '"urls":\["[^]]*,[^]]*,[^]]*"\]' "$tmp/item.json" || fail "--item: three URLs not reported"
echo "bench_smoke: all scenarios passed their invariant checks"

# The wrk scripts of bench/compare.sh, for a second each, when wrk is here
# (it is a benchmark dependency, bench/install-bench-deps.sh, not a test one):
# every request must be answered 2xx and the item must hold what they took.
wrk_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../bench/wrk" && pwd)"
if ! command -v wrk >/dev/null; then
  echo "bench_smoke: wrk is not installed; its scripts were not run"
  exit 0
fi
curl -sf -XPOST "$url/api/v1/items" -d '{"id":"smoke-wrk","onHand":1000000000}' >/dev/null ||
  fail "cannot create the wrk scripts' item"
acknowledged=0
for script in reserve.lua batch.lua pipeline.lua; do
  per=1
  [ "$script" = batch.lua ] && per=5
  ITEM=smoke-wrk BATCH=5 DEPTH=4 timeout 30 wrk -t1 -c4 -d1s -s "$wrk_dir/$script" "$url" \
    >"$tmp/wrk.txt" 2>&1 || fail "wrk $script: $(tail -n 5 "$tmp/wrk.txt")"
  requests=$(awk '/requests in/ { print $1; exit }' "$tmp/wrk.txt")
  ! grep -q 'Non-2xx' "$tmp/wrk.txt" || fail "wrk $script: answers that are not 2xx: $(cat "$tmp/wrk.txt")"
  [ "${requests:-0}" -gt 0 ] || fail "wrk $script: no request answered: $(cat "$tmp/wrk.txt")"
  acknowledged=$((acknowledged + requests * per))
  echo "bench_smoke: wrk $script: $requests requests"
done
held=$(curl -sf "$url/api/v1/items/smoke-wrk" | grep -o '"held":[0-9]*' | cut -d: -f2)
# wrk stops with requests in flight: up to one per connection (of 5 or 4) may
# have committed unseen.
[ "$held" -ge "$acknowledged" ] && [ "$held" -le $((acknowledged + 3 * 4 * 5)) ] ||
  fail "the item holds $held units after $acknowledged acknowledged reservations"
echo "bench_smoke: wrk scripts passed"
