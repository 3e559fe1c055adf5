// Accounts and transfers through the real server (contract: "Accounts and
// transfers").
#include <chrono>
#include <thread>

#include "blackbox.h"

namespace allot::testing {
namespace {

class MoneyTest : public BlackboxTest {
 protected:
  void Open(const std::string& id, std::int64_t balance) {
    Response r = api().Post("/accounts", Body({{"id", id}, {"balance", balance}}));
    ASSERT_EQ(r.status, 201) << Describe(r);
  }
  static std::string Body(json::object object) { return json::serialize(object); }
  Response Transfer(std::int64_t amount, bool hold = false, int ttl = 60) {
    json::object body{{"fromId", "a"}, {"toId", "b"}, {"amount", amount}};
    if (hold) {
      body["hold"] = true;
      body["ttlSeconds"] = ttl;
    }
    return api().Post("/transfers", Body(body));
  }
  json::object AccountJson(const std::string& id) {
    Response r = api().Get("/accounts/" + id);
    EXPECT_EQ(r.status, 200) << Describe(r);
    return JsonBody(r);
  }
  std::string BalanceOf(const std::string& id) {
    json::object a = AccountJson(id);
    return std::to_string(GetInt(a, "balance").value_or(-1)) + "/" +
           std::to_string(GetInt(a, "held").value_or(-1)) + "/" +
           std::to_string(GetInt(a, "available").value_or(-1));
  }
};

TEST_F(MoneyTest, AccountsAreCreatedOnceAndRead) {
  Open("a", 1000);
  EXPECT_EQ(json::serialize(AccountJson("a")),
            R"({"id":"a","balance":1000,"held":0,"available":1000})");
  Response same = api().Post("/accounts", R"({"id":"a","balance":1000})");
  EXPECT_EQ(same.status, 200) << Describe(same);
  EXPECT_TRUE(IsError(api().Post("/accounts", R"({"id":"a","balance":5})"), 409, "already_exists"));
  EXPECT_TRUE(IsNotFound(api().Get("/accounts/nobody"), "account", "nobody"));
  EXPECT_TRUE(IsInvalidField(api().Post("/accounts", R"({"id":"c","balance":-1})"), "balance"));
  EXPECT_TRUE(IsInvalidField(api().Post("/accounts", R"({"id":"c","balance":1.5})"), "balance"));
  EXPECT_TRUE(IsInvalidField(api().Post("/accounts", R"({"id":"c","balance":1,"x":1})"), "x"));
  // An account is no item, and the item listing does not show it.
  EXPECT_TRUE(IsNotFound(api().GetItem("a"), "item", "a"));
  EXPECT_EQ(api().Get("/items").body, R"({"items":[],"next":null})");
}

TEST_F(MoneyTest, PostedTransferMovesTheAmount) {
  Open("a", 1000);
  Open("b", 0);
  Response r = Transfer(300);
  ASSERT_EQ(r.status, 201) << Describe(r);
  json::object t = JsonBody(r);
  EXPECT_EQ(GetString(t, "status"), "posted");
  EXPECT_EQ(GetString(t, "fromId"), "a");
  EXPECT_EQ(GetString(t, "toId"), "b");
  EXPECT_EQ(GetInt(t, "amount"), 300);
  EXPECT_TRUE(ParseTimestampMs(GetString(t, "createdAt").value_or("")));
  EXPECT_FALSE(t.contains("expiresAt"));
  EXPECT_EQ(BalanceOf("a"), "700/0/700");
  EXPECT_EQ(BalanceOf("b"), "300/0/300");
  Response read = api().Get("/transfers/" + GetString(t, "id").value_or(""));
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, r.body);
}

TEST_F(MoneyTest, RefusalsChangeNothing) {
  Open("a", 100);
  Open("b", 0);
  Response poor = Transfer(101);
  ASSERT_TRUE(IsError(poor, 409, "insufficient_funds"));
  json::object details = ErrorObject(poor);
  EXPECT_EQ(GetString(details, "accountId"), "a");
  EXPECT_EQ(GetInt(details, "requested"), 101);
  EXPECT_EQ(GetInt(details, "available"), 100);
  EXPECT_TRUE(
      IsInvalidField(api().Post("/transfers", R"({"fromId":"a","toId":"a","amount":1})"), "toId"));
  EXPECT_TRUE(IsInvalidField(api().Post("/transfers", R"({"fromId":"a","toId":"b","amount":0})"),
                             "amount"));
  EXPECT_TRUE(IsInvalidField(api().Post("/transfers", R"({"fromId":"a","toId":"b","amount":-3})"),
                             "amount"));
  EXPECT_TRUE(IsInvalidField(
      api().Post("/transfers", R"({"fromId":"a","toId":"b","amount":1,"hold":"yes"})"), "hold"));
  EXPECT_TRUE(IsNotFound(api().Post("/transfers", R"({"fromId":"a","toId":"z","amount":1})"),
                         "account", "z"));
  EXPECT_TRUE(IsNotFound(api().Get("/transfers/trf_nope"), "transfer", "trf_nope"));
  EXPECT_TRUE(IsNotFound(api().Post("/transfers/trf_nope/confirm", ""), "transfer", "trf_nope"));
  EXPECT_EQ(BalanceOf("a"), "100/0/100");
  EXPECT_EQ(BalanceOf("b"), "0/0/0");
}

TEST_F(MoneyTest, HeldTransferConfirmsCancelsAndIsNoReservation) {
  Open("a", 1000);
  Open("b", 0);
  Response held = Transfer(400, /*hold=*/true);
  ASSERT_EQ(held.status, 201) << Describe(held);
  json::object t = JsonBody(held);
  const std::string id = GetString(t, "id").value_or("");
  EXPECT_EQ(GetString(t, "status"), "held");
  EXPECT_EQ(*ParseTimestampMs(GetString(t, "expiresAt").value_or("")) -
                *ParseTimestampMs(GetString(t, "createdAt").value_or("")),
            60'000);
  EXPECT_EQ(BalanceOf("a"), "1000/400/600");
  EXPECT_TRUE(IsError(Transfer(601), 409, "insufficient_funds"));
  EXPECT_TRUE(IsNotFound(api().GetReservation(id), "reservation", id));
  EXPECT_TRUE(IsNotFound(api().Confirm(id), "reservation", id));

  Response confirmed = api().Post("/transfers/" + id + "/confirm", "");
  ASSERT_EQ(confirmed.status, 200) << Describe(confirmed);
  EXPECT_EQ(GetString(JsonBody(confirmed), "status"), "posted");
  EXPECT_EQ(BalanceOf("a"), "600/0/600");
  EXPECT_EQ(BalanceOf("b"), "400/0/400");
  EXPECT_EQ(api().Post("/transfers/" + id + "/confirm", "{}").body, confirmed.body);
  EXPECT_TRUE(IsError(api().Post("/transfers/" + id + "/cancel", ""), 409, "invalid_state"));

  Response other = Transfer(100, /*hold=*/true);
  const std::string other_id = GetString(JsonBody(other), "id").value_or("");
  Response cancelled = api().Post("/transfers/" + other_id + "/cancel", "");
  ASSERT_EQ(cancelled.status, 200) << Describe(cancelled);
  EXPECT_EQ(GetString(JsonBody(cancelled), "status"), "cancelled");
  EXPECT_EQ(BalanceOf("a"), "600/0/600");
  EXPECT_TRUE(IsError(api().Post("/transfers/" + other_id + "/confirm", ""), 409, "invalid_state"));
}

TEST_F(MoneyTest, HeldTransferExpiresAtExpiresAt) {
  Open("a", 1000);
  Open("b", 0);
  Response held = Transfer(1000, /*hold=*/true, /*ttl=*/1);
  ASSERT_EQ(held.status, 201) << Describe(held);
  const std::string id = GetString(JsonBody(held), "id").value_or("");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  // Available at once, whether or not the sweeper has run yet.
  EXPECT_EQ(BalanceOf("a"), "1000/0/1000");
  EXPECT_EQ(GetString(JsonBody(api().Get("/transfers/" + id)), "status"), "expired");
  EXPECT_TRUE(IsError(api().Post("/transfers/" + id + "/confirm", ""), 409, "reservation_expired"));
  EXPECT_EQ(BalanceOf("b"), "0/0/0");
  Response cancel = api().Post("/transfers/" + id + "/cancel", "");
  EXPECT_EQ(cancel.status, 200);
  EXPECT_EQ(GetString(JsonBody(cancel), "status"), "expired");
}

TEST_F(MoneyTest, IdempotencyKeyPostsOnce) {
  Open("a", 1000);
  Open("b", 0);
  const std::string body = R"({"fromId":"a","toId":"b","amount":250})";
  Response first = api().Post("/transfers", body, {{"Idempotency-Key", "pay-1"}});
  ASSERT_EQ(first.status, 201) << Describe(first);
  Response again = api().Post("/transfers", body, {{"Idempotency-Key", "pay-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(BalanceOf("a"), "750/0/750");
  EXPECT_TRUE(IsError(api().Post("/transfers", R"({"fromId":"a","toId":"b","amount":1})",
                                 {{"Idempotency-Key", "pay-1"}}),
                      422, "idempotency_key_reused"));
}

}  // namespace
}  // namespace allot::testing
