#include "webhooks/postgres_leases.h"

#include <poll.h>

#include "core/log.h"

namespace allot::webhooks {
namespace {

constexpr auto kPingBound = std::chrono::seconds(3);
constexpr auto kReconnectPause = std::chrono::seconds(1);

// Server-side keepalives of this session (see the header): the server
// drops the locks of a peer that vanished without closing after ~16 s.
constexpr const char* kSessionSettings =
    "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 2; "
    "SET tcp_keepalives_count = 3; SET application_name = 'allot webhooks'";

// SELECT 1 answered within `bound`, without blocking longer.
bool PingWithin(PGconn* conn, std::chrono::milliseconds bound) {
  if (PQsendQuery(conn, "SELECT 1") != 1) return false;
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (PQconsumeInput(conn) != 1) return false;
    if (!PQisBusy(conn)) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{PQsocket(conn), POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) < 0) return false;
  }
  bool ok = true;
  while (PGresult* result = PQgetResult(conn)) {
    ok = ok && PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
  }
  return ok;
}

}  // namespace

PostgresLeases::PostgresLeases(std::string conninfo) : conninfo_(std::move(conninfo)) {}

bool PostgresLeases::Connected() {
  if (conn_ && pg::Usable(conn_.get())) return true;
  if (conn_) Lost();
  if (std::chrono::steady_clock::now() < next_connect_) return false;
  next_connect_ = std::chrono::steady_clock::now() + kReconnectPause;
  auto conn = pg::Connect(conninfo_, 5);
  if (!conn) return false;
  if (auto set = pg::Exec(conn->get(), kSessionSettings, "Configuring the lease session"); !set) {
    return false;
  }
  conn_ = std::move(*conn);
  return true;
}

void PostgresLeases::Lost() {
  if (!held_.empty()) {
    log::Warn("webhook leases lost", {{"webhooks", held_.size()}});
  }
  held_.clear();
  conn_.reset();  // closing the session drops whatever it still held
}

bool PostgresLeases::Acquire(std::string_view id) {
  if (held_.contains(id)) return true;
  if (!Connected()) return false;
  pg::Params params;
  params.Add(static_cast<std::int64_t>(kLockClass)).Add(id);
  auto result = pg::Run(conn_.get(), "SELECT pg_try_advisory_lock($1::int, hashtext($2))", params,
                        "Taking a webhook lease", /*prepared=*/false);
  if (!result) {
    Lost();
    return false;
  }
  if (result->rows() != 1 || result->View(0, 0) != "t") return false;
  held_.emplace(id);
  return true;
}

void PostgresLeases::Release(std::string_view id) {
  auto it = held_.find(id);
  if (it == held_.end()) return;
  held_.erase(it);
  if (!conn_) return;
  pg::Params params;
  params.Add(static_cast<std::int64_t>(kLockClass)).Add(id);
  auto result = pg::Run(conn_.get(), "SELECT pg_advisory_unlock($1::int, hashtext($2))", params,
                        "Releasing a webhook lease", /*prepared=*/false);
  if (!result) Lost();
}

bool PostgresLeases::Check() {
  if (!conn_) return held_.empty();
  if (PingWithin(conn_.get(), kPingBound)) return true;
  Lost();
  return false;
}

}  // namespace allot::webhooks
