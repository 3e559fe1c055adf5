#include "http/metrics.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>
#include <vector>

#include "prometheus_text.h"
#include "test_service.h"

namespace allot::http {
namespace {

using testing::Exposition;
using testing::Labels;
using testing::ParseExposition;

constexpr std::int64_t kT0 = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z

// The exposition parsed; a gtest failure when it is not well-formed (every
// metric needs # HELP and # TYPE, every line must parse).
Exposition Scrape(const Metrics& metrics, std::size_t queue_depth = 0) {
  Exposition exposition = ParseExposition(metrics.Render(queue_depth));
  for (const std::string& problem : exposition.problems) ADD_FAILURE() << problem;
  return exposition;
}

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(MetricsTest, CountsRequestsByRouteAndCode) {
  Metrics metrics;
  metrics.RecordRequest("/api/v1/items/{id}", 200, 0.002);
  metrics.RecordRequest("/api/v1/items/{id}", 200, 0.003);
  metrics.RecordRequest("/api/v1/items/{id}", 404, 0.001);
  metrics.RecordRequest("unmatched", 404, 0.0001);
  std::string text = metrics.Render(7);
  EXPECT_TRUE(Contains(text, "# TYPE allot_http_requests_total counter\n"));
  EXPECT_TRUE(
      Contains(text, "allot_http_requests_total{route=\"/api/v1/items/{id}\",code=\"200\"} 2\n"));
  EXPECT_TRUE(
      Contains(text, "allot_http_requests_total{route=\"/api/v1/items/{id}\",code=\"404\"} 1\n"));
  EXPECT_TRUE(Contains(text, "allot_http_requests_total{route=\"unmatched\",code=\"404\"} 1\n"));
  EXPECT_TRUE(Contains(text, "# TYPE allot_http_request_duration_seconds histogram\n"));
  EXPECT_TRUE(Contains(
      text,
      "allot_http_request_duration_seconds_bucket{route=\"/api/v1/items/{id}\",le=\"0.001\"} 1\n"));
  EXPECT_TRUE(Contains(text,
                       "allot_http_request_duration_seconds_bucket{route=\"/api/v1/items/"
                       "{id}\",le=\"0.0025\"} 2\n"));
  EXPECT_TRUE(Contains(
      text,
      "allot_http_request_duration_seconds_bucket{route=\"/api/v1/items/{id}\",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(Contains(
      text, "allot_http_request_duration_seconds_count{route=\"/api/v1/items/{id}\"} 3\n"));
  EXPECT_TRUE(Contains(text, "# TYPE allot_queue_depth gauge\nallot_queue_depth 7\n"));
}

TEST(MetricsTest, BatchHistograms) {
  Metrics metrics;
  metrics.RecordBatch(1, 150);
  metrics.RecordBatch(100, 2'000);
  std::string text = metrics.Render(0);
  EXPECT_TRUE(Contains(text, "# TYPE allot_batch_commands histogram\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_bucket{le=\"1\"} 1\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_bucket{le=\"64\"} 1\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_bucket{le=\"128\"} 2\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_sum 101\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_count 2\n"));
  EXPECT_TRUE(Contains(text, "# TYPE allot_commit_duration_seconds histogram\n"));
  EXPECT_TRUE(Contains(text, "allot_commit_duration_seconds_bucket{le=\"0.00025\"} 1\n"));
  EXPECT_TRUE(Contains(text, "allot_commit_duration_seconds_bucket{le=\"0.0025\"} 2\n"));
  EXPECT_TRUE(Contains(text, "allot_commit_duration_seconds_count 2\n"));
}

TEST(MetricsTest, RouteLabelsAreBounded) {
  Metrics metrics;
  for (std::size_t i = 0; i < Metrics::kMaxRouteLabels + 10; ++i) {
    metrics.RecordRequest("/r" + std::to_string(i), 200, 0.001);
  }
  std::string text = metrics.Render(0);
  EXPECT_TRUE(Contains(text, "allot_http_requests_total{route=\"other\",code=\"200\"} 10\n"));
  EXPECT_FALSE(Contains(text, "route=\"/r" + std::to_string(Metrics::kMaxRouteLabels + 5) + "\""));
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 10'000; ++i) {
        metrics.RecordRequest("/healthz", 200, 0.0001);
        metrics.RecordBatch(2, 10);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text = metrics.Render(0);
  EXPECT_TRUE(Contains(text, "allot_http_requests_total{route=\"/healthz\",code=\"200\"} 40000\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_count 40000\n"));
  EXPECT_TRUE(Contains(text, "allot_batch_commands_sum 80000\n"));
}

TEST(MetricsTest, RefusalsAreCountedByContractCodeAndEveryCodeIsShown) {
  Metrics metrics;
  metrics.RecordRefusal(ErrorCode::kOutOfStock);
  metrics.RecordRefusal(ErrorCode::kOutOfStock);
  metrics.RecordRefusal(ErrorCode::kNotFound);
  Exposition scraped = Scrape(metrics);
  EXPECT_EQ(scraped.types.at("allot_refusals_total"), "counter");
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "out_of_stock"}}), 2);
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "not_found"}}), 1);
  // Not yet refused, but present at 0.
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "unavailable"}}), 0);
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "invalid_request"}}), 0);
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "outcome_unknown"}}), 0);
  EXPECT_EQ(scraped.LabelValues("allot_refusals_total", "code").size(),
            static_cast<std::size_t>(kLastErrorCode) + 1);
}

