#include "allot_bench/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>

namespace allot::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 16 * 1024 * 1024;

void AppendNumber(std::string& out, std::size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

std::string_view JsonStringField(std::string_view json, std::string_view name) {
  std::size_t from = 0;
  while (true) {
    std::size_t at = json.find(name, from);
    if (at == std::string_view::npos) return {};
    from = at + name.size();
    if (at == 0 || json[at - 1] != '"') continue;
    std::size_t pos = from;
    if (pos + 3 > json.size() || json.substr(pos, 2) != "\":") continue;
    pos += 2;
    while (pos < json.size() && json[pos] == ' ') ++pos;
    if (pos >= json.size() || json[pos] != '"') continue;
    std::size_t end = json.find('"', pos + 1);
    if (end == std::string_view::npos) return {};
    return json.substr(pos + 1, end - pos - 1);
  }
}

Client::Client(asio::io_context& ioc, tcp::endpoint endpoint, std::string host_header)
    : socket_(ioc), endpoint_(std::move(endpoint)), host_header_(std::move(host_header)) {
  request_.reserve(512);
  body_.reserve(1024);
}

asio::awaitable<bool> Client::Connect() {
  if (socket_.is_open()) co_return true;
  // A connect can hang too (a full accept backlog): the watchdog bounds it
  // like a request unless it is part of one that is already being timed.
  bool timed_here = !busy_;
  if (timed_here) {
    started_ = Clock::now();
    busy_ = true;
  }
  auto [ec] = co_await socket_.async_connect(endpoint_, kUseTuple);
  if (timed_here) busy_ = false;
  if (ec) {
    Close();
    co_return false;
  }
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);  // small requests must not wait for Nagle
  buffer_.clear();
  co_return true;
}

void Client::Close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void Client::AbortIfStuck(Clock::time_point now, Clock::duration timeout) {
  if (busy_ && now - started_ > timeout) Close();
}

asio::awaitable<Reply> Client::Send(Op op, std::string_view method, std::string_view target,
                                    std::string_view body) {
  started_ = Clock::now();
  busy_ = true;
  Reply reply;
  request_.clear();
  request_.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  request_.append(host_header_).append("\r\n");
  if (!body.empty()) {
    request_.append("Content-Type: application/json\r\nContent-Length: ");
    AppendNumber(request_, body.size());
    request_.append("\r\n");
  } else if (method == "POST") {
    request_.append("Content-Length: 0\r\n");
  }
  request_.append("\r\n").append(body);

  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  bool answered = false;
  bool keep_alive = false;
  if (co_await Connect()) {
    auto [write_ec, written] =
        co_await asio::async_write(socket_, asio::buffer(request_), kUseTuple);
    if (!write_ec) {
      body_.clear();
      parser.get().body().swap(body_);  // reuse the capacity of earlier answers
      auto [read_ec, read] = co_await http::async_read(socket_, buffer_, parser, kUseTuple);
      if (!read_ec) {
        answered = true;
        keep_alive = parser.get().keep_alive();
        body_.swap(parser.get().body());
        reply.status = static_cast<int>(parser.get().result_int());
        reply.body = body_;
        if (reply.status >= 300) reply.error_code = JsonStringField(reply.body, "code");
      }
    }
  }
  if (!answered || !keep_alive) Close();
  busy_ = false;
  if (stats_ != nullptr) {
    auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    stats_->Record(op, reply.status, reply.error_code, latency.count());
  }
  co_return reply;
}

}  // namespace allot::bench
