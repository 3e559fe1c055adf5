// The change feed's waiting side: long polls of GET /api/v1/changes that
// found nothing new, answered as soon as a matching change commits (or
// their wait is over), and the journal's head for streams and metrics.
//
// A background thread does the waiting, so no I/O thread blocks. It learns
// of new changes two ways: Poke() from this process's engine after a batch
// that wrote changes (at once), and, while anyone waits, a read of the
// head every `head_poll` (changes another process committed to a shared
// PostgreSQL database). A waiter whose filter keeps none of the new changes
// moves its cursor past them and waits on.
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
#include <mutex>
#include <thread>

#include "allot/error.h"
#include "allot/store.h"

namespace allot::api {

struct ChangeFeedOptions {
  std::size_t max_waiters = 1'000;
  std::chrono::milliseconds head_poll{50};
  // Changes read at most per answer, whatever the filter keeps.
  std::size_t max_scan = 10'000;
};

class ChangeFeed {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Answer = std::function<void(Expected<ChangePage>)>;

  ChangeFeed(StoreReader& reader, ChangeFeedOptions options = {});
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // A batch with changes committed in this process.
  void Poke();

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
  const ChangeFeedOptions& options() const { return options_; }

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
  // Reads on for every waiter; answers those with changes or past their
  // deadline. Called without the lock held.
  void Serve(std::list<Waiter>& waiting, SteadyTime now);

  StoreReader& reader_;
  ChangeFeedOptions options_;
  std::atomic<std::int64_t> head_{0};

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::list<Waiter> waiters_;  // guarded by mu_
  bool poked_ = false;         // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;
};

}  // namespace allot::api

#endif  // ALLOT_API_CHANGE_FEED_H_
