// Reading records back from PostgreSQL results, shared by the writer and the
// reader pool: the select lists and the decoders. Reservations and orders
// come one row per line (LEFT JOIN, so a record without lines is one row
// with NULL line columns), ordered by record id then line number.
#ifndef ALLOT_STORE_POSTGRES_RECORDS_H_
#define ALLOT_STORE_POSTGRES_RECORDS_H_

#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "store/postgres_connection.h"

namespace allot::pg {

// SELECT <kItemColumns> FROM items ...
inline constexpr std::string_view kItemColumns =
    "id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting, tickets";
// The same for a database before schema version 7 (the legacy journal
// import of version 3 runs before the waiting-list columns exist).
inline constexpr std::string_view kLegacyItemColumns =
    "id, name, on_hand, held, sold, max_per_user, created_on_hand, 0 AS waiting, 0 AS tickets";

// SELECT ... FROM reservations r LEFT JOIN reservation_lines l: append a
// WHERE on r and "ORDER BY r.id, l.line_no" (and FOR UPDATE OF r).
inline constexpr std::string_view kSelectReservations = R"sql(
SELECT r.id, r.user_id, r.owner, r.status, r.created_at_ms, r.expires_at_ms,
       r.confirmed_at_ms, r.order_id, r.released_at_ms, l.item_id, l.qty
FROM reservations r LEFT JOIN reservation_lines l ON l.reservation_id = r.id
)sql";

// The same for orders (o, l).
inline constexpr std::string_view kSelectOrders = R"sql(
SELECT o.id, o.user_id, o.owner, o.status, o.created_at_ms, o.reservation_id,
       o.payment_ref, o.cancelled_at_ms, o.cancel_reason, l.item_id, l.qty
FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
)sql";

// SELECT <kTransferColumns> FROM transfers ...; SELECT <kEventColumns> FROM events ...
inline constexpr std::string_view kTransferColumns =
    "id, from_id, to_id, amount, status, owner, created_at_ms, expires_at_ms, posted_at_ms, "
    "released_at_ms";
inline constexpr std::string_view kEventColumns = "id, name, seat_count, seats_digest";

// The transfer (event) in `row`; kUnavailable for an unknown status.
Expected<Transfer> TransferAt(const Result& result, int row);
Event EventAt(const Result& result, int row);

// The item in `row` of a result selecting kItemColumns.
Item ItemAt(const Result& result, int row);

// Every reservation (order) in a result of kSelectReservations
// (kSelectOrders), in result order. kUnavailable for an unknown status.
Expected<std::vector<Reservation>> ReservationsIn(const Result& result);
Expected<std::vector<Order>> OrdersIn(const Result& result);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_RECORDS_H_
