#include "store/sqlite_records.h"

#include <string>
#include <utility>

namespace allot::sqlite {
namespace {

// One row per line (or one row with NULL line columns when there are none).
constexpr std::string_view kSelectReservation = R"sql(
SELECT r.id, r.user_id, r.owner, r.status, r.created_at_ms, r.expires_at_ms,
       r.confirmed_at_ms, r.order_id, r.released_at_ms, l.item_id, l.qty
FROM reservations r LEFT JOIN reservation_lines l ON l.reservation_id = r.id
WHERE r.id = ?1 ORDER BY l.line_no
)sql";

constexpr std::string_view kSelectOrder = R"sql(
SELECT o.id, o.user_id, o.owner, o.status, o.created_at_ms, o.reservation_id,
       o.payment_ref, o.cancelled_at_ms, o.cancel_reason, l.item_id, l.qty
FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
WHERE o.id = ?1 ORDER BY l.line_no
)sql";

Error BadValue(std::string_view record, std::string_view id, std::string_view field,
               std::string_view value) {
  return Unavailable("Stored " + std::string(record) + " '" + std::string(id) +
                     "' has an unknown " + std::string(field) + " '" + std::string(value) + "'.");
}

Expected<Reservation> ReservationFromRow(const Statement& row) {
  Reservation r;
  r.id = row.Text(0);
  r.user_id = row.Text(1);
  r.owner = row.Text(2);
  const std::string status = row.Text(3);
  const auto parsed = ParseReservationStatus(status);
  if (!parsed) return Fail(BadValue("reservation", r.id, "status", status));
  r.status = *parsed;
  r.created_at_ms = row.Int(4);
  r.expires_at_ms = row.Int(5);
  r.confirmed_at_ms = row.OptionalInt(6);
  r.order_id = row.OptionalText(7);
  r.released_at_ms = row.OptionalInt(8);
  return r;
}

Expected<Order> OrderFromRow(const Statement& row) {
  Order o;
  o.id = row.Text(0);
  o.user_id = row.Text(1);
  o.owner = row.Text(2);
  const std::string status = row.Text(3);
  const auto parsed = ParseOrderStatus(status);
  if (!parsed) return Fail(BadValue("order", o.id, "status", status));
  o.status = *parsed;
  o.created_at_ms = row.Int(4);
  o.reservation_id = row.OptionalText(5);
  o.payment_ref = row.OptionalText(6);
  o.cancelled_at_ms = row.OptionalInt(7);
  o.cancel_reason = row.OptionalText(8);
  return o;
}

// Runs a header-plus-lines query whose line columns are 9 (item) and 10
// (qty); decode builds the record from the first row.
template <typename Record, typename Decode>
Expected<std::optional<Record>> LoadWithLines(Statement& query, std::string_view id,
                                              std::string_view what, Decode decode) {
  ResetOnExit reset(query);
  query.BindAll(id);
  auto row = query.Step(what);
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  Expected<Record> record = decode(query);
  if (!record) return Fail(std::move(record.error()));
  while (*row) {
    if (!query.IsNull(9)) record->lines.push_back(Line{query.Text(9), query.Int(10)});
    row = query.Step(what);
    if (!row) return Fail(std::move(row.error()));
  }
  return std::optional<Record>(std::move(*record));
}

}  // namespace

Item ItemFromRow(const Statement& row) {
  Item item;
  item.id = row.Text(0);
  item.name = row.OptionalText(1);
  item.on_hand = row.Int(2);
  item.held = row.Int(3);
  item.sold = row.Int(4);
  item.max_per_user = row.OptionalInt(5);
  item.created_on_hand = row.Int(6);
  item.waiting = row.Int(7);
  item.tickets = row.Int(8);
  return item;
}

Expected<RecordQueries> RecordQueries::Prepare(sqlite3* db) {
  RecordQueries queries;
  auto reservation = Statement::Prepare(db, kSelectReservation);
  if (!reservation) return Fail(std::move(reservation.error()));
  auto order = Statement::Prepare(db, kSelectOrder);
  if (!order) return Fail(std::move(order.error()));
  queries.reservation_ = std::move(*reservation);
  queries.order_ = std::move(*order);
  if (auto money = queries.PrepareMoney(db); !money) return Fail(std::move(money.error()));
  return queries;
}

Expected<std::optional<Reservation>> RecordQueries::LoadReservation(std::string_view id) {
  return LoadWithLines<Reservation>(reservation_, id, "Loading a reservation", ReservationFromRow);
}

Expected<std::optional<Order>> RecordQueries::LoadOrder(std::string_view id) {
  return LoadWithLines<Order>(order_, id, "Loading an order", OrderFromRow);
}

}  // namespace allot::sqlite
