// Writes one BatchWrites into the open transaction of the writer connection,
// with statements prepared once and reused for every row.
#ifndef ALLOT_STORE_SQLITE_BATCH_WRITER_H_
#define ALLOT_STORE_SQLITE_BATCH_WRITER_H_

#include <sqlite3.h>

#include "allot/error.h"
#include "allot/store.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

// Not thread-safe; used by the writer's single thread.
class BatchWriter {
 public:
  static Expected<BatchWriter> Prepare(sqlite3* db);

  // Applies every part of `writes` in an order that satisfies the foreign
  // keys: items, new reservations (lines, live holds), new orders (lines),
  // updated reservations (dropping their holds when no longer held), updated
  // orders, usage, transfers, events, idempotency records, then the purge.
  // (The journal is the writer's: store/sqlite_journal.h.) Stops at the
  // first failure with kUnavailable naming the record; the caller must then
  // roll back.
  Status Write(const BatchWrites& writes);

 private:
  Status WriteItem(const Item& item);
  Status InsertReservation(const Reservation& reservation);
  Status UpdateReservation(const Reservation& reservation);
  Status InsertOrder(const Order& order);
  Status UpdateOrder(const Order& order);
  Status WriteUsage(const UserUsage& usage);
  Status InsertTransfer(const Transfer& transfer);
  Status UpdateTransfer(const Transfer& transfer);
  Status InsertEvent(const Event& event);
  Status InsertIdempotency(const IdempotencyRecord& record);
  Status Purge(std::int64_t before_ms);

  Statement upsert_item_;
  Statement insert_reservation_;
  Statement insert_reservation_line_;
  Statement insert_hold_;
  Statement update_reservation_;
  Statement delete_holds_;
  Statement insert_order_;
  Statement insert_order_line_;
  Statement update_order_;
  Statement upsert_usage_;
  Statement insert_idempotency_;
  Statement insert_transfer_;
  Statement update_transfer_;
  Statement insert_event_;
  Statement purge_idempotency_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_BATCH_WRITER_H_
