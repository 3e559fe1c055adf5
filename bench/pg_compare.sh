#!/usr/bin/env bash
# bench/pg_compare.sh: allot on PostgreSQL against the seed lessons' one
# transaction per request, on one throwaway cluster on this machine, in one
# run:
#   1. pgbench, 64 clients, every request its own transaction on one row:
#        BEGIN; UPDATE items SET qty = qty - 1 WHERE id = 1 AND qty >= 1;
#        INSERT INTO reservations ...; COMMIT;
#   2. one allot instance, one hot item (allot-bench hot-item --item)
#   3. three allot instances on one database and the same hot item: one
#      allot-bench spreads its connections over the three (--url x3 --item),
#      so the three sequencers take turns on one row lock
# and writes the table to docs/bench/postgres.md (OUT_DIR). Runs 2 and 3
# use the same number of client connections in total.
#
# For each run it also measures what one reservation costs the database:
# WAL bytes (pg_current_wal_lsn and pg_stat_wal deltas), rows written
# (pg_stat_user_tables), and commits (pg_stat_database), for docs/scaling.md.
#
# The cluster: fsync and synchronous_commit on (the default: durable).
# Everything listens on 127.0.0.1; every process started is stopped on exit.
#
# Environment: BUILD_DIR (default build), DURATION seconds per run (10),
# CONNECTIONS in all per allot run (256), CLIENT_THREADS per allot-bench (1),
# OUT_DIR (docs/bench), NO_BUILD=1 to use the binaries in BUILD_DIR as they
# are, PROFILE=1 for pg_stat_statements (see below). BASELINE_DIR=DIR also
# runs 2 and 3 with the `allot` in DIR (another build, e.g. of main; the
# same allot-bench drives both), each right before the same run of this
# build, on databases of their own: before and after in one run, on one
# cluster and one machine load. BASELINE_LABEL names it (default
# "baseline"). Needs root (the cluster runs as the postgres user).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
duration=${DURATION:-10}
connections=${CONNECTIONS:-256}
client_threads=${CLIENT_THREADS:-1}
out_dir=${OUT_DIR:-$root/docs/bench}
pg_bin=/usr/lib/postgresql/15/bin
pg_clients=64
# PROFILE=1: pg_stat_statements on (it costs a little), and the statements
# of each allot run by total time go into the report.
profile=${PROFILE:-0}
profile_options=""
baseline=${BASELINE_DIR:-}
baseline_label=${BASELINE_LABEL:-baseline}
[ "$profile" = 1 ] && profile_options="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"

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
[ -z "$baseline" ] || [ -x "$baseline/allot" ] || die "no allot in BASELINE_DIR $baseline"

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
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg -c fsync=on -c max_connections=200 $profile_options" \
  start >&2
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres)
"${psql[@]}" -d postgres -c "CREATE DATABASE lessons" -c "CREATE DATABASE allot1" \
  -c "CREATE DATABASE allot3" -c "CREATE DATABASE base1" -c "CREATE DATABASE base3"
