// Three `allot serve` processes on one PostgreSQL database, spoken to over
// HTTP as a load balancer would: simultaneous reservations spread over all
// three never oversell, a hold made on one is seen (and expires) on all, and
// killing one in the middle of a load loses no acknowledged write.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api.h"
#include "concurrent.h"
#include "http_client.h"
#include "pg_cluster.h"
#include "audit_run.h"
#include "change_follower.h"
#include "pg_invariants.h"
#include "server_process.h"

namespace allot::testing {
namespace {

constexpr int kServers = 3;

class MultiInstanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = SharedPgCluster();
    ASSERT_NE(cluster_, nullptr);
    db_ = cluster_->NewDatabase();
    ASSERT_FALSE(db_.empty());
    // A later --db overrides the SQLite path ServerProcess passes.
    for (ServerProcess& server : servers_) {
      ASSERT_TRUE(server.Start({"--db", cluster_->Url(db_)}));
    }
  }

  std::string Url() const { return cluster_->Url(db_); }

  std::string Sql(std::string_view sql) {
    std::string error;
    auto value = cluster_->Query(db_, sql, &error);
    EXPECT_TRUE(value.has_value()) << sql << ": " << error;
    return value.value_or("error");
  }

  PgCluster* cluster_ = nullptr;
  std::string db_;
  ServerProcess servers_[kServers];
};

std::string ReserveBody(std::string_view user, const json::array& lines) {
  return json::serialize(json::object{{"userId", user}, {"lines", lines}});
}

TEST_F(MultiInstanceTest, SimultaneousReservationsOnThreeInstancesNeverOversell) {
  Api api(servers_[0].port());
  ASSERT_EQ(api.CreateItem("hot", 250).status, 201);
  ASSERT_EQ(api.CreateItem("x", 60).status, 201);
  ASSERT_EQ(api.CreateItem("y", 60).status, 201);

  // 120 connections per instance, released together: 270 want one "hot"
  // unit (250 exist), 90 want x and y, in crossing line orders.
  constexpr int kPerServer = 120;
  std::vector<HttpClient> clients;
  for (ServerProcess& server : servers_) {
    for (HttpClient& client : OpenConnections(server.port(), kPerServer)) {
      clients.push_back(std::move(client));
    }
  }
  std::vector<Response> responses = RunTogether(clients, [](int i, HttpClient& client) {
    const std::string user = "u" + std::to_string(i);
    json::array lines;
    if (i % 4 != 3) {
      lines = {Line("hot", 1)};
    } else if (i % 8 == 3) {
      lines = {Line("x", 1), Line("y", 1)};
    } else {
      lines = {Line("y", 1), Line("x", 1)};
    }
    return client.Post(ApiPath("/reservations"), ReserveBody(user, lines));
  });

  int hot_created = 0, pair_created = 0;
  std::vector<std::string> ids;
  for (int i = 0; i < static_cast<int>(responses.size()); ++i) {
    const Response& r = responses[i];
    ASSERT_TRUE(r.status == 201 || r.status == 409) << i << ": " << Describe(r);
    if (r.status == 409) {
      EXPECT_EQ(ErrorCode(r), "out_of_stock");
      continue;
    }
    (i % 4 != 3 ? hot_created : pair_created)++;
    ids.push_back(GetString(JsonBody(r), "id").value_or(""));
  }
  EXPECT_EQ(hot_created, 250);  // all of it, and not one more
  EXPECT_EQ(pair_created, 60);
  // Every instance sees the same counters.
  for (ServerProcess& server : servers_) {
    Api other(server.port());
    EXPECT_EQ(other.Counts("hot"), (ItemCounts{250, 250, 0, 0}));
    EXPECT_EQ(other.Counts("x"), (ItemCounts{60, 60, 0, 0}));
    EXPECT_EQ(other.Counts("y"), (ItemCounts{60, 60, 0, 0}));
  }
  // Confirm a third of them through another instance than made them.
  for (std::size_t n = 0; n < ids.size(); n += 3) {
    Api other(servers_[n % kServers].port());
    ASSERT_EQ(other.Confirm(ids[n]).status, 200) << ids[n];
  }
  EXPECT_EQ(Sql("SELECT count(*) FROM reservations"), std::to_string(ids.size()));
  EXPECT_EQ(Sql(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditsClean(Url()));
  EXPECT_EQ(Sql("SELECT sum(sold) FROM items"), Sql("SELECT sum(qty) FROM order_lines"));
}

TEST_F(MultiInstanceTest, HoldOnOneInstanceIsSeenByAllAndItsExpiryFreesStockForAll) {
  Api first(servers_[0].port()), second(servers_[1].port()), third(servers_[2].port());
  ASSERT_EQ(first.CreateItem("last-one", 1).status, 201);
  Response held = first.Reserve("alice", "last-one", 1, /*ttl_seconds=*/1);
  ASSERT_EQ(held.status, 201) << Describe(held);
  const std::string id = GetString(JsonBody(held), "id").value_or("");

  Response seen = second.GetReservation(id);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(GetString(JsonBody(seen), "status"), "held");
  EXPECT_EQ(third.Counts("last-one"), (ItemCounts{1, 1, 0, 0}));
  Response refused = third.Reserve("bob", "last-one", 1);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(ErrorCode(refused), "out_of_stock");

  // After the expiry (by the database's clock) every instance can sell it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1'300));
  EXPECT_EQ(third.Counts("last-one").available, 1);
  Response taken = second.Reserve("bob", "last-one", 1);
  ASSERT_EQ(taken.status, 201) << Describe(taken);
  Response expired = third.GetReservation(id);
  EXPECT_EQ(GetString(JsonBody(expired), "status"), "expired");
  EXPECT_EQ(first.Counts("last-one"), (ItemCounts{1, 1, 0, 0}));
  EXPECT_EQ(Sql(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditsClean(Url()));
}

TEST_F(MultiInstanceTest, KillingOneInstanceMidLoadLosesNoAcknowledgedWrite) {
  Api api(servers_[0].port());
  ASSERT_EQ(api.CreateItem("stock", 1'000'000).status, 201);

  std::atomic<bool> stop = false, killed = false;
  std::mutex mu;
  std::vector<std::string> acknowledged;  // 201s, from every instance
  std::atomic<int> survivors_ok_after_kill = 0, survivors_failed = 0;
  auto load = [&](int server, int thread) {
    HttpClient client(servers_[server].port(), std::chrono::seconds(10));
    for (int n = 0; !stop.load(); ++n) {
      const std::string user = "u" + std::to_string(server) + "-" + std::to_string(thread);
      Response r =
          client.Post(ApiPath("/reservations"), ReserveBody(user, json::array{Line("stock", 1)}));
      if (r.status == 201) {
        std::lock_guard lock(mu);
        acknowledged.push_back(GetString(JsonBody(r), "id").value_or(""));
        if (server != 1 && killed.load()) ++survivors_ok_after_kill;
      } else if (server != 1) {
        ++survivors_failed;
        ADD_FAILURE() << "instance " << server << ": " << Describe(r);
      } else if (!killed.load()) {
        ADD_FAILURE() << "instance 1 before the kill: " << Describe(r);
      } else {
        return;  // the killed instance: connection refused from now on
      }
    }
  };
  std::vector<std::thread> threads;
  for (int server = 0; server < kServers; ++server) {
    for (int thread = 0; thread < 8; ++thread) threads.emplace_back(load, server, thread);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));
  killed = true;
  ASSERT_TRUE(servers_[1].Terminate(SIGKILL));
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));
  stop = true;
  for (std::thread& thread : threads) thread.join();

  EXPECT_GT(survivors_ok_after_kill.load(), 0);
  EXPECT_EQ(survivors_failed.load(), 0);
  // Every acknowledged reservation is stored, whichever instance made it.
  std::set<std::string> unique(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(unique.size(), acknowledged.size());
  ASSERT_FALSE(unique.empty());
  std::string list;
  for (const std::string& id : unique) list += (list.empty() ? "'" : ",'") + id + "'";
  EXPECT_EQ(Sql("SELECT count(*) FROM reservations WHERE id IN (" + list + ")"),
            std::to_string(unique.size()));
  // A batch may have committed just before the kill without being answered.
  EXPECT_GE(std::stoll(Sql("SELECT count(*) FROM reservations")),
            static_cast<long long>(unique.size()));
  EXPECT_EQ(Sql(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditsClean(Url()));
  Api survivor(servers_[2].port());
  EXPECT_EQ(survivor.Counts("stock").held, std::stoll(Sql("SELECT count(*) FROM reservations")));
}

}  // namespace
}  // namespace allot::testing

