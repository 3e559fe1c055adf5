#!/usr/bin/env bash
# bench/pg_compare.sh: allot on PostgreSQL against the seed lessons' one
# transaction per request, on one throwaway cluster on this machine:
#   1. pgbench, 64 clients, every request its own transaction on one row:
#        BEGIN; UPDATE items SET qty = qty - 1 WHERE id = 1 AND qty >= 1;
#        INSERT INTO reservations ...; COMMIT;
#   2. one allot instance, one hot item (allot-bench hot-item)
#   3. two allot instances on one database, both loaded at once
# and writes the table to docs/bench/postgres.md (OUT_DIR).
#
# Run 3 drives each instance with its own allot-bench, and allot-bench makes
# its own uniquely named hot item, so each instance has a hot item of its
# own: the two sequencers share the database, the WAL and the cores, not the
# row. (That two instances hammering one row stay correct and deadlock-free
# is what tests/store/postgres_engine_test.cc and tests/pg_blackbox prove.)
#
# The cluster: fsync and synchronous_commit on (the default: durable).
# Everything listens on 127.0.0.1; every process started is stopped on exit.
#
# Environment: BUILD_DIR (default build), DURATION seconds per run (10),
# CONNECTIONS per allot instance (256), CLIENT_THREADS per allot-bench (1),
# OUT_DIR (docs/bench), NO_BUILD=1 to use the binaries in BUILD_DIR as they
# are. Needs root (the cluster runs as the postgres user).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
duration=${DURATION:-10}
connections=${CONNECTIONS:-256}
client_threads=${CLIENT_THREADS:-1}
out_dir=${OUT_DIR:-$root/docs/bench}
pg_bin=/usr/lib/postgresql/15/bin
pg_clients=64

log() { echo "pg_compare: $*" >&2; }
# die, free_port, stop_pid
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The seed lessons' one-row transaction, shared with compare.sh.
lessons="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lessons"

if [ "${NO_BUILD:-0}" != 1 ]; then
  bash "$root/scripts/install-deps.sh"
  command -v jq >/dev/null || die "jq is needed (apt-get install jq)"
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  cmake --build "$build" -j "$(nproc)" --target allot allot-bench >&2
fi
[ -x "$build/allot" ] && [ -x "$build/allot-bench" ] || die "no allot / allot-bench in $build"

work=$(mktemp -d /tmp/allot-pg-compare.XXXXXX)
chmod 755 "$work"
started_pids=()
pg_data="$work/pg/data"

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
  if [ -f "$pg_data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the cluster -------------------------------------------------------------

pg_port=$(free_port)
mkdir -p "$work/pg"
chown postgres "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 \
  --no-locale >"$work/initdb.log" 2>&1 || die "initdb: $(tail -n 5 "$work/initdb.log")"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -t 30 \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg -c fsync=on -c max_connections=200" \
  start >&2
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres)
"${psql[@]}" -d postgres -c "CREATE DATABASE lessons" -c "CREATE DATABASE allot1" \
  -c "CREATE DATABASE allot2"
