// Hundreds of simultaneous requests on scarce stock. Afterwards the counters
// must agree with the reservations and orders read back one by one, and no
// unit may be handed out twice.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "blackbox.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

using Totals = std::map<std::string, std::int64_t>;  // item id -> units

// Sums the qty of every line of `lines` into `totals`.
void AddLines(const json::value& lines, Totals* totals) {
  if (!lines.is_array()) return;
  for (const json::value& line : lines.as_array()) {
    const json::object& l = line.as_object();
    (*totals)[GetString(l, "itemId").value_or("?")] += GetInt(l, "qty").value_or(0);
  }
}

// Reads back every reservation by id; sums the units of the `held` ones and of
// the `confirmed` ones per item. Fails on any other status than `allowed`.
void SumReservations(Api& api, const std::vector<std::string>& ids, Totals* held, Totals* sold) {
  for (const std::string& id : ids) {
    Response r = api.GetReservation(id);
    ASSERT_EQ(r.status, 200) << id << ": " << Describe(r);
    json::object body = JsonBody(r);
    std::string status = GetString(body, "status").value_or("");
    if (status == "held") {
      AddLines(body.at("lines"), held);
    } else if (status == "confirmed") {
      AddLines(body.at("lines"), sold);
    } else {
      ASSERT_EQ(status, "cancelled") << Describe(r);
    }
  }
}

// The request bodies' lines, as the server should echo them.
json::array Lines(std::initializer_list<std::pair<const char*, int>> lines) {
  json::array out;
  for (const auto& [item, qty] : lines) out.push_back(Line(item, qty));
  return out;
}

// Everything every concurrency test checks about one item once the dust
// settles: counters agree with the reservations and orders, none negative.
void ExpectConsistent(Api& api, const std::string& item, std::int64_t initial_on_hand,
                      const Totals& held, const Totals& sold) {
  SCOPED_TRACE(item);
  ItemCounts counts = api.Counts(item);
  std::int64_t expect_held = held.contains(item) ? held.at(item) : 0;
  std::int64_t expect_sold = sold.contains(item) ? sold.at(item) : 0;
  EXPECT_EQ(counts.held, expect_held) << counts;
  EXPECT_EQ(counts.sold, expect_sold) << counts;
  EXPECT_EQ(counts.on_hand + counts.sold, initial_on_hand) << counts;
  EXPECT_EQ(counts.available, counts.on_hand - counts.held) << counts;
  EXPECT_GE(counts.available, 0) << counts;
  EXPECT_LE(expect_held + expect_sold, initial_on_hand) << "oversold";
}

