#!/usr/bin/env bash
# Issue 12's cost goal, in one run on one server: the hot-item rate with
# 10 open change streams and one webhook of every change, against none.
#
#   bash bench/changes_cost.sh [BUILD_DIR]
#
# Each round runs wrk (reserve.lua, -c64) three times in turn: with nothing
# following the feed; with 10 `curl -N` clients on /changes/stream,
# starting at the head (a replay of the journal is another workload); with
# those and one webhook of every change to bench/webhooks/fast_receiver.mjs
# (a new webhook per round, from the head, disabled after). Turns alternate
# so that the machine's drift cancels round by round. Prints each round's
# rates and the mean ratios. The receiver and the curl clients run on the
# same two cores as the server: their CPU is part of what is measured.
# Env: ROUNDS (3), DURATION (6), CONNECTIONS (64), STREAM_QUERY (appended
# to the streams' query: "&types=reservation.created" gives each stream a
# filter, so each reads and encodes for itself instead of sharing events).
set -euo pipefail

build=${1:-build}
rounds=${ROUNDS:-3}
duration=${DURATION:-6}
connections=${CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)
log() { echo "changes_cost: $*" >&2; }
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

work=$(mktemp -d /tmp/allot-changes-cost-XXXXXX)
server_pid="" receiver_pid="" stream_pids=()
stop_streams() {
  for pid in "${stream_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${stream_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stream_pids=()
}
cleanup() {
  stop_streams
  [[ -n $receiver_pid ]] && stop_pid "$receiver_pid"
  [[ -n $server_pid ]] && stop_pid "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || die "wrk is not installed (bench/install-bench-deps.sh)"
port=$(free_port)
receiver_port=$(free_port)
url="http://127.0.0.1:$port"
"$build/allot" serve --listen "127.0.0.1:$port" --db "$work/cost.db" --access-log off \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fs "$url/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$url/readyz" >/dev/null || die "the server did not start: $(cat "$work/server.log")"
node "$here/webhooks/fast_receiver.mjs" "$receiver_port" >"$work/receiver.log" 2>&1 &
receiver_pid=$!
curl -fs -XPOST "$url/api/v1/items" -H 'Content-Type: application/json' \
  -d '{"id":"bench-hot","onHand":1000000000}' >/dev/null || die "could not create the item"

rate() {  # wrk's requests/s of a reserve.lua run
  ITEM=bench-hot wrk -t1 -c"$connections" -d"${duration}s" -s "$here/wrk/reserve.lua" "$url" |
    awk '/^Requests\/sec:/ {printf "%d", $2}'
}
open_streams() {  # following from the head, as a live consumer does
  local head
  head=$(curl -fsD - -o /dev/null "$url/api/v1/changes?limit=1" |
    awk 'tolower($1) == "allot-head:" {print $2 + 0}')
  for _ in $(seq 1 10); do
    curl -sN "$url/api/v1/changes/stream?after=$head${STREAM_QUERY:-}" >/dev/null 2>&1 &
    stream_pids+=($!)
  done
  sleep 0.5
}

printf '%-6s %12s %14s %22s\n' round none "10 streams" "10 streams + webhook" >&2
ratios_streams=() ratios_both=()
for round in $(seq 1 "$rounds"); do
  none=$(rate)
  open_streams
  streams=$(rate)
  hook=$(curl -fs -XPOST "$url/api/v1/webhooks" -H 'Content-Type: application/json' \
    -d "{\"url\":\"http://127.0.0.1:$receiver_port/in\"}" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  [[ -n $hook ]] || die "could not register the webhook"
  both=$(rate)
  curl -fs -XPOST "$url/api/v1/webhooks/$hook/disable" >/dev/null
  stop_streams
  printf '%-6s %12s %14s %22s\n' "$round" "$none/s" "$streams/s" "$both/s" >&2
  ratios_streams+=("$(awk -v a="$streams" -v b="$none" 'BEGIN {printf "%.3f", a / b}')")
  ratios_both+=("$(awk -v a="$both" -v b="$none" 'BEGIN {printf "%.3f", a / b}')")
done
mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.2f", s / NR}'; }
echo "10 streams / none: mean $(mean "${ratios_streams[@]}") (${ratios_streams[*]})"
echo "10 streams + 1 webhook / none: mean $(mean "${ratios_both[@]}") (${ratios_both[*]})"
