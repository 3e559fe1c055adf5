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
  // string ("host=... dbname=...").
  std::string conninfo;
  int reader_connections = 4;  // size of the StoreReader's connection pool
  int connect_timeout_seconds = 5;
  // After a failed connect attempt, the next one waits this long, doubling
  // up to max_backoff_ms; calls in between fail at once (kUnavailable).
  int initial_backoff_ms = 50;
  int max_backoff_ms = 2'000;
};

struct PostgresDatabase {
  // Not thread-safe (the sequencer's). Its errors are kUnavailable; those
  // marked IsRetryable() were rolled back and may be re-run.
  std::unique_ptr<Store> writer;
  // Thread-safe; Ping() fails while the database cannot be reached.
  std::unique_ptr<StoreReader> reader;
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
