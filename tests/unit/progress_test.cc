// The progress reporter of long commands (core/progress.h), on a clock the
// test moves and a "terminal" that is a string stream.
#include "core/progress.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

namespace allot {
namespace {

using namespace std::chrono_literals;

class ProgressTest : public ::testing::Test {
 protected:
  ProgressOptions Options(bool is_terminal = true) {
    return {.is_terminal = is_terminal, .now = [this] { return now_.load(); }};
  }
  void Advance(std::chrono::milliseconds by) { now_.store(now_.load() + by); }

  std::atomic<std::chrono::steady_clock::time_point> now_{std::chrono::steady_clock::time_point{}};
  std::ostringstream out_;
};

TEST_F(ProgressTest, QuickRunsShowNothing) {
  {
    Progress progress("allot audit", "rows", out_, Options());
    for (int i = 1; i <= 1000; ++i) {
      Advance(1ms);
      progress.Update("reading items", i);
    }
    progress.Finish();
    EXPECT_FALSE(progress.shown());
  }
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ProgressTest, ShowsOnceTheDelayHasPassed) {
  Progress progress("allot audit", "rows", out_, Options());
  Advance(1999ms);
  progress.Update("reading items", 10);
  EXPECT_EQ(out_.str(), "");
  Advance(1ms);
  progress.Update("reading the ledger", 1234567);
  EXPECT_EQ(out_.str(), "\r\x1b[Kallot audit: 1,234,567 rows (reading the ledger), 2 s");
}

TEST_F(ProgressTest, NothingAtAllWhenNotATerminal) {
  {
    Progress progress("allot audit", "rows", out_, Options(false));
    Advance(60s);
    progress.Update("reading the ledger", 5);
    progress.Tick();
    progress.Finish();
  }
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ProgressTest, RedrawsAtMostOncePerInterval) {
  Progress progress("allot audit", "rows", out_, Options());
  Advance(2s);
  for (int i = 0; i < 1000; ++i) {
    progress.Update("reading", i);  // the clock stands still: one draw only
  }
  const std::string once = out_.str();
  EXPECT_EQ(once, "\r\x1b[Kallot audit: 0 rows (reading), 2 s");
  Advance(249ms);
  progress.Update("reading", 1000);
  EXPECT_EQ(out_.str(), once);
  Advance(1ms);
  progress.Update("reading", 1001);
  EXPECT_EQ(out_.str(), once + "\r\x1b[Kallot audit: 1,001 rows (reading), 2 s");
}

TEST_F(ProgressTest, FinalLineWithTotalAndTime) {
  {
    Progress progress("allot audit", "rows", out_, Options());
    Advance(12'340ms);
    progress.Update("reading the ledger", 42);
    out_.str("");
    Advance(10ms);
    progress.Finish();
    EXPECT_EQ(out_.str(), "\r\x1b[Kallot audit: 42 rows in 12.3 s\n");
    progress.Update("after the end", 43);  // ignored, and no second final line
    progress.Finish();
  }
  EXPECT_EQ(out_.str(), "\r\x1b[Kallot audit: 42 rows in 12.3 s\n");
}

TEST_F(ProgressTest, TheDestructorFinishes) {
  {
    Progress progress("migrating", "migrations", out_, Options());
    Advance(3s);
    progress.Update("", 1);
  }
  EXPECT_EQ(out_.str(), "\r\x1b[Kmigrating: 1 migrations, 3 s\r\x1b[Kmigrating: 1 migrations in 3.0 s\n");
}

TEST_F(ProgressTest, TickShowsTimePassingWithoutNewCounts) {
  Progress progress("migrating", "migrations", out_, Options());
  progress.Update("version 3: journal", 2);
  Advance(2s);
  progress.Tick();
  Advance(5s);
  progress.Tick();
  EXPECT_EQ(out_.str(),
            "\r\x1b[Kmigrating: 2 migrations (version 3: journal), 2 s"
            "\r\x1b[Kmigrating: 2 migrations (version 3: journal), 7 s");
}

TEST_F(ProgressTest, ScopedTickerDrawsWhileABlockingCallRuns) {
  Progress progress("migrating", "migrations", out_, Options());
  progress.Update("version 3: journal", 2);
  Advance(3s);  // the blocking call has been running for 3 s
  {
    ScopedTicker ticker(progress, 1ms);
    // Draws come from the ticker's thread; wait (bounded) for the first.
    for (int i = 0; i < 5000 && !progress.shown(); ++i) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(progress.shown());
  progress.Finish();
  EXPECT_NE(out_.str().find("migrating: 2 migrations in 3.0 s\n"), std::string::npos) << out_.str();
}

TEST(WithThousandsTest, GroupsDigits) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
  EXPECT_EQ(WithThousands(-1234), "-1,234");
}

}  // namespace
}  // namespace allot
