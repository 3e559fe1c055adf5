// Structured logging: every record is one line holding one JSON object,
//
//   {"time":"2026-11-23T10:00:00.123Z","level":"info","msg":"...",<fields>}
//
// with the time in RFC 3339 UTC with milliseconds (the wall clock), the level
// name, a short fixed message and the record's fields in the order given.
// Strings are escaped for JSON, and bytes that are not well-formed UTF-8
// become U+FFFD, so every line parses whatever a client sent.
//
// Cheap when filtered: a record below the level costs one relaxed atomic
// load, and its fields (views, integers) are never formatted. A record that
// passes is formatted on the calling thread into a thread-local buffer, then
// appended to the logger's buffer under a short mutex. Log() writes the
// buffer out at once (startup, errors: they must be seen even if the process
// dies next). LogBuffered() leaves it there: with a flush thread running
// (StartFlushThread), that thread writes the buffer out every interval and
// as soon as kFlushBytes have gathered, so the threads that log (I/O
// threads, the engine's sequencer) only format and copy; without one, or
// when kMaxBufferBytes are waiting, the logging thread writes itself. Either
// way a busy access log costs one write(2) per few hundred lines. Writes go
// out whole and in the order the records were appended.
//
// Thread-safe: Log, LogBuffered, Write, Flush, SetLevel and SetWriter may be
// called from any thread at any time. StartFlushThread and StopFlushThread
// must not race each other.
#ifndef ALLOT_CORE_LOG_H_
#define ALLOT_CORE_LOG_H_

#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

namespace allot::log {

enum class Level : std::uint8_t { kDebug, kInfo, kWarn, kError };

// "debug", "info", "warn", "error".
std::string_view LevelName(Level level);
// The inverse of LevelName; nullopt for anything else.
std::optional<Level> ParseLevel(std::string_view name);

// One key and value of a record. Holds views: build fields in the call that
// logs them (the usual `{{"key", value}, ...}` list does).
class Field {
 public:
  Field(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  Field(std::string_view key, const char* value) : key_(key), value_(std::string_view(value)) {}
  Field(std::string_view key, const std::string& value)
      : key_(key), value_(std::string_view(value)) {}
  Field(std::string_view key, double value) : key_(key), value_(value) {}
  template <std::integral T>
  Field(std::string_view key, T value) : key_(key), value_(Integral(value)) {}

  // Appends `"key":value` to `out`.
  void AppendTo(std::string& out) const;

 private:
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;
  template <std::integral T>
  static Value Integral(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      return value;
    } else if constexpr (std::is_signed_v<T>) {
      return static_cast<std::int64_t>(value);
    } else {
      return static_cast<std::uint64_t>(value);
    }
  }

  std::string_view key_;
  Value value_;
};

using Fields = std::initializer_list<Field>;

// Receives finished lines, one or more at a time, each ending in '\n'.
// Called with the logger's write lock held, so calls never overlap.
using Writer = std::function<void(std::string_view lines)>;

// A Writer to a file descriptor (write(2), retried on EINTR and short
// writes). A failed write is dropped: there is nowhere left to report it.
Writer FdWriter(int fd);

class Logger {
 public:
  // Buffered lines that make the flush thread (or, without one, the logging
  // thread) write them out.
  static constexpr std::size_t kFlushBytes = 32 * 1024;
  // Buffered lines that make the logging thread write them out even though a
  // flush thread runs: it has fallen behind, and memory stays bounded.
  static constexpr std::size_t kMaxBufferBytes = 1024 * 1024;

  Logger(Level level, Writer writer);
  ~Logger();  // stops the flush thread, flushes
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool Enabled(Level level) const { return level >= level_.load(std::memory_order_relaxed); }
  void SetLevel(Level level) { level_.store(level, std::memory_order_relaxed); }
  Level level() const { return level_.load(std::memory_order_relaxed); }
  // Flushes what is buffered to the old writer, then uses `writer`.
  void SetWriter(Writer writer);

  // A record that is written out before the call returns (with anything
  // buffered before it).
  void Log(Level level, std::string_view msg, Fields fields = {}) {
    Write(level, msg, {fields.begin(), fields.size()}, /*buffered=*/false);
  }
  // A record that may wait in the buffer (see above).
  void LogBuffered(Level level, std::string_view msg, Fields fields = {}) {
    Write(level, msg, {fields.begin(), fields.size()}, /*buffered=*/true);
  }
  // A record written out whatever the level: a line the contract promises
  // (the listening line), which --log-level must not silence.
  void LogAlways(Level level, std::string_view msg, Fields fields = {}) {
    Append(level, msg, {fields.begin(), fields.size()});
    Flush();
  }
  // Log or LogBuffered, for fields chosen at run time.
  void Write(Level level, std::string_view msg, std::span<const Field> fields, bool buffered);
  // Writes out everything buffered.
  void Flush();

  // Starts the flush thread described above; no-op if it runs.
  void StartFlushThread(std::chrono::milliseconds interval);
  // Stops it and writes out what is buffered; no-op if none runs.
  void StopFlushThread();

  // The record as Log writes it, without the trailing '\n'; for tests.
  static std::string Format(Level level, std::string_view msg, Fields fields);

 private:
  // Appends the formatted record; true when the caller must Flush.
  bool Append(Level level, std::string_view msg, std::span<const Field> fields);
  void RunFlushThread(std::chrono::milliseconds interval);

  std::atomic<Level> level_;
  std::mutex write_mu_;  // held while writing; orders the writes
  Writer writer_;        // guarded by write_mu_
  std::string writing_;  // guarded by write_mu_; the lines being written
  std::mutex buffer_mu_;
  std::string buffer_;              // guarded by buffer_mu_; lines not yet written
  bool flush_thread_on_ = false;    // guarded by buffer_mu_
  bool flush_wanted_ = false;       // guarded by buffer_mu_; kFlushBytes reached
  bool stop_flush_thread_ = false;  // guarded by buffer_mu_
  std::condition_variable wake_flush_thread_;
  std::thread flush_thread_;
};

// The process's logger, used by the server and the library (engine, stores).
// Until configured it writes records of level warn and above to stderr, so
// an embedding program hears about failures and nothing else.
Logger& Global();

inline void Debug(std::string_view msg, Fields fields = {}) {
  if (Global().Enabled(Level::kDebug)) Global().Log(Level::kDebug, msg, fields);
}
inline void Info(std::string_view msg, Fields fields = {}) {
  if (Global().Enabled(Level::kInfo)) Global().Log(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, Fields fields = {}) {
  if (Global().Enabled(Level::kWarn)) Global().Log(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, Fields fields = {}) {
  if (Global().Enabled(Level::kError)) Global().Log(Level::kError, msg, fields);
}

}  // namespace allot::log

#endif  // ALLOT_CORE_LOG_H_
