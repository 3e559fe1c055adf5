// The conformance suite run against SQLite, plus what only SQLite has: WAL,
// sync modes, migrations, query plans over the holds indexes.
#include "allot/sqlite_store.h"

#include <gmock/gmock.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "sqlite_test_backend.h"
#include "store/sqlite_reader.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_writer.h"
#include "store_conformance.h"
#include "store_conformance_queries.h"
#include "store_conformance_waitlist.h"

namespace allot::store_test {

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, ::testing::Values(SqliteStoreFactory()),
                         FactoryName);
INSTANTIATE_TEST_SUITE_P(Sqlite, QueriesTest, ::testing::Values(SqliteStoreFactory()),
                         FactoryName);
INSTANTIATE_TEST_SUITE_P(Sqlite, EngineQueriesTest, ::testing::Values(SqliteStoreFactory()),
                         FactoryName);
INSTANTIATE_TEST_SUITE_P(Sqlite, EngineWaitlistTest, ::testing::Values(SqliteStoreFactory()),
                         FactoryName);

namespace {

using ::testing::HasSubstr;

// The first column of the first row of `sql` on db, as text.
std::string QueryText(sqlite3* db, std::string_view sql) {
  auto query = sqlite::Statement::Prepare(db, sql);
  if (!query) return "error: " + query.error().message;
  auto row = query->Step("test query");
  if (!row || !*row) return "no row";
  return query->Text(0);
}

// The EXPLAIN QUERY PLAN details of sql, one per line.
std::string QueryPlan(sqlite3* db, std::string_view sql) {
  auto query = sqlite::Statement::Prepare(db, "EXPLAIN QUERY PLAN " + std::string(sql));
  if (!query) return "error: " + query.error().message;
  std::string plan;
  while (query->Step("explain").value_or(false)) plan += query->Text(3) + "\n";
  return plan;
}

sqlite3* WriterHandle(const SqliteDatabase& db) {
  return dynamic_cast<sqlite::SqliteWriter&>(*db.writer).handle();
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  Expected<SqliteDatabase> Open(SqliteOptions options) {
    options.path = backend_.options().path;
    return OpenSqlite(options);
  }

  SqliteTestBackend backend_;
};

TEST_F(SqliteStoreTest, DatabaseIsInWalMode) {
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  EXPECT_EQ(QueryText(backend_.Inspect().get(), "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, SyncModeIsHonoured) {
  auto full = Open({.sync = SyncMode::kFull});
  ASSERT_TRUE(Ok(full));
  EXPECT_EQ(QueryText(WriterHandle(*full), "PRAGMA synchronous"), "2");
  full->writer.reset();
  full->reader.reset();
  auto normal = Open({.sync = SyncMode::kNormal});
  ASSERT_TRUE(Ok(normal));
  EXPECT_EQ(QueryText(WriterHandle(*normal), "PRAGMA synchronous"), "1");
}

// Records live in the journal, not in rows with foreign keys: the writer
// itself refuses a line on an item that does not exist.
TEST_F(SqliteStoreTest, WriterRefusesLinesOnMissingItems) {
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  EXPECT_EQ(QueryText(WriterHandle(*db), "PRAGMA foreign_keys"), "1");
  for (const BatchWrites& writes :
       {BatchWrites{.new_reservations = {MakeReservation("res-1", 1000, {{"no-such-item", 1}})}},
        BatchWrites{.new_orders = {MakeOrder("ord-1", {{"no-such-item", 1}})}}}) {
    ASSERT_TRUE(Ok(db->writer->Begin()));
    const Status written = db->writer->Write(Journaled(writes, db->writer->NextSeq()));
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
    EXPECT_THAT(written.error().message, HasSubstr("no-such-item"));
    db->writer->Rollback();
  }
  EXPECT_EQ(Got(db->reader->GetReservation("res-1")), std::optional<Reservation>());
}

TEST_F(SqliteStoreTest, MigrationsRunOnceAcrossReopens) {
  for (int open = 0; open < 3; ++open) {
    auto db = Open({});
    ASSERT_TRUE(Ok(db));
  }
  EXPECT_EQ(QueryText(backend_.Inspect().get(), "SELECT count(*) FROM schema_version"),
            std::to_string(SqliteSchemaVersion()));
  EXPECT_EQ(SqliteSchemaVersion(), sqlite::Migrations().back().version);
}

TEST_F(SqliteStoreTest, DatabaseWithNewerSchemaIsRefusedUntouched) {
  ASSERT_TRUE(Ok(Open({})));
  const int newer = SqliteSchemaVersion() + 1;
  const std::string insert =
      "INSERT INTO schema_version VALUES (" + std::to_string(newer) + ", 'future', 0)";
  ASSERT_TRUE(Ok(sqlite::Exec(backend_.Inspect().get(), insert.c_str(), "test insert")));

  auto db = Open({});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(db.error().message, HasSubstr("newer"));
  EXPECT_THAT(db.error().message, HasSubstr(std::to_string(newer)));
  EXPECT_EQ(backend_.StoredSchemaVersion(), newer);
}

TEST_F(SqliteStoreTest, OnlyMissingMigrationsAreApplied) {
  sqlite::Connection db =
      sqlite::OpenConnection(backend_.options().path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0)
          .value();
  const sqlite::Migration v1{1, "one", "CREATE TABLE one (x INTEGER)"};
  const sqlite::Migration v2{2, "two", "CREATE TABLE two (x INTEGER)"};
  const sqlite::Migration first[] = {v1};
  const sqlite::Migration both[] = {v1, v2};
  ASSERT_TRUE(Ok(sqlite::ApplyMigrations(db.get(), first, 10)));
  EXPECT_EQ(sqlite::StoredSchemaVersion(db.get()), 1);
  // Re-running v1 would fail: its table exists.
  ASSERT_TRUE(Ok(sqlite::ApplyMigrations(db.get(), both, 20)));
  EXPECT_EQ(sqlite::StoredSchemaVersion(db.get()), 2);
  EXPECT_EQ(QueryText(db.get(), "SELECT group_concat(applied_at_ms) FROM schema_version"), "10,20");
}

TEST_F(SqliteStoreTest, FailedMigrationLeavesNothingBehind) {
  sqlite::Connection db =
      sqlite::OpenConnection(backend_.options().path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0)
          .value();
  const sqlite::Migration migrations[] = {{1, "one", "CREATE TABLE one (x INTEGER)"},
                                          {2, "broken", "CREATE TABLE one (y INTEGER)"}};
  const Status applied = sqlite::ApplyMigrations(db.get(), migrations, 10);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(applied.error().message, HasSubstr("broken"));
  EXPECT_EQ(sqlite::StoredSchemaVersion(db.get()), 0);
  EXPECT_EQ(QueryText(db.get(), "SELECT count(*) FROM sqlite_schema WHERE name = 'one'"), "0");
}

TEST_F(SqliteStoreTest, JournalIsAppendOnly) {
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  ASSERT_TRUE(Ok(db->writer->Begin()));
  ASSERT_TRUE(Ok(db->writer->Write(
      Journaled({.items = {MakeItem("item-a", 1)},
                 .new_orders = {MakeOrder("ord-1", {{"item-a", 1}})}},
                db->writer->NextSeq()))));
  ASSERT_TRUE(Ok(db->writer->Commit()));
  db->writer.reset();
  db->reader.reset();
  sqlite::Connection inspect = backend_.Inspect();
  const Status updated = sqlite::Exec(inspect.get(), "UPDATE journal SET at_ms = 9", "u");
  EXPECT_THAT(updated.error().message, HasSubstr("append-only"));
  const Status deleted = sqlite::Exec(inspect.get(), "DELETE FROM journal", "d");
  EXPECT_THAT(deleted.error().message, HasSubstr("append-only"));
}

// Finding a record by id is primary-key lookups, whatever the journal's size.
TEST_F(SqliteStoreTest, RecordLookupsArePrimaryKeySearches) {
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  sqlite3* handle = WriterHandle(*db);
  EXPECT_THAT(QueryPlan(handle, "SELECT block FROM record_heads WHERE record = 1"),
              HasSubstr("USING INTEGER PRIMARY KEY"));
  EXPECT_THAT(QueryPlan(handle, "SELECT block FROM legacy_records WHERE id = 'x'"),
              HasSubstr("USING PRIMARY KEY"));
  EXPECT_THAT(QueryPlan(handle, "SELECT count, at_ms, body FROM journal WHERE seq = 1"),
              HasSubstr("USING INTEGER PRIMARY KEY"));
}

// The process that serves a file owns it: a second store on it is refused
// while the first is open (and readers that do not ask, like sqlite3 and
// `allot audit`, read on), and opens once the first is gone.
TEST_F(SqliteStoreTest, ASecondStoreOnTheSameFileIsRefusedWhileTheFirstIsOpen) {
  auto first = Open({});
  ASSERT_TRUE(Ok(first));
  auto second = Open({});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(second.error().message, HasSubstr(backend_.options().path));
  EXPECT_THAT(second.error().message, HasSubstr("in use"));
  // A plain reader is not stopped by it.
  EXPECT_EQ(QueryText(backend_.Inspect().get(), "SELECT count(*) FROM items"), "0");
  first->writer.reset();
  first->reader.reset();
  EXPECT_TRUE(Ok(Open({})));
}

TEST_F(SqliteStoreTest, MemoryDatabaseIsRefused) {
  auto db = OpenSqlite({.path = ":memory:"});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(db.error().message, HasSubstr("WAL"));
}

TEST_F(SqliteStoreTest, BadOptionsAreRefused) {
  for (int connections : {0, 65}) {
    auto db = Open({.reader_connections = connections});
    ASSERT_FALSE(db);
    EXPECT_THAT(db.error().message, HasSubstr("reader_connections"));
  }
  EXPECT_FALSE(OpenSqlite({.path = ""}));
  auto unreachable = OpenSqlite({.path = (backend_.options().path + "/no/such/dir/x.db")});
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(unreachable.error().message, HasSubstr("Opening"));
}

// More threads than connections: callers wait for a free one.
TEST_F(SqliteStoreTest, OneReaderConnectionServesManyThreads) {
  auto db = Open({.reader_connections = 1});
  ASSERT_TRUE(Ok(db));
  ASSERT_TRUE(Ok(db->writer->Begin()));
  ASSERT_TRUE(Ok(db->writer->Write({.items = {MakeItem("item-a", 3)}})));
  ASSERT_TRUE(Ok(db->writer->Commit()));
  std::atomic<int> good = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto item = db->reader->GetItem("item-a", 0);
        if (item && *item && (*item)->on_hand == 3 && db->reader->Ping()) ++good;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 8 * 200);
}

TEST_F(SqliteStoreTest, ReaderConnectionsAreReadOnly) {
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  auto reader = sqlite::SqliteReader::Open({.path = backend_.options().path},
                                           std::make_shared<sqlite::MemoryState>(),
                                           std::make_shared<sqlite::TermIndex>(), nullptr);
  ASSERT_TRUE(Ok(reader));
  sqlite::Connection read_only =
      sqlite::OpenConnection(backend_.options().path, SQLITE_OPEN_READONLY, 0).value();
  EXPECT_FALSE(sqlite::Exec(read_only.get(), "DELETE FROM items", "delete"));
}

}  // namespace
}  // namespace allot::store_test

