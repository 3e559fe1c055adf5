// Counters, gauges and histograms of the service, rendered in the
// Prometheus text format (version 0.0.4) for GET /metrics. Every metric has
// # HELP and # TYPE lines; docs/operations.md lists them all.
//
// Thread-safe: requests are recorded from I/O threads and the engine's
// sequencer, batches and reservation transitions from the sequencer,
// connections from the server. Counters, gauges and histograms are atomics;
// the per-route maps are guarded by a short mutex. Label sets are bounded:
// `route` is a route template (or "unmatched"), never a raw path, and at most
// kMaxRouteLabels distinct routes are kept (others are counted as "other");
// `code` is one of the contract's error codes.
#ifndef ALLOT_HTTP_METRICS_H_
#define ALLOT_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allot/engine.h"
#include "allot/error.h"

namespace allot::http {

// A cumulative histogram with fixed upper bounds. Thread-safe, lock-free.
class Histogram {
 public:
  static constexpr std::size_t kMaxBuckets = 24;
  explicit Histogram(std::span<const double> upper_bounds);

  void Observe(double value);
  // Appends the _bucket, _sum and _count lines of `name`; `labels` is either
  // empty or "key=\"value\"" pairs joined by commas.
  void Render(std::string_view name, std::string_view labels, std::string& out) const;

 private:
  std::array<double, kMaxBuckets> bounds_{};
  std::size_t bucket_count_ = 0;
  std::array<std::atomic<std::uint64_t>, kMaxBuckets + 1> counts_{};  // last: +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

class Metrics {
 public:
  static constexpr std::size_t kMaxRouteLabels = 64;

  Metrics();

  // One answered HTTP request: its route template, status and time taken.
  void RecordRequest(std::string_view route, int status, double seconds);
  // The requests inside one answered /batch: route template and status each.
  void RecordBatchEntries(std::span<const std::pair<std::string_view, int>> entries);
  // One error answer, by its contract code ("out_of_stock", "not_found").
  void RecordRefusal(ErrorCode code);
  // One committed batch: client commands in it and its commit time.
  void RecordBatch(std::size_t commands, std::int64_t commit_us);
  // What a committed batch did to reservations and holds.
  void RecordHolds(const HoldTransitions& transitions);
  // Sets the engine's on_batch and on_holds to record into these metrics,
  // which must outlive the engine.
  void ObserveEngine(EngineOptions& options);

  // The server admitted a connection; its session ended.
  void ConnectionOpened();
  void ConnectionClosed();

  // A gauge whose value is read at each scrape (under a short lock: `read`
  // must be quick and must not call back into Metrics). Add before serving.
  void AddGauge(std::string name, std::string help, std::function<std::int64_t()> read);

  // The full exposition; `queue_depth` is the engine's current queue length.
  std::string Render(std::size_t queue_depth) const;
  // Metrics kept elsewhere (the webhooks'), appended to every exposition:
  // `render` appends complete # HELP / # TYPE / sample lines. Thread-safe;
  // `render` must be.
  void AddSection(std::function<void(std::string&)> render);

 private:
  void RenderRefusals(std::string& out) const;

  mutable std::mutex mu_;
  // One route template's answers: their time, and their count by status.
  struct RouteStats {
    std::unique_ptr<Histogram> duration;
    std::map<int, std::uint64_t> by_status;
  };
  std::map<std::string, RouteStats, std::less<>> routes_;  // guarded by mu_
  std::map<std::pair<std::string, int>, std::uint64_t> batch_entries_;        // guarded by mu_
  std::vector<std::function<void(std::string&)>> sections_;                    // guarded by mu_
  Histogram batch_commands_;
  Histogram commit_seconds_;
  // Indexed by ErrorCode; room for codes added after this was written.
  static constexpr std::size_t kMaxErrorCodes = 32;
  std::array<std::atomic<std::uint64_t>, kMaxErrorCodes> refusals_{};
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> reservations_created_{0};
  std::atomic<std::uint64_t> reservations_confirmed_{0};
  std::atomic<std::uint64_t> reservations_cancelled_{0};
  std::atomic<std::uint64_t> holds_expired_{0};
  struct Gauge {
    std::string name;
    std::string help;
    std::function<std::int64_t()> read;
  };
  std::vector<Gauge> gauges_;  // guarded by mu_
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_METRICS_H_
