// POST /api/v1/batch: the envelope of up to kMaxBatchRequests writes.
//
//   {"requests": [{"method": "POST", "path": "/api/v1/...", "body": {...},
//                  "idempotencyKey"?: "..."}, ...]}
//
// Everything outside each `body` is the batch's own structure and is checked
// here, before anything runs: the body must be one object with only
// "requests", a list of 1..kMaxBatchRequests objects, each with only the
// four fields above, "method" exactly "POST", "path" a path (no query) of a
// write route other than /batch, "idempotencyKey" (when given) 1..255
// printable ASCII. A failure is kInvalidRequest whose `field` names the
// first bad part: "requests", "requests[3]", "requests[3].path", ...
// What is inside a body is that request's own business (decoded later, its
// errors are its own result).
#ifndef ALLOT_HTTP_BATCH_REQUEST_H_
#define ALLOT_HTTP_BATCH_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "http/router.h"

namespace allot::http {

inline constexpr std::size_t kMaxBatchRequests = 1000;

struct BatchEntry {
  RouteMatch route;  // a write route (IsWrite)
  // The body's text as sent (a view into the batch body), "" when absent or
  // null: exactly what the same request sent on its own would carry.
  std::string_view body;
  std::optional<std::string> idempotency_key;
};

// The entries of a /batch body, in order; they view into `body`.
Expected<std::vector<BatchEntry>> DecodeBatch(std::string_view body);

}  // namespace allot::http

#endif  // ALLOT_HTTP_BATCH_REQUEST_H_
