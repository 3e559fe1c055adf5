#include "money_scenarios.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "api.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

constexpr int kAccounts = 4;
constexpr std::int64_t kOpening = 1000;

std::string Account(int n) { return "acct-" + std::to_string(n); }

// `n` connections spread over the servers.
std::vector<HttpClient> Spread(const std::vector<int>& ports, int n) {
  std::vector<HttpClient> clients;
  const int per_port = (n + static_cast<int>(ports.size()) - 1) / static_cast<int>(ports.size());
  for (int port : ports) {
    for (HttpClient& client : OpenConnections(port, per_port)) {
      if (static_cast<int>(clients.size()) < n) clients.push_back(std::move(client));
    }
  }
  return clients;
}

struct AccountView {
  std::int64_t balance = -1, held = -1, available = -1;
};

AccountView ReadAccount(HttpClient& client, const std::string& id) {
  Response r = client.Get(ApiPath("/accounts/" + id));
  EXPECT_EQ(r.status, 200) << Describe(r);
  json::object a = JsonBody(r);
  return {GetInt(a, "balance").value_or(-1), GetInt(a, "held").value_or(-1),
          GetInt(a, "available").value_or(-1)};
}

// A balance, held or available that is negative, or an inconsistent triple.
void ExpectSane(const AccountView& a, const std::string& id) {
  EXPECT_GE(a.balance, 0) << id;
  EXPECT_GE(a.held, 0) << id;
  EXPECT_GE(a.available, 0) << id;
  EXPECT_EQ(a.available, a.balance - a.held) << id;
}

std::string TransferBody(int from, int to, std::int64_t amount, bool hold) {
  json::object body{{"fromId", Account(from)}, {"toId", Account(to)}, {"amount", amount}};
  if (hold) {
    body["hold"] = true;
    body["ttlSeconds"] = 300;
  }
  return json::serialize(body);
}

}  // namespace

void TransferStorm(const std::vector<int>& ports) {
  Api api(ports.front());
  for (int n = 0; n < kAccounts; ++n) {
    Response r = api.Post("/accounts",
                          json::serialize(json::object{{"id", Account(n)}, {"balance", kOpening}}));
    ASSERT_EQ(r.status, 201) << Describe(r);
  }

  // A reader watches every account while the writes race.
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread watcher([&] {
    HttpClient client(ports.back());
    while (!done.load()) {
      for (int n = 0; n < kAccounts; ++n) ExpectSane(ReadAccount(client, Account(n)), Account(n));
      reads.fetch_add(1);
    }
  });

  constexpr int kTransfers = 300;
  std::vector<HttpClient> clients = Spread(ports, kTransfers);
  std::vector<Response> created = RunTogether(clients, [](int i, HttpClient& client) {
    const int from = i % kAccounts;
    const int to = (from + 1 + (i / kAccounts) % (kAccounts - 1)) % kAccounts;
    return client.Post(ApiPath("/transfers"),
                       TransferBody(from, to, 1 + (i * 37) % 200, i % 3 == 0));
  });

  std::vector<std::string> ids, held;
  int refused = 0;
  for (const Response& r : created) {
    ASSERT_TRUE(r.status == 201 || r.status == 409) << Describe(r);
    if (r.status == 409) {
      EXPECT_EQ(ErrorCode(r), "insufficient_funds") << Describe(r);
      EXPECT_GE(GetInt(ErrorObject(r), "available").value_or(-1), 0);
      ++refused;
      continue;
    }
    json::object t = JsonBody(r);
    ids.push_back(GetString(t, "id").value_or(""));
    if (GetString(t, "status") == "held") held.push_back(ids.back());
  }
  EXPECT_GT(refused, 0) << "the storm should run some accounts dry";
  EXPECT_FALSE(held.empty());

  // Settle the held ones at once: confirm the even ones, cancel the odd
  // ones, and for every fifth fire both a confirm and a cancel together.
  std::vector<std::pair<std::string, std::string>> settle;  // id, action
  for (std::size_t n = 0; n < held.size(); ++n) {
    settle.emplace_back(held[n], n % 2 == 0 ? "confirm" : "cancel");
    if (n % 5 == 0) settle.emplace_back(held[n], n % 2 == 0 ? "cancel" : "confirm");
  }
  std::vector<HttpClient> settlers = Spread(ports, static_cast<int>(settle.size()));
  std::vector<Response> settled = RunTogether(settlers, [&](int i, HttpClient& client) {
    return client.Post(ApiPath("/transfers/" + settle[i].first + "/" + settle[i].second), "");
  });
  for (const Response& r : settled) {
    ASSERT_TRUE(r.status == 200 || (r.status == 409 && ErrorCode(r) == "invalid_state"))
        << Describe(r);
  }
  done.store(true);
  watcher.join();
  EXPECT_GT(reads.load(), 0);

  // What the posted transfers moved is exactly what the balances show.
  std::map<std::string, std::int64_t> expected;
  for (int n = 0; n < kAccounts; ++n) expected[Account(n)] = kOpening;
  for (const std::string& id : ids) {
    Response r = api.Get("/transfers/" + id);
    ASSERT_EQ(r.status, 200) << Describe(r);
    json::object t = JsonBody(r);
    const std::string status = GetString(t, "status").value_or("");
    ASSERT_TRUE(status == "posted" || status == "cancelled") << id << " " << status;
    if (status != "posted") continue;
    const std::int64_t amount = GetInt(t, "amount").value_or(0);
    expected[GetString(t, "fromId").value_or("")] -= amount;
    expected[GetString(t, "toId").value_or("")] += amount;
  }
  std::int64_t total = 0;
  for (int n = 0; n < kAccounts; ++n) {
    AccountView a = ReadAccount(api.client(), Account(n));
    ExpectSane(a, Account(n));
    EXPECT_EQ(a.held, 0) << Account(n);
    EXPECT_EQ(a.balance, expected[Account(n)]) << Account(n);
    total += a.balance;
  }
  EXPECT_EQ(total, kAccounts * kOpening);
}

