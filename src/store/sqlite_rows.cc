#include "store/sqlite_rows.h"

#include <string>
#include <utility>
#include <vector>

#include "journal/record_key.h"

namespace allot::sqlite {
namespace {

constexpr std::string_view kUpsertItem = R"sql(
INSERT INTO items (id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting,
                   tickets)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, on_hand = excluded.on_hand,
  held = excluded.held, sold = excluded.sold, max_per_user = excluded.max_per_user,
  created_on_hand = excluded.created_on_hand, waiting = excluded.waiting,
  tickets = excluded.tickets
)sql";
constexpr std::string_view kUpsertUsage = R"sql(
INSERT INTO user_usage (user_id, item_id, held, bought) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (user_id, item_id) DO UPDATE SET held = excluded.held, bought = excluded.bought
)sql";
constexpr std::string_view kInsertEvent =
    "INSERT INTO events (id, name, seat_count, seats_digest) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kInsertIdempotency = R"sql(
INSERT INTO idempotency_keys (principal, key, fingerprint, status, body, created_at_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
)sql";
constexpr std::string_view kPurgeIdempotency =
    "DELETE FROM idempotency_keys WHERE created_at_ms < ?1";
constexpr std::string_view kUpsertHead = R"sql(
INSERT INTO record_heads (record, block) VALUES (?1, ?2)
ON CONFLICT (record) DO UPDATE SET block = excluded.block
)sql";
constexpr std::string_view kUpsertLegacyHead = R"sql(
INSERT INTO legacy_records (id, block) VALUES (?1, ?2)
ON CONFLICT (id) DO UPDATE SET block = excluded.block
)sql";
constexpr std::string_view kLiveFrom = "UPDATE journal_state SET live_from = ?1";

// Prefixes a failure with the record it was about.
Status About(Status status, std::string_view what, std::string_view id) {
  if (status) return status;
  Error error = std::move(status.error());
  error.message = "Writing " + std::string(what) + " '" + std::string(id) + "': " + error.message;
  return Fail(std::move(error));
}

}  // namespace

Expected<RowWriter> RowWriter::Prepare(sqlite3* db) {
  RowWriter writer;
  const std::pair<Statement*, std::string_view> statements[] = {
      {&writer.upsert_item_, kUpsertItem},
      {&writer.upsert_usage_, kUpsertUsage},
      {&writer.insert_event_, kInsertEvent},
      {&writer.insert_idempotency_, kInsertIdempotency},
      {&writer.purge_idempotency_, kPurgeIdempotency},
      {&writer.upsert_head_, kUpsertHead},
      {&writer.upsert_legacy_head_, kUpsertLegacyHead},
      {&writer.live_from_, kLiveFrom},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(db, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  return writer;
}

Status RowWriter::Write(const BatchWrites& writes) {
  for (const Item& item : writes.items) {
    Status done = upsert_item_.Exec("upsert", item.id, item.name, item.on_hand, item.held,
                                    item.sold, item.max_per_user, item.created_on_hand,
                                    item.waiting, item.tickets);
    if (!done) return About(std::move(done), "item", item.id);
  }
  for (const UserUsage& u : writes.usage) {
    Status done = upsert_usage_.Exec("upsert", u.user_id, u.item_id, u.held, u.bought);
    if (!done) return About(std::move(done), "usage", u.user_id + "/" + u.item_id);
  }
  for (const Event& e : writes.new_events) {
    Status done = insert_event_.Exec("insert", e.id, e.name, e.seat_count, e.seats_digest);
    if (!done) return About(std::move(done), "event", e.id);
  }
  for (const IdempotencyRecord& r : writes.idempotency) {
    Status done = insert_idempotency_.Exec("insert", r.principal, r.key, r.fingerprint, r.status,
                                           r.body, r.created_at_ms);
    if (!done) return About(std::move(done), "idempotency record", r.key);
  }
  if (writes.purge_idempotency_before_ms > 0) {
    Status done = purge_idempotency_.Exec("delete", writes.purge_idempotency_before_ms);
    if (!done) return About(std::move(done), "idempotency purge before",
                            std::to_string(writes.purge_idempotency_before_ms));
  }
  return {};
}

Status RowWriter::WriteHeads(const std::vector<JournalBlock>& blocks) {
  for (const JournalBlock& block : blocks) {
    for (const std::string& id : block.records) {
      Status done;
      if (auto key = journal::KeyOfId(id)) {
        if (journal::BlockOfKey(*key) == block.first_seq) continue;  // still where it was made
        done = upsert_head_.Exec("upsert", *key, block.first_seq);
      } else {
        done = upsert_legacy_head_.Exec("upsert", id, block.first_seq);
      }
      if (!done) return About(std::move(done), "the head of record", id);
    }
  }
  return {};
}

Status RowWriter::WriteLiveFrom(std::int64_t block) {
  return About(live_from_.Exec("update", block), "the replay start", std::to_string(block));
}

}  // namespace allot::sqlite
