// The change feed of the real binary under load: while clients make every
// kind of write at once, a follower long-polling GET /api/v1/changes sees
// every seq exactly once and in order, and the changes alone rebuild every
// item's counters and every account's balance. A long poll is answered
// within 100 ms of the commit that ends it.
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "blackbox.h"
#include "change_follower.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ChangesTest : public BlackboxTest {};

// The follower's changes against the servers' own answers.
void ExpectReplayMatches(Api& api, const MixedWriteCounts& writes,
                         const std::vector<json::object>& changes) {
  Replayed replayed = ReplayChanges(changes);
  EXPECT_TRUE(replayed.problems.empty()) << ::testing::PrintToString(replayed.problems);
  for (const std::string& id : writes.items) {
    ItemCounts counts = api.Counts(id);
    const ReplayedItem& rebuilt = replayed.items[id];
    EXPECT_EQ(rebuilt, (ReplayedItem{counts.on_hand, counts.held, counts.sold}))
        << id << ": the server says " << counts << ", the replay onHand " << rebuilt.on_hand
        << " held " << rebuilt.held << " sold " << rebuilt.sold;
  }
  for (const std::string& id : writes.accounts) {
    json::object account = JsonBody(api.Get("/accounts/" + id));
    const ReplayedAccount& rebuilt = replayed.accounts[id];
    EXPECT_EQ(rebuilt, (ReplayedAccount{GetInt(account, "balance").value_or(-1),
                                        GetInt(account, "held").value_or(-1)}))
        << id << ": the server says " << json::serialize(account) << ", the replay balance "
        << rebuilt.balance << " held " << rebuilt.held;
  }
}

TEST_F(ChangesTest, GaplessUnderConcurrentWritesAndTheReplayRebuildsEveryCounter) {
  ChangeFollower follower({port()}, 0, 37, 1000);
  MixedWriteCounts writes = MixedWrites({port()}, 12, 50, "g", 7);
  EXPECT_TRUE(writes.failures.empty()) << ::testing::PrintToString(writes.failures);
  // Holds of a second run out, and the sweep (every second) expires them.
  std::this_thread::sleep_for(2500ms);
  ASSERT_TRUE(follower.CatchUp(20s)) << "followed to " << follower.last_seq();
  follower.Stop();
  EXPECT_TRUE(follower.violations().empty()) << ::testing::PrintToString(follower.violations());
  const std::vector<json::object> changes = follower.changes();
  EXPECT_GT(changes.size(), static_cast<std::size_t>(writes.writes / 2));
  std::map<std::string, int> types;
  for (const json::object& change : changes) types[GetString(change, "type").value_or("")]++;
  for (const char* type : {"item.created", "item.adjusted", "reservation.created",
                           "reservation.confirmed", "reservation.cancelled", "reservation.expired",
                           "order.placed", "order.cancelled", "account.created", "transfer.posted",
                           "transfer.held", "event.created"}) {
    EXPECT_GT(types[type], 0) << type << " never happened: " << ::testing::PrintToString(types);
  }
  ExpectReplayMatches(api(), writes, changes);
}

TEST_F(ChangesTest, ALongPollIsAnsweredWithin100MsOfTheCommit) {
  MakeItem("mug", 1000);
  for (int round = 0; round < 5; ++round) {
    Response head = api().Get("/changes?limit=1000&after=" + std::to_string(round));
    ASSERT_EQ(head.status, 200);
    const std::int64_t after = GetInt(JsonBody(head), "next").value_or(-1);
    auto poll = std::async(std::launch::async, [&] {
      HttpClient client(port());
      Response page = client.Get(ApiPath("/changes?waitMs=10000&after=" + std::to_string(after)));
      return std::make_pair(page, Clock::now());
    });
    std::this_thread::sleep_for(300ms);  // the poll is waiting by now
    ASSERT_EQ(poll.wait_for(0ms), std::future_status::timeout) << "answered with nothing new";
    Response adjusted = api().Adjust("mug", 1);
    const auto acknowledged = Clock::now();
    ASSERT_EQ(adjusted.status, 200) << Describe(adjusted);
    auto [page, answered] = poll.get();
    ASSERT_EQ(page.status, 200) << Describe(page);
    EXPECT_EQ(JsonBody(page).at("changes").as_array().size(), 1u) << page.body;
    EXPECT_LT(answered - acknowledged, 100ms)
        << "round " << round << ": "
        << std::chrono::duration_cast<std::chrono::milliseconds>(answered - acknowledged).count()
        << " ms after the write's answer";
  }
}

TEST_F(ChangesTest, BadQueriesChangeNothing) {
  MakeItem("mug", 3);
  for (const char* query : {"limit=0", "after=-1", "after=2", "waitMs=40000", "types=stock.moved",
                            "shape=round"}) {
    Response bad = api().Get(std::string("/changes?") + query);
    EXPECT_EQ(bad.status, 400) << query << ": " << Describe(bad);
    EXPECT_EQ(ErrorCode(bad), "invalid_request") << query;
  }
  Response all = api().Get("/changes");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(JsonBody(all).at("changes").as_array().size(), 1u) << all.body;
}

}  // namespace
}  // namespace allot::testing
