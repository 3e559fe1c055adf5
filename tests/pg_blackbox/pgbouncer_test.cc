// allot behind pgbouncer (docs/operations.md): in session pooling every
// client connection keeps its server connection, so allot's prepared
// statements and session settings hold and it serves as without a pooler;
// in transaction pooling its named prepared statements meet other
// connections' and it refuses to start.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "api.h"
#include "http_client.h"
#include "pg_bouncer.h"
#include "pg_cluster.h"
#include "pg_invariants.h"
#include "server_process.h"

namespace allot::testing {
namespace {

TEST(PgBouncerTest, SessionPoolingServesWritesAndReadsAcrossManyBatches) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ASSERT_FALSE(db.empty());
  std::string error;
  auto bouncer = PgBouncer::Start(cluster->port(), "session", &error);
  ASSERT_NE(bouncer, nullptr) << error;
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--db", bouncer->Url(db), "--access-log", "off"}));

  Api api(server.port());
  ASSERT_EQ(api.CreateItem("stock", 1'000).status, 201);
  // Sixteen clients, one reservation after another: many batches, on the
  // writer's one pooled connection, with reads between them on the readers'.
  constexpr int kClients = 16, kEach = 20;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(server.port(), std::chrono::seconds(10));
      for (int n = 0; n < kEach; ++n) {
        Response held =
            client.Post(ApiPath("/reservations"),
                        R"({"userId":"u)" + std::to_string(c) + R"(","itemId":"stock","qty":1})");
        ASSERT_EQ(held.status, 201) << Describe(held);
        const std::string id = GetString(JsonBody(held), "id").value_or("");
        Response read = client.Get(ApiPath("/reservations/" + id));
        ASSERT_EQ(read.status, 200) << Describe(read);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(api.Counts("stock"),
            (ItemCounts{1'000, kClients * kEach, 1'000 - kClients * kEach, 0}));
  HttpClient probe(server.port());
  EXPECT_EQ(probe.Get("/readyz").status, 200);
  EXPECT_EQ(cluster->Query(db, "SELECT count(*) FROM reservations"),
            std::to_string(kClients * kEach));
  EXPECT_EQ(cluster->Query(db, kBrokenItemsSql), "0");
}

TEST(PgBouncerTest, TransactionPoolingIsRefusedAtStartup) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ASSERT_FALSE(db.empty());
  std::string error;
  auto bouncer = PgBouncer::Start(cluster->port(), "transaction", &error);
  ASSERT_NE(bouncer, nullptr) << error;
  ServerProcess server;
  EXPECT_FALSE(server.Start({"--db", bouncer->Url(db), "--access-log", "off"}));
  EXPECT_NE(server.output().find("prepared statement"), std::string::npos) << server.output();
}

}  // namespace
}  // namespace allot::testing
