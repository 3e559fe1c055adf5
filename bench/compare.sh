#!/usr/bin/env bash
# bench/compare.sh: one side-by-side run on this machine of
#   1. allot, group commit (the default), --sync full, hot-item over HTTP
#   2. allot --batch-max 1 (one transaction and one fsync per request)
#   3. bare-http-server: a Beast server answering a fixed body (HTTP ceiling)
#   4. Redis with a Lua check-and-decrement script: no durability (64
#      clients), and with appendfsync always (CONNECTIONS clients)
#   5. PostgreSQL, the seed lessons' transaction on one row, 1 and 64 clients
# each HTTP system driven by allot-bench and by wrk (-t1, bench/wrk/*.lua:
# allot-bench checks invariants but costs more CPU than the server it
# measures; wrk is lean), plus allot's POST /api/v1/batch (100 reservations
# a request) and pipelined requests through wrk, and writes
# docs/bench/results.{json,md} and docs/bench/throughput.svg.
#
# Everything listens on 127.0.0.1 only, every load is bounded in time, and
# every server it started is stopped on exit, failure included.
#
# Environment: BUILD_DIR (default build), DURATION seconds per run (10),
# CONNECTIONS for the HTTP runs (256), MANY_CONNECTIONS for the crowd run
# (10000), CLIENT_THREADS of allot-bench (2),
# WRK_BATCH reservations per /batch request (100), WRK_DEPTH pipelined
# requests (16), OUT_DIR (docs/bench), NO_BUILD=1 to use the binaries in BUILD_DIR as they
# are, BASELINE_DIR holding allot and allot-inprocess-bench of an earlier
# commit (named by BASELINE_LABEL) to add its wrk and in-process rows to the
# same run: the before and after of a change, on the same machine at the
# same time. Needs root for the package install and to run the
# PostgreSQL cluster as the postgres user.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
duration=${DURATION:-10}
connections=${CONNECTIONS:-256}
many_connections=${MANY_CONNECTIONS:-10000}
client_threads=${CLIENT_THREADS:-2}
out_dir=${OUT_DIR:-$root/docs/bench}
pg_bin=/usr/lib/postgresql/15/bin
redis_clients=64
wrk_batch=${WRK_BATCH:-100}
wrk_depth=${WRK_DEPTH:-16}
wrk_scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/wrk"
baseline=${BASELINE_DIR:-}
baseline_label=${BASELINE_LABEL:-before}

log() { echo "compare: $*" >&2; }
# die, free_port, stop_pid
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The seed lessons' one-row transaction, shared with pg_compare.sh.
lessons="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lessons"

# --- setup ---------------------------------------------------------------

