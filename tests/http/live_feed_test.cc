// The live feed with a scripted item reader and hand-moved time: what each
// stream is sent, when, and what it costs when nobody watches.
#include "http/live_feed.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace allot::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using SteadyTime = LiveFeed::SteadyTime;

constexpr std::int64_t kT0 = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z

struct Event {
  std::string name;  // "" for a comment
  std::string data;  // the data line, or the comment's text
};

// Splits a poll's output into events; "retry:" lines are dropped.
std::vector<Event> Parse(const std::string& text) {
  std::vector<Event> events;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find("\n\n", at);
    EXPECT_NE(end, std::string::npos) << "an event must end with a blank line: " << text;
    if (end == std::string::npos) break;
    std::string block = text.substr(at, end - at);
    at = end + 2;
    Event event;
    std::size_t line_start = 0;
    while (line_start <= block.size()) {
      std::size_t line_end = block.find('\n', line_start);
      std::string line = block.substr(line_start, line_end - line_start);
      if (line.starts_with("event: ")) event.name = line.substr(7);
      if (line.starts_with("data: ")) event.data = line.substr(6);
      if (line.starts_with(": ")) event.data = line.substr(2);
      if (line_end == std::string::npos) break;
      line_start = line_end + 1;
    }
    if (!block.starts_with("retry: ")) events.push_back(event);
  }
  return events;
}

std::vector<Event> Named(const std::vector<Event>& events, const std::string& name) {
  std::vector<Event> out;
  for (const Event& event : events) {
    if (event.name == name) out.push_back(event);
  }
  return out;
}

Item MakeItem(std::string id, std::int64_t on_hand, std::int64_t held) {
  Item item;
  item.id = std::move(id);
  item.on_hand = on_hand;
  item.held = held;
  return item;
}

Reservation MakeReservation(std::string id, ReservationStatus status = ReservationStatus::kHeld) {
  Reservation reservation;
  reservation.id = std::move(id);
  reservation.user_id = "ann";
  reservation.status = status;
  reservation.lines = {{"mug", 2}};
  reservation.created_at_ms = kT0;
  reservation.expires_at_ms = kT0 + 600'000;
  return reservation;
}

class LiveFeedTest : public ::testing::Test {
 protected:
  LiveFeed MakeFeed(LiveFeedOptions options = {}) {
    return LiveFeed(
        [this](std::size_t limit) -> Expected<ItemPage> {
          ++reads_;
          last_limit_ = limit;
          if (fail_reads_) return Fail(Unavailable("the disk is gone"));
          return page_;
        },
        [this] { return now_ms_; }, options);
  }

  ItemPage page_{{MakeItem("mug", 3, 0)}, std::nullopt};
  std::int64_t now_ms_ = kT0;
  int reads_ = 0;
  std::size_t last_limit_ = 0;
  bool fail_reads_ = false;
  SteadyTime t0_ = SteadyTime() + 1000h;
};

TEST_F(LiveFeedTest, FirstPollSendsRetryAndTheItems) {
  LiveFeed feed = MakeFeed();
  auto stream = feed.Subscribe(t0_);
  ASSERT_NE(stream, nullptr);
  std::string text = stream->Poll(t0_);
  EXPECT_TRUE(text.starts_with("retry: 2000\n\n")) << text;
  auto items = Named(Parse(text), "items");
  ASSERT_EQ(items.size(), 1u) << text;
  EXPECT_EQ(items[0].data,
            R"({"serverTime":"2026-11-23T10:00:00.000Z","items":[{"id":"mug","name":null,)"
            R"("onHand":3,"held":0,"available":3,"sold":0,"maxPerUser":null}],"next":null})");
  EXPECT_EQ(last_limit_, 1000u);
}

TEST_F(LiveFeedTest, ItemsAreResentOnlyWhenTheyChange) {
  LiveFeed feed = MakeFeed();
  auto stream = feed.Subscribe(t0_);
  stream->Poll(t0_);
  now_ms_ += 600;
  EXPECT_TRUE(Named(Parse(stream->Poll(t0_ + 600ms)), "items").empty()) << "unchanged";
  page_.items[0].held = 2;
  // Not yet due: the snapshot is at most every 500 ms.
  EXPECT_TRUE(Named(Parse(stream->Poll(t0_ + 800ms)), "items").empty());
  auto items = Named(Parse(stream->Poll(t0_ + 1100ms)), "items");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_NE(items[0].data.find(R"("held":2,"available":1)"), std::string::npos) << items[0].data;
}

TEST_F(LiveFeedTest, OneReadServesEveryStream) {
  LiveFeed feed = MakeFeed();
  std::vector<std::shared_ptr<EventStream>> streams;
  for (int i = 0; i < 10; ++i) streams.push_back(feed.Subscribe(t0_));
  for (auto& stream : streams) {
    EXPECT_EQ(Named(Parse(stream->Poll(t0_)), "items").size(), 1u);
  }
  EXPECT_EQ(reads_, 1);
  for (auto& stream : streams) stream->Poll(t0_ + 400ms);
  EXPECT_EQ(reads_, 1);
  for (auto& stream : streams) stream->Poll(t0_ + 500ms);
  EXPECT_EQ(reads_, 2);
}

TEST_F(LiveFeedTest, AFailedReadKeepsTheLastSnapshot) {
  LiveFeed feed = MakeFeed();
  auto first = feed.Subscribe(t0_);
  first->Poll(t0_);
  fail_reads_ = true;
  auto second = feed.Subscribe(t0_ + 600ms);
  auto items = Named(Parse(second->Poll(t0_ + 600ms)), "items");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_NE(items[0].data.find(R"("id":"mug")"), std::string::npos);
}

