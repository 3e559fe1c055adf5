// Access control end to end through the Handler: 401 without a known token,
// 403 for a client outside its role or on another client's records, and
// nothing changed by a refused request.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>

#include "http/auth.h"
#include "http/handler.h"
#include "test_service.h"

namespace allot::http {
namespace {

namespace json = boost::json;
constexpr std::int64_t kT0 = 1'795'428'000'000;

TokenTable Tokens() {
  auto table = TokenTable::Parse(
      "admin ops admin-token\n"
      "client alice alice-token\n"
      "client bob bob-token\n");
  EXPECT_TRUE(table);
  return std::move(*table);
}

class HandlerAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(service_.ok()); }

  HttpResponse Call(const std::string& token, std::string method, std::string target,
                    std::string body = "", HeaderList headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return service_.Call(std::move(method), std::move(target), std::move(body), std::move(headers));
  }
  static json::object Body(const HttpResponse& response) {
    return json::parse(response.body).as_object();
  }
  static std::string CodeOf(const HttpResponse& response) {
    return std::string(Body(response).at("error").at("code").as_string());
  }
  std::string Created(const HttpResponse& response) {
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(Body(response).at("id").as_string());
  }
  std::string ItemField(const std::string& field) {
    auto item = Call("admin-token", "GET", "/api/v1/items/sku");
    return json::serialize(Body(item).at(field));
  }

  TestService service_{kT0, Tokens()};
};

TEST_F(HandlerAuthTest, EveryApiRequestNeedsAKnownBearerToken) {
  for (const auto& [token, header] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"nope", "Bearer nope"}, {"", "Basic YWRtaW4tdG9rZW4="}}) {
    HeaderList headers;
    if (!header.empty()) headers.emplace_back("Authorization", header);
    for (auto [method, target] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/items"},
                                                          {"POST", "/api/v1/items"},
                                                          {"GET", "/api/v1/no-such-route"},
                                                          {"GET", "/api/v1"}}) {
      auto response = Call("", method, target, R"({"id":"sku","onHand":1})", headers);
      EXPECT_EQ(response.status, 401) << header << " " << method << " " << target;
      EXPECT_EQ(CodeOf(response), "unauthorized");
      ASSERT_NE(response.Header("WWW-Authenticate"), nullptr);
      EXPECT_EQ(response.body.find("admin-token"), std::string::npos);
      if (!header.empty()) EXPECT_EQ(response.body.find(header), std::string::npos);
    }
  }
  // Nothing was created by the refused POSTs.
  EXPECT_EQ(Call("admin-token", "GET", "/api/v1/items/sku").status, 404);
}

TEST_F(HandlerAuthTest, ProbesAndMetricsStayOpen) {
  EXPECT_EQ(Call("", "GET", "/healthz").status, 200);
  EXPECT_EQ(Call("", "GET", "/readyz").status, 200);
  EXPECT_EQ(Call("", "GET", "/metrics").status, 200);
}

TEST_F(HandlerAuthTest, ClientsMayNotCreateOrAdjustWhatIsForSale) {
  Created(Call("admin-token", "POST", "/api/v1/items", R"({"id":"sku","onHand":5})"));
  for (auto [target, body] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/items", R"({"id":"other","onHand":5})"},
           {"/api/v1/items/sku/adjustments", R"({"delta":100,"reason":"mine now"})"},
           {"/api/v1/accounts", R"({"id":"acct","balance":5})"},
           {"/api/v1/events", R"({"id":"gig","seats":["A-1"]})"}}) {
    auto response = Call("alice-token", "POST", target, body);
    EXPECT_EQ(response.status, 403) << target;
    EXPECT_EQ(CodeOf(response), "forbidden");
  }
  EXPECT_EQ(ItemField("onHand"), "5");
  EXPECT_EQ(Call("admin-token", "GET", "/api/v1/items/other").status, 404);
  EXPECT_EQ(Call("admin-token", "GET", "/api/v1/accounts/acct").status, 404);
  EXPECT_EQ(Call("admin-token", "GET", "/api/v1/events/gig").status, 404);
  // Reading what is for sale is fine.
  EXPECT_EQ(Call("alice-token", "GET", "/api/v1/items/sku").status, 200);
  EXPECT_EQ(Call("alice-token", "GET", "/api/v1/items").status, 200);
}