[ "$profile" = 1 ] && "${psql[@]}" -d postgres -c "CREATE EXTENSION pg_stat_statements" >/dev/null
pg_settings=$("${psql[@]}" -d postgres -At -c \
  "SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings
   WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers')")

# --- what a run cost the database ---------------------------------------------

# counters DB: one line "wal_lsn wal_bytes wal_records wal_fpi commits rows"
# (rows: tuples inserted, updated and deleted in DB's tables).
counters() {
  "${psql[@]}" -d "$1" -At -F ' ' -c "
    SELECT pg_current_wal_lsn() - '0/0', w.wal_bytes, w.wal_records, w.wal_fpi,
           (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
           (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables)
    FROM pg_stat_wal w"
}
# A backend reports its statistics at the latest when it exits: the load's
# clients are gone before the "after" counters are read (WAL positions are
# exact at any time).
settle_stats() { sleep 0.5; }
# cost NAME BEFORE AFTER RESERVATIONS: "$work/NAME.cost" holds per-reservation
# WAL bytes, WAL records, full-page images, rows, and reservations per commit.
cost() {
  local name=$1 before=$2 after=$3 reservations=$4
  jq -n --arg b "$before" --arg a "$after" --argjson n "$reservations" '
    ($b | split(" ") | map(tonumber)) as $x | ($a | split(" ") | map(tonumber)) as $y |
    { walBytes: (($y[0] - $x[0]) / $n), walRecords: (($y[2] - $x[2]) / $n),
      fullPageImages: (($y[3] - $x[3]) / $n), rows: (($y[5] - $x[5]) / $n),
      commits: ($y[4] - $x[4]), perCommit: ($n / ([($y[4] - $x[4]), 1] | max)) }' \
    >"$work/$name.cost"
}
# --- 1. the lessons: one transaction per request on one row -----------------

"${psql[@]}" -d lessons -f "$lessons/schema.sql"
cp "$lessons/reserve.sql" "$work/reserve.sql"
pgbench_command="pgbench -n -h 127.0.0.1 -p $pg_port -U postgres -f reserve.sql -c $pg_clients -j 2 -T $duration lessons"
settle_stats
lessons_before=$(counters lessons)
log "lessons: $pgbench_command"
timeout $((duration * 6 + 30)) pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres \
  -f "$work/reserve.sql" -c "$pg_clients" -j 2 -T "$duration" lessons >"$work/pgbench.out" 2>&1 ||
  die "pgbench: $(tail -n 5 "$work/pgbench.out")"
lessons_rate=$(awk '/^tps = / { print $3 + 0; exit }' "$work/pgbench.out")
lessons_latency=$(awk '/^latency average = / { print $4 + 0; exit }' "$work/pgbench.out")
lessons_rows=$("${psql[@]}" -d lessons -At -c "SELECT count(*) FROM reservations")
settle_stats
lessons_after=$(counters lessons)

cost lessons "$lessons_before" "$lessons_after" "$lessons_rows"

# --- 2 and 3: allot ------------------------------------------------------------

# start_allot NAME DB [BIN]: sets allot_url and allot_pid.
start_allot() {
  local name=$1 db=$2 bin=${3:-$build/allot}
  "$bin" serve --listen 127.0.0.1:0 --db "postgres://postgres@127.0.0.1:$pg_port/$db" \
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

# create_hot URL: the one hot item every run reserves on.
create_hot() {
  curl -sf -XPOST "$1/api/v1/items" -d '{"id":"hot","name":"hot","onHand":1000000000}' >/dev/null ||
    die "cannot create the hot item at $1"
}

# bench_command URLS: the allot-bench command line (for the report too).
bench_command() {
  echo "allot-bench --url $1 --scenario hot-item --item hot --connections $connections" \
    "--duration $duration --threads $client_threads"
}

# run_bench NAME URLS: allot-bench; its JSON in $work/NAME.json.
run_bench() {
  local name=$1 urls=$2
  log "$name: $(bench_command "$urls")"
  timeout $((duration * 6 + 60)) "$build/allot-bench" --url "$urls" --scenario hot-item \
    --item hot --connections "$connections" --duration "$duration" --threads "$client_threads" \
    --no-progress --json "$work/$name.json" >"$work/$name.out" 2>&1 ||
    die "allot-bench ($name): $(tail -n 20 "$work/$name.out")"
  jq -e '.ok != false' "$work/$name.json" >/dev/null 2>&1 ||
    die "allot-bench checks failed ($name): $(cat "$work/$name.out")"
}

rate() { jq '.requestsPerSecond' "$work/$1.json"; }
p99() { jq '.latencyUs.p99 / 1000' "$work/$1.json"; }
created() { jq '[.outcomes[] | select(.status == 201) | .count] | add // 0' "$work/$1.json"; }

# check_db DB [BIN]: allot audit is clean (every counter agrees with the
# records and the journal, whose seqs have no gap), by the build that wrote it.
check_db() {
  "${2:-$build/allot}" audit --db "postgres://postgres@127.0.0.1:$pg_port/$1" \
    >"$work/audit-$1.out" 2>&1 || die "$1: allot audit: $(tail -n 5 "$work/audit-$1.out")"
}

# statements NAME DB: with PROFILE=1, DB's statements by total time since
# the last reset into $work/NAME.statements (ms in all, calls, rows, ms per
# call), and the counts reset for the next run.
statements() {
  [ "$profile" = 1 ] || return 0
  "${psql[@]}" -d postgres -At -F ' | ' -c "
    SELECT round(total_exec_time)::bigint, calls, rows, round((mean_exec_time)::numeric, 3),
           left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$2')
    ORDER BY total_exec_time DESC LIMIT 15" >"$work/$1.statements"
  "${psql[@]}" -d postgres -c "SELECT pg_stat_statements_reset()" >/dev/null
}

# run_one NAME DB BIN: one instance, the hot item; checked and costed.
run_one() {
  local name=$1 db=$2 bin=$3 before
  start_allot "$name" "$db" "$bin"
  urls[$name]=$allot_url
  create_hot "$allot_url"
  settle_stats
  before=$(counters "$db")
  statements discard "$db"
  run_bench "$name" "$allot_url"
  stop_pid "$allot_pid"
  settle_stats
  statements "$name" "$db"
  cost "$name" "$before" "$(counters "$db")" "$(created "$name")"
  check_db "$db" "$bin"
}

# run_three NAME DB BIN: three instances on DB, one hot item.
run_three() {
  local name=$1 db=$2 bin=$3 before three_urls="" pids=() instance pid
  for instance in a b c; do
    start_allot "$name-$instance" "$db" "$bin"
    three_urls="${three_urls:+$three_urls,}$allot_url"
    pids+=("$allot_pid")
  done
  urls[$name]=$three_urls
  create_hot "${three_urls%%,*}"
  settle_stats
  before=$(counters "$db")
  statements discard "$db"
  run_bench "$name" "$three_urls"
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  settle_stats
  statements "$name" "$db"
  cost "$name" "$before" "$(counters "$db")" "$(created "$name")"
  check_db "$db" "$bin"
}

declare -A urls
[ -n "$baseline" ] && run_one base-one base1 "$baseline/allot"
run_one one allot1 "$build/allot"
[ -n "$baseline" ] && run_three base-three base3 "$baseline/allot"
run_three three allot3 "$build/allot"
one_url=${urls[one]}
three_urls=${urls[three]}

one_rate=$(rate one)
three_rate=$(rate three)
ratio_one=$(jq -n "$one_rate / $lessons_rate * 10 | round / 10")
ratio_three=$(jq -n "$three_rate / $lessons_rate * 10 | round / 10")
three_vs_one=$(jq -n "$three_rate / $one_rate * 100 | round / 100")

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
  echo "| run | reservations/s | p99 ms | vs per-request | vs 1 instance |"
  echo "|---|---:|---:|---:|---:|"
  printf '| per-request transactions, %d pgbench clients, one row | %.0f | (avg %s) | 1x | |\n' \
    "$pg_clients" "$lessons_rate" "$lessons_latency"
  printf '| allot, 1 instance, one hot item, %d connections | %.0f | %.1f | %sx | 1x |\n' \
    "$connections" "$one_rate" "$(p99 one)" "$ratio_one"
  printf '| allot, 3 instances on one database and one hot item, %d connections in all | %.0f | %.1f | %sx | %sx |\n' \
    "$connections" "$three_rate" "$(p99 three)" "$ratio_three" "$three_vs_one"
  if [ -n "$baseline" ]; then
    base_one=$(rate base-one)
    base_three=$(rate base-three)
    printf '| %s: allot, 1 instance (same load) | %.0f | %.1f | %sx | 1x |\n' "$baseline_label" \
      "$base_one" "$(p99 base-one)" "$(jq -n "$base_one / $lessons_rate * 10 | round / 10")"
    printf '| %s: allot, 3 instances (same load) | %.0f | %.1f | %sx | %sx |\n' "$baseline_label" \
      "$base_three" "$(p99 base-three)" "$(jq -n "$base_three / $lessons_rate * 10 | round / 10")" \
      "$(jq -n "$base_three / $base_one * 100 | round / 100")"
    echo
    echo "$baseline_label: \`$baseline/allot\`, run right before the same run of this build, on a"
    echo "database of its own in the same cluster, driven by the same allot-bench."
  fi
  echo
  echo "Every allot run passed allot-bench's checks (nothing oversold, held equals the"
  echo "201s) and \`allot audit\` afterwards. The lessons' run committed $lessons_rows reservations."
  echo
  echo "What one reservation cost the database (deltas of pg_current_wal_lsn,"
  echo "pg_stat_wal, pg_stat_user_tables and pg_stat_database over the run):"
  echo
  echo "| run | WAL bytes | WAL records | full-page images | rows written | commits | reservations per commit |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  names="lessons one three"
  [ -n "$baseline" ] && names="$names base-one base-three"
  for name in $names; do
    jq -r --arg name "$name" '"| \($name) | \(.walBytes | round) | \(.walRecords * 10 | round / 10) | \(.fullPageImages * 100 | round / 100) | \(.rows * 10 | round / 10) | \(.commits) | \(.perCommit * 10 | round / 10) |"' \
      "$work/$name.cost"
  done
  echo
  echo "Reading it: per-request transactions on one row are bound by the commit"
  echo "latency (each waits for the row lock of the one before it, so PostgreSQL"
  echo "cannot group their fsyncs). allot takes the row lock once per batch and"
  echo "commits hundreds of reservations with one fsync. Three instances on one"
  echo "row take turns on its lock, batch by batch: a batch holds it from its lock"
  echo "phase to its commit, and takes in what its instance queued while it waited"
  echo "for it (about all of the instance's connections). One instance's batches"
  echo "are larger (all connections feed one queue), three instances have three"
  echo "times the HTTP threads: which wins depends on how much of the two cores"
  echo "other work leaves. What bounds allot here is that CPU, shared by PostgreSQL,"
  echo "the allot processes and the load generator, and each batch's WAL flush."
  echo
  if [ "$profile" = 1 ]; then
    for name in $names; do
      [ -f "$work/$name.statements" ] || continue
      echo "PROFILE=1: the $name run's statements by total time (pg_stat_statements;"
      echo "ms in all, calls, rows, ms per call):"
      echo
      echo '```'
      cat "$work/$name.statements"
      echo '```'
      echo
    done
  fi
  echo "Commands:"
  echo
  echo '```sh'
  [ -n "$baseline" ] &&
    echo "BASELINE_DIR=$baseline BASELINE_LABEL='$baseline_label' bash bench/pg_compare.sh   # this page"
  echo "$pgbench_command    # reserve.sql: see bench/lessons/reserve.sql"
  echo "allot serve --listen 127.0.0.1:0 --db postgres://postgres@127.0.0.1:$pg_port/allot1"
  echo "curl -XPOST URL/api/v1/items -d '{\"id\":\"hot\",\"name\":\"hot\",\"onHand\":1000000000}'"
  echo "$(bench_command "$one_url")"
  echo "allot serve --listen 127.0.0.1:0 --db postgres://postgres@127.0.0.1:$pg_port/allot3   # three times"
  echo "$(bench_command "$three_urls")"
  echo '```'
} >"$report"
cat "$report"
log "wrote $report"
