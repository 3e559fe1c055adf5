// One keep-alive HTTP/1.1 connection, driven by one coroutine at a time.
//
// Requests are serialised by hand into a buffer the connection reuses (they
// are tiny and fixed in shape); answers are read with Beast's parser into a
// body string whose capacity is kept across requests. So a steady run does
// almost no heap allocation per request.
//
// A request that gets no answer (refused, reset, or stuck past the timeout
// the thread's watchdog enforces) yields status 0 and the connection is
// reopened for the next one.
#ifndef ALLOT_BENCH_CLIENT_H_
#define ALLOT_BENCH_CLIENT_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "allot_bench/load_stats.h"

namespace allot::bench {

struct Reply {
  int status = 0;               // 0: no HTTP answer
  std::string_view body;        // valid until the next request on this client
  std::string_view error_code;  // "code" of a non-2xx error body, else ""
};

class Client {
 public:
  using Clock = std::chrono::steady_clock;

  Client(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint,
         std::string host_header);

  // Opens the connection (no-op when open). False when the server refused.
  boost::asio::awaitable<bool> Connect();

  // Sends one request and reads its answer. `body` empty: no body. Records
  // the outcome and latency in the stats set by set_stats() (if any).
  boost::asio::awaitable<Reply> Send(Op op, std::string_view method, std::string_view target,
                                     std::string_view body);

  // Called by the thread's watchdog: closes the socket of a request that has
  // waited longer than `timeout`, which makes the pending read fail.
  void AbortIfStuck(Clock::time_point now, Clock::duration timeout);

  void set_stats(ThreadStats* stats) { stats_ = stats; }
  bool is_open() const { return socket_.is_open(); }

 private:
  void Close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_header_;
  std::string request_;  // reused: serialised request
  std::string body_;     // reused: capacity of the last answer's body
  boost::beast::flat_buffer buffer_;
  ThreadStats* stats_ = nullptr;
  bool busy_ = false;
  Clock::time_point started_;
};

// The "code" of an error body {"error":{"code":"..."}} or the first string
// field `name` of a flat JSON object, found by scanning (no parse on the hot
// path; the server's ids and codes never contain escapes). "" if absent.
std::string_view JsonStringField(std::string_view json, std::string_view name);

}  // namespace allot::bench

#endif  // ALLOT_BENCH_CLIENT_H_