namespace allot::store_test {
namespace {

// A database of the release before webhooks (schema 5, with a record in
// it) opens, gains the webhooks table, and keeps what it had.
TEST_F(SqliteStoreTest, ADatabaseOfTheReleaseBeforeWebhooksOpensAndGainsThem) {
  {
    sqlite::Connection db = sqlite::OpenConnection(backend_.options().path,
                                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0)
                                .value();
    ASSERT_TRUE(Ok(sqlite::Exec(db.get(), "PRAGMA journal_mode = WAL", "wal")));
    ASSERT_TRUE(Ok(sqlite::ApplyMigrations(db.get(), sqlite::Migrations().first(5), 10)));
    ASSERT_TRUE(Ok(sqlite::Exec(
        db.get(),
        "INSERT INTO items VALUES ('kept', NULL, 3, 0, 0, NULL, 3)", "an item of the old release")));
  }
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  EXPECT_EQ(backend_.StoredSchemaVersion(), SqliteSchemaVersion());
  auto item = db->reader->GetItem("kept", 0);
  ASSERT_TRUE(item.has_value() && item->has_value());
  EXPECT_EQ((*item)->on_hand, 3);
  auto webhooks = db->reader->ListWebhooks();
  ASSERT_TRUE(webhooks.has_value());
  EXPECT_TRUE(webhooks->empty());
}

// A database of the release before waiting lists (schema 6, an item and
// a live hold in it) opens, gains the waiting-list columns and table, and
// keeps what it had: the item with nobody waiting, so nothing withheld.
TEST_F(SqliteStoreTest, ADatabaseOfTheReleaseBeforeWaitingListsOpensAndGainsThem) {
  {
    sqlite::Connection db = sqlite::OpenConnection(backend_.options().path,
                                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0)
                                .value();
    ASSERT_TRUE(Ok(sqlite::Exec(db.get(), "PRAGMA journal_mode = WAL", "wal")));
    ASSERT_TRUE(Ok(sqlite::ApplyMigrations(db.get(), sqlite::Migrations().first(6), 10)));
    ASSERT_TRUE(Ok(sqlite::Exec(
        db.get(),
        "INSERT INTO items VALUES ('kept', 'Kept', 5, 2, 1, 4, 6)", "an item of the old release")));
  }
  auto db = Open({});
  ASSERT_TRUE(Ok(db));
  EXPECT_EQ(backend_.StoredSchemaVersion(), SqliteSchemaVersion());
  auto item = db->reader->GetItem("kept", 0);
  ASSERT_TRUE(item.has_value() && item->has_value());
  EXPECT_EQ(**item, (Item{.id = "kept",
                          .name = "Kept",
                          .on_hand = 5,
                          .held = 2,
                          .sold = 1,
                          .max_per_user = 4,
                          .created_on_hand = 6}));
  EXPECT_EQ((*item)->withheld(), 0);
  EXPECT_EQ((*item)->available(), 3);
  auto list = db->reader->ListWaitlist("kept", "", 10);
  ASSERT_TRUE(Ok(list));
  EXPECT_TRUE(list->entries.empty());
}

}  // namespace
}  // namespace allot::store_test

