// allot-inprocess-bench: the library path with no HTTP. One engine over a
// fresh SQLite database (synchronous=FULL: every commit is fsynced), one hot
// item with huge stock, and one thread submitting "reserve 1" asynchronously
// with up to `window` commands in flight: what the sequencer and the store
// can do when nothing in front of them is the bottleneck. The batch_max=1
// variant is the one-transaction-per-request baseline.
//
//   allot-inprocess-bench [--benchmark_min_time=2] [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "allot/commands.h"
#include "allot/engine.h"
#include "allot/sqlite_store.h"

namespace allot {
namespace {

constexpr std::int64_t kHugeStock = 1'000'000'000;
constexpr const char* kItemId = "hot";

// A fresh database in a temporary directory and an engine over it, with a
// tally of the batches the engine committed.
class Harness {
 public:
  explicit Harness(std::size_t batch_max) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "allot-inprocess-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    auto db = OpenSqlite(SqliteOptions{.path = dir_ + "/bench.db", .sync = SyncMode::kFull});
    if (!db) return;
    auto engine =
        Engine::Start(std::move(db->writer),
                      EngineOptions{.batch_max = batch_max,
                                    .on_batch = [this](std::size_t commands, std::int64_t) {
                                      batches_.fetch_add(1, std::memory_order_relaxed);
                                      commands_.fetch_add(commands, std::memory_order_relaxed);
                                    }});
    if (!engine) return;
    engine_ = std::move(*engine);
    auto created =
        engine_->Execute(Command{.body = CreateItem{.id = kItemId, .on_hand = kHugeStock}});
    if (!created) engine_.reset();
  }

  ~Harness() {
    if (engine_) engine_->Stop();
    engine_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  Engine* engine() { return engine_.get(); }
  double MeanBatch() const {
    auto batches = batches_.load();
    return batches == 0 ? 0 : static_cast<double>(commands_.load()) / static_cast<double>(batches);
  }

 private:
  std::string dir_;
  std::unique_ptr<Engine> engine_;
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> commands_{0};
};

// Counts commands in flight; the submitter waits when `window` are out.
class InFlight {
 public:
  void Acquire(std::int64_t window) {
    std::int64_t now = count_.load();
    while (now >= window) {
      count_.wait(now);
      now = count_.load();
    }
    count_.fetch_add(1);
  }
  void Release() {
    count_.fetch_sub(1);
    count_.notify_one();
  }
  void Drain() {
    for (std::int64_t now = count_.load(); now > 0; now = count_.load()) count_.wait(now);
  }

 private:
  std::atomic<std::int64_t> count_{0};
};

// Args: batch_max, window (commands in flight).
void BM_ReserveHotItem(benchmark::State& state) {
  Harness harness(static_cast<std::size_t>(state.range(0)));
  if (harness.engine() == nullptr) {
    state.SkipWithError("could not open the database or start the engine");
    return;
  }
  const std::int64_t window = state.range(1);
  InFlight in_flight;
  std::atomic<std::uint64_t> refused{0};
  std::uint64_t seq = 0;
  for (auto _ : state) {
    in_flight.Acquire(window);
    Command command{.body = Reserve{.user_id = "u" + std::to_string(seq++),
                                    .lines = {Line{.item_id = kItemId, .qty = 1}},
                                    .ttl_seconds = 3600}};
    harness.engine()->Submit(std::move(command), [&in_flight, &refused](CommandResult result) {
      if (!result) refused.fetch_add(1, std::memory_order_relaxed);
      in_flight.Release();
    });
  }
  // The last commits belong to the measured work: wait for them in the timing.
  in_flight.Drain();
  state.SetItemsProcessed(state.iterations());
  state.counters["mean_batch"] = harness.MeanBatch();
  state.counters["refused"] = static_cast<double>(refused.load());
  if (refused.load() > 0) state.SkipWithError("some reservations were refused (see 'refused')");
}

BENCHMARK(BM_ReserveHotItem)
    ->ArgNames({"batch_max", "window"})
    ->Args({10'000, 32768})  // group commit as the server runs it; two batches' worth in flight
    ->Args({1, 64})          // one transaction per request: the naive baseline
    ->UseRealTime()          // the work happens on the sequencer thread
    ->MinTime(2.0)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace allot

BENCHMARK_MAIN();
