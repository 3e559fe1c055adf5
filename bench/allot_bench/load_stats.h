// What one load thread observed: latencies, outcomes by operation, status and
// error code, and a request counter the progress line reads. One per thread,
// written only by its thread (no locks on the request path); merged at the end.
#ifndef ALLOT_BENCH_LOAD_STATS_H_
#define ALLOT_BENCH_LOAD_STATS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "allot_bench/histogram.h"

namespace allot::bench {

enum class Op : std::uint8_t { kCreateItem, kReserve, kConfirm, kCancel, kRead };
std::string_view ToString(Op op);

struct Outcome {
  Op op = Op::kReserve;
  int status = 0;    // 0: no HTTP answer (connection failed, reset or timed out)
  std::string code;  // the contract's error code of a non-2xx answer, or ""
  std::uint64_t count = 0;
};

// alignas: the progress thread reads `requests` of every thread; keeping
// each thread's hot fields on their own cache lines avoids false sharing.
struct alignas(64) ThreadStats {
  void Record(Op op, int status, std::string_view code, std::int64_t latency_us);
  void Merge(const ThreadStats& other);

  // The count of one outcome (any code when `code` is nullptr).
  std::uint64_t Count(Op op, int status, const char* code = nullptr) const;
  // Requests of `op` that got no answer: their effect is unknown.
  std::uint64_t Unanswered(Op op) const { return Count(op, 0); }

  LatencyHistogram latency;
  std::vector<Outcome> outcomes;  // few distinct keys: a linear scan beats hashing
  std::atomic<std::uint64_t> requests{0};
};

}  // namespace allot::bench

#endif  // ALLOT_BENCH_LOAD_STATS_H_
