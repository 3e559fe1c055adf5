// kill -9 of the server, again and again, in the middle of concurrent writes
// on one SQLite database: after every restart each acknowledged write is
// there in the state it was acknowledged in, nothing is oversold, counters
// match the records, idempotency keys replay their answers, and a write
// whose answer was cut off happened fully or not at all. At the end the file
// itself is checked (SQLite's integrity check, `allot audit`) and must agree.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "crash_workload.h"
#include "server_process.h"
#include "sqlite_file.h"

namespace allot::testing {
namespace {

int CyclesFromEnvironment(int fallback) {
  const char* env = std::getenv("ALLOT_CRASH_CYCLES");
  return env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : fallback;
}

TEST(CrashCyclesTest, KillNineUnderWriteLoadLosesNoAcknowledgedWrite) {
  const CrashOptions options{.cycles = CyclesFromEnvironment(10), .seed = CrashSeed()};
  SCOPED_TRACE("rerun with ALLOT_CRASH_SEED=" + std::to_string(options.seed));
  CrashModel model(CrashItems());
  ServerProcess server;
  const auto start = std::chrono::steady_clock::now();
  const CrashReport report = RunCrashCycles(server, options, model);
  ASSERT_EQ(report.cycles, options.cycles) << server.output();
  EXPECT_EQ(model.unavailable_count(), 0) << "storage failed while the disk was fine";

  // The server is dead (SIGKILL); read what it left.
  SqliteFile db(server.db_path());
  ASSERT_TRUE(db.ok()) << db.error();
  EXPECT_EQ(db.Query("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.QueryAll("PRAGMA foreign_key_check"), "");
  CheckAuditAgainstModel(server.db_path(), model);

  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << Summary(report, "SQLite", seconds);
}

}  // namespace
}  // namespace allot::testing
