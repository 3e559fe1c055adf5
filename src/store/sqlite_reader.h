// The read side of the SQLite store. Thread-safe.
//
// Items, accounts, events and seats are read from memory (store/
// sqlite_memory.h), which holds every committed batch whole. Reservations,
// orders and transfers are read from the journal on a fixed pool of
// read-only connections (each call leases one, waiting while all are in
// use); WAL lets them read one committed snapshot beside the writer.
#ifndef ALLOT_STORE_SQLITE_READER_H_
#define ALLOT_STORE_SQLITE_READER_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "allot/sqlite_store.h"
#include "allot/store.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_journal.h"
#include "store/sqlite_memory.h"
#include "store/sqlite_record_finder.h"
#include "store/sqlite_term_index.h"

namespace allot::sqlite {

class SqliteReader final : public StoreReader {
 public:
  // Opens options.reader_connections read-only connections to a database
  // that the writer has already created and migrated. `keep_alive` is
  // destroyed after them (the file's ownership lock: see sqlite_store.cc).
  static Expected<std::unique_ptr<SqliteReader>> Open(const SqliteOptions& options,
                                                      std::shared_ptr<const MemoryState> state,
                                                      std::shared_ptr<const TermIndex> terms,
                                                      std::shared_ptr<void> keep_alive);
  // Every lease must have ended (no call in flight).
  ~SqliteReader() override;

  Expected<std::optional<Item>> GetItem(std::string_view id, std::int64_t now_ms) override;
  Expected<ItemPage> ListItems(std::string_view after, std::size_t limit,
                               std::int64_t now_ms) override;
  Expected<std::optional<Reservation>> GetReservation(std::string_view id) override;
  Expected<std::optional<Order>> GetOrder(std::string_view id) override;
  Expected<std::optional<Transfer>> GetTransfer(std::string_view id) override;
  Expected<std::optional<EventCounts>> GetEvent(std::string_view id, std::int64_t now_ms) override;
  Expected<std::optional<std::vector<SeatState>>> ListSeats(std::string_view event_id,
                                                            std::int64_t now_ms) override;
  Expected<ChangePage> ReadChanges(std::int64_t after, std::size_t limit,
                                   const ChangeFilter& filter, std::size_t max_scan) override;
  Expected<std::int64_t> JournalHead() override;
  Expected<std::vector<std::int64_t>> TermBlocks(std::uint64_t term, std::int64_t from_block,
                                                 std::size_t limit) override;
  Expected<std::optional<std::int64_t>> LastTermBlock(std::uint64_t term,
                                                      std::int64_t at_or_before) override;
  Expected<std::optional<std::int64_t>> BlockStartOf(std::int64_t seq) override;
  Expected<std::optional<JournalBlock>> BlockHolding(std::int64_t seq) override;
  Expected<std::int64_t> SeqAtTime(std::int64_t at_ms) override;
  Expected<std::optional<Webhook>> GetWebhook(std::string_view id) override;
  Expected<std::vector<Webhook>> ListWebhooks() override;
  Expected<std::optional<WaitlistEntry>> GetWaitlistEntry(std::string_view id) override;
  Expected<WaitlistPage> ListWaitlist(std::string_view item_id, std::string_view after,
                                      std::size_t limit) override;
  Expected<std::optional<Draw>> GetDraw(std::string_view id) override;
  Status Ping() override;

 private:
  struct ReadConnection;
  // A connection taken from the pool; returned when destroyed.
  class Lease;

  SqliteReader() = default;
  static Expected<std::unique_ptr<ReadConnection>> OpenOne(const SqliteOptions& options);
  ReadConnection& Acquire();
  void Release(ReadConnection& connection);

  std::shared_ptr<void> keep_alive_;  // first: destroyed last
  std::shared_ptr<const MemoryState> state_;
  std::shared_ptr<const TermIndex> terms_;
  std::vector<std::unique_ptr<ReadConnection>> connections_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<ReadConnection*> free_;  // guarded by mutex_
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_READER_H_