namespace allot::testing {
namespace {

// One feed for all three: while clients write through every instance, a
// follower asking each instance in turn sees every seq once, in order, and
// the changes rebuild every counter the database holds.
TEST_F(MultiInstanceTest, TheChangeFeedIsGaplessAcrossThreeInstances) {
  const std::vector<int> ports{servers_[0].port(), servers_[1].port(), servers_[2].port()};
  ChangeFollower follower(ports, 0, 41, 1000);
  MixedWriteCounts writes = MixedWrites(ports, 12, 40, "pg", 11);
  EXPECT_TRUE(writes.failures.empty()) << ::testing::PrintToString(writes.failures);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // expiries, swept
  ASSERT_TRUE(follower.CatchUp(std::chrono::seconds(30))) << "followed to " << follower.last_seq();
  follower.Stop();
  EXPECT_TRUE(follower.violations().empty()) << ::testing::PrintToString(follower.violations());
  Replayed replayed = ReplayChanges(follower.changes());
  EXPECT_TRUE(replayed.problems.empty()) << ::testing::PrintToString(replayed.problems);
  Api api(servers_[1].port());
  for (const std::string& id : writes.items) {
    ItemCounts counts = api.Counts(id);
    EXPECT_EQ(replayed.items[id], (ReplayedItem{counts.on_hand, counts.held, counts.sold})) << id;
  }
  for (const std::string& id : writes.accounts) {
    json::object account = JsonBody(api.Get("/accounts/" + id));
    EXPECT_EQ(replayed.accounts[id], (ReplayedAccount{GetInt(account, "balance").value_or(-1),
                                                      GetInt(account, "held").value_or(-1)}))
        << id;
  }
  EXPECT_EQ(Sql("SELECT seq FROM journal_head"), std::to_string(follower.last_seq()));
  EXPECT_TRUE(AuditsClean(Url()));
}

}  // namespace
}  // namespace allot::testing
