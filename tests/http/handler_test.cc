// The Handler end to end without sockets, over a real Engine and SQLite store
// in a temporary directory.
#include "http/handler.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>

#include "core/time_format.h"
#include "http/json_codec.h"
#include "test_service.h"

namespace allot::http {
namespace {

namespace json = boost::json;
constexpr std::int64_t kT0 = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(service_.ok()); }

  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    HeaderList headers = {}) {
    HttpRequest request{std::move(method), std::move(target), std::move(headers), std::move(body)};
    std::promise<HttpResponse> promise;
    auto answer = promise.get_future();
    service_.handler().Handle(std::move(request), [&promise](HttpResponse response) {
      promise.set_value(std::move(response));
    });
    EXPECT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    HttpResponse response = answer.get();
    EXPECT_NE(response.Header("X-Request-Id"), nullptr) << "every response carries X-Request-Id";
    return response;
  }

  static json::object Body(const HttpResponse& response) {
    return json::parse(response.body).as_object();
  }
  static std::string ErrorCodeOf(const HttpResponse& response) {
    return std::string(Body(response).at("error").at("code").as_string());
  }
  static std::string FieldOf(const HttpResponse& response) {
    return std::string(Body(response).at("error").at("field").as_string());
  }

  void CreateItem(const std::string& id, int on_hand) {
    auto response = Call("POST", "/api/v1/items",
                         R"({"id":")" + id + R"(","onHand":)" + std::to_string(on_hand) + "}");
    ASSERT_EQ(response.status, 201) << response.body;
  }

  TestService service_{kT0};
};

