#include "sqlite_file.h"

#include <sqlite3.h>

namespace allot::testing {

SqliteFile::SqliteFile(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    error_ = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

SqliteFile::~SqliteFile() { sqlite3_close_v2(db_); }

std::optional<std::string> SqliteFile::Query(std::string_view sql) {
  std::optional<std::string> all = QueryAll(sql);
  if (!all) return all;
  return all->substr(0, all->find('\n'));
}

std::optional<std::string> SqliteFile::QueryAll(std::string_view sql) {
  if (db_ == nullptr) return std::nullopt;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    error_ = sqlite3_errmsg(db_);
    return std::nullopt;
  }
  std::string rows;
  bool first = true;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!first) rows += '\n';
    first = false;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (text != nullptr) rows += text;
  }
  if (rc != SQLITE_DONE) error_ = sqlite3_errmsg(db_);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return std::nullopt;
  return rows;
}

}  // namespace allot::testing
