// Following the change feed from a test, and checking what it said.
//
// ChangeFollower reads GET /api/v1/changes with long polls on a thread of
// its own, round-robin over the given servers (instances sharing one
// PostgreSQL database must serve one feed), and notes every way the feed
// breaks its promise: a seq that is not the one after the last seen (a gap,
// a repeat, a step back), a `next` that disagrees with the page, a request
// that fails.
//
// ReplayChanges rebuilds every item's counters and every account's balance
// from the changes alone, applying the contract's rules in seq order, so a
// test can hold the feed against the records' own answers.
//
// MixedWrites hammers one or more servers with every kind of write at once.
#ifndef ALLOT_TESTS_SUPPORT_CHANGE_FOLLOWER_H_
#define ALLOT_TESTS_SUPPORT_CHANGE_FOLLOWER_H_

#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace allot::testing {

class ChangeFollower {
 public:
  // Starts following from `after`, `limit` changes per page, each poll
  // waiting up to `wait_ms`.
  explicit ChangeFollower(std::vector<int> ports, std::int64_t after = 0, int limit = 50,
                          int wait_ms = 500);
  ~ChangeFollower();
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Waits until a poll came back empty after every change up to the head
  // as it was when this was called (read from the first server): true, or
  // false at `timeout`.
  bool CatchUp(std::chrono::milliseconds timeout);
  void Stop();

  std::vector<boost::json::object> changes() const;
  std::vector<std::string> violations() const;
  std::int64_t last_seq() const { return last_seq_.load(); }
  std::int64_t polls() const { return polls_.load(); }

 private:
  void Run();
  void Violation(std::string text);

  std::vector<int> ports_;
  int limit_;
  int wait_ms_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> last_seq_;
  std::atomic<std::int64_t> polls_{0};
  mutable std::mutex mu_;
  std::vector<boost::json::object> changes_;  // guarded by mu_
  std::vector<std::string> violations_;       // guarded by mu_
  std::thread thread_;
};

struct ReplayedItem {
  std::int64_t on_hand = 0, held = 0, sold = 0;
  friend bool operator==(const ReplayedItem&, const ReplayedItem&) = default;
};
struct ReplayedAccount {
  std::int64_t balance = 0, held = 0;
  friend bool operator==(const ReplayedAccount&, const ReplayedAccount&) = default;
};
struct Replayed {
  std::map<std::string, ReplayedItem> items;
  std::map<std::string, ReplayedAccount> accounts;
  // Changes that do not fit what came before (an unknown record, a record
  // whose `data` disagrees with the replay).
  std::vector<std::string> problems;
};

Replayed ReplayChanges(const std::vector<boost::json::object>& changes);

// What MixedWrites did; every answer was a 2xx or a 409 unless `failures`
// says otherwise.
struct MixedWriteCounts {
  std::int64_t writes = 0;
  std::vector<std::string> failures;
  std::vector<std::string> items;
  std::vector<std::string> accounts;
};

// Creates a few items, accounts and an event through the first server, then
// `threads` clients (spread over the servers) each make `writes_each`
// random writes of every kind: reservations (some expiring within a second),
// confirms, cancels, direct orders and their cancels, adjustments, posted
// and held transfers and their confirms and cancels, seat holds. `tag`
// keeps ids apart between calls.
MixedWriteCounts MixedWrites(const std::vector<int>& ports, int threads, int writes_each,
                             const std::string& tag, unsigned seed);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_CHANGE_FOLLOWER_H_
