#include "store/sqlite_journal.h"

#include <utility>

#include "core/log.h"
#include "journal/blocks.h"
#include "journal/legacy_import.h"
#include "store/sqlite_records.h"

namespace allot::sqlite {
namespace {

constexpr std::size_t kImportChangesPerBlock = 64;

// Runs `sql` and calls on_row for each row.
template <typename OnRow>
Status ForEachRow(sqlite3* db, std::string_view sql, std::string_view what, OnRow on_row) {
  auto query = Statement::Prepare(db, sql);
  if (!query) return Fail(std::move(query.error()));
  for (;;) {
    auto row = query->Step(what);
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return {};
    if (auto done = on_row(*query); !done) return done;
  }
}

std::vector<std::string> Ids(sqlite3* db, std::string_view sql, Status& status) {
  std::vector<std::string> ids;
  status = ForEachRow(db, sql, "Listing records for the journal", [&](const Statement& row) {
    ids.push_back(row.Text(0));
    return Status{};
  });
  return ids;
}

Status ReadLegacy(sqlite3* db, journal::LegacyRecords& records) {
  Status status = ForEachRow(
      db, "SELECT " + std::string(kLegacyItemColumns) + " FROM items ORDER BY id",
      "Reading items for the journal", [&](const Statement& row) {
        records.items.push_back(ItemFromRow(row));
        return Status{};
      });
  if (!status) return status;
  auto queries = RecordQueries::Prepare(db);
  if (!queries) return Fail(std::move(queries.error()));
  for (const std::string& id : Ids(db, "SELECT id FROM reservations ORDER BY id", status)) {
    auto r = queries->LoadReservation(id);
    if (!r) return Fail(std::move(r.error()));
    if (*r) records.reservations.push_back(std::move(**r));
  }
  if (!status) return status;
  for (const std::string& id : Ids(db, "SELECT id FROM orders ORDER BY id", status)) {
    auto o = queries->LoadOrder(id);
    if (!o) return Fail(std::move(o.error()));
    if (*o) records.orders.push_back(std::move(**o));
  }
  if (!status) return status;
  for (const std::string& id : Ids(db, "SELECT id FROM transfers ORDER BY id", status)) {
    auto t = queries->LoadTransfer(id);
    if (!t) return Fail(std::move(t.error()));
    if (*t) records.transfers.push_back(std::move(**t));
  }
  if (!status) return status;
  for (const std::string& id : Ids(db, "SELECT id FROM events ORDER BY id", status)) {
    auto e = queries->LoadEvent(id);
    if (!e) return Fail(std::move(e.error()));
    if (*e) records.events.push_back(std::move(**e));
  }
  if (!status) return status;
  status = ForEachRow(db,
                      "SELECT seq, at_ms, item_id, kind, on_hand_delta, held_delta, sold_delta, "
                      "reason, reservation_id, order_id FROM ledger ORDER BY seq",
                      "Reading the ledger for the journal", [&](const Statement& row) {
                        records.item_ledger.push_back(journal::LegacyLedgerRow{
                            row.Int(0),
                            LedgerEntry{.at_ms = row.Int(1),
                                        .item_id = row.Text(2),
                                        .kind = ParseLedgerKind(row.Text(3))
                                                    .value_or(LedgerKind::kAdjust),
                                        .on_hand_delta = row.Int(4),
                                        .held_delta = row.Int(5),
                                        .sold_delta = row.Int(6),
                                        .reason = row.Text(7),
                                        .reservation_id = row.OptionalText(8),
                                        .order_id = row.OptionalText(9)}});
                        return Status{};
                      });
  if (!status) return status;
  return ForEachRow(db,
                    "SELECT seq, at_ms, transfer_id, item_id, kind, balance_delta, held_delta, "
                    "reason FROM transfer_ledger ORDER BY seq",
                    "Reading the transfer ledger for the journal", [&](const Statement& row) {
                      records.transfer_ledger.push_back(journal::LegacyLedgerRow{
                          row.Int(0),
                          LedgerEntry{.at_ms = row.Int(1),
                                      .item_id = row.Text(3),
                                      .kind = ParseLedgerKind(row.Text(4))
                                                  .value_or(LedgerKind::kDebit),
                                      .on_hand_delta = row.Int(5),
                                      .held_delta = row.Int(6),
                                      .reason = row.Text(7),
                                      .transfer_id = row.Text(2)}});
                      return Status{};
                    });
}

}  // namespace

namespace {

constexpr std::string_view kBlocksAfter = R"sql(
SELECT seq, count, at_ms, body FROM journal
WHERE seq >= coalesce((SELECT max(seq) FROM journal WHERE seq <= ?1), 0)
ORDER BY seq LIMIT ?2
)sql";
constexpr std::string_view kHead =
    "SELECT seq + count - 1 FROM journal ORDER BY seq DESC LIMIT 1";

}  // namespace

