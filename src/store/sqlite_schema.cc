#include "store/sqlite_schema.h"

#include <array>
#include <string>
#include <vector>

#include "allot/sqlite_store.h"
#include "core/log.h"
#include "store/sqlite_handle.h"
#include "journal/change_codec.h"
#include "store/sqlite_journal.h"

namespace allot::sqlite {
namespace {

constexpr std::string_view kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY NOT NULL,
  description TEXT NOT NULL,
  applied_at_ms INTEGER NOT NULL
) STRICT;
)sql";

// Version 1: stock, reservations with their live holds, orders, per-user
// usage, the ledger and idempotency records. Quantities are integers and
// times are milliseconds since the epoch.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE items (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  on_hand INTEGER NOT NULL,
  held INTEGER NOT NULL,
  sold INTEGER NOT NULL,
  max_per_user INTEGER,
  created_on_hand INTEGER NOT NULL,
  CHECK (on_hand >= 0 AND held >= 0 AND held <= on_hand AND sold >= 0)
) STRICT;

CREATE TABLE reservations (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  confirmed_at_ms INTEGER,
  order_id TEXT REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  released_at_ms INTEGER
) STRICT;

CREATE TABLE reservation_lines (
  reservation_id TEXT NOT NULL REFERENCES reservations (id),
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES items (id),
  qty INTEGER NOT NULL CHECK (qty > 0),
  PRIMARY KEY (reservation_id, line_no)
) STRICT, WITHOUT ROWID;

-- Live holds: rows exist only while their reservation is 'held', so what can
-- expire is found by index range scans instead of scanning reservations.
CREATE TABLE holds (
  reservation_id TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  expires_at_ms INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, line_no),
  FOREIGN KEY (reservation_id, line_no) REFERENCES reservation_lines (reservation_id, line_no)
) STRICT, WITHOUT ROWID;
CREATE INDEX holds_by_item ON holds (item_id, expires_at_ms, reservation_id, qty);
CREATE INDEX holds_by_expiry ON holds (expires_at_ms, reservation_id);

CREATE TABLE orders (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('placed', 'cancelled')),
  created_at_ms INTEGER NOT NULL,
  reservation_id TEXT REFERENCES reservations (id) DEFERRABLE INITIALLY DEFERRED,
  payment_ref TEXT,
  cancelled_at_ms INTEGER,
  cancel_reason TEXT
) STRICT;

