// Thin RAII wrappers over the SQLite C API used by the SQLite store: an owned
// connection, a prepared statement that is reused across calls, and helpers
// that turn SQLite failures into Error values (always kUnavailable).
//
// Not thread-safe: a connection and its statements are used by one thread at
// a time; the owners (writer, reader pool) serialise access.
#ifndef ALLOT_STORE_SQLITE_HANDLE_H_
#define ALLOT_STORE_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allot/error.h"

namespace allot::sqlite {

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
// An open database connection; closed when destroyed.
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

// Opens `path` with the given sqlite3_open_v2 flags (SQLITE_OPEN_NOMUTEX is
// added: callers serialise) and sets the busy timeout.
Expected<Connection> OpenConnection(const std::string& path, int flags, int busy_timeout_ms);

// kUnavailable "<what> failed: <SQLite's message for the last error on db>".
Error ErrorOf(sqlite3* db, std::string_view what);

// Runs SQL that returns no rows of interest (may hold several statements).
Status Exec(sqlite3* db, const char* sql, std::string_view what);

// A statement prepared once and reused. Usage per call:
//   ResetOnExit reset(stmt); stmt.BindAll(a, b); stmt.Step(...) / stmt.Run(...)
// Bound text is not copied: it must stay alive until the statement is reset.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  static Expected<Statement> Prepare(sqlite3* db, std::string_view sql);

  // Parameters are 1-based. An empty optional binds NULL.
  void Bind(int index, std::string_view text);
  template <std::integral T>
  void Bind(int index, T value) {
    sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value));
  }
  template <typename T>
  void Bind(int index, const std::optional<T>& value) {
    if (value) {
      Bind(index, *value);
    } else {
      sqlite3_bind_null(stmt_, index);
    }
  }
  // Binds bytes as a BLOB (not copied, like text).
  void BindBlob(int index, std::string_view bytes);
  // Binds args to parameters 1..N in order.
  template <typename... Args>
  void BindAll(const Args&... args) {
    int index = 0;
    (Bind(++index, args), ...);
  }

  // Advances one row: true when a row is available, false when done.
  Expected<bool> Step(std::string_view what);
  // Steps until done (for statements that change rows), then resets.
  Status Run(std::string_view what);
  // Binds args, runs to completion and resets.
  template <typename... Args>
  Status Exec(std::string_view what, const Args&... args) {
    BindAll(args...);
    return Run(what);
  }
  // Ends the current execution (releasing its read snapshot) and clears
  // the bindings. Safe to call at any time.
  void Reset();

  // Columns of the current row, 0-based.
  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  // A BLOB (or text) column's bytes; valid until the next Step or Reset.
  std::string_view BlobView(int column) const;
  std::string Blob(int column) const { return std::string(BlobView(column)); }
  bool IsNull(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const;
  std::optional<std::string> OptionalText(int column) const;

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

// Resets a statement when the scope ends, whatever path leaves it.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { statement_.Reset(); }

 private:
  Statement& statement_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_HANDLE_H_
