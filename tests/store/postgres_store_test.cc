// The conformance suite run against PostgreSQL, plus what only PostgreSQL
// has: migrations raced by several processes, the schema's last-line
// constraints, the database clock, and readers across a server restart.
#include "allot/postgres_store.h"

#include <gmock/gmock.h>

#include <atomic>
#include <thread>

#include "pg_cluster.h"
#include "postgres_test_backend.h"
#include "store_conformance.h"
#include "store_conformance_queries.h"
#include "store_conformance_waitlist.h"

namespace allot::store_test {

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(PostgresStoreFactory()),
                         FactoryName);
INSTANTIATE_TEST_SUITE_P(Postgres, QueriesTest, ::testing::Values(PostgresStoreFactory()),
                         FactoryName);
INSTANTIATE_TEST_SUITE_P(Postgres, EngineQueriesTest, ::testing::Values(PostgresStoreFactory()),
                         FactoryName);
INSTANTIATE_TEST_SUITE_P(Postgres, EngineWaitlistTest, ::testing::Values(PostgresStoreFactory()),
                         FactoryName);

namespace {

using ::testing::HasSubstr;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(backend_.dbname().empty()); }
  std::optional<std::string> Query(std::string_view sql, std::string* error = nullptr) {
    return backend_.cluster().Query(backend_.dbname(), sql, error);
  }

  PostgresTestBackend backend_;
};

