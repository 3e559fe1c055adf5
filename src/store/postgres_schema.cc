#include "store/postgres_schema.h"

#include <array>
#include <string>
#include <vector>

#include "allot/postgres_store.h"
#include "core/log.h"
#include "store/postgres_connection.h"
#include "store/postgres_journal.h"

namespace allot::pg {
namespace {

constexpr std::string_view kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
)
)sql";

// Version 1: stock, reservations with their live holds, orders, per-user
// usage, the ledger and idempotency records. Quantities are bigint units and
// times are bigint milliseconds since the epoch (as in the model and in
// SQLite, so both stores compare the same numbers).
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE items (
  id text COLLATE "C" PRIMARY KEY,
  name text,
  on_hand bigint NOT NULL,
  held bigint NOT NULL,
  sold bigint NOT NULL,
  max_per_user bigint,
  created_on_hand bigint NOT NULL,
  CONSTRAINT items_counters CHECK (on_hand >= 0 AND held >= 0 AND held <= on_hand AND sold >= 0)
);

CREATE TABLE reservations (
  id text COLLATE "C" PRIMARY KEY,
  user_id text NOT NULL,
  owner text NOT NULL,
  status text NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
  created_at_ms bigint NOT NULL,
  expires_at_ms bigint NOT NULL,
  confirmed_at_ms bigint,
  order_id text COLLATE "C",
  released_at_ms bigint
);

CREATE TABLE reservation_lines (
  reservation_id text COLLATE "C" NOT NULL REFERENCES reservations (id),
  line_no integer NOT NULL,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id),
  qty bigint NOT NULL CHECK (qty > 0),
  PRIMARY KEY (reservation_id, line_no)
);

-- Live holds: rows exist only while their reservation is 'held', so what can
-- expire is found by index range scans instead of scanning reservations.
CREATE TABLE holds (
  reservation_id text COLLATE "C" NOT NULL,
  line_no integer NOT NULL,
  item_id text COLLATE "C" NOT NULL,
  qty bigint NOT NULL CHECK (qty > 0),
  expires_at_ms bigint NOT NULL,
  PRIMARY KEY (reservation_id, line_no),
  FOREIGN KEY (reservation_id, line_no) REFERENCES reservation_lines (reservation_id, line_no)
);
CREATE INDEX holds_by_item ON holds (item_id, expires_at_ms) INCLUDE (reservation_id, qty);
CREATE INDEX holds_by_expiry ON holds (expires_at_ms, reservation_id);

CREATE TABLE orders (
  id text COLLATE "C" PRIMARY KEY,
  user_id text NOT NULL,
  owner text NOT NULL,
  status text NOT NULL CHECK (status IN ('placed', 'cancelled')),
  created_at_ms bigint NOT NULL,
  reservation_id text COLLATE "C",
  payment_ref text,
  cancelled_at_ms bigint,
  cancel_reason text
);

CREATE TABLE order_lines (
  order_id text COLLATE "C" NOT NULL REFERENCES orders (id),
  line_no integer NOT NULL,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id),
  qty bigint NOT NULL CHECK (qty > 0),
  PRIMARY KEY (order_id, line_no)
);

-- A reservation confirmed in the batch that creates it names an order that
-- is written after it: these two references are checked at commit.
ALTER TABLE reservations ADD CONSTRAINT reservations_order_fk FOREIGN KEY (order_id)
  REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE orders ADD CONSTRAINT orders_reservation_fk FOREIGN KEY (reservation_id)
  REFERENCES reservations (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE user_usage (
  user_id text COLLATE "C" NOT NULL,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id),
  held bigint NOT NULL,
  bought bigint NOT NULL,
  PRIMARY KEY (user_id, item_id),
  CHECK (held >= 0 AND bought >= 0)
);

