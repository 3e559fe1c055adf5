// Webhook leases on PostgreSQL: session advisory locks on a connection used
// for nothing else, one lock per webhook delivered by this process
// (pg_try_advisory_lock(class, hashtext(id))).
//
// Failure modes, and why they are safe (at least once, in order):
// - The process dies (kill -9, OOM, crash): its sockets close, the server
//   ends the session at once and drops its locks; another process takes
//   each webhook at its next look (about a second) and resumes from the
//   durable cursor, so what the dead one delivered after its last report
//   is sent again (duplicates, never a gap).
// - The lock connection breaks or stops answering while the process lives
//   (network, server restart, failover): Check() pings it with a 3 s bound
//   every look; on failure this process stops every delivery at once (even
//   one in flight) and later reconnects and competes again. The server
//   side of the session has TCP keepalives of 10 s + 3 x 2 s, set below,
//   so a host that vanishes silently keeps its locks about 16 s: longer
//   than it takes this side (at most 1 s + 3 s) to stop. Only a process
//   that is frozen (SIGSTOP, a VM pause) for longer while a request is in
//   flight could overlap with the next deliverer: then a change may be
//   delivered twice, or once more out of order.
// - Two webhook ids whose hashes collide share a lock: one process then
//   delivers both, which is still exactly one per webhook.
// - Behind pgbouncer, only pool_mode = session keeps a session's locks.
#ifndef ALLOT_WEBHOOKS_POSTGRES_LEASES_H_
#define ALLOT_WEBHOOKS_POSTGRES_LEASES_H_

#include <chrono>
#include <set>
#include <string>

#include "store/postgres_connection.h"
#include "webhooks/leases.h"

namespace allot::webhooks {

class PostgresLeases final : public Leases {
 public:
  explicit PostgresLeases(std::string conninfo);

  bool Acquire(std::string_view id) override;
  void Release(std::string_view id) override;
  bool Check() override;

  // The advisory lock class of webhook leases ("alot": apart from the
  // migrations' 64-bit key, which lives in the other key space).
  static constexpr int kLockClass = 0x616c6f74;

 private:
  bool Connected();
  void Lost();

  std::string conninfo_;
  pg::Connection conn_;
  std::set<std::string, std::less<>> held_;
  std::chrono::steady_clock::time_point next_connect_{};
};

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_POSTGRES_LEASES_H_