TEST(MetricsTest, ReservationTransitionsAndOpenConnections) {
  Metrics metrics;
  metrics.RecordHolds({.reservations_created = 5, .reservations_confirmed = 2});
  metrics.RecordHolds({.reservations_created = 1, .reservations_cancelled = 1, .holds_expired = 3});
  for (int i = 0; i < 3; ++i) metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  Exposition scraped = Scrape(metrics, 4);
  EXPECT_EQ(scraped.Value("allot_reservations_created_total"), 6);
  EXPECT_EQ(scraped.Value("allot_reservations_confirmed_total"), 2);
  EXPECT_EQ(scraped.Value("allot_reservations_cancelled_total"), 1);
  EXPECT_EQ(scraped.Value("allot_holds_expired_total"), 3);
  EXPECT_EQ(scraped.Value("allot_open_connections"), 2);
  EXPECT_EQ(scraped.Value("allot_queue_depth"), 4);
  EXPECT_EQ(scraped.types.at("allot_open_connections"), "gauge");
  EXPECT_EQ(scraped.types.at("allot_holds_expired_total"), "counter");
}

TEST(MetricsTest, ObserveEngineRecordsBatchesAndTransitions) {
  Metrics metrics;
  EngineOptions options;
  metrics.ObserveEngine(options);
  ASSERT_TRUE(options.on_batch && options.on_holds);
  options.on_batch(3, 500);
  options.on_holds({.reservations_created = 3});
  Exposition scraped = Scrape(metrics);
  EXPECT_EQ(scraped.Value("allot_batch_commands_count"), 1);
  EXPECT_EQ(scraped.Value("allot_batch_commands_sum"), 3);
  EXPECT_EQ(scraped.Value("allot_reservations_created_total"), 3);
}

// Through the Handler: what requests do to the exposition.
class HandlerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(service_.ok()); }
  Exposition ScrapeOverHttp() {
    HttpResponse response = service_.Call("GET", "/metrics");
    EXPECT_EQ(response.status, 200);
    Exposition exposition = ParseExposition(response.body);
    for (const std::string& problem : exposition.problems) ADD_FAILURE() << problem;
    return exposition;
  }
  TestService service_{kT0};
};

TEST_F(HandlerMetricsTest, RouteLabelsAreTemplatesWhateverThePath) {
  ASSERT_EQ(service_.Call("POST", "/api/v1/items", R"({"id":"sku-1","onHand":5})").status, 201);
  for (int i = 0; i < 100; ++i) {
    const std::string id = "sku-" + std::to_string(i);
    service_.Call("GET", "/api/v1/items/" + id);
    service_.Call("GET", "/api/v1/reservations/res_" + std::to_string(i));
    service_.Call("GET", "/no/such/path/" + id);
    service_.Call("DELETE", "/api/v1/items/" + id);
  }
  Exposition scraped = ScrapeOverHttp();
  const std::vector<std::string> routes = scraped.LabelValues("allot_http_requests_total", "route");
  EXPECT_EQ(routes, (std::vector<std::string>{"/api/v1/items", "/api/v1/items/{id}",
                                              "/api/v1/reservations/{id}", "unmatched"}));
  EXPECT_EQ(scraped.LabelValues("allot_http_request_duration_seconds_count", "route"), routes);
  EXPECT_EQ(scraped.Value("allot_http_requests_total",
                          {{"route", "/api/v1/items/{id}"}, {"code", "200"}}),
            1);  // sku-1
  EXPECT_EQ(scraped.Value("allot_http_requests_total",
                          {{"route", "/api/v1/items/{id}"}, {"code", "404"}}),
            99);
  EXPECT_EQ(scraped.Value("allot_http_requests_total",
                          {{"route", "/api/v1/items/{id}"}, {"code", "405"}}),
            100);
  EXPECT_EQ(scraped.Value("allot_http_requests_total", {{"route", "unmatched"}, {"code", "404"}}),
            100);
  // 99 unknown items + 100 unknown reservations + 100 unknown paths.
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "not_found"}}), 299);
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "method_not_allowed"}}), 100);
}