-- Append-only: every stock movement, so counters can be recomputed.
CREATE TABLE ledger (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms bigint NOT NULL,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id),
  kind text NOT NULL CHECK (kind IN ('create', 'adjust', 'reserve', 'release', 'expire',
                                     'confirm', 'order', 'return')),
  on_hand_delta bigint NOT NULL,
  held_delta bigint NOT NULL,
  sold_delta bigint NOT NULL,
  reason text NOT NULL,
  reservation_id text COLLATE "C" REFERENCES reservations (id),
  order_id text COLLATE "C" REFERENCES orders (id)
);
CREATE INDEX ledger_by_item ON ledger (item_id, seq);
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only';
END
$$;
CREATE TRIGGER ledger_no_update_or_delete BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE idempotency_keys (
  principal text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  fingerprint text NOT NULL,
  status integer NOT NULL,
  body text NOT NULL,
  created_at_ms bigint NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_by_created ON idempotency_keys (created_at_ms);
)sql";

// Version 2: money and seats, as SQLite's version 2. Account funds and seats
// are items (see model.h); new are transfers, events and the ledger of the
// debits and credits transfers make. Additive only.
constexpr std::string_view kMoneyAndSeats = R"sql(
CREATE TABLE transfers (
  id text COLLATE "C" PRIMARY KEY,
  from_id text COLLATE "C" NOT NULL,
  to_id text COLLATE "C" NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  status text NOT NULL CHECK (status IN ('posted', 'held', 'cancelled', 'expired')),
  owner text NOT NULL,
  created_at_ms bigint NOT NULL,
  expires_at_ms bigint,
  posted_at_ms bigint,
  released_at_ms bigint,
  CHECK (from_id <> to_id)
);

CREATE TABLE events (
  id text COLLATE "C" PRIMARY KEY,
  name text,
  seat_count bigint NOT NULL CHECK (seat_count > 0),
  seats_digest text NOT NULL
);

-- Append-only: every debit and credit; the two rows of a transfer sum to
-- zero, so the sum of all balance_delta is zero.
CREATE TABLE transfer_ledger (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms bigint NOT NULL,
  transfer_id text COLLATE "C" NOT NULL REFERENCES transfers (id) DEFERRABLE INITIALLY DEFERRED,
  item_id text COLLATE "C" NOT NULL REFERENCES items (id),
  kind text NOT NULL CHECK (kind IN ('debit', 'credit')),
  balance_delta bigint NOT NULL,
  held_delta bigint NOT NULL,
  reason text NOT NULL
);
CREATE INDEX transfer_ledger_by_item ON transfer_ledger (item_id, seq);
CREATE TRIGGER transfer_ledger_no_update_or_delete
  BEFORE UPDATE OR DELETE OR TRUNCATE ON transfer_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
)sql";

// Version 3: the journal (allot/journal.h, store/postgres_journal.h). It
// takes over from the two ledgers, which stay as they were (append-only,
// no longer written): the migration imports their history as the journal's
// first changes.
constexpr std::string_view kJournal = R"sql(
CREATE TABLE journal (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  count integer NOT NULL CHECK (count > 0),
  at_ms bigint NOT NULL,
  body bytea NOT NULL
);
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON journal
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TABLE journal_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq bigint NOT NULL CHECK (seq >= 0)
);
INSERT INTO journal_head (seq) VALUES (0);
)sql";

// Version 4: the batch path, cheaper per row and per batch.
//
// The immediate foreign keys of the rows a reservation or an order writes
// (its lines to it and to their items, its live holds to its lines, usage
// to its item) went: each was a trigger and a probe per row, measured at 6
// to 7 us per row and foreign key, three times what the rows themselves
// cost. The rules never relied on them: a batch writes only lines of
// records it makes, on items it loaded and locked, and `allot audit`
// checks every line, hold and usage row against the records and items.
// The two deferred references between reservations and orders stay (one
// check per confirmation, and a confirmed reservation's order must exist).
//
// A batch's writes and its COMMIT go in one pipeline, so what the writer
// checked between them (that every record it updates is stored) is checked
// in the server: an update statement passes the ids it wanted and the ids
// it updated to allot_updated_all, which fails the statement, and so the
// batch, unless they match.
constexpr std::string_view kBatchPath = R"sql(
ALTER TABLE reservation_lines DROP CONSTRAINT reservation_lines_reservation_id_fkey,
  DROP CONSTRAINT reservation_lines_item_id_fkey;
ALTER TABLE holds DROP CONSTRAINT holds_reservation_id_line_no_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_order_id_fkey,
  DROP CONSTRAINT order_lines_item_id_fkey;
