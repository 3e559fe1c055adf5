// The command line of `allot audit`, in process: its exit codes and what it
// prints for each.
#include "audit/audit_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include "allot/engine.h"
#include "allot/sqlite_store.h"

namespace allot::audit {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

CommandRun Audit(std::vector<std::string_view> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunAuditCommand(args, out, err);
  return CommandRun{code, out.str(), err.str()};
}

class AuditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "allot-audit-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A database with one item of 5 units, 2 of them held.
  std::string MakeDatabase() {
    const std::string path = dir_ + "/allot.db";
    auto db = OpenSqlite(SqliteOptions{.path = path, .sync = SyncMode::kNormal});
    EXPECT_TRUE(db.has_value());
    if (!db) return path;
    auto engine = Engine::Start(std::move(db->writer), {});
    EXPECT_TRUE(engine.has_value());
    if (!engine) return path;
    EXPECT_TRUE((*engine)->Execute(Command{CreateItem{.id = "mug", .on_hand = 5}}));
    EXPECT_TRUE((*engine)->Execute(Command{Reserve{"ann", {{"mug", 2}}, 600}}));
    (*engine)->Stop();
    return path;
  }

  std::string dir_;
};

TEST_F(AuditCommandTest, ACleanDatabasePrintsOneSummaryLineAndExitsZero) {
  const std::string path = MakeDatabase();
  for (const std::string& db_arg : {"--db=" + path, std::string()}) {
    const CommandRun run = db_arg.empty() ? Audit({"--db", path}) : Audit({db_arg});
    EXPECT_EQ(run.code, kExitClean);
    EXPECT_EQ(run.out,
              "allot audit: clean; checked 1 item, 0 accounts, 0 events (0 seats), 1 "
              "reservation, 0 orders, 0 transfers, 2 changes\n");
    EXPECT_THAT(run.err, IsEmpty());
  }
}

TEST_F(AuditCommandTest, DriftIsOneLineEachThenTheSummaryAndExitsOne) {
  const std::string path = MakeDatabase();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE items SET held = 3, sold = 1 WHERE id = 'mug'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const CommandRun run = Audit({"--db", path});
  EXPECT_EQ(run.code, kExitDrift);
  EXPECT_EQ(run.out,
            "drift: item mug held: stored 3, recomputed 2\n"
            "drift: item mug sold: stored 1, recomputed 0\n"
            "allot audit: 2 drifts; checked 1 item, 0 accounts, 0 events (0 seats), 1 "
            "reservation, 0 orders, 0 transfers, 2 changes\n");
}

TEST_F(AuditCommandTest, ABadCommandLineExitsTwoWithUsage) {
  const std::vector<std::vector<std::string_view>> bad = {{},
                                                          {"--db"},
                                                          {"--db", ""},
                                                          {"--db="},
                                                          {"--bogus"},
                                                          {"--db", "a.db", "--db", "b.db"},
                                                          {"--db", "a.db", "extra"}};
  for (const auto& args : bad) {
    const CommandRun run = Audit(args);
    EXPECT_EQ(run.code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_THAT(run.err, StartsWith("allot audit: "));
    EXPECT_THAT(run.err, HasSubstr("usage: allot audit --db"));
    EXPECT_THAT(run.out, IsEmpty());
  }
  EXPECT_THAT(Audit({"--bogus"}).err, HasSubstr("Unknown argument '--bogus'"));
  EXPECT_THAT(Audit({}).err, HasSubstr("--db is required"));
}

TEST_F(AuditCommandTest, HelpPrintsUsageAndExitsZero) {
  const CommandRun run = Audit({"--help"});
  EXPECT_EQ(run.code, kExitClean);
  EXPECT_THAT(run.out, StartsWith("usage: allot audit --db"));
}

TEST_F(AuditCommandTest, ADatabaseThatCannotBeOpenedExitsThree) {
  const std::string path = dir_ + "/missing.db";
  const CommandRun run = Audit({"--db", path});
  EXPECT_EQ(run.code, kExitUnreadable);
  EXPECT_THAT(run.err, StartsWith("allot audit: cannot read " + path + ": "));
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace allot::audit

namespace allot::audit {
namespace {

TEST(AuditCommandSecretsTest, APostgresPasswordIsNeverPrinted) {
  // Nothing listens on port 1: the connection fails and is reported.
  const std::string password = "pw-Audit-51e0";
  std::ostringstream out, err;
  const std::string url = "postgres://allot:" + password + "@127.0.0.1:1/allot";
  const std::vector<std::string_view> args{"--db", url};
  const int code = RunAuditCommand(args, out, err);
  EXPECT_EQ(code, 3);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("postgres://allot:***@127.0.0.1:1/allot"));
  EXPECT_EQ(err.str().find(password), std::string::npos) << err.str();
}

}  // namespace
}  // namespace allot::audit