TEST_F(HandlerAuthTest, ReservationsBelongToTheClientThatMadeThem) {
  Created(Call("admin-token", "POST", "/api/v1/items", R"({"id":"sku","onHand":5})"));
  std::string mine = Created(Call("alice-token", "POST", "/api/v1/reservations",
                                  R"({"userId":"u1","itemId":"sku","qty":2})"));
  EXPECT_EQ(ItemField("held"), "2");

  for (auto [method, suffix] : std::vector<std::pair<std::string, std::string>>{
           {"GET", ""}, {"POST", "/confirm"}, {"POST", "/cancel"}}) {
    auto response = Call("bob-token", method, "/api/v1/reservations/" + mine + suffix, "{}");
    EXPECT_EQ(response.status, 403) << method << suffix << " " << response.body;
    EXPECT_EQ(CodeOf(response), "forbidden");
    EXPECT_EQ(json::serialize(Body(response).at("error").at("id")), "\"" + mine + "\"");
  }
  EXPECT_EQ(ItemField("held"), "2");
  EXPECT_EQ(ItemField("sold"), "0");

  auto read = Call("alice-token", "GET", "/api/v1/reservations/" + mine);
  EXPECT_EQ(read.status, 200);
  auto confirmed = Call("alice-token", "POST", "/api/v1/reservations/" + mine + "/confirm", "{}");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  std::string order(Body(confirmed).at("order").at("id").as_string());
  EXPECT_EQ(Call("bob-token", "GET", "/api/v1/orders/" + order).status, 403);
  EXPECT_EQ(Call("bob-token", "POST", "/api/v1/orders/" + order + "/cancel", "{}").status, 403);
  EXPECT_EQ(ItemField("sold"), "2");
  EXPECT_EQ(Call("alice-token", "GET", "/api/v1/orders/" + order).status, 200);
  // An admin sees and acts on everyone's.
  EXPECT_EQ(Call("admin-token", "GET", "/api/v1/reservations/" + mine).status, 200);
  EXPECT_EQ(Call("admin-token", "POST", "/api/v1/orders/" + order + "/cancel", "{}").status, 200);
  EXPECT_EQ(ItemField("sold"), "0");
  // An unknown id is still 404, not 403.
  EXPECT_EQ(Call("bob-token", "GET", "/api/v1/reservations/res_unknown").status, 404);
}

TEST_F(HandlerAuthTest, TransfersBelongToTheClientThatMadeThem) {
  Created(Call("admin-token", "POST", "/api/v1/accounts", R"({"id":"a","balance":100})"));
  Created(Call("admin-token", "POST", "/api/v1/accounts", R"({"id":"b","balance":0})"));
  std::string held = Created(Call("alice-token", "POST", "/api/v1/transfers",
                                  R"({"fromId":"a","toId":"b","amount":40,"hold":true})"));
  EXPECT_EQ(Call("bob-token", "GET", "/api/v1/transfers/" + held).status, 403);
  EXPECT_EQ(Call("bob-token", "POST", "/api/v1/transfers/" + held + "/confirm").status, 403);
  EXPECT_EQ(Call("bob-token", "POST", "/api/v1/transfers/" + held + "/cancel").status, 403);
  auto account = Body(Call("alice-token", "GET", "/api/v1/accounts/a"));
  EXPECT_EQ(account.at("held").as_int64(), 40);
  auto posted = Call("alice-token", "POST", "/api/v1/transfers/" + held + "/confirm");
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(Body(Call("bob-token", "GET", "/api/v1/accounts/b")).at("balance").as_int64(), 40);
}