ALTER TABLE user_usage DROP CONSTRAINT user_usage_item_id_fkey;

CREATE FUNCTION allot_updated_all(what text, wanted text[], updated text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  IF cardinality(updated) = cardinality(wanted) THEN
    RETURN cardinality(updated);
  END IF;
  SELECT w INTO missing FROM unnest(wanted) AS w WHERE w <> ALL (updated) LIMIT 1;
  RAISE EXCEPTION 'Writing % ''%'': no such % is stored.', what, missing, what;
END
$$;
)sql";

// Version 5: lists and history (journal/terms.h). Each journal block under
// each term of its changes, written by the statement that appends the
// block (so in the same commit order as the journal), and the journal by
// instant for `asOf`. The history of an upgraded database is indexed by
// the migration.
constexpr std::string_view kTermIndex = R"sql(
CREATE TABLE journal_terms (
  term bigint NOT NULL,
  block bigint NOT NULL,
  PRIMARY KEY (term, block)
);
CREATE INDEX journal_by_time ON journal (at_ms, seq);
)sql";

// Version 6: webhooks, as SQLite's version 6 (store/postgres_webhooks.h).
constexpr std::string_view kWebhooks = R"sql(
CREATE TABLE webhooks (
  id text COLLATE "C" PRIMARY KEY,
  url text NOT NULL,
  types text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled')),
  secret text NOT NULL,
  cursor bigint NOT NULL CHECK (cursor >= 0),
  generation bigint NOT NULL,
  last_error text,
  failing_since_ms bigint,
  created_at_ms bigint NOT NULL
);
)sql";

// Version 7: waiting lists, as SQLite's version 7 (store/postgres_waitlist.h).
constexpr std::string_view kWaitlists = R"sql(
ALTER TABLE items ADD COLUMN waiting bigint NOT NULL DEFAULT 0 CHECK (waiting >= 0),
                  ADD COLUMN tickets bigint NOT NULL DEFAULT 0;
CREATE TABLE waitlist (
  id text COLLATE "C" PRIMARY KEY,
  item_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  owner text NOT NULL,
  qty bigint NOT NULL CHECK (qty > 0),
  offer_ttl_seconds bigint NOT NULL CHECK (offer_ttl_seconds > 0),
  status smallint NOT NULL CHECK (status BETWEEN 0 AND 4),
  ticket bigint NOT NULL,
  created_at_ms bigint NOT NULL,
  reservation_id text COLLATE "C",
  UNIQUE (item_id, ticket)
);
CREATE INDEX waitlist_waiting ON waitlist (item_id, ticket) WHERE status = 0;
CREATE UNIQUE INDEX waitlist_active_user ON waitlist (item_id, user_id) WHERE status IN (0, 1);
CREATE INDEX waitlist_offers ON waitlist (reservation_id) WHERE reservation_id IS NOT NULL;
)sql";

// Version 8: draws, as SQLite's version 8 (store/postgres_draws.h).
constexpr std::string_view kDraws = R"sql(
CREATE TABLE draws (
  id text COLLATE "C" PRIMARY KEY,
  item_id text COLLATE "C" NOT NULL,
  owner text NOT NULL,
  units bigint NOT NULL CHECK (units > 0),
  closes_at_ms bigint NOT NULL,
  offer_ttl_seconds bigint NOT NULL CHECK (offer_ttl_seconds > 0),
  status smallint NOT NULL CHECK (status IN (0, 1)),
  seed text NOT NULL,
  seed_hash text NOT NULL,
  hold_id text COLLATE "C" NOT NULL,
  entries bigint NOT NULL CHECK (entries >= 0),
  created_at_ms bigint NOT NULL,
  drawn_at_ms bigint
);
CREATE INDEX draws_due ON draws (closes_at_ms) WHERE status = 0;
CREATE TABLE draw_entries (
  draw_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  owner text NOT NULL,
  qty bigint NOT NULL CHECK (qty > 0),
  number bigint NOT NULL,
  created_at_ms bigint NOT NULL,
  rank bigint,
  outcome smallint CHECK (outcome IN (0, 1)),
  reservation_id text COLLATE "C",
  PRIMARY KEY (draw_id, user_id),
  UNIQUE (draw_id, number)
);
)sql";

