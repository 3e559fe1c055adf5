// A latency histogram with log-linear buckets (the idea of HdrHistogram,
// written small): values below 128 are counted exactly, larger ones in 64
// sub-buckets per power of two, so a reported percentile is at most ~1.6%
// above the true value. Memory is fixed (21 KiB) whatever the run length,
// and recording is a few instructions with no allocation.
//
// Not thread-safe: each load thread keeps its own and they are Merge()d.
#ifndef ALLOT_BENCH_HISTOGRAM_H_
#define ALLOT_BENCH_HISTOGRAM_H_

#include <array>
#include <cstdint>

namespace allot::bench {

class LatencyHistogram {
 public:
  void Record(std::int64_t latency_us);
  void Merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::int64_t min_us() const { return count_ == 0 ? 0 : min_us_; }
  std::int64_t max_us() const { return max_us_; }
  double mean_us() const;

  // The smallest recorded bucket bound that `quantile` (0..1) of the values
  // are at or below; 0 when empty. Never above max_us().
  std::int64_t PercentileUs(double quantile) const;

 private:
  static constexpr int kSubBucketBits = 6;                     // 64 sub-buckets per octave
  static constexpr int kExact = 2 << kSubBucketBits;           // 0..127 counted exactly
  static constexpr int kBuckets = kExact + 40 * (kExact / 2);  // up to ~2^46 us
  static int BucketOf(std::int64_t value);
  static std::int64_t UpperBoundOf(int bucket);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::int64_t min_us_ = INT64_MAX;
  std::int64_t max_us_ = 0;
  double sum_us_ = 0;
};

}  // namespace allot::bench

#endif  // ALLOT_BENCH_HISTOGRAM_H_
