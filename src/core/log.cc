#include "core/log.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/time_format.h"
#include "core/utf8.h"

namespace allot::log {
namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR.
bool IsLineSeparator(std::string_view sequence) {
  return sequence == "\xE2\x80\xA8" || sequence == "\xE2\x80\xA9";
}

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f; }

// `text` as a JSON string: quotes, backslashes and control characters
// escaped, ill-formed UTF-8 replaced by U+FFFD.
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t plain = i;
    while (plain < text.size() && !NeedsEscape(static_cast<unsigned char>(text[plain]))) ++plain;
    out.append(text.substr(i, plain - i));
    i = plain;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c > 0x7f) {
      const std::size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out += kReplacementCharacter;
        ++i;
      } else if (IsLineSeparator(text.substr(i, length))) {
        // Valid JSON as they are, but line breaks to JavaScript and to some
        // line readers: escaped so that one record stays one line.
        out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
        i += length;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:  // other control characters and DEL
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
        break;
    }
    ++i;
  }
  out += '"';
}

template <typename Number>
void AppendNumber(std::string& out, Number value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

// The wall clock as "2026-11-23T10:00:00.123Z". The text up to the seconds
// is cached per thread, so most records only format the milliseconds.
void AppendNow(std::string& out) {
  using namespace std::chrono;
  const std::int64_t now_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const std::int64_t second = now_ms >= 0 ? now_ms / 1000 : (now_ms - 999) / 1000;
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::string prefix;  // "2026-11-23T10:00:00."
  if (second != cached_second) {
    prefix = FormatTimestamp(second * 1000).substr(0, 20);
    cached_second = second;
  }
  const auto ms = static_cast<int>(now_ms - second * 1000);
  const char tail[] = {static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                       static_cast<char>('0' + ms % 10), 'Z', '"'};
  out += '"';
  out += prefix;
  out.append(tail, sizeof tail);
}

void AppendRecord(std::string& out, Level level, std::string_view msg,
                  std::span<const Field> fields) {
  out.append("{\"time\":");
  AppendNow(out);
  out.append(",\"level\":\"");
  out.append(LevelName(level));
  out.append("\",\"msg\":");
  AppendJsonString(out, msg);
  for (const Field& field : fields) {
    out.push_back(',');
    field.AppendTo(out);
  }
  out.push_back('}');
}

}  // namespace

std::string_view LevelName(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }

std::optional<Level> ParseLevel(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return std::nullopt;
}

void Field::AppendTo(std::string& out) const {
  AppendJsonString(out, key_);
  out += ':';
  std::visit(
      [&out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          AppendJsonString(out, value);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += value ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(value)) {
            AppendNumber(out, value);
          } else {
            out += "null";  // JSON has no NaN or infinity
          }
        } else {
          AppendNumber(out, value);
        }
      },
      value_);
}

Writer FdWriter(int fd) {
  return [fd](std::string_view lines) {
    while (!lines.empty()) {
      const ssize_t written = ::write(fd, lines.data(), lines.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return;
      }
      lines.remove_prefix(static_cast<std::size_t>(written));
    }
  };
}

Logger::Logger(Level level, Writer writer) : level_(level), writer_(std::move(writer)) {}

Logger::~Logger() {
  StopFlushThread();
  Flush();
}

void Logger::SetWriter(Writer writer) {
  Flush();
  std::lock_guard write(write_mu_);
  writer_ = std::move(writer);
}

std::string Logger::Format(Level level, std::string_view msg, Fields fields) {
  std::string out;
  AppendRecord(out, level, msg, {fields.begin(), fields.size()});
  return out;
}

bool Logger::Append(Level level, std::string_view msg, std::span<const Field> fields) {
  // Formatted outside the lock, into a buffer each thread keeps.
  thread_local std::string line;
  line.clear();
  AppendRecord(line, level, msg, fields);
  line += '\n';
  bool wake = false;
  {
    std::lock_guard lock(buffer_mu_);
    buffer_ += line;
    if (buffer_.size() < kFlushBytes) return false;
    if (!flush_thread_on_ || buffer_.size() >= kMaxBufferBytes) return true;
    wake = !flush_wanted_;
    flush_wanted_ = true;
  }
  if (wake) wake_flush_thread_.notify_one();
  return false;
}

void Logger::Write(Level level, std::string_view msg, std::span<const Field> fields,
                   bool buffered) {
  if (!Enabled(level)) return;
  if (Append(level, msg, fields) || !buffered) Flush();
}

void Logger::Flush() {
  std::lock_guard write(write_mu_);
  {
    std::lock_guard lock(buffer_mu_);
    if (buffer_.empty()) return;
    writing_.swap(buffer_);  // the buffer keeps the capacity of the last write
  }
  if (writer_) writer_(writing_);
  writing_.clear();
}

void Logger::StartFlushThread(std::chrono::milliseconds interval) {
  std::lock_guard lock(buffer_mu_);
  if (flush_thread_on_) return;
  flush_thread_on_ = true;
  stop_flush_thread_ = false;
  flush_thread_ = std::thread([this, interval] { RunFlushThread(interval); });
}

void Logger::StopFlushThread() {
  {
    std::lock_guard lock(buffer_mu_);
    if (!flush_thread_on_) return;
    stop_flush_thread_ = true;
  }
  wake_flush_thread_.notify_one();
  flush_thread_.join();
  std::lock_guard lock(buffer_mu_);
  flush_thread_on_ = false;
}

void Logger::RunFlushThread(std::chrono::milliseconds interval) {
  std::unique_lock lock(buffer_mu_);
  while (!stop_flush_thread_) {
    wake_flush_thread_.wait_for(lock, interval,
                                [this] { return stop_flush_thread_ || flush_wanted_; });
    flush_wanted_ = false;
    lock.unlock();
    Flush();
    lock.lock();
  }
}

Logger& Global() {
  // Never destroyed: threads may still log while static objects are torn down.
  static Logger* const global = new Logger(Level::kWarn, FdWriter(STDERR_FILENO));
  return *global;
}

}  // namespace allot::log