Expected<JournalReader> JournalReader::Prepare(sqlite3* db) {
  JournalReader reader;
  auto blocks = Statement::Prepare(db, kBlocksAfter);
  if (!blocks) return Fail(std::move(blocks.error()));
  auto head = Statement::Prepare(db, kHead);
  if (!head) return Fail(std::move(head.error()));
  reader.blocks_ = std::move(*blocks);
  reader.head_ = std::move(*head);
  return reader;
}

Expected<std::vector<JournalBlock>> JournalReader::Blocks(std::int64_t after_seq,
                                                          std::int64_t limit) {
  ResetOnExit reset(blocks_);
  blocks_.BindAll(after_seq, limit);
  std::vector<JournalBlock> blocks;
  for (;;) {
    auto row = blocks_.Step("Reading the journal");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return blocks;
    JournalBlock block;
    block.first_seq = blocks_.Int(0);
    block.count = blocks_.Int(1);
    block.at_ms = blocks_.Int(2);
    if (block.first_seq + block.count - 1 <= after_seq) continue;
    block.body = blocks_.Blob(3);
    blocks.push_back(std::move(block));
  }
}

Expected<std::int64_t> JournalReader::Head() {
  ResetOnExit reset(head_);
  auto row = head_.Step("Reading the journal's head");
  if (!row) return Fail(std::move(row.error()));
  return *row ? head_.Int(0) : 0;
}

Expected<std::int64_t> JournalHead(sqlite3* db) {
  auto reader = JournalReader::Prepare(db);
  if (!reader) return Fail(std::move(reader.error()));
  return reader->Head();
}

Expected<std::vector<JournalBlock>> ReadJournal(sqlite3* db, std::int64_t after_seq,
                                                std::int64_t limit) {
  auto reader = JournalReader::Prepare(db);
  if (!reader) return Fail(std::move(reader.error()));
  return reader->Blocks(after_seq, limit);
}

Expected<JournalAppender> JournalAppender::Prepare(sqlite3* db) {
  JournalAppender appender;
  auto insert =
      Statement::Prepare(db, "INSERT INTO journal (seq, count, at_ms, body) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return Fail(std::move(insert.error()));
  appender.insert_ = std::move(*insert);
  return appender;
}

Expected<std::int64_t> JournalAppender::Append(const std::vector<JournalBlock>& blocks,
                                               std::int64_t head) {
  for (const JournalBlock& block : blocks) {
    const std::int64_t seq = head + 1;
    if (block.first_seq != 0 && block.first_seq != seq) {
      return Fail(Unavailable("A journal block was cut for seq " +
                              std::to_string(block.first_seq) + " but the journal is at " +
                              std::to_string(head) + "."));
    }
    insert_.BindAll(seq, block.count, block.at_ms);
    insert_.BindBlob(4, block.body);
    if (auto done = insert_.Run("Appending to the journal"); !done) return Fail(std::move(done.error()));
    head += block.count;
  }
  return head;
}

Status ImportLegacyJournal(sqlite3* db) {
  journal::LegacyRecords records;
  if (auto read = ReadLegacy(db, records); !read) return read;
  auto history = journal::ImportLegacy(records);
  if (!history) return Fail(std::move(history.error()));
  for (const std::string& item : history->drifted_items) {
    log::Warn("an item's stored counters differ from its ledger; the journal keeps the ledger's "
              "history and `allot audit` will report it",
              {{"item", item}});
  }
  auto appender = JournalAppender::Prepare(db);
  if (!appender) return Fail(std::move(appender.error()));
  auto head = appender->Append(journal::BlocksOf(history->changes, kImportChangesPerBlock), 0);
  if (!head) return Fail(std::move(head.error()));
  if (*head > 0) {
    log::Info("journal imported from the ledgers", {{"store", "sqlite"}, {"changes", *head}});
  }
  return {};
}

}  // namespace allot::sqlite