pg_settings=$("${psql[@]}" -d postgres -At -c \
  "SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings
   WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers')")

# --- 1. the lessons: one transaction per request on one row -----------------

"${psql[@]}" -d lessons -f "$lessons/schema.sql"
cp "$lessons/reserve.sql" "$work/reserve.sql"
pgbench_command="pgbench -n -h 127.0.0.1 -p $pg_port -U postgres -f reserve.sql -c $pg_clients -j 2 -T $duration lessons"
log "lessons: $pgbench_command"
timeout $((duration * 6 + 30)) pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres \
  -f "$work/reserve.sql" -c "$pg_clients" -j 2 -T "$duration" lessons >"$work/pgbench.out" 2>&1 ||
  die "pgbench: $(tail -n 5 "$work/pgbench.out")"
lessons_rate=$(awk '/^tps = / { print $3 + 0; exit }' "$work/pgbench.out")
lessons_latency=$(awk '/^latency average = / { print $4 + 0; exit }' "$work/pgbench.out")
lessons_rows=$("${psql[@]}" -d lessons -At -c "SELECT count(*) FROM reservations")

# --- 2 and 3: allot ------------------------------------------------------------

# start_allot NAME DB: sets allot_url and allot_pid.
start_allot() {
  local name=$1 db=$2
  "$build/allot" serve --listen 127.0.0.1:0 --db "postgres://postgres@127.0.0.1:$pg_port/$db" \
    --access-log off >"$work/$name.log" 2>&1 &
  allot_pid=$!
  started_pids+=("$allot_pid")
  allot_url=""
  for _ in $(seq 1 100); do
    allot_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/$name.log" | head -n 1 || true)
    [ -n "$allot_url" ] && return 0
    kill -0 "$allot_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  die "$name did not start"
}

# bench_command URL: the allot-bench command line (for the report too).
bench_command() {
  echo "allot-bench --url $1 --scenario hot-item --connections $connections" \
    "--duration $duration --threads $client_threads"
}

# run_bench NAME URL PID: allot-bench in the background; its JSON in $work/NAME.json.
run_bench() {
  local name=$1 url=$2 pid=$3
  log "$name: $(bench_command "$url")"
  timeout $((duration * 6 + 60)) "$build/allot-bench" --url "$url" --scenario hot-item \
    --connections "$connections" --duration "$duration" --threads "$client_threads" \
    --server-pid "$pid" --no-progress --json "$work/$name.json" >"$work/$name.out" 2>&1
}

ok() { jq -e '.ok != false' "$work/$1.json" >/dev/null 2>&1; }
rate() { jq '.requestsPerSecond' "$work/$1.json"; }
p99() { jq '.latencyUs.p99 / 1000' "$work/$1.json"; }

start_allot one allot1
one_url=$allot_url
one_pid=$allot_pid
run_bench one "$one_url" "$one_pid" || die "allot-bench (one instance): $(tail -n 20 "$work/one.out")"
ok one || die "allot-bench checks failed (one instance): $(cat "$work/one.out")"
stop_pid "$one_pid"

start_allot a allot2
a_url=$allot_url
a_pid=$allot_pid
start_allot b allot2
b_url=$allot_url
b_pid=$allot_pid
run_bench two-a "$a_url" "$a_pid" &
bench_a=$!
run_bench two-b "$b_url" "$b_pid" &
bench_b=$!
wait "$bench_a" || die "allot-bench (instance a): $(tail -n 20 "$work/two-a.out")"
wait "$bench_b" || die "allot-bench (instance b): $(tail -n 20 "$work/two-b.out")"
ok two-a && ok two-b || die "allot-bench checks failed (two instances)"
broken=$("${psql[@]}" -d allot2 -At -c "
  SELECT count(*) FROM items i WHERE i.held <> coalesce((SELECT sum(qty) FROM holds h
    WHERE h.item_id = i.id), 0) OR i.held <> (SELECT sum(held_delta) FROM ledger g
    WHERE g.item_id = i.id)")
[ "$broken" = 0 ] || die "two instances: $broken items with counters that disagree with holds"
stop_pid "$a_pid"
stop_pid "$b_pid"

one_rate=$(rate one)
two_rate=$(jq -n "$(rate two-a) + $(rate two-b)")
ratio_one=$(jq -n "$one_rate / $lessons_rate * 10 | round / 10")
ratio_two=$(jq -n "$two_rate / $lessons_rate * 10 | round / 10")

# --- the report ---------------------------------------------------------------

mkdir -p "$out_dir"
report="$out_dir/postgres.md"
{
  echo "# allot on PostgreSQL vs one transaction per request"
  echo
  echo "Made by \`bench/pg_compare.sh\` on $(date -u +%Y-%m-%dT%H:%MZ) with the binaries in" \
    "\`$build\` (checkout at $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src include || echo ', with uncommitted changes in src/ or include/'))."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))," \
    "$(free -g | awk '/^Mem:/ { print $2 }') GiB; everything on 127.0.0.1, load generators included."
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }'): $pg_settings."
  echo
  echo "| run | reservations/s | p99 ms | vs per-request |"
  echo "|---|---:|---:|---:|"
  printf '| per-request transactions, %d pgbench clients, one row | %.0f | (avg %s) | 1x |\n' \
    "$pg_clients" "$lessons_rate" "$lessons_latency"
  printf '| allot, 1 instance, one hot item, %d connections | %.0f | %.1f | %sx |\n' \
    "$connections" "$one_rate" "$(p99 one)" "$ratio_one"
  printf '| allot, 2 instances on one database, %d connections each | %.0f | %.1f / %.1f | %sx |\n' \
    "$connections" "$two_rate" "$(p99 two-a)" "$(p99 two-b)" "$ratio_two"
  echo
  echo "Every allot run passed allot-bench's checks (nothing oversold, held equals the 201s)."
  echo "The lessons' run committed $lessons_rows reservations."
  echo
  echo "Reading it: per-request transactions on one row are bound by the commit"
  echo "latency (each waits for the row lock of the one before it, so PostgreSQL"
  echo "cannot group their fsyncs). allot takes the row lock once per batch and"
  echo "commits hundreds of reservations with one fsync. What bounds allot here is"
  echo "CPU on 2 cores shared by PostgreSQL, the allot processes and the load"
  echo "generators: each reservation is 4 rows (reservation, line, live hold,"
  echo "ledger), 7 index entries and 5 foreign-key checks in PostgreSQL, plus"
  echo "the HTTP request and JSON on both sides."
  echo
  echo "Commands:"
  echo
  echo '```sh'
  echo "$pgbench_command    # reserve.sql: see bench/lessons/reserve.sql"
  echo "allot serve --listen 127.0.0.1:0 --db postgres://postgres@127.0.0.1:$pg_port/allot1"
  echo "$(bench_command "$one_url")"
  echo "allot serve --listen 127.0.0.1:0 --db postgres://postgres@127.0.0.1:$pg_port/allot2   # twice"
  echo "$(bench_command "$a_url") &"
  echo "$(bench_command "$b_url")"
  echo '```'
} >"$report"
cat "$report"
log "wrote $report"
