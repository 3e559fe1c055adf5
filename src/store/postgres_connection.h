// Thin RAII wrappers over libpq used by the PostgreSQL store: an owned
// connection, an owned result with typed accessors, text-format parameters,
// and the translation of PostgreSQL failures into Error values (always
// kUnavailable; marked retryable for SQLSTATEs that a fresh attempt of the
// whole transaction can get past, see allot/store.h).
//
// Not thread-safe: a connection is used by one thread at a time; the owners
// (writer, reader pool) serialise access.
#ifndef ALLOT_STORE_POSTGRES_CONNECTION_H_
#define ALLOT_STORE_POSTGRES_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/store.h"

namespace allot::pg {

struct ConnectionCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;

struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

// Opens a blocking connection. `conninfo` is a libpq URL or key=value
// string, with one host or several ("postgres://h1:p1,h2:p2/db?
// target_session_attrs=read-write": libpq tries them in order and keeps the
// first that fits); connect_timeout_seconds bounds the attempt per host.
// Only a server that takes writes is kept (target_session_attrs=read-write
// unless `conninfo` says otherwise). TCP keepalives and a TCP user timeout
// are on unless `conninfo` says otherwise, so a host that vanishes (power, network) fails the
// connection in seconds instead of leaving a COMMIT waiting for the kernel's retransmissions (about
// 15 minutes).
Expected<Connection> Connect(const std::string& conninfo, int connect_timeout_seconds);

// False once the connection is lost or left in an unknown protocol state;
// its owner must then open a new one.
inline bool Usable(PGconn* conn) {
  return conn != nullptr && PQstatus(conn) == CONNECTION_OK &&
         PQpipelineStatus(conn) == PQ_PIPELINE_OFF;
}

// True when the server says it takes no writes now: a hot standby (it was
// demoted, or a multi-host URL without target_session_attrs=read-write
// reached one), or default_transaction_read_only turned on (a primary fenced
// by a failover manager). Read from what the server reports with every
// answer (PostgreSQL 14 and later), so it costs no round trip.
bool ServerIsReadOnly(PGconn* conn);

// SQLSTATEs that say this server is not (or no longer) the primary to
// write to, while the connection itself may still be open: a read-only
// transaction (25006: a standby or a fenced primary), the server shutting
// down or in recovery (57P01..57P03), a connection exception (08xxx). The
// session must then be dropped, so the next attempt looks for the primary
// among the hosts of the connection string.
bool IsWrongServerState(std::string_view sqlstate);

// SQLSTATEs after which the whole transaction may simply be tried again:
// serialization failure, deadlock, lock timeout, unique violation (another
// process inserted the same key first; the retry reads it).
bool IsRetryableState(std::string_view sqlstate);

// kUnavailable "<what> failed: <server message> (<detail>)". A constraint
// violation names the offending row's first column ("row 'id'"). Retryable
// SQLSTATEs carry the retryable detail.
Error ErrorOf(const PGresult* result, PGconn* conn, std::string_view what);

// A query result. Values are read in text format.
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* result) : result_(result) {}

  PGresult* get() const { return result_.get(); }
  explicit operator bool() const { return result_ != nullptr; }
  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view View(int row, int column) const;
  std::string Text(int row, int column) const { return std::string(View(row, column)); }
  std::int64_t Int(int row, int column) const;
  std::optional<std::string> OptionalText(int row, int column) const;
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t Affected() const;

 private:
  std::unique_ptr<PGresult, ResultClearer> result_;
};

// Parameters of one statement, in text format; an empty optional is NULL.
class Params {
 public:
  Params& Add(std::string_view text);
  Params& Add(const std::string& text) { return Add(std::string_view(text)); }
  Params& Add(const char* text) { return Add(std::string_view(text)); }
  Params& Add(std::int64_t value);
  Params& Add(const std::optional<std::string>& text);
  Params& Add(const std::optional<std::int64_t>& value);
  Params& AddNull();

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for libpq; valid while this object lives and is not changed.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// A command that returns no rows of interest (simple protocol, may hold
// several statements).
Status Exec(PGconn* conn, const std::string& sql, std::string_view what);

// One statement, extended protocol, waiting for its result. `statement` is
// the name of a statement prepared on `conn`, or SQL text if !prepared.
Expected<Result> Run(PGconn* conn, std::string_view statement, const Params& params,
                     std::string_view what, bool prepared = true);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_CONNECTION_H_
