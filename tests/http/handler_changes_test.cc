// GET /api/v1/changes and its stream through the Handler, over a real
// engine and SQLite store: paging, filters, long polls answered by a
// commit, retention, and the server-sent events a stream produces.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "http/change_frames.h"
#include "http/change_stream.h"
#include "http/handler.h"
#include "test_service.h"

namespace allot::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
constexpr std::int64_t kT0 = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z
constexpr std::int64_t kDayMs = 86'400'000;

class HandlerChangesTest : public ::testing::Test {
 protected:
  explicit HandlerChangesTest(std::int64_t retention_ms = 0)
      : service_(kT0, std::nullopt, nullptr, EngineOptions{}.queue_capacity, retention_ms) {}
  void SetUp() override { ASSERT_TRUE(service_.ok()); }

  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    HeaderList headers = {}) {
    return service_.Call(std::move(method), std::move(target), std::move(body),
                         std::move(headers));
  }
  // Handles a request whose answer may come later.
  std::future<HttpResponse> Start(std::string target) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto answer = promise->get_future();
    service_.handler().Handle(HttpRequest{"GET", std::move(target), {}, ""},
                              [promise](HttpResponse r) { promise->set_value(std::move(r)); });
    return answer;
  }
  static json::object Body(const HttpResponse& response) {
    return json::parse(response.body).as_object();
  }
  // "seq:type" of each change of a page, space-separated.
  static std::string Summary(const HttpResponse& page) {
    std::string out;
    const json::object body = Body(page);
    for (const auto& change : body.at("changes").as_array()) {
      if (!out.empty()) out += " ";
      out += std::to_string(change.at("seq").as_int64()) + ":" +
             std::string(change.at("type").as_string());
    }
    return out;
  }
  void Write(const std::string& target, const std::string& body) {
    HttpResponse response = Call("POST", target, body);
    ASSERT_TRUE(response.status == 200 || response.status == 201) << target << " " << response.body;
  }
  // item.created, reservation.created, reservation.confirmed + order.placed.
  void MakeFourChanges() {
    Write("/api/v1/items", R"({"id":"mug","onHand":5})");
    HttpResponse held =
        Call("POST", "/api/v1/reservations", R"({"userId":"ann","itemId":"mug","qty":2})");
    ASSERT_EQ(held.status, 201);
    Write("/api/v1/reservations/" + std::string(Body(held).at("id").as_string()) + "/confirm",
          "{}");
  }

  TestService service_;
};

TEST_F(HandlerChangesTest, PagesInSeqOrderWithACursor) {
  MakeFourChanges();
  HttpResponse all = Call("GET", "/api/v1/changes");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Summary(all),
            "1:item.created 2:reservation.created 3:reservation.confirmed 4:order.placed");
  EXPECT_EQ(Body(all).at("next").as_int64(), 4);

  HttpResponse first = Call("GET", "/api/v1/changes?limit=3");
  EXPECT_EQ(Summary(first), "1:item.created 2:reservation.created 3:reservation.confirmed");
  EXPECT_EQ(Body(first).at("next").as_int64(), 3);
  HttpResponse rest = Call("GET", "/api/v1/changes?after=3&limit=3");
  EXPECT_EQ(Summary(rest), "4:order.placed");
  HttpResponse none = Call("GET", "/api/v1/changes?after=4");
  EXPECT_EQ(Summary(none), "");
  ASSERT_NE(first.Header("Allot-Head"), nullptr);
  EXPECT_EQ(*first.Header("Allot-Head"), "4") << "the newest change, to follow from";
  EXPECT_EQ(Body(none).at("next").as_int64(), 4);

  // The data is the record right after the change, as its GET answers it.
  const json::object all_body = Body(all);
  const auto& confirmed = all_body.at("changes").as_array()[2].as_object();
  EXPECT_EQ(confirmed.at("data").at("status").as_string(), "confirmed");
  EXPECT_EQ(confirmed.at("at").as_string(), "2026-11-23T10:00:00.000Z");
}

TEST_F(HandlerChangesTest, TypesFilterAndTheCursorStillMovesPastWhatItSkips) {
  MakeFourChanges();
  HttpResponse placed = Call("GET", "/api/v1/changes?types=order.placed,item.created");
  EXPECT_EQ(Summary(placed), "1:item.created 4:order.placed");
  HttpResponse skipped = Call("GET", "/api/v1/changes?after=1&types=item.created");
  EXPECT_EQ(Summary(skipped), "");
  EXPECT_EQ(Body(skipped).at("next").as_int64(), 4) << "read past, so the next poll starts there";
}

