#include "store/sqlite_writer.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace allot::sqlite {
namespace {

constexpr std::string_view kLoadUsage =
    "SELECT held, bought FROM user_usage WHERE user_id = ?1 AND item_id = ?2";
constexpr std::string_view kLoadIdempotency = R"sql(
SELECT fingerprint, status, body, created_at_ms FROM idempotency_keys
WHERE principal = ?1 AND key = ?2
)sql";
// SQLite's LIMIT is a signed 64-bit integer.
std::int64_t SqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

Expected<std::unique_ptr<SqliteWriter>> SqliteWriter::Create(Connection db) {
  std::unique_ptr<SqliteWriter> writer(new SqliteWriter());
  sqlite3* raw = db.get();
  writer->db_ = std::move(db);
  const std::string item_sql = "SELECT " + std::string(kItemColumns) + " FROM items WHERE id = ?1";
  const std::pair<Statement*, std::string_view> statements[] = {
      {&writer->begin_, "BEGIN IMMEDIATE"},   {&writer->commit_, "COMMIT"},
      {&writer->rollback_, "ROLLBACK"},       {&writer->load_item_, item_sql},
      {&writer->load_usage_, kLoadUsage},     {&writer->load_idempotency_, kLoadIdempotency},
      {&writer->due_on_item_, kDueOnItemSql}, {&writer->due_, kDueSql},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(raw, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  auto records = RecordQueries::Prepare(raw);
  if (!records) return Fail(std::move(records.error()));
  writer->records_ = std::move(*records);
  auto batch = BatchWriter::Prepare(raw);
  if (!batch) return Fail(std::move(batch.error()));
  writer->batch_ = std::move(*batch);
  auto journal = JournalAppender::Prepare(raw);
  if (!journal) return Fail(std::move(journal.error()));
  writer->journal_ = std::move(*journal);
  auto head = JournalHead(raw);
  if (!head) return Fail(std::move(head.error()));
  writer->head_ = writer->pending_head_ = *head;
  return writer;
}

Status SqliteWriter::Begin() {
  pending_head_ = head_;
  return begin_.Run("Beginning a batch");
}

Expected<std::optional<Item>> SqliteWriter::LoadItem(std::string_view id) {
  ResetOnExit reset(load_item_);
  load_item_.BindAll(id);
  auto row = load_item_.Step("Loading an item");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return ItemFromRow(load_item_);
}

Expected<std::optional<Reservation>> SqliteWriter::LoadReservation(std::string_view id) {
  return records_.LoadReservation(id);
}

Expected<std::optional<Order>> SqliteWriter::LoadOrder(std::string_view id) {
  return records_.LoadOrder(id);
}

Expected<std::optional<Transfer>> SqliteWriter::LoadTransfer(std::string_view id) {
  return records_.LoadTransfer(id);
}

Expected<std::optional<Event>> SqliteWriter::LoadEvent(std::string_view id) {
  return records_.LoadEvent(id);
}

Expected<std::optional<UserUsage>> SqliteWriter::LoadUsage(std::string_view user_id,
                                                           std::string_view item_id) {
  ResetOnExit reset(load_usage_);
  load_usage_.BindAll(user_id, item_id);
  auto row = load_usage_.Step("Loading usage");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return UserUsage{std::string(user_id), std::string(item_id), load_usage_.Int(0),
                   load_usage_.Int(1)};
}

Expected<std::optional<IdempotencyRecord>> SqliteWriter::LoadIdempotency(std::string_view principal,
                                                                         std::string_view key) {
  ResetOnExit reset(load_idempotency_);
  load_idempotency_.BindAll(principal, key);
  auto row = load_idempotency_.Step("Loading an idempotency record");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return IdempotencyRecord{std::string(principal),    std::string(key),
                           load_idempotency_.Text(0), static_cast<int>(load_idempotency_.Int(1)),
                           load_idempotency_.Text(2), load_idempotency_.Int(3)};
}

Expected<std::vector<std::string>> SqliteWriter::DueReservationsOnItem(std::string_view item_id,
                                                                       std::int64_t now_ms,
                                                                       std::size_t limit) {
  ResetOnExit reset(due_on_item_);
  due_on_item_.BindAll(item_id, now_ms, SqlLimit(limit));
  return Ids(due_on_item_, "Finding due reservations on an item");
}

Expected<std::vector<std::string>> SqliteWriter::DueReservations(std::int64_t now_ms,
                                                                 std::size_t limit) {
  ResetOnExit reset(due_);
  due_.BindAll(now_ms, SqlLimit(limit));
  return Ids(due_, "Finding due reservations");
}

// Collects the last column of every row of a bound query.
Expected<std::vector<std::string>> SqliteWriter::Ids(Statement& query, std::string_view what) {
  const int column = sqlite3_column_count(query.get()) - 1;
  std::vector<std::string> ids;
  for (;;) {
    auto row = query.Step(what);
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return ids;
    ids.push_back(query.Text(column));
  }
}

Status SqliteWriter::Write(const BatchWrites& writes) {
  if (!InTransaction()) return Fail(Unavailable("Write called outside a batch (no Begin)."));
  if (auto written = batch_.Write(writes); !written) return written;
  auto head = journal_.Append(writes.journal, pending_head_);
  if (!head) return Fail(std::move(head.error()));
  pending_head_ = *head;
  return {};
}

Status SqliteWriter::Commit() {
  if (!InTransaction()) return Fail(Unavailable("Commit called outside a batch (no Begin)."));
  if (auto committed = commit_.Run("Committing a batch"); !committed) return committed;
  head_ = pending_head_;
  return {};
}

void SqliteWriter::Rollback() {
  // SQLite may already have rolled back by itself (e.g. after an I/O error).
  if (InTransaction()) rollback_.Run("Rolling back a batch");
}

}  // namespace allot::sqlite
