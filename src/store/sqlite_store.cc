// OpenSqlite: takes ownership of the file, configures the writer
// connection, migrates the schema, loads the state into memory, then opens
// the reader pool over the same file.
#include "allot/sqlite_store.h"

#include <iostream>
#include <string>
#include <utility>

#include "allot/clock.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/progress.h"
#include "store/sqlite_file_lock.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_reader.h"
#include "store/sqlite_recovery.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_term_index.h"
#include "store/sqlite_writer.h"

namespace allot {
namespace {

// A bound on the pool so a typo cannot exhaust file descriptors.
constexpr int kMaxReaderConnections = 64;
// The writer's page cache: the journal's tail, the items and the heads'
// newest pages stay in it.
constexpr const char* kWriterCache = "PRAGMA cache_size = -16384";  // 16 MiB

Status CheckOptions(const SqliteOptions& options) {
  if (options.path.empty()) return Fail(Unavailable("The SQLite database path is empty."));
  if (options.path == ":memory:") {
    return Fail(Unavailable("':memory:' cannot use WAL mode; allot needs a database file on a "
                            "local disk."));
  }
  if (options.reader_connections < 1 || options.reader_connections > kMaxReaderConnections) {
    return Fail(Unavailable("reader_connections must be between 1 and " +
                            std::to_string(kMaxReaderConnections) + ", not " +
                            std::to_string(options.reader_connections) + "."));
  }
  if (options.busy_timeout_ms < 0)
    return Fail(Unavailable("busy_timeout_ms must not be negative."));
  return {};
}

// WAL lets the reader pool read beside the writer; it needs a real file.
Status EnableWal(sqlite3* db, const std::string& path) {
  auto pragma = sqlite::Statement::Prepare(db, "PRAGMA journal_mode = WAL");
  if (!pragma) return Fail(std::move(pragma.error()));
  auto row = pragma->Step("Switching to WAL mode");
  if (!row) return Fail(std::move(row.error()));
  const std::string mode = *row ? pragma->Text(0) : "";
  if (mode != "wal") {
    return Fail(Unavailable("'" + path + "' cannot use WAL mode (journal mode is '" + mode +
                            "'); allot needs a database file on a local disk."));
  }
  return {};
}

Expected<sqlite::Connection> OpenWriterConnection(const SqliteOptions& options) {
  auto db = sqlite::OpenConnection(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   options.busy_timeout_ms);
  if (!db) return db;
  sqlite3* raw = db->get();
  if (auto wal = EnableWal(raw, options.path); !wal) return Fail(std::move(wal.error()));
  const char* sync =
      options.sync == SyncMode::kFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
  for (const char* pragma : {sync, "PRAGMA foreign_keys = ON", kWriterCache}) {
    if (auto set = sqlite::Exec(raw, pragma, "Configuring the writer"); !set) {
      return Fail(std::move(set.error()));
    }
  }
  return db;
}

}  // namespace

Expected<SqliteDatabase> OpenSqlite(const SqliteOptions& options) {
  if (auto valid = CheckOptions(options); !valid) return Fail(std::move(valid.error()));
  auto lock = sqlite::FileLock::Acquire(options.path);
  if (!lock) return Fail(std::move(lock.error()));
  auto db = OpenWriterConnection(options);
  if (!db) return Fail(std::move(db.error()));
  const std::int64_t now_ms = SystemClock().NowMs();
  Progress progress("allot: opening " + options.path, "steps", std::cerr,
                    {.is_terminal = options.progress_on_stderr});
  if (auto migrated =
          sqlite::ApplyMigrations(db->get(), sqlite::Migrations(), now_ms, &progress);
      !migrated) {
    return Fail(std::move(migrated.error()));
  }
  auto state = std::make_shared<sqlite::MemoryState>();
  auto recovered = RunShown(&progress, "loading the state into memory", progress.done(),
                            [&] { return sqlite::LoadState(db->get(), *state); });
  if (!recovered) return Fail(std::move(recovered.error()));
  // The replay made and dropped every hold since the earliest live one, and
  // read the journal through the writer's cache.
  sqlite::Exec(db->get(), "PRAGMA shrink_memory", "Releasing the replay's pages");
  ReleaseFreeMemory();
  log::Info("state loaded", {{"store", "sqlite"},
                             {"items", static_cast<std::int64_t>(state->items())},
                             {"liveHolds", static_cast<std::int64_t>(state->live_holds())},
                             {"journalHead", recovered->head},
                             {"changesReplayed", recovered->replayed}});
  auto terms = std::make_shared<sqlite::TermIndex>();
  if (auto indexed = RunShown(&progress, "indexing the journal by term", progress.done() + 1,
                              [&] { return sqlite::CatchUpTermIndex(db->get(), *terms); });
      !indexed) {
    return Fail(std::move(indexed.error()));
  }
  progress.Finish();
  auto writer =
      sqlite::SqliteWriter::Create(std::move(*db), state, terms, recovered->head, *lock);
  if (!writer) return Fail(std::move(writer.error()));
  auto reader = sqlite::SqliteReader::Open(options, state, terms, *lock);
  if (!reader) return Fail(std::move(reader.error()));
  return SqliteDatabase{std::move(*writer), std::move(*reader)};
}

}  // namespace allot