TEST_F(LiveFeedTest, PublishedReservationsReachEveryStreamOnce) {
  LiveFeed feed = MakeFeed();
  auto a = feed.Subscribe(t0_);
  auto b = feed.Subscribe(t0_);
  a->Poll(t0_);
  b->Poll(t0_);
  feed.Publish(MakeReservation("rsv_1"), true);
  feed.Publish(MakeReservation("rsv_1", ReservationStatus::kConfirmed), false);
  for (auto* stream : {a.get(), b.get()}) {
    auto events = Named(Parse(stream->Poll(t0_ + 100ms)), "reservation");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_NE(events[0].data.find(R"("id":"rsv_1","userId":"ann","status":"held")"),
              std::string::npos)
        << events[0].data;
    EXPECT_NE(events[1].data.find(R"("status":"confirmed")"), std::string::npos);
    EXPECT_TRUE(Named(Parse(stream->Poll(t0_ + 200ms)), "reservation").empty()) << "sent once";
  }
}

TEST_F(LiveFeedTest, ANewStreamGetsTheRecentReservations) {
  LiveFeed feed = MakeFeed();
  auto watcher = feed.Subscribe(t0_);
  feed.Publish(MakeReservation("rsv_1"), true);
  auto late = feed.Subscribe(t0_ + 1s);
  auto events = Named(Parse(late->Poll(t0_ + 1s)), "reservation");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].data.find("rsv_1"), std::string::npos);
}

TEST_F(LiveFeedTest, NothingIsKeptWhileNobodyWatches) {
  LiveFeed feed = MakeFeed();
  feed.Publish(MakeReservation("rsv_unseen"), true);
  auto stream = feed.Subscribe(t0_);
  std::string text = stream->Poll(t0_);
  EXPECT_TRUE(Named(Parse(text), "reservation").empty()) << text;
  EXPECT_EQ(reads_, 1) << "no snapshot was read before anyone subscribed";
}

TEST_F(LiveFeedTest, ALaggingStreamSkipsToTheNewestReservations) {
  LiveFeedOptions options;
  options.recent_reservations = 4;
  LiveFeed feed = MakeFeed(options);
  auto stream = feed.Subscribe(t0_);
  stream->Poll(t0_);
  for (int i = 0; i < 10; ++i) feed.Publish(MakeReservation("rsv_" + std::to_string(i)), true);
  auto events = Named(Parse(stream->Poll(t0_ + 100ms)), "reservation");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_NE(events[0].data.find("rsv_6"), std::string::npos);
  EXPECT_NE(events[3].data.find("rsv_9"), std::string::npos);
}

TEST_F(LiveFeedTest, RateSamplesCountCreatedReservations) {
  LiveFeed feed = MakeFeed();
  auto stream = feed.Subscribe(t0_);
  stream->Poll(t0_);
  for (int i = 0; i < 5; ++i) feed.Publish(MakeReservation("rsv_" + std::to_string(i)), true);
  feed.Publish(MakeReservation("rsv_0", ReservationStatus::kCancelled), false);  // not a new one
  now_ms_ = kT0 + 1000;
  auto rate = Named(Parse(stream->Poll(t0_ + 1000ms)), "rate");
  ASSERT_EQ(rate.size(), 1u);
  EXPECT_EQ(
      rate[0].data,
      R"({"samples":[{"at":"2026-11-23T10:00:01.000Z","reservations":5,"intervalMs":1000}]})");

  // A stream that joins later gets the history first.
  now_ms_ = kT0 + 2200;
  auto late = feed.Subscribe(t0_ + 2200ms);
  auto history = Named(Parse(late->Poll(t0_ + 2200ms)), "rate");
  ASSERT_EQ(history.size(), 1u);
  json::value samples = json::parse(history[0].data).at("samples");
  ASSERT_EQ(samples.as_array().size(), 2u);
  EXPECT_EQ(samples.as_array()[0].at("reservations"), 5);
  EXPECT_EQ(samples.as_array()[1].at("reservations"), 0);
  EXPECT_EQ(samples.as_array()[1].at("intervalMs"), 1200);
}

TEST_F(LiveFeedTest, HeartbeatAfterSilence) {
  LiveFeedOptions options;
  options.heartbeat = 15s;
  options.rate_interval = 1h;  // keep rate samples out of this test
  LiveFeed feed = MakeFeed(options);
  auto stream = feed.Subscribe(t0_);
  stream->Poll(t0_);
  EXPECT_EQ(stream->Poll(t0_ + 14s), "");
  EXPECT_EQ(stream->Poll(t0_ + 15s), ": heartbeat\n\n");
  EXPECT_EQ(stream->Poll(t0_ + 20s), "");
  EXPECT_EQ(stream->Poll(t0_ + 30s), ": heartbeat\n\n");
}

TEST_F(LiveFeedTest, StreamsAreCappedAndFreedOnDestruction) {
  LiveFeedOptions options;
  options.max_clients = 2;
  LiveFeed feed = MakeFeed(options);
  auto a = feed.Subscribe(t0_);
  auto b = feed.Subscribe(t0_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(feed.Subscribe(t0_), nullptr);
  EXPECT_EQ(feed.clients(), 2u);
  a.reset();
  EXPECT_EQ(feed.clients(), 1u);
  EXPECT_NE(feed.Subscribe(t0_), nullptr);
}

TEST_F(LiveFeedTest, AStreamMayOutliveItsFeed) {
  std::shared_ptr<EventStream> stream;
  {
    LiveFeed feed = MakeFeed();
    stream = feed.Subscribe(t0_);
  }
  EXPECT_NE(stream->Poll(t0_), "");
}

}  // namespace
}  // namespace allot::http
