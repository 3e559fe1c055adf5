// The access log: one JSON line per answered request, at level info,
//
//   {"time":"...","level":"info","msg":"request","requestId":"5f0c...-17",
//    "method":"POST","route":"/api/v1/reservations","status":409,
//    "latencyMs":1.234,"principal":"","error":"out_of_stock"}
//
// `route` is the route template ("unmatched" for unknown paths), never the
// path as sent; "error" is present only on error answers. Nothing else from
// the request is written: no headers (so no Authorization token), no query,
// no body.
//
// Lines are written with Logger::Write(buffered): the thread answering the
// request formats and copies its line, and the logger's flush thread writes
// lines out, one write(2) per few hundred, and within its interval when
// traffic is light (see core/log.h). Thread-safe.
#ifndef ALLOT_HTTP_ACCESS_LOG_H_
#define ALLOT_HTTP_ACCESS_LOG_H_

#include <optional>
#include <string_view>

#include "allot/error.h"
#include "core/log.h"

namespace allot::http {

struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // the template
  int status = 0;
  double latency_seconds = 0;
  std::string_view principal;  // "" while the service is open
  std::optional<ErrorCode> error;
};

class AccessLog {
 public:
  // `logger` must outlive this. When `enabled` is false, Record does nothing
  // (--access-log off); the logger's level filters too (--log-level warn).
  AccessLog(log::Logger& logger, bool enabled) : logger_(logger), enabled_(enabled) {}

  bool enabled() const { return enabled_ && logger_.Enabled(log::Level::kInfo); }
  void Record(const AccessRecord& record) const;

 private:
  log::Logger& logger_;
  bool enabled_;
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_ACCESS_LOG_H_
