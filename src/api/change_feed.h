// The change feed's waiting side: long polls of GET /api/v1/changes that
// found nothing new, answered as soon as a matching change commits (or
// their wait is over); the journal's head for streams and metrics; and
// where the feed starts when old changes are not kept.
//
// A background thread does the waiting, so no I/O thread blocks. It learns
// of new changes two ways: Poke() from this process's engine after a batch
// that wrote changes (at once), and, while anyone waits or follows, a read
// of the head every `head_poll` (changes another process committed to a
// shared PostgreSQL database). A waiter whose filter keeps none of the new
// changes moves its cursor past them and waits on.
//
// Thread-safe. Stop() (or the destructor) answers every waiter as if its
// wait were over.
#ifndef ALLOT_API_CHANGE_FEED_H_
#define ALLOT_API_CHANGE_FEED_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "allot/error.h"
#include "allot/store.h"

namespace allot::api {

struct ChangeFeedOptions {
  std::size_t max_waiters = 1'000;
  std::size_t max_followers = 256;
  std::chrono::milliseconds head_poll{50};
  // Changes read at most per answer, whatever the filter keeps.
  std::size_t max_scan = 10'000;
  // Changes older than this leave the feed (0: every change is kept).
  std::int64_t retention_ms = 0;
  // How long a computed start of the kept changes is reused.
  std::chrono::milliseconds oldest_refresh{1'000};
};

class ChangeFeed {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Answer = std::function<void(Expected<ChangePage>)>;

  ChangeFeed(StoreReader& reader, ChangeFeedOptions options = {});
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // A batch committed in this process wrote changes up to `last_seq`.
  void Poke(std::int64_t last_seq);

  // While the returned handle lives, the head is kept fresh (read every
  // head_poll) even with no waiter: a stream follows the feed. Null when
  // max_followers already follow. The handle must not outlive the feed.
  std::shared_ptr<void> Follow();

  // The first seq the feed still serves at `now_ms`: 1 while every change
  // is kept, else the first change committed at or after now_ms -
  // retention_ms (head + 1 when none is).
  Expected<std::int64_t> OldestKept(std::int64_t now_ms);

  // Up to `limit` changes after `after` that `filter` keeps, now. When
  // there are none and `deadline` is later than now, `answer` is called
  // later instead (on the feed's thread): with the first matching changes,
  // or with an empty page once the deadline passes. Returns false, calling
  // nothing, when max_waiters are already waiting.
  bool Read(std::int64_t after, std::size_t limit, ChangeFilter filter, SteadyTime deadline,
            Answer answer);

  // The newest seq this process knows to be committed (for metrics and
  // streams; cheap).
  std::int64_t head() const { return head_.load(std::memory_order_relaxed); }
  // Reads the head from the store now.
  Expected<std::int64_t> RefreshHead();
  std::size_t waiters() const;
  std::size_t followers() const { return followers_.load(std::memory_order_relaxed); }
  const ChangeFeedOptions& options() const { return options_; }
  StoreReader& reader() { return reader_; }

  void Stop();

 private:
  struct Waiter {
    std::int64_t after;
    std::size_t limit;
    ChangeFilter filter;
    SteadyTime deadline;
    Answer answer;
  };

  void Run();
  bool Watching() const;  // with mu_ held
  void RaiseHead(std::int64_t seen);
  // The first seq committed at or after `since_ms` (binary search over the
  // journal, whose times only grow).
  Expected<std::int64_t> FirstSeqSince(std::int64_t since_ms);
  // Reads on for every waiter; answers those with changes or past their
  // deadline. Called without the lock held.
  void Serve(std::list<Waiter>& waiting, SteadyTime now);

  StoreReader& reader_;
  ChangeFeedOptions options_;
  std::atomic<std::int64_t> head_{0};
  std::atomic<std::size_t> followers_{0};

  std::mutex oldest_mu_;
  std::int64_t oldest_ = 1;        // guarded by oldest_mu_
  SteadyTime oldest_computed_{};  // guarded by oldest_mu_; never: epoch

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::list<Waiter> waiters_;  // guarded by mu_
  bool poked_ = false;         // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;
};

}  // namespace allot::api

#endif  // ALLOT_API_CHANGE_FEED_H_
