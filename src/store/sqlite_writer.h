// The write side of the SQLite store: the sequencer's. Not thread-safe.
// See allot/store.h for the batch protocol.
//
// The rules decide against memory (store/sqlite_memory.h): loading an item,
// a live hold, a user's usage or an event reads no row. Orders, and
// reservations and transfers that are no longer held, are read from the
// journal when a command names one (store/sqlite_record_finder.h). A batch
// writes its journal blocks, the items and usage rows it changed, new
// events and idempotency records, and the heads of records it changed
// outside the block that made them; the memory takes the batch only once
// COMMIT returned, so a failed batch leaves it as it was.
//
// Begin() takes the database write lock (BEGIN IMMEDIATE); readers (the
// reader pool, `allot audit`, `sqlite3`) read beside it (WAL).
#ifndef ALLOT_STORE_SQLITE_WRITER_H_
#define ALLOT_STORE_SQLITE_WRITER_H_

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string_view>

#include "allot/store.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_journal.h"
#include "store/sqlite_memory.h"
#include "store/sqlite_record_finder.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_term_index.h"
#include "store/sqlite_draws.h"
#include "store/sqlite_waitlist.h"
#include "store/sqlite_webhooks.h"

namespace allot::sqlite {

class SqliteWriter final : public Store {
 public:
  // Takes a connection that is configured and migrated, the state loaded
  // from it, and the journal's head. `keep_alive` is destroyed after the
  // connection (the file's ownership lock: see sqlite_store.cc).
  static Expected<std::unique_ptr<SqliteWriter>> Create(Connection db,
                                                        std::shared_ptr<MemoryState> state,
                                                        std::shared_ptr<TermIndex> terms,
                                                        std::int64_t head,
                                                        std::shared_ptr<void> keep_alive);

  // Blocks of up to 32 commands: few journal rows per reservation, and
  // reading one record back decodes at most a small block. Ids carry keys:
  // a record is found without an index.
  JournalLayout journal_layout() const override {
    return {.max_commands_per_block = 32, .keyed_ids = true};
  }
  std::optional<std::int64_t> NextSeq() const override { return head_ + 1; }
  // Due holds are found in memory at no cost, so every batch expires them.
  bool WantsSweep(std::int64_t now_ms) const override { return state_->AnyDue(now_ms); }

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
  Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) override;
  Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) override;
  Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                          std::int64_t after_ticket,
                                                          std::size_t limit) override;
  Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) override;
  Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) override;
  Expected<std::optional<Draw>> LoadDraw(std::string_view id) override;
  Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                   std::string_view user_id) override;
  Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) override;
  Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) override;
  Expected<std::int64_t> LoadJournalHead() override { return head_; }
  Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) override;
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                     std::size_t limit) override;
  Status Write(BatchWrites writes) override;
  Status Commit() override;
  void Rollback() override;

  // The underlying connection, for diagnostics and tests (e.g. PRAGMAs).
  sqlite3* handle() const { return db_.get(); }

 private:
  SqliteWriter() = default;
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
  // The records a batch updates or points at must exist, as the foreign
  // keys of a store of rows would insist.
  Status CheckReferences(const BatchWrites& writes);

  std::shared_ptr<void> keep_alive_;  // first: destroyed last
  Connection db_;  // before the statements: they are finalized before it closes
  Statement begin_;
  Statement commit_;
  Statement rollback_;
  Statement load_idempotency_;
  RecordFinder records_;
  RowWriter rows_;
  JournalAppender journal_;
  WebhookTable webhooks_;
  WaitlistTable waitlist_;
  DrawTable draws_;
  std::shared_ptr<MemoryState> state_;
  std::int64_t head_ = 0;          // last committed seq
  std::int64_t pending_head_ = 0;  // after this batch's Write, until Commit
  std::int64_t live_from_ = 0;          // as committed
  std::int64_t pending_live_from_ = 0;  // as this batch writes it
  std::optional<MemoryState::Staged> staged_;  // this batch's, until Commit
  std::shared_ptr<TermIndex> terms_;
  // This batch's blocks under their terms, for the index once committed,
  // and the index's tail if this batch wrote it to disk.
  TermIndex::BlockTerms pending_terms_;
  std::optional<TermIndex::Flush> pending_flush_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_WRITER_H_
