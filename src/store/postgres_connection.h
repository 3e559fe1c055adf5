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
// string; connect_timeout_seconds bounds the attempt.
Expected<Connection> Connect(const std::string& conninfo, int connect_timeout_seconds);

// False once the connection is lost or left in an unknown protocol state;
// its owner must then open a new one.
inline bool Usable(PGconn* conn) {
  return conn != nullptr && PQstatus(conn) == CONNECTION_OK &&
         PQpipelineStatus(conn) == PQ_PIPELINE_OFF;
}

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
