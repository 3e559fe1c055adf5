// Webhooks with three `allot serve` processes on one PostgreSQL database:
// exactly one delivers the webhook at a time (PostgreSQL session advisory
// locks, src/webhooks/postgres_leases.h), and when that one is killed with
// SIGKILL mid-delivery another takes over within seconds; the receiver sees
// every change, in order, with no gap (duplicates are allowed and counted).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "api.h"
#include "http_client.h"
#include "pg_cluster.h"
#include "prometheus_text.h"
#include "server_process.h"
#include "webhook_receiver.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;
constexpr int kServers = 3;

double Delivered(int port) {
  HttpClient client(port);
  Exposition metrics = ParseExposition(client.Get("/metrics").body);
  return metrics.Value("allot_webhook_deliveries_total", {{"result", "delivered"}}).value_or(-1);
}

TEST(PgWebhookTakeoverTest, KillingTheDeliveringInstanceLeavesNoGap) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ServerProcess servers[kServers];
  for (ServerProcess& server : servers) {
    ASSERT_TRUE(server.Start({"--db", cluster->Url(db), "--access-log", "off"}));
  }
  WebhookReceiver receiver;
  receiver.SetScript([](const ReceivedHook&, std::size_t) { return HookAnswer{200, 5ms}; });
  Api api(servers[0].port());
  ASSERT_EQ(api.CreateItem("stock", 1'000'000).status, 201);
  Response created = api.Post("/webhooks", R"({"url":")" + receiver.Url() + R"(","after":0})");
  ASSERT_EQ(created.status, 201) << Describe(created);
  const std::string secret = GetString(JsonBody(created), "secret").value_or("");

  // Writers on every instance, bounded in count and time.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kServers; ++i) {
    writers.emplace_back([&, i] {
      Api writer(servers[i].port(), 2s);
      for (int n = 0; n < 400 && !stop.load(); ++n) {
        if (writer.Reserve("u" + std::to_string(i), "stock", 1).status == 201) ++written;
        std::this_thread::sleep_for(10ms);
      }
    });
  }
  ASSERT_TRUE(receiver.WaitFor([](const auto& r) { return r.size() >= 80; }, 30s));
  // Exactly one instance has delivered anything.
  int deliverer = -1;
  for (int i = 0; i < kServers; ++i) {
    const double delivered = Delivered(servers[i].port());
    if (delivered > 0) {
      EXPECT_EQ(deliverer, -1) << "instances " << deliverer << " and " << i << " both deliver";
      deliverer = i;
    }
  }
  ASSERT_NE(deliverer, -1);
  const auto killed_at = std::chrono::steady_clock::now();
  servers[deliverer].Kill();
  const std::size_t before = receiver.received().size();
  // Another instance takes over.
  ASSERT_TRUE(receiver.WaitFor([&](const auto& r) { return r.size() > before + 20; }, 30s));
  const std::vector<ReceivedHook> after_kill = receiver.received();
  const auto resumed_at = after_kill[before].at;
  const double takeover_s = std::chrono::duration<double>(resumed_at - killed_at).count();
  stop.store(true);
  for (std::thread& writer : writers) writer.join();

  Api survivor(servers[(deliverer + 1) % kServers].port());
  Response probe = survivor.Post("/webhooks", R"({"url":"http://127.0.0.1:9/x"})");
  const std::int64_t head = GetInt(JsonBody(probe), "cursor").value_or(-1);
  survivor.Post("/webhooks/" + GetString(JsonBody(probe), "id").value_or("") + "/disable", "{}");
  ASSERT_TRUE(receiver.WaitFor(
      [&](const auto& hooks) {
        auto acked = AcknowledgedIn(hooks);
        return !acked.empty() && acked.back() >= head;
      },
      60s));
  const std::vector<std::int64_t> acked = receiver.Acknowledged();
  EXPECT_TRUE(NoGap(acked, 1, head));
  const std::int64_t duplicates = static_cast<std::int64_t>(acked.size()) - head;
  std::cout << "[ webhooks ] takeover after kill -9: delivery resumed " << takeover_s
            << " s later; " << head << " changes, " << duplicates << " delivered twice\n";
  RecordProperty("takeover_seconds", std::to_string(takeover_s));
  RecordProperty("duplicates", static_cast<int>(duplicates));
  EXPECT_LT(takeover_s, 5.0);
  // Still one deliverer among the survivors.
  int delivering = 0;
  for (int i = 0; i < kServers; ++i) {
    if (i != deliverer && Delivered(servers[i].port()) > 0) ++delivering;
  }
  EXPECT_EQ(delivering, 1);
  for (const ReceivedHook& hook : receiver.received()) {
    if (hook.seq % 25 == 0) {  // a sample: each check runs the openssl command
      EXPECT_TRUE(VerifySignature(secret, hook.Header("Allot-Signature").value_or(""), hook.body));
    }
  }
}

}  // namespace
}  // namespace allot::testing
