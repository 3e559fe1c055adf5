// Read-only SQL on a SQLite database file a (stopped) server left behind,
// for black-box tests that cross-check what the HTTP API said.
#ifndef ALLOT_TESTS_BLACKBOX_SQLITE_FILE_H_
#define ALLOT_TESTS_BLACKBOX_SQLITE_FILE_H_

#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace allot::testing {

class SqliteFile {
 public:
  // Opens `path` read-only; ok() is false (and error() says why) on failure.
  explicit SqliteFile(const std::string& path);
  ~SqliteFile();
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;

  bool ok() const { return db_ != nullptr; }
  const std::string& error() const { return error_; }

  // The first column of the first row as text ("" when there is no row or
  // it is NULL); nullopt on error (the message in error()).
  std::optional<std::string> Query(std::string_view sql);
  // Every row's first column, joined by '\n'; nullopt on error.
  std::optional<std::string> QueryAll(std::string_view sql);

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_BLACKBOX_SQLITE_FILE_H_