TEST_F(HandlerAuthTest, IdempotencyKeysBelongToTheirPrincipal) {
  Created(Call("admin-token", "POST", "/api/v1/items", R"({"id":"sku","onHand":5})"));
  const std::string body = R"({"userId":"u1","itemId":"sku","qty":1})";
  HeaderList key{{"Idempotency-Key", "k-1"}};
  auto alice = Call("alice-token", "POST", "/api/v1/reservations", body, key);
  auto alice_again = Call("alice-token", "POST", "/api/v1/reservations", body, key);
  auto bob = Call("bob-token", "POST", "/api/v1/reservations", body, key);
  EXPECT_EQ(alice.status, 201);
  EXPECT_EQ(alice_again.body, alice.body);
  ASSERT_NE(alice_again.Header("Idempotent-Replayed"), nullptr);
  // Bob's request with the same key is his own, not a replay of Alice's.
  EXPECT_EQ(bob.status, 201);
  EXPECT_EQ(bob.Header("Idempotent-Replayed"), nullptr);
  EXPECT_NE(Body(bob).at("id"), Body(alice).at("id"));
  EXPECT_EQ(ItemField("held"), "2");
}

}  // namespace
}  // namespace allot::http

namespace allot::http {
namespace {

TEST_F(HandlerAuthTest, TheChangeStreamTakesItsTokenFromTheQuery) {
  // EventSource cannot send headers, so ?token= works on this route...
  HttpResponse admin = Call("", "GET", "/api/v1/changes/stream?token=admin-token");
  EXPECT_EQ(admin.status, 200) << admin.body;
  EXPECT_NE(admin.stream, nullptr);
  HttpResponse header = Call("admin-token", "GET", "/api/v1/changes/stream");
  EXPECT_EQ(header.status, 200) << header.body;
  // ...and on no other.
  EXPECT_EQ(Call("", "GET", "/api/v1/items?token=admin-token").status, 401);
  EXPECT_EQ(Call("", "GET", "/api/v1/changes?token=admin-token").status, 401);
  EXPECT_EQ(Call("", "GET", "/api/v1/changes/stream").status, 401);
  EXPECT_EQ(Call("", "GET", "/api/v1/changes/stream?token=nope").status, 401);
  // A client may follow it too: it shows that client its own records only.
  HttpResponse client = Call("", "GET", "/api/v1/changes/stream?token=alice-token");
  EXPECT_EQ(client.status, 200) << client.body;
  EXPECT_NE(client.stream, nullptr);
}

TEST_F(HandlerAuthTest, AClientSeesOnlyItsOwnRecordsChangesAndEveryItem) {
  ASSERT_EQ(Call("admin-token", "POST", "/api/v1/items", R"({"id":"mug","onHand":10})").status,
            201);
  ASSERT_EQ(Call("alice-token", "POST", "/api/v1/reservations",
                 R"({"userId":"a","itemId":"mug","qty":1})")
                .status,
            201);
  ASSERT_EQ(
      Call("bob-token", "POST", "/api/v1/reservations", R"({"userId":"b","itemId":"mug","qty":2})")
          .status,
      201);
  auto types = [&](const std::string& token) {
    HttpResponse page = Call(token, "GET", "/api/v1/changes");
    EXPECT_EQ(page.status, 200) << page.body;
    std::string out;
    const json::object body = Body(page);
    for (const auto& change : body.at("changes").as_array()) {
      const auto& data = change.at("data").as_object();
      out += std::string(change.at("type").as_string()) + ":" +
             (data.contains("userId") ? std::string(data.at("userId").as_string()) : "") + " ";
    }
    return out;
  };
  EXPECT_EQ(types("admin-token"), "item.created: reservation.created:a reservation.created:b ");
  EXPECT_EQ(types("alice-token"), "item.created: reservation.created:a ");
  EXPECT_EQ(types("bob-token"), "item.created: reservation.created:b ");
}

TEST_F(HandlerAuthTest, TheDashboardPageIsOpenButItsDataIsNot) {
  EXPECT_EQ(Call("", "GET", "/").status, 200);
  EXPECT_EQ(Call("", "GET", "/api/v1/openapi.json").status, 401);
  EXPECT_EQ(Call("alice-token", "GET", "/api/v1/openapi.json").status, 200);
}

}  // namespace
}  // namespace allot::http
