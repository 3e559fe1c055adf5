// The queries of "Queries and history" (docs/api.md), over any store's
// reader: lists of reservations, orders and transfers, the history of an
// item or account, and an item or account as it was at an instant. All of
// them read the journal through its index by term (journal/terms.h):
//
//   the term of the query -> the blocks under it -> their changes, each
//   checked against the query (a term is a hash) -> for lists, each
//   record's current state from the reader.
//
// Lists are ordered by the seq of each record's creation: seqs are given in
// commit order on every store, so a cursor (the last creation seq read)
// never skips a record that commits later, and no record appears twice.
// A status filter keeps records by their status when the page is read; a
// page examines a bounded number of records, so a filter that keeps little
// answers a short page (even an empty one) with a cursor to read on from.
// `next` is null only when nothing after the cursor was there at all: the
// end of the list for now. A client that got there keeps its last cursor
// and reads on from it later to get what committed since.
#ifndef ALLOT_API_QUERIES_H_
#define ALLOT_API_QUERIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "allot/model.h"
#include "allot/store.h"

namespace allot::api {

// Records examined per page at most (those the term finds that a status
// filter then drops count too), and blocks read per page at most.
inline constexpr std::size_t kMaxExaminedPerPage = 2'000;
inline constexpr std::size_t kMaxBlocksPerPage = 512;

struct ListQuery {
  std::optional<std::string> user_id;     // reservations, orders
  std::optional<std::string> item_id;     // reservations
  std::optional<std::string> account_id;  // transfers (as source or destination)
  // Only records of this principal (a client token); nullopt: everyone's.
  std::optional<std::string> owner;
  std::int64_t after = 0;  // cursor: a page's `next`; 0 from the start
  std::size_t limit = 100;
};

template <typename Record>
struct RecordPage {
  std::vector<Record> records;
  std::optional<std::int64_t> next;  // pass as `after`; nullopt: nothing after `after` yet
};

// Records as they read at now_ms (a hold past its expiry reads expired),
// kept by `status` when given.
Expected<RecordPage<Reservation>> ListReservations(StoreReader& reader, const ListQuery& query,
                                                   std::optional<ReservationStatus> status,
                                                   std::int64_t now_ms);
Expected<RecordPage<Order>> ListOrders(StoreReader& reader, const ListQuery& query,
                                       std::optional<OrderStatus> status);
Expected<RecordPage<Transfer>> ListTransfers(StoreReader& reader, const ListQuery& query,
                                             std::optional<TransferStatus> status,
                                             std::int64_t now_ms);

// One movement of an item's (or account's) counters, with the counters
// right after it, and the records of its change.
struct HistoryEntry {
  std::int64_t seq = 0;
  std::int64_t at_ms = 0;
  Movement movement;
  std::string reason;  // MovementReason
  std::optional<std::string> reservation_id;
  std::optional<std::string> order_id;
  std::optional<std::string> transfer_id;
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

struct HistoryPage {
  std::vector<HistoryEntry> entries;
  std::optional<std::int64_t> next;  // the last seq read; nullopt when nothing was there
};

// The movements of `item_id` (an item, or an account's "$id") with seq >
// after, oldest first, at least `limit` unless the history ends (a
// change's movements are never split across pages). With `viewer` (a
// client), record ids of other principals' records are left out.
Expected<HistoryPage> ReadHistory(StoreReader& reader, std::string_view item_id,
                                  std::int64_t after, std::size_t limit,
                                  const std::optional<std::string>& viewer);

// The counters of `item_id` right after its last movement at or before
// `at_ms` (replaying its history up to then); nullopt when it had none
// yet. name, maxPerUser and createdOnHand never change: they are taken
// from `current`.
Expected<std::optional<Item>> ItemAsOf(StoreReader& reader, const Item& current,
                                       std::int64_t at_ms);

}  // namespace allot::api

#endif  // ALLOT_API_QUERIES_H_
