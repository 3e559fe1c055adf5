// Waiting lists and draws with three `allot serve` processes on one
// PostgreSQL database: joins spread over all three get distinct places in
// one queue, units cancelled on any instance while the public tries to buy
// them on the others go to the queue's head entries only, each offer is
// made once; a draw closing while all three sweep (and are asked to run
// it) runs exactly once, with one set of offers; the audit is clean.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <map>
#include <thread>
#include <set>
#include <string>
#include <vector>

#include "api.h"
#include "audit_run.h"
#include "concurrent.h"
#include "http_client.h"
#include "pg_cluster.h"
#include "server_process.h"

namespace allot::testing {
namespace {

constexpr int kServers = 3;

TEST(PgWaitlistTest, ThreeInstancesServeOneQueueInStrictOrder) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ServerProcess servers[kServers];
  for (ServerProcess& server : servers) {
    ASSERT_TRUE(server.Start({"--db", cluster->Url(db), "--access-log", "off"}));
  }
  Api first(servers[0].port());
  ASSERT_EQ(first.CreateItem("hot", 12).status, 201);
  std::vector<std::string> holds;
  for (int i = 0; i < 12; ++i) {
    Api api(servers[i % kServers].port());
    Response r = api.Reserve("early" + std::to_string(i), "hot", 1);
    ASSERT_EQ(r.status, 201) << Describe(r);
    holds.push_back(*GetString(JsonBody(r), "id"));
  }

  // 60 joins at once, spread over the three instances.
  std::vector<HttpClient> clients;
  for (int i = 0; i < 60; ++i) clients.emplace_back(servers[i % kServers].port());
  std::vector<Response> joins = RunTogether(clients, [](int i, HttpClient& c) {
    return c.Post("/api/v1/items/hot/waitlist",
                  R"({"userId":"w)" + std::to_string(i) + R"(","qty":1})");
  });
  std::map<std::int64_t, std::string> by_position;
  for (const Response& r : joins) {
    ASSERT_EQ(r.status, 201) << Describe(r);
    json::object e = JsonBody(r);
    ASSERT_TRUE(by_position.emplace(*GetInt(e, "position"), *GetString(e, "id")).second)
        << "two entries joined at position " << *GetInt(e, "position");
  }
  ASSERT_EQ(by_position.size(), 60u);
  ASSERT_EQ(by_position.rbegin()->first, 60);

  // Twelve cancels and twelve public reserves at once, over all three.
  std::vector<HttpClient> racers;
  for (int i = 0; i < 24; ++i) racers.emplace_back(servers[i % kServers].port());
  std::vector<Response> race = RunTogether(racers, [&](int i, HttpClient& c) {
    if (i % 2 == 0) return c.Post("/api/v1/reservations/" + holds[i / 2] + "/cancel", "{}");
    return c.Post("/api/v1/reservations",
                  R"({"userId":"public)" + std::to_string(i) + R"(","itemId":"hot","qty":1})");
  });
  for (int i = 0; i < 24; ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(race[i].status, 200) << Describe(race[i]);
    } else {
      EXPECT_EQ(race[i].status, 409) << Describe(race[i]);
    }
  }

  // The first twelve in the queue hold one offer each; the rest wait, in
  // order, whichever instance is asked.
  std::set<std::string> offers;
  int position = 0;
  for (const auto& [joined_at, id] : by_position) {
    Api api(servers[joined_at % kServers].port());
    Response read = api.Get("/waitlist/" + id);
    ASSERT_EQ(read.status, 200) << Describe(read);
    json::object e = JsonBody(read);
    if (joined_at <= 12) {
      EXPECT_EQ(GetString(e, "status"), "offered") << joined_at;
      EXPECT_TRUE(offers.insert(GetString(e, "reservationId").value_or("")).second);
    } else {
      EXPECT_EQ(GetString(e, "status"), "waiting") << joined_at;
      EXPECT_EQ(GetInt(e, "position"), ++position);
    }
  }
  json::object item = JsonBody(first.GetItem("hot"));
  EXPECT_EQ(GetInt(item, "held"), 12);
  EXPECT_EQ(GetInt(item, "available"), 0);
  for (ServerProcess& server : servers) {
    ASSERT_TRUE(server.Terminate(SIGTERM));
    server.Wait();
  }
  EXPECT_TRUE(AuditsClean(cluster->Url(db)));
}

