// The access log through the Handler: one JSON line per answered request
// with the contract's fields, nothing from headers or bodies, and nothing at
// all when it is off or the level is above info.
#include "http/access_log.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "json_lines.h"
#include "test_service.h"

namespace allot::http {
namespace {

namespace json = boost::json;
constexpr std::int64_t kT0 = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z

// A logger whose lines are kept in memory.
class CapturedLog {
 public:
  explicit CapturedLog(log::Level level = log::Level::kInfo)
      : logger_(level, [this](std::string_view lines) {
          std::lock_guard lock(mu_);
          text_ += lines;
        }) {}

  log::Logger& logger() { return logger_; }
  std::string text() {
    logger_.Flush();
    std::lock_guard lock(mu_);
    return text_;
  }
  // Every line as a JSON object; a gtest failure for a line that is not one.
  std::vector<json::object> Records() { return testing::ParseJsonLines(text()); }

 private:
  std::mutex mu_;
  std::string text_;
  log::Logger logger_;
};

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(service_.ok()); }

  CapturedLog log_;
  AccessLog access_log_{log_.logger(), true};
  TestService service_{kT0, &access_log_};
};

TEST_F(AccessLogTest, OneLinePerRequestWithTheContractFields) {
  HttpResponse created = service_.Call("POST", "/api/v1/items", R"({"id":"sku-1","onHand":1})",
                                       {{"X-Request-Id", "client-id-1"}});
  ASSERT_EQ(created.status, 201);
  HttpResponse refused =
      service_.Call("POST", "/api/v1/reservations", R"({"userId":"u","itemId":"sku-1","qty":2})");
  ASSERT_EQ(refused.status, 409);
  service_.Call("GET", "/api/v1/items/sku-404");
  service_.Call("GET", "/no/such/path");

  auto records = log_.Records();
  ASSERT_EQ(records.size(), 4u) << log_.text();
  const json::object& first = records[0];
  EXPECT_EQ(first.at("level").as_string(), "info");
  EXPECT_EQ(first.at("msg").as_string(), "request");
  EXPECT_EQ(first.at("requestId").as_string(), "client-id-1");
  EXPECT_EQ(first.at("method").as_string(), "POST");
  EXPECT_EQ(first.at("route").as_string(), "/api/v1/items");
  EXPECT_EQ(first.at("status").as_int64(), 201);
  EXPECT_GE(first.at("latencyMs").to_number<double>(), 0.0);
  EXPECT_EQ(first.at("principal").as_string(), "");
  EXPECT_FALSE(first.contains("error"));
  EXPECT_TRUE(first.at("time").is_string());

  const json::object& second = records[1];
  EXPECT_EQ(second.at("route").as_string(), "/api/v1/reservations");
  EXPECT_EQ(second.at("status").as_int64(), 409);
  EXPECT_EQ(second.at("error").as_string(), "out_of_stock");
  EXPECT_EQ(second.at("requestId").as_string(), *refused.Header("X-Request-Id"));

  EXPECT_EQ(records[2].at("route").as_string(), "/api/v1/items/{id}");
  EXPECT_EQ(records[2].at("error").as_string(), "not_found");
  EXPECT_EQ(records[3].at("route").as_string(), "unmatched");
}

TEST_F(AccessLogTest, NeverHeadersQueriesOrBodies) {
  const std::string token = "Bearer tok-SECRET-abc123";
  service_.Call("POST", "/api/v1/items", R"({"id":"body-secret-id","onHand":1})",
                {{"Authorization", token}, {"Cookie", "session=cookie-secret"}});
  service_.Call("GET", "/api/v1/items?after=query-secret", "", {{"Authorization", token}});
  service_.Call("GET", "/api/v1/items/path-id-123");
  const std::string text = log_.text();
  EXPECT_EQ(log_.Records().size(), 3u);
  for (const char* secret :
       {"SECRET", "Bearer", "cookie-secret", "body-secret-id", "query-secret", "path-id-123"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into:\n" << text;
  }
}

TEST_F(AccessLogTest, RefusedRequestsAreLoggedToo) {
  HttpRequest request{"POST", "/api/v1/items", {{"X-Request-Id", "refused-1"}}, ""};
  service_.handler().Refuse(request, Error{ErrorCode::kPayloadTooLarge, "Too large.", {}});
  auto records = log_.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("requestId").as_string(), "refused-1");
  EXPECT_EQ(records[0].at("status").as_int64(), 413);
  EXPECT_EQ(records[0].at("error").as_string(), "payload_too_large");
  EXPECT_EQ(records[0].at("route").as_string(), "/api/v1/items");
}

TEST(AccessLogSwitchTest, OffOrAboveInfoWritesNothing) {
  CapturedLog quiet(log::Level::kWarn);
  AccessLog filtered(quiet.logger(), true);
  CapturedLog on;
  AccessLog off(on.logger(), false);
  EXPECT_FALSE(filtered.enabled());
  EXPECT_FALSE(off.enabled());
  AccessRecord record{"id", "GET", "/healthz", 200, 0.001, "", std::nullopt};
  filtered.Record(record);
  off.Record(record);
  EXPECT_EQ(quiet.text(), "");
  EXPECT_EQ(on.text(), "");

  AccessLog enabled(on.logger(), true);
  EXPECT_TRUE(enabled.enabled());
  enabled.Record(record);
  EXPECT_EQ(on.Records().size(), 1u);
}

TEST(AccessLogFormatTest, LatencyIsMillisecondsToTheMicrosecond) {
  CapturedLog log;
  AccessLog access_log(log.logger(), true);
  access_log.Record({"id", "GET", "/healthz", 200, 0.0012345678, "alice", std::nullopt});
  const std::string text = log.text();
  EXPECT_NE(text.find("\"latencyMs\":1.235,\"principal\":\"alice\"}"), std::string::npos) << text;
}

}  // namespace
}  // namespace allot::http
