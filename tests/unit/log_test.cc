// The JSON-lines logger: level filtering, one line per record whatever the
// strings hold, escaping that a JSON parser accepts, buffering and flushing,
// and records from many threads arriving whole.
#include "core/log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.h"
#include "core/utf8.h"
#include "json_lines.h"

namespace allot::log {
namespace {

namespace json = boost::json;

// A Writer that keeps what it gets.
class Captured {
 public:
  Writer writer() {
    return [this](std::string_view lines) {
      std::lock_guard lock(mu_);
      text_ += lines;
      ++writes_;
    };
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }
  int writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }
  // Every line, each parsed as a JSON object (a gtest failure if not).
  std::vector<json::object> Records() const { return testing::ParseJsonLines(text()); }

 private:
  mutable std::mutex mu_;
  std::string text_;
  int writes_ = 0;
};

std::string StringAt(const json::object& record, std::string_view key) {
  const json::value* value = record.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "<missing>";
}

TEST(LogLevelTest, NamesRoundTrip) {
  for (Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    EXPECT_EQ(ParseLevel(LevelName(level)), level);
  }
  EXPECT_EQ(LevelName(Level::kWarn), "warn");
  EXPECT_FALSE(ParseLevel("verbose"));
  EXPECT_FALSE(ParseLevel("INFO"));
  EXPECT_FALSE(ParseLevel(""));
}

TEST(LoggerTest, RecordsBelowTheLevelAreDropped) {
  Captured out;
  Logger logger(Level::kWarn, out.writer());
  EXPECT_FALSE(logger.Enabled(Level::kInfo));
  EXPECT_TRUE(logger.Enabled(Level::kError));
  logger.Log(Level::kDebug, "debug record");
  logger.Log(Level::kInfo, "info record");
  logger.LogBuffered(Level::kInfo, "buffered info record");
  logger.Log(Level::kWarn, "warn record");
  logger.Log(Level::kError, "error record");
  logger.Flush();
  auto records = out.Records();
  ASSERT_EQ(records.size(), 2u) << out.text();
  EXPECT_EQ(StringAt(records[0], "msg"), "warn record");
  EXPECT_EQ(StringAt(records[0], "level"), "warn");
  EXPECT_EQ(StringAt(records[1], "level"), "error");

  logger.SetLevel(Level::kDebug);
  logger.Log(Level::kDebug, "now shown");
  records = out.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(StringAt(records[2], "level"), "debug");
}

TEST(LoggerTest, EachRecordIsOneLineWithTimeLevelMessageAndFields) {
  Captured out;
  Logger logger(Level::kInfo, out.writer());
  const auto before = std::chrono::system_clock::now();
  logger.Log(Level::kInfo, "started",
             {{"listen", "127.0.0.1:0"}, {"threads", 2}, {"accessLog", true}, {"ratio", 0.25}});
  const std::string text = out.text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  // Fields keep their order, after time, level and msg.
  EXPECT_TRUE(text.starts_with("{\"time\":\"")) << text;
  EXPECT_NE(text.find("\"level\":\"info\",\"msg\":\"started\",\"listen\":\"127.0.0.1:0\","
                      "\"threads\":2,\"accessLog\":true,\"ratio\":0.25}\n"),
            std::string::npos)
      << text;
  auto records = out.Records();
  ASSERT_EQ(records.size(), 1u);
  auto time_ms = ParseTimestamp(StringAt(records[0], "time"));
  ASSERT_TRUE(time_ms) << StringAt(records[0], "time");
  const auto before_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
  EXPECT_GE(*time_ms, before_ms);
  EXPECT_LT(*time_ms, before_ms + 60'000);
}

TEST(LoggerTest, OddStringsStayOneParsableLine) {
  const std::vector<std::string> odd = {
      "",
      "quote \" backslash \\ slash /",
      "line\nbreak\r\nand\ttab",
      std::string("nul \0 inside", 12),
      "bell \x07 escape \x1b[31m del \x7f",
      "caf\xC3\xA9 \xF0\x9F\x98\x80",              // valid two- and four-byte sequences
      "bad \xFF lone \xC3 end",                    // invalid byte, truncated sequence
      "overlong \xC0\xAF surrogate \xED\xA0\x80",  // both ill-formed
      "separators \xE2\x80\xA8 and \xE2\x80\xA9",  // U+2028, U+2029
      "{\"injected\":true}",
  };
  Captured out;
  Logger logger(Level::kDebug, out.writer());
  for (const std::string& text : odd) logger.Log(Level::kInfo, text, {{text, text}});
  auto records = out.Records();
  ASSERT_EQ(records.size(), odd.size()) << out.text();
  for (std::size_t i = 0; i < odd.size(); ++i) {
    const std::string expected = ValidUtf8(odd[i]);
    EXPECT_EQ(StringAt(records[i], "msg"), expected) << "record " << i;
    EXPECT_EQ(StringAt(records[i], expected), expected) << "record " << i;
  }
  const std::string text = out.text();
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_NE(text.find("\\u2028"), std::string::npos);
}

TEST(LoggerTest, NumbersAndBooleans) {
  std::string line = Logger::Format(Level::kError, "n",
                                    {{"min", std::numeric_limits<std::int64_t>::min()},
                                     {"max", std::numeric_limits<std::uint64_t>::max()},
                                     {"size", std::size_t{7}},
                                     {"no", false},
                                     {"ms", 1.5},
                                     {"nan", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_NE(line.find("\"min\":-9223372036854775808,\"max\":18446744073709551615,\"size\":7,"
                      "\"no\":false,\"ms\":1.5,\"nan\":null}"),
            std::string::npos)
      << line;
  EXPECT_NO_THROW(json::parse(line));
}

TEST(LoggerTest, BufferedRecordsWaitForAFlushAndKeepTheirOrder) {
  Captured out;
  Logger logger(Level::kInfo, out.writer());
  logger.LogBuffered(Level::kInfo, "first");
  logger.LogBuffered(Level::kInfo, "second");
  EXPECT_EQ(out.writes(), 0);
  logger.Log(Level::kInfo, "third");  // takes the buffered ones along, in order
  EXPECT_EQ(out.writes(), 1);
  auto records = out.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(StringAt(records[0], "msg"), "first");
  EXPECT_EQ(StringAt(records[2], "msg"), "third");

  logger.LogBuffered(Level::kInfo, "fourth");
  logger.Flush();
  EXPECT_EQ(out.Records().size(), 4u);
  logger.Flush();  // nothing left: no empty write
  EXPECT_EQ(out.writes(), 2);
}

TEST(LoggerTest, AFullBufferIsWrittenWithoutAFlush) {
  Captured out;
  Logger logger(Level::kInfo, out.writer());
  const std::string padding(1000, 'x');
  int logged = 0;
  while (out.writes() == 0 && logged < 1000) {
    logger.LogBuffered(Level::kInfo, "access", {{"padding", padding}});
    ++logged;
  }
  EXPECT_EQ(out.writes(), 1);
  EXPECT_LE(static_cast<std::size_t>(logged) * padding.size(), Logger::kFlushBytes + 2000);
  EXPECT_EQ(out.Records().size(), static_cast<std::size_t>(logged));
}

TEST(LoggerTest, TheFlushThreadWritesQuietTrafficWithinItsInterval) {
  Captured out;
  Logger logger(Level::kInfo, out.writer());
  logger.StartFlushThread(std::chrono::milliseconds(10));
  logger.LogBuffered(Level::kInfo, "quiet traffic");
  for (int i = 0; i < 500 && out.writes() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(out.writes(), 1);
  logger.LogBuffered(Level::kInfo, "at shutdown");
  logger.StopFlushThread();  // writes out what is left
  EXPECT_EQ(out.Records().size(), 2u);
}

TEST(LoggerTest, WithAFlushThreadTheLoggingThreadDoesNotWrite) {
  std::mutex mu;
  std::vector<std::thread::id> writers;
  Logger logger(Level::kInfo, [&](std::string_view) {
    std::lock_guard lock(mu);
    writers.push_back(std::this_thread::get_id());
  });
  logger.StartFlushThread(std::chrono::seconds(60));  // only a full buffer wakes it
  const std::string padding(1000, 'x');
  for (std::size_t i = 0; i < 3 * Logger::kFlushBytes / padding.size(); ++i) {
    logger.LogBuffered(Level::kInfo, "access", {{"padding", padding}});
  }
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (!writers.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  logger.StopFlushThread();
  std::lock_guard lock(mu);
  ASSERT_FALSE(writers.empty());
  for (std::thread::id id : writers) EXPECT_NE(id, std::this_thread::get_id());
}

TEST(LoggerTest, RecordsFromManyThreadsArriveWholeAndInOrderPerThread) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  Captured out;
  Logger logger(Level::kInfo, out.writer());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 100 == 0) {
          logger.Log(Level::kWarn, "event", {{"thread", t}, {"seq", i}});
        } else {
          logger.LogBuffered(Level::kInfo, "request", {{"thread", t}, {"seq", i}});
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  logger.Flush();
  auto records = out.Records();
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::vector<std::int64_t> next(kThreads, 0);
  for (const json::object& record : records) {
    const std::int64_t thread = record.at("thread").as_int64();
    ASSERT_EQ(record.at("seq").as_int64(), next[thread]) << "thread " << thread;
    ++next[thread];
  }
}

TEST(LoggerTest, SetWriterFlushesToTheOldWriterFirst) {
  Captured first, second;
  Logger logger(Level::kInfo, first.writer());
  logger.LogBuffered(Level::kInfo, "to the first");
  logger.SetWriter(second.writer());
  logger.Log(Level::kInfo, "to the second");
  EXPECT_EQ(first.Records().size(), 1u);
  ASSERT_EQ(second.Records().size(), 1u);
  EXPECT_EQ(StringAt(second.Records()[0], "msg"), "to the second");
}

}  // namespace
}  // namespace allot::log
