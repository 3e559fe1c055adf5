// POST /api/v1/batch through the Handler, over a real Engine and SQLite
// store (no sockets): results in order with their own statuses, all-or-
// nothing reservations inside, per-request idempotency keys and access
// rules, malformed batches refused whole, and the 1,000-request limit.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "http/handler.h"
#include "test_service.h"

namespace allot::http {
namespace {

namespace json = boost::json;
constexpr std::int64_t kT0 = 1'795'428'000'000;

// One request of a batch, as JSON text.
std::string Entry(const std::string& path, const std::string& body, const std::string& key = "") {
  std::string out = R"({"method":"POST","path":")" + path + R"(","body":)" + body;
  if (!key.empty()) out += R"(,"idempotencyKey":")" + key + '"';
  return out + "}";
}

std::string Batch(const std::vector<std::string>& entries) {
  std::string out = R"({"requests":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

std::string Reserve(const std::string& user, const std::string& item, int qty) {
  return R"({"userId":")" + user + R"(","itemId":")" + item + R"(","qty":)" + std::to_string(qty) +
         "}";
}

class HandlerBatchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(service_->ok()); }

  HttpResponse Post(const std::string& target, const std::string& body, HeaderList headers = {}) {
    return service_->Call("POST", target, body, std::move(headers));
  }
  // The results of a batch that must be answered 200.
  json::array Results(const std::string& body, HeaderList headers = {}) {
    HttpResponse response = Post("/api/v1/batch", body, std::move(headers));
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) return {};
    return json::parse(response.body).at("results").as_array();
  }
  static int StatusOf(const json::value& result) {
    return static_cast<int>(result.at("status").as_int64());
  }
  static std::string CodeOf(const json::value& result) {
    return std::string(result.at("body").at("error").at("code").as_string());
  }
  json::object Item(const std::string& id) {
    HttpResponse response = service_->Call("GET", "/api/v1/items/" + id);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body).as_object();
  }
  void CreateItem(const std::string& id, int on_hand) {
    HttpResponse response =
        Post("/api/v1/items", R"({"id":")" + id + R"(","onHand":)" + std::to_string(on_hand) + "}");
    ASSERT_EQ(response.status, 201) << response.body;
  }

  std::unique_ptr<TestService> service_ = std::make_unique<TestService>(kT0);
};

TEST_F(HandlerBatchTest, ResultsComeInOrderEachWithItsOwnStatus) {
  CreateItem("mug", 2);
  json::array results = Results(Batch({
      Entry("/api/v1/reservations", Reserve("ann", "mug", 1)),
      Entry("/api/v1/reservations", Reserve("bob", "mug", 5)),   // more than is left
      Entry("/api/v1/items", R"({"id":"cup","onHand":1})"),      // created mid-batch...
      Entry("/api/v1/reservations", Reserve("cid", "cup", 1)),   // ...and seen by the next
      Entry("/api/v1/reservations", Reserve("dan", "nope", 1)),  // no such item
      Entry("/api/v1/reservations", R"({"userId":"eve","itemId":"mug","qty":"x"})"),
      Entry("/api/v1/reservations/rsv_missing/confirm", "{}"),
      Entry("/api/v1/reserve", Reserve("fay", "mug", 1)),  // the last unit
  }));
  ASSERT_EQ(results.size(), 8u);
  std::vector<int> statuses;
  for (const auto& result : results) statuses.push_back(StatusOf(result));
  EXPECT_EQ(statuses, (std::vector<int>{201, 409, 201, 201, 404, 400, 404, 201}));
  EXPECT_EQ(results[0].at("body").at("userId").as_string(), "ann");
  EXPECT_EQ(CodeOf(results[1]), "out_of_stock");
  EXPECT_EQ(results[1].at("body").at("error").at("available").as_int64(), 1);
  EXPECT_EQ(results[2].at("body").at("id").as_string(), "cup");
  EXPECT_EQ(CodeOf(results[4]), "not_found");
  // The one-line form's field is named as sent, as on its own.
  EXPECT_EQ(results[5].at("body").at("error").at("field").as_string(), "qty");
  EXPECT_FALSE(results[0].as_object().contains("replayed"));
  EXPECT_EQ(Item("mug").at("held").as_int64(), 2);
  EXPECT_EQ(Item("cup").at("held").as_int64(), 1);

  // The batch is one request in the metrics, its entries counted apart.
  std::string metrics = service_->metrics().Render(0);
  EXPECT_NE(metrics.find(R"(allot_http_requests_total{route="/api/v1/batch",code="200"} 1)"),
            std::string::npos);
  EXPECT_NE(
      metrics.find(R"(allot_http_batch_entries_total{route="/api/v1/reservations",code="201"} 2)"),
      std::string::npos)
      << metrics;
}

