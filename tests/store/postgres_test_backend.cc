#include "postgres_test_backend.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <utility>

namespace allot::store_test {

PostgresTestBackend::PostgresTestBackend()
    : cluster_(testing::SharedPgCluster()), dbname_(cluster_ ? cluster_->NewDatabase() : "") {}

PostgresOptions PostgresTestBackend::options() const {
  PostgresOptions options;
  options.conninfo = cluster_ != nullptr ? cluster_->Url(dbname_) : "";
  options.reader_connections = 4;
  options.initial_backoff_ms = 20;
  options.max_backoff_ms = 200;
  return options;
}

Expected<StoreHandles> PostgresTestBackend::Open() {
  if (cluster_ == nullptr) return Fail(Unavailable("no PostgreSQL cluster"));
  auto db = OpenPostgres(options());
  if (!db) return Fail(std::move(db.error()));
  return StoreHandles{std::move(db->writer), std::move(db->reader)};
}

std::vector<LedgerEntry> PostgresTestBackend::ReadLedger() {
  std::vector<LedgerEntry> entries;
  if (cluster_ == nullptr) return entries;
  PGconn* conn = PQconnectdb(cluster_->Url(dbname_).c_str());
  PGresult* result = PQexec(conn, R"sql(
      SELECT at_ms, item_id, kind, on_hand_delta, held_delta, sold_delta, reason,
             reservation_id, order_id
      FROM ledger ORDER BY seq)sql");
  EXPECT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << PQerrorMessage(conn);
  auto text = [&](int row, int col) { return std::string(PQgetvalue(result, row, col)); };
  auto optional = [&](int row, int col) -> std::optional<std::string> {
    if (PQgetisnull(result, row, col)) return std::nullopt;
    return text(row, col);
  };
  for (int row = 0; row < PQntuples(result); ++row) {
    entries.push_back({std::stoll(text(row, 0)), text(row, 1),
                       ParseLedgerKind(text(row, 2)).value_or(LedgerKind::kAdjust),
                       std::stoll(text(row, 3)), std::stoll(text(row, 4)), std::stoll(text(row, 5)),
                       text(row, 6), optional(row, 7), optional(row, 8)});
  }
  PQclear(result);
  PQfinish(conn);
  return entries;
}

std::vector<LedgerEntry> PostgresTestBackend::ReadTransferLedger() {
  std::vector<LedgerEntry> entries;
  if (cluster_ == nullptr) return entries;
  PGconn* conn = PQconnectdb(cluster_->Url(dbname_).c_str());
  PGresult* result = PQexec(conn, R"sql(
      SELECT at_ms, item_id, kind, balance_delta, held_delta, reason, transfer_id
      FROM transfer_ledger ORDER BY seq)sql");
  EXPECT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << PQerrorMessage(conn);
  auto text = [&](int row, int col) { return std::string(PQgetvalue(result, row, col)); };
  for (int row = 0; row < PQntuples(result); ++row) {
    entries.push_back(
        LedgerEntry{.at_ms = std::stoll(text(row, 0)),
                    .item_id = text(row, 1),
                    .kind = ParseLedgerKind(text(row, 2)).value_or(LedgerKind::kAdjust),
                    .on_hand_delta = std::stoll(text(row, 3)),
                    .held_delta = std::stoll(text(row, 4)),
                    .reason = text(row, 5),
                    .transfer_id = text(row, 6)});
  }
  PQclear(result);
  PQfinish(conn);
  return entries;
}

int PostgresTestBackend::StoredSchemaVersion() {
  if (cluster_ == nullptr) return -1;
  std::string error;
  auto version = cluster_->Query(dbname_, "SELECT max(version) FROM schema_version", &error);
  EXPECT_TRUE(version.has_value()) << error;
  return version ? std::stoi(*version) : -1;
}

StoreFactory PostgresStoreFactory() {
  return {"Postgres", [] { return std::make_unique<PostgresTestBackend>(); }};
}

}  // namespace allot::store_test
