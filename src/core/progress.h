// Progress of a long command, for the person at the terminal: nothing for the
// first 2 s (most runs are over by then and print nothing extra), then one
// line rewritten in place at most every 250 ms, and a final line when done.
// Only when the stream is a terminal: output piped or redirected (scripts,
// logs, CI) never gets carriage returns or escape codes.
//
//   Progress progress("allot audit", "rows", std::cerr,
//                     {.is_terminal = IsTerminal(STDERR_FILENO)});
//   for (...) progress.Update("reading the ledger", ++rows);
//   progress.Finish();  // "allot audit: 1,234,567 rows in 12.3 s" if shown
//
// The clock and the terminal fact are options, so tests drive both.
// Thread-safe: Update and Tick may come from different threads (a
// ScopedTicker's and the worker's).
#ifndef ALLOT_CORE_PROGRESS_H_
#define ALLOT_CORE_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

namespace allot {

struct ProgressOptions {
  // False: the Progress prints nothing at all.
  bool is_terminal = false;
  // Nothing is shown before this much time has passed.
  std::chrono::milliseconds delay{2000};
  // At most one redraw per interval.
  std::chrono::milliseconds interval{250};
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

// Whether `fd` is a terminal (isatty).
bool IsTerminal(int fd);

class Progress {
 public:
  // `task` starts every line ("allot audit"); `unit` names what is counted.
  Progress(std::string task, std::string unit, std::ostream& out, ProgressOptions options);
  // Finishes, if Finish() was not called.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` units so far (a running total), now working on `step`. Cheap when
  // nothing is drawn: one clock read.
  void Update(std::string_view step, std::int64_t done);
  // Redraws with the time so far: for a long call that reports nothing.
  void Tick();
  // Ends the line with the total and the time taken, if a line was shown;
  // later calls do nothing.
  void Finish();

  bool shown() const;
  // The running total last given to Update.
  std::int64_t done() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Draws if the delay and the interval allow; under mu_.
  void MaybeDraw(TimePoint now);

  const std::string task_;
  const std::string unit_;
  std::ostream& out_;
  const ProgressOptions options_;
  const TimePoint start_;
  mutable std::mutex mu_;
  std::string step_;
  std::int64_t done_ = 0;
  TimePoint last_draw_{};
  bool shown_ = false;
  bool finished_ = false;
};

// Calls progress.Tick() every `interval` on a thread of its own while it
// lives: progress for one long blocking call (a migration's statement).
class ScopedTicker {
 public:
  ScopedTicker(Progress& progress, std::chrono::milliseconds interval);
  ~ScopedTicker();
  ScopedTicker(const ScopedTicker&) = delete;
  ScopedTicker& operator=(const ScopedTicker&) = delete;

 private:
  Progress& progress_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Runs `step()` as the step `name` of `progress` (nothing shown when null),
// `done` steps being finished before it, redrawn while the call blocks
// (schema migrations, loading a store's state at startup).
template <typename Step>
auto RunShown(Progress* progress, std::string_view name, std::int64_t done, Step&& step) {
  if (progress == nullptr) return step();
  progress->Update(name, done);
  ScopedTicker ticker(*progress, std::chrono::milliseconds(250));
  return step();
}

// 1234567 -> "1,234,567".
std::string WithThousands(std::int64_t value);

}  // namespace allot

#endif  // ALLOT_CORE_PROGRESS_H_