// Each response is 201 or 409 out_of_stock; returns the ids of the 201s.
std::vector<std::string> Winners(const std::vector<Response>& responses) {
  std::vector<std::string> ids;
  for (const Response& r : responses) {
    if (r.status == 201) {
      ids.push_back(GetString(JsonBody(r), "id").value_or(""));
    } else {
      EXPECT_TRUE(IsError(r, 409, "out_of_stock")) << Describe(r);
    }
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "duplicate ids";
  return ids;
}

class ConcurrencyTest : public BlackboxTest {
 protected:
  // The seed lesson: 3 in stock, two simultaneous requests for 2, many times.
  void SeedRace(int rounds) {
    std::vector<HttpClient> clients = OpenConnections(port(), 2);
    for (int round = 0; round < rounds; ++round) {
      SCOPED_TRACE(round);
      std::string item = "seed-" + std::to_string(round);
      MakeItem(item, 3);
      // Even rounds hold (the seed's POST /reserve), odd rounds buy.
      std::string path = ApiPath(round % 2 == 0 ? "/reserve" : "/orders");
      std::vector<Response> responses = RunTogether(clients, [&](int i, HttpClient& client) {
        json::object body{{"userId", "user_" + std::to_string(i)}, {"itemId", item}, {"qty", 2}};
        return client.Post(path, json::serialize(body));
      });
      int won = 0;
      for (const Response& r : responses) {
        if (r.status == 201) {
          ++won;
        } else {
          EXPECT_TRUE(IsOutOfStock(r, item, 2, 1));
        }
      }
      EXPECT_EQ(won, 1);
      EXPECT_EQ(api().Counts(item),
                (round % 2 == 0 ? ItemCounts{3, 2, 1, 0} : ItemCounts{1, 0, 1, 2}));
    }
  }

  // `n` simultaneous reservations of one unit of a `stock`-unit item, then
  // simultaneous confirms and cancels of the winners, some racing each other.
  void ReserveOneEachThenSettle(int n, int stock) {
    MakeItem("hot", stock);
    std::vector<Response> responses = RunTogether(port(), n, [](int i, HttpClient& client) {
      json::object body{{"userId", "u" + std::to_string(i)}, {"itemId", "hot"}, {"qty", 1}};
      return client.Post(ApiPath("/reservations"), json::serialize(body));
    });
    std::vector<std::string> winners = Winners(responses);
    ASSERT_EQ(static_cast<int>(winners.size()), std::min(n, stock));
    for (const Response& r : responses) {
      if (r.status == 409) {
        EXPECT_TRUE(IsOutOfStock(r, "hot", 1, 0));
      }
    }
    Totals held, sold;
    SumReservations(api(), winners, &held, &sold);
    ExpectConsistent(api(), "hot", stock, held, sold);
    ASSERT_EQ(held["hot"], static_cast<std::int64_t>(winners.size()));

    // Settle: a quarter confirmed (half of those twice), a quarter cancelled,
    // and for the rest a confirm and a cancel race each other.
    const int w = static_cast<int>(winners.size());
    struct Op {
      int winner;
      bool confirm;
    };
    std::vector<Op> ops;
    for (int i = 0; i < w; ++i) {
      if (i < w / 4) {
        ops.push_back({i, true});
        if (i % 2 == 0) ops.push_back({i, true});
      } else if (i < w / 2) {
        ops.push_back({i, false});
      } else {
        ops.push_back({i, true});
        ops.push_back({i, false});
      }
    }
    std::vector<Response> settled =
        RunTogether(port(), static_cast<int>(ops.size()), [&](int k, HttpClient& client) {
          const Op& op = ops[k];
          return client.Post(ApiPath("/reservations/" + winners[op.winner] +
                                     (op.confirm ? "/confirm" : "/cancel")),
                             "{}");
        });
    std::map<int, std::vector<int>> statuses;  // winner -> statuses
    for (std::size_t k = 0; k < ops.size(); ++k) {
      const Response& r = settled[k];
      if (r.status != 200) {
        EXPECT_TRUE(IsError(r, 409, "invalid_state")) << Describe(r);
      }
      statuses[ops[k].winner].push_back(r.status);
    }
    std::int64_t confirmed = 0;
    for (int i = 0; i < w; ++i) {
      const std::vector<int>& s = statuses[i];
      if (i < w / 2) {
        EXPECT_TRUE(std::all_of(s.begin(), s.end(), [](int x) { return x == 200; })) << i;
        if (i < w / 4) ++confirmed;
      } else {
        ASSERT_EQ(s.size(), 2u);
        EXPECT_EQ(std::count(s.begin(), s.end(), 200), 1) << "confirm and cancel both won? " << i;
        if (s[0] == 200) ++confirmed;  // s[0] is the confirm
      }
    }
    Totals held_after, sold_after;
    SumReservations(api(), winners, &held_after, &sold_after);
    EXPECT_EQ(held_after["hot"], 0);
    EXPECT_EQ(sold_after["hot"], confirmed);
    ExpectConsistent(api(), "hot", stock, held_after, sold_after);

    // The released units are there for the next wave, exactly.
    std::int64_t left = stock - confirmed;
    std::vector<Response> again =
        RunTogether(port(), static_cast<int>(left + 20), [](int i, HttpClient& client) {
          json::object body{{"userId", "v" + std::to_string(i)}, {"itemId", "hot"}, {"qty", 1}};
          return client.Post(ApiPath("/reserve"), json::serialize(body));
        });
    EXPECT_EQ(static_cast<std::int64_t>(Winners(again).size()), left);
    EXPECT_EQ(api().Counts("hot"), (ItemCounts{left, left, 0, confirmed}));
  }
};

TEST_F(ConcurrencyTest, SeedTwoSimultaneousReservesOfTwoAgainstThree) { SeedRace(50); }

TEST_F(ConcurrencyTest, ThreeHundredBuyersOfOneUnitGetExactlyTheStock) {
  ReserveOneEachThenSettle(300, 100);
}

TEST_F(ConcurrencyTest, MixedQuantitiesNeverOversell) {
  constexpr int kStock = 97;
  MakeItem("mixed", kStock);
  auto qty_of = [](int i) { return 1 + i % 4; };
  // Readers watch the item throughout: no snapshot may break the invariants.
  std::atomic<bool> racing{true};
  std::atomic<int> snapshots{0};
  std::vector<std::jthread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      Api reader(port());
      while (racing.load()) {
        Response got = reader.GetItem("mixed");
        ASSERT_EQ(got.status, 200) << Describe(got);
        ItemCounts c = CountsOf(JsonBody(got));
        ASSERT_TRUE(c.held >= 0 && c.held <= c.on_hand && c.available == c.on_hand - c.held &&
                    c.on_hand == kStock && c.sold == 0)
            << c;
        ++snapshots;
      }
    });
  }
  std::vector<Response> responses = RunTogether(port(), 300, [&](int i, HttpClient& client) {
    json::object body{{"userId", "u" + std::to_string(i)}, {"itemId", "mixed"}, {"qty", qty_of(i)}};
    return client.Post(ApiPath("/reservations"), json::serialize(body));
  });
  racing = false;
  readers.clear();
  EXPECT_GT(snapshots.load(), 0);
  std::int64_t won_units = 0;
  int smallest_refused = 1000;
  std::vector<std::string> winners;
  for (int i = 0; i < 300; ++i) {
    const Response& r = responses[i];
    if (r.status == 201) {
      won_units += qty_of(i);
      winners.push_back(GetString(JsonBody(r), "id").value_or(""));
      EXPECT_EQ(JsonBody(r).at("lines"), json::value(Lines({{"mixed", qty_of(i)}})));
    } else {
      ASSERT_TRUE(IsError(r, 409, "out_of_stock")) << Describe(r);
      json::object details = ErrorObject(r);
      EXPECT_EQ(GetInt(details, "requested"), qty_of(i));
      EXPECT_LT(GetInt(details, "available").value_or(1 << 30), qty_of(i)) << Describe(r);
      smallest_refused = std::min(smallest_refused, qty_of(i));
    }
  }
  EXPECT_LE(won_units, kStock);
  ItemCounts counts = api().Counts("mixed");
  EXPECT_EQ(counts.held, won_units);
  // Holds only grew during the race, so a refused request saw at least what
  // is left now: what is left is less than the smallest refused quantity.
  EXPECT_LT(counts.available, smallest_refused) << counts;
  Totals held, sold;
  SumReservations(api(), winners, &held, &sold);
  ExpectConsistent(api(), "mixed", kStock, held, sold);
}