constexpr std::array<Migration, 8> kMigrations{{
    {1, "initial schema", kInitialSchema},
    {2, "accounts, transfers, events and seats", kMoneyAndSeats},
    {3, "the journal", kJournal, ImportLegacyJournal},
    {4, "the batch path: no per-row foreign keys, checks in the server", kBatchPath},
    {5, "the journal indexed by term for lists and history", kTermIndex, IndexJournalTerms},
    {6, "webhooks", kWebhooks},
    {7, "waiting lists", kWaitlists},
    {8, "draws", kDraws},
}};

Status ApplyOne(PGconn* conn, const Migration& migration) {
  const std::string what = "Schema migration " + std::to_string(migration.version) + " (" +
                           std::string(migration.description) + ")";
  if (auto done = Exec(conn, std::string(migration.sql), what); !done) return done;
  if (migration.after != nullptr) {
    if (auto done = migration.after(conn); !done) return done;
  }
  Params params;
  params.Add(std::int64_t{migration.version}).Add(migration.description);
  auto recorded = Run(conn, "INSERT INTO schema_version (version, description) VALUES ($1, $2)",
                      params, "Recording " + what, /*prepared=*/false);
  if (!recorded) return Fail(std::move(recorded.error()));
  return {};
}

// Inside the migration transaction, holding the advisory lock.
Status MigrateLocked(PGconn* conn, std::span<const Migration> migrations, Progress* progress,
                     std::vector<const Migration*>& applied) {
  if (auto done = Exec(conn, std::string(kCreateVersionTable), "Creating schema_version"); !done) {
    return done;
  }
  auto stored = StoredSchemaVersion(conn);
  if (!stored) return Fail(std::move(stored.error()));
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (*stored > known) {
    return Fail(Unavailable("The database has schema version " + std::to_string(*stored) +
                            ", newer than version " + std::to_string(known) +
                            " that this build understands; use a newer allot."));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *stored) continue;
    const std::string name = "schema " + std::to_string(migration.version) + ", " +
                             std::string(migration.description);
    auto done = RunShown(progress, name, static_cast<std::int64_t>(applied.size()),
                         [&] { return ApplyOne(conn, migration); });
    if (!done) return done;
    applied.push_back(&migration);
  }
  if (progress != nullptr && !applied.empty()) {
    progress->Update("schema migrated", static_cast<std::int64_t>(applied.size()));
  }
  return {};
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

Expected<int> StoredSchemaVersion(PGconn* conn) {
  auto exists = Run(conn, "SELECT to_regclass('schema_version') IS NOT NULL", Params(),
                    "Looking for schema_version", /*prepared=*/false);
  if (!exists) return Fail(std::move(exists.error()));
  if (exists->View(0, 0) != "t") return 0;
  auto max = Run(conn, "SELECT coalesce(max(version), 0) FROM schema_version", Params(),
                 "Reading the schema version", /*prepared=*/false);
  if (!max) return Fail(std::move(max.error()));
  return static_cast<int>(max->Int(0, 0));
}

Status ApplyMigrations(PGconn* conn, std::span<const Migration> migrations, Progress* progress) {
  // Waits here while another process migrates; released at COMMIT/ROLLBACK.
  const std::string begin =
      "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
  if (auto begun = Exec(conn, begin, "Starting the schema migration"); !begun) {
    Exec(conn, "ROLLBACK", "Rolling back the schema migration");
    return begun;
  }
  std::vector<const Migration*> applied;
  if (auto done = MigrateLocked(conn, migrations, progress, applied); !done) {
    Exec(conn, "ROLLBACK", "Rolling back the schema migration");
    return done;
  }
  if (auto committed = Exec(conn, "COMMIT", "Committing the schema migration"); !committed) {
    Exec(conn, "ROLLBACK", "Rolling back the schema migration");
    return committed;
  }
  // Logged only now: a migration is applied once its transaction committed.
  for (const Migration* migration : applied) {
    log::Info("migration applied", {{"store", "postgres"},
                                    {"version", migration->version},
                                    {"description", migration->description}});
  }
  return {};
}

}  // namespace allot::pg

namespace allot {

int PostgresSchemaVersion() { return pg::Migrations().back().version; }

}  // namespace allot
