// The SQLite schema as an ordered list of migrations, and the runner that
// brings a database up to date.
//
// Versions are 1..N in list order. Applied versions are recorded in the
// `schema_version` table (one row per migration). Opening a database applies
// only the missing versions, all in one IMMEDIATE transaction (so two
// processes opening the same file do not both migrate); a database whose
// version is newer than the list is refused and left untouched.
#ifndef ALLOT_STORE_SQLITE_SCHEMA_H_
#define ALLOT_STORE_SQLITE_SCHEMA_H_

#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "allot/error.h"
#include "core/progress.h"

namespace allot::sqlite {

struct Migration {
  int version = 0;
  std::string_view description;
  std::string_view sql;  // one or more statements
  // Runs after `sql`, in the same transaction: for what SQL alone cannot do.
  Status (*after)(sqlite3* db) = nullptr;
};

// The migrations of this build, in order.
std::span<const Migration> Migrations();

// The highest version recorded in the database (0 for a new database).
Expected<int> StoredSchemaVersion(sqlite3* db);

// Applies the migrations the database lacks. Errors are kUnavailable; on
// error nothing of the attempted migrations persists. `progress`, when
// given, names each migration while it runs (a data migration of a large
// database takes seconds) and counts those applied.
Status ApplyMigrations(sqlite3* db, std::span<const Migration> migrations, std::int64_t now_ms,
                       Progress* progress = nullptr);

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_SCHEMA_H_