TEST_F(PostgresStoreTest, MigrationsRunOnceAcrossConcurrentOpeners) {
  constexpr int kOpeners = 8;
  std::atomic<int> opened = 0;
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto db = OpenPostgres(backend_.options());
      if (db) {
        ++opened;
      } else {
        errors[i] = db.error().message;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(opened.load(), kOpeners) << ::testing::PrintToString(errors);
  EXPECT_EQ(Query("SELECT count(*) FROM schema_version"), std::to_string(PostgresSchemaVersion()));
  EXPECT_EQ(Query("SELECT count(*) FROM pg_tables WHERE tablename = 'items'"), "1");
  EXPECT_EQ(backend_.StoredSchemaVersion(), PostgresSchemaVersion());
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefusedAndLeftUntouched) {
  ASSERT_TRUE(Ok(OpenPostgres(backend_.options())));
  ASSERT_TRUE(Query("INSERT INTO schema_version (version, description) VALUES (99, 'future')"));
  auto db = OpenPostgres(backend_.options());
  ASSERT_FALSE(db);
  EXPECT_THAT(db.error().message, HasSubstr("newer"));
  EXPECT_EQ(Query("SELECT max(version) FROM schema_version"), "99");
}

// The rules never rely on them, but the schema refuses what must never be
// stored, whoever writes it.
TEST_F(PostgresStoreTest, SchemaRefusesOversoldCountersAndJournalChanges) {
  ASSERT_TRUE(Ok(OpenPostgres(backend_.options())));
  std::string error;
  EXPECT_FALSE(Query("INSERT INTO items VALUES ('x', NULL, 1, 2, 0, NULL, 1)", &error));
  EXPECT_THAT(error, HasSubstr("items_counters"));
  EXPECT_FALSE(Query("INSERT INTO items VALUES ('x', NULL, 1, -1, 0, NULL, 1)", &error));
  EXPECT_FALSE(Query("INSERT INTO items VALUES ('x', NULL, 1, 0, -1, NULL, 1)", &error));
  ASSERT_TRUE(Query("INSERT INTO items VALUES ('x', NULL, 1, 1, 0, NULL, 1)", &error)) << error;
  ASSERT_TRUE(Query("INSERT INTO journal VALUES (1, 1, 1, '\\x01')", &error)) << error;
  EXPECT_FALSE(Query("UPDATE journal SET at_ms = 2", &error));
  EXPECT_THAT(error, HasSubstr("append-only"));
  EXPECT_FALSE(Query("DELETE FROM journal", &error));
  EXPECT_THAT(error, HasSubstr("append-only"));
  EXPECT_FALSE(Query("INSERT INTO journal VALUES (0, 1, 1, '\\x01')", &error));
  EXPECT_FALSE(Query("UPDATE journal_head SET seq = -1", &error));
  EXPECT_FALSE(
      Query("INSERT INTO reservations VALUES ('r', 'u', '', 'lost', 1, 2, NULL, NULL, "
            "NULL)",
            &error));
}

// Schema version 4: the rows a reservation or order writes carry no
// foreign key (a trigger and a probe per row); the audit checks them. The
// deferred references between reservations and orders stay.
TEST_F(PostgresStoreTest, HotPathTablesHaveNoPerRowForeignKeys) {
  ASSERT_TRUE(Ok(OpenPostgres(backend_.options())));
  EXPECT_EQ(Query("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN "
                  "('reservation_lines'::regclass, 'holds'::regclass, 'order_lines'::regclass, "
                  "'user_usage'::regclass)"),
            "0");
  EXPECT_EQ(Query("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint "
                  "WHERE contype = 'f' AND condeferred AND conrelid IN "
                  "('reservations'::regclass, 'orders'::regclass)"),
            "orders_reservation_fk,reservations_order_fk");
}

TEST_F(PostgresStoreTest, IdsSortAsBytesWhateverTheDatabaseLocale) {
  auto db = OpenPostgres(backend_.options());
  ASSERT_TRUE(Ok(db));
  ASSERT_TRUE(Ok(db->writer->Begin()));
  ASSERT_TRUE(Ok(db->writer->Write(
      {.items = {MakeItem("b", 1), MakeItem("B", 1), MakeItem("a-2", 1), MakeItem("a_1", 1)}})));
  ASSERT_TRUE(Ok(db->writer->Commit()));
  auto page = db->reader->ListItems("", 10, 0);
  ASSERT_TRUE(Ok(page));
  std::vector<std::string> ids;
  for (const Item& item : page->items) ids.push_back(item.id);
  EXPECT_THAT(ids, ::testing::ElementsAre("B", "a-2", "a_1", "b"));
}

TEST_F(PostgresStoreTest, ClockFollowsTheDatabaseAndNeverGoesBack) {
  auto clock = PostgresClock::Start(backend_.options().conninfo, std::chrono::milliseconds(20));
  ASSERT_TRUE(Ok(clock));
  const std::int64_t system_ms = SystemClock().NowMs();
  // Same machine: the database's clock is the system clock.
  EXPECT_NEAR(static_cast<double>((*clock)->NowMs()), static_cast<double>(system_ms), 1000.0);
  std::int64_t last = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t now = (*clock)->NowMs();
    ASSERT_GE(now, last);
    last = now;
    if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_F(PostgresStoreTest, StatementsOfAFailedPipelineLeaveTheWriterUsable) {
  auto db = OpenPostgres(backend_.options());
  ASSERT_TRUE(Ok(db));
  Store& writer = *db->writer;
  // The first statement of the pipeline fails; the later ones are skipped.
  ASSERT_TRUE(Ok(writer.Begin()));
  Status written = writer.Write(
      Journaled({.items = {MakeItem("bad", 1, 2)},
                 .new_orders = {MakeOrder("ord-1", {{"bad", 1}})}},
                std::nullopt));
  ASSERT_FALSE(written);
  EXPECT_THAT(written.error().message, HasSubstr("'bad'"));
  writer.Rollback();
  ASSERT_TRUE(Ok(writer.Begin()));
  ASSERT_TRUE(Ok(writer.Write({.items = {MakeItem("good", 1)}})));
  ASSERT_TRUE(Ok(writer.Commit()));
  EXPECT_TRUE(writer.LoadItem("good").value().has_value());
}

// The writes and COMMIT go in one pipeline, so the writer cannot look at
// the writes' answers before committing: an update of a record that is not
// stored fails in the server, and nothing of the batch is committed.
TEST_F(PostgresStoreTest, UpdateOfAnUnstoredRecordFailsTheBatchBeforeItsCommit) {
  auto db = OpenPostgres(backend_.options());
  ASSERT_TRUE(Ok(db));
  Store& writer = *db->writer;
  ASSERT_TRUE(Ok(writer.Begin()));
  Reservation ghost = MakeReservation("rsv-ghost", 1, {{"x", 1}});
  ghost.status = ReservationStatus::kCancelled;
  Status written = writer.WriteAndCommit(
      Journaled({.items = {MakeItem("x", 5)}, .updated_reservations = {ghost}}, std::nullopt));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(IsRetryable(written.error()));
  EXPECT_THAT(written.error().message, HasSubstr("'rsv-ghost': no such reservation is stored"));
  writer.Rollback();
  EXPECT_EQ(Query("SELECT count(*) FROM items"), "0");
  EXPECT_EQ(Query("SELECT seq FROM journal_head"), "0");
  // The session is left outside any transaction, ready for the next batch.
  ASSERT_TRUE(Ok(writer.Begin()));
  ASSERT_TRUE(Ok(writer.WriteAndCommit(Journaled({.items = {MakeItem("x", 5)}}, std::nullopt))));
  EXPECT_EQ(Query("SELECT on_hand FROM items WHERE id = 'x'"), "5");
}

// Another process stored the same idempotency key first: the batch's write
// fails in the pipeline before COMMIT, so it certainly committed nothing and
// may be decided again (retryable, not an unknown outcome).
TEST_F(PostgresStoreTest, UniqueKeyRaceInTheCommitPipelineIsRetryableAndCommitsNothing) {
  auto db = OpenPostgres(backend_.options());
  ASSERT_TRUE(Ok(db));
  Store& writer = *db->writer;
  const IdempotencyRecord record{"alice", "key-1", "fp", 201, "{}", 1};
  ASSERT_TRUE(Ok(writer.Begin()));
  ASSERT_TRUE(Ok(writer.WriteAndCommit({.idempotency = {record}})));
  ASSERT_TRUE(Ok(writer.Begin()));
  Status written = writer.WriteAndCommit(
      Journaled({.items = {MakeItem("y", 5)}, .idempotency = {record}}, std::nullopt));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(written.error())) << written.error().message;
  writer.Rollback();
  EXPECT_EQ(Query("SELECT count(*) FROM items"), "0");
  EXPECT_EQ(Query("SELECT count(*) FROM idempotency_keys"), "1");
  EXPECT_EQ(Query("SELECT seq FROM journal_head"), "0");
}

}  // namespace
}  // namespace allot::store_test
