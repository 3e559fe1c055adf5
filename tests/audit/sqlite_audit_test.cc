// The audit on SQLite files: the conformance suite, and what only a file
// can show: the audit opens it read-only and changes no byte of it, and it
// refuses a file that is not an allot database of this build's schema.
#include <gmock/gmock.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "allot/sqlite_store.h"
#include "audit/audit_source.h"
#include "audit_conformance.h"

namespace allot::audit_test {
namespace {

using ::testing::HasSubstr;

// A fresh temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "allot-audit-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs SQL on a file through a connection of its own.
::testing::AssertionResult ExecOn(const std::string& path, std::string_view sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message);
  const std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  if (rc == SQLITE_OK) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << sql << ": " << error;
}

class SqliteTarget final : public AuditTarget {
 public:
  Expected<std::unique_ptr<Store>> OpenStore() override {
    auto opened = OpenSqlite(SqliteOptions{.path = db(), .sync = SyncMode::kNormal});
    if (!opened) return Fail(std::move(opened.error()));
    return std::move(opened->writer);
  }
  std::string db() const override { return dir_.File("allot.db"); }
  ::testing::AssertionResult Exec(std::string_view sql) override { return ExecOn(db(), sql); }

 private:
  TempDir dir_;
};

AuditTargetFactory SqliteAuditTarget() {
  return {"Sqlite", [] { return std::make_unique<SqliteTarget>(); }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AuditConformanceTest, ::testing::Values(SqliteAuditTarget()),
                         TargetName);
INSTANTIATE_TEST_SUITE_P(Sqlite, AuditTamperTest,
                         ::testing::Combine(::testing::Values(SqliteAuditTarget()),
                                            ::testing::ValuesIn(Concat(Tampers(), JournalOnlyTampers()))),
                         TamperName);

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SqliteAuditTest, ChangesNoByteOfTheFile) {
  Scenario scenario(SqliteAuditTarget());
  scenario.Build();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  scenario.StopEngine();  // the last connection closes: the WAL is folded in
  const std::string path = scenario.target().db();
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));
  const std::string before = Contents(path);
  auto report = audit::AuditDatabase(path);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->clean());
  EXPECT_EQ(Contents(path), before);
}

TEST(SqliteAuditTest, AMissingFileIsAnErrorAndIsNotCreated) {
  TempDir dir;
  const std::string path = dir.File("nothing.db");
  auto report = audit::AuditDatabase(path);
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("nothing.db"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SqliteAuditTest, RefusesAFileThatIsNotAnAllotDatabase) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  ASSERT_TRUE(ExecOn(path, "CREATE TABLE notes (text TEXT)"));
  auto report = audit::AuditDatabase(path);
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("not an allot database"));

  const std::string text = dir.File("text.db");
  std::ofstream(text) << "just some text, not SQLite at all\n";
  report = audit::AuditDatabase(text);
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("not a database"));
}

TEST(SqliteAuditTest, RefusesAnotherSchemaVersionAndLeavesIt) {
  TempDir dir;
  const std::string path = dir.File("allot.db");
  ASSERT_TRUE(OpenSqlite(SqliteOptions{.path = path}).has_value());
  ASSERT_TRUE(ExecOn(path, "INSERT INTO schema_version VALUES (99, 'from the future', 0)"));
  const std::string before = Contents(path);
  auto report = audit::AuditDatabase(path);
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("schema version 99"));
  EXPECT_EQ(Contents(path), before);
}

}  // namespace
}  // namespace allot::audit_test
