// kill -9 of an `allot serve` on PostgreSQL, again and again, in the middle
// of concurrent writes: the same workload and checks as the SQLite black-box
// test (crash_workload.h), then the database itself is read with SQL. A kill
// may cut a batch off before, during or after its COMMIT; PostgreSQL must
// end up with the batch whole or not at all.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "crash_workload.h"
#include "pg_cluster.h"
#include "server_process.h"

namespace allot::testing {
namespace {

TEST(PgCrashCyclesTest, KillNineUnderWriteLoadLosesNoAcknowledgedWrite) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ASSERT_FALSE(db.empty());
  // A later --db overrides the SQLite path ServerProcess passes.
  const CrashOptions options{
      .cycles = 5, .seed = CrashSeed(), .server_args = {"--db", cluster->Url(db)}};
  SCOPED_TRACE("rerun with ALLOT_CRASH_SEED=" + std::to_string(options.seed));
  CrashModel model(CrashItems());
  ServerProcess server;
  const auto start = std::chrono::steady_clock::now();
  const CrashReport report = RunCrashCycles(server, options, model);
  ASSERT_EQ(report.cycles, options.cycles) << server.output();
  EXPECT_EQ(model.unavailable_count(), 0) << "storage failed while the database was fine";

  CheckDatabaseAgainstModel(
      [&](std::string_view sql) {
        std::string error;
        std::optional<std::string> value = cluster->Query(db, sql, &error);
        if (!value) ADD_FAILURE() << sql << ": " << error;
        return value;
      },
      model);
  CheckAuditAgainstModel(cluster->Url(db), model);
  // Every session of a killed server ends (none is left holding locks);
  // a backend notices its client is gone only when it next reads.
  const std::string sessions = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db +
                               "' AND pid <> pg_backend_pid()";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (cluster->Query(db, sessions) != "0" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(cluster->Query(db, sessions), "0");

  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << Summary(report, "PostgreSQL", seconds);
}

}  // namespace
}  // namespace allot::testing
