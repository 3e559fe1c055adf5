#include "http/access_log.h"

#include <array>
#include <cmath>

namespace allot::http {

void AccessLog::Record(const AccessRecord& record) const {
  if (!enabled()) return;
  // Microsecond resolution is plenty, and keeps the number short.
  const double latency_ms = std::round(record.latency_seconds * 1e6) / 1e3;
  const std::array<log::Field, 7> fields = {{
      {"requestId", record.request_id},
      {"method", record.method},
      {"route", record.route},
      {"status", record.status},
      {"latencyMs", latency_ms},
      {"principal", record.principal},
      {"error", record.error ? ErrorCodeName(*record.error) : ""},
  }};
  const std::size_t count = record.error ? fields.size() : fields.size() - 1;
  logger_.Write(log::Level::kInfo, "request", {fields.data(), count}, /*buffered=*/true);
}

}  // namespace allot::http