bash "$root/scripts/install-deps.sh"
bash "$root/bench/install-bench-deps.sh"
if [ "${NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  cmake --build "$build" -j "$(nproc)" --target allot allot-bench bare-http-server \
    allot-inprocess-bench >&2
fi

# Other work on the machine skews every row: the load averages go in the results.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/allot-compare.XXXXXX)
chmod 755 "$work"  # the postgres user must reach its data directory below
started_pids=()
pg_data=""

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nobody listens on (checked just before use).

# Starts a server that prints "listening on http://HOST:PORT"; sets
# server_pid and server_url.
start_http_server() {
  local name=$1
  shift
  "$@" >"$work/$name.log" 2>&1 &
  server_pid=$!
  started_pids+=("$server_pid")
  server_url=""
  for _ in $(seq 1 100); do
    server_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/$name.log" | head -n 1 || true)
    [ -n "$server_url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  die "$name did not start"
}

# --- the runs --------------------------------------------------------------

# Each run appends one JSON object to this array.
runs_json="$work/runs.jsonl"
: >"$runs_json"
failures=0

# record NAME RATE P99_MS COMMAND [EXTRA_JSON_OBJECT]
record() {
  local extra=${5:-}
  [ -n "$extra" ] || extra='{}'
  jq -nc --arg name "$1" --argjson rate "$2" --argjson p99 "$3" --arg command "$4" \
    --argjson extra "$extra" \
    '{name: $name, rate: $rate, p99Ms: $p99, command: $command} + $extra' >>"$runs_json"
}

# http_run NAME SERVER_COMMAND [ALLOT_BENCH_FLAGS]: an allot-bench run
# against $server_url; records its rate, p99 and the server's peak RSS.
http_run() {
  local name=$1 server_command=$2 extra_flags=${3:-} results="$work/$1.json" status=0
  local conns=${run_connections:-$connections}
  local command="allot-bench --url $server_url --scenario hot-item --connections $conns"
  command+=" --duration $duration --threads $client_threads${extra_flags:+ $extra_flags}"
  log "$name: $command"
  # shellcheck disable=SC2086  # extra_flags is a list of flags
  timeout $((duration * 6 + 60)) "$build/allot-bench" --url "$server_url" --scenario hot-item \
    --connections "$conns" --duration "$duration" --threads "$client_threads" \
    --server-pid "$server_pid" --json "$results" $extra_flags >&2 || status=$?
  if [ "$status" -ne 0 ] || [ ! -f "$results" ]; then
    log "$name: allot-bench exited $status (invariant failure or broken server): see above"
    failures=$((failures + 1))
    record "$name" 0 0 "$command" "$(jq -nc --arg s "$server_command" '{server: $s, failed: true}')"
    return 0
  fi
  record "$name" "$(jq .requestsPerSecond "$results")" "$(jq '.latencyUs.p99 / 1000' "$results")" \
    "$command" "$(jq -c --arg s "$server_command" '{server: $s,
      peakRssMiB: ((.serverPeakRssKiB // 0) / 1024), checksPassed: .checks.passed,
      outcomes: .outcomes, latencyUs: .latencyUs}' "$results")"
}

# A wrk latency like "14.26ms" (or us, s) in milliseconds.
wrk_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
    printf "%.3f", n }'
}

# wrk_run NAME SERVER_COMMAND SCRIPT PER_REQUEST [ENV...]: wrk -t1 with
# CONNECTIONS connections against $server_url for DURATION s, --latency;
# records requests/s x PER_REQUEST (reservations per request) and p99.
# Sets wrk_ok (2xx answers) for the caller's checks.
wrk_run() {
  local name=$1 server_command=$2 script=$3 per_request=$4
  local out="$work/wrk-${1//[^A-Za-z0-9]/_}.txt"  # names hold spaces and slashes
  shift 4
  local command="wrk -t1 -c$connections -d${duration}s --latency -s bench/wrk/$script $server_url"
  [ $# -eq 0 ] || command="$* $command"
  log "$name: $command"
  env "$@" timeout $((duration * 3 + 30)) wrk -t1 -c"$connections" -d"${duration}s" --latency \
    -s "$wrk_scripts/$script" "$server_url" >"$out" 2>&1 || die "$name: wrk failed: $(tail -n 5 "$out")"
  cat "$out" >&2
  local requests rps p99 non2xx errors
  requests=$(awk '/requests in/ { print $1; exit }' "$out")
  rps=$(awk '/^Requests\/sec:/ { print $2; exit }' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF; exit }' "$out")
  errors=$(awk '/Socket errors:/ { print; exit }' "$out")
  # Pipelined answers have no per-request latency in wrk: p99 is then null.
  p99=$(awk '/^ +99%/ { print $2; exit }' "$out")
  if [ -z "$p99" ] || [ "$(wrk_ms "$p99")" = "0.000" ]; then p99=null; else p99=$(wrk_ms "$p99"); fi
  wrk_ok=$((requests - ${non2xx:-0}))
  record "$name" "$(awk -v r="$rps" -v k="$per_request" 'BEGIN { printf "%.1f", r * k }')" "$p99" \
    "$command" "$(jq -nc --arg s "$server_command" --argjson req "$requests" --argjson rps "$rps" \
      --argjson non2xx "${non2xx:-0}" --argjson per "$per_request" --arg errors "${errors:-}" \
      '{server: $s, loadGenerator: "wrk", requests: $req, requestsPerSecond: $rps,
        non2xx: $non2xx, reservationsPerRequest: $per, socketErrors: $errors}')"
}

# Starts a fresh allot (as allot_run does; BINARY defaults to this build's)
# with the hot item wrk's scripts reserve from; sets server_pid and
# server_url.
start_allot_for_wrk() {
  local name=$1 binary=${2:-$build/allot}
  mkdir -p "$work/$name"
  start_http_server "$name" "$binary" serve --listen 127.0.0.1:0 --db "$work/$name/allot.db" \
    --sync full --access-log off
  curl -sf -XPOST "$server_url/api/v1/items" -d '{"id":"bench-hot","onHand":1000000000}' \
    >/dev/null || die "$name: cannot create the item"
}

# After a wrk run against allot: nothing oversold, and every reservation
# wrk saw acknowledged is held (a few more may have committed as wrk
# stopped: at most one request per connection).
check_allot_after_wrk() {
  local name=$1 acknowledged=$2 in_flight=$3 item held on_hand
  item=$(curl -sf "$server_url/api/v1/items/bench-hot") || die "$name: cannot read the item"
  held=$(jq .held <<<"$item")
  on_hand=$(jq .onHand <<<"$item")
  if [ "$on_hand" -ne 1000000000 ] || [ "$(jq .available <<<"$item")" -ne $((on_hand - held)) ] ||
    [ "$held" -lt "$acknowledged" ] || [ "$held" -gt $((acknowledged + in_flight)) ]; then
    log "$name: FAILED check: $acknowledged acknowledged reservations, item $item"
    failures=$((failures + 1))
  fi
}

allot_run() {
  local name=$1 server_flags=${2:-}
  mkdir -p "$work/$name"
  # The access log (a line per request) is off: the bench measures serving.
  # shellcheck disable=SC2086  # server_flags is a list of flags
  start_http_server "$name" "$build/allot" serve --listen 127.0.0.1:0 --db "$work/$name/allot.db" \
    --sync full --access-log off $server_flags
  http_run "$name" "allot serve --listen 127.0.0.1:0 --db FRESH.db --sync full --access-log off${server_flags:+ $server_flags}"
  stop_pid "$server_pid"
}

allot_run "allot grouped"
allot_run "allot --batch-max 1" "--batch-max 1"
# The lessons' "10,000 people": the server must keep answering, oversell nothing.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
run_connections=$many_connections allot_run "allot grouped, $many_connections connections"

start_http_server "bare HTTP ceiling" "$build/bare-http-server" --listen 127.0.0.1:0 --threads 2
http_run "bare HTTP ceiling" "bare-http-server --listen 127.0.0.1:0 --threads 2" "--no-check"
stop_pid "$server_pid"

# The same systems through wrk: one reservation per request, a unique user
# id each (bench/wrk/reserve.lua); /batch with WRK_BATCH per request; and
# WRK_DEPTH pipelined requests per connection.
allot_wrk_server="allot serve --listen 127.0.0.1:0 --db FRESH.db --sync full --access-log off"
start_allot_for_wrk "allot via wrk"
wrk_run "allot via wrk" "$allot_wrk_server" reserve.lua 1
check_allot_after_wrk "allot via wrk" "$wrk_ok" "$connections"
stop_pid "$server_pid"

start_allot_for_wrk "allot batch via wrk"
wrk_run "allot /batch via wrk ($wrk_batch per request)" "$allot_wrk_server" batch.lua "$wrk_batch" \
  BATCH="$wrk_batch"
check_allot_after_wrk "allot /batch via wrk" $((wrk_ok * wrk_batch)) $((connections * wrk_batch))
stop_pid "$server_pid"

start_allot_for_wrk "allot pipelined via wrk"
wrk_run "allot pipelined via wrk (depth $wrk_depth)" "$allot_wrk_server" pipeline.lua 1 \
  DEPTH="$wrk_depth"
check_allot_after_wrk "allot pipelined via wrk" "$wrk_ok" $((connections * wrk_depth))
stop_pid "$server_pid"

if [ -n "$baseline" ]; then
  start_allot_for_wrk "allot via wrk, $baseline_label" "$baseline/allot"
  wrk_run "allot via wrk, $baseline_label" "$allot_wrk_server ($baseline_label)" reserve.lua 1
  check_allot_after_wrk "allot via wrk, $baseline_label" "$wrk_ok" "$connections"
  stop_pid "$server_pid"
fi

start_http_server "bare HTTP ceiling via wrk" "$build/bare-http-server" --listen 127.0.0.1:0 --threads 2
wrk_run "bare HTTP ceiling via wrk" "bare-http-server --listen 127.0.0.1:0 --threads 2" reserve.lua 1
stop_pid "$server_pid"

# The library with no HTTP: what the sequencer and SQLite can do on their own.
inprocess_command="allot-inprocess-bench --benchmark_format=json"
log "in-process: $inprocess_command"
timeout $((duration * 6 + 60)) "$build/allot-inprocess-bench" --benchmark_format=json \
  >"$work/inprocess.json" 2>"$work/inprocess.err" || die "allot-inprocess-bench: $(tail -n 5 "$work/inprocess.err")"
for variant in "batch_max:10000" "batch_max:1/"; do
  row=$(jq -c --arg v "$variant" '.benchmarks[] | select(.name | contains($v))' "$work/inprocess.json")
  [ -n "$row" ] || die "allot-inprocess-bench printed no $variant result"
  label=$([ "$variant" = "batch_max:1/" ] && echo "allot in-process, batch_max 1" || echo "allot in-process (no HTTP)")
  record "$label" "$(jq .items_per_second <<<"$row")" null "$inprocess_command" \
    "$(jq -c '{benchmark: .name, meanBatch: .mean_batch}' <<<"$row")"
done

if [ -n "$baseline" ]; then
  log "in-process, $baseline_label: $inprocess_command"
  timeout $((duration * 6 + 60)) "$baseline/allot-inprocess-bench" --benchmark_format=json \
    >"$work/inprocess-baseline.json" 2>"$work/inprocess-baseline.err" ||
    die "allot-inprocess-bench ($baseline_label): $(tail -n 5 "$work/inprocess-baseline.err")"
  row=$(jq -c '.benchmarks[] | select(.name | contains("batch_max:10000"))' \
    "$work/inprocess-baseline.json")
  [ -n "$row" ] || die "allot-inprocess-bench ($baseline_label) printed no batch_max:10000 result"
  record "allot in-process, $baseline_label" "$(jq .items_per_second <<<"$row")" null \
    "$inprocess_command ($baseline_label)" "$(jq -c '{benchmark: .name, meanBatch: .mean_batch}' <<<"$row")"
fi

# Redis: check-and-decrement in Lua, one key, no persistence at all.
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  --protected-mode yes --daemonize no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
started_pids+=("$redis_pid")
for _ in $(seq 1 100); do
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis_stock=1000000000000
redis-cli -h 127.0.0.1 -p "$redis_port" set stock "$redis_stock" >/dev/null
lua='local q = tonumber(redis.call("GET", KEYS[1])) if q and q >= tonumber(ARGV[1]) then redis.call("DECRBY", KEYS[1], ARGV[1]) return 1 end return 0'
sha=$(redis-cli -h 127.0.0.1 -p "$redis_port" script load "$lua")
redis_requests=$((50000 * duration))  # ~duration seconds at the rate the issue reports
redis_command="redis-benchmark -h 127.0.0.1 -p $redis_port -c $redis_clients -n $redis_requests --csv EVALSHA $sha 1 stock 1"
log "redis: $redis_command"
timeout $((duration * 6 + 30)) $redis_command >"$work/redis.csv"
# CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
redis_rate=$(awk -F'","' 'NR == 2 { print $2 + 0 }' "$work/redis.csv")
redis_p99=$(awk -F'","' 'NR == 2 { print $7 + 0 }' "$work/redis.csv")
redis_left=$(redis-cli -h 127.0.0.1 -p "$redis_port" get stock)
[ "$redis_left" -eq $((redis_stock - redis_requests)) ] ||
  die "redis: stock $redis_left after $redis_requests decrements of $redis_stock"
record "redis lua (64 clients, no durability)" "$redis_rate" "$redis_p99" "$redis_command" \
  "$(jq -nc --arg s "redis-server --bind 127.0.0.1 --port $redis_port --save '' --appendonly no" \
    --arg l "$lua" '{server: $s, script: $l}')"
stop_pid "$redis_pid"

# Redis again, durable: every write in the append-only file and fsynced
# before the answer (appendfsync always), as allot's --sync full; as many
# clients as the HTTP runs have connections, one command in flight each (as
# wrk's one request per connection), the same script.
redis_port=$(free_port)
mkdir -p "$work/redis-aof"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly yes \
  --appendfsync always --protected-mode yes --daemonize no --dir "$work/redis-aof" \
  >"$work/redis-aof.log" 2>&1 &
redis_pid=$!
started_pids+=("$redis_pid")
for _ in $(seq 1 100); do
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$redis_port" set stock "$redis_stock" >/dev/null
sha=$(redis-cli -h 127.0.0.1 -p "$redis_port" script load "$lua")
redis_requests=$((40000 * duration))
redis_command="redis-benchmark -h 127.0.0.1 -p $redis_port -c $connections -n $redis_requests --csv EVALSHA $sha 1 stock 1"
log "redis appendfsync always: $redis_command"
timeout $((duration * 10 + 60)) $redis_command >"$work/redis-aof.csv"
redis_rate=$(awk -F'","' 'NR == 2 { print $2 + 0 }' "$work/redis-aof.csv")
redis_p99=$(awk -F'","' 'NR == 2 { print $7 + 0 }' "$work/redis-aof.csv")
redis_left=$(redis-cli -h 127.0.0.1 -p "$redis_port" get stock)
[ "$redis_left" -eq $((redis_stock - redis_requests)) ] ||
  die "redis (aof): stock $redis_left after $redis_requests decrements of $redis_stock"
record "redis lua ($connections clients, appendfsync always)" "$redis_rate" "$redis_p99" \
  "$redis_command" "$(jq -nc --arg s "redis-server --bind 127.0.0.1 --port $redis_port --save '' --appendonly yes --appendfsync always" \
    --arg l "$lua" '{server: $s, script: $l}')"
stop_pid "$redis_pid"

# PostgreSQL: a throwaway cluster, fsync and synchronous_commit on (durable).
pg_port=$(free_port)
mkdir -p "$work/pg"
chown postgres "$work/pg"
pg_data="$work/pg/data"
runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust >"$work/initdb.log" 2>&1 ||
  die "initdb failed: $(tail -n 5 "$work/initdb.log")"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -t 30 \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg" start >&2
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres)
"${psql[@]}" -f "$lessons/schema.sql"
cp "$lessons/reserve.sql" "$work/pg/reserve.sql"
for clients in 1 64; do
  threads=$((clients < 2 ? 1 : 2))
  prefix="$work/pg/log-$clients"
  pg_command="pgbench -n -h 127.0.0.1 -p $pg_port -U postgres -f reserve.sql -c $clients -j $threads -T $duration"
  log "postgres: $pg_command"
  timeout $((duration * 6 + 30)) pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres \
    -f "$work/pg/reserve.sql" -c "$clients" -j "$threads" -T "$duration" -l --log-prefix="$prefix" \
    postgres >"$work/pgbench-$clients.out" 2>&1 || die "pgbench: $(tail -n 5 "$work/pgbench-$clients.out")"
  pg_rate=$(awk '/^tps = / { print $3 + 0; exit }' "$work/pgbench-$clients.out")
  # Per-transaction log: field 3 is the latency in microseconds.
  pg_p99=$(cat "$prefix".* | awk '{ print $3 }' | sort -n |
    awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f", v[i] / 1000 }')
  record "postgres 1 row ($clients client$([ "$clients" -gt 1 ] && echo s))" "$pg_rate" "$pg_p99" \
    "$pg_command" "$(jq -nc --arg s "initdb + pg_ctl start -o '-p $pg_port -c listen_addresses=127.0.0.1'" \
      --rawfile script "$work/pg/reserve.sql" '{server: $s, script: $script}')"
done
pg_rows=$("${psql[@]}" -At -c "SELECT count(*) FROM reservations")
pg_qty=$("${psql[@]}" -At -c "SELECT 1000000000000 - qty FROM items WHERE id = 1")
[ "$pg_rows" -eq "$pg_qty" ] || die "postgres: $pg_rows reservations but stock fell by $pg_qty"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null

# --- results -----------------------------------------------------------------

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$out_dir"
cpu=$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
# The binaries are built from the working tree: say so when it differs from the commit.
if [ -n "$(git -C "$root" status --porcelain -- src include 2>/dev/null)" ]; then
  commit+=" + uncommitted changes in src/ or include/"
fi
jq -s --arg date "$date_utc" --arg cpu "$cpu" --arg commit "$commit" \
  --argjson nproc "$(nproc)" --arg kernel "$(uname -r)" \
  --argjson mem "$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
  --argjson duration "$duration" --argjson connections "$connections" \
  --arg load_before "$load_before" --arg load_after "$load_after" \
  '(map(select(.name == "allot grouped"))[0].rate) as $base |
   {date: $date, commit: $commit,
    machine: {nproc: $nproc, cpu: $cpu, kernel: $kernel, memoryMiB: $mem,
              loadAverageBefore: $load_before, loadAverageAfter: $load_after},
    durationS: $duration, httpConnections: $connections,
    runs: map(. + {ratioVsAllotGrouped: (if $base > 0 then .rate / $base else null end)})}' \
  "$runs_json" >"$out_dir/results.json"

table=$(jq -r '.runs[] | [.name, (.rate | floor | tostring),
  (if .p99Ms then (.p99Ms * 100 | round / 100 | tostring) else "-" end),
  (if .ratioVsAllotGrouped then (.ratioVsAllotGrouped * 1000 | round / 1000 | tostring) else "-" end),
  (if .peakRssMiB then (.peakRssMiB * 10 | round / 10 | tostring) else "-" end)] |
  "| " + join(" | ") + " |"' "$out_dir/results.json")

grouped=$(jq '.runs[] | select(.name == "allot grouped") | .rate' "$out_dir/results.json")
batch1=$(jq '.runs[] | select(.name == "allot --batch-max 1") | .rate' "$out_dir/results.json")
bare=$(jq '.runs[] | select(.name == "bare HTTP ceiling") | .rate' "$out_dir/results.json")
inproc=$(jq '.runs[] | select(.name == "allot in-process (no HTTP)") | .rate' "$out_dir/results.json")
p99=$(jq '.runs[] | select(.name == "allot grouped") | .p99Ms' "$out_dir/results.json")
ratios=$(awk -v g="$grouped" -v b="$batch1" -v c="$bare" -v i="$inproc" -v p="$p99" 'BEGIN {
  printf "allot grouped %.0f/s (goal >= 60000), p99 %.2f ms (goal <= 10); ", g, p
  printf "allot grouped / bare HTTP ceiling = %.2f (goal >= 0.75); ", (c > 0 ? g / c : 0)
  printf "allot grouped / allot --batch-max 1 = %.1fx (goal >= 15x); ", (b > 0 ? g / b : 0)
  printf "in-process %.0f/s (goal >= 500000)", i }')
# Issue 11's goals, all through wrk in this run.
rate_of() { jq --arg n "$1" '[.runs[] | select(.name == $n) | .rate][0] // 0' "$out_dir/results.json"; }
p99_of() { jq --arg n "$1" '[.runs[] | select(.name == $n) | .p99Ms][0] // 0' "$out_dir/results.json"; }
wrk_allot=$(rate_of "allot via wrk")
wrk_bare=$(rate_of "bare HTTP ceiling via wrk")
wrk_batch_rate=$(rate_of "allot /batch via wrk ($wrk_batch per request)")
redis_always=$(rate_of "redis lua ($connections clients, appendfsync always)")
wrk_p99=$(p99_of "allot via wrk")
goals=$(awk -v a="$wrk_allot" -v c="$wrk_bare" -v r="$redis_always" -v b="$wrk_batch_rate" \
  -v p="$wrk_p99" -v n="$connections" -v k="$wrk_batch" 'BEGIN {
  printf "wrk -c%d: allot %.0f/s / redis lua appendfsync always = %.2f (goal >= 1.0); ", n, a, (r > 0 ? a / r : 0)
  printf "allot / bare HTTP ceiling = %.2f (goal >= 0.8); ", (c > 0 ? a / c : 0)
  printf "/batch (%d per request) %.0f reservations/s (goal >= 200000); ", k, b
  printf "p99 %.2f ms (goal <= 10)", p }')
if [ -n "$baseline" ]; then
  goals+=$(awk -v a="$wrk_allot" -v ab="$(rate_of "allot via wrk, $baseline_label")" \
    -v i="$(rate_of "allot in-process (no HTTP)")" \
    -v ib="$(rate_of "allot in-process, $baseline_label")" -v l="$baseline_label" 'BEGIN {
    printf "; this build / %s: %.2fx via wrk, %.2fx in-process", l,
      (ab > 0 ? a / ab : 0), (ib > 0 ? i / ib : 0) }')
fi

# The chart: one bar per system, log scale (they span three orders of magnitude).
jq -r '.runs[] | [.name, .rate] | @tsv' "$out_dir/results.json" >"$work/chart.tsv"
gnuplot <<GNUPLOT
set terminal svg size 960,540 dynamic font "sans,12" background "white"
set output "$out_dir/throughput.svg"
set datafile separator "\t"
set title "One hot item on this machine ($(nproc) cores), $date_utc"
set ylabel "reservations (or requests) per second, log scale"
set logscale y
set yrange [10:*]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by -20 scale 0
set key off
set rmargin 14
plot "$work/chart.tsv" using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     "" using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.8
GNUPLOT

{
  echo "# allot vs the usual suspects, one hot item"
  echo
  echo "Measured by \`bench/compare.sh\` on $date_utc at commit \`$commit\`."
  echo
  echo "Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB,"
  echo "Linux $(uname -r). The load generators run on the same machine as the servers."
  echo "Load average (1, 5, 15 min) before the run: $load_before; after: $load_after"
  echo "(anything well above 0 means other work shared the cores)."
  echo
  echo "| system | rate (/s) | p99 (ms) | vs allot grouped | server peak RSS (MiB) |"
  echo "|---|---:|---:|---:|---:|"
  echo "$table"
  echo
  echo "$ratios."
  echo
  echo "$goals."
  echo
  echo "![throughput](throughput.svg)"
  echo
  echo "## What each row is"
  echo
  echo "- **allot grouped**: \`build/allot serve --sync full\` on a fresh database; every"
  echo "  acknowledged reservation is fsynced. $connections keep-alive connections,"
  echo "  $duration s, hot-item scenario (qty 1 on one item with 10^9 units), then the"
  echo "  invariants are checked through the API."
  echo "- **allot --batch-max 1**: the same with one transaction (one fsync) per request."
  echo "- **allot grouped, $many_connections connections**: allot grouped again with"
  echo "  $many_connections open keep-alive connections all sending at once."
  echo "- **allot in-process**: \`allot-inprocess-bench\` (Google Benchmark): the library"
  echo "  API with no HTTP, one engine over SQLite with synchronous=FULL, one thread"
  echo "  keeping up to 32768 reservations in flight (64 for batch_max 1)."
  echo "- **bare HTTP ceiling**: \`bare-http-server\`, Beast with allot's threading model,"
  echo "  answering a fixed reservation-sized body; the same allot-bench load."
  echo "- **redis lua**: Debian redis-server, \`--save '' --appendonly no\` (nothing is"
  echo "  durable), a Lua script that checks and decrements one key; redis-benchmark,"
  echo "  $redis_clients clients. The appendfsync always row is the same script with"
  echo "  every write fsynced to the append-only file before its answer, $connections"
  echo "  clients (one command in flight each, like wrk's connections)."
  echo "- **... via wrk**: the same server driven by \`wrk -t1 -c$connections --latency\`"
  echo "  (one thread: it costs the shared cores far less than allot-bench) with"
  echo "  \`bench/wrk/reserve.lua\`: one reservation per request, a user id no other"
  echo "  request uses. Afterwards the item must hold every acknowledged reservation"
  echo "  (and at most one more per connection, committed as wrk stopped)."
  echo "- **allot /batch via wrk**: \`bench/wrk/batch.lua\`, each request a"
  echo "  \`POST /api/v1/batch\` of $wrk_batch reservations; the rate is reservations/s"
  echo "  (requests/s x $wrk_batch), p99 is per batch request."
  echo "- **allot pipelined via wrk**: \`bench/wrk/pipeline.lua\`, $wrk_depth reservations"
  echo "  written back to back on each connection (HTTP/1.1 pipelining); wrk has no"
  echo "  per-request latency for pipelined requests."
  echo "- **postgres 1 row**: PostgreSQL 15, throwaway cluster (fsync on,"
  echo "  synchronous_commit on), the seed lessons' transaction: \`BEGIN; UPDATE items"
  echo "  SET qty = qty - 1 WHERE id = 1 AND qty >= 1; INSERT INTO reservations ...;"
  echo "  COMMIT\` with pgbench. p99 from pgbench's per-transaction log."
  echo
  echo "## Exact commands"
  echo
  echo '```'
  jq -r '.runs[] | "# " + .name + "\n" + (if .server then .server + "\n" else "" end) + .command' \
    "$out_dir/results.json"
  echo '```'
  echo
  echo "Raw numbers, outcome counts and latency percentiles: [results.json](results.json)."
} >"$out_dir/results.md"

echo
echo "| system | rate (/s) | p99 (ms) | vs allot grouped | server peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|"
echo "$table"
echo "$ratios"
echo "$goals"
echo "Results: $out_dir/results.md, $out_dir/results.json, $out_dir/throughput.svg"
[ "$failures" -eq 0 ] || die "$failures allot-bench run(s) failed their checks"
