// Refusals: every error code this round can produce, with its status and
// details, and that a refused request changed nothing.
#include <string>

#include "blackbox.h"

namespace allot::testing {
namespace {

class ErrorsTest : public BlackboxTest {
 protected:
  void SetUp() override {
    BlackboxTest::SetUp();
    if (HasFatalFailure()) return;
    MakeItem("stock", 10);
    ASSERT_EQ(api().Reserve("holder", "stock", 2).status, 201);
    before_ = api().Counts("stock");
    ASSERT_EQ(before_, (ItemCounts{10, 2, 8, 0}));
  }
  // The item is as SetUp left it.
  void ExpectUnchanged() { EXPECT_EQ(api().Counts("stock"), before_); }

  // POST /reservations with `qty_json` spliced in as the qty value.
  Response ReserveQty(std::string_view qty_json) {
    return api().Post("/reservations", std::string(R"({"userId":"u1","itemId":"stock","qty":)") +
                                           std::string(qty_json) + "}");
  }

  ItemCounts before_;
};

TEST_F(ErrorsTest, BadQuantitiesAreInvalidAndChangeNothing) {
  for (const char* qty : {"1.5", "\"5\"", "-1", "0", "9223372036854775808", "1000000001",
                          "18446744073709551616", "1.0", "1e3", "null", "true", "[1]"}) {
    SCOPED_TRACE(qty);
    EXPECT_TRUE(IsInvalidField(ReserveQty(qty), "qty"));
    EXPECT_TRUE(IsInvalidField(
        api().Post("/orders", std::string(R"({"userId":"u1","itemId":"stock","qty":)") + qty + "}"),
        "qty"));
  }
  ExpectUnchanged();
  // The largest quantity is valid, and refused only for want of stock.
  EXPECT_TRUE(IsOutOfStock(ReserveQty("1000000000"), "stock", 1000000000, 8));
  ExpectUnchanged();
}

TEST_F(ErrorsTest, BadLinesAreInvalidAndChangeNothing) {
  EXPECT_TRUE(
      IsInvalidField(api().Post("/reservations", R"({"userId":"u1","lines":[]})"), "lines"));
  EXPECT_TRUE(IsInvalidField(
      api().Post(
          "/reservations",
          R"({"userId":"u1","lines":[{"itemId":"stock","qty":1},{"itemId":"stock","qty":0}]})"),
      "lines[1].qty"));
  EXPECT_TRUE(IsInvalidField(
      api().Post("/reservations", R"({"userId":"u1","lines":[{"itemId":"stock","qty":1,"x":1}]})"),
      "lines[0].x"));
  json::array many;
  for (int i = 0; i < 101; ++i) many.push_back(Line("stock", 1));
  EXPECT_TRUE(IsInvalidField(api().ReserveLines("u1", many), "lines"));
  many.pop_back();
  ExpectUnchanged();
  Response hundred = api().ReserveLines("u1", many);  // 100 lines are allowed
  EXPECT_TRUE(IsOutOfStock(hundred, "stock", 100, 8)) << "100 lines of 1 against 8 available";
  // Both forms at once are ambiguous.
  EXPECT_EQ(
      api()
          .Post("/reservations",
                R"({"userId":"u1","itemId":"stock","qty":1,"lines":[{"itemId":"stock","qty":1}]})")
          .status,
      400);
  EXPECT_TRUE(
      IsInvalidField(api().Post("/reservations", R"({"itemId":"stock","qty":1})"), "userId"));
  ExpectUnchanged();
}

TEST_F(ErrorsTest, BadTtlIsInvalid) {
  EXPECT_TRUE(IsInvalidField(api().Reserve("u1", "stock", 1, 0), "ttlSeconds"));
  EXPECT_TRUE(IsInvalidField(api().Reserve("u1", "stock", 1, 604801), "ttlSeconds"));
  EXPECT_TRUE(IsInvalidField(api().Reserve("u1", "stock", 1, -5), "ttlSeconds"));
  ExpectUnchanged();
  EXPECT_EQ(api().Reserve("u1", "stock", 1, 604800).status, 201);
  EXPECT_EQ(api().Reserve("u1", "stock", 1, 1).status, 201);
}

TEST_F(ErrorsTest, BadIdsAreInvalid) {
  for (std::string id : {std::string("a b"), std::string("a/b"), std::string("é"), std::string(""),
                         std::string("a?b"), std::string(129, 'x')}) {
    SCOPED_TRACE(id);
    EXPECT_TRUE(IsInvalidField(api().CreateItem(id, 1), "id"));
    EXPECT_TRUE(IsInvalidField(api().Reserve("u1", id, 1), "itemId"));
  }
  EXPECT_EQ(api().CreateItem(std::string(128, 'x'), 1).status, 201);
  EXPECT_EQ(api().CreateItem("A-z_0.9:x", 1).status, 201);
  ExpectUnchanged();
  Response list = api().Get("/items?limit=1000");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(JsonBody(list).at("items").as_array().size(), 3u) << "no invalid item was created";
}

TEST_F(ErrorsTest, UserIdsFollowTheIdSyntax) {
  for (std::string id : {std::string("a b"), std::string(""), std::string(129, 'u')}) {
    SCOPED_TRACE(id);
    EXPECT_TRUE(IsInvalidField(api().Reserve(id, "stock", 1), "userId"));
    EXPECT_TRUE(IsInvalidField(api().Order(id, "stock", 1), "userId"));
  }
  ExpectUnchanged();
}

TEST_F(ErrorsTest, TextFieldsAreLimitedTo500Characters) {
  EXPECT_TRUE(
      IsInvalidField(api().CreateItem("named", 1, std::nullopt, std::string(501, 'n')), "name"));
  EXPECT_TRUE(IsNotFound(api().GetItem("named"), "item", "named"));
  EXPECT_EQ(api().CreateItem("named", 1, std::nullopt, std::string(500, 'n')).status, 201);

  Response held = api().Reserve("u1", "stock", 1);
  ASSERT_EQ(held.status, 201);
  std::string id = GetString(JsonBody(held), "id").value_or("");
  json::object too_long{{"paymentRef", std::string(501, 'p')}};
  EXPECT_TRUE(IsInvalidField(api().Confirm(id, json::serialize(too_long)), "paymentRef"));
  EXPECT_EQ(GetString(JsonBody(api().GetReservation(id)), "status"), "held");
  json::object fits{{"paymentRef", std::string(500, 'p')}};
  EXPECT_EQ(api().Confirm(id, json::serialize(fits)).status, 200);
}

TEST_F(ErrorsTest, MalformedBodiesAreInvalid) {
  EXPECT_TRUE(IsError(api().Post("/items", "{"), 400, "invalid_request"));
  EXPECT_TRUE(
      IsError(api().Post("/items", R"({"id":"x","onHand":1} trailing)"), 400, "invalid_request"));
  EXPECT_TRUE(IsError(api().Post("/items", "[]"), 400, "invalid_request"));
  EXPECT_TRUE(IsError(api().Post("/items", ""), 400, "invalid_request"));
  EXPECT_TRUE(IsError(api().Post("/items", "{\"id\":\"x\",\"onHand\":1,\"name\":\"\xff\xfe\"}"),
                      400, "invalid_request"));
  EXPECT_TRUE(
      IsError(api().Post("/reservations", "{\"userId\":\"u\xc3\",\"itemId\":\"stock\",\"qty\":1}"),
              400, "invalid_request"));
  EXPECT_TRUE(
      IsInvalidField(api().Post("/items", R"({"id":"x","onHand":1,"colour":"red"})"), "colour"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items", R"({"onHand":1})"), "id"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items", R"({"id":"x"})"), "onHand"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items", R"({"id":"x","onHand":"1"})"), "onHand"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items", R"({"id":"x","onHand":-1})"), "onHand"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items", R"({"id":"x","onHand":1,"maxPerUser":-1})"),
                             "maxPerUser"));
  EXPECT_TRUE(IsInvalidField(
      api().Post("/reservations", R"({"userId":"u1","itemId":"stock","qty":1,"ttl":5})"), "ttl"));
  EXPECT_TRUE(IsNotFound(api().GetItem("x"), "item", "x"));
  ExpectUnchanged();
}

