#include "http/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <vector>

namespace allot::http {
namespace {

constexpr double kLatencyBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};
constexpr double kBatchBounds[] = {1,   2,   4,    8,    16,   32,   64,   128,
                                   256, 512, 1024, 2048, 4096, 8192, 16384};
constexpr double kCommitBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                    0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};

// The shortest text that reads back as `value` ("0.0025", "1", "1e-05").
std::string FormatNumber(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : "NaN";
}

void AddTo(std::atomic<double>& target, double value) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
}

void RenderCounter(std::string_view name, std::string_view help,
                   const std::atomic<std::uint64_t>& value, std::string& out) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " counter\n";
  out += std::string(name) + " " + std::to_string(value.load(std::memory_order_relaxed)) + "\n";
}

void RenderGauge(std::string_view name, std::string_view help, std::int64_t value,
                 std::string& out) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " gauge\n";
  out += std::string(name) + " " + std::to_string(value) + "\n";
}

std::string JoinLabels(std::string_view labels, std::string_view extra) {
  std::string out(labels);
  if (!out.empty() && !extra.empty()) out += ',';
  out += extra;
  return out;
}

}  // namespace

Histogram::Histogram(std::span<const double> upper_bounds) {
  assert(upper_bounds.size() <= kMaxBuckets);
  bucket_count_ = std::min(upper_bounds.size(), kMaxBuckets);
  std::copy_n(upper_bounds.begin(), bucket_count_, bounds_.begin());
}

void Histogram::Observe(double value) {
  std::size_t bucket = bucket_count_;  // +Inf
  for (std::size_t i = 0; i < bucket_count_; ++i) {
    if (value <= bounds_[i]) {
      bucket = i;
      break;
    }
  }
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  AddTo(sum_, value);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::Render(std::string_view name, std::string_view labels, std::string& out) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bucket_count_; ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    std::string le = i < bucket_count_ ? FormatNumber(bounds_[i]) : "+Inf";
    out += std::string(name) + "_bucket{" + JoinLabels(labels, "le=\"" + le + "\"") + "} " +
           std::to_string(cumulative) + "\n";
  }
  std::string suffix = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out += std::string(name) + "_sum" + suffix + " " +
         FormatNumber(sum_.load(std::memory_order_relaxed)) + "\n";
  // The count is the +Inf bucket, so the two always agree in one scrape.
  out += std::string(name) + "_count" + suffix + " " + std::to_string(cumulative) + "\n";
}

Metrics::Metrics() : batch_commands_(kBatchBounds), commit_seconds_(kCommitBounds) {}

void Metrics::RecordRequest(std::string_view route, int status, double seconds) {
  Histogram* histogram = nullptr;
  {
    std::lock_guard lock(mu_);
    // Looked up by view: a known route (every request but the first few)
    // costs no allocation.
    auto it = routes_.find(route);
    if (it == routes_.end()) {
      const std::string_view label = routes_.size() >= kMaxRouteLabels ? "other" : route;
      it = routes_.find(label);
      if (it == routes_.end()) {
        it = routes_.emplace(std::string(label), RouteStats{}).first;
        it->second.duration = std::make_unique<Histogram>(kLatencyBounds);
      }
    }
    ++it->second.by_status[status];
    histogram = it->second.duration.get();  // entries are never removed
  }
  histogram->Observe(seconds);
}

void Metrics::RecordBatchEntries(std::span<const std::pair<std::string_view, int>> entries) {
  // A batch mostly repeats a few (route, status) pairs: tally them first,
  // then touch the map once per pair.
  std::vector<std::pair<std::pair<std::string_view, int>, std::uint64_t>> tally;
  for (const auto& entry : entries) {
    auto it = std::find_if(tally.begin(), tally.end(),
                           [&entry](const auto& counted) { return counted.first == entry; });
    if (it == tally.end()) {
      tally.push_back({entry, 1});
    } else {
      ++it->second;
    }
  }
  std::lock_guard lock(mu_);
  for (const auto& [key, count] : tally) {
    // Only write routes are batched: a bounded label set of its own.
    batch_entries_[{std::string(key.first), key.second}] += count;
  }
}

