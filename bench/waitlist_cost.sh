#!/usr/bin/env bash
# Issue 15's goals, in one run:
#   1. what a waiting list of WAITING entries costs the hot item: wrk
#      (reserve.lua, -c64) against a server holding such a list (on an item
#      of its own: while anyone waits on an item, its units go to the list,
#      so the public cannot reserve that one at all) and against a server
#      without, in turn, ROUNDS rounds of DURATION seconds;
#   2. draw entries over HTTP, one entry per request (wrk, draw_entry.lua,
#      -c64, ENTRY_SECONDS), then the time the run of that draw takes.
#
#   bash bench/waitlist_cost.sh [BUILD_DIR]
#
# Env: WAITING (100000), ROUNDS (3), DURATION (6), ENTRY_SECONDS (5).
set -euo pipefail

build=${1:-build}
waiting=${WAITING:-100000}
rounds=${ROUNDS:-3}
duration=${DURATION:-6}
entry_seconds=${ENTRY_SECONDS:-5}
here=$(cd "$(dirname "$0")" && pwd)
log() { echo "waitlist_cost: $*" >&2; }
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
command -v wrk >/dev/null || die "wrk is not installed (bench/install-bench-deps.sh)"

work=$(mktemp -d /tmp/allot-waitlist-cost-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT

start_server() {  # NAME -> prints the URL
  local port
  port=$(free_port)
  "$build/allot" serve --listen "127.0.0.1:$port" --db "$work/$1.db" --access-log off \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "127.0.0.1:$port/readyz" >/dev/null || die "$1 did not start: $(cat "$work/$1.log")"
  curl -fs -XPOST "127.0.0.1:$port/api/v1/items" -d '{"id":"bench-hot","onHand":1000000000}' \
    >/dev/null
  echo "http://127.0.0.1:$port"
}
rate() {  # URL -> wrk's requests/s of reserve.lua
  ITEM=bench-hot wrk -t1 -c64 -d"${duration}s" -s "$here/wrk/reserve.lua" "$1" |
    awk '/^Requests\/sec:/ {printf "%d", $2}'
}

with=$(start_server with)
without=$(start_server without)
curl -fs -XPOST "$with/api/v1/items" -d '{"id":"queue","onHand":0}' >/dev/null
log "filling a waiting list of $waiting entries through /batch"
python3 - "$with" "$waiting" <<'EOF'
import json, sys, urllib.request
url, total = sys.argv[1], int(sys.argv[2])
done = 0
while done < total:
    n = min(1000, total - done)
    requests = [{"method": "POST", "path": "/api/v1/items/queue/waitlist",
                 "body": {"userId": f"w{done + i}", "qty": 1}} for i in range(n)]
    body = json.dumps({"requests": requests}).encode()
    req = urllib.request.Request(url + "/api/v1/batch", body, {"Content-Type": "application/json"})
    answers = json.load(urllib.request.urlopen(req))["results"]
    bad = [a for a in answers if a["status"] != 201]
    if bad:
        sys.exit(f"a join failed: {bad[0]}")
    done += n
EOF
last=$(curl -fs "$with/api/v1/waitlist/$(curl -fs "$with/api/v1/items/queue/waitlist?limit=1" |
  sed -E 's/.*"id":"(wl_[^"]+)".*/\1/')")
log "the queue's head: $last"

printf '%-6s %14s %14s %8s\n' round "without" "with $waiting" ratio >&2
ratios=()
for round in $(seq 1 "$rounds"); do
  a=$(rate "$without")
  b=$(rate "$with")
  r=$(awk -v a="$b" -v b="$a" 'BEGIN {printf "%.3f", a / b}')
  ratios+=("$r")
  printf '%-6s %14s %14s %8s\n' "$round" "$a/s" "$b/s" "$r" >&2
done
echo "hot item with a waiting list of $waiting (another item) / without: mean" \
  "$(printf '%s\n' "${ratios[@]}" | awk '{s += $1} END {printf "%.2f", s / NR}') (${ratios[*]})"

# Draw entries, one per request, then the run.
curl -fs -XPOST "$without/api/v1/items" -d '{"id":"drop-item","onHand":1000}' >/dev/null
closes=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S.000Z)
curl -fs -XPOST "$without/api/v1/draws" \
  -d "{\"id\":\"drop\",\"itemId\":\"drop-item\",\"units\":1000,\"closesAt\":\"$closes\"}" >/dev/null ||
  die "could not open the draw"
entry_rate=$(DRAW=drop wrk -t1 -c64 -d"${entry_seconds}s" -s "$here/wrk/draw_entry.lua" "$without" |
  awk '/^Requests\/sec:/ {printf "%d", $2}')
entries=$(curl -fs "$without/api/v1/draws/drop" | sed -E 's/.*"entries":([0-9]+).*/\1/')
echo "draw entries over HTTP, one per request: $entry_rate/s ($entries entries)"
run_s=$(curl -fs -o "$work/drawn.json" -w '%{time_total}' -XPOST "$without/api/v1/draws/drop/run")
echo "running the draw of $entries entries: ${run_s} s (the answer: $(wc -c <"$work/drawn.json") bytes)"
