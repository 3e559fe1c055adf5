// GET /api/v1/changes/stream: the change feed as server-sent events.
//
// Each change is one event:
//   id: <seq>
//   event: <type>
//   data: <the change's JSON, as GET /api/v1/changes gives it>
// so a browser's EventSource resumes after the last one it saw by sending
// Last-Event-ID. The first bytes set the client's reconnect delay
// ("retry:"); a comment line (": keepalive") goes out when nothing else was
// sent for `keepalive`, so proxies keep the connection and a dead one is
// noticed.
//
// The stream holds only a cursor: each poll reads on from it, at most
// `max_per_poll` changes, once the feed's head is past it (the head moves
// when this process commits, and is read from the store while anyone
// follows, for other processes' commits). A client that cannot keep up
// falls behind in the journal, costing no memory here; one that does not
// take a write within `write_timeout` is closed by the server.
#ifndef ALLOT_HTTP_CHANGE_STREAM_H_
#define ALLOT_HTTP_CHANGE_STREAM_H_

#include <chrono>
#include <cstdint>
#include <memory>

#include "allot/store.h"
#include "api/change_feed.h"
#include "http/change_frames.h"
#include "http/event_stream.h"

namespace allot::http {

struct ChangeStreamOptions {
  std::chrono::milliseconds poll_interval{50};
  std::chrono::milliseconds keepalive{15'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds client_retry{2'000};
  std::size_t max_per_poll = 1'000;
};

class ChangeStream final : public EventStream {
 public:
  // `follow` is the feed's Follow() handle, released with the stream.
  // `frames`, when given, serves a stream that follows the whole feed (no
  // filter) from the events other streams already encoded.
  ChangeStream(api::ChangeFeed& feed, std::shared_ptr<void> follow, std::int64_t after,
               ChangeFilter filter, SteadyTime now, ChangeStreamOptions options = {},
               ChangeFrames* frames = nullptr);

  std::string Poll(SteadyTime now) override;
  std::chrono::milliseconds poll_interval() const override { return options_.poll_interval; }
  std::chrono::milliseconds write_timeout() const override { return options_.write_timeout; }

  std::int64_t cursor() const { return cursor_; }

 private:
  api::ChangeFeed& feed_;
  std::shared_ptr<void> follow_;
  std::int64_t cursor_;
  ChangeFilter filter_;
  ChangeStreamOptions options_;
  ChangeFrames* frames_;  // null when the filter keeps less than everything
  SteadyTime last_sent_;
  bool greeted_ = false;
};

// One change as an event (the lines above and the blank line ending it).
void AppendChangeEvent(const Change& change, std::string& out);

}  // namespace allot::http

#endif  // ALLOT_HTTP_CHANGE_STREAM_H_
