#include "store/postgres_records.h"

#include <string>
#include <utility>

namespace allot::pg {
namespace {

constexpr int kLineItem = 9;
constexpr int kLineQty = 10;

Error BadValue(std::string_view record, std::string_view id, std::string_view field,
               std::string_view value) {
  return Unavailable("Stored " + std::string(record) + " '" + std::string(id) +
                     "' has an unknown " + std::string(field) + " '" + std::string(value) + "'.");
}

Expected<Reservation> ReservationAt(const Result& result, int row) {
  Reservation r;
  r.id = result.Text(row, 0);
  r.user_id = result.Text(row, 1);
  r.owner = result.Text(row, 2);
  const auto status = ParseReservationStatus(result.View(row, 3));
  if (!status) return Fail(BadValue("reservation", r.id, "status", result.View(row, 3)));
  r.status = *status;
  r.created_at_ms = result.Int(row, 4);
  r.expires_at_ms = result.Int(row, 5);
  r.confirmed_at_ms = result.OptionalInt(row, 6);
  r.order_id = result.OptionalText(row, 7);
  r.released_at_ms = result.OptionalInt(row, 8);
  return r;
}

Expected<Order> OrderAt(const Result& result, int row) {
  Order o;
  o.id = result.Text(row, 0);
  o.user_id = result.Text(row, 1);
  o.owner = result.Text(row, 2);
  const auto status = ParseOrderStatus(result.View(row, 3));
  if (!status) return Fail(BadValue("order", o.id, "status", result.View(row, 3)));
  o.status = *status;
  o.created_at_ms = result.Int(row, 4);
  o.reservation_id = result.OptionalText(row, 5);
  o.payment_ref = result.OptionalText(row, 6);
  o.cancelled_at_ms = result.OptionalInt(row, 7);
  o.cancel_reason = result.OptionalText(row, 8);
  return o;
}

// Groups consecutive rows with the same id (column 0) into one record and
// its lines.
template <typename Record, typename Decode>
Expected<std::vector<Record>> GroupLines(const Result& result, Decode decode) {
  std::vector<Record> records;
  for (int row = 0; row < result.rows(); ++row) {
    if (records.empty() || result.View(row, 0) != records.back().id) {
      Expected<Record> record = decode(result, row);
      if (!record) return Fail(std::move(record.error()));
      records.push_back(std::move(*record));
    }
    if (!result.IsNull(row, kLineItem)) {
      records.back().lines.push_back(Line{result.Text(row, kLineItem), result.Int(row, kLineQty)});
    }
  }
  return records;
}

}  // namespace

Item ItemAt(const Result& result, int row) {
  Item item;
  item.id = result.Text(row, 0);
  item.name = result.OptionalText(row, 1);
  item.on_hand = result.Int(row, 2);
  item.held = result.Int(row, 3);
  item.sold = result.Int(row, 4);
  item.max_per_user = result.OptionalInt(row, 5);
  item.created_on_hand = result.Int(row, 6);
  item.waiting = result.Int(row, 7);
  item.tickets = result.Int(row, 8);
  return item;
}

Expected<std::vector<Reservation>> ReservationsIn(const Result& result) {
  return GroupLines<Reservation>(result, ReservationAt);
}

Expected<std::vector<Order>> OrdersIn(const Result& result) {
  return GroupLines<Order>(result, OrderAt);
}

}  // namespace allot::pg
