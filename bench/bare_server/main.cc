// bare-http-server: the HTTP ceiling for allot's benchmark. It does what
// allot's HTTP layer does around a request (Beast coroutine session per
// keep-alive connection on a strand, N I/O threads sharing one io_context,
// parse the request with a body limit, build and write a response) but its
// "handler" answers a fixed reservation-shaped JSON body at once: 201 to a
// POST, 200 otherwise. Whatever allot reaches over HTTP is measured against
// this.
//
//   bare-http-server [--listen 127.0.0.1:0] [--threads 2]
//
// Prints "listening on http://HOST:PORT" when ready; SIGINT/SIGTERM stop it.
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 64 * 1024;  // allot's default
constexpr auto kIdleTimeout = std::chrono::seconds(60);

// About the size of allot's answer to a reservation, so the bytes on the
// wire are comparable.
constexpr std::string_view kBody =
    R"({"id":"r0000000000000000","userId":"u1-1","status":"held",)"
    R"("lines":[{"itemId":"bench-hot-item","qty":1}],)"
    R"("createdAt":"2026-01-01T00:00:00.000Z","expiresAt":"2026-01-01T01:00:00.000Z"})";

struct Flags {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  int threads = 2;
};

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string_view value = argv[++i];
    if (flag == "--listen") {
      auto colon = value.rfind(':');
      if (colon == std::string_view::npos) return false;
      flags.host = std::string(value.substr(0, colon));
      auto port = value.substr(colon + 1);
      if (std::from_chars(port.data(), port.data() + port.size(), flags.port).ec != std::errc())
        return false;
    } else if (flag == "--threads") {
      if (std::from_chars(value.data(), value.data() + value.size(), flags.threads).ec !=
              std::errc() ||
          flags.threads < 1)
        return false;
    } else {
      return false;
    }
  }
  return true;
}

asio::awaitable<void> Session(beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(kIdleTimeout);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (read_ec) break;
    const auto& request = parser.get();
    http::response<http::string_body> response{
        request.method() == http::verb::post ? http::status::created : http::status::ok,
        request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = kBody;
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, response, kUseTuple);
    if (write_ec || !response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, asio::io_context& ioc) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kUseTuple);
    if (ec) {
      if (!acceptor.is_open()) co_return;
      continue;  // e.g. out of descriptors: keep serving the open ones
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(beast::tcp_stream(std::move(socket))), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr, "usage: bare-http-server [--listen HOST:PORT] [--threads N]\n");
    return 2;
  }
  asio::io_context ioc(flags.threads);
  boost::system::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(flags.host, ec), flags.port);
  if (ec) {
    std::fprintf(stderr, "bare-http-server: not an IP address: %s\n", flags.host.c_str());
    return 2;
  }
  tcp::acceptor acceptor(ioc);
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) ||
      acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    std::fprintf(stderr, "bare-http-server: cannot listen: %s\n", ec.message().c_str());
    return 1;
  }
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  asio::co_spawn(ioc, Accept(acceptor, ioc), asio::detached);
  std::printf("listening on http://%s:%u\n", flags.host.c_str(), acceptor.local_endpoint().port());
  std::fflush(stdout);

  std::vector<std::thread> threads;
  for (int i = 1; i < flags.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& thread : threads) thread.join();
  return 0;
}
