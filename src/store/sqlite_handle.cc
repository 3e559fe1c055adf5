#include "store/sqlite_handle.h"

#include <climits>
#include <mutex>
#include <utility>

namespace allot::sqlite {

namespace {

// SQLite keeps global memory statistics behind a mutex taken on every
// allocation; allot never reads them. Turning them off must happen before
// SQLite initialises, so it is done once, before the first connection.
void DisableMemoryStatistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Expected<Connection> OpenConnection(const std::string& path, int flags, int busy_timeout_ms) {
  DisableMemoryStatistics();
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    if (db == nullptr) return Fail(Unavailable("Opening '" + path + "' failed: out of memory."));
    return Fail(ErrorOf(db.get(), "Opening '" + path + "'"));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  if (sqlite3_busy_timeout(db.get(), busy_timeout_ms) != SQLITE_OK) {
    return Fail(ErrorOf(db.get(), "Setting the busy timeout"));
  }
  return db;
}

Error ErrorOf(sqlite3* db, std::string_view what) {
  std::string message(what);
  message += " failed: ";
  message += sqlite3_errmsg(db);
  message += " (SQLite code " + std::to_string(sqlite3_extended_errcode(db)) + ").";
  return Unavailable(std::move(message));
}

Status Exec(sqlite3* db, const char* sql, std::string_view what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Fail(ErrorOf(db, what));
  }
  return {};
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(std::exchange(other.db_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Expected<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  Statement statement;
  statement.db_ = db;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement.stmt_, nullptr);
  if (rc != SQLITE_OK) {
    return Fail(ErrorOf(db, "Preparing \"" + std::string(sql.substr(0, 60)) + "...\""));
  }
  return statement;
}

void Statement::Bind(int index, std::string_view text) {
  // A default string_view has a null data(); SQLite would bind NULL for it.
  const char* data = text.data() != nullptr ? text.data() : "";
  sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL.
  static const char kEmpty = 0;
  const void* data = bytes.data() != nullptr ? bytes.data() : &kEmpty;
  sqlite3_bind_blob(stmt_, index, data, static_cast<int>(bytes.size()), SQLITE_STATIC);
}

Expected<bool> Statement::Step(std::string_view what) {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(ErrorOf(db_, what));
}

Status Statement::Run(std::string_view what) {
  ResetOnExit reset(*this);
  for (;;) {
    auto row = Step(what);
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return {};
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(size));
}

std::string_view Statement::BlobView(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

}  // namespace allot::sqlite
