// Where the engine gets the time. Injectable so tests can move time by hand.
#ifndef ALLOT_CLOCK_H_
#define ALLOT_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace allot {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, UTC. Thread-safe.
  virtual std::int64_t NowMs() const = 0;
};

// Wall-clock time.
class SystemClock final : public Clock {
 public:
  std::int64_t NowMs() const override;
};

// A clock that stands still until told to move. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms) : now_ms_(start_ms) {}
  std::int64_t NowMs() const override { return now_ms_.load(); }
  void Set(std::int64_t ms) { now_ms_.store(ms); }
  void Advance(std::int64_t ms) { now_ms_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace allot

#endif  // ALLOT_CLOCK_H_
