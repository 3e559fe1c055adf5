// The audit's snapshot of a PostgreSQL database: one REPEATABLE READ READ
// ONLY transaction (every query sees the same committed state; it takes no
// lock that a writer waits for), each query read through a cursor in
// slices of kFetchRows so memory does not grow with the table.
#include <utility>

#include "allot/postgres_store.h"
#include "audit/audit_source.h"
#include "store/postgres_journal.h"
#include "store/postgres_connection.h"
#include "store/postgres_schema.h"

namespace allot::audit {
namespace {

constexpr int kConnectTimeoutSeconds = 5;
constexpr int kFetchRows = 10'000;

class PostgresRow final : public Row {
 public:
  PostgresRow(const pg::Result& result, int row) : result_(result), row_(row) {}
  std::string Text(int column) const override { return result_.Text(row_, column); }
  std::int64_t Int(int column) const override { return result_.Int(row_, column); }
  bool IsNull(int column) const override { return result_.IsNull(row_, column); }
  Expected<std::string> Bytes(int column) const override {
    return pg::FromByteaHex(result_.View(row_, column));
  }

 private:
  const pg::Result& result_;
  int row_;
};

class PostgresSnapshot final : public Snapshot {
 public:
  explicit PostgresSnapshot(pg::Connection conn) : conn_(std::move(conn)) {}

  Status Begin() {
    if (auto begun = pg::Exec(conn_.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                              "Starting a read-only transaction");
        !begun) {
      return begun;
    }
    auto version = pg::StoredSchemaVersion(conn_.get());
    if (!version) return Fail(std::move(version.error()));
    if (*version == 0) {
      return Fail(Unavailable("The database is not an allot database (no schema_version)."));
    }
    if (*version != PostgresSchemaVersion()) {
      return Fail(Unavailable("The database has schema version " + std::to_string(*version) +
                              "; this build audits version " +
                              std::to_string(PostgresSchemaVersion()) +
                              " (an allot serve of this build migrates it)."));
    }
    return {};
  }

  bool keeps_record_tables() const override { return true; }

  Status ForEachRow(std::string_view sql, std::string_view what,
                    const RowHandler& on_row) override {
    PGconn* conn = conn_.get();
    if (auto declared =
            pg::Exec(conn, "DECLARE audit_rows NO SCROLL CURSOR FOR " + std::string(sql), what);
        !declared) {
      return declared;
    }
    const std::string fetch = "FETCH FORWARD " + std::to_string(kFetchRows) + " FROM audit_rows";
    for (;;) {
      auto slice = pg::Run(conn, fetch, pg::Params(), what, /*prepared=*/false);
      if (!slice) return Fail(std::move(slice.error()));
      for (int i = 0; i < slice->rows(); ++i) {
        if (auto handled = on_row(PostgresRow(*slice, i)); !handled) return handled;
      }
      if (slice->rows() < kFetchRows) break;
    }
    return pg::Exec(conn, "CLOSE audit_rows", what);
  }

  // Closing the connection would end the transaction too; COMMIT says so.
  Status End() override { return pg::Exec(conn_.get(), "COMMIT", "Ending the read transaction"); }

 private:
  pg::Connection conn_;
};

}  // namespace

Expected<std::unique_ptr<Snapshot>> OpenPostgresSnapshot(const std::string& conninfo) {
  auto conn = pg::Connect(conninfo, kConnectTimeoutSeconds);
  if (!conn) return Fail(std::move(conn.error()));
  auto snapshot = std::make_unique<PostgresSnapshot>(std::move(*conn));
  if (auto begun = snapshot->Begin(); !begun) return Fail(std::move(begun.error()));
  return snapshot;
}

}  // namespace allot::audit
