// The random writes of the crash workloads (kill -9 cycles, full disk), each
// with a fresh Idempotency-Key so an unanswered one can be resolved later.
#ifndef ALLOT_TESTS_SUPPORT_CRASH_WRITES_H_
#define ALLOT_TESTS_SUPPORT_CRASH_WRITES_H_

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "crash_model.h"

namespace allot::testing {

// The item with little stock that every thread fights over.
inline constexpr std::string_view kHotItem = "hot";

// Makes the writes of one load thread over the model's items: reservations
// in both forms and on both routes (15% with a one-second hold), confirms
// and cancels of the thread's own holds, orders and their cancels, and
// stock adjustments (the hot item is only restocked). Not thread-safe: one
// per thread; `keys` numbers the Idempotency-Keys of all of them.
class WriteMaker {
 public:
  WriteMaker(int thread, std::uint64_t seed, const CrashModel& model, std::atomic<int>& keys);

  WriteRequest Next();

 private:
  int Roll(int n);
  std::string AnyItem();
  std::string User() const;
  WriteRequest Make(WriteKind kind, std::string path, std::string body, std::string target = "");
  json::array Lines();
  WriteRequest Reserve(bool one_line);
  WriteRequest Confirm(const std::string& id);
  WriteRequest Order(bool one_line);
  WriteRequest Adjust();

  const int thread_;
  std::mt19937_64 rng_;
  const CrashModel& model_;
  std::atomic<int>& keys_;
  std::vector<std::string> items_;
};

// Sends `request` with its Idempotency-Key.
Response Send(HttpClient& client, const WriteRequest& request);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_CRASH_WRITES_H_
