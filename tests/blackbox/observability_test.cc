// What an operator sees of the real server: /metrics scraped and parsed
// after real requests, and stdout read line by line as JSON (startup
// configuration without secrets, migrations, the listening line, one access
// line per request, shutdown).
#include <signal.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "blackbox.h"
#include "json_lines.h"
#include "prometheus_text.h"

namespace allot::testing {
namespace {

using ObservabilityTest = BlackboxTest;

// GET /metrics, parsed; a gtest failure for anything not well-formed.
Exposition Scrape(HttpClient& client) {
  Response response = client.Get("/metrics");
  EXPECT_EQ(response.status, 200) << Describe(response);
  Exposition exposition = ParseExposition(response.body);
  for (const std::string& problem : exposition.problems) ADD_FAILURE() << problem;
  return exposition;
}

double Requests(const Exposition& e, std::string_view route, std::string_view code) {
  return e
      .Value("allot_http_requests_total",
             {{"route", std::string(route)}, {"code", std::string(code)}})
      .value_or(0);
}

double Refusals(const Exposition& e, std::string_view code) {
  return e.Value("allot_refusals_total", {{"code", std::string(code)}}).value_or(-1);
}

TEST_F(ObservabilityTest, MetricsFollowAReservationAnOutOfStockAndA404) {
  MakeItem("obs-hot", 1);
  Exposition before = Scrape(api().client());

  ASSERT_EQ(api().Reserve("u1", "obs-hot", 1).status, 201);
  ASSERT_TRUE(IsOutOfStock(api().Reserve("u2", "obs-hot", 1), "obs-hot", 1, 0));
  ASSERT_TRUE(IsNotFound(api().GetItem("obs-missing-item"), "item", "obs-missing-item"));
  ASSERT_EQ(api().client().Get("/obs/no/such/path").status, 404);
  Exposition after = Scrape(api().client());

  const std::string reservations = "/api/v1/reservations";
  EXPECT_EQ(Requests(after, reservations, "201") - Requests(before, reservations, "201"), 1);
  EXPECT_EQ(Requests(after, reservations, "409") - Requests(before, reservations, "409"), 1);
  EXPECT_EQ(Requests(after, "/api/v1/items/{id}", "404"), 1);
  EXPECT_EQ(Requests(after, "unmatched", "404"), 1);
  EXPECT_EQ(Refusals(after, "out_of_stock") - Refusals(before, "out_of_stock"), 1);
  EXPECT_EQ(Refusals(after, "not_found") - Refusals(before, "not_found"), 2);
  EXPECT_EQ(after.Value("allot_reservations_created_total"), 1);
  EXPECT_EQ(after.Value("allot_http_request_duration_seconds_count", {{"route", reservations}}), 2);
  EXPECT_GE(after.Sum("allot_batch_commands_count"), 2);  // the item and the reservation
  EXPECT_GE(after.Value("allot_open_connections").value_or(0), 1);
  for (const std::string& route : after.LabelValues("allot_http_requests_total", "route")) {
    EXPECT_EQ(route.find("obs-"), std::string::npos) << "a raw path as a label: " << route;
  }
  for (const char* histogram : {"allot_http_request_duration_seconds", "allot_batch_commands",
                                "allot_commit_duration_seconds"}) {
    EXPECT_EQ(after.types[histogram], "histogram") << histogram;
  }
}

TEST_F(ObservabilityTest, OpenConnectionsRiseAndFall) {
  const double baseline = Scrape(api().client()).Value("allot_open_connections").value_or(-1);
  EXPECT_EQ(baseline, 1);  // the scraping connection itself
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<HttpClient>(port()));
    ASSERT_EQ(clients.back()->Get("/healthz").status, 200);  // kept alive
  }
  EXPECT_EQ(Scrape(api().client()).Value("allot_open_connections"), baseline + 5);
  clients.clear();  // closed by the client; the server notices at once
  double open = -1;
  for (int i = 0; i < 200; ++i) {
    open = Scrape(api().client()).Value("allot_open_connections").value_or(-1);
    if (open == baseline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(open, baseline);
}

TEST_F(ObservabilityTest, ExpiredHoldsAreCounted) {
  MakeItem("obs-brief", 3);
  ASSERT_EQ(api().Reserve("u1", "obs-brief", 2, 1).status, 201);
  // The sweeper runs every second; the hold is due after one.
  double expired = 0;
  for (int i = 0; i < 100 && expired < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    expired = Scrape(api().client()).Value("allot_holds_expired_total").value_or(0);
  }
  EXPECT_EQ(expired, 1);
}

TEST_F(ObservabilityTest, EveryOutputLineIsJsonWithAnAccessLineForEachRequest) {
  const std::string token = "obs-token-SECRET-7f3a";
  MakeItem("obs-log", 1);
  Response reserved =
      api().Post("/reservations", R"({"userId":"obs-body-user","itemId":"obs-log","qty":1})",
                 {{"Authorization", "Bearer " + token}, {"X-Request-Id", "obs-req-1"}});
  ASSERT_EQ(reserved.status, 201) << Describe(reserved);
  ASSERT_EQ(api().Reserve("u2", "obs-log", 1).status, 409);
  ASSERT_EQ(api().client().Get("/obs/unknown/path").status, 404);
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  ASSERT_TRUE(ExitedZero(server_.Wait())) << server_.output();

  const std::string output = server_.output();
  std::vector<json::object> records = ParseJsonLines(output);
  for (const json::object& record : records) {
    ASSERT_TRUE(ParseTimestampMs(GetString(record, "time").value_or(""))) << record;
    const std::string level = GetString(record, "level").value_or("");
    EXPECT_TRUE(level == "info" || level == "warn" || level == "error" || level == "debug")
        << record;
  }
  for (const char* secret : {token.c_str(), "Bearer", "obs-body-user", "obs/unknown"}) {
    EXPECT_EQ(output.find(secret), std::string::npos) << secret << " in the output:\n" << output;
  }

  // Startup: the effective configuration, then migrations, then listening.
  auto starting = WithMessage(records, "starting");
  ASSERT_EQ(starting.size(), 1u) << output;
  EXPECT_EQ(GetString(starting[0], "listen"), "127.0.0.1:0");
  EXPECT_EQ(GetString(starting[0], "db"), server_.db_path());
  EXPECT_EQ(GetString(starting[0], "store"), "sqlite");
  EXPECT_EQ(GetString(starting[0], "sync"), "full");
  EXPECT_EQ(GetString(starting[0], "logLevel"), "info");
  EXPECT_TRUE(GetInt(starting[0], "batchMax") && GetInt(starting[0], "queueMax")) << starting[0];
  auto migrations = WithMessage(records, "migration applied");
  ASSERT_GE(migrations.size(), 1u) << output;
  EXPECT_EQ(GetInt(migrations[0], "version"), 1);
  const std::string listening =
      "listening on http://127.0.0.1:" + std::to_string(port()) + " (db " + server_.db_path() + ")";
  EXPECT_EQ(WithMessage(records, listening).size(), 1u) << output;

  // One access line per request, in the order answered on this connection.
  auto requests = WithMessage(records, "request");
  ASSERT_EQ(requests.size(), 4u) << output;  // item, reservation, refusal, unknown path
  const json::object& created = requests[1];
  EXPECT_EQ(GetString(created, "requestId"), "obs-req-1");
  EXPECT_EQ(GetString(created, "method"), "POST");
  EXPECT_EQ(GetString(created, "route"), "/api/v1/reservations");
  EXPECT_EQ(GetInt(created, "status"), 201);
  EXPECT_EQ(GetString(created, "principal"), "");
  ASSERT_TRUE(created.contains("latencyMs") && created.at("latencyMs").is_number()) << created;
  EXPECT_GE(created.at("latencyMs").to_number<double>(), 0.0);
  EXPECT_FALSE(created.contains("error"));
  EXPECT_EQ(GetString(requests[2], "error"), "out_of_stock");
  EXPECT_EQ(GetString(requests[3], "route"), "unmatched");
  EXPECT_EQ(GetInt(requests[3], "status"), 404);

  EXPECT_EQ(WithMessage(records, "stopping").size(), 1u);
  ASSERT_EQ(WithMessage(records, "stopped").size(), 1u);
  EXPECT_EQ(GetString(records.back(), "msg"), "stopped");
}

TEST(ObservabilityStartupTest, APostgresPasswordIsNeverPrinted) {
  // Nothing listens on port 1, so the server reports the failed connection
  // and exits 1; everything it printed on the way must hide the password.
  ServerProcess server;
  const std::string password = "pw-Obs-9d2c";
  ::testing::AssertionResult started =
      server.Start({"--db", "postgres://allot:" + password + "@127.0.0.1:1/allot"});
  ASSERT_FALSE(started);
  const std::string output = server.output();
  EXPECT_EQ(output.find(password), std::string::npos) << output;
  std::vector<json::object> records = ParseJsonLines(output);
  auto starting = WithMessage(records, "starting");
  ASSERT_EQ(starting.size(), 1u) << output;
  EXPECT_EQ(GetString(starting[0], "db"), "postgres://allot:***@127.0.0.1:1/allot");
  EXPECT_EQ(GetString(starting[0], "store"), "postgres");
  auto failed = WithMessage(records, "cannot open the database");
  ASSERT_EQ(failed.size(), 1u) << output;
  EXPECT_EQ(GetString(failed[0], "level"), "error");
  EXPECT_FALSE(GetString(failed[0], "error").value_or("").empty());
}

}  // namespace
}  // namespace allot::testing