TEST_F(ConcurrencyTest, MultiLineReservationsAreAllOrNothingUnderContention) {
  const std::map<std::string, std::int64_t> stock = {{"A", 60}, {"B", 25}, {"C", 10}};
  for (const auto& [item, units] : stock) MakeItem(item, units);
  const std::vector<json::array> patterns = {
      Lines({{"A", 1}, {"B", 1}}),           Lines({{"B", 2}, {"C", 1}}),
      Lines({{"A", 2}, {"C", 1}}),           Lines({{"A", 1}, {"B", 1}, {"C", 1}}),
      Lines({{"C", 1}, {"A", 1}, {"A", 1}}),  // the same item twice counts twice
  };
  constexpr int kClients = 300;
  std::vector<Response> responses = RunTogether(port(), kClients, [&](int i, HttpClient& client) {
    json::object body{{"userId", "u" + std::to_string(i)}, {"lines", patterns[i % 5]}};
    return client.Post(ApiPath(i % 2 ? "/reserve" : "/reservations"), json::serialize(body));
  });
  std::vector<std::string> winners;
  Totals won;
  for (int i = 0; i < kClients; ++i) {
    const Response& r = responses[i];
    if (r.status == 201) {
      json::object body = JsonBody(r);
      winners.push_back(GetString(body, "id").value_or(""));
      EXPECT_EQ(body.at("lines"), json::value(patterns[i % 5]));
      AddLines(patterns[i % 5], &won);
    } else {
      ASSERT_TRUE(IsError(r, 409, "out_of_stock")) << Describe(r);
      std::string item = GetString(ErrorObject(r), "itemId").value_or("");
      Totals asked;
      AddLines(patterns[i % 5], &asked);
      EXPECT_TRUE(asked.contains(item)) << "refused for an item it did not ask for: " << item;
    }
  }
  ASSERT_FALSE(winners.empty());
  Totals held, sold;
  SumReservations(api(), winners, &held, &sold);
  for (const auto& [item, units] : stock) {
    EXPECT_EQ(held[item], won[item]) << item;
    ExpectConsistent(api(), item, units, held, sold);
  }
  // C is the scarcest: whatever order the race took, A and B outlast it.
  EXPECT_EQ(api().Counts("C").available, 0);

  // Settle every other winner by confirm, the rest by cancel, all at once.
  std::vector<Response> settled =
      RunTogether(port(), static_cast<int>(winners.size()), [&](int k, HttpClient& client) {
        return client.Post(
            ApiPath("/reservations/" + winners[k] + (k % 2 ? "/cancel" : "/confirm")), "{}");
      });
  for (const Response& r : settled) EXPECT_EQ(r.status, 200) << Describe(r);
  Totals held_after, sold_after;
  SumReservations(api(), winners, &held_after, &sold_after);
  for (const auto& [item, units] : stock) {
    EXPECT_EQ(held_after[item], 0) << item;
    ExpectConsistent(api(), item, units, held_after, sold_after);
  }
}

