#include "crash_workload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

#include "api.h"
#include "crash_checks.h"
#include "crash_writes.h"

namespace allot::testing {
namespace {

constexpr std::int64_t kHotStock = 60;
constexpr std::int64_t kPlentyStock = 1'000'000;

struct LoadResult {
  std::int64_t acknowledged = 0;
  std::vector<WriteRequest> unanswered;
};

// Writes from options.threads keep-alive connections until each one's
// connection fails; a random delay after the first write is acknowledged,
// the server is SIGKILLed.
LoadResult LoadUntilKilled(ServerProcess& server, const CrashOptions& options, CrashModel& model,
                           std::mt19937_64& rng, std::atomic<int>& keys) {
  const std::int64_t before = model.acknowledged_count();
  std::mutex mu;
  LoadResult result;
  std::vector<std::jthread> threads;
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t, seed = rng()] {
      WriteMaker maker(t, seed, model, keys);
      HttpClient client(server.port(), std::chrono::seconds(10));
      for (;;) {
        WriteRequest request = maker.Next();
        Response response = Send(client, request);
        if (model.Apply(request, response) == WriteOutcome::kUnknown) {
          // The server is gone (or going): this write may or may not have
          // committed; it is settled after the restart.
          std::lock_guard lock(mu);
          result.unanswered.push_back(std::move(request));
          return;
        }
      }
    });
  }
  // The delay runs from the first acknowledgement, so a slow server (a
  // sanitizer build, a busy machine) still gets load before the kill.
  const auto started = std::chrono::steady_clock::now();
  while (model.acknowledged_count() == before &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto delay = std::uniform_int_distribution<std::int64_t>(options.min_load.count(),
                                                                 options.max_load.count())(rng);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  server.Kill();
  threads.clear();  // joins: every connection fails once the process is gone
  result.acknowledged = model.acknowledged_count() - before;
  return result;
}

void CreateItems(int port, const CrashModel& model) {
  Api api(port);
  for (const auto& [item, stock] : model.initial_stock()) {
    Response created = api.CreateItem(item, stock);
    ASSERT_EQ(created.status, 201) << Describe(created);
  }
}

// Waits until every short hold has run out (and the sweeper, once a second,
// has had time to end them), so no hold is near its expiry and the last
// checks are exact.
void WaitForShortHolds(const CrashModel& model) {
  const std::int64_t last = model.LatestHeldExpiryBefore(WallNowMs() + 60'000);
  // The sweeper runs every second.
  const std::int64_t wait_ms = last + 1'500 - WallNowMs();
  if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
}

}  // namespace

std::string Summary(const CrashReport& report, std::string_view store, double seconds) {
  std::ostringstream line;
  line << "[crash] " << store << ": " << report.cycles << " kill -9 cycles in " << seconds << " s, "
       << report.acknowledged << " acknowledged writes checked after every restart, "
       << report.unanswered << " unanswered (" << report.unanswered_applied << " had committed), "
       << report.replays_checked << " replays, " << report.records_checked << " record reads\n";
  return line.str();
}

std::map<std::string, std::int64_t> CrashItems() {
  return {{std::string(kHotItem), kHotStock},
          {"plenty-a", kPlentyStock},
          {"plenty-b", kPlentyStock},
          {"plenty-c", kPlentyStock}};
}

std::uint64_t CrashSeed() {
  if (const char* env = std::getenv("ALLOT_CRASH_SEED"); env != nullptr && *env != '\0') {
    return std::strtoull(env, nullptr, 10);
  }
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

CrashReport RunCrashCycles(ServerProcess& server, const CrashOptions& options, CrashModel& model) {
  CrashReport report;
  std::mt19937_64 rng(options.seed);
  std::atomic<int> keys = 0;
  std::vector<WriteRequest> unanswered;
  auto settle = [&](int cycle) {
    model.set_cycle(cycle);
    report.unanswered += static_cast<std::int64_t>(unanswered.size());
    report.unanswered_applied += ResolveUnanswered(server.port(), unanswered, model);
    unanswered.clear();
    report.records_checked += CheckRecordsOverHttp(server.port(), model);
    report.replays_checked += CheckReplays(server.port(), model.acknowledged_in(cycle - 1));
  };

  model.set_cycle(0);
  if (!server.Start(options.server_args)) {
    ADD_FAILURE() << "the server did not start";
    return report;
  }
  CreateItems(server.port(), model);
  for (int cycle = 1; cycle <= options.cycles && !::testing::Test::HasFatalFailure(); ++cycle) {
    if (cycle > 1) {
      ::testing::AssertionResult started = server.Start(options.server_args);
      if (!started) {
        ADD_FAILURE() << "restart " << cycle
                      << " on the same database failed: " << started.message();
        return report;
      }
    }
    settle(cycle);
    LoadResult load = LoadUntilKilled(server, options, model, rng, keys);
    // A cycle that acknowledged nothing would check nothing.
    EXPECT_GT(load.acknowledged, 0) << "cycle " << cycle << " acknowledged no write at all";
    unanswered = std::move(load.unanswered);
    report.acknowledged += load.acknowledged;
    report.cycles = cycle;
  }
  // One more start: settle the last cycle, then check exactly once no short
  // hold is left, and kill it for the caller's look at the database.
  ::testing::AssertionResult started = server.Start(options.server_args);
  if (!started) {
    ADD_FAILURE() << "the final restart failed: " << started.message();
    return report;
  }
  settle(options.cycles + 1);
  report.acknowledged = model.acknowledged_count();  // with the writes resent meanwhile
  WaitForShortHolds(model);
  report.records_checked += CheckRecordsOverHttp(server.port(), model);
  server.Kill();
  return report;
}

}  // namespace allot::testing
