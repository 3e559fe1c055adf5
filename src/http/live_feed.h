// What the dashboard watches, as server-sent events (GET /api/v1/stream).
//
// Two sources, chosen so the sequencer's hot path stays cheap:
// - Committed reservations, published by the handler from the completion of
//   a reservation write (on the sequencer thread, after the commit). A
//   publish is one relaxed atomic increment (for the rate) while nobody
//   watches; with watchers it also copies the reservation into a short ring
//   under a mutex that is never held for I/O or encoding.
// - Everything else is pulled: an items snapshot read from the store reader
//   at most every `snapshot_interval`, and a rate sample (reservations
//   created per interval) every `rate_interval`. Both are taken by whichever
//   stream polls first once they are due, and shared by all streams; nothing
//   runs while nobody watches.
//
// Each stream keeps only cursors into that shared state, so a slow client
// costs no memory: between two of its polls it skips to the newest items
// snapshot and to the newest `recent_reservations` reservations (drop
// oldest). A client that cannot take a write within `write_timeout` is
// closed by the server. At most `max_clients` streams are open at once.
//
// Events (each `data:` is one line of JSON):
//   event: items        {"serverTime","items":[Item...],"next":id|null}
//                       (sent when it changed; "next" is non-null when
//                       there were more than max_items items)
//   event: reservation  a Reservation, new or changed (confirmed, cancelled)
//   event: rate         {"samples":[{"at","reservations","intervalMs"}...]}
//                       (the history on connect, then each new sample)
//   ": heartbeat"       a comment when nothing else was sent for
//                       `heartbeat`, so a dead connection is noticed.
// Reservations made by other processes on a shared PostgreSQL database show
// in the items snapshot, not as reservation events or in the rate.
//
// Thread-safe. Streams share the feed's state and may outlive the feed.
#ifndef ALLOT_HTTP_LIVE_FEED_H_
#define ALLOT_HTTP_LIVE_FEED_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "allot/error.h"
#include "allot/model.h"
#include "allot/store.h"
#include "http/event_stream.h"

namespace allot::http {

struct LiveFeedOptions {
  std::size_t max_clients = 32;
  std::size_t recent_reservations = 64;  // kept for new and lagging streams
  std::size_t max_items = 1000;          // items per snapshot
  std::size_t rate_history = 120;        // samples sent on connect
  std::chrono::milliseconds snapshot_interval{500};
  std::chrono::milliseconds rate_interval{1000};
  std::chrono::milliseconds heartbeat{15'000};
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds write_timeout{10'000};
  // Sent first on every stream: how long EventSource waits to reconnect.
  std::chrono::milliseconds client_retry{2'000};
};

class LiveFeed {
 public:
  using SteadyTime = EventStream::SteadyTime;
  // The first `limit` items by id, as of now.
  using ItemReader = std::function<Expected<ItemPage>(std::size_t limit)>;
  // Wall-clock milliseconds since the epoch (the service's clock).
  using WallClock = std::function<std::int64_t()>;

  LiveFeed(ItemReader read_items, WallClock now_ms, LiveFeedOptions options = {});
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // A committed reservation: `created` when the write made it, else it
  // changed (confirmed, cancelled). Called on the sequencer thread.
  void Publish(const Reservation& reservation, bool created);

  // A stream for one more client, or nullptr when max_clients are open. The
  // slot is freed when the stream is destroyed.
  std::shared_ptr<EventStream> Subscribe(SteadyTime now);

  std::size_t clients() const;
  const LiveFeedOptions& options() const;

 private:
  struct State;
  class Stream;
  std::shared_ptr<State> state_;
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_LIVE_FEED_H_
