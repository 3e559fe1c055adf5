// The SQLite backend of the store conformance suite: a fresh database file
// in a temporary directory per test, removed with it.
#ifndef ALLOT_TESTS_STORE_SQLITE_TEST_BACKEND_H_
#define ALLOT_TESTS_STORE_SQLITE_TEST_BACKEND_H_

#include <filesystem>
#include <string>

#include "allot/sqlite_store.h"
#include "store/sqlite_handle.h"
#include "store_conformance.h"

namespace allot::store_test {

// A fresh temporary directory, removed (with its contents) when destroyed.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class SqliteTestBackend final : public StoreBackend {
 public:
  explicit SqliteTestBackend(SqliteOptions options = {});

  Expected<StoreHandles> Open() override;
  std::vector<Change> ReadJournal() override;
  int StoredSchemaVersion() override;
  int BuildSchemaVersion() const override { return SqliteSchemaVersion(); }

  const SqliteOptions& options() const { return options_; }
  // A separate read-write connection to the file, for inspection.
  sqlite::Connection Inspect() const;

 private:
  TempDir dir_;
  SqliteOptions options_;
};

StoreFactory SqliteStoreFactory();

}  // namespace allot::store_test

#endif  // ALLOT_TESTS_STORE_SQLITE_TEST_BACKEND_H_
