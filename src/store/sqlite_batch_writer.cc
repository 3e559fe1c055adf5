#include "store/sqlite_batch_writer.h"

#include <string>
#include <utility>
#include <vector>

namespace allot::sqlite {
namespace {

constexpr std::string_view kUpsertItem = R"sql(
INSERT INTO items (id, name, on_hand, held, sold, max_per_user, created_on_hand)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, on_hand = excluded.on_hand,
  held = excluded.held, sold = excluded.sold, max_per_user = excluded.max_per_user,
  created_on_hand = excluded.created_on_hand
)sql";
constexpr std::string_view kInsertReservation = R"sql(
INSERT INTO reservations (id, user_id, owner, status, created_at_ms, expires_at_ms,
  confirmed_at_ms, order_id, released_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
)sql";
constexpr std::string_view kInsertReservationLine =
    "INSERT INTO reservation_lines (reservation_id, line_no, item_id, qty) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kInsertHold = R"sql(
INSERT INTO holds (reservation_id, line_no, item_id, qty, expires_at_ms)
VALUES (?1, ?2, ?3, ?4, ?5)
)sql";
constexpr std::string_view kUpdateReservation = R"sql(
UPDATE reservations SET status = ?2, confirmed_at_ms = ?3, order_id = ?4, released_at_ms = ?5
WHERE id = ?1
)sql";
constexpr std::string_view kDeleteHolds = "DELETE FROM holds WHERE reservation_id = ?1";
constexpr std::string_view kInsertOrder = R"sql(
INSERT INTO orders (id, user_id, owner, status, created_at_ms, reservation_id, payment_ref,
  cancelled_at_ms, cancel_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
)sql";
constexpr std::string_view kInsertOrderLine =
    "INSERT INTO order_lines (order_id, line_no, item_id, qty) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kUpdateOrder = R"sql(
UPDATE orders SET status = ?2, cancelled_at_ms = ?3, cancel_reason = ?4 WHERE id = ?1
)sql";
constexpr std::string_view kUpsertUsage = R"sql(
INSERT INTO user_usage (user_id, item_id, held, bought) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (user_id, item_id) DO UPDATE SET held = excluded.held, bought = excluded.bought
)sql";
constexpr std::string_view kInsertIdempotency = R"sql(
INSERT INTO idempotency_keys (principal, key, fingerprint, status, body, created_at_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
)sql";
constexpr std::string_view kInsertTransfer = R"sql(
INSERT INTO transfers (id, from_id, to_id, amount, status, owner, created_at_ms, expires_at_ms,
  posted_at_ms, released_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
)sql";
constexpr std::string_view kUpdateTransfer =
    "UPDATE transfers SET status = ?2, posted_at_ms = ?3, released_at_ms = ?4 WHERE id = ?1";
constexpr std::string_view kInsertEvent =
    "INSERT INTO events (id, name, seat_count, seats_digest) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kPurgeIdempotency =
    "DELETE FROM idempotency_keys WHERE created_at_ms < ?1";

// Prefixes a failure with the record it was about.
Status About(Status status, std::string_view what, std::string_view id) {
  if (status) return status;
  Error error = std::move(status.error());
  error.message = "Writing " + std::string(what) + " '" + std::string(id) + "': " + error.message;
  return Fail(std::move(error));
}

// Applies `write` to each record, stopping at the first failure.
template <typename Record, typename Fn>
Status ForEach(const std::vector<Record>& records, Fn write) {
  for (const Record& record : records) {
    if (auto done = write(record); !done) return done;
  }
  return {};
}

}  // namespace