CREATE TABLE order_lines (
  order_id TEXT NOT NULL REFERENCES orders (id),
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES items (id),
  qty INTEGER NOT NULL CHECK (qty > 0),
  PRIMARY KEY (order_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE user_usage (
  user_id TEXT NOT NULL,
  item_id TEXT NOT NULL REFERENCES items (id),
  held INTEGER NOT NULL,
  bought INTEGER NOT NULL,
  PRIMARY KEY (user_id, item_id),
  CHECK (held >= 0 AND bought >= 0)
) STRICT, WITHOUT ROWID;

-- Append-only: every stock movement, so counters can be recomputed. No
-- AUTOINCREMENT: rows are never deleted (see the triggers), so the rowid
-- already only grows, without an extra sqlite_sequence write per row.
CREATE TABLE ledger (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES items (id),
  kind TEXT NOT NULL CHECK (kind IN ('create', 'adjust', 'reserve', 'release', 'expire',
                                     'confirm', 'order', 'return')),
  on_hand_delta INTEGER NOT NULL,
  held_delta INTEGER NOT NULL,
  sold_delta INTEGER NOT NULL,
  reason TEXT NOT NULL,
  reservation_id TEXT REFERENCES reservations (id),
  order_id TEXT REFERENCES orders (id)
) STRICT;
CREATE INDEX ledger_by_item ON ledger (item_id, seq);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TABLE idempotency_keys (
  principal TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (principal, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_by_created ON idempotency_keys (created_at_ms);
)sql";

// Version 2: money and seats. Account funds and seats are items (see
// model.h), so they reuse items, holds and the ledger; what is new is the
// transfers, the events, and a ledger of the debits and credits transfers
// make (the item ledger's kinds predate them). Additive only.
constexpr std::string_view kMoneyAndSeats = R"sql(
CREATE TABLE transfers (
  id TEXT PRIMARY KEY NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  status TEXT NOT NULL CHECK (status IN ('posted', 'held', 'cancelled', 'expired')),
  owner TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  posted_at_ms INTEGER,
  released_at_ms INTEGER,
  CHECK (from_id <> to_id)
) STRICT;

CREATE TABLE events (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  seat_count INTEGER NOT NULL CHECK (seat_count > 0),
  seats_digest TEXT NOT NULL
) STRICT;

-- Append-only: every debit and credit; the two rows of a transfer sum to
-- zero, so the sum of all balance_delta is zero.
CREATE TABLE transfer_ledger (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  transfer_id TEXT NOT NULL REFERENCES transfers (id) DEFERRABLE INITIALLY DEFERRED,
  item_id TEXT NOT NULL REFERENCES items (id),
  kind TEXT NOT NULL CHECK (kind IN ('debit', 'credit')),
  balance_delta INTEGER NOT NULL,
  held_delta INTEGER NOT NULL,
  reason TEXT NOT NULL
) STRICT;
CREATE INDEX transfer_ledger_by_item ON transfer_ledger (item_id, seq);
CREATE TRIGGER transfer_ledger_no_update BEFORE UPDATE ON transfer_ledger
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER transfer_ledger_no_delete BEFORE DELETE ON transfer_ledger
  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
)sql";

// Version 3: the journal (allot/journal.h, store/sqlite_journal.h). It
// takes over from the two ledgers, which stay as they were (append-only,
// no longer written): the migration imports their history as the journal's
// first changes.
constexpr std::string_view kJournal = R"sql(
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  count INTEGER NOT NULL CHECK (count > 0),
  at_ms INTEGER NOT NULL,
  body BLOB NOT NULL
) STRICT;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
)sql";

// Version 4: the state in memory, the records in the journal. Reservations,
// orders and transfers are no longer rows: each is its latest change in the
// journal (store/sqlite_record_finder.h), and the live holds are kept in
// memory (store/sqlite_memory.h). New are the heads of records that changed
// after the block that made them, the block of every record made before
// (whose ids carry no key), and where a restart replays the journal from.
// The tables of version 2 stay, renamed with a v2_ prefix, as a frozen copy
// of what the upgrade started from (nothing reads or writes them; they may
// be dropped).
constexpr std::string_view kStateInMemory = R"sql(
CREATE TABLE record_heads (
  record INTEGER PRIMARY KEY,
  block INTEGER NOT NULL
) STRICT;
CREATE TABLE legacy_records (
  id TEXT PRIMARY KEY NOT NULL,
  block INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE journal_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  live_from INTEGER NOT NULL
) STRICT;
INSERT INTO journal_state (singleton, live_from) VALUES (1, 1);
ALTER TABLE holds RENAME TO v2_holds;
ALTER TABLE reservation_lines RENAME TO v2_reservation_lines;
ALTER TABLE order_lines RENAME TO v2_order_lines;
ALTER TABLE reservations RENAME TO v2_reservations;
ALTER TABLE orders RENAME TO v2_orders;
ALTER TABLE transfers RENAME TO v2_transfers;
ALTER TABLE ledger RENAME TO v2_ledger;
ALTER TABLE transfer_ledger RENAME TO v2_transfer_ledger;
)sql";

// Version 5: lists and history (store/sqlite_term_index.h). Journal blocks
// by term, in runs appended in block order; the tail of the index lives in
// memory and is rebuilt from the journal after `indexed_through` at open,
// which also indexes the history of an upgraded database.
constexpr std::string_view kTermIndex = R"sql(
CREATE TABLE term_runs (
  part INTEGER NOT NULL,
  last_block INTEGER NOT NULL,
  entries BLOB NOT NULL,
  PRIMARY KEY (part, last_block)
) STRICT;
CREATE TABLE term_index_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  indexed_through INTEGER NOT NULL
) STRICT;
INSERT INTO term_index_state (singleton, indexed_through) VALUES (1, 0);
)sql";

