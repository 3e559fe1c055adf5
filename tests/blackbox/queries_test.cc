// Queries and history on the real server: compare-and-set adjustments that
// race, lists paged while writes continue, a hold extended and expired at
// its new time, what a client token may list and read, and the index
// surviving a killed process.
#include <signal.h>

#include <atomic>
#include <barrier>
#include <fstream>
#include <set>
#include <thread>

#include "blackbox.h"

namespace allot::testing {
namespace {

std::string Text(const json::value& value) { return std::string(value.as_string()); }

// Every record of a list, page after page of `limit`, as ids.
std::vector<std::string> ReadAll(Api& api, const std::string& list, const std::string& query,
                                 int limit, const Headers& headers = {}) {
  std::vector<std::string> ids;
  std::string after;
  for (int guard = 0; guard < 100'000; ++guard) {
    Response page = api.Get("/" + list + "?" + query + "&limit=" + std::to_string(limit) + after,
                            headers);
    EXPECT_EQ(page.status, 200) << Describe(page);
    if (page.status != 200) break;
    json::object body = JsonBody(page);
    for (const json::value& r : body.at(list).as_array()) ids.push_back(Text(r.at("id")));
    if (body.at("next").is_null()) break;
    after = "&after=" + Text(body.at("next"));
  }
  return ids;
}

TEST_F(BlackboxTest, OfConcurrentCompareAndSetAdjustmentsExactlyOneWins) {
  MakeItem("lamp", 10);
  constexpr int kClients = 6;
  std::vector<std::unique_ptr<Api>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<Api>(port()));
  std::int64_t expected = 10;
  for (int round = 0; round < 15; ++round) {
    std::barrier start(kClients);
    std::vector<Response> answers(kClients);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        const std::string body = R"({"delta":1,"reason":"recount","expectedOnHand":)" +
                                 std::to_string(expected) + "}";
        start.arrive_and_wait();
        answers[i] = clients[i]->Post("/items/lamp/adjustments", body);
      });
    }
    for (std::thread& t : threads) t.join();
    int won = 0;
    for (const Response& answer : answers) {
      if (answer.status == 200) {
        ++won;
        continue;
      }
      ASSERT_TRUE(IsError(answer, 409, "precondition_failed")) << Describe(answer);
      json::object error = JsonBody(answer).at("error").as_object();
      EXPECT_EQ(GetInt(error, "expected"), expected);
      EXPECT_EQ(GetInt(error, "actual"), expected + 1);
    }
    EXPECT_EQ(won, 1) << "round " << round;
    ++expected;
    EXPECT_EQ(GetInt(JsonBody(api().GetItem("lamp")), "onHand"), expected);
  }
}

TEST_F(BlackboxTest, PagesHoldEveryReservationOnceWhileReservationsArrive) {
  MakeItem("lamp", 1'000'000);
  std::atomic<bool> stop{false};
  std::vector<std::string> made;  // ann's, in the order they were answered
  std::thread writer([&] {
    Api own(port());
    for (int i = 0; !stop.load() && i < 3000; ++i) {
      Response r = own.Reserve(i % 4 == 0 ? "bob" : "ann", "lamp", 1);
      ASSERT_EQ(r.status, 201) << Describe(r);
      if (i % 4 != 0) made.push_back(Text(JsonBody(r).at("id")));
    }
  });
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 200; ++page) {
    Response read = api().Get("/reservations?userId=ann&limit=7" + after);
    ASSERT_EQ(read.status, 200) << Describe(read);
    json::object body = JsonBody(read);
    for (const json::value& r : body.at("reservations").as_array()) seen.push_back(Text(r.at("id")));
    if (!body.at("next").is_null()) after = "&after=" + Text(body.at("next"));
  }
  stop = true;
  writer.join();
  // The rest, once the writes stopped.
  for (;;) {
    Response read = api().Get("/reservations?userId=ann&limit=50" + after);
    ASSERT_EQ(read.status, 200) << Describe(read);
    json::object body = JsonBody(read);
    for (const json::value& r : body.at("reservations").as_array()) seen.push_back(Text(r.at("id")));
    if (body.at("next").is_null()) break;
    after = "&after=" + Text(body.at("next"));
  }
  EXPECT_EQ(seen, made);  // every one exactly once, oldest first
  EXPECT_GT(made.size(), 10u);
}

