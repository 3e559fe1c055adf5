// Reading records back from SQLite rows, shared by the writer and the reader
// pool: the column lists, row decoders, and the per-connection statements
// that load a reservation or an order together with its lines.
#ifndef ALLOT_STORE_SQLITE_RECORDS_H_
#define ALLOT_STORE_SQLITE_RECORDS_H_

#include <sqlite3.h>

#include <optional>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

// Items are selected as `SELECT <kItemColumns> FROM items ...`, optionally
// with `held` replaced by an expression (see the reader).
inline constexpr std::string_view kItemColumns =
    "id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting, tickets";
// The same for a database before schema version 7 (the legacy journal
// import of version 3 runs before the waiting-list columns exist).
inline constexpr std::string_view kLegacyItemColumns =
    "id, name, on_hand, held, sold, max_per_user, created_on_hand, 0 AS waiting, 0 AS tickets";

// Decodes the current row of a statement that selects kItemColumns.
Item ItemFromRow(const Statement& row);

// Loads reservations and orders with their lines in line order. Each load is
// a single statement, so it reads one consistent snapshot even outside a
// transaction. Owned by one connection; not thread-safe.
class RecordQueries {
 public:
  static Expected<RecordQueries> Prepare(sqlite3* db);

  Expected<std::optional<Reservation>> LoadReservation(std::string_view id);
  Expected<std::optional<Order>> LoadOrder(std::string_view id);
  // Transfers, events and seats: sqlite_money_records.cc.
  Expected<std::optional<Transfer>> LoadTransfer(std::string_view id);
  Expected<std::optional<Event>> LoadEvent(std::string_view id);
  // The event's seats with their status at now_ms, a due hold not counted
  // (one statement: one snapshot); nullopt when there is no such event.
  Expected<std::optional<std::vector<SeatState>>> ListSeats(std::string_view event_id,
                                                            std::int64_t now_ms);

 private:
  Status PrepareMoney(sqlite3* db);

  Statement reservation_;
  Statement order_;
  Statement transfer_;
  Statement event_;
  Statement seats_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_RECORDS_H_
