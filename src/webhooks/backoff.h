// How long a failing delivery waits before its next attempt: 1 s after the
// first failure, doubling after each further one, at most 10 minutes.
#ifndef ALLOT_WEBHOOKS_BACKOFF_H_
#define ALLOT_WEBHOOKS_BACKOFF_H_

#include <chrono>

namespace allot::webhooks {

inline constexpr std::chrono::milliseconds kFirstRetry{1'000};
inline constexpr std::chrono::milliseconds kLongestRetry{600'000};

// The wait after `failures` failures in a row (1 for the first).
std::chrono::milliseconds RetryDelay(int failures);

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_BACKOFF_H_