void CrossingTransfers(const std::vector<int>& ports, int rounds) {
  Api api(ports.front());
  for (const char* id : {"cross-a", "cross-b"}) {
    Response r =
        api.Post("/accounts", json::serialize(json::object{{"id", id}, {"balance", 1'000'000}}));
    ASSERT_EQ(r.status, 201) << Describe(r);
  }
  constexpr int kPairs = 40;
  std::vector<HttpClient> clients = Spread(ports, 2 * kPairs);
  for (int round = 0; round < rounds; ++round) {
    std::vector<Response> responses = RunTogether(clients, [round](int i, HttpClient& client) {
      const bool forth = (i + round) % 2 == 0;
      json::object body{{"fromId", forth ? "cross-a" : "cross-b"},
                        {"toId", forth ? "cross-b" : "cross-a"},
                        {"amount", 7}};
      // Held and then confirmed in a later round, too: confirms cross as well.
      if (i % 4 == 1) body["hold"] = true;
      return client.Post(ApiPath("/transfers"), json::serialize(body));
    });
    std::vector<std::string> held;
    for (const Response& r : responses) {
      ASSERT_EQ(r.status, 201) << "round " << round << ": " << Describe(r);
      json::object t = JsonBody(r);
      if (GetString(t, "status") == "held") held.push_back(GetString(t, "id").value_or(""));
    }
    std::vector<HttpClient> confirmers = Spread(ports, static_cast<int>(held.size()));
    for (const Response& r : RunTogether(confirmers, [&](int i, HttpClient&client) {
           return client.Post(ApiPath("/transfers/" + held[i] + "/confirm"), "");
         })) {
      ASSERT_EQ(r.status, 200) << "round " << round << ": " << Describe(r);
    }
  }
  // As many went each way, by the same amount.
  AccountView a = ReadAccount(api.client(), "cross-a");
  AccountView b = ReadAccount(api.client(), "cross-b");
  EXPECT_EQ(a.balance, 1'000'000);
  EXPECT_EQ(b.balance, 1'000'000);
  EXPECT_EQ(a.held + b.held, 0);
}

constexpr int kSeats = 30;

// The seat buyer i wants (buyers i % 10 == 9 want the mixed line instead):
// the other buyers in turn over S-0..S-29, nine per seat.
std::string RushSeat(int i) { return "S-" + std::to_string((i - (i + 1) / 10) % kSeats); }

void SeatRush(const std::vector<int>& ports) {
  Api api(ports.front());
  json::array seats;
  for (int s = 0; s <= kSeats; ++s) seats.push_back(json::value("S-" + std::to_string(s)));
  Response event =
      api.Post("/events", json::serialize(json::object{{"id", "rush"}, {"seats", seats}}));
  ASSERT_EQ(event.status, 201) << Describe(event);
  ASSERT_EQ(api.CreateItem("gone", 0).status, 201);

  // 300 buyers: nine in ten want one of seats S-0..S-29 (nine per seat), one
  // in ten wants S-30 together with an item that has none left.
  constexpr int kBuyers = 300;
  std::vector<HttpClient> clients = Spread(ports, kBuyers);
  std::vector<Response> responses = RunTogether(clients, [](int i, HttpClient& client) {
    json::array lines;
    if (i % 10 == 9) {
      lines = {json::object{{"eventId", "rush"}, {"seat", "S-30"}}, Line("gone", 1)};
    } else {
      lines = {json::object{{"eventId", "rush"}, {"seat", RushSeat(i)}}};
    }
    return client.Post(
        ApiPath("/reservations"),
        json::serialize(json::object{{"userId", "buyer" + std::to_string(i)}, {"lines", lines}}));
  });

  std::map<std::string, int> winners;
  for (int i = 0; i < kBuyers; ++i) {
    const Response& r = responses[i];
    if (i % 10 == 9) {
      EXPECT_EQ(r.status, 409) << Describe(r);
      EXPECT_EQ(ErrorCode(r), "out_of_stock") << Describe(r);
      continue;
    }
    ASSERT_TRUE(r.status == 201 || r.status == 409) << Describe(r);
    if (r.status == 409) {
      EXPECT_EQ(ErrorCode(r), "seat_unavailable") << Describe(r);
      continue;
    }
    winners[RushSeat(i)]++;
  }
  EXPECT_EQ(winners.size(), static_cast<std::size_t>(kSeats));
  for (const auto& [seat, count] : winners) EXPECT_EQ(count, 1) << seat;

  for (int port : ports) {
    Api other(port);
    Response counts = other.Get("/events/rush");
    ASSERT_EQ(counts.status, 200) << Describe(counts);
    json::object by_status = JsonBody(counts)["seats"].as_object();
    EXPECT_EQ(GetInt(by_status, "held"), kSeats);
    EXPECT_EQ(GetInt(by_status, "available"), 1);
    EXPECT_EQ(GetInt(by_status, "sold"), 0);
    Response free = other.Get("/events/rush/seats?status=available");
    ASSERT_EQ(free.status, 200) << Describe(free);
    EXPECT_EQ(json::serialize(JsonBody(free)),
              R"({"seats":[{"seat":"S-30","status":"available"}]})");
  }
}

}  // namespace allot::testing
