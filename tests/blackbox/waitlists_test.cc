// Waiting lists over HTTP against the real binary: joins that race, a
// public that races the list for returned units, offers in queue order,
// expiry passing an offer on, and all of it kept across a restart.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "audit_run.h"
#include "blackbox.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

using WaitlistsTest = BlackboxTest;

std::string JoinBody(const std::string& user, std::int64_t qty, std::int64_t ttl = 600) {
  return R"({"userId":")" + user + R"(","qty":)" + std::to_string(qty) +
         R"(,"offerTtlSeconds":)" + std::to_string(ttl) + "}";
}

json::object Entry(Api& api, const std::string& id) {
  Response read = api.Get("/waitlist/" + id);
  EXPECT_EQ(read.status, 200) << Describe(read);
  return JsonBody(read);
}

TEST_F(WaitlistsTest, RacingJoinsAndAPublicRaceForReturnsKeepStrictOrderAcrossARestart) {
  MakeItem("hot", 10);
  std::vector<std::string> holds;
  for (int i = 0; i < 10; ++i) {
    Response r = api().Reserve("early" + std::to_string(i), "hot", 1);
    ASSERT_EQ(r.status, 201) << Describe(r);
    holds.push_back(*GetString(JsonBody(r), "id"));
  }
  // 40 joins at once: each is placed, positions 1..40 with none twice.
  std::vector<Response> joins = RunTogether(port(), 40, [](int i, HttpClient& c) {
    return c.Post("/api/v1/items/hot/waitlist", JoinBody("w" + std::to_string(i), 1));
  });
  std::map<std::int64_t, std::string> by_position;  // position -> entry id
  for (const Response& r : joins) {
    ASSERT_EQ(r.status, 201) << Describe(r);
    json::object e = JsonBody(r);
    EXPECT_EQ(GetString(e, "status"), "waiting");
    ASSERT_TRUE(by_position.emplace(*GetInt(e, "position"), *GetString(e, "id")).second);
  }
  ASSERT_EQ(by_position.begin()->first, 1);
  ASSERT_EQ(by_position.rbegin()->first, 40);

  // The ten holds are cancelled while ten public buyers try to reserve:
  // every returned unit goes to the list, none to the public.
  std::vector<Response> race = RunTogether(port(), 20, [&](int i, HttpClient& c) {
    if (i % 2 == 0) {
      return c.Post("/api/v1/reservations/" + holds[i / 2] + "/cancel", "{}");
    }
    return c.Post("/api/v1/reservations",
                  R"({"userId":"public)" + std::to_string(i) + R"(","itemId":"hot","qty":1})");
  });
  for (int i = 0; i < 20; ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(race[i].status, 200) << Describe(race[i]);
    } else {
      EXPECT_TRUE(IsError(race[i], 409, "out_of_stock")) << Describe(race[i]);
    }
  }
  auto check = [&](const std::string& when) {
    SCOPED_TRACE(when);
    int position = 0;
    for (const auto& [joined_at, id] : by_position) {
      json::object e = Entry(api(), id);
      if (joined_at <= 10) {
        EXPECT_EQ(GetString(e, "status"), "offered") << joined_at;
        Response offer = api().GetReservation(*GetString(e, "reservationId"));
        ASSERT_EQ(offer.status, 200) << Describe(offer);
        EXPECT_EQ(GetString(JsonBody(offer), "status"), "held");
      } else {
        EXPECT_EQ(GetString(e, "status"), "waiting") << joined_at;
        EXPECT_EQ(GetInt(e, "position"), ++position);
      }
    }
    json::object item = JsonBody(api().GetItem("hot"));
    EXPECT_EQ(GetInt(item, "held"), 10);
    EXPECT_EQ(GetInt(item, "available"), 0);
    EXPECT_EQ(GetInt(item, "withheld"), 0);
  };
  check("before the restart");

  ASSERT_TRUE(server_.Terminate(SIGTERM));
  ASSERT_TRUE(ExitedZero(server_.Wait()));
  AuditRun audit = RunAudit(server_.db_path(), false);
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  ASSERT_TRUE(server_.Start({}));
  api_ = std::make_unique<Api>(server_.port());
  check("after the restart");
  Response late = api().Post("/items/hot/waitlist", JoinBody("late", 1));
  ASSERT_EQ(late.status, 201) << Describe(late);
  EXPECT_EQ(GetInt(JsonBody(late), "position"), 31);
}

TEST_F(WaitlistsTest, AnOfferThatExpiresPassesToTheNextEntry) {
  MakeItem("mug", 1);
  Response hold = api().Reserve("a", "mug", 1);
  ASSERT_EQ(hold.status, 201);
  Response b = api().Post("/items/mug/waitlist", JoinBody("b", 1, 1));
  Response c = api().Post("/items/mug/waitlist", JoinBody("c", 1));
  ASSERT_EQ(b.status, 201);
  ASSERT_EQ(c.status, 201);
  const std::string b_id = *GetString(JsonBody(b), "id");
  const std::string c_id = *GetString(JsonBody(c), "id");
  ASSERT_EQ(api().CancelReservation(*GetString(JsonBody(hold), "id")).status, 200);
  EXPECT_EQ(GetString(Entry(api(), b_id), "status"), "offered");
  // b's offer holds for one second; the sweep then lapses it and c gets it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (GetString(Entry(api(), c_id), "status") != "offered" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(GetString(Entry(api(), b_id), "status"), "lapsed");
  EXPECT_EQ(GetString(Entry(api(), c_id), "status"), "offered");
}

TEST_F(WaitlistsTest, BadInputGetsTheContractsAnswerAndChangesNothing) {
  MakeItem("cap", 1, 2);
  ASSERT_EQ(api().Reserve("a", "cap", 1).status, 201);
  Response b = api().Post("/items/cap/waitlist", JoinBody("b", 1));
  ASSERT_EQ(b.status, 201);
  const json::object before = JsonBody(api().Get("/items/cap/waitlist"));
  EXPECT_TRUE(IsError(api().Post("/items/cap/waitlist", JoinBody("b", 1)), 409, "already_exists"));
  EXPECT_TRUE(IsError(api().Post("/items/cap/waitlist", JoinBody("x", 3)), 409, "limit_exceeded"));
  EXPECT_TRUE(IsNotFound(api().Post("/items/nope/waitlist", JoinBody("x", 1)), "item", "nope"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items/cap/waitlist", JoinBody("x", 0)), "qty"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items/cap/waitlist", JoinBody("x", 1, 0)),
                             "offerTtlSeconds"));
  EXPECT_TRUE(IsInvalidField(
      api().Post("/items/cap/waitlist", R"({"userId":"x","qty":1,"priority":1})"), "priority"));
  EXPECT_TRUE(IsNotFound(api().Post("/waitlist/wl_nope/leave", "{}"), "waitlist", "wl_nope"));
  EXPECT_EQ(JsonBody(api().Get("/items/cap/waitlist")), before);
}

}  // namespace
}  // namespace allot::testing