TEST_F(ConcurrencyTest, OrdersReservationsAndAdjustmentsShareTheStock) {
  constexpr int kStock = 150;
  MakeItem("shared", kStock);
  constexpr int kClients = 320;
  // 0..299 alternate orders and holds of one unit; 300..309 deliver one
  // unit each; 310..319 write one unit off each (refused when none is free).
  std::vector<Response> responses = RunTogether(port(), kClients, [](int i, HttpClient& client) {
    if (i >= 300) {
      json::object body{{"delta", i < 310 ? 1 : -1}, {"reason", "count"}};
      return client.Post(ApiPath("/items/shared/adjustments"), json::serialize(body));
    }
    json::object body{{"userId", "u" + std::to_string(i)}, {"itemId", "shared"}, {"qty", 1}};
    return client.Post(ApiPath(i % 2 ? "/orders" : "/reservations"), json::serialize(body));
  });
  std::int64_t delivered = 0;
  std::vector<std::string> holds;
  std::int64_t ordered = 0;
  for (int i = 0; i < kClients; ++i) {
    const Response& r = responses[i];
    if (i >= 300) {
      if (r.status == 200) {
        delivered += i < 310 ? 1 : -1;
      } else {
        EXPECT_TRUE(i >= 310 && IsError(r, 409, "out_of_stock")) << i << ": " << Describe(r);
      }
    } else if (r.status == 201) {
      if (i % 2) {
        ++ordered;
      } else {
        holds.push_back(GetString(JsonBody(r), "id").value_or(""));
      }
    } else {
      EXPECT_TRUE(IsError(r, 409, "out_of_stock")) << Describe(r);
    }
  }
  Totals held, sold;
  SumReservations(api(), holds, &held, &sold);
  EXPECT_EQ(held["shared"], static_cast<std::int64_t>(holds.size()));
  sold["shared"] += ordered;
  ExpectConsistent(api(), "shared", kStock + delivered, held, sold);
  // Demand exceeded the stock: after the first refusal only deliveries (at
  // most 10) could free units again.
  EXPECT_LE(api().Counts("shared").available, 10);
}

TEST_F(ConcurrencyTest, PerUserCapHoldsUnderContention) {
  MakeItem("capped", 100, 5);
  // One user, 60 simultaneous holds of one unit: the cap lets exactly 5 in.
  std::vector<Response> responses = RunTogether(port(), 60, [](int i, HttpClient& client) {
    return client.Post(ApiPath(i % 2 ? "/reserve" : "/orders"),
                       R"({"userId":"greedy","itemId":"capped","qty":1})");
  });
  int won = 0;
  for (const Response& r : responses) {
    if (r.status == 201) {
      ++won;
    } else {
      EXPECT_TRUE(IsError(r, 409, "limit_exceeded")) << Describe(r);
      EXPECT_EQ(GetInt(ErrorObject(r), "limit"), 5) << Describe(r);
    }
  }
  EXPECT_EQ(won, 5);
  ItemCounts counts = api().Counts("capped");
  EXPECT_EQ(counts.held + counts.sold, 5) << counts;
  EXPECT_EQ(counts.on_hand + counts.sold, 100) << counts;
}