// Version 6: webhooks (allot/webhook.h). A row each; not journal records.
// `types` is the comma-separated change types ('' for every type),
// `cursor` the last seq delivered, `generation` what a deliverer's report
// must match (store/sqlite_webhooks.h).
constexpr std::string_view kWebhooks = R"sql(
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY NOT NULL,
  url TEXT NOT NULL,
  types TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  secret TEXT NOT NULL,
  cursor INTEGER NOT NULL CHECK (cursor >= 0),
  generation INTEGER NOT NULL,
  last_error TEXT,
  failing_since_ms INTEGER,
  created_at_ms INTEGER NOT NULL
) STRICT;
)sql";

// Version 7: waiting lists (allot/model.h WaitlistEntry). Entries are rows;
// their changes are in the journal too. An item counts its waiting entries
// (what withholds its free units from the public) and the tickets it gave.
// Status numbers: 0 waiting, 1 offered, 2 lapsed, 3 left, 4 fulfilled.
constexpr std::string_view kWaitlists = R"sql(
ALTER TABLE items ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0 CHECK (waiting >= 0);
ALTER TABLE items ADD COLUMN tickets INTEGER NOT NULL DEFAULT 0 CHECK (tickets >= waiting);
CREATE TABLE waitlist (
  id TEXT PRIMARY KEY NOT NULL,
  item_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  offer_ttl_seconds INTEGER NOT NULL CHECK (offer_ttl_seconds > 0),
  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),
  ticket INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  reservation_id TEXT,
  UNIQUE (item_id, ticket)
) STRICT;
CREATE INDEX waitlist_waiting ON waitlist (item_id, ticket) WHERE status = 0;
CREATE UNIQUE INDEX waitlist_active_user ON waitlist (item_id, user_id) WHERE status IN (0, 1);
CREATE INDEX waitlist_offers ON waitlist (reservation_id) WHERE reservation_id IS NOT NULL;
)sql";

// Version 8: draws (allot/model.h Draw, DrawEntry): a row each, the seed
// as hex (secret until the draw ran: readers hide it while it is open).
// Status numbers: 0 open, 1 drawn; outcome 0 offered, 1 waitlisted.
constexpr std::string_view kDraws = R"sql(
CREATE TABLE draws (
  id TEXT PRIMARY KEY NOT NULL,
  item_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  units INTEGER NOT NULL CHECK (units > 0),
  closes_at_ms INTEGER NOT NULL,
  offer_ttl_seconds INTEGER NOT NULL CHECK (offer_ttl_seconds > 0),
  status INTEGER NOT NULL CHECK (status IN (0, 1)),
  seed TEXT NOT NULL,
  seed_hash TEXT NOT NULL,
  hold_id TEXT NOT NULL,
  entries INTEGER NOT NULL CHECK (entries >= 0),
  created_at_ms INTEGER NOT NULL,
  drawn_at_ms INTEGER
) STRICT;
CREATE INDEX draws_due ON draws (closes_at_ms) WHERE status = 0;
CREATE TABLE draw_entries (
  draw_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  number INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  rank INTEGER,
  outcome INTEGER CHECK (outcome IN (0, 1)),
  reservation_id TEXT,
  PRIMARY KEY (draw_id, user_id),
  UNIQUE (draw_id, number)
) STRICT, WITHOUT ROWID;
)sql";

