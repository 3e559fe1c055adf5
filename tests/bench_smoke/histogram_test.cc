// The latency histogram's percentiles must stay within its stated error
// (one sub-bucket, 1/64) of the exact order statistics, or the reported
// p99 would mislead.
#include "allot_bench/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace allot::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.PercentileUs(0.99), 0);
  EXPECT_EQ(h.min_us(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.PercentileUs(0.50), 50);
  EXPECT_EQ(h.PercentileUs(0.99), 99);
  EXPECT_EQ(h.PercentileUs(1.0), 100);
  EXPECT_EQ(h.min_us(), 1);
  EXPECT_EQ(h.max_us(), 100);
  EXPECT_DOUBLE_EQ(h.mean_us(), 50.5);
}

TEST(LatencyHistogramTest, PercentilesWithinOneSubBucketOfExact) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(2000.0), 1.0);  // ~2 ms median
  std::vector<std::int64_t> values;
  LatencyHistogram a, b;
  for (int i = 0; i < 200'000; ++i) {
    auto v = static_cast<std::int64_t>(latency(rng));
    values.push_back(v);
    (i % 2 == 0 ? a : b).Record(v);
  }
  a.Merge(b);  // per-thread histograms are merged at the end of a run
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    auto rank = static_cast<std::size_t>(std::ceil(q * values.size())) - 1;
    double exact = static_cast<double>(values[rank]);
    double reported = static_cast<double>(a.PercentileUs(q));
    EXPECT_GE(reported, exact) << q;  // never optimistic
    EXPECT_LE(reported, exact * (1 + 1.0 / 64) + 1) << q;
  }
  EXPECT_EQ(a.count(), values.size());
  EXPECT_EQ(a.max_us(), values.back());
  EXPECT_EQ(a.PercentileUs(1.0), values.back());
}

TEST(LatencyHistogramTest, HugeValuesDoNotOverflow) {
  LatencyHistogram h;
  h.Record(std::int64_t{1} << 50);
  h.Record(-5);  // a clock step backwards counts as zero
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.PercentileUs(1.0), std::int64_t{1} << 50);  // not the last bucket's bound
  EXPECT_EQ(h.min_us(), 0);
}

}  // namespace
}  // namespace allot::bench
