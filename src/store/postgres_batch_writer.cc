#include "store/postgres_batch_writer.h"

#include <algorithm>
#include <array>
#include <utility>

#include "store/postgres_arrays.h"
#include "store/postgres_journal.h"

namespace allot::pg {
namespace {

constexpr std::string_view kItemsFrom = R"sql(
INSERT INTO items (id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting,
                   tickets)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],
                     $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[]) ORDER BY 1
)sql";
constexpr std::string_view kUpsertSuffix = R"sql(
ON CONFLICT (id) DO UPDATE SET name = excluded.name, on_hand = excluded.on_hand,
  held = excluded.held, sold = excluded.sold, max_per_user = excluded.max_per_user,
  created_on_hand = excluded.created_on_hand, waiting = excluded.waiting,
  tickets = excluded.tickets
)sql";
constexpr std::string_view kInsertReservations = R"sql(
INSERT INTO reservations (id, user_id, owner, status, created_at_ms, expires_at_ms,
  confirmed_at_ms, order_id, released_at_ms)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                     $6::bigint[], $7::bigint[], $8::text[], $9::bigint[])
)sql";
constexpr std::string_view kInsertReservationLines = R"sql(
INSERT INTO reservation_lines (reservation_id, line_no, item_id, qty)
SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[])
)sql";
constexpr std::string_view kInsertHolds = R"sql(
INSERT INTO holds (reservation_id, line_no, item_id, qty, expires_at_ms)
SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::bigint[])
)sql";
// Updates of records the batch locked. Each fails, and the batch with it,
// unless every id came back (allot_updated_all, schema version 4): the
// check runs in the server because COMMIT follows in the same pipeline.
constexpr std::string_view kUpdateReservations = R"sql(
WITH done AS (
  UPDATE reservations r SET status = u.status, confirmed_at_ms = u.confirmed_at_ms,
    order_id = u.order_id, released_at_ms = u.released_at_ms, expires_at_ms = u.expires_at_ms
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[])
    AS u(id, status, confirmed_at_ms, order_id, released_at_ms, expires_at_ms)
  WHERE r.id = u.id RETURNING r.id)
SELECT allot_updated_all('reservation', $1::text[], array(SELECT id FROM done))
)sql";
// An extended hold expires later: its live-hold rows follow, so sweeps and
// availability see the new time.
constexpr std::string_view kMoveHolds = R"sql(
UPDATE holds h SET expires_at_ms = u.expires_at_ms
FROM unnest($1::text[], $2::bigint[]) AS u(id, expires_at_ms)
WHERE h.reservation_id = u.id AND h.expires_at_ms <> u.expires_at_ms
)sql";
constexpr std::string_view kDeleteHolds =
    "DELETE FROM holds WHERE reservation_id = ANY($1::text[])";
constexpr std::string_view kInsertOrders = R"sql(
INSERT INTO orders (id, user_id, owner, status, created_at_ms, reservation_id, payment_ref,
  cancelled_at_ms, cancel_reason)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                     $6::text[], $7::text[], $8::bigint[], $9::text[])
)sql";
constexpr std::string_view kInsertOrderLines = R"sql(
INSERT INTO order_lines (order_id, line_no, item_id, qty)
SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[])
)sql";
constexpr std::string_view kUpdateOrders = R"sql(
WITH done AS (
  UPDATE orders o SET status = u.status, cancelled_at_ms = u.cancelled_at_ms,
    cancel_reason = u.cancel_reason
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
    AS u(id, status, cancelled_at_ms, cancel_reason)
  WHERE o.id = u.id RETURNING o.id)
SELECT allot_updated_all('order', $1::text[], array(SELECT id FROM done))
)sql";
constexpr std::string_view kUpsertUsage = R"sql(
INSERT INTO user_usage (user_id, item_id, held, bought)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
ON CONFLICT (user_id, item_id) DO UPDATE SET held = excluded.held, bought = excluded.bought
)sql";
constexpr std::string_view kInsertTransfers = R"sql(
INSERT INTO transfers (id, from_id, to_id, amount, status, owner, created_at_ms, expires_at_ms,
  posted_at_ms, released_at_ms)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                     $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
)sql";
constexpr std::string_view kUpdateTransfers = R"sql(
WITH done AS (
  UPDATE transfers t SET status = u.status, posted_at_ms = u.posted_at_ms,
    released_at_ms = u.released_at_ms
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
    AS u(id, status, posted_at_ms, released_at_ms)
  WHERE t.id = u.id RETURNING t.id)
SELECT allot_updated_all('transfer', $1::text[], array(SELECT id FROM done))
)sql";
constexpr std::string_view kInsertEvents = R"sql(
INSERT INTO events (id, name, seat_count, seats_digest)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
)sql";
constexpr std::string_view kInsertIdempotency = R"sql(
INSERT INTO idempotency_keys (principal, key, fingerprint, status, body, created_at_ms)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[])
ORDER BY 1, 2
)sql";
constexpr std::string_view kPurgeIdempotency =
    "DELETE FROM idempotency_keys WHERE created_at_ms < $1";

