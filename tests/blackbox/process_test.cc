// The process: restart on the same database, graceful stop with requests in
// flight, acknowledged writes surviving SIGKILL, health and metrics.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <barrier>
#include <string>
#include <thread>

#include "blackbox.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

using ProcessTest = BlackboxTest;

std::string RawPost(std::string_view path, std::string_view body) {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

TEST_F(ProcessTest, RestartOnTheSameDatabaseKeepsEverything) {
  MakeItem("keep-1", 20, 10);
  MakeItem("keep-2", 5);
  Response held = api().Reserve("u1", "keep-1", 3);
  Response to_confirm = api().Reserve("u2", "keep-1", 4);
  Response to_cancel = api().Reserve("u3", "keep-2", 2);
  ASSERT_TRUE(held.status == 201 && to_confirm.status == 201 && to_cancel.status == 201);
  std::string held_id = GetString(JsonBody(held), "id").value_or("");
  std::string confirm_id = GetString(JsonBody(to_confirm), "id").value_or("");
  std::string cancel_id = GetString(JsonBody(to_cancel), "id").value_or("");
  ASSERT_EQ(api().Confirm(confirm_id).status, 200);
  ASSERT_EQ(api().CancelReservation(cancel_id).status, 200);
  Response order = api().Order("u4", "keep-2", 1);
  ASSERT_EQ(order.status, 201);
  std::string order_id = GetString(JsonBody(order), "id").value_or("");
  ASSERT_EQ(api().Adjust("keep-2", 7, "delivery").status, 200);
  Headers key = {{"Idempotency-Key", "before-restart"}};
  Response keyed = api().Post("/reservations", R"({"userId":"u5","itemId":"keep-2","qty":1})", key);
  ASSERT_EQ(keyed.status, 201);

  std::vector<std::string> paths = {"/items/keep-1",
                                    "/items/keep-2",
                                    "/reservations/" + held_id,
                                    "/reservations/" + confirm_id,
                                    "/reservations/" + cancel_id,
                                    "/orders/" + order_id,
                                    "/items"};
  std::vector<std::string> before;
  for (const std::string& path : paths) before.push_back(api().Get(path).body);

  ASSERT_TRUE(server_.Terminate(SIGTERM));
  EXPECT_TRUE(ExitedZero(server_.Wait()));
  ASSERT_TRUE(server_.Start());
  Api restarted(server_.port());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    Response now = restarted.Get(paths[i]);
    EXPECT_EQ(now.status, 200) << paths[i];
    EXPECT_EQ(now.body, before[i]) << paths[i];
  }
  EXPECT_EQ(restarted.Counts("keep-1"), (ItemCounts{16, 3, 13, 4}));
  EXPECT_EQ(restarted.Counts("keep-2"), (ItemCounts{11, 1, 10, 1}));
  Response replay =
      restarted.Post("/reservations", R"({"userId":"u5","itemId":"keep-2","qty":1})", key);
  EXPECT_EQ(replay.body, keyed.body);
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  // The restarted server keeps working and keeps counting per user.
  EXPECT_EQ(restarted.Confirm(held_id).status, 200);
  EXPECT_TRUE(IsError(restarted.Reserve("u2", "keep-1", 7), 409, "limit_exceeded"));
}

TEST_F(ProcessTest, AcknowledgedWritesSurviveSigkill) {
  MakeItem("durable", 50);
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    Response held = api().Reserve("u" + std::to_string(i), "durable", 2);
    ASSERT_EQ(held.status, 201) << Describe(held);
    ids.push_back(GetString(JsonBody(held), "id").value_or(""));
  }
  ASSERT_EQ(api().Confirm(ids[0]).status, 200);
  server_.Kill();  // no chance to flush anything after the acknowledgements
  ASSERT_TRUE(server_.Start());
  Api restarted(server_.port());
  EXPECT_EQ(restarted.Counts("durable"), (ItemCounts{48, 18, 30, 2}));
  for (std::size_t i = 1; i < ids.size(); ++i) {
    Response r = restarted.GetReservation(ids[i]);
    EXPECT_EQ(GetString(JsonBody(r), "status"), "held") << Describe(r);
  }
}

TEST_F(ProcessTest, HoldsThatExpireWhileStoppedAreOverAfterRestart) {
  MakeItem("lapsed", 6);
  Response held = api().Reserve("u1", "lapsed", 6, 1);
  ASSERT_EQ(held.status, 201) << Describe(held);
  std::string id = GetString(JsonBody(held), "id").value_or("");
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  EXPECT_TRUE(ExitedZero(server_.Wait()));
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // past expiresAt
  ASSERT_TRUE(server_.Start());
  Api restarted(server_.port());
  EXPECT_EQ(restarted.Counts("lapsed"), (ItemCounts{6, 0, 6, 0}));
  EXPECT_EQ(GetString(JsonBody(restarted.GetReservation(id)), "status"), "expired");
  EXPECT_TRUE(IsError(restarted.Confirm(id), 409, "reservation_expired"));
  EXPECT_EQ(restarted.Reserve("u2", "lapsed", 6).status, 201);
}

