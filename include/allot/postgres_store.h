// The PostgreSQL store: several allot processes share one database, each
// with its own sequencer, and nothing is oversold. Row locks carry
// correctness across processes: a batch locks every row it will touch up
// front in one global order (items, then reservations, then orders, each by
// ascending id), decides in memory, writes with set-based statements and
// commits; see docs/architecture.md.
//
// Time must come from one clock for all processes (holds expire by it):
// use PostgresClock for the engine and the reads.
#ifndef ALLOT_POSTGRES_STORE_H_
#define ALLOT_POSTGRES_STORE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "allot/clock.h"
#include "allot/error.h"
#include "allot/store.h"

namespace allot {

struct PostgresOptions {
  // A libpq connection URL ("postgres://user@host:5432/db") or key=value
  // string ("host=... dbname=..."). Several hosts
  // ("postgres://h1:5432,h2:5432/db?target_session_attrs=read-write") make
  // failover automatic: every (re)connect keeps the one that is the primary
  // now, and a connection whose server turned read-only is dropped.
  std::string conninfo;
  int reader_connections = 4;  // size of the StoreReader's connection pool
  int connect_timeout_seconds = 5;
  // After a failed connect attempt, the next one waits this long, doubling
  // up to max_backoff_ms; calls in between fail at once (kUnavailable).
  // The bound is also the longest a promoted standby waits for allot to
  // come back: an attempt costs a refused TCP connect or one round trip to
  // a standby, so a few a second per connection are cheap.
  int initial_backoff_ms = 50;
  int max_backoff_ms = 500;
  // Shows long schema migrations on stderr once past 2 s (SqliteOptions).
  bool progress_on_stderr = false;
};

// Whether an acknowledged commit survives losing the database server: it
// does only when a synchronous standby has it too. Read once at startup.
struct ReplicationState {
  std::string synchronous_standby_names;  // as configured; "" when none
  std::string synchronous_commit;         // on, remote_apply, remote_write, local, off
  int sync_standbys = 0;                  // standbys streaming in sync or quorum state now
  // Standbys whose state this role may not see (it lacks pg_read_all_stats).
  int hidden_standbys = 0;
};

// Why commits are not protected by a synchronous standby, in one sentence,
// or "" when they are.
std::string ReplicationWarning(const ReplicationState& state);

struct PostgresDatabase {
  // Not thread-safe (the sequencer's). Its errors are kUnavailable; those
  // marked IsRetryable() were rolled back and may be re-run. A COMMIT that
  // got no answer fails with kOutcomeUnknown.
  std::unique_ptr<Store> writer;
  // Thread-safe; Ping() fails while the database cannot be reached.
  std::unique_ptr<StoreReader> reader;
  // As found at open (for the startup warning).
  ReplicationState replication;
};

// Connects, applies pending schema migrations (safe when several processes
// start at once), and returns the writer and a reader pool.
Expected<PostgresDatabase> OpenPostgres(const PostgresOptions& options);

// The schema version this build creates and understands.
int PostgresSchemaVersion();

// True for "postgres://..." and "postgresql://..." (the --db values that
// select this store).
bool IsPostgresUrl(std::string_view text);

// The database server's clock, cheaply: clock_timestamp() is read at Start
// and then every `refresh` on a background thread; in between, NowMs() adds
// the local monotonic clock's progress to the last reading (half the round
// trip is credited to the network). NowMs() never goes backwards and never
// blocks. If a refresh fails the last offset is kept.
class PostgresClock final : public Clock {
 public:
  static Expected<std::unique_ptr<PostgresClock>> Start(
      const std::string& conninfo, std::chrono::milliseconds refresh = std::chrono::seconds(10));
  ~PostgresClock() override;  // stops the refresher
  PostgresClock(const PostgresClock&) = delete;
  PostgresClock& operator=(const PostgresClock&) = delete;

  std::int64_t NowMs() const override;

 private:
  class Refresher;
  PostgresClock();

  std::atomic<std::int64_t> offset_ms_{0};  // server epoch ms - local steady ms
  mutable std::atomic<std::int64_t> last_ms_{0};
  std::unique_ptr<Refresher> refresher_;
};

}  // namespace allot

#endif  // ALLOT_POSTGRES_STORE_H_
