#include "store/postgres_connection.h"

#include <charconv>
#include <utility>

namespace allot::pg {
namespace {

std::string Trimmed(const char* text) {
  std::string s = text == nullptr ? "" : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "Failing row contains (bad, null, 3, 4, 0)." -> "bad".
std::optional<std::string> FailingRowKey(std::string_view detail) {
  constexpr std::string_view kPrefix = "Failing row contains (";
  if (!detail.starts_with(kPrefix)) return std::nullopt;
  detail.remove_prefix(kPrefix.size());
  const std::size_t end = detail.find_first_of(",)");
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(detail.substr(0, end));
}

}  // namespace

Status Exec(PGconn* conn, const std::string& sql, std::string_view what);

Expected<Connection> Connect(const std::string& conninfo, int connect_timeout_seconds) {
  const std::string timeout = std::to_string(connect_timeout_seconds);
  // expand_dbname: `dbname` may be a whole URL or key=value string. Later
  // keywords override earlier ones, so it comes last: what the caller's
  // string sets wins over these defaults.
  //
  // A dead host answers nothing, not even a reset: keepalives (probe after
  // 5 s idle, every 2 s, give up after 3) catch a silent idle connection,
  // tcp_user_timeout (10 s) one whose data is never acknowledged, e.g. a
  // COMMIT sent to a primary that lost power. Either way the batch fails
  // (its outcome unknown) and the next one looks for the new primary.
  //
  // target_session_attrs=read-write: of several hosts, only the primary is
  // kept (allot writes, and its reads must see its own writes); with one
  // host, a standby is refused at connect instead of at the first write.
  const char* keywords[] = {"connect_timeout",
                            "application_name",
                            "keepalives",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "target_session_attrs",
                            "dbname",
                            nullptr};
  const char* values[] = {timeout.c_str(), "allot",          "1",    "5", "2", "3", "10000",
                          "read-write",    conninfo.c_str(), nullptr};
  Connection conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) return Fail(Unavailable("Connecting to PostgreSQL failed: out of memory."));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Fail(
        Unavailable("Connecting to PostgreSQL failed: " + Trimmed(PQerrorMessage(conn.get()))));
  }
  // Notices ("relation already exists, skipping") are not errors; libpq
  // would print them on stderr.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  // allot runs short index lookups; a generic plan's cost estimate can still
  // cross jit_above_cost, and then every execution pays for compiling it
  // (hundreds of milliseconds measured) to save microseconds.
  if (auto set = Exec(conn.get(), "SET jit = off", "Turning JIT off"); !set) {
    return Fail(std::move(set.error()));
  }
  return conn;
}

bool ServerIsReadOnly(PGconn* conn) {
  auto on = [conn](const char* parameter) {
    const char* value = PQparameterStatus(conn, parameter);
    return value != nullptr && std::string_view(value) == "on";
  };
  return on("in_hot_standby") || on("default_transaction_read_only");
}

bool IsWrongServerState(std::string_view sqlstate) {
  return sqlstate == "25006" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
         sqlstate.starts_with("08");
}

bool IsRetryableState(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "23505";
}

Error ErrorOf(const PGresult* result, PGconn* conn, std::string_view what) {
  std::string message;
  std::string sqlstate;
  if (result != nullptr && PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) != nullptr) {
    message = Trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
    sqlstate = Trimmed(PQresultErrorField(result, PG_DIAG_SQLSTATE));
    const std::string detail = Trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL));
    if (auto key = FailingRowKey(detail))
      message += " (row '" + *key + "')";
    else if (!detail.empty())
      message += " (" + detail + ")";
  } else if (result != nullptr && PQresultStatus(result) == PGRES_PIPELINE_ABORTED) {
    message = "skipped after an earlier statement of the pipeline failed";
  } else {
    message = Trimmed(conn != nullptr ? PQerrorMessage(conn) : "no connection");
    if (message.empty()) message = "no result";
  }
  Error error = Unavailable(std::string(what) + " failed: " + message);
  if (!sqlstate.empty()) error.With("sqlstate", sqlstate);
  if (IsRetryableState(sqlstate)) error.With(std::string(kRetryableDetail), std::int64_t{1});
  return error;
}

std::string_view Result::View(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          PQgetlength(result_.get(), row, column));
}

std::int64_t Result::Int(int row, int column) const {
  const std::string_view text = View(row, column);
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<std::string> Result::OptionalText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
}

std::optional<std::int64_t> Result::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

std::int64_t Result::Affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  std::int64_t value = 0;
  if (tuples != nullptr)
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), value);
  return value;
}

Params& Params::Add(std::string_view text) {
  values_.emplace_back(std::string(text));
  return *this;
}

Params& Params::Add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::Add(const std::optional<std::string>& text) {
  values_.push_back(text);
  return *this;
}

Params& Params::Add(const std::optional<std::int64_t>& value) {
  if (!value) return AddNull();
  return Add(*value);
}

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

Status Exec(PGconn* conn, const std::string& sql, std::string_view what) {
  Result result(PQexec(conn, sql.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(ErrorOf(result.get(), conn, what));
  }
  return {};
}

Expected<Result> Run(PGconn* conn, std::string_view statement, const Params& params,
                     std::string_view what, bool prepared) {
  const std::string text(statement);
  const std::vector<const char*> values = params.Pointers();
  Result result(prepared ? PQexecPrepared(conn, text.c_str(), params.size(), values.data(), nullptr,
                                          nullptr, 0)
                         : PQexecParams(conn, text.c_str(), params.size(), nullptr, values.data(),
                                        nullptr, nullptr, 0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(ErrorOf(result.get(), conn, what));
  }
  return result;
}

}  // namespace allot::pg
