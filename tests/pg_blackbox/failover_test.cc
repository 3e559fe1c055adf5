// Losing the primary under load: a PostgreSQL 15 primary with a streaming
// synchronous standby, two `allot serve` processes on a multi-host URL,
// concurrent writes with idempotency keys; then kill -9 of every primary
// process and `pg_ctl promote` of the standby. Nothing acknowledged may be
// lost, nothing oversold, the audit must be clean and agree with the model
// (the journal gapless across the failover), and both servers must
// write again on the new primary without a restart. The window of 503s and
// the time from the promote to the first write served are printed.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

#include "api.h"
#include "crash_checks.h"
#include "crash_workload.h"
#include "failover_load.h"
#include "http_client.h"
#include "pg_cluster.h"
#include "server_process.h"

namespace allot::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kServers = 2;
constexpr int kThreadsPerServer = 4;
constexpr std::string_view kNoStandbyWarning = R"("msg":"no synchronous standby")";

double MsBetween(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Polls `condition` every 10 ms until it holds or `limit` passes.
template <typename Condition>
bool WaitFor(Condition condition, milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  while (!condition()) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

int ReadyzStatus(int port) {
  HttpClient client(port, std::chrono::seconds(5));
  return client.Get("/readyz").status;
}

// The refusals each server gave between the kill and its first write after
// the promote: how many, and from the first to the last.
struct RefusalWindow {
  int count = 0;
  std::optional<SteadyTime> first, last;
};

RefusalWindow RefusalsOf(const std::vector<TimedAnswer>& timeline, int server, SteadyTime from,
                         SteadyTime to) {
  RefusalWindow window;
  for (const TimedAnswer& answer : timeline) {
    if (answer.server != server || answer.at < from || answer.at > to) continue;
    if (answer.status / 100 == 2 || answer.status / 100 == 4) continue;
    ++window.count;
    if (!window.first) window.first = answer.at;
    window.last = answer.at;
  }
  return window;
}

TEST(PgFailoverTest, KillNineOfThePrimaryThenPromoteLosesNoAcknowledgedWrite) {
  const auto test_start = steady_clock::now();
  std::string error;
  // Commits wait for the standby's flush (synchronous_commit = on). The
  // standby does not inherit this, so once promoted it commits alone.
  auto primary = PgCluster::Create(&error, "-c synchronous_standby_names=*");
  ASSERT_NE(primary, nullptr) << error;
  // No commit returns before a standby streams, so the standby comes first.
  auto standby = PgCluster::CreateStandby(*primary, &error);
  ASSERT_NE(standby, nullptr) << error;
  ASSERT_TRUE(WaitFor(
      [&] {
        return primary->Query(
                   "postgres",
                   "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == "1";
      },
      milliseconds(30'000)))
      << "the standby never streamed in sync";
  ASSERT_TRUE(primary->Query("postgres", "CREATE DATABASE allot", &error)) << error;

  const std::string url = "postgres://postgres@127.0.0.1:" + std::to_string(primary->port()) +
                          ",127.0.0.1:" + std::to_string(standby->port()) +
                          "/allot?target_session_attrs=read-write";
  ServerProcess servers[kServers];
  std::vector<int> ports;
  for (ServerProcess& server : servers) {
    ASSERT_TRUE(server.Start({"--db", url, "--access-log", "off"}));
    ports.push_back(server.port());
    // A synchronous standby streams: no warning.
    EXPECT_EQ(server.output().find(kNoStandbyWarning), std::string::npos) << server.output();
  }

  CrashModel model(CrashItems());
  Api api(ports[0]);
  for (const auto& [item, stock] : model.initial_stock()) {
    ASSERT_EQ(api.CreateItem(item, stock).status, 201);
  }
  FailoverLoad load(model);
  load.Start(ports, kThreadsPerServer, CrashSeed());
  // Load before the kill: a second, and some writes acknowledged.
  const auto load_start = steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return model.acknowledged_count() >= 200; }, milliseconds(20'000)));
  std::this_thread::sleep_until(load_start + milliseconds(1'000));
  const std::int64_t acknowledged_before = model.acknowledged_count();

  const auto killed = steady_clock::now();
  ASSERT_TRUE(primary->KillNine(&error)) << error;
  // /readyz follows the database: down while no host takes writes.
  for (int port : ports) {
    EXPECT_TRUE(WaitFor([&] { return ReadyzStatus(port) == 503; }, milliseconds(10'000)))
        << "/readyz stayed 200 with no primary";
  }
  // A failover manager takes seconds to decide; here the standby is
  // promoted a second after the loss, so the outage is seen.
  std::this_thread::sleep_until(killed + milliseconds(1'000));
  const auto promoting = steady_clock::now();
  ASSERT_TRUE(standby->Promote(&error)) << error;
  const auto promoted = steady_clock::now();

  std::optional<SteadyTime> serving[kServers];
  for (int i = 0; i < kServers; ++i) {
    EXPECT_TRUE(
        WaitFor([&] { return (serving[i] = load.FirstSuccessSince(i, promoting)).has_value(); },
                milliseconds(20'000)))
        << "server " << i << " did not write again after the promote";
    EXPECT_TRUE(WaitFor([&] { return ReadyzStatus(ports[i]) == 200; }, milliseconds(10'000)));
  }
  std::this_thread::sleep_for(milliseconds(1'000));  // load on the new primary
  const FailoverLoadReport report = load.Stop();
  EXPECT_EQ(report.unsettled, 0);
  EXPECT_GT(model.acknowledged_count(), acknowledged_before);
  // The failover was seen: writes were refused or cut off meanwhile.
  EXPECT_GT(model.unavailable_count() + report.unknown, 0);

  // Everything acknowledged, on every server, read back and replayed.
  CheckRecordsOverHttp(ports[0], model);
  CheckRecordsOverHttp(ports[1], model);
  const std::vector<AcknowledgedWrite> acknowledged = model.acknowledged_in(0);
  std::vector<std::jthread> replayers;
  constexpr int kReplayers = 8;
  for (int r = 0; r < kReplayers; ++r) {
    replayers.emplace_back([&, r] {
      std::vector<AcknowledgedWrite> share;
      for (std::size_t n = r; n < acknowledged.size(); n += kReplayers) {
        share.push_back(acknowledged[n]);
      }
      CheckReplays(ports[r % kServers], share);
    });
  }
  replayers.clear();
  for (ServerProcess& server : servers) server.Kill();

  // The new primary holds exactly what the model says, and audits clean.
  CheckDatabaseAgainstModel(
      [&](std::string_view sql) {
        std::string sql_error;
        std::optional<std::string> value = standby->Query("allot", sql, &sql_error);
        if (!value) ADD_FAILURE() << sql << ": " << sql_error;
        return value;
      },
      model);
  // allot audit on the new primary: clean (the journal has no gap and every
  // counter agrees with it), and the model's counts.
  CheckAuditAgainstModel(standby->Url("allot"), model);

  // The numbers, for the log.
  const std::vector<TimedAnswer> timeline = load.timeline();
  std::ostringstream line;
  line << "[failover] " << model.acknowledged_count() << " acknowledged writes ("
       << acknowledged_before << " before the kill), " << report.sent << " requests, "
       << model.unavailable_count() << " answered 503 unavailable, " << report.unknown
       << " outcome unknown (" << report.settled_done << " had been done, " << report.settled_ran
       << " ran on resend); kill to promote " << MsBetween(killed, promoting)
       << " ms, pg_ctl promote " << MsBetween(promoting, promoted) << " ms";
  for (int i = 0; i < kServers; ++i) {
    if (!serving[i]) continue;
    const RefusalWindow window = RefusalsOf(timeline, i, killed, *serving[i]);
    line << "; server " << i << ": writes again " << MsBetween(promoting, *serving[i])
         << " ms after the promote, " << window.count << " refusals over "
         << (window.first ? MsBetween(*window.first, *window.last) : 0.0) << " ms";
  }
  line << "; test " << MsBetween(test_start, steady_clock::now()) << " ms\n";
  std::cout << line.str();
}

// Without a standby the server says, at startup, that an acknowledged write
// lives on one machine.
TEST(PgFailoverTest, WarnsAtStartupWithoutASynchronousStandby) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ASSERT_FALSE(db.empty());
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--db", cluster->Url(db)}));
  EXPECT_TRUE(server.WaitForOutput(kNoStandbyWarning)) << server.output();
  EXPECT_TRUE(server.WaitForOutput("synchronous_standby_names is empty")) << server.output();
}

}  // namespace
}  // namespace allot::testing