TEST_F(HandlerChangesTest, BadQueriesAre400AndNameTheParameter) {
  MakeFourChanges();
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"limit=0", "limit"},
           {"limit=1001", "limit"},
           {"limit=x", "limit"},
           {"after=-1", "after"},
           {"after=1.5", "after"},
           {"after=5", "after"},  // past the head
           {"after=1&after=2", "after"},
           {"waitMs=30001", "waitMs"},
           {"waitMs=-1", "waitMs"},
           {"types=item.created,item.nope", "types"},
           {"colour=red", "colour"},
           {"token=abc", "token"},  // only the stream takes a token
       }) {
    HttpResponse response = Call("GET", "/api/v1/changes?" + query);
    EXPECT_EQ(response.status, 400) << query << ": " << response.body;
    if (response.status == 400) {
      EXPECT_EQ(Body(response).at("error").at("field").as_string(), field) << query;
    }
  }
  HttpResponse stream =
      Call("GET", "/api/v1/changes/stream", "", {{"Last-Event-ID", "not-a-number"}});
  EXPECT_EQ(stream.status, 400) << stream.body;
  EXPECT_EQ(stream.stream, nullptr);
  EXPECT_EQ(Call("GET", "/api/v1/changes/stream?limit=5").status, 400) << "the stream has no limit";
  EXPECT_EQ(Call("GET", "/api/v1/changes?after=4").status, 200) << "the head itself is fine";
}

TEST_F(HandlerChangesTest, ALongPollIsAnsweredByTheNextCommit) {
  MakeFourChanges();
  auto waiting = Start("/api/v1/changes?after=4&waitMs=10000");
  EXPECT_EQ(waiting.wait_for(200ms), std::future_status::timeout) << "nothing new: it waits";
  const auto wrote = std::chrono::steady_clock::now();
  Write("/api/v1/items/mug/adjustments", R"({"delta":1,"reason":"found"})");
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  const auto answered = std::chrono::steady_clock::now();
  HttpResponse page = waiting.get();
  EXPECT_EQ(Summary(page), "5:item.adjusted");
  // The engine pokes the feed after the commit: no poll interval in between.
  EXPECT_LT(answered - wrote, 1s);
}

TEST_F(HandlerChangesTest, AWaitThatEndsWithNothingIsAnEmptyPage) {
  MakeFourChanges();
  const auto started = std::chrono::steady_clock::now();
  HttpResponse page = Call("GET", "/api/v1/changes?after=4&waitMs=150");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(Summary(page), "");
  EXPECT_EQ(Body(page).at("next").as_int64(), 4);
}

TEST_F(HandlerChangesTest, AFilteredLongPollWaitsPastChangesItDoesNotWant) {
  MakeFourChanges();
  auto waiting = Start("/api/v1/changes?after=4&waitMs=10000&types=item.adjusted");
  Write("/api/v1/items", R"({"id":"cup","onHand":1})");
  EXPECT_EQ(waiting.wait_for(300ms), std::future_status::timeout);
  Write("/api/v1/items/cup/adjustments", R"({"delta":2,"reason":"found"})");
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(Summary(waiting.get()), "6:item.adjusted");
}

TEST_F(HandlerChangesTest, TheHeadIsAMetric) {
  MakeFourChanges();
  HttpResponse metrics = Call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("\nallot_changes_head_seq 4\n"), std::string::npos) << metrics.body;
}

// Polls `stream` at `now` and returns what it sent.
std::string PollAt(const HttpResponse& response, EventStream::SteadyTime now) {
  return response.stream->Poll(now);
}

