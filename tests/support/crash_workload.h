// Repeated kill -9 of `allot serve` under concurrent write load, written once
// for SQLite and PostgreSQL: start the server, resolve the writes whose
// answers the last kill cut off, check everything acknowledged so far over
// HTTP, fire writes from several keep-alive connections, SIGKILL the server
// after a random short delay, and again. Every check is a gtest assertion.
#ifndef ALLOT_TESTS_SUPPORT_CRASH_WORKLOAD_H_
#define ALLOT_TESTS_SUPPORT_CRASH_WORKLOAD_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crash_model.h"
#include "server_process.h"

namespace allot::testing {

struct CrashOptions {
  int cycles = 10;
  int threads = 6;
  // The kill comes a random time in [min_load, max_load] after the cycle's
  // first acknowledged write.
  std::chrono::milliseconds min_load{50};
  std::chrono::milliseconds max_load{400};
  std::uint64_t seed = 1;
  // Arguments for `allot serve` after the ServerProcess defaults (e.g. a
  // PostgreSQL --db).
  std::vector<std::string> server_args;
};

struct CrashReport {
  int cycles = 0;
  std::int64_t acknowledged = 0;        // 2xx writes, all checked after every restart
  std::int64_t unanswered = 0;          // cut off by a kill, resolved by resending
  std::int64_t unanswered_applied = 0;  // ...of which had committed before the kill
  std::int64_t replays_checked = 0;     // acknowledged writes resent after a restart
  std::int64_t records_checked = 0;     // reservation and order reads compared
};

// One line for the test log: "<store>: N kill -9 cycles in S s, ...".
std::string Summary(const CrashReport& report, std::string_view store, double seconds);

// The items the workload uses: one hot item with little stock (it runs out
// and is restocked by adjustments) and three with plenty.
std::map<std::string, std::int64_t> CrashItems();

// Runs options.cycles kill cycles on `server` (not running yet; restarted on
// the same database each cycle), then starts it once more, resolves and
// checks everything (exactly, once the short holds have run out), and kills
// it. Afterwards the database holds exactly what `model` describes.
CrashReport RunCrashCycles(ServerProcess& server, const CrashOptions& options, CrashModel& model);

// Runs one SQL query on the stopped server's database and returns the first
// column of the first row ("" for no row), nullopt on error.
using SqlQuery = std::function<std::optional<std::string>(std::string_view sql)>;

// Cross-checks a database that keeps record tables (PostgreSQL) against
// `model` with SQL: every item's counters against its holds, reservations
// and orders, and against the model; the number of reservations and orders
// per status.
void CheckDatabaseAgainstModel(const SqlQuery& query, const CrashModel& model);

// Cross-checks any database against `model` through `allot audit --json`
// (the real binary): the audit is clean (every counter agrees with the
// journal and the records, seqs have no gap); every item's counters, less
// the holds already past expiry, are what the model says at the audit's
// instant; and the reservations and orders per status are the model's.
void CheckAuditAgainstModel(const std::string& db, const CrashModel& model);

// The seed: $ALLOT_CRASH_SEED if set, else from the clock (printed, so a
// failure can be rerun).
std::uint64_t CrashSeed();

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_CRASH_WORKLOAD_H_
