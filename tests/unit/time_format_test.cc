#include "core/time_format.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(TimeFormatTest, WritesRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1'795'428'000'123), "2026-11-23T10:00:00.123Z");
}

TEST(TimeFormatTest, ParsesWhatItWrites) {
  for (std::int64_t ms : {0LL, 1LL, 999LL, 1'795'428'000'123LL, 4'102'444'799'999LL}) {
    auto parsed = ParseTimestamp(FormatTimestamp(ms));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, ms);
  }
  EXPECT_FALSE(ParseTimestamp("2026-11-23T10:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-02-30T10:00:00.000Z"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23 10:00:00.000Z"));
}

}  // namespace
}  // namespace allot
