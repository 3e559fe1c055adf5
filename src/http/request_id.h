// X-Request-Id values: a client's own id is echoed when it is 1..128
// visible ASCII characters; otherwise a new one is made, unique within the
// process and unlikely to repeat across restarts. Thread-safe.
#ifndef ALLOT_HTTP_REQUEST_ID_H_
#define ALLOT_HTTP_REQUEST_ID_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "http/http_message.h"

namespace allot::http {

inline constexpr std::size_t kMaxRequestIdLength = 128;

class RequestIds {
 public:
  RequestIds();  // seeds the process prefix from a random device
  // The client's X-Request-Id if acceptable, else a fresh id.
  std::string For(const HttpRequest& request);
  std::string Next();  // "<16 hex>-<counter>"

 private:
  std::string prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_REQUEST_ID_H_