TEST_F(ConcurrencyTest, ExpiredHoldsAreFreeForTheNextWaveAtOnce) {
  constexpr int kStock = 40;
  MakeItem("fleeting", kStock);
  std::vector<Response> first = RunTogether(port(), kStock, [](int i, HttpClient& client) {
    json::object body{{"userId", "early" + std::to_string(i)},
                      {"itemId", "fleeting"},
                      {"qty", 1},
                      {"ttlSeconds", 1}};
    return client.Post(ApiPath("/reservations"), json::serialize(body));
  });
  std::vector<std::string> early = Winners(first);
  ASSERT_EQ(static_cast<int>(early.size()), kStock);
  EXPECT_TRUE(IsOutOfStock(api().Reserve("late", "fleeting", 1), "fleeting", 1, 0));

  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // past every expiresAt
  std::vector<Response> second = RunTogether(port(), 3 * kStock, [](int i, HttpClient& client) {
    json::object body{{"userId", "late" + std::to_string(i)}, {"itemId", "fleeting"}, {"qty", 1}};
    return client.Post(ApiPath("/reservations"), json::serialize(body));
  });
  std::vector<std::string> late = Winners(second);
  EXPECT_EQ(static_cast<int>(late.size()), kStock);
  // Confirming an expired hold is refused even while others take its units.
  std::vector<Response> confirms = RunTogether(port(), 10, [&](int i, HttpClient& client) {
    return client.Post(ApiPath("/reservations/" + early[i] + "/confirm"), "{}");
  });
  for (const Response& r : confirms) EXPECT_TRUE(IsError(r, 409, "reservation_expired"));
  Totals held, sold;
  SumReservations(api(), late, &held, &sold);
  ExpectConsistent(api(), "fleeting", kStock, held, sold);
  for (const std::string& id : early) {
    EXPECT_EQ(GetString(JsonBody(api().GetReservation(id)), "status"), "expired") << id;
  }
}

class NaiveBatchConcurrencyTest : public ConcurrencyTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--batch-max", "1"}; }
};

TEST_F(NaiveBatchConcurrencyTest, OneTransactionPerRequestNeverOversellsEither) {
  SeedRace(10);
  ReserveOneEachThenSettle(200, 60);
}

class TinyQueueTest : public BlackboxTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--queue-max", "1"}; }
};

// A full write queue answers 503 overloaded with Retry-After, and such an
// answer guarantees that nothing was done.
TEST_F(TinyQueueTest, OverloadRefusalsHaveNoEffect) {
  MakeItem("busy", 1000);
  std::vector<Response> responses = RunTogether(port(), 300, [](int i, HttpClient& client) {
    json::object body{{"userId", "u" + std::to_string(i)}, {"itemId", "busy"}, {"qty", 1}};
    return client.Post(ApiPath("/reservations"), json::serialize(body));
  });
  std::vector<std::string> winners;
  int overloaded = 0;
  for (const Response& r : responses) {
    if (r.status == 201) {
      winners.push_back(GetString(JsonBody(r), "id").value_or(""));
    } else {
      EXPECT_TRUE(IsError(r, 503, "overloaded")) << Describe(r);
      EXPECT_TRUE(r.Header("Retry-After").has_value()) << Describe(r);
      ++overloaded;
    }
  }
  EXPECT_FALSE(winners.empty());
  EXPECT_GT(overloaded, 0) << "a queue of one never filled under 300 writers";
  ItemCounts counts = api().Counts("busy");
  EXPECT_EQ(counts.held, static_cast<std::int64_t>(winners.size())) << overloaded << " overloaded";
  Totals held, sold;
  SumReservations(api(), winners, &held, &sold);
  ExpectConsistent(api(), "busy", 1000, held, sold);
}

}  // namespace
}  // namespace allot::testing
