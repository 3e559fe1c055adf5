// `allot audit` shows how far it has read on a terminal, on stderr, once it
// has run for 2 s, and ends that line before the report; never otherwise.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include "allot/engine.h"
#include "allot/sqlite_store.h"
#include "audit/audit_command.h"

namespace allot::audit {
namespace {

using namespace std::chrono_literals;
using ::testing::ContainsRegex;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

class AuditProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "allot-audit-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/allot.db";
    auto db = OpenSqlite(SqliteOptions{.path = path_, .sync = SyncMode::kNormal});
    ASSERT_TRUE(db.has_value());
    auto engine = Engine::Start(std::move(db->writer), {});
    ASSERT_TRUE(engine.has_value());
    for (const char* id : {"mug", "pen", "cup"}) {
      ASSERT_TRUE((*engine)->Execute(Command{CreateItem{.id = id, .on_hand = 5}}));
      ASSERT_TRUE((*engine)->Execute(Command{Reserve{"ann", {{id, 1}}, 600}}));
    }
    (*engine)->Stop();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A clock a second later at every look: reading the rows "takes" seconds.
  ProgressOptions SlowClock(bool is_terminal) {
    return {.is_terminal = is_terminal, .now = [this] { return now_ += 1s; }};
  }

  int Run(const ProgressOptions& progress) {
    const std::string db = "--db=" + path_;
    std::vector<std::string_view> args = {db};
    return RunAuditCommand(args, out_, err_, progress);
  }

  std::string dir_;
  std::string path_;
  std::chrono::steady_clock::time_point now_{};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AuditProgressTest, ALongAuditOnATerminalShowsRowsReadThenAFinalLine) {
  EXPECT_EQ(Run(SlowClock(true)), kExitClean);
  EXPECT_THAT(err_.str(), MatchesRegex("(\r\x1b\\[Kallot audit: [0-9]+ rows \\(reading [a-z -]+\\), "
                                       "[0-9]+ s)+\r\x1b\\[Kallot audit: [0-9]+ rows in [0-9.]+ s\n"));
  EXPECT_THAT(err_.str(), ContainsRegex("\\(reading the journal\\)"));
  EXPECT_THAT(out_.str(), MatchesRegex("allot audit: clean; checked 3 items.*\n"));
}

TEST_F(AuditProgressTest, NotATerminalNoProgressHoweverLong) {
  EXPECT_EQ(Run(SlowClock(false)), kExitClean);
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(AuditProgressTest, AQuickAuditOnATerminalShowsNothing) {
  EXPECT_EQ(Run({.is_terminal = true}), kExitClean);  // the real clock: well under 2 s
  EXPECT_THAT(err_.str(), IsEmpty());
}

}  // namespace
}  // namespace allot::audit
