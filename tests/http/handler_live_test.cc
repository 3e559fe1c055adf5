// The handler's dashboard routes without sockets: the page, the event
// stream (its head, its cap, its query) and the reservations the handler
// publishes to it after their commit.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <string>
#include <vector>

#include "http/handler.h"
#include "test_service.h"
#include "web/web_assets.h"

namespace allot::http {
namespace {

namespace json = boost::json;
constexpr std::int64_t kT0 = 1'795'428'000'000;

class HandlerLiveTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(service_.ok()); }

  HttpResponse Call(std::string method, std::string target, std::string body = "") {
    std::promise<HttpResponse> promise;
    auto answer = promise.get_future();
    service_.handler().Handle(
        HttpRequest{std::move(method), std::move(target), {}, std::move(body)},
        [&promise](HttpResponse response) { promise.set_value(std::move(response)); });
    EXPECT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return answer.get();
  }

  static std::string ErrorCodeOf(const HttpResponse& response) {
    return std::string(json::parse(response.body).at("error").at("code").as_string());
  }

  TestService service_{kT0};
};

TEST_F(HandlerLiveTest, ServesTheDashboardPage) {
  HttpResponse page = Call("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(*page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.body, web::DashboardPage());
  EXPECT_NE(page.Header("X-Request-Id"), nullptr);
  // Self-contained: the build inlined the script and the styles, and the
  // policy lets the page load nothing from anywhere else.
  EXPECT_NE(page.body.find("new EventSource("), std::string::npos);
  EXPECT_NE(page.body.find("<style>"), std::string::npos);
  EXPECT_EQ(page.body.find("src=\"dashboard.js\""), std::string::npos);
  EXPECT_EQ(page.body.find("href=\"dashboard.css\""), std::string::npos);
  EXPECT_EQ(page.body.find("http://"), std::string::npos);
  EXPECT_EQ(page.body.find("https://"), std::string::npos);
  ASSERT_NE(page.Header("Content-Security-Policy"), nullptr);
  EXPECT_TRUE(page.Header("Content-Security-Policy")->starts_with("default-src 'none';"));

  EXPECT_EQ(Call("POST", "/", "{}").status, 405);
}

TEST_F(HandlerLiveTest, StreamAnswersWithAnEventStream) {
  HttpResponse response = Call("GET", "/api/v1/stream");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(*response.Header("Content-Type"), "text/event-stream");
  EXPECT_EQ(*response.Header("Cache-Control"), "no-cache");
  ASSERT_NE(response.stream, nullptr);
  std::string first = response.stream->Poll(std::chrono::steady_clock::now());
  EXPECT_TRUE(first.starts_with("retry: ")) << first;
  EXPECT_NE(first.find("event: items\ndata: {\"serverTime\":"), std::string::npos) << first;
}

TEST_F(HandlerLiveTest, StreamTakesOnlyATokenInItsQuery) {
  HttpResponse with_token = Call("GET", "/api/v1/stream?token=abc");
  EXPECT_EQ(with_token.status, 200);
  EXPECT_NE(with_token.stream, nullptr);

  HttpResponse other = Call("GET", "/api/v1/stream?since=5");
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(ErrorCodeOf(other), "invalid_request");
  EXPECT_EQ(other.stream, nullptr);
}

TEST_F(HandlerLiveTest, StreamsBeyondTheCapAreOverloaded) {
  std::vector<HttpResponse> open;
  for (int i = 0; i < 32; ++i) {
    open.push_back(Call("GET", "/api/v1/stream"));
    ASSERT_EQ(open.back().status, 200) << i;
  }
  HttpResponse refused = Call("GET", "/api/v1/stream");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(ErrorCodeOf(refused), "overloaded");
  EXPECT_EQ(*refused.Header("Retry-After"), "1");
  EXPECT_EQ(refused.stream, nullptr);

  open.pop_back();  // a client leaves: its slot is free again
  EXPECT_EQ(Call("GET", "/api/v1/stream").status, 200);
}

TEST_F(HandlerLiveTest, CommittedReservationsArePublishedToStreams) {
  ASSERT_EQ(Call("POST", "/api/v1/items", R"({"id":"mug","onHand":5})").status, 201);
  HttpResponse stream = Call("GET", "/api/v1/stream");
  ASSERT_NE(stream.stream, nullptr);
  auto now = std::chrono::steady_clock::now();
  stream.stream->Poll(now);

  HttpResponse reserved =
      Call("POST", "/api/v1/reservations", R"({"userId":"ann","itemId":"mug","qty":2})");
  ASSERT_EQ(reserved.status, 201) << reserved.body;
  HttpResponse refused =
      Call("POST", "/api/v1/reservations", R"({"userId":"bob","itemId":"mug","qty":9})");
  ASSERT_EQ(refused.status, 409);
  std::string id(json::parse(reserved.body).at("id").as_string());
  HttpResponse confirmed = Call("POST", "/api/v1/reservations/" + id + "/confirm");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;

  std::string text = stream.stream->Poll(now + std::chrono::milliseconds(600));
  // The reservation as the client got it, then as confirmed; the refusal
  // changed nothing and is not shown.
  std::string held_event = "event: reservation\ndata: " + reserved.body + "\n\n";
  EXPECT_NE(text.find(held_event), std::string::npos) << text;
  std::string confirmed_reservation =
      json::serialize(json::parse(confirmed.body).at("reservation"));
  EXPECT_NE(text.find("event: reservation\ndata: " + confirmed_reservation + "\n\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("bob"), std::string::npos);
  EXPECT_NE(text.find(R"("id":"mug","name":null,"onHand":3,"held":0,"available":3,"sold":2)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace allot::http
