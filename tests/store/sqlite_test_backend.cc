#include "sqlite_test_backend.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <utility>

#include "store/sqlite_journal.h"
#include "store/sqlite_schema.h"

namespace allot::store_test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "allot-store-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

SqliteTestBackend::SqliteTestBackend(SqliteOptions options) : options_(std::move(options)) {
  options_.path = (dir_.path() / "allot.db").string();
}

Expected<StoreHandles> SqliteTestBackend::Open() {
  auto db = OpenSqlite(options_);
  if (!db) return Fail(std::move(db.error()));
  return StoreHandles{std::move(db->writer), std::move(db->reader)};
}

sqlite::Connection SqliteTestBackend::Inspect() const {
  auto db = sqlite::OpenConnection(options_.path, SQLITE_OPEN_READWRITE, 1000);
  EXPECT_TRUE(db.has_value()) << db.error().message;
  return db ? std::move(*db) : nullptr;
}

std::vector<Change> SqliteTestBackend::ReadJournal() {
  sqlite::Connection db = Inspect();
  auto blocks = sqlite::ReadJournal(db.get(), 0, 1'000'000);
  EXPECT_TRUE(blocks.has_value()) << blocks.error().message;
  return DecodeJournal(blocks.value_or(std::vector<JournalBlock>{}));
}

int SqliteTestBackend::StoredSchemaVersion() {
  sqlite::Connection db = Inspect();
  auto version = sqlite::StoredSchemaVersion(db.get());
  EXPECT_TRUE(version.has_value()) << version.error().message;
  return version.value_or(-1);
}

StoreFactory SqliteStoreFactory() {
  return {"Sqlite", [] { return std::make_unique<SqliteTestBackend>(); }};
}

}  // namespace allot::store_test
