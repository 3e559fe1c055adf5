// Transfers, events and seats read back from SQLite (RecordQueries, see
// sqlite_records.h). Seats are the seat items of an event (see model.h).
#include <utility>

#include "store/sqlite_records.h"

namespace allot::sqlite {
namespace {

constexpr std::string_view kSelectTransfer = R"sql(
SELECT id, from_id, to_id, amount, status, owner, created_at_ms, expires_at_ms, posted_at_ms,
       released_at_ms
FROM transfers WHERE id = ?1
)sql";
constexpr std::string_view kSelectEvent =
    "SELECT id, name, seat_count, seats_digest FROM events WHERE id = ?1";
// The event's seat items by id range ([?1, ?2)), `held` less the due holds.
constexpr std::string_view kSelectSeats = R"sql(
SELECT id, on_hand,
       held - coalesce((SELECT sum(h.qty) FROM holds h
                        WHERE h.item_id = items.id AND h.expires_at_ms <= ?3), 0)
FROM items WHERE id >= ?1 AND id < ?2 ORDER BY id
)sql";

}  // namespace

Status RecordQueries::PrepareMoney(sqlite3* db) {
  const std::pair<Statement*, std::string_view> statements[] = {
      {&transfer_, kSelectTransfer}, {&event_, kSelectEvent}, {&seats_, kSelectSeats}};
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(db, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  return {};
}

Expected<std::optional<Transfer>> RecordQueries::LoadTransfer(std::string_view id) {
  ResetOnExit reset(transfer_);
  transfer_.BindAll(id);
  auto row = transfer_.Step("Loading a transfer");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  Transfer t;
  t.id = transfer_.Text(0);
  t.from_id = transfer_.Text(1);
  t.to_id = transfer_.Text(2);
  t.amount = transfer_.Int(3);
  const std::string status = transfer_.Text(4);
  const auto parsed = ParseTransferStatus(status);
  if (!parsed) {
    return Fail(
        Unavailable("Stored transfer '" + t.id + "' has an unknown status '" + status + "'."));
  }
  t.status = *parsed;
  t.owner = transfer_.Text(5);
  t.created_at_ms = transfer_.Int(6);
  t.expires_at_ms = transfer_.OptionalInt(7);
  t.posted_at_ms = transfer_.OptionalInt(8);
  t.released_at_ms = transfer_.OptionalInt(9);
  return t;
}

Expected<std::optional<Event>> RecordQueries::LoadEvent(std::string_view id) {
  ResetOnExit reset(event_);
  event_.BindAll(id);
  auto row = event_.Step("Loading an event");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return Event{event_.Text(0), event_.OptionalText(1), event_.Int(2), event_.Text(3)};
}

Expected<std::optional<std::vector<SeatState>>> RecordQueries::ListSeats(std::string_view event_id,
                                                                         std::int64_t now_ms) {
  auto event = LoadEvent(event_id);
  if (!event) return Fail(std::move(event.error()));
  if (!*event) return std::nullopt;
  auto [first, last] = SeatItemRange(event_id);
  ResetOnExit reset(seats_);
  seats_.BindAll(first, last, now_ms);
  std::vector<SeatState> seats;
  seats.reserve(static_cast<std::size_t>((*event)->seat_count));
  for (;;) {
    auto row = seats_.Step("Listing seats");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) break;
    Item item{.id = seats_.Text(0), .on_hand = seats_.Int(1), .held = seats_.Int(2)};
    seats.push_back(SeatState{item.id.substr(first.size()), SeatStatusOf(item)});
  }
  return std::optional(std::move(seats));
}

}  // namespace allot::sqlite
