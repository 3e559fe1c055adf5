// What the server needs from the layer above it: answer a parsed request,
// and answer one it refused to read. Handler is the real implementation;
// tests of the server may put a scripted one in its place.
#ifndef ALLOT_HTTP_REQUEST_HANDLER_H_
#define ALLOT_HTTP_REQUEST_HANDLER_H_

#include <cstddef>
#include <functional>
#include <string_view>

#include "allot/error.h"
#include "http/http_message.h"

namespace allot::http {

class RequestHandler {
 public:
  using Respond = std::function<void(HttpResponse)>;

  virtual ~RequestHandler() = default;

  // Answers `request` by calling `respond` exactly once, from any thread,
  // now or later. Thread-safe.
  virtual void Handle(HttpRequest request, Respond respond) = 0;

  // The answer to a request refused before it was read in full (too large,
  // malformed, too many connections). `request` holds what was parsed.
  // Thread-safe.
  virtual HttpResponse Refuse(const HttpRequest& request, const Error& error) = 0;

  // The body limit for a request whose headers were read: `default_limit`
  // unless the route needs more (an event's seat list). Thread-safe.
  virtual std::size_t BodyLimit(std::string_view method, std::string_view target,
                                std::size_t default_limit) const {
    return default_limit;
  }

  // The server admitted a connection; that connection's session ended (one
  // call each, in that order). For the open-connections gauge. Thread-safe;
  // must not block.
  virtual void ConnectionOpened() {}
  virtual void ConnectionClosed() {}
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_REQUEST_HANDLER_H_
