// Threads, connections and phases. The runner owns `threads` io_contexts,
// each run by one thread (no locking inside Asio), and spreads connections
// over them round robin. A phase spawns one coroutine per connection and
// returns when all of them have returned; a watchdog per thread drops
// requests stuck past the timeout so that every phase ends.
#ifndef ALLOT_BENCH_RUNNER_H_
#define ALLOT_BENCH_RUNNER_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "allot_bench/client.h"
#include "allot_bench/load_stats.h"
#include "allot_bench/options.h"

namespace allot::bench {

// When the load stops: at a deadline, or once a number of operations started.
class LoadControl {
 public:
  LoadControl(double duration_s, std::optional<std::int64_t> max_operations);

  // Thread-safe. True when one more operation may start.
  bool TakeOperation();
  bool time_ran_out() const { return time_ran_out_.load(std::memory_order_relaxed); }

 private:
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<std::int64_t> remaining_;
  std::atomic<bool> time_ran_out_{false};
};

struct PhaseResult {
  double elapsed_s = 0;  // first spawn to the last coroutine's return
};

class Runner {
 public:
  using Task = std::function<boost::asio::awaitable<void>(Client& client, int index)>;

  // Resolves every endpoint; throws std::runtime_error if one cannot be.
  // Connection i talks to endpoints[i % endpoints.size()].
  Runner(const std::vector<Endpoint>& endpoints, int threads, double timeout_s);
  ~Runner();

  // Opens `count` connections (in parallel); returns how many opened.
  int Open(int count);

  // Runs task(client i, i) for i in [0, count) concurrently on the open
  // connections. With `record` the requests go into stats(); with
  // `progress` a line a second goes to stderr.
  PhaseResult Run(int count, const Task& task, bool record, bool progress);

  // The stats blocks of all threads, merged.
  std::unique_ptr<ThreadStats> MergedStats() const;
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  struct Thread;
  void RunThreads(bool progress, std::chrono::steady_clock::time_point start);

  std::vector<std::unique_ptr<Thread>> threads_;
  std::vector<std::unique_ptr<Client>> clients_;
  struct Target {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string host_header;
  };
  std::vector<Target> targets_;
  double timeout_s_;
};

}  // namespace allot::bench

#endif  // ALLOT_BENCH_RUNNER_H_