TEST_F(HandlerBatchTest, AMultiLineReservationInsideIsStillAllOrNothing) {
  CreateItem("a", 5);
  CreateItem("b", 1);
  const std::string both_too_much =
      R"({"userId":"u1","lines":[{"itemId":"a","qty":2},{"itemId":"b","qty":2}]})";
  const std::string both_fit =
      R"({"userId":"u1","lines":[{"itemId":"a","qty":2},{"itemId":"b","qty":1}]})";
  json::array results = Results(Batch(
      {Entry("/api/v1/reservations", both_too_much), Entry("/api/v1/reservations", both_fit)}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(StatusOf(results[0]), 409);
  EXPECT_EQ(results[0].at("body").at("error").at("itemId").as_string(), "b");
  EXPECT_EQ(StatusOf(results[1]), 201);
  // Only the second took anything: 2 of a, not 4.
  EXPECT_EQ(Item("a").at("held").as_int64(), 2);
  EXPECT_EQ(Item("b").at("held").as_int64(), 1);
}

TEST_F(HandlerBatchTest, AnIdempotencyKeyReplaysAndRefusesReuseAsTheHeaderDoes) {
  CreateItem("mug", 10);
  const std::string body = Reserve("ann", "mug", 2);
  json::array first = Results(Batch({Entry("/api/v1/reservations", body, "k-1")}));
  ASSERT_EQ(StatusOf(first[0]), 201);
  const std::string stored = json::serialize(first[0].at("body"));

  // The same request again, in a batch beside another: replayed, identical.
  json::array again = Results(Batch({Entry("/api/v1/reservations", Reserve("bob", "mug", 1)),
                                     Entry("/api/v1/reservations", body, "k-1")}));
  EXPECT_EQ(StatusOf(again[1]), 201);
  EXPECT_EQ(json::serialize(again[1].at("body")), stored);
  EXPECT_TRUE(again[1].at("replayed").as_bool());
  EXPECT_EQ(Item("mug").at("held").as_int64(), 3);  // 2 + bob's 1, not 2 more

  // The same key on its own with the same bytes is the same request.
  HttpResponse header = Post("/api/v1/reservations", body, {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(header.status, 201);
  EXPECT_EQ(header.body, stored);
  ASSERT_NE(header.Header("Idempotent-Replayed"), nullptr);

  // The same key with another body: 422, and nothing changes.
  json::array reused =
      Results(Batch({Entry("/api/v1/reservations", Reserve("ann", "mug", 3), "k-1")}));
  EXPECT_EQ(StatusOf(reused[0]), 422);
  EXPECT_EQ(CodeOf(reused[0]), "idempotency_key_reused");
  EXPECT_EQ(Item("mug").at("held").as_int64(), 3);
}

TEST_F(HandlerBatchTest, AccessRulesApplyToEachRequest) {
  auto tokens = TokenTable::Parse("admin ops admin-token\nclient alice alice-token\n");
  ASSERT_TRUE(tokens);
  service_ = std::make_unique<TestService>(kT0, std::move(*tokens));
  ASSERT_TRUE(service_->ok());
  HeaderList admin = {{"Authorization", "Bearer admin-token"}};
  HeaderList alice = {{"Authorization", "Bearer alice-token"}};

  json::array stocked =
      Results(Batch({Entry("/api/v1/items", R"({"id":"mug","onHand":5})")}), admin);
  ASSERT_EQ(StatusOf(stocked[0]), 201);

  json::array mixed = Results(Batch({Entry("/api/v1/items", R"({"id":"cup","onHand":5})"),
                                     Entry("/api/v1/reservations", Reserve("u1", "mug", 1))}),
                              alice);
  ASSERT_EQ(mixed.size(), 2u);
  EXPECT_EQ(StatusOf(mixed[0]), 403);
  EXPECT_EQ(CodeOf(mixed[0]), "forbidden");
  EXPECT_EQ(StatusOf(mixed[1]), 201);
  EXPECT_EQ(service_->Call("GET", "/api/v1/items/cup", "", admin).status, 404);

  // The reservation is alice's: her own batch may cancel it, nobody's token none.
  std::string id(mixed[1].at("body").at("id").as_string());
  EXPECT_EQ(
      Post("/api/v1/batch", Batch({Entry("/api/v1/reservations/" + id + "/cancel", "{}")})).status,
      401);
  json::array cancelled =
      Results(Batch({Entry("/api/v1/reservations/" + id + "/cancel", "{}")}), alice);
  EXPECT_EQ(StatusOf(cancelled[0]), 200);
}

TEST_F(HandlerBatchTest, AMalformedBatchIsRefusedWholeNamingTheBadPart) {
  CreateItem("mug", 5);
  const std::string good = Entry("/api/v1/reservations", Reserve("ann", "mug", 1));
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"[]", "requests"},
      {"{}", "requests"},
      {R"({"requests":{}})", "requests"},
      {R"({"requests":[]})", "requests"},
      {R"({"requests":[)" + good + R"(],"extra":1})", "extra"},
      {R"({"requests":[)" + good + ",1]}", "requests[1]"},
      {Batch({good, R"({"method":"GET","path":"/api/v1/items/mug"})"}), "requests[1].method"},
      {Batch({good, R"({"method":"post","path":"/api/v1/items","body":{}})"}),
       "requests[1].method"},
      {Batch({good, R"({"path":"/api/v1/items","body":{}})"}), "requests[1].method"},
      {Batch({good, R"({"method":"POST","body":{}})"}), "requests[1].path"},
      {Batch({good, Entry("/api/v1/nowhere", "{}")}), "requests[1].path"},
      {Batch({good, Entry("/api/v1/items/mug", "{}")}), "requests[1].path"},  // GET only
      {Batch({good, Entry("/healthz", "{}")}), "requests[1].path"},
      {Batch({good, Entry("/api/v1/batch", R"({"requests":[]})")}), "requests[1].path"},
      {Batch({good, Entry("/api/v1/items?x=1", R"({"id":"a","onHand":1})")}), "requests[1].path"},
      {Batch({good, R"({"method":"POST","path":7})"}), "requests[1].path"},
      {Batch({good, R"({"method":"POST","path":"/api/v1/items","headers":{}})"}),
       "requests[1].headers"},
      {Batch({good, R"({"method":"POST","path":"/api/v1/items","method":"POST"})"}), "requests[1]"},
      {Batch(
           {good, Entry("/api/v1/reservations", Reserve("bob", "mug", 1), std::string(256, 'k'))}),
       "requests[1].idempotencyKey"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    HttpResponse response = Post("/api/v1/batch", c.body);
    ASSERT_EQ(response.status, 400) << response.body;
    json::object error = json::parse(response.body).at("error").as_object();
    ASSERT_TRUE(error.contains("field")) << response.body;
    EXPECT_EQ(error.at("code").as_string(), "invalid_request");
    EXPECT_EQ(error.at("field").as_string(), c.field);
  }
  HttpResponse keyed = Post("/api/v1/batch", Batch({good}), {{"Idempotency-Key", "k"}});
  EXPECT_EQ(keyed.status, 400);
  EXPECT_NE(keyed.body.find(R"("field":"Idempotency-Key")"), std::string::npos);
  EXPECT_EQ(Post("/api/v1/batch", "not json").status, 400);
  // Not even the well-formed first request ran.
  EXPECT_EQ(Item("mug").at("held").as_int64(), 0);
  EXPECT_EQ(service_->Call("GET", "/api/v1/items/a").status, 404);
}

TEST_F(HandlerBatchTest, AThousandRequestsRunAndOneMoreIsRefused) {
  CreateItem("mug", 2000);
  std::vector<std::string> entries;
  for (int i = 0; i < 1000; ++i) {
    entries.push_back(Entry("/api/v1/reservations", Reserve("u" + std::to_string(i), "mug", 1)));
  }
  const std::string thousand = Batch(entries);
  EXPECT_LE(thousand.size(), service_->handler().BodyLimit("POST", "/api/v1/batch", 65536));
  json::array results = Results(thousand);
  ASSERT_EQ(results.size(), 1000u);
  for (const auto& result : results) ASSERT_EQ(StatusOf(result), 201) << result;
  EXPECT_EQ(Item("mug").at("held").as_int64(), 1000);

  entries.push_back(Entry("/api/v1/reservations", Reserve("late", "mug", 1)));
  HttpResponse refused = Post("/api/v1/batch", Batch(entries));
  ASSERT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find(R"("field":"requests[1000]")"), std::string::npos);
  EXPECT_EQ(Item("mug").at("held").as_int64(), 1000);
}

// A batch the write queue cannot take whole runs none of its requests: the
// whole batch is 503 overloaded (nothing was done, it may be resent), even
// when some of its requests were already answered by validation.
TEST_F(HandlerBatchTest, ABatchTheQueueCannotTakeWholeIs503AndRunsNothing) {
  service_ = std::make_unique<TestService>(kT0, std::nullopt, nullptr, /*queue_capacity=*/2);
  ASSERT_TRUE(service_->ok());
  CreateItem("mug", 10);
  const std::string three = Batch({Entry("/api/v1/reservations", Reserve("a", "mug", 1)),
                                   Entry("/api/v1/reservations", Reserve("b", "mug", 0)),  // 400
                                   Entry("/api/v1/reservations", Reserve("c", "mug", 1)),
                                   Entry("/api/v1/reservations", Reserve("d", "mug", 1))});
  HttpResponse refused = Post("/api/v1/batch", three);
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find(R"("code":"overloaded")"), std::string::npos) << refused.body;
  ASSERT_NE(refused.Header("Retry-After"), nullptr);
  EXPECT_EQ(Item("mug").at("held").as_int64(), 0);
  // Two valid requests fit the same queue.
  json::array results = Results(Batch({Entry("/api/v1/reservations", Reserve("a", "mug", 1)),
                                       Entry("/api/v1/reservations", Reserve("b", "mug", 0)),
                                       Entry("/api/v1/reservations", Reserve("c", "mug", 1))}));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(StatusOf(results[0]), 201);
  EXPECT_EQ(StatusOf(results[1]), 400);
  EXPECT_EQ(StatusOf(results[2]), 201);
  EXPECT_EQ(Item("mug").at("held").as_int64(), 2);
}

TEST_F(HandlerBatchTest, TheBodyLimitFitsAThousandReservationsAtTheirLargest) {
  // 100 lines, each with a 128-character item id and the largest quantity.
  const std::string id(128, 'i');
  std::string lines;
  for (int i = 0; i < 100; ++i) {
    lines += std::string(i ? "," : "") + R"({"itemId":")" + id + R"(","qty":1000000000})";
  }
  const std::string largest = Entry("/api/v1/reservations/",
                                    R"({"userId":")" + std::string(128, 'u') + R"(","lines":[)" +
                                        lines + R"(],"ttlSeconds":604800})",
                                    std::string(255, 'k'));
  const std::size_t limit = service_->handler().BodyLimit("POST", "/api/v1/batch", 65536);
  EXPECT_GE(limit, 1000 * (largest.size() + 1) + 16);
  EXPECT_EQ(service_->handler().BodyLimit("POST", "/api/v1/items", 65536), 65536u);
}

}  // namespace
}  // namespace allot::http