TEST_F(HandlerMetricsTest, RefusalsAndReservationsFollowTheRequests) {
  ASSERT_EQ(service_.Call("POST", "/api/v1/items", R"({"id":"hot","onHand":2})").status, 201);
  Exposition before = ScrapeOverHttp();
  EXPECT_EQ(before.Value("allot_reservations_created_total"), 0);
  EXPECT_EQ(before.Value("allot_refusals_total", {{"code", "out_of_stock"}}), 0);

  HttpResponse held =
      service_.Call("POST", "/api/v1/reservations", R"({"userId":"u","itemId":"hot","qty":2})");
  ASSERT_EQ(held.status, 201);
  EXPECT_EQ(
      service_.Call("POST", "/api/v1/reservations", R"({"userId":"u","itemId":"hot","qty":1})")
          .status,
      409);
  EXPECT_EQ(service_.Call("POST", "/api/v1/reservations", R"({"userId":"u"})").status, 400);
  const std::string id(boost::json::parse(held.body).at("id").as_string());
  ASSERT_EQ(service_.Call("POST", "/api/v1/reservations/" + id + "/cancel").status, 200);

  Exposition after = ScrapeOverHttp();
  EXPECT_EQ(after.Value("allot_reservations_created_total"), 1);
  EXPECT_EQ(after.Value("allot_reservations_cancelled_total"), 1);
  EXPECT_EQ(after.Value("allot_reservations_confirmed_total"), 0);
  EXPECT_EQ(after.Value("allot_refusals_total", {{"code", "out_of_stock"}}), 1);
  EXPECT_EQ(after.Value("allot_refusals_total", {{"code", "invalid_request"}}), 1);
  EXPECT_EQ(after.Value("allot_http_requests_total",
                        {{"route", "/api/v1/reservations"}, {"code", "409"}}),
            1);
}

TEST_F(HandlerMetricsTest, AReplayedRefusalCountsUnderItsCode) {
  ASSERT_EQ(service_.Call("POST", "/api/v1/items", R"({"id":"few","onHand":1})").status, 201);
  const HeaderList key = {{"Idempotency-Key", "k-1"}};
  const std::string body = R"({"userId":"u","itemId":"few","qty":5})";
  HttpResponse first = service_.Call("POST", "/api/v1/reservations", body, key);
  HttpResponse replay = service_.Call("POST", "/api/v1/reservations", body, key);
  ASSERT_EQ(first.status, 409);
  ASSERT_EQ(replay.status, 409);
  ASSERT_NE(replay.Header("Idempotent-Replayed"), nullptr);
  EXPECT_EQ(ScrapeOverHttp().Value("allot_refusals_total", {{"code", "out_of_stock"}}), 2);
}

TEST_F(HandlerMetricsTest, RefusedRequestsAreCountedByRouteAndCode) {
  HttpRequest request{"POST", "/api/v1/events", {}, ""};
  HttpResponse refused =
      service_.handler().Refuse(request, Error{ErrorCode::kPayloadTooLarge, "Too large.", {}});
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(refused.error, ErrorCode::kPayloadTooLarge);
  service_.handler().Refuse(HttpRequest{}, Error{ErrorCode::kOverloaded, "Too many.", {}});
  Exposition scraped = ScrapeOverHttp();
  EXPECT_EQ(
      scraped.Value("allot_http_requests_total", {{"route", "/api/v1/events"}, {"code", "413"}}),
      1);
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "payload_too_large"}}), 1);
  EXPECT_EQ(scraped.Value("allot_refusals_total", {{"code", "overloaded"}}), 1);
}

TEST_F(HandlerMetricsTest, TheServerReportsConnectionsThroughTheHandler) {
  RequestHandler& handler = service_.handler();
  handler.ConnectionOpened();
  handler.ConnectionOpened();
  EXPECT_EQ(ScrapeOverHttp().Value("allot_open_connections"), 2);
  handler.ConnectionClosed();
  EXPECT_EQ(ScrapeOverHttp().Value("allot_open_connections"), 1);
}

}  // namespace
}  // namespace allot::http
