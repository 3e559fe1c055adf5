// The audit's snapshot of a SQLite file: a read-only connection (so a
// missing file is an error, not a new empty database) and one read
// transaction. In WAL mode the writer carries on beside it.
#include <utility>

#include "allot/sqlite_store.h"
#include "audit/audit_source.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_schema.h"

namespace allot::audit {
namespace {

constexpr int kBusyTimeoutMs = 5000;

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(const sqlite::Statement& statement) : statement_(statement) {}
  std::string Text(int column) const override { return statement_.Text(column); }
  std::int64_t Int(int column) const override { return statement_.Int(column); }
  bool IsNull(int column) const override { return statement_.IsNull(column); }
  Expected<std::string> Bytes(int column) const override { return statement_.Blob(column); }

 private:
  const sqlite::Statement& statement_;
};

class SqliteSnapshot final : public Snapshot {
 public:
  explicit SqliteSnapshot(sqlite::Connection db) : db_(std::move(db)) {}
  ~SqliteSnapshot() override {
    if (open_) sqlite::Exec(db_.get(), "ROLLBACK", "Ending the audit's read transaction");
  }

  // BEGIN, and the schema version read inside it (which starts the
  // snapshot: a deferred transaction takes it at its first read).
  Status Begin(const std::string& path) {
    if (auto begun = sqlite::Exec(db_.get(), "BEGIN", "Starting a read transaction"); !begun) {
      return begun;
    }
    open_ = true;
    auto version = sqlite::StoredSchemaVersion(db_.get());
    if (!version) return Fail(std::move(version.error()));
    if (*version == 0) {
      return Fail(Unavailable("'" + path + "' is not an allot database (no schema_version)."));
    }
    if (*version != SqliteSchemaVersion()) {
      return Fail(Unavailable("'" + path + "' has schema version " + std::to_string(*version) +
                              "; this build audits version " +
                              std::to_string(SqliteSchemaVersion()) +
                              " (an allot serve of this build migrates it)."));
    }
    return {};
  }

  bool keeps_record_tables() const override { return false; }

  Status ForEachRow(std::string_view sql, std::string_view what,
                    const RowHandler& on_row) override {
    auto statement = sqlite::Statement::Prepare(db_.get(), sql);
    if (!statement) return Fail(std::move(statement.error()));
    const SqliteRow row(*statement);
    for (;;) {
      auto stepped = statement->Step(what);
      if (!stepped) return Fail(std::move(stepped.error()));
      if (!*stepped) return {};
      if (auto handled = on_row(row); !handled) return handled;
    }
  }

  Status End() override {
    open_ = false;
    return sqlite::Exec(db_.get(), "COMMIT", "Ending the read transaction");
  }

 private:
  sqlite::Connection db_;
  bool open_ = false;
};

}  // namespace

Expected<std::unique_ptr<Snapshot>> OpenSqliteSnapshot(const std::string& path) {
  auto db = sqlite::OpenConnection(path, SQLITE_OPEN_READONLY, kBusyTimeoutMs);
  if (!db) return Fail(std::move(db.error()));
  auto snapshot = std::make_unique<SqliteSnapshot>(std::move(*db));
  if (auto begun = snapshot->Begin(path); !begun) return Fail(std::move(begun.error()));
  return snapshot;
}

}  // namespace allot::audit