TEST_F(HandlerChangesTest, TheStreamSendsEachChangeAsAnEventWithItsSeqAsId) {
  MakeFourChanges();
  HttpResponse opened = Call("GET", "/api/v1/changes/stream?after=2&types=order.placed,item.adjusted");
  ASSERT_EQ(opened.status, 200) << opened.body;
  ASSERT_NE(opened.stream, nullptr);
  EXPECT_EQ(*opened.Header("Content-Type"), "text/event-stream");
  const auto t = std::chrono::steady_clock::now();
  std::string first = PollAt(opened, t);
  EXPECT_TRUE(first.starts_with("retry: 2000\n\n")) << first;
  EXPECT_NE(first.find("id: 4\nevent: order.placed\ndata: {\"seq\":4,\"type\":\"order.placed\","),
            std::string::npos)
      << first;
  EXPECT_EQ(first.find("id: 3"), std::string::npos) << "filtered out";
  EXPECT_EQ(PollAt(opened, t + 1s), "") << "nothing new";
  Write("/api/v1/items/mug/adjustments", R"({"delta":1,"reason":"found"})");
  std::string next = PollAt(opened, t + 2s);
  EXPECT_TRUE(next.starts_with("id: 5\nevent: item.adjusted\ndata: {\"seq\":5,")) << next;
  EXPECT_TRUE(next.ends_with("}\n\n")) << next;
  // Silence is broken by a comment every 15 s.
  EXPECT_EQ(PollAt(opened, t + 10s), "");
  EXPECT_EQ(PollAt(opened, t + 18s), ": keepalive\n\n");
}