// N array parameters filled row by row.
template <std::size_t N>
struct Columns {
  std::array<ArrayBuilder, N> column;
  Params Take() {
    Params params;
    for (ArrayBuilder& c : column) params.Add(c.Take());
    return params;
  }
};

Params ItemParams(const std::vector<const Item*>& items) {
  Columns<9> c;
  for (const Item* item : items) {
    c.column[0].Add(item->id);
    c.column[1].Add(item->name);
    c.column[2].Add(item->on_hand);
    c.column[3].Add(item->held);
    c.column[4].Add(item->sold);
    c.column[5].Add(item->max_per_user);
    c.column[6].Add(item->created_on_hand);
    c.column[7].Add(item->waiting);
    c.column[8].Add(item->tickets);
  }
  return c.Take();
}

void AddLines(Columns<4>& lines, const std::string& id, const std::vector<Line>& record_lines) {
  for (std::size_t i = 0; i < record_lines.size(); ++i) {
    lines.column[0].Add(id);
    lines.column[1].Add(static_cast<std::int64_t>(i));
    lines.column[2].Add(record_lines[i].item_id);
    lines.column[3].Add(record_lines[i].qty);
  }
}

}  // namespace

StatementSpecs BatchWriter::Statements() {
  return {
      {"insert_items", std::string(kItemsFrom)},
      {"upsert_items", std::string(kItemsFrom) + std::string(kUpsertSuffix)},
      {"insert_reservations", std::string(kInsertReservations)},
      {"insert_reservation_lines", std::string(kInsertReservationLines)},
      {"insert_holds", std::string(kInsertHolds)},
      {"update_reservations", std::string(kUpdateReservations)},
      {"delete_holds", std::string(kDeleteHolds)},
      {"move_holds", std::string(kMoveHolds)},
      {"insert_orders", std::string(kInsertOrders)},
      {"insert_order_lines", std::string(kInsertOrderLines)},
      {"update_orders", std::string(kUpdateOrders)},
      {"upsert_usage", std::string(kUpsertUsage)},
      {"append_journal", std::string(kAppendJournalSql)},
      {"insert_transfers", std::string(kInsertTransfers)},
      {"update_transfers", std::string(kUpdateTransfers)},
      {"insert_events", std::string(kInsertEvents)},
      {"insert_idempotency", std::string(kInsertIdempotency)},
      {"purge_idempotency", std::string(kPurgeIdempotency)},
  };
}

