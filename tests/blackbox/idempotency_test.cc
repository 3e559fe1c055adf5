// Idempotency-Key: a replay returns the stored answer and has no effect; a
// reused key with another request is refused; concurrent duplicates run once.
#include <set>
#include <string>

#include "blackbox.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

using IdempotencyTest = BlackboxTest;

constexpr std::string_view kReserveBody = R"({"userId":"u1","itemId":"idem","qty":2})";

TEST_F(IdempotencyTest, ReplayReturnsTheStoredAnswerWithoutASecondEffect) {
  MakeItem("idem", 10);
  Headers key = {{"Idempotency-Key", "reserve-once-1"}};
  Response first = api().Post("/reservations", kReserveBody, key);
  ASSERT_EQ(first.status, 201) << Describe(first);
  EXPECT_NE(first.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(api().Counts("idem"), (ItemCounts{10, 2, 8, 0}));

  for (int i = 0; i < 3; ++i) {
    Response replay = api().Post("/reservations", kReserveBody, key);
    EXPECT_EQ(replay.status, 201) << Describe(replay);
    EXPECT_EQ(replay.body, first.body);
    EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  }
  // Another connection is the same (open service: one principal).
  HttpClient other(port());
  Response replay = other.Post(ApiPath("/reservations"), kReserveBody, key);
  EXPECT_EQ(replay.status, 201) << Describe(replay);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(api().Counts("idem"), (ItemCounts{10, 2, 8, 0}));

  // Without a key the same body is a new request.
  EXPECT_EQ(api().Post("/reservations", kReserveBody).status, 201);
  EXPECT_EQ(api().Counts("idem"), (ItemCounts{10, 4, 6, 0}));
}

TEST_F(IdempotencyTest, SameKeyWithAnotherRequestIsRefused) {
  MakeItem("idem", 10);
  Headers key = {{"Idempotency-Key", "key-reused"}};
  ASSERT_EQ(api().Post("/reservations", kReserveBody, key).status, 201);
  ItemCounts after_first = api().Counts("idem");

  Response other_body =
      api().Post("/reservations", R"({"userId":"u1","itemId":"idem","qty":3})", key);
  EXPECT_TRUE(IsError(other_body, 422, "idempotency_key_reused"));
  EXPECT_NE(other_body.Header("Idempotent-Replayed"), "true");
  Response other_path = api().Post("/orders", kReserveBody, key);
  EXPECT_TRUE(IsError(other_path, 422, "idempotency_key_reused"));
  Response other_route = api().Post("/reserve", kReserveBody, key);
  EXPECT_TRUE(IsError(other_route, 422, "idempotency_key_reused"));
  EXPECT_EQ(api().Counts("idem"), after_first);
}

TEST_F(IdempotencyTest, ConfirmAndCreateReplayToo) {
  Headers create_key = {{"Idempotency-Key", "create-1"}};
  Response created = api().Post("/items", R"({"id":"idem","onHand":10})", create_key);
  ASSERT_EQ(created.status, 201) << Describe(created);
  Response created_again = api().Post("/items", R"({"id":"idem","onHand":10})", create_key);
  EXPECT_EQ(created_again.status, 201) << "the stored status, not 200: " << Describe(created_again);
  EXPECT_EQ(created_again.Header("Idempotent-Replayed"), "true");

  Response held = api().Reserve("u1", "idem", 3);
  ASSERT_EQ(held.status, 201);
  std::string id = GetString(JsonBody(held), "id").value_or("");
  Headers confirm_key = {{"Idempotency-Key", "confirm-1"}};
  Response confirmed = api().Post("/reservations/" + id + "/confirm", "{}", confirm_key);
  ASSERT_EQ(confirmed.status, 200) << Describe(confirmed);
  Response replay = api().Post("/reservations/" + id + "/confirm", "{}", confirm_key);
  EXPECT_EQ(replay.body, confirmed.body);
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");

  Headers adjust_key = {{"Idempotency-Key", "adjust-1"}};
  const std::string adjust = R"({"delta":5,"reason":"delivery"})";
  ASSERT_EQ(api().Post("/items/idem/adjustments", adjust, adjust_key).status, 200);
  Response adjust_replay = api().Post("/items/idem/adjustments", adjust, adjust_key);
  EXPECT_EQ(adjust_replay.status, 200);
  EXPECT_EQ(adjust_replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(api().Counts("idem"), (ItemCounts{12, 0, 12, 3}));
}

TEST_F(IdempotencyTest, InvalidKeyIsRefused) {
  MakeItem("idem", 10);
  Response too_long =
      api().Post("/reservations", kReserveBody, {{"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_TRUE(IsError(too_long, 400, "invalid_request"));
  Response empty = api().Post("/reservations", kReserveBody, {{"Idempotency-Key", ""}});
  EXPECT_TRUE(IsError(empty, 400, "invalid_request"));
  EXPECT_EQ(api().Counts("idem"), (ItemCounts{10, 0, 10, 0}));
  Response longest =
      api().Post("/reservations", kReserveBody, {{"Idempotency-Key", std::string(255, 'k')}});
  EXPECT_EQ(longest.status, 201) << Describe(longest);
}

TEST_F(IdempotencyTest, ConcurrentDuplicatesAreExecutedOnce) {
  MakeItem("idem", 100);
  constexpr int kThreads = 20;
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    Headers key = {{"Idempotency-Key", "concurrent-" + std::to_string(round)}};
    std::vector<Response> responses = RunTogether(port(), kThreads, [&](int, HttpClient& client) {
      return client.Post(ApiPath("/reservations"), kReserveBody, key);
    });
    std::set<std::string> bodies;
    int executed = 0;
    for (const Response& r : responses) {
      EXPECT_EQ(r.status, 201) << Describe(r);
      bodies.insert(r.body);
      if (r.Header("Idempotent-Replayed") != "true") ++executed;
    }
    EXPECT_EQ(bodies.size(), 1u) << "every duplicate gets the same reservation";
    EXPECT_EQ(executed, 1) << "exactly one answer is the original";
    EXPECT_EQ(api().Counts("idem").held, 2 * (round + 1));
  }
}

}  // namespace
}  // namespace allot::testing
