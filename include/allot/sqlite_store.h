// The embedded SQLite store: one database file in WAL mode.
#ifndef ALLOT_SQLITE_STORE_H_
#define ALLOT_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "allot/error.h"
#include "allot/store.h"

namespace allot {

enum class SyncMode {
  kFull,    // fsync on every commit: an acknowledged write survives power loss
  kNormal,  // WAL fsynced at checkpoints only: survives a process crash, not power loss
};

struct SqliteOptions {
  std::string path = "allot.db";
  SyncMode sync = SyncMode::kFull;
  int reader_connections = 4;  // size of the StoreReader's connection pool
  int busy_timeout_ms = 5000;
  // Shows startup's long steps (schema migrations, loading the state) on
  // stderr once one runs past 2 s; for a terminal (`allot serve` sets it
  // when stderr is one), never for logs.
  bool progress_on_stderr = false;
};

struct SqliteDatabase {
  std::unique_ptr<Store> writer;
  std::unique_ptr<StoreReader> reader;
};

// Opens (creating if needed) the database, applies pending schema migrations
// in one transaction, and returns the writer and a reader pool.
Expected<SqliteDatabase> OpenSqlite(const SqliteOptions& options);

// The schema version this build creates and understands.
int SqliteSchemaVersion();

}  // namespace allot

#endif  // ALLOT_SQLITE_STORE_H_
