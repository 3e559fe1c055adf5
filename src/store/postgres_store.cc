// OpenPostgres: migrates the schema on a short-lived connection, then opens
// the writer and the reader pool.
#include "allot/postgres_store.h"

#include <iostream>
#include <string>
#include <utility>

#include "core/progress.h"
#include "store/postgres_connection.h"
#include "store/postgres_reader.h"
#include "store/postgres_replication.h"
#include "store/postgres_schema.h"
#include "store/postgres_writer.h"

namespace allot {
namespace {

// A bound on the pool so a typo cannot exhaust the server's connections.
constexpr int kMaxReaderConnections = 64;

Status CheckOptions(const PostgresOptions& options) {
  if (options.conninfo.empty()) return Fail(Unavailable("The PostgreSQL conninfo is empty."));
  if (options.reader_connections < 1 || options.reader_connections > kMaxReaderConnections) {
    return Fail(Unavailable("reader_connections must be between 1 and " +
                            std::to_string(kMaxReaderConnections) + ", not " +
                            std::to_string(options.reader_connections) + "."));
  }
  if (options.connect_timeout_seconds < 1 || options.initial_backoff_ms < 1 ||
      options.max_backoff_ms < options.initial_backoff_ms) {
    return Fail(
        Unavailable("connect_timeout_seconds and initial_backoff_ms must be positive "
                    "and max_backoff_ms at least initial_backoff_ms."));
  }
  return {};
}

}  // namespace

bool IsPostgresUrl(std::string_view text) {
  return text.starts_with("postgres://") || text.starts_with("postgresql://");
}

Expected<PostgresDatabase> OpenPostgres(const PostgresOptions& options) {
  if (auto valid = CheckOptions(options); !valid) return Fail(std::move(valid.error()));
  ReplicationState replication;
  {
    auto conn = pg::Connect(options.conninfo, options.connect_timeout_seconds);
    if (!conn) return Fail(std::move(conn.error()));
    Progress progress("allot: migrating the PostgreSQL schema", "migrations", std::cerr,
                      {.is_terminal = options.progress_on_stderr});
    if (auto migrated = pg::ApplyMigrations(conn->get(), pg::Migrations(), &progress);
        !migrated) {
      return Fail(std::move(migrated.error()));
    }
    progress.Finish();
    auto state = pg::ReadReplicationState(conn->get());
    if (!state) return Fail(std::move(state.error()));
    replication = std::move(*state);
  }
  auto writer = pg::PostgresWriter::Open(options);
  if (!writer) return Fail(std::move(writer.error()));
  auto reader = pg::PostgresReader::Open(options);
  if (!reader) return Fail(std::move(reader.error()));
  return PostgresDatabase{std::move(*writer), std::move(*reader), std::move(replication)};
}

}  // namespace allot
