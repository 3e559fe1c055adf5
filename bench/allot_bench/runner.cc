#include "allot_bench/runner.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace allot::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(200);

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace

LoadControl::LoadControl(double duration_s, std::optional<std::int64_t> max_operations)
    : deadline_(SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                         std::chrono::duration<double>(duration_s))),
      remaining_(max_operations.value_or(INT64_MAX)) {}

bool LoadControl::TakeOperation() {
  if (SteadyClock::now() >= deadline_) {
    time_ran_out_.store(true, std::memory_order_relaxed);
    return false;
  }
  return remaining_.fetch_sub(1, std::memory_order_relaxed) > 0;
}

// One io_context, its thread's stats and the clients it runs.
struct Runner::Thread {
  asio::io_context ioc{1};  // one thread: Asio may skip its internal locking
  ThreadStats stats;
  std::vector<Client*> clients;
  int active = 0;  // coroutines of the current phase still running (this thread only)
  std::unique_ptr<asio::steady_timer> watchdog;
};

Runner::Runner(const std::vector<Endpoint>& endpoints, int threads, double timeout_s)
    : timeout_s_(timeout_s) {
  for (int i = 0; i < threads; ++i) threads_.push_back(std::make_unique<Thread>());
  asio::io_context resolve_ioc;
  tcp::resolver resolver(resolve_ioc);
  for (const Endpoint& endpoint : endpoints) {
    boost::system::error_code ec;
    auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve " + endpoint.host + ":" + endpoint.port);
    }
    targets_.push_back({results.begin()->endpoint(), endpoint.host + ":" + endpoint.port});
  }
  if (targets_.empty()) throw std::runtime_error("no server to send requests to");
}

Runner::~Runner() = default;

int Runner::Open(int count) {
  while (static_cast<int>(clients_.size()) < count) {
    Thread& thread = *threads_[clients_.size() % threads_.size()];
    const Target& target = targets_[clients_.size() % targets_.size()];
    clients_.push_back(std::make_unique<Client>(thread.ioc, target.endpoint, target.host_header));
    thread.clients.push_back(clients_.back().get());
  }
  std::atomic<int> opened{0};
  Run(
      count,
      [&opened](Client& client, int) -> asio::awaitable<void> {
        if (co_await client.Connect()) opened.fetch_add(1);
      },
      false, false);
  return opened.load();
}

PhaseResult Runner::Run(int count, const Task& task, bool record, bool progress) {
  if (static_cast<int>(clients_.size()) < count) Open(count);
  std::atomic<int> remaining{count};
  std::atomic<std::int64_t> end_ns{0};
  auto start = SteadyClock::now();
  for (auto& thread : threads_) {
    thread->ioc.restart();
    thread->active = 0;
  }
  for (int i = 0; i < count; ++i) {
    Thread& thread = *threads_[i % threads_.size()];
    Client& client = *clients_[i];
    client.set_stats(record ? &thread.stats : nullptr);
    ++thread.active;
    asio::co_spawn(thread.ioc, task(client, i),
                   [&thread, &remaining, &end_ns, start](std::exception_ptr error) {
                     if (error) std::rethrow_exception(error);  // a bug in a scenario: fail loudly
                     if (--thread.active == 0 && thread.watchdog) thread.watchdog->cancel();
                     if (remaining.fetch_sub(1) == 1)
                       end_ns.store((SteadyClock::now() - start).count());
                   });
  }
  RunThreads(progress, start);
  return PhaseResult{static_cast<double>(end_ns.load()) / 1e9};
}

void Runner::RunThreads(bool progress, SteadyClock::time_point start) {
  auto timeout =
      std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(timeout_s_));
  std::atomic<int> running{static_cast<int>(threads_.size())};
  std::vector<std::thread> workers;
  for (auto& owned : threads_) {
    Thread* thread = owned.get();
    if (thread->active > 0) {
      thread->watchdog = std::make_unique<asio::steady_timer>(thread->ioc);
      asio::co_spawn(
          thread->ioc,
          [thread, timeout]() -> asio::awaitable<void> {
            while (thread->active > 0) {
              thread->watchdog->expires_after(kWatchdogPeriod);
              co_await thread->watchdog->async_wait(kUseTuple);
              auto now = SteadyClock::now();
              for (Client* client : thread->clients) client->AbortIfStuck(now, timeout);
            }
          },
          asio::detached);
    }
    workers.emplace_back([thread, &running] {
      thread->ioc.run();
      running.fetch_sub(1);
    });
  }
  std::uint64_t last_requests = 0;
  double last_s = 0;
  auto next_report = start + std::chrono::seconds(1);
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!progress || SteadyClock::now() < next_report) continue;
    next_report += std::chrono::seconds(1);
    std::uint64_t requests = 0;
    for (auto& thread : threads_)
      requests += thread->stats.requests.load(std::memory_order_relaxed);
    double now_s = SecondsSince(start);
    double rate = static_cast<double>(requests - last_requests) / (now_s - last_s);
    std::fprintf(stderr, "[%6.1f s] %12llu requests  %10.0f req/s\n", now_s,
                 static_cast<unsigned long long>(requests), rate);
    last_requests = requests;
    last_s = now_s;
  }
  for (auto& worker : workers) worker.join();
  for (auto& thread : threads_) thread->watchdog.reset();
}

std::unique_ptr<ThreadStats> Runner::MergedStats() const {
  auto merged = std::make_unique<ThreadStats>();
  for (const auto& thread : threads_) merged->Merge(thread->stats);
  return merged;
}

}  // namespace allot::bench
