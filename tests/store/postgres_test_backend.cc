#include "postgres_test_backend.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <utility>

#include "store/postgres_journal.h"

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

std::vector<Change> PostgresTestBackend::ReadJournal() {
  if (cluster_ == nullptr) return {};
  PGconn* conn = PQconnectdb(cluster_->Url(dbname_).c_str());
  auto blocks = pg::ReadJournal(conn, 0, 1'000'000);
  PQfinish(conn);
  EXPECT_TRUE(blocks.has_value()) << blocks.error().message;
  return DecodeJournal(blocks.value_or(std::vector<JournalBlock>{}));
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
