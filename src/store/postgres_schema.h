// The PostgreSQL schema as an ordered list of migrations, and the runner
// that brings a database up to date. The same tables, keys and CHECK
// constraints as the SQLite schema (store/sqlite_schema.cc), in PostgreSQL's
// dialect: bigint counters and millisecond times, ids in the "C" collation
// so that "ascending id order" is byte order on both stores.
//
// Versions are 1..N in list order, recorded in `schema_version`. Several
// allot processes may start at once against one database: the runner takes
// a transaction-scoped advisory lock first, so exactly one of them applies
// the missing versions and the others then find them applied. A database
// whose version is newer than the list is refused and left untouched.
#ifndef ALLOT_STORE_POSTGRES_SCHEMA_H_
#define ALLOT_STORE_POSTGRES_SCHEMA_H_

#include <libpq-fe.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "allot/error.h"
#include "core/progress.h"

namespace allot::pg {

struct Migration {
  int version = 0;
  std::string_view description;
  std::string_view sql;  // one or more statements
  // Runs after `sql`, in the same transaction: for what SQL alone cannot do.
  Status (*after)(PGconn* conn) = nullptr;
};

// The migrations of this build, in order.
std::span<const Migration> Migrations();

// The advisory lock key that serialises migrations (any 64-bit constant
// that no other application is likely to use: "allot" in ASCII).
inline constexpr std::int64_t kMigrationLockKey = 0x616c6c6f74;

// The highest version recorded in the database (0 for a new database).
Expected<int> StoredSchemaVersion(PGconn* conn);

// Applies the migrations the database lacks, all in one transaction (on
// error nothing of them persists). Errors are kUnavailable. `progress`, as
// for SQLite (store/sqlite_schema.h).
Status ApplyMigrations(PGconn* conn, std::span<const Migration> migrations,
                       Progress* progress = nullptr);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_SCHEMA_H_
