#include "sqlite_test_backend.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <utility>

#include "store/sqlite_schema.h"

namespace allot::store_test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "allot-store-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

SqliteTestBackend::SqliteTestBackend(SqliteOptions options) : options_(std::move(options)) {
  options_.path = (dir_.path() / "allot.db").string();
}

Expected<StoreHandles> SqliteTestBackend::Open() {
  auto db = OpenSqlite(options_);
  if (!db) return Fail(std::move(db.error()));
  return StoreHandles{std::move(db->writer), std::move(db->reader)};
}

sqlite::Connection SqliteTestBackend::Inspect() const {
  auto db = sqlite::OpenConnection(options_.path, SQLITE_OPEN_READWRITE, 1000);
  EXPECT_TRUE(db.has_value()) << db.error().message;
  return db ? std::move(*db) : nullptr;
}

std::vector<LedgerEntry> SqliteTestBackend::ReadLedger() {
  sqlite::Connection db = Inspect();
  auto query = sqlite::Statement::Prepare(db.get(), R"sql(
      SELECT at_ms, item_id, kind, on_hand_delta, held_delta, sold_delta, reason,
             reservation_id, order_id
      FROM ledger ORDER BY seq)sql");
  EXPECT_TRUE(query.has_value()) << query.error().message;
  std::vector<LedgerEntry> entries;
  while (query && query->Step("reading the ledger").value_or(false)) {
    entries.push_back({query->Int(0), query->Text(1),
                       ParseLedgerKind(query->Text(2)).value_or(LedgerKind::kAdjust), query->Int(3),
                       query->Int(4), query->Int(5), query->Text(6), query->OptionalText(7),
                       query->OptionalText(8)});
  }
  return entries;
}

std::vector<LedgerEntry> SqliteTestBackend::ReadTransferLedger() {
  sqlite::Connection db = Inspect();
  auto query = sqlite::Statement::Prepare(db.get(), R"sql(
      SELECT at_ms, item_id, kind, balance_delta, held_delta, reason, transfer_id
      FROM transfer_ledger ORDER BY seq)sql");
  EXPECT_TRUE(query.has_value()) << query.error().message;
  std::vector<LedgerEntry> entries;
  while (query && query->Step("reading the transfer ledger").value_or(false)) {
    entries.push_back(
        LedgerEntry{.at_ms = query->Int(0),
                    .item_id = query->Text(1),
                    .kind = ParseLedgerKind(query->Text(2)).value_or(LedgerKind::kAdjust),
                    .on_hand_delta = query->Int(3),
                    .held_delta = query->Int(4),
                    .reason = query->Text(5),
                    .transfer_id = query->Text(6)});
  }
  return entries;
}

int SqliteTestBackend::StoredSchemaVersion() {
  sqlite::Connection db = Inspect();
  auto version = sqlite::StoredSchemaVersion(db.get());
  EXPECT_TRUE(version.has_value()) << version.error().message;
  return version.value_or(-1);
}

StoreFactory SqliteStoreFactory() {
  return {"Sqlite", [] { return std::make_unique<SqliteTestBackend>(); }};
}

}  // namespace allot::store_test
