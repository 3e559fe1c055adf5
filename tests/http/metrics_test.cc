#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace allot::http {
namespace {

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

}  // namespace
}  // namespace allot::http
