// The HTTP/1.1 server: Boost.Beast + Asio C++20 coroutines over a
// RequestHandler (in production, the Handler).
// (Beast and Asio stay inside server.cc.)
//
// One session coroutine per connection, on its own strand; keep-alive and
// HTTP/1.1 pipelining: requests that have already arrived behind the one
// just read (in the buffer or the socket) are parsed at once, up to 64 or
// 1 MiB, and handed to the handler together (RequestHandler::HandleMany),
// so pipelined writes share an engine batch; their answers are written
// strictly in request order. A group ends before a read that follows a
// write (it must see that write), after a request that closes the
// connection or may stream, and at a request not yet arrived whole (read
// next, with its own read timeout). A pipelined request that must be
// refused is answered after the answers before it, then the connection
// closes. Every
// resource a client can make the server hold has a limit (ServerOptions);
// a request over one is answered with the contract's JSON error and the
// connection is closed: body -> 413 `payload_too_large`, request target ->
// 414 `uri_too_long`, header bytes or header count -> 431
// `headers_too_large`, malformed -> 400. Beyond `max_connections` a new
// connection gets 503 `overloaded` and is closed. A client too slow to send
// its request (`read_timeout`) or to take its response (`write_timeout`), or
// silent between requests for `idle_timeout`, is disconnected without an
// answer. When accepting fails for want of file descriptors or memory, the
// server pauses accepting briefly instead of spinning.
//
// A response that carries an EventStream (server-sent events) keeps its
// connection: the server polls the stream and writes what it returns until
// the client leaves, a write times out, or the server stops.
//
// Stopping (Stop(), or SIGTERM/SIGINT when handle_signals): stop accepting
// (new connections are refused), close idle connections, let requests in
// flight (including ones partly received) be handled and answered (with
// Connection: close), then Run() returns. If connections are still open
// after `shutdown_grace`, they are dropped and Run() returns anyway.
#ifndef ALLOT_HTTP_SERVER_H_
#define ALLOT_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "allot/error.h"
#include "http/request_handler.h"

namespace allot::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address literal or "localhost"
  std::uint16_t port = 8080;       // 0 picks a free port
  int threads = 2;                 // I/O threads running the sessions
  std::size_t max_connections = 10'000;
  // The body limit of most routes; the handler may allow a route more
  // (RequestHandler::BodyLimit).
  std::size_t body_limit_bytes = 64 * 1024;
  // Beast applies this to the request line and to the header fields, each.
  std::size_t header_limit_bytes = 16 * 1024;
  std::size_t max_header_count = 100;
  std::size_t max_target_bytes = 8 * 1024;  // the request target (path and query)
  // Waiting for the first byte of a request on an open connection.
  std::chrono::milliseconds idle_timeout{30'000};
  // From a request's first byte until its header and body have arrived.
  std::chrono::milliseconds read_timeout{10'000};
  // Writing one response.
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  // SIGTERM and SIGINT call Stop(); handled from Open() on (a signal before
  // Run() stops the server as soon as Run() starts).
  bool handle_signals = true;
};

class Server {
 public:
  // Binds and listens (so port() is known before Run). The handler must
  // outlive the server, and a `respond` it still holds when Run() returns
  // must be called or dropped before the server is destroyed.
  static Expected<std::unique_ptr<Server>> Open(RequestHandler& handler, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound address: host as given and the real port.
  const std::string& host() const;
  std::uint16_t port() const;

  // Serves until stopped; returns once the shutdown described above is done.
  // Call once.
  void Run();
  // Starts the shutdown. Thread-safe, idempotent; may be called before Run.
  void Stop();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_SERVER_H_