TEST_F(BlackboxTest, AnExtendedHoldExpiresAtItsNewTime) {
  MakeItem("lamp", 2);
  Response held = api().Reserve("ann", "lamp", 2, 1);
  ASSERT_EQ(held.status, 201) << Describe(held);
  const std::string id = Text(JsonBody(held).at("id"));
  Response extended = api().Post("/reservations/" + id + "/extend", R"({"ttlSeconds":3})");
  ASSERT_EQ(extended.status, 200) << Describe(extended);
  const auto expires = ParseTimestampMs(Text(JsonBody(extended).at("expiresAt")));
  ASSERT_TRUE(expires.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past the first expiry
  EXPECT_EQ(Text(JsonBody(api().GetReservation(id)).at("status")), "held");
  EXPECT_EQ(GetInt(JsonBody(api().GetItem("lamp")), "available"), 0);
  EXPECT_TRUE(IsError(api().Reserve("bob", "lamp", 1), 409, "out_of_stock"));
  // Not past 604800 s after creation.
  EXPECT_TRUE(IsError(api().Post("/reservations/" + id + "/extend", R"({"ttlSeconds":604800})"),
                      400, "invalid_request"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // past the new one
  EXPECT_EQ(Text(JsonBody(api().GetReservation(id)).at("status")), "expired");
  EXPECT_EQ(GetInt(JsonBody(api().GetItem("lamp")), "available"), 2);
  EXPECT_TRUE(IsError(api().Post("/reservations/" + id + "/extend", R"({"ttlSeconds":60})"), 409,
                      "reservation_expired"));
  EXPECT_TRUE(IsError(api().Post("/reservations/" + id + "/extend", R"({"ttl":60})"), 400,
                      "invalid_request"));
}

TEST_F(BlackboxTest, HistoryAndListsSurviveAKilledProcess) {
  MakeItem("lamp", 100);
  std::vector<std::string> made;
  for (int i = 0; i < 40; ++i) made.push_back(Text(JsonBody(api().Reserve("ann", "lamp", 1)).at("id")));
  ASSERT_EQ(api().Adjust("lamp", 5, "delivery").status, 200);
  server_.Kill();  // the index's tail was only in memory
  ASSERT_TRUE(server_.Start());
  api_ = std::make_unique<Api>(server_.port());
  EXPECT_EQ(ReadAll(api(), "reservations", "userId=ann", 9), made);
  Response history = api().Get("/items/lamp/history?limit=1000");
  ASSERT_EQ(history.status, 200) << Describe(history);
  const json::array entries = JsonBody(history).at("entries").as_array();
  ASSERT_EQ(entries.size(), 42u);  // created, 40 holds, the delivery
  EXPECT_EQ(Text(entries.back().at("reason")), "delivery");
  EXPECT_EQ(entries.back().at("onHand").as_int64(), 105);
  EXPECT_EQ(entries.back().at("held").as_int64(), 40);
}

constexpr const char* kAdmin = "adm-queries-0001";
constexpr const char* kShop = "shop-queries-0002";
constexpr const char* kOther = "other-queries-0003";

Headers As(const char* token) { return {{"Authorization", std::string("Bearer ") + token}}; }

class QueriesAccessTest : public BlackboxTest {
 protected:
  void SetUp() override {
    tokens_ = server_.dir() + "/tokens";
    std::ofstream(tokens_) << "admin ops " << kAdmin << "\nclient shop " << kShop
                           << "\nclient other " << kOther << "\n";
    BlackboxTest::SetUp();
  }
  std::vector<std::string> ServerArgs() const override { return {"--tokens", tokens_}; }
  std::string tokens_;
};

TEST_F(QueriesAccessTest, AClientCannotListPageIntoOrReadTheIdsOfAnothersRecords) {
  ASSERT_EQ(api().Post("/items", R"({"id":"lamp","onHand":100})", As(kAdmin)).status, 201);
  std::vector<std::string> shops, others;
  for (int i = 0; i < 5; ++i) {
    for (auto [token, ids] : {std::pair{kShop, &shops}, {kOther, &others}}) {
      Response r = api().Post("/reservations", R"({"userId":"ann","itemId":"lamp","qty":1})",
                              As(token));
      ASSERT_EQ(r.status, 201) << Describe(r);
      ids->push_back(Text(JsonBody(r).at("id")));
    }
  }
  EXPECT_EQ(ReadAll(api(), "reservations", "userId=ann", 2, As(kShop)), shops);
  EXPECT_EQ(ReadAll(api(), "reservations", "itemId=lamp", 3, As(kOther)), others);
  EXPECT_EQ(ReadAll(api(), "reservations", "userId=ann", 100, As(kAdmin)).size(), 10u);
  // The other client's cursor, in shop's hands, still leads only to shop's.
  Response theirs = api().Get("/reservations?userId=ann&limit=1", As(kOther));
  const std::string cursor = Text(JsonBody(theirs).at("next"));
  Response mine = api().Get("/reservations?userId=ann&limit=100&after=" + cursor, As(kShop));
  ASSERT_EQ(mine.status, 200);
  const json::object mine_body = JsonBody(mine);
  for (const json::value& r : mine_body.at("reservations").as_array()) {
    EXPECT_NE(std::find(shops.begin(), shops.end(), Text(r.at("id"))), shops.end());
  }
  // The item's history is everyone's, its reservation ids are not.
  Response history = api().Get("/items/lamp/history", As(kShop));
  ASSERT_EQ(history.status, 200) << Describe(history);
  std::set<std::string> ids;
  const json::object history_body = JsonBody(history);
  for (const json::value& e : history_body.at("entries").as_array()) {
    if (e.as_object().contains("reservationId")) ids.insert(Text(e.at("reservationId")));
  }
  EXPECT_EQ(ids, std::set<std::string>(shops.begin(), shops.end()));
  EXPECT_TRUE(IsError(api().Post("/reservations/" + others[0] + "/extend", R"({"ttlSeconds":60})",
                                 As(kShop)),
                      403, "forbidden"));
  EXPECT_TRUE(IsError(api().Post("/items/lamp/adjustments",
                                 R"({"delta":1,"reason":"x","expectedOnHand":100})", As(kShop)),
                      403, "forbidden"));
}

}  // namespace
}  // namespace allot::testing