TEST_F(ErrorsTest, FormContentTypeIsStillParsedAsJson) {
  Response created = api().Post("/items", R"({"id":"curl-item","onHand":3})",
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(created.status, 201) << Describe(created);
}

TEST_F(ErrorsTest, BodyOver64KiBIsTooLarge) {
  json::object body{{"id", "big"}, {"onHand", 1}, {"name", std::string(70 * 1024, 'b')}};
  Response refused = api().Post("/items", json::serialize(body));
  EXPECT_TRUE(IsError(refused, 413, "payload_too_large"));
  HttpClient fresh(port());
  EXPECT_TRUE(IsNotFound(fresh.Get(ApiPath("/items/big")), "item", "big"));
  Api other(port());
  EXPECT_EQ(other.Counts("stock"), before_);
}

TEST_F(ErrorsTest, UnknownThingsAreNotFound) {
  EXPECT_TRUE(IsNotFound(api().Get("/nothing-here"), "route", ""));
  EXPECT_TRUE(IsNotFound(api().Post("/nothing-here", "{}"), "route", ""));
  EXPECT_TRUE(IsNotFound(api().client().Get("/not-the-api"), "route", ""));
  EXPECT_TRUE(IsNotFound(api().GetReservation("nope"), "reservation", "nope"));
  EXPECT_TRUE(IsNotFound(api().Confirm("nope"), "reservation", "nope"));
  EXPECT_TRUE(IsNotFound(api().CancelReservation("nope"), "reservation", "nope"));
  EXPECT_TRUE(IsNotFound(api().GetOrder("nope"), "order", "nope"));
  EXPECT_TRUE(IsNotFound(api().CancelOrder("nope"), "order", "nope"));
  EXPECT_TRUE(IsNotFound(api().Reserve("u1", "nope", 1), "item", "nope"));
  EXPECT_TRUE(IsNotFound(api().Post("/reserve", R"({"userId":"u1","itemId":"nope","qty":1})"),
                         "item", "nope"));
  EXPECT_TRUE(IsNotFound(api().Order("u1", "nope", 1), "item", "nope"));
  ExpectUnchanged();
}

TEST_F(ErrorsTest, WrongMethodOnAKnownPathIs405) {
  Response del = api().client().Request("DELETE", ApiPath("/items/stock"));
  EXPECT_TRUE(IsError(del, 405, "method_not_allowed"));
  EXPECT_NE(del.Header("Allow").value_or("").find("GET"), std::string::npos)
      << "Allow should list GET (docs/api.md)";
  EXPECT_TRUE(IsError(api().Post("/items/stock", "{}"), 405, "method_not_allowed"));
  EXPECT_TRUE(IsError(api().client().Request("DELETE", ApiPath("/reservations")), 405,
                      "method_not_allowed"));
  EXPECT_TRUE(IsError(api().Get("/reserve"), 405, "method_not_allowed"));
  EXPECT_TRUE(IsError(api().Get("/reservations/x/confirm"), 405, "method_not_allowed"));
  EXPECT_TRUE(
      IsError(api().client().Request("PUT", ApiPath("/items"), "{}"), 405, "method_not_allowed"));
  ExpectUnchanged();
}

TEST_F(ErrorsTest, OutOfStockNamesTheItemAndChangesNothing) {
  EXPECT_TRUE(IsOutOfStock(api().Reserve("u1", "stock", 9), "stock", 9, 8));
  EXPECT_TRUE(IsOutOfStock(api().Order("u1", "stock", 9), "stock", 9, 8));
  ExpectUnchanged();
}

TEST_F(ErrorsTest, EveryResponseCarriesARequestIdAndEchoesOne) {
  for (const Response& r :
       {api().Get("/items/stock"), api().Get("/items/none"), api().Post("/items", "{"),
        api().Get("/nothing"), api().Reserve("u1", "stock", 1), api().client().Get("/healthz")}) {
    EXPECT_TRUE(r.Header("X-Request-Id").has_value() && !r.Header("X-Request-Id")->empty())
        << Describe(r);
  }
  Response a = api().Get("/items/stock");
  Response b = api().Get("/items/stock");
  EXPECT_NE(a.Header("X-Request-Id"), b.Header("X-Request-Id")) << "ids should be per request";

  Response echoed = api().Get("/items/stock", {{"X-Request-Id", "trace-abc-123"}});
  EXPECT_EQ(echoed.Header("X-Request-Id"), "trace-abc-123");
  Response echoed_error = api().Get("/items/none", {{"x-request-id", "trace-err-9"}});
  EXPECT_EQ(echoed_error.Header("X-Request-Id"), "trace-err-9");
}

TEST_F(ErrorsTest, MalformedHttpGetsA4xxNotACrash) {
  HttpClient raw(port());
  ASSERT_TRUE(raw.SendRaw("THIS IS NOT HTTP\r\n\r\n"));
  Response garbage = raw.ReadResponse();
  if (garbage.ok()) {  // answering 400 or just closing are both fine
    EXPECT_GE(garbage.status, 400) << Describe(garbage);
    EXPECT_LT(garbage.status, 500) << Describe(garbage);
  }
  HttpClient liar(port());
  ASSERT_TRUE(
      liar.SendRaw("POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}"));
  Response bad_length = liar.ReadResponse();
  if (bad_length.ok()) {
    EXPECT_GE(bad_length.status, 400) << Describe(bad_length);
    EXPECT_LT(bad_length.status, 500) << Describe(bad_length);
  }
  // A client that announces a big body but sends less gets no effect.
  HttpClient short_body(port());
  ASSERT_TRUE(short_body.SendRaw(
      "POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":\"half\""));
  short_body.Close();
  // The server still serves everyone else.
  Api other(port());
  EXPECT_EQ(other.Counts("stock"), before_);
  EXPECT_TRUE(IsNotFound(other.GetItem("half"), "item", "half"));
}

}  // namespace
}  // namespace allot::testing
