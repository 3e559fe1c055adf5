// The JSON of "Queries and history" (docs/api.md): pages of reservations,
// orders and transfers with their cursor, and history entries of an item
// or an account.
#ifndef ALLOT_HTTP_QUERY_JSON_H_
#define ALLOT_HTTP_QUERY_JSON_H_

#include <string>

#include "api/queries.h"

namespace allot::http {

// {"reservations": [...], "next": "<cursor>" | null} (and "orders",
// "transfers"): each record as its GET answers it.
std::string EncodeReservationPage(const api::RecordPage<Reservation>& page);
std::string EncodeOrderPage(const api::RecordPage<Order>& page);
std::string EncodeTransferPage(const api::RecordPage<Transfer>& page);

// {"entries": [{"seq", "at", "kind", "onHandDelta", "heldDelta",
// "soldDelta", "onHand", "held", "sold", "reason", "reservationId"?,
// "orderId"?}], "next": seq | null}
std::string EncodeItemHistory(const api::HistoryPage& page);
// {"entries": [{"seq", "at", "kind", "amount", "balance", "held",
// "transferId"?}], "next": seq | null}; amount is the balance's change, or
// for a hold's movements (reserve, release, expire) the held amount's.
std::string EncodeAccountHistory(const api::HistoryPage& page);

}  // namespace allot::http

#endif  // ALLOT_HTTP_QUERY_JSON_H_
