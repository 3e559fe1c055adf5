#include "store/postgres_session.h"

#include <algorithm>
#include <variant>

namespace allot::pg {

Session::Session(SessionOptions options, StatementSpecs statements)
    : options_(std::move(options)), statements_(std::move(statements)) {}

Status Session::Ensure() {
  if (conn_ && Usable(conn_.get()) && !ServerIsReadOnly(conn_.get())) return {};
  conn_.reset();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now);
    return Fail(Unavailable("The database connection is lost; reconnecting in " +
                            std::to_string(wait.count()) + " ms."));
  }
  if (auto connected = ConnectNow(); !connected) {
    backoff_ = backoff_.count() == 0
                   ? std::chrono::milliseconds(options_.initial_backoff_ms)
                   : std::min(backoff_ * 2, std::chrono::milliseconds(options_.max_backoff_ms));
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    return connected;
  }
  backoff_ = std::chrono::milliseconds(0);
  next_attempt_ = {};
  return {};
}

void Session::CheckHealth(const Error* failure) {
  if (!conn_) return;
  bool wrong_server = false;
  if (failure != nullptr) {
    if (const DetailValue* state = failure->Detail("sqlstate")) {
      const std::string* text = std::get_if<std::string>(state);
      wrong_server = text != nullptr && IsWrongServerState(*text);
    }
  }
  if (wrong_server || !Usable(conn_.get()) || ServerIsReadOnly(conn_.get())) conn_.reset();
}

Status Session::ConnectNow() {
  auto conn = Connect(options_.conninfo, options_.connect_timeout_seconds);
  if (!conn) return Fail(std::move(conn.error()));
  // A conninfo that asks for target_session_attrs=any may still reach a
  // standby; allot needs the primary for its writes and for reads that see
  // them.
  if (ServerIsReadOnly(conn->get())) {
    return Fail(
        Unavailable("Connecting to PostgreSQL failed: the server is read-only (a standby, "
                    "or default_transaction_read_only is on)."));
  }
  if (auto set = Exec(conn->get(), "SET enable_seqscan = off", "Preferring index plans"); !set) {
    return Fail(std::move(set.error()));
  }
  for (const auto& [name, sql] : statements_) {
    Result prepared(PQprepare(conn->get(), name.c_str(), sql.c_str(), 0, nullptr));
    if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return Fail(ErrorOf(prepared.get(), conn->get(), "Preparing statement " + name));
    }
  }
  conn_ = std::move(*conn);
  return {};
}

}  // namespace allot::pg
