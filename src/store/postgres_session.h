// One PostgreSQL connection that comes back after it is lost or after its
// server stops being the primary (failover): the statements it needs are
// prepared on every (re)connect, and failed connect attempts back off
// exponentially (up to a bound) so that a database that is down is not
// hammered and callers fail fast in between.
//
// Every statement a session prepares is a lookup by key or key range, and
// sessions keep them planned (generic plans, cached per connection). A plan
// cached while a table was nearly empty (a new database) would otherwise
// keep a sequential scan until the next ANALYZE: measured, the lock phase's
// look-up of due holds then read all 70,000 rows of `holds` in every batch
// ten seconds into a load. So sessions turn enable_seqscan off: the planner
// takes an index whenever one applies, whatever the table's size when it
// planned (a table without a usable index, like the one-row journal_head,
// is still scanned).
//
// Not thread-safe: owned by one user at a time (the writer, or one lease of
// the reader pool).
#ifndef ALLOT_STORE_POSTGRES_SESSION_H_
#define ALLOT_STORE_POSTGRES_SESSION_H_

#include <libpq-fe.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "allot/error.h"
#include "store/postgres_connection.h"

namespace allot::pg {

// A statement prepared on every connection of a session: {name, sql}.
using StatementSpecs = std::vector<std::pair<std::string, std::string>>;

struct SessionOptions {
  std::string conninfo;
  int connect_timeout_seconds = 5;
  int initial_backoff_ms = 50;
  int max_backoff_ms = 500;
};

class Session {
 public:
  Session(SessionOptions options, StatementSpecs statements);

  // Succeeds with a usable connection: the current one, or a new one. While
  // backing off after a failed attempt it fails at once (kUnavailable).
  Status Ensure();
  // Drops the connection if it can no longer serve (call after a failure):
  // lost, in an unknown protocol state, on a server that is read-only now
  // (demoted, fenced), or `failure` carries a SQLSTATE that says this is not
  // the primary (IsWrongServerState). The next Ensure() then reconnects at
  // once, to whichever host of a multi-host conninfo is the primary now.
  void CheckHealth(const Error* failure = nullptr);
  // Closes the connection; the next Ensure() reconnects at once.
  void Drop() { conn_.reset(); }

  PGconn* get() const { return conn_.get(); }
  bool connected() const { return conn_ != nullptr; }
  // The server process serving this connection (0 when not connected).
  int backend_pid() const { return conn_ ? PQbackendPID(conn_.get()) : 0; }

 private:
  Status ConnectNow();

  SessionOptions options_;
  StatementSpecs statements_;
  Connection conn_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_SESSION_H_
