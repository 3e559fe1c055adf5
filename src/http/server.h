// The HTTP/1.1 server: Boost.Beast + Asio C++20 coroutines over a
// RequestHandler (in production, the Handler).
// (Beast and Asio stay inside server.cc.)
//
// One session coroutine per connection, on its own strand; keep-alive; per
// request limits (body 64 KiB -> 413, headers -> 431, malformed -> 400, each
// answered as a JSON error and followed by closing the connection); an idle
// and read timeout; a cap on open connections (beyond it a new connection
// gets 503 `overloaded` and is closed).
//
// A response that carries an EventStream (server-sent events) keeps its
// connection: the server polls the stream and writes what it returns until
// the client leaves, a write times out, or the server stops.
//
// Stopping (Stop(), or SIGTERM/SIGINT when handle_signals): stop accepting,
// close idle connections, let requests in flight be handled and answered
// (with Connection: close), then Run() returns. If connections are still
// open after `shutdown_grace`, they are dropped and Run() returns anyway.
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
  std::size_t body_limit_bytes = 64 * 1024;
  std::size_t header_limit_bytes = 16 * 1024;
  // A connection waiting for (or in the middle of reading) a request is
  // closed after this long; so is one whose response cannot be written.
  std::chrono::milliseconds idle_timeout{30'000};
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
