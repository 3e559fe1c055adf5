#include "core/progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace allot {
namespace {

// Back to the start of the line, then erase to its end: the previous draw
// may have been longer.
constexpr std::string_view kRedraw = "\r\x1b[K";

std::string Seconds(std::chrono::steady_clock::duration elapsed, bool tenths) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  char text[32];
  std::snprintf(text, sizeof text, tenths ? "%.1f s" : "%.0f s", seconds);
  return text;
}

}  // namespace

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

std::string WithThousands(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

Progress::Progress(std::string task, std::string unit, std::ostream& out,
                   ProgressOptions options)
    : task_(std::move(task)),
      unit_(std::move(unit)),
      out_(out),
      options_(std::move(options)),
      start_(options_.now()) {}

Progress::~Progress() { Finish(); }

void Progress::Update(std::string_view step, std::int64_t done) {
  if (!options_.is_terminal) return;
  const TimePoint now = options_.now();
  std::lock_guard lock(mu_);
  if (finished_) return;
  if (step_ != step) step_ = step;
  done_ = done;
  MaybeDraw(now);
}

void Progress::Tick() {
  if (!options_.is_terminal) return;
  const TimePoint now = options_.now();
  std::lock_guard lock(mu_);
  if (!finished_) MaybeDraw(now);
}

void Progress::MaybeDraw(TimePoint now) {
  if (now - start_ < options_.delay) return;
  if (shown_ && now - last_draw_ < options_.interval) return;
  out_ << kRedraw << task_ << ": " << WithThousands(done_) << ' ' << unit_;
  if (!step_.empty()) out_ << " (" << step_ << ')';
  out_ << ", " << Seconds(now - start_, false) << std::flush;
  last_draw_ = now;
  shown_ = true;
}

void Progress::Finish() {
  std::lock_guard lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (!shown_) return;  // quick enough that nothing was drawn: nothing to end
  out_ << kRedraw << task_ << ": " << WithThousands(done_) << ' ' << unit_ << " in "
       << Seconds(options_.now() - start_, true) << '\n'
       << std::flush;
}

std::int64_t Progress::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

bool Progress::shown() const {
  std::lock_guard lock(mu_);
  return shown_;
}

ScopedTicker::ScopedTicker(Progress& progress, std::chrono::milliseconds interval)
    : progress_(progress), thread_([this, interval] {
        std::unique_lock lock(mu_);
        while (!stop_cv_.wait_for(lock, interval, [this] { return stop_; })) {
          lock.unlock();
          progress_.Tick();
          lock.lock();
        }
      }) {}

ScopedTicker::~ScopedTicker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

}  // namespace allot
