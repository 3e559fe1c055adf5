#include "allot_bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace allot::bench {

// Bucket layout: [0, kExact) hold the value itself. Above, a value with its
// highest set bit at position msb (>= kSubBucketBits + 1) is shifted right
// by shift = msb - kSubBucketBits, leaving a "top" in [kExact/2, kExact);
// each shift owns kExact/2 consecutive buckets.
int LatencyHistogram::BucketOf(std::int64_t value) {
  if (value < 0) value = 0;
  if (value < kExact) return static_cast<int>(value);
  int msb = 63 - std::countl_zero(static_cast<std::uint64_t>(value));
  int shift = msb - kSubBucketBits;
  int top = static_cast<int>(value >> shift);
  int bucket = kExact + (shift - 1) * (kExact / 2) + (top - kExact / 2);
  return std::min(bucket, kBuckets - 1);
}

std::int64_t LatencyHistogram::UpperBoundOf(int bucket) {
  if (bucket < kExact) return bucket;
  int shift = (bucket - kExact) / (kExact / 2) + 1;
  std::int64_t top = (bucket - kExact) % (kExact / 2) + kExact / 2;
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::Record(std::int64_t latency_us) {
  latency_us = std::max<std::int64_t>(latency_us, 0);
  ++counts_[BucketOf(latency_us)];
  ++count_;
  min_us_ = std::min(min_us_, latency_us);
  max_us_ = std::max(max_us_, latency_us);
  sum_us_ += static_cast<double>(latency_us);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_us_ = std::min(min_us_, other.min_us_);
  max_us_ = std::max(max_us_, other.max_us_);
  sum_us_ += other.sum_us_;
}

double LatencyHistogram::mean_us() const {
  return count_ == 0 ? 0.0 : sum_us_ / static_cast<double>(count_);
}

std::int64_t LatencyHistogram::PercentileUs(double quantile) const {
  if (count_ == 0) return 0;
  quantile = std::clamp(quantile, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    // The last bucket also holds everything beyond the range: only max is honest there.
    if (seen >= rank) return i == kBuckets - 1 ? max_us_ : std::min(UpperBoundOf(i), max_us_);
  }
  return max_us_;
}

}  // namespace allot::bench