Expected<BatchWriter> BatchWriter::Prepare(sqlite3* db) {
  BatchWriter writer;
  const std::pair<Statement*, std::string_view> statements[] = {
      {&writer.upsert_item_, kUpsertItem},
      {&writer.insert_reservation_, kInsertReservation},
      {&writer.insert_reservation_line_, kInsertReservationLine},
      {&writer.insert_hold_, kInsertHold},
      {&writer.update_reservation_, kUpdateReservation},
      {&writer.delete_holds_, kDeleteHolds},
      {&writer.insert_order_, kInsertOrder},
      {&writer.insert_order_line_, kInsertOrderLine},
      {&writer.update_order_, kUpdateOrder},
      {&writer.upsert_usage_, kUpsertUsage},
      {&writer.insert_idempotency_, kInsertIdempotency},
      {&writer.purge_idempotency_, kPurgeIdempotency},
      {&writer.insert_transfer_, kInsertTransfer},
      {&writer.update_transfer_, kUpdateTransfer},
      {&writer.insert_event_, kInsertEvent},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(db, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  return writer;
}

Status BatchWriter::Write(const BatchWrites& writes) {
  Status done = ForEach(writes.items, [&](const Item& r) { return WriteItem(r); });
  if (done) done = ForEach(writes.new_reservations, [&](auto& r) { return InsertReservation(r); });
  if (done) done = ForEach(writes.new_orders, [&](const Order& r) { return InsertOrder(r); });
  if (done) {
    done = ForEach(writes.updated_reservations, [&](auto& r) { return UpdateReservation(r); });
  }
  if (done) done = ForEach(writes.updated_orders, [&](const Order& r) { return UpdateOrder(r); });
  if (done) done = ForEach(writes.usage, [&](const UserUsage& r) { return WriteUsage(r); });
  if (done) done = ForEach(writes.new_transfers, [&](auto& r) { return InsertTransfer(r); });
  if (done) done = ForEach(writes.updated_transfers, [&](auto& r) { return UpdateTransfer(r); });
  if (done) done = ForEach(writes.new_events, [&](const Event& r) { return InsertEvent(r); });
  if (done) {
    done = ForEach(writes.idempotency, [&](auto& r) { return InsertIdempotency(r); });
  }
  if (done && writes.purge_idempotency_before_ms > 0) {
    done = Purge(writes.purge_idempotency_before_ms);
  }
  return done;
}

Status BatchWriter::WriteItem(const Item& item) {
  return About(upsert_item_.Exec("upsert", item.id, item.name, item.on_hand, item.held, item.sold,
                                 item.max_per_user, item.created_on_hand),
               "item", item.id);
}

Status BatchWriter::InsertReservation(const Reservation& r) {
  Status done = insert_reservation_.Exec("insert", r.id, r.user_id, r.owner, ToString(r.status),
                                         r.created_at_ms, r.expires_at_ms, r.confirmed_at_ms,
                                         r.order_id, r.released_at_ms);
  const bool held = r.status == ReservationStatus::kHeld;
  for (std::size_t i = 0; done && i < r.lines.size(); ++i) {
    const Line& line = r.lines[i];
    done = insert_reservation_line_.Exec("insert line", r.id, i, line.item_id, line.qty);
    if (done && held) {
      done = insert_hold_.Exec("insert hold", r.id, i, line.item_id, line.qty, r.expires_at_ms);
    }
  }
  return About(std::move(done), "reservation", r.id);
}

Status BatchWriter::UpdateReservation(const Reservation& r) {
  Status done = update_reservation_.Exec("update", r.id, ToString(r.status), r.confirmed_at_ms,
                                         r.order_id, r.released_at_ms);
  if (done && sqlite3_changes(sqlite3_db_handle(update_reservation_.get())) != 1) {
    done = Fail(Unavailable("no such reservation is stored."));
  }
  if (done && r.status != ReservationStatus::kHeld) {
    done = delete_holds_.Exec("delete holds", r.id);
  }
  return About(std::move(done), "reservation", r.id);
}

Status BatchWriter::InsertOrder(const Order& o) {
  Status done =
      insert_order_.Exec("insert", o.id, o.user_id, o.owner, ToString(o.status), o.created_at_ms,
                         o.reservation_id, o.payment_ref, o.cancelled_at_ms, o.cancel_reason);
  for (std::size_t i = 0; done && i < o.lines.size(); ++i) {
    done = insert_order_line_.Exec("insert line", o.id, i, o.lines[i].item_id, o.lines[i].qty);
  }
  return About(std::move(done), "order", o.id);
}

Status BatchWriter::UpdateOrder(const Order& o) {
  Status done =
      update_order_.Exec("update", o.id, ToString(o.status), o.cancelled_at_ms, o.cancel_reason);
  if (done && sqlite3_changes(sqlite3_db_handle(update_order_.get())) != 1) {
    done = Fail(Unavailable("no such order is stored."));
  }
  return About(std::move(done), "order", o.id);
}

Status BatchWriter::WriteUsage(const UserUsage& u) {
  return About(upsert_usage_.Exec("upsert", u.user_id, u.item_id, u.held, u.bought), "usage",
               u.user_id + "/" + u.item_id);
}

Status BatchWriter::InsertTransfer(const Transfer& t) {
  return About(insert_transfer_.Exec("insert", t.id, t.from_id, t.to_id, t.amount,
                                     ToString(t.status), t.owner, t.created_at_ms, t.expires_at_ms,
                                     t.posted_at_ms, t.released_at_ms),
               "transfer", t.id);
}

Status BatchWriter::UpdateTransfer(const Transfer& t) {
  Status done =
      update_transfer_.Exec("update", t.id, ToString(t.status), t.posted_at_ms, t.released_at_ms);
  if (done && sqlite3_changes(sqlite3_db_handle(update_transfer_.get())) != 1) {
    done = Fail(Unavailable("no such transfer is stored."));
  }
  return About(std::move(done), "transfer", t.id);
}

Status BatchWriter::InsertEvent(const Event& e) {
  return About(insert_event_.Exec("insert", e.id, e.name, e.seat_count, e.seats_digest), "event",
               e.id);
}

Status BatchWriter::InsertIdempotency(const IdempotencyRecord& r) {
  return About(insert_idempotency_.Exec("insert", r.principal, r.key, r.fingerprint, r.status,
                                        r.body, r.created_at_ms),
               "idempotency record", r.key);
}

Status BatchWriter::Purge(std::int64_t before_ms) {
  return About(purge_idempotency_.Exec("delete", before_ms), "idempotency purge before",
               std::to_string(before_ms));
}

}  // namespace allot::sqlite
