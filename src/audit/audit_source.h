// Reading a database's records into an Auditor from one consistent snapshot,
// without changing anything: no file is created, no migration runs, no row
// is locked for writing.
//
//   SQLite:     a read-only connection, one read transaction (WAL: writers
//               carry on beside it; it only holds back checkpoints).
//   PostgreSQL: one REPEATABLE READ READ ONLY transaction; large tables are
//               read through a cursor in slices, so memory does not grow
//               with the ledger.
//
// Errors are kUnavailable: the database cannot be opened or read, or is not
// an allot database of the schema version this build knows.
#ifndef ALLOT_AUDIT_AUDIT_SOURCE_H_
#define ALLOT_AUDIT_AUDIT_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allot/error.h"
#include "audit/audit.h"
#include "core/progress.h"

namespace allot::audit {

// One row of a query result; columns are 0-based.
class Row {
 public:
  virtual ~Row() = default;
  virtual std::string Text(int column) const = 0;
  virtual std::int64_t Int(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
  // A BLOB (bytea) column's bytes; kUnavailable if they cannot be read.
  virtual Expected<std::string> Bytes(int column) const = 0;
  std::optional<std::int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
};

using RowHandler = std::function<Status(const Row&)>;

// A read-only transaction over one snapshot of a database. Not thread-safe.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Which store wrote it: PostgreSQL keeps records in tables beside the
  // journal (checked against it); SQLite keeps them only in the journal,
  // found through heads (checked too).
  virtual bool keeps_record_tables() const = 0;
  // Runs one SELECT and calls on_row for every row in order; stops at the
  // first failure (its own or on_row's).
  virtual Status ForEachRow(std::string_view sql, std::string_view what,
                            const RowHandler& on_row) = 0;
  // Ends the read transaction.
  virtual Status End() = 0;
};

// A snapshot of the SQLite file at `path` (which must exist).
Expected<std::unique_ptr<Snapshot>> OpenSqliteSnapshot(const std::string& path);
// A snapshot of the PostgreSQL database at `conninfo` (a libpq URL).
Expected<std::unique_ptr<Snapshot>> OpenPostgresSnapshot(const std::string& conninfo);
// The one `db` names: a postgres:// URL, else a SQLite file path.
Expected<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& db);

// Feeds every stored record of the snapshot to the auditor, items first.
Status ReadRecords(Snapshot& snapshot, Auditor& auditor);

// OpenSnapshot, ReadRecords, End, and the auditor's report; rows read are
// reported to `progress` when one is given.
Expected<AuditReport> AuditDatabase(const std::string& db, Progress* progress = nullptr);

}  // namespace allot::audit

#endif  // ALLOT_AUDIT_AUDIT_SOURCE_H_
