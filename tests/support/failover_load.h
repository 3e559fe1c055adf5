// Write load on several allot servers while their database fails over, as
// a careful client would drive it: every write carries an Idempotency-Key,
// and a write whose outcome is unknown (no answer, or 500 outcome_unknown)
// is sent again with the same key until an answer settles it (a replay: it
// had been done; anything else: it ran now, once). Every settled answer goes
// into the CrashModel, and every answer onto a timeline, to measure the
// window of refusals and when each server wrote again.
//
// Thread-safe where noted; Start and Stop from one thread.
#ifndef ALLOT_TESTS_SUPPORT_FAILOVER_LOAD_H_
#define ALLOT_TESTS_SUPPORT_FAILOVER_LOAD_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crash_model.h"

namespace allot::testing {

using SteadyTime = std::chrono::steady_clock::time_point;

// One answer the load got.
struct TimedAnswer {
  SteadyTime at;
  int server = 0;    // index into the ports given to Start
  int status = 0;    // 0: no answer
  std::string code;  // the error code of a non-2xx answer
};

struct FailoverLoadReport {
  std::int64_t sent = 0;          // requests, resends included
  std::int64_t unknown = 0;       // answers that left the outcome unknown
  std::int64_t settled_done = 0;  // ...settled by a replay: it had been done
  std::int64_t settled_ran = 0;   // ...settled by running it now
  std::int64_t unsettled = 0;     // still unknown when the load had to stop
};

class FailoverLoad {
 public:
  explicit FailoverLoad(CrashModel& model) : model_(model) {}
  ~FailoverLoad() { Stop(); }

  // threads_per_server load threads per port, each with its own keep-alive
  // connection and its own writes (WriteMaker), from now until Stop().
  void Start(const std::vector<int>& ports, int threads_per_server, std::uint64_t seed);
  // Stops starting new writes; a thread settling an unknown outcome keeps
  // resending until it is settled or `settle_deadline` passes. Joins.
  FailoverLoadReport Stop(std::chrono::milliseconds settle_deadline = std::chrono::seconds(30));

  // Thread-safe copies.
  std::vector<TimedAnswer> timeline() const;
  // The first 2xx answer from `server` at or after `since`, if any.
  std::optional<SteadyTime> FirstSuccessSince(int server, SteadyTime since) const;

 private:
  void Run(int port, int server, int thread, std::uint64_t seed);
  void Record(int server, int status, std::string code);

  CrashModel& model_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> keys_{0};
  std::vector<std::jthread> threads_;
  SteadyTime settle_until_{};  // written before stopping_ is set
  mutable std::mutex mu_;
  std::vector<TimedAnswer> timeline_;  // guarded by mu_
  FailoverLoadReport report_;          // guarded by mu_
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_FAILOVER_LOAD_H_
