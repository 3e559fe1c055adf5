// The plain request and response the handler works on. No Beast, no Asio:
// the server converts to and from its wire types, tests build these by hand.
#ifndef ALLOT_HTTP_HTTP_MESSAGE_H_
#define ALLOT_HTTP_HTTP_MESSAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allot/error.h"
#include "http/event_stream.h"

namespace allot::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named `name` (compared case-insensitively),
// or nullptr.
const std::string* FindHeader(const HeaderList& headers, std::string_view name);
// Replaces every header named `name` with one carrying `value`.
void SetHeader(HeaderList& headers, std::string_view name, std::string value);

struct HttpRequest {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // path and query, as sent: "/api/v1/items?limit=5"
  HeaderList headers;
  std::string body;

  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // includes Content-Type when there is a body
  std::string body;
  // Set for server-sent events: `body` is ignored and the stream supplies
  // the body for as long as the connection lasts.
  std::shared_ptr<EventStream> stream;
  // The contract code of an error answer, for metrics and the access log;
  // not sent (the body carries it).
  std::optional<ErrorCode> error;

  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
  void Set(std::string_view name, std::string value) { SetHeader(headers, name, std::move(value)); }
};

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4";
inline constexpr std::string_view kEventStreamContentType = "text/event-stream";
inline constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";

}  // namespace allot::http

#endif  // ALLOT_HTTP_HTTP_MESSAGE_H_
