// The read side of the SQLite store: a fixed pool of read-only connections.
// Thread-safe: each call leases a free connection (waiting while all are in
// use), runs single-statement queries on it and returns it. Every query reads
// one committed snapshot (WAL lets readers run beside the writer).
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
#include "store/sqlite_records.h"

namespace allot::sqlite {

// The item queries, with `held` less the holds due at ?1 (exposed so tests
// can check their query plans). GetItem binds the id as ?2; ListItems binds
// `after` as ?2 and the row limit as ?3.
std::string GetItemSql();
std::string ListItemsSql();

class SqliteReader final : public StoreReader {
 public:
  // Opens options.reader_connections read-only connections to a database
  // that the writer has already created and migrated.
  static Expected<std::unique_ptr<SqliteReader>> Open(const SqliteOptions& options);
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
  Status Ping() override;

 private:
  struct ReadConnection;
  // A connection taken from the pool; returned when destroyed.
  class Lease;

  SqliteReader() = default;
  static Expected<std::unique_ptr<ReadConnection>> OpenOne(const SqliteOptions& options);
  ReadConnection& Acquire();
  void Release(ReadConnection& connection);

  std::vector<std::unique_ptr<ReadConnection>> connections_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<ReadConnection*> free_;  // guarded by mutex_
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_READER_H_
