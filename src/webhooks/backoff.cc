#include "webhooks/backoff.h"

#include <algorithm>

namespace allot::webhooks {

std::chrono::milliseconds RetryDelay(int failures) {
  if (failures <= 1) return kFirstRetry;
  // 2^10 s is already past the cap: no need to shift further (or overflow).
  const int doublings = std::min(failures - 1, 10);
  return std::min(std::chrono::milliseconds(kFirstRetry.count() << doublings), kLongestRetry);
}

}  // namespace allot::webhooks