void Metrics::RecordRefusal(ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  if (index < kMaxErrorCodes) refusals_[index].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::RecordBatch(std::size_t commands, std::int64_t commit_us) {
  batch_commands_.Observe(static_cast<double>(commands));
  commit_seconds_.Observe(static_cast<double>(commit_us) / 1e6);
}

void Metrics::RecordHolds(const HoldTransitions& transitions) {
  reservations_created_.fetch_add(transitions.reservations_created, std::memory_order_relaxed);
  reservations_confirmed_.fetch_add(transitions.reservations_confirmed, std::memory_order_relaxed);
  reservations_cancelled_.fetch_add(transitions.reservations_cancelled, std::memory_order_relaxed);
  holds_expired_.fetch_add(transitions.holds_expired, std::memory_order_relaxed);
}

void Metrics::ObserveEngine(EngineOptions& options) {
  options.on_batch = [this](std::size_t commands, std::int64_t commit_us) {
    RecordBatch(commands, commit_us);
  };
  options.on_holds = [this](const HoldTransitions& transitions) { RecordHolds(transitions); };
}

void Metrics::AddGauge(std::string name, std::string help, std::function<std::int64_t()> read) {
  std::lock_guard lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
void Metrics::ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }

std::string Metrics::Render(std::size_t queue_depth) const {
  std::string out;
  out += "# HELP allot_http_requests_total HTTP requests answered, by route template and status.\n";
  out += "# TYPE allot_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [route, stats] : routes_) {
    for (const auto& [status, count] : stats.by_status) {
      out += "allot_http_requests_total{route=\"" + route + "\",code=\"" +
             std::to_string(status) + "\"} " + std::to_string(count) + "\n";
    }
  }
  out += "# HELP allot_http_request_duration_seconds Time from request read to response ready.\n";
  out += "# TYPE allot_http_request_duration_seconds histogram\n";
  for (const auto& [route, stats] : routes_) {
    stats.duration->Render("allot_http_request_duration_seconds", "route=\"" + route + "\"", out);
  }
  out +=
      "# HELP allot_http_batch_entries_total Requests inside POST /api/v1/batch answered, by "
      "route template and status.\n";
  out += "# TYPE allot_http_batch_entries_total counter\n";
  for (const auto& [key, count] : batch_entries_) {
    out += "allot_http_batch_entries_total{route=\"" + key.first + "\",code=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP allot_batch_commands Client commands per committed batch.\n";
  out += "# TYPE allot_batch_commands histogram\n";
  batch_commands_.Render("allot_batch_commands", "", out);
  out += "# HELP allot_commit_duration_seconds Time to commit one batch.\n";
  out += "# TYPE allot_commit_duration_seconds histogram\n";
  commit_seconds_.Render("allot_commit_duration_seconds", "", out);
  RenderGauge("allot_queue_depth", "Commands waiting for the sequencer.",
              static_cast<std::int64_t>(queue_depth), out);
  RenderGauge("allot_open_connections", "HTTP connections open now.",
              open_connections_.load(std::memory_order_relaxed), out);
  RenderRefusals(out);
  RenderCounter("allot_reservations_created_total", "Reservations created (committed).",
                reservations_created_, out);
  RenderCounter("allot_reservations_confirmed_total", "Reservations confirmed into an order.",
                reservations_confirmed_, out);
  RenderCounter("allot_reservations_cancelled_total", "Reservations cancelled by a client.",
                reservations_cancelled_, out);
  RenderCounter("allot_holds_expired_total",
                "Holds (reservations and held transfers) that reached expiresAt and were released.",
                holds_expired_, out);
  for (const Gauge& gauge : gauges_) RenderGauge(gauge.name, gauge.help, gauge.read(), out);
  for (const auto& section : sections_) section(out);  // mu_ is held
  return out;
}

void Metrics::AddSection(std::function<void(std::string&)> render) {
  std::lock_guard lock(mu_);
  sections_.push_back(std::move(render));
}

void Metrics::RenderRefusals(std::string& out) const {
  out += "# HELP allot_refusals_total Error answers, by the contract's error code.\n";
  out += "# TYPE allot_refusals_total counter\n";
  // Every code the build knows is shown, at 0 until used, so that rates over
  // a code exist before its first refusal.
  constexpr auto kLastKnown = static_cast<std::size_t>(kLastErrorCode);
  for (std::size_t i = 0; i < kMaxErrorCodes; ++i) {
    const std::uint64_t count = refusals_[i].load(std::memory_order_relaxed);
    if (i > kLastKnown && count == 0) continue;
    out += "allot_refusals_total{code=\"" + std::string(ErrorCodeName(static_cast<ErrorCode>(i))) +
           "\"} " + std::to_string(count) + "\n";
  }
}

}  // namespace allot::http