TEST_F(HandlerChangesTest, TheStreamResumesAfterLastEventId) {
  MakeFourChanges();
  // EventSource reconnects to the same URL with the last id it saw: the
  // header wins over the query.
  HttpResponse resumed =
      Call("GET", "/api/v1/changes/stream?after=0", "", {{"Last-Event-ID", "3"}});
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  std::string sent = PollAt(resumed, std::chrono::steady_clock::now());
  EXPECT_EQ(sent.find("id: 3\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("id: 4\n"), std::string::npos) << sent;
  EXPECT_EQ(Call("GET", "/api/v1/changes/stream", "", {{"Last-Event-ID", "9"}}).status, 400)
      << "past the head";
}

// Streams of the whole feed share the events the first of them encoded
// (http/change_frames.h): each must still get exactly its own changes, in
// order, from wherever it started, as a stream that reads for itself does.
TEST_F(HandlerChangesTest, StreamsOfTheWholeFeedSendWhatAStreamReadingAloneSends) {
  MakeFourChanges();
  const auto t = std::chrono::steady_clock::now();
  HttpResponse head = Call("GET", "/api/v1/changes/stream?after=4");
  HttpResponse early = Call("GET", "/api/v1/changes/stream?after=0");
  HttpResponse middle = Call("GET", "/api/v1/changes/stream?after=2");
  // A filter that keeps every type reads alone (no shared events).
  HttpResponse alone = Call(
      "GET",
      "/api/v1/changes/stream?after=0&types=item.created,item.adjusted,reservation.created,"
      "reservation.confirmed,reservation.cancelled,order.placed");
  for (HttpResponse* stream : {&head, &early, &middle, &alone}) {
    ASSERT_EQ(stream->status, 200) << stream->body;
  }
  std::string sent_head = PollAt(head, t), sent_early = PollAt(early, t),
              sent_middle = PollAt(middle, t), sent_alone = PollAt(alone, t);
  for (int round = 0; round < 3; ++round) {
    Write("/api/v1/items/mug/adjustments", R"({"delta":1,"reason":"found"})");
    HttpResponse held =
        Call("POST", "/api/v1/reservations", R"({"userId":"bo","itemId":"mug","qty":1})");
    ASSERT_EQ(held.status, 201);
    Write("/api/v1/reservations/" + std::string(Body(held).at("id").as_string()) + "/cancel",
          "{}");
    const auto at = t + std::chrono::seconds(round + 1);
    // In a different order each round: whoever polls first reads.
    if (round % 2 == 0) {
      sent_alone += PollAt(alone, at);
      sent_middle += PollAt(middle, at);
      sent_head += PollAt(head, at);
      sent_early += PollAt(early, at);
    } else {
      sent_head += PollAt(head, at);
      sent_early += PollAt(early, at);
      sent_alone += PollAt(alone, at);
      sent_middle += PollAt(middle, at);
    }
  }
  ASSERT_NE(sent_alone.find("id: 13\n"), std::string::npos) << sent_alone;
  EXPECT_EQ(sent_early, sent_alone);
  const auto from = [&](int seq) {
    return "retry: 2000\n\n" + sent_alone.substr(sent_alone.find("id: " + std::to_string(seq) + "\n"));
  };
  EXPECT_EQ(sent_middle, from(3));
  EXPECT_EQ(sent_head, from(5));
}

// What the shared cache keeps: the newest run of events, extended by a
// read that continues it, never replaced by a replay from behind it.
TEST_F(HandlerChangesTest, TheSharedEventsAreTheNewestAndAReplayLeavesThem) {
  MakeFourChanges();
  StoreReader& reader = service_.changes().reader();
  ChangeFrames frames(/*capacity=*/3);
  std::string all;
  EXPECT_EQ(frames.AppendAfter(0, 100, reader, all), 4);
  EXPECT_EQ(frames.first(), 2);  // the newest 3
  EXPECT_EQ(frames.last(), 4);
  std::string copied;
  EXPECT_EQ(frames.AppendAfter(2, 100, reader, copied), 4);
  EXPECT_EQ(copied, all.substr(all.find("id: 3\n")));
  std::string replayed;
  EXPECT_EQ(frames.AppendAfter(0, 1, reader, replayed), 1);  // read alone
  EXPECT_EQ(replayed, all.substr(0, all.find("id: 2\n")));
  EXPECT_EQ(frames.first(), 2);
  EXPECT_EQ(frames.last(), 4);
  Write("/api/v1/items/mug/adjustments", R"({"delta":1,"reason":"found"})");
  std::string next;
  EXPECT_EQ(frames.AppendAfter(4, 100, reader, next), 5);
  EXPECT_TRUE(next.starts_with("id: 5\nevent: item.adjusted\n")) << next;
  EXPECT_EQ(frames.first(), 3);
  EXPECT_EQ(frames.last(), 5);
  std::string none;
  EXPECT_EQ(frames.AppendAfter(5, 100, reader, none), 5);  // nothing new
  EXPECT_EQ(none, "");
}

TEST_F(HandlerChangesTest, TooManyStreamsIsOverloaded) {
  std::vector<HttpResponse> open;
  for (std::size_t i = 0; i < TestService::kMaxStreams; ++i) {
    open.push_back(Call("GET", "/api/v1/changes/stream"));
    ASSERT_EQ(open.back().status, 200);
  }
  HttpResponse refused = Call("GET", "/api/v1/changes/stream");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(Body(refused).at("error").at("code").as_string(), "overloaded");
  open.pop_back();  // a closed stream frees its place
  EXPECT_EQ(Call("GET", "/api/v1/changes/stream").status, 200);
}

class HandlerChangesRetentionTest : public HandlerChangesTest {
 protected:
  HandlerChangesRetentionTest() : HandlerChangesTest(kDayMs) {}
};

TEST_F(HandlerChangesRetentionTest, OlderChangesLeaveTheFeedWith410) {
  MakeFourChanges();  // at kT0
  service_.clock().Advance(kDayMs / 2);
  Write("/api/v1/items/mug/adjustments", R"({"delta":1,"reason":"found"})");  // seq 5
  EXPECT_EQ(Summary(Call("GET", "/api/v1/changes?after=0")),
            "1:item.created 2:reservation.created 3:reservation.confirmed 4:order.placed "
            "5:item.adjusted")
      << "all within the day";

  // A day after kT0 (and a little), 1..4 are gone; 5 stays.
  service_.clock().Advance(kDayMs / 2 + 1);
  std::this_thread::sleep_for(1100ms);  // past the feed's cache of the oldest kept
  HttpResponse expired = Call("GET", "/api/v1/changes?after=0");
  ASSERT_EQ(expired.status, 410) << expired.body;
  EXPECT_EQ(Body(expired).at("error").at("code").as_string(), "cursor_expired");
  EXPECT_EQ(Body(expired).at("error").at("oldest").as_int64(), 5);
  EXPECT_EQ(Call("GET", "/api/v1/changes?after=3").status, 410);
  EXPECT_EQ(Summary(Call("GET", "/api/v1/changes?after=4")), "5:item.adjusted");
  // No cursor: from the oldest kept.
  EXPECT_EQ(Summary(Call("GET", "/api/v1/changes")), "5:item.adjusted");
  EXPECT_EQ(Call("GET", "/api/v1/changes/stream?after=1").status, 410);
  // History keeps every movement: the record reads stay as they were.
  EXPECT_EQ(Call("GET", "/api/v1/items/mug").status, 200);
}

}  // namespace
}  // namespace allot::http
