// What the server needs from the layer above it: answer a parsed request,
// and answer one it refused to read. Handler is the real implementation;
// tests of the server may put a scripted one in its place.
#ifndef ALLOT_HTTP_REQUEST_HANDLER_H_
#define ALLOT_HTTP_REQUEST_HANDLER_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

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

  // Answers requests read together from one connection (HTTP/1.1
  // pipelining), which the server writes back in this order: calls
  // `respond(i, response)` exactly once for each index i, from any thread,
  // now or later, in any order. A request may be handled before one ahead
  // of it has taken effect (reads are answered at once, writes after their
  // commit), so a caller must not put a read behind a write it should see;
  // the server ends a group before such a read. Thread-safe. By default,
  // Handle on each.
  using RespondAt = std::function<void(std::size_t index, HttpResponse)>;
  virtual void HandleMany(std::vector<HttpRequest> requests, RespondAt respond) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      Handle(std::move(requests[i]),
             [respond, i](HttpResponse response) { respond(i, std::move(response)); });
    }
  }

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

  // Whether the answer to this request may be an event stream, which keeps
  // the connection for itself: the server reads no request past it.
  // Thread-safe.
  virtual bool MayStream(std::string_view method, std::string_view target) const { return false; }

  // The server admitted a connection; that connection's session ended (one
  // call each, in that order). For the open-connections gauge. Thread-safe;
  // must not block.
  virtual void ConnectionOpened() {}
  virtual void ConnectionClosed() {}
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_REQUEST_HANDLER_H_