// The block of the latest change of every record made before version 4,
// whose ids carry no record key.
Status IndexLegacyRecords(sqlite3* db) {
  auto upsert = Statement::Prepare(db, R"sql(
INSERT INTO legacy_records (id, block) VALUES (?1, ?2)
ON CONFLICT (id) DO UPDATE SET block = excluded.block
)sql");
  if (!upsert) return Fail(std::move(upsert.error()));
  std::int64_t after = 0;
  for (;;) {
    auto blocks = ReadJournal(db, after, 4096);
    if (!blocks) return Fail(std::move(blocks.error()));
    if (blocks->empty()) return {};
    for (const JournalBlock& block : *blocks) {
      auto changes = journal::DecodeBlock(block.body, block.first_seq, block.count, block.at_ms);
      if (!changes) return Fail(std::move(changes.error()));
      for (const Change& change : *changes) {
        const journal::DataKind kind = journal::DataKindOf(change.type);
        if (kind == journal::DataKind::kItem || kind == journal::DataKind::kEvent) continue;
        // (Journals of schema 3 hold no waiting-list or draw changes.)
        if (auto done = upsert->Exec("Indexing the records of the journal",
                                     RecordIdOf(change.data), block.first_seq);
            !done) {
          return done;
        }
      }
      after = block.first_seq + block.count - 1;
    }
  }
}

constexpr std::array<Migration, 8> kMigrations{{
    {1, "initial schema", kInitialSchema},
    {2, "accounts, transfers, events and seats", kMoneyAndSeats},
    {3, "the journal", kJournal, ImportLegacyJournal},
    {4, "state in memory, records in the journal", kStateInMemory, IndexLegacyRecords},
    {5, "the journal indexed by term for lists and history", kTermIndex},
    {6, "webhooks", kWebhooks},
    {7, "waiting lists", kWaitlists},
    {8, "draws", kDraws},
}};

Status ApplyOne(sqlite3* db, const Migration& migration, std::int64_t now_ms) {
  const std::string what = "Schema migration " + std::to_string(migration.version) + " (" +
                           std::string(migration.description) + ")";
  if (auto done = Exec(db, std::string(migration.sql).c_str(), what); !done) return done;
  if (migration.after != nullptr) {
    if (auto done = migration.after(db); !done) return done;
  }
  auto record = Statement::Prepare(
      db, "INSERT INTO schema_version (version, description, applied_at_ms) VALUES (?, ?, ?)");
  if (!record) return Fail(std::move(record.error()));
  return record->Exec("Recording " + what, migration.version, migration.description, now_ms);
}

// Inside the migration transaction: checks the stored version and applies
// what is missing.
Status MigrateLocked(sqlite3* db, std::span<const Migration> migrations, std::int64_t now_ms,
                     Progress* progress, std::vector<const Migration*>& applied) {
  if (auto done = Exec(db, kCreateVersionTable.data(), "Creating schema_version"); !done) {
    return done;
  }
  auto stored = StoredSchemaVersion(db);
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
                         [&] { return ApplyOne(db, migration, now_ms); });
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

Expected<int> StoredSchemaVersion(sqlite3* db) {
  auto exists = Statement::Prepare(
      db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!exists) return Fail(std::move(exists.error()));
  auto row = exists->Step("Looking for schema_version");
  if (!row) return Fail(std::move(row.error()));
  if (exists->Int(0) == 0) return 0;
  auto max = Statement::Prepare(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  if (!max) return Fail(std::move(max.error()));
  row = max->Step("Reading the schema version");
  if (!row) return Fail(std::move(row.error()));
  return static_cast<int>(max->Int(0));
}

Status ApplyMigrations(sqlite3* db, std::span<const Migration> migrations, std::int64_t now_ms,
                       Progress* progress) {
  if (auto begun = Exec(db, "BEGIN IMMEDIATE", "Starting the schema migration"); !begun) {
    return begun;
  }
  std::vector<const Migration*> applied;
  if (auto done = MigrateLocked(db, migrations, now_ms, progress, applied); !done) {
    Exec(db, "ROLLBACK", "Rolling back the schema migration");
    return done;
  }
  if (auto committed = Exec(db, "COMMIT", "Committing the schema migration"); !committed) {
    Exec(db, "ROLLBACK", "Rolling back the schema migration");
    return committed;
  }
  // Logged only now: a migration is applied once its transaction committed.
  for (const Migration* migration : applied) {
    log::Info("migration applied", {{"store", "sqlite"},
                                    {"version", migration->version},
                                    {"description", migration->description}});
  }
  return {};
}

}  // namespace allot::sqlite

namespace allot {

int SqliteSchemaVersion() { return sqlite::Migrations().back().version; }

}  // namespace allot