TEST_F(HandlerTest, OnlyEventCreationGetsALargerBodyLimit) {
  const Handler& handler = service_.handler();
  // 100,000 seat names of up to 64 characters must fit.
  EXPECT_GE(handler.BodyLimit("POST", "/api/v1/events", 65536), 100'000u * 67);
  EXPECT_EQ(handler.BodyLimit("POST", "/api/v1/items", 65536), 65536u);
  EXPECT_EQ(handler.BodyLimit("GET", "/api/v1/events", 65536), 65536u);
  EXPECT_EQ(handler.BodyLimit("POST", "/api/v1/nowhere", 65536), 65536u);
}

TEST_F(HandlerTest, CreateItemThenIdenticalThenConflict) {
  auto created = Call("POST", "/api/v1/items", R"({"id":"sku-1","onHand":10,"name":"Shoe"})",
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(*created.Header("Content-Type"), "application/json");
  EXPECT_EQ(created.body,
            R"({"id":"sku-1","name":"Shoe","onHand":10,"held":0,"available":10,"withheld":0,"sold":0,)"
            R"("maxPerUser":null})");

  auto identical = Call("POST", "/api/v1/items", R"({"id":"sku-1","onHand":10,"name":"Shoe"})");
  EXPECT_EQ(identical.status, 200);
  EXPECT_EQ(identical.body, created.body);

  auto different = Call("POST", "/api/v1/items", R"({"id":"sku-1","onHand":11,"name":"Shoe"})");
  EXPECT_EQ(different.status, 409);
  EXPECT_EQ(ErrorCodeOf(different), "already_exists");

  auto read = Call("GET", "/api/v1/items/sku-1");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);
}

TEST_F(HandlerTest, ReserveConfirmAndRead) {
  CreateItem("sku-1", 5);
  auto reserved =
      Call("POST", "/api/v1/reservations", R"({"userId":"u1","itemId":"sku-1","qty":2})");
  ASSERT_EQ(reserved.status, 201) << reserved.body;
  auto reservation = Body(reserved);
  std::string id(reservation.at("id").as_string());
  EXPECT_EQ(reservation.at("status").as_string(), "held");
  EXPECT_EQ(reservation.at("userId").as_string(), "u1");
  EXPECT_EQ(reservation.at("createdAt").as_string(), FormatTimestamp(kT0));
  EXPECT_EQ(reservation.at("expiresAt").as_string(), FormatTimestamp(kT0 + 600'000));
  EXPECT_FALSE(reservation.contains("confirmedAt"));

  auto item = Body(Call("GET", "/api/v1/items/sku-1"));
  EXPECT_EQ(item.at("held").as_int64(), 2);
  EXPECT_EQ(item.at("available").as_int64(), 3);

  auto confirmed =
      Call("POST", "/api/v1/reservations/" + id + "/confirm", R"({"paymentRef":"p1"})");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  auto confirmation = Body(confirmed);
  EXPECT_EQ(confirmation.at("reservation").at("status").as_string(), "confirmed");
  EXPECT_EQ(confirmation.at("order").at("reservationId").as_string(), id);
  EXPECT_EQ(confirmation.at("order").at("paymentRef").as_string(), "p1");

  auto again = Call("POST", "/api/v1/reservations/" + id + "/confirm", R"({"paymentRef":"p1"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, confirmed.body);

  auto read = Call("GET", "/api/v1/reservations/" + id);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, json::serialize(confirmation.at("reservation")));
  std::string order_id(confirmation.at("order").at("id").as_string());
  auto order = Call("GET", "/api/v1/orders/" + order_id);
  EXPECT_EQ(order.status, 200);
  EXPECT_EQ(order.body, json::serialize(confirmation.at("order")));

  item = Body(Call("GET", "/api/v1/items/sku-1"));
  EXPECT_EQ(item.at("onHand").as_int64(), 3);
  EXPECT_EQ(item.at("held").as_int64(), 0);
  EXPECT_EQ(item.at("sold").as_int64(), 2);
}

TEST_F(HandlerTest, ReserveAliasCancelAndOutOfStock) {
  CreateItem("sku-1", 3);
  auto reserved =
      Call("POST", "/api/v1/reserve", R"({"userId":"u1","lines":[{"itemId":"sku-1","qty":3}]})");
  ASSERT_EQ(reserved.status, 201) << reserved.body;
  std::string id(Body(reserved).at("id").as_string());

  auto refused =
      Call("POST", "/api/v1/reservations", R"({"userId":"u2","itemId":"sku-1","qty":1})");
  EXPECT_EQ(refused.status, 409);
  auto error = Body(refused).at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "out_of_stock");
  EXPECT_EQ(error.at("itemId").as_string(), "sku-1");
  EXPECT_EQ(error.at("requested").as_int64(), 1);
  EXPECT_EQ(error.at("available").as_int64(), 0);

  auto cancelled = Call("POST", "/api/v1/reservations/" + id + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(Body(cancelled).at("status").as_string(), "cancelled");
  EXPECT_EQ(Body(Call("GET", "/api/v1/items/sku-1")).at("available").as_int64(), 3);

  auto missing = Call("POST", "/api/v1/reservations", R"({"userId":"u2","itemId":"nope","qty":1})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Body(missing).at("error").at("resource").as_string(), "item");
}

TEST_F(HandlerTest, OrdersAndAdjustments) {
  CreateItem("sku-1", 5);
  auto placed = Call("POST", "/api/v1/orders", R"({"userId":"u1","itemId":"sku-1","qty":2})");
  ASSERT_EQ(placed.status, 201) << placed.body;
  auto order = Body(placed);
  EXPECT_EQ(order.at("status").as_string(), "placed");
  EXPECT_FALSE(order.contains("reservationId"));
  std::string id(order.at("id").as_string());

  auto cancelled = Call("POST", "/api/v1/orders/" + id + "/cancel", R"({"reason":"returned"})");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(Body(cancelled).at("status").as_string(), "cancelled");

  auto adjusted =
      Call("POST", "/api/v1/items/sku-1/adjustments", R"({"delta":-4,"reason":"damaged"})");
  ASSERT_EQ(adjusted.status, 200) << adjusted.body;
  EXPECT_EQ(Body(adjusted).at("onHand").as_int64(), 1);

  auto too_much = Call("POST", "/api/v1/items/sku-1/adjustments", R"({"delta":-2,"reason":"x"})");
  EXPECT_EQ(too_much.status, 409);
  EXPECT_EQ(ErrorCodeOf(too_much), "out_of_stock");

  EXPECT_EQ(Call("GET", "/api/v1/orders/none").status, 404);
}

TEST_F(HandlerTest, IdempotentReplayIsByteIdentical) {
  CreateItem("sku-1", 5);
  HeaderList key = {{"Idempotency-Key", "key-1"}};
  std::string body = R"({"userId":"u1","itemId":"sku-1","qty":2})";
  auto first = Call("POST", "/api/v1/reservations", body, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Header("Idempotent-Replayed"), nullptr);

  auto replay = Call("POST", "/api/v1/reservations", body, key);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body);
  ASSERT_NE(replay.Header("Idempotent-Replayed"), nullptr);
  EXPECT_EQ(*replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Body(Call("GET", "/api/v1/items/sku-1")).at("held").as_int64(), 2);

  auto reused =
      Call("POST", "/api/v1/reservations", R"({"userId":"u1","itemId":"sku-1","qty":1})", key);
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(ErrorCodeOf(reused), "idempotency_key_reused");
  EXPECT_EQ(Body(Call("GET", "/api/v1/items/sku-1")).at("held").as_int64(), 2);
}

TEST_F(HandlerTest, BadIdempotencyKeyIs400) {
  CreateItem("sku-1", 5);
  for (std::string key : {std::string(""), std::string(256, 'k'), std::string("a\x01")}) {
    auto response = Call("POST", "/api/v1/reservations",
                         R"({"userId":"u1","itemId":"sku-1","qty":1})", {{"Idempotency-Key", key}});
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(FieldOf(response), "Idempotency-Key");
  }
  EXPECT_EQ(Body(Call("GET", "/api/v1/items/sku-1")).at("held").as_int64(), 0);
}

TEST_F(HandlerTest, RequestIdEchoedOrGenerated) {
  auto echoed = Call("GET", "/healthz", "", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(*echoed.Header("X-Request-Id"), "abc-123");
  auto error = Call("GET", "/nope", "", {{"X-Request-Id", "err-1"}});
  EXPECT_EQ(*error.Header("X-Request-Id"), "err-1");
  auto first = Call("GET", "/healthz");
  auto second = Call("GET", "/healthz");
  EXPECT_FALSE(first.Header("X-Request-Id")->empty());
  EXPECT_NE(*first.Header("X-Request-Id"), *second.Header("X-Request-Id"));
}

TEST_F(HandlerTest, RouteMissesAndDecodeErrors) {
  auto unknown = Call("GET", "/api/v1/wallets/a1");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Body(unknown).at("error").at("resource").as_string(), "route");
  EXPECT_EQ(Body(unknown).at("error").at("id").as_string(), "/api/v1/wallets/a1");

  auto wrong_method = Call("PUT", "/api/v1/items/a");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(ErrorCodeOf(wrong_method), "method_not_allowed");
  EXPECT_EQ(*wrong_method.Header("Allow"), "GET");

  auto bad_json = Call("POST", "/api/v1/items", "{\"id\":");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(ErrorCodeOf(bad_json), "invalid_request");

  auto unknown_field = Call("POST", "/api/v1/items", R"({"id":"a","onHand":1,"color":"red"})");
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(FieldOf(unknown_field), "color");

  auto out_of_range =
      Call("POST", "/api/v1/reservations", R"({"userId":"u","itemId":"a","qty":0})");
  EXPECT_EQ(out_of_range.status, 400);
  EXPECT_EQ(FieldOf(out_of_range), "qty");  // named as the client sent it

  auto out_of_range_line =
      Call("POST", "/api/v1/orders",
           R"({"userId":"u","lines":[{"itemId":"a","qty":1},{"itemId":"b","qty":0}]})");
  EXPECT_EQ(out_of_range_line.status, 400);
  EXPECT_EQ(FieldOf(out_of_range_line), "lines[1].qty");

  auto bad_id = Call("POST", "/api/v1/items", R"({"id":"a b","onHand":1})");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(FieldOf(bad_id), "id");
}

TEST_F(HandlerTest, ListItemsPaging) {
  for (std::string id : {"a", "b", "c"}) CreateItem(id, 1);
  auto page = Body(Call("GET", "/api/v1/items?limit=2"));
  ASSERT_EQ(page.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.at("items").as_array()[0].at("id").as_string(), "a");
  EXPECT_EQ(page.at("next").as_string(), "b");
  auto rest = Body(Call("GET", "/api/v1/items?limit=2&after=b"));
  ASSERT_EQ(rest.at("items").as_array().size(), 1u);
  EXPECT_TRUE(rest.at("next").is_null());
  EXPECT_EQ(Body(Call("GET", "/api/v1/items")).at("items").as_array().size(), 3u);

  for (std::string query : {"limit=0", "limit=1001", "limit=x", "limit=1.5", "limit=-1"}) {
    auto response = Call("GET", "/api/v1/items?" + query);
    EXPECT_EQ(response.status, 400) << query;
    EXPECT_EQ(FieldOf(response), "limit");
  }
  auto bad_after = Call("GET", "/api/v1/items?after=a%20b");
  EXPECT_EQ(bad_after.status, 400);
  EXPECT_EQ(FieldOf(bad_after), "after");
  auto unknown = Call("GET", "/api/v1/items?offset=3");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(FieldOf(unknown), "offset");
}

TEST_F(HandlerTest, ServiceEndpoints) {
  auto health = Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  auto ready = Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, R"({"status":"ready"})");

  CreateItem("sku-1", 1);
  Call("GET", "/api/v1/items/sku-1");
  Call("GET", "/no/such/path");
  auto metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(*metrics.Header("Content-Type"), "text/plain; version=0.0.4");
  for (std::string line :
       {"allot_http_requests_total{route=\"/api/v1/items\",code=\"201\"} 1\n",
        "allot_http_requests_total{route=\"/api/v1/items/{id}\",code=\"200\"} 1\n",
        "allot_http_requests_total{route=\"unmatched\",code=\"404\"} 1\n",
        "allot_http_requests_total{route=\"/readyz\",code=\"200\"} 1\n",
        "allot_batch_commands_count ", "allot_commit_duration_seconds_bucket{le=\"+Inf\"} ",
        "allot_queue_depth "}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line;
  }
}

TEST(HandlerResultTest, OverloadedCarriesRetryAfter) {
  CommandResult result = std::unexpected(Error{ErrorCode::kOverloaded, "Queue full.", {}});
  HttpResponse response = Handler::ResultResponse(result);
  EXPECT_EQ(response.status, 503);
  ASSERT_NE(response.Header("Retry-After"), nullptr);
  EXPECT_EQ(*response.Header("Retry-After"), "1");
  EXPECT_EQ(response.body, R"({"error":{"code":"overloaded","message":"Queue full."}})");
}

TEST(HandlerResultTest, ReplayAndCreated) {
  HttpResponse replay = Handler::ResultResponse(Outcome{Replay{201, "{\"x\":1}"}, false});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, "{\"x\":1}");
  EXPECT_EQ(*replay.Header("Idempotent-Replayed"), "true");
  HttpResponse created = Handler::ResultResponse(Outcome{Item{.id = "a", .on_hand = 1}, true});
  EXPECT_EQ(created.status, 201);
  HttpResponse same = Handler::ResultResponse(Outcome{Item{.id = "a", .on_hand = 1}, false});
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(same.body, created.body);
}

}  // namespace
}  // namespace allot::http