std::string InMs(int ms) {
  const auto at = std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", std::gmtime(&t));
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(millis));
  return out;
}

TEST(PgWaitlistTest, ADrawClosingOnThreeInstancesRunsExactlyOnce) {
  PgCluster* cluster = SharedPgCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string db = cluster->NewDatabase();
  ServerProcess servers[kServers];
  for (ServerProcess& server : servers) {
    ASSERT_TRUE(server.Start({"--db", cluster->Url(db), "--access-log", "off"}));
  }
  Api first(servers[0].port());
  ASSERT_EQ(first.CreateItem("shoe", 20).status, 201);
  Response opened = first.Post("/draws", R"({"id":"drop","itemId":"shoe","units":20,)"
                                         R"("closesAt":")" + InMs(3000) + R"("})");
  ASSERT_EQ(opened.status, 201) << Describe(opened);
  // 90 entries, spread over the three instances, at once.
  std::vector<HttpClient> clients;
  for (int i = 0; i < 90; ++i) clients.emplace_back(servers[i % kServers].port());
  std::vector<Response> entries = RunTogether(clients, [](int i, HttpClient& c) {
    return c.Post("/api/v1/draws/drop/entries",
                  R"({"userId":"fan)" + std::to_string(i) + R"(","qty":)" +
                      std::to_string(1 + i % 2) + "}");
  });
  for (const Response& r : entries) ASSERT_EQ(r.status, 201) << Describe(r);

  // At closesAt every sweeper wants to run it, and each instance is asked to.
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  std::vector<HttpClient> runners;
  for (int i = 0; i < kServers; ++i) runners.emplace_back(servers[i].port());
  std::vector<Response> runs = RunTogether(runners, [](int, HttpClient& c) {
    return c.Post("/api/v1/draws/drop/run", "{}");
  });
  std::string answered;
  for (const Response& r : runs) {
    ASSERT_EQ(r.status, 200) << Describe(r);
    if (answered.empty()) answered = r.body;
    EXPECT_EQ(r.body, answered);  // every instance answers the one result
  }
  json::object drawn = JsonBody(first.Get("/draws/drop"));
  ASSERT_EQ(GetString(drawn, "status"), "drawn");
  std::int64_t offered = 0;
  for (const auto& result : drawn.at("results").as_array()) {
    if (result.as_object().at("outcome").as_string() == "offered") ++offered;
  }
  // The feed holds one draw.drawn and one offer per winner.
  std::int64_t drawn_changes = 0, offers = 0;
  for (std::int64_t after = 0;;) {
    Response page = first.Get("/changes?limit=1000&types=draw.drawn,reservation.created&after=" +
                              std::to_string(after));
    ASSERT_EQ(page.status, 200) << Describe(page);
    json::object body = JsonBody(page);
    const json::array& changes = body.at("changes").as_array();
    if (changes.empty()) break;
    for (const auto& change : changes) {
      const json::object& c = change.as_object();
      if (c.at("type").as_string() == "draw.drawn") ++drawn_changes;
      if (c.at("type").as_string() == "reservation.created" &&
          c.at("data").as_object().at("userId").as_string().starts_with("fan")) {
        ++offers;
      }
    }
    after = body.at("next").as_int64();
  }
  EXPECT_EQ(drawn_changes, 1);
  EXPECT_EQ(offers, offered);
  for (ServerProcess& server : servers) {
    ASSERT_TRUE(server.Terminate(SIGTERM));
    server.Wait();
  }
  EXPECT_TRUE(AuditsClean(cluster->Url(db)));
}

}  // namespace
}  // namespace allot::testing
