// The write side of the SQLite store: one connection, used only by the
// engine's sequencer thread (not thread-safe). See allot/store.h for the
// batch protocol; Begin() takes the database write lock (BEGIN IMMEDIATE)
// so a batch never fails half-way for lack of it.
#ifndef ALLOT_STORE_SQLITE_WRITER_H_
#define ALLOT_STORE_SQLITE_WRITER_H_

#include <sqlite3.h>

#include <string_view>

#include "allot/store.h"
#include "store/sqlite_batch_writer.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_journal.h"
#include "store/sqlite_records.h"

namespace allot::sqlite {

// The due-hold queries (exposed so tests can check their query plans).
// Range scan of holds_by_item; a reservation may hold several lines of one item.
inline constexpr std::string_view kDueOnItemSql = R"sql(
SELECT DISTINCT reservation_id FROM holds
WHERE item_id = ?1 AND expires_at_ms <= ?2 ORDER BY reservation_id LIMIT ?3
)sql";
// Ordered range scan of holds_by_expiry; all lines of a reservation share
// its expiry, so DISTINCT on the pair yields each reservation once.
inline constexpr std::string_view kDueSql = R"sql(
SELECT DISTINCT expires_at_ms, reservation_id FROM holds
WHERE expires_at_ms <= ?1 ORDER BY expires_at_ms, reservation_id LIMIT ?2
)sql";

class SqliteWriter final : public Store {
 public:
  // Takes a connection that is already configured and migrated.
  static Expected<std::unique_ptr<SqliteWriter>> Create(Connection db);

  // Blocks of up to 32 commands: few rows per reservation, and reading one
  // record back decodes at most a small block.
  JournalLayout journal_layout() const override { return {.max_commands_per_block = 32}; }
  std::optional<std::int64_t> NextSeq() const override { return head_ + 1; }
  Status Begin() override;
  Expected<std::optional<Item>> LoadItem(std::string_view id) override;
  Expected<std::optional<Reservation>> LoadReservation(std::string_view id) override;
  Expected<std::optional<Order>> LoadOrder(std::string_view id) override;
  Expected<std::optional<UserUsage>> LoadUsage(std::string_view user_id,
                                               std::string_view item_id) override;
  Expected<std::optional<IdempotencyRecord>> LoadIdempotency(std::string_view principal,
                                                             std::string_view key) override;
  Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) override;
  Expected<std::optional<Event>> LoadEvent(std::string_view id) override;
  Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) override;
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                     std::size_t limit) override;
  Status Write(const BatchWrites& writes) override;
  Status Commit() override;
  void Rollback() override;

  // The underlying connection, for diagnostics and tests (e.g. PRAGMAs).
  sqlite3* handle() const { return db_.get(); }

 private:
  SqliteWriter() = default;
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
  Expected<std::vector<std::string>> Ids(Statement& query, std::string_view what);

  Connection db_;  // declared first: statements are finalized before it closes
  Statement begin_;
  Statement commit_;
  Statement rollback_;
  Statement load_item_;
  Statement load_usage_;
  Statement load_idempotency_;
  Statement due_on_item_;
  Statement due_;
  RecordQueries records_;
  BatchWriter batch_;
  JournalAppender journal_;
  std::int64_t head_ = 0;          // last committed seq
  std::int64_t pending_head_ = 0;  // after this batch's Write, until Commit

};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_WRITER_H_