void BatchWriter::Add(const BatchWrites& writes,
                      const std::function<bool(std::string_view)>& item_is_new,
                      Pipeline& pipeline) const {
  std::vector<const Item*> inserted, upserted;
  for (const Item& item : writes.items)
    (item_is_new(item.id) ? inserted : upserted).push_back(&item);
  if (!inserted.empty()) pipeline.Add("insert_items", ItemParams(inserted), "Inserting items");
  if (!upserted.empty()) pipeline.Add("upsert_items", ItemParams(upserted), "Writing items");

  if (!writes.new_reservations.empty()) {
    Columns<9> rows;
    Columns<4> lines;
    Columns<5> holds;
    for (const Reservation& r : writes.new_reservations) {
      rows.column[0].Add(r.id);
      rows.column[1].Add(r.user_id);
      rows.column[2].Add(r.owner);
      rows.column[3].Add(ToString(r.status));
      rows.column[4].Add(r.created_at_ms);
      rows.column[5].Add(r.expires_at_ms);
      rows.column[6].Add(r.confirmed_at_ms);
      rows.column[7].Add(r.order_id);
      rows.column[8].Add(r.released_at_ms);
      AddLines(lines, r.id, r.lines);
      if (r.status != ReservationStatus::kHeld) continue;
      for (std::size_t i = 0; i < r.lines.size(); ++i) {
        holds.column[0].Add(r.id);
        holds.column[1].Add(static_cast<std::int64_t>(i));
        holds.column[2].Add(r.lines[i].item_id);
        holds.column[3].Add(r.lines[i].qty);
        holds.column[4].Add(r.expires_at_ms);
      }
    }
    const bool any_holds = holds.column[0].size() > 0;
    const bool any_lines = lines.column[0].size() > 0;
    pipeline.Add("insert_reservations", rows.Take(), "Inserting reservations");
    if (any_lines)
      pipeline.Add("insert_reservation_lines", lines.Take(), "Inserting reservation lines");
    if (any_holds) pipeline.Add("insert_holds", holds.Take(), "Inserting holds");
  }

  if (!writes.new_orders.empty()) {
    Columns<9> rows;
    Columns<4> lines;
    for (const Order& o : writes.new_orders) {
      rows.column[0].Add(o.id);
      rows.column[1].Add(o.user_id);
      rows.column[2].Add(o.owner);
      rows.column[3].Add(ToString(o.status));
      rows.column[4].Add(o.created_at_ms);
      rows.column[5].Add(o.reservation_id);
      rows.column[6].Add(o.payment_ref);
      rows.column[7].Add(o.cancelled_at_ms);
      rows.column[8].Add(o.cancel_reason);
      AddLines(lines, o.id, o.lines);
    }
    const bool any_lines = lines.column[0].size() > 0;
    pipeline.Add("insert_orders", rows.Take(), "Inserting orders");
    if (any_lines) pipeline.Add("insert_order_lines", lines.Take(), "Inserting order lines");
  }

  if (!writes.updated_reservations.empty()) {
    Columns<6> rows;
    ArrayBuilder ended;
    Columns<2> still_held;
    for (const Reservation& r : writes.updated_reservations) {
      rows.column[0].Add(r.id);
      rows.column[1].Add(ToString(r.status));
      rows.column[2].Add(r.confirmed_at_ms);
      rows.column[3].Add(r.order_id);
      rows.column[4].Add(r.released_at_ms);
      rows.column[5].Add(r.expires_at_ms);
      if (r.status != ReservationStatus::kHeld) {
        ended.Add(r.id);
      } else {
        still_held.column[0].Add(r.id);
        still_held.column[1].Add(r.expires_at_ms);
      }
    }
    const bool any_held = still_held.column[0].size() > 0;
    const bool any_ended = ended.size() > 0;
    pipeline.Add("update_reservations", rows.Take(), "Updating reservations");
    if (any_ended) {
      pipeline.Add("delete_holds", Params().Add(ended.Take()), "Removing ended holds");
    }
    if (any_held) pipeline.Add("move_holds", still_held.Take(), "Moving extended holds");
  }

  if (!writes.updated_orders.empty()) {
    Columns<4> rows;
    for (const Order& o : writes.updated_orders) {
      rows.column[0].Add(o.id);
      rows.column[1].Add(ToString(o.status));
      rows.column[2].Add(o.cancelled_at_ms);
      rows.column[3].Add(o.cancel_reason);
    }
    pipeline.Add("update_orders", rows.Take(), "Updating orders");
  }

  if (!writes.usage.empty()) {
    Columns<4> rows;
    for (const UserUsage& u : writes.usage) {
      rows.column[0].Add(u.user_id);
      rows.column[1].Add(u.item_id);
      rows.column[2].Add(u.held);
      rows.column[3].Add(u.bought);
    }
    pipeline.Add("upsert_usage", rows.Take(), "Writing usage");
  }

  AddMoneyAndSeats(writes, pipeline);

  if (!writes.idempotency.empty()) {
    Columns<6> rows;
    for (const IdempotencyRecord& r : writes.idempotency) {
      rows.column[0].Add(r.principal);
      rows.column[1].Add(r.key);
      rows.column[2].Add(r.fingerprint);
      rows.column[3].Add(std::int64_t{r.status});
      rows.column[4].Add(r.body);
      rows.column[5].Add(r.created_at_ms);
    }
    pipeline.Add("insert_idempotency", rows.Take(), "Storing idempotency records");
  }

  if (writes.purge_idempotency_before_ms > 0) {
    pipeline.Add("purge_idempotency", Params().Add(writes.purge_idempotency_before_ms),
                 "Purging idempotency records");
  }

  // Last: it takes the journal counter's row lock, which every batch of
  // every process needs, and holds it until COMMIT (postgres_journal.h).
  if (!writes.journal.empty()) {
    pipeline.Add("append_journal", AppendJournalParams(writes.journal), "Appending to the journal");
  }
}

void BatchWriter::AddMoneyAndSeats(const BatchWrites& writes, Pipeline& pipeline) const {
  if (!writes.new_transfers.empty()) {
    Columns<10> rows;
    for (const Transfer& t : writes.new_transfers) {
      rows.column[0].Add(t.id);
      rows.column[1].Add(t.from_id);
      rows.column[2].Add(t.to_id);
      rows.column[3].Add(t.amount);
      rows.column[4].Add(ToString(t.status));
      rows.column[5].Add(t.owner);
      rows.column[6].Add(t.created_at_ms);
      rows.column[7].Add(t.expires_at_ms);
      rows.column[8].Add(t.posted_at_ms);
      rows.column[9].Add(t.released_at_ms);
    }
    pipeline.Add("insert_transfers", rows.Take(), "Inserting transfers");
  }
  if (!writes.updated_transfers.empty()) {
    Columns<4> rows;
    for (const Transfer& t : writes.updated_transfers) {
      rows.column[0].Add(t.id);
      rows.column[1].Add(ToString(t.status));
      rows.column[2].Add(t.posted_at_ms);
      rows.column[3].Add(t.released_at_ms);
    }
    pipeline.Add("update_transfers", rows.Take(), "Updating transfers");
  }
  if (!writes.new_events.empty()) {
    Columns<4> rows;
    for (const Event& e : writes.new_events) {
      rows.column[0].Add(e.id);
      rows.column[1].Add(e.name);
      rows.column[2].Add(e.seat_count);
      rows.column[3].Add(e.seats_digest);
    }
    pipeline.Add("insert_events", rows.Take(), "Inserting events");
  }
}

}  // namespace allot::pg