TEST_F(ProcessTest, SigtermAnswersEveryRequestInFlightThenExitsZero) {
  MakeItem("flight", 1000);
  constexpr int kClients = 64;
  std::vector<HttpClient> clients = OpenConnections(port(), kClients);
  std::vector<Response> responses(kClients);
  std::vector<char> sent(kClients, 0);
  std::atomic<int> sends_done{0};
  std::barrier start(kClients + 1);
  std::vector<std::jthread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      std::string body = R"({"userId":"u)" + std::to_string(i) + R"(","itemId":"flight","qty":2})";
      start.arrive_and_wait();
      sent[i] = clients[i].SendRaw(RawPost(ApiPath("/reservations"), body));
      sends_done.fetch_add(1);
      sends_done.notify_all();
      if (sent[i]) responses[i] = clients[i].ReadResponse();
    });
  }
  start.arrive_and_wait();
  for (int done = sends_done.load(); done < kClients; done = sends_done.load()) {
    sends_done.wait(done);
  }
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  threads.clear();
  EXPECT_TRUE(ExitedZero(server_.Wait())) << server_.output();

  int acknowledged = 0;
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(sent[i]) << "request " << i << " could not be sent";
    EXPECT_EQ(responses[i].status, 201) << "request " << i << ": " << Describe(responses[i]);
    if (responses[i].status == 201) ++acknowledged;
  }
  ASSERT_TRUE(server_.Start());
  Api restarted(server_.port());
  EXPECT_EQ(restarted.Counts("flight").held, 2 * acknowledged);
}

TEST_F(ProcessTest, SigtermUnderSteadyLoadLosesNothingAcknowledgedAndExitsZero) {
  MakeItem("steady", 100000);
  constexpr int kClients = 32;
  std::vector<HttpClient> clients = OpenConnections(port(), kClients);
  std::atomic<int> answered{0};
  std::atomic<int> created{0};
  std::atomic<int> partial{0};
  std::atomic<int> server_errors{0};
  std::vector<std::jthread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      std::string body = R"({"userId":"s)" + std::to_string(i) + R"(","itemId":"steady","qty":1})";
      for (;;) {
        if (!clients[i].SendRaw(RawPost(ApiPath("/reservations"), body))) return;
        Response r = clients[i].ReadResponse();
        if (!r.ok()) {
          // Closing before answering is fair (the effect check below tells
          // whether it was executed); a response cut short is not.
          if (r.error.rfind("status line:", 0) != 0) ++partial;
          return;
        }
        ++answered;
        if (r.status == 201) ++created;
        if (r.status >= 500) ++server_errors;
        if (r.Header("Connection").value_or("") == "close") return;
      }
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (answered.load() < 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(answered.load(), 200) << "the server answered too slowly";
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  threads.clear();
  EXPECT_TRUE(ExitedZero(server_.Wait())) << server_.output();
  EXPECT_EQ(partial.load(), 0) << "responses reset mid-way";
  EXPECT_EQ(server_errors.load(), 0);

  ASSERT_TRUE(server_.Start());
  Api restarted(server_.port());
  // Every executed request was answered: nothing done without an answer.
  EXPECT_EQ(restarted.Counts("steady").held, created.load());
}

// "listening on" means ready, so a stop signal sent at once must already be
// handled gracefully (exit 0), not kill the process. Repeated because the
// window is short.
TEST_F(ProcessTest, StopSignalRightAfterTheListeningLineExitsZero) {
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    if (round > 0) {
      ASSERT_TRUE(server_.Start());
    }
    ASSERT_TRUE(server_.Terminate(round % 2 == 0 ? SIGINT : SIGTERM));
    EXPECT_TRUE(ExitedZero(server_.Wait())) << server_.output();
  }
}

TEST_F(ProcessTest, HealthAndReadiness) {
  Response health = api().client().Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(JsonBody(health), (json::object{{"status", "ok"}}));
  EXPECT_EQ(api().client().Get("/readyz").status, 200);
}

TEST_F(ProcessTest, MetricsExposeRequestsBatchesAndCommits) {
  MakeItem("metric", 5);
  ASSERT_EQ(api().Reserve("u1", "metric", 1).status, 201);
  ASSERT_EQ(api().Reserve("u1", "metric", 10).status, 409);
  Response metrics = api().client().Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("Content-Type").value_or("").find("text/plain"), std::string::npos);
  const std::string& text = metrics.body;
  for (const char* name :
       {"allot_http_requests_total{", "allot_http_request_duration_seconds_bucket{",
        "allot_http_request_duration_seconds_count", "allot_batch_commands_bucket{",
        "allot_commit_duration_seconds_bucket{", "# TYPE allot_http_requests_total counter",
        "# TYPE allot_http_request_duration_seconds histogram",
        "# TYPE allot_batch_commands histogram", "# TYPE allot_commit_duration_seconds histogram",
        "code=\"201\"", "code=\"409\""}) {
    EXPECT_NE(text.find(name), std::string::npos) << "missing " << name << " in:\n" << text;
  }
}

}  // namespace
}  // namespace allot::testing