namespace allot::store_test {
namespace {

// Startup on a terminal: each migration is named while it runs and the
// count of those applied ends the line (shown here from the first instant;
// `allot serve` waits 2 s, so a quick start prints nothing).
TEST_F(SqliteStoreTest, MigrationsShowTheirProgressWhenAsked) {
  sqlite::Connection db = sqlite::OpenConnection(backend_.options().path,
                                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0)
                              .value();
  std::ostringstream shown;
  Progress progress("allot: opening", "steps", shown,
                    {.is_terminal = true, .delay = std::chrono::milliseconds(0),
                     .interval = std::chrono::milliseconds(0)});
  ASSERT_TRUE(Ok(sqlite::ApplyMigrations(db.get(), sqlite::Migrations(), 10, &progress)));
  progress.Finish();
  const std::string text = shown.str();
  EXPECT_THAT(text, ::testing::HasSubstr("(schema 1, initial schema)"));
  EXPECT_THAT(text, ::testing::HasSubstr("(schema 3, the journal)"));
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "allot: opening: " + std::to_string(sqlite::Migrations().size()) +
                        " steps in "));

  // Nothing to apply, or not a terminal: nothing at all.
  std::ostringstream quiet;
  Progress again("allot: opening", "steps", quiet, {.is_terminal = false});
  ASSERT_TRUE(Ok(sqlite::ApplyMigrations(db.get(), sqlite::Migrations(), 10, &again)));
  again.Finish();
  EXPECT_EQ(quiet.str(), "");
}

}  // namespace
}  // namespace allot::store_test
