// The only file of the project that includes Beast and Asio.
#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/log.h"

namespace allot::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kUseTuple = asio::experimental::as_tuple(asio::use_awaitable);
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;
using Parser = bhttp::request_parser<bhttp::string_body>;

// What Stop() needs to reach a session: whether it is between requests, and
// its stream (valid while `stream` is set; touched only on the session's strand).
struct SessionState {
  asio::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;
  beast::flat_buffer* buffer = nullptr;
  bool busy = false;
};

// Whether bytes of a next request have already arrived (in the read buffer
// or the socket). Such a request is in flight: stopping must answer it, not
// drop it. On loopback, what a client sent before the stop is there by now.
bool HasPendingBytes(beast::tcp_stream& stream, const beast::flat_buffer& buffer) {
  error_code ec;
  return buffer.size() > 0 || stream.socket().available(ec) > 0;
}

// Whether the peer has closed the connection (EOF or reset waiting to be
// read), checked without blocking and without consuming anything. A
// streaming client sends nothing after its request, so this is how a closed
// browser tab frees its stream at once instead of at the next failed write.
bool PeerClosed(beast::tcp_stream& stream) {
  tcp::socket& socket = stream.socket();
  error_code ec;
  socket.non_blocking(true, ec);
  char byte;
  std::size_t peeked = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  error_code ignored;
  socket.non_blocking(false, ignored);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
  return ec || peeked == 0;
}

// The method, target and headers of `request` (what a refusal needs).
HttpRequest HeadOf(const BeastRequest& request) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  std::size_t fields = 0;
  for (auto it = request.begin(); it != request.end(); ++it) ++fields;
  out.headers.reserve(fields);
  for (const auto& field : request) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return out;
}

// A request read whole, for the handler: its body is moved, not copied.
HttpRequest TakeRequest(BeastRequest& request) {
  HttpRequest out = HeadOf(request);
  out.body = std::move(request.body());
  return out;
}

BeastResponse ToBeastResponse(HttpResponse response, unsigned version, bool keep_alive) {
  BeastResponse out{static_cast<bhttp::status>(response.status), version};
  for (auto& [name, value] : response.headers) out.insert(name, value);
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

Error PayloadTooLarge() {
  return Error{ErrorCode::kPayloadTooLarge, "The request body is larger than the limit.", {}};
}
Error UriTooLong() {
  return Error{ErrorCode::kUriTooLong, "The request target (URI) is longer than the limit.", {}};
}
Error HeadersTooLarge(std::string message) {
  return Error{ErrorCode::kHeadersTooLarge, std::move(message), {}};
}

// The request target of a raw request line "METHOD SP TARGET SP VERSION"
// (or of its beginning, when the line is cut short).
std::string_view RawTarget(std::string_view line) {
  std::size_t start = line.find(' ');
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start + 1);
  return line.substr(0, line.find(' '));
}

// A header that broke the header limit: was it the request line (414) or the
// fields (431)? Beast parses the request line once it is complete and then
// applies the limit to the fields alone; until then the raw bytes stay in
// `buffer`, and a line that does not end within the limit is the long part.
Error HeaderLimitRefusal(const Parser& parser, const beast::flat_buffer& buffer,
                         const ServerOptions& options) {
  std::string_view target = parser.get().target();
  if (target.empty()) {
    std::string_view raw(static_cast<const char*>(buffer.data().data()), buffer.size());
    std::size_t end_of_line = raw.find("\r\n");
    if (end_of_line == std::string_view::npos || end_of_line >= options.header_limit_bytes) {
      return UriTooLong();
    }
    target = RawTarget(raw.substr(0, end_of_line));
  }
  if (target.size() > options.max_target_bytes) return UriTooLong();
  return HeadersTooLarge("The request headers are larger than the limit.");
}

// The refusal to answer for a failed read, or nullopt to just close (the
// peer closed or was too slow, or the server is stopping).
std::optional<Error> ReadFailure(const error_code& ec, const Parser& parser,
                                 const beast::flat_buffer& buffer, const ServerOptions& options) {
  if (ec == bhttp::error::body_limit) return PayloadTooLarge();
  if (ec == bhttp::error::header_limit) return HeaderLimitRefusal(parser, buffer, options);
  if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return Error{ErrorCode::kInvalidRequest, "The request is not valid HTTP/1.1.", {}};
  }
  return std::nullopt;
}

// Accept errors that say nothing about the connection being accepted but
// that the process is short of something (descriptors, memory): accepting
// again at once would fail again at once.
bool IsResourceShortage(const error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec == error_code(ENFILE, boost::system::system_category());
}

// How long accepting pauses after a resource shortage: long enough not to
// spin, short enough that freed descriptors are used soon.
constexpr std::chrono::milliseconds kAcceptPause{100};

// How long a refused connection keeps draining what the client still sends,
// so that the client reads the refusal instead of a reset: a request's
// refusal (it may be mid-body), and a connection turned away at accept.
constexpr std::chrono::milliseconds kRefusalLinger{2'000};
constexpr std::chrono::milliseconds kTurnAwayLinger{250};
constexpr std::chrono::milliseconds kTurnAwayWriteTimeout{1'000};

// The first read of a request asks for this much (more follows as needed).
constexpr std::size_t kFirstReadBytes = 8 * 1024;

// Pipelining: requests one connection may have in flight (read and not yet
// answered), and the bytes of requests read ahead past the first of a group.
// Together they bound what one client can make the server hold at once.
constexpr std::size_t kMaxInFlight = 64;
constexpr std::size_t kMaxReadAheadBytes = 1024 * 1024;
// What one read of bytes already waiting in the socket takes at most.
constexpr std::size_t kReadAheadChunk = 64 * 1024;

// Methods that change nothing (RFC 9110 9.2.1): their requests may be
// handled beside each other in any order.
bool IsSafe(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

// A request read and handed to the handler, with what its answer needs.
struct Incoming {
  HttpRequest request;
  unsigned version = 11;
  bool keep_alive = true;
};

// The answers of one group of pipelined requests, filled on the session's
// strand as the handler answers (in any order). `wake`, while the session
// waits for an answer, is a timer it waits on: cancelling it wakes it. Set
// and cleared on the strand only, so an answer arriving after the session
// gave up finds it null.
struct Answers {
  Answers(std::size_t count, asio::any_io_executor strand)
      : slots(count), executor(std::move(strand)) {}
  std::vector<std::optional<HttpResponse>> slots;
  asio::any_io_executor executor;  // the session's strand
  asio::steady_timer* wake = nullptr;
};

// Hands an answer (from any thread) to the session's strand. The callbacks
// built on this capture only the shared pointer, so they fit in a
// std::function without an allocation of their own.
void Deliver(const std::shared_ptr<Answers>& answers, std::size_t index, HttpResponse response) {
  asio::post(answers->executor, [answers, index, response = std::move(response)]() mutable {
    answers->slots[index] = std::move(response);
    if (answers->wake != nullptr) answers->wake->cancel();
  });
}

}  // namespace

class Server::Impl {
 public:
  Impl(RequestHandler& handler, ServerOptions options)
      : handler_(handler),
        options_(std::move(options)),
        acceptor_strand_(asio::make_strand(ioc_)),
        acceptor_(acceptor_strand_),
        signals_(acceptor_strand_) {}

  Status Listen() {
    error_code ec;
    auto address =
        asio::ip::make_address(options_.host == "localhost" ? "127.0.0.1" : options_.host, ec);
    if (ec) return Fail(ErrorCode::kInvalidRequest, "Not an IP address: " + options_.host);
    tcp::endpoint endpoint(address, options_.port);
    if (acceptor_.open(endpoint.protocol(), ec) ||
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec) ||
        acceptor_.bind(endpoint, ec) ||
        acceptor_.listen(asio::socket_base::max_listen_connections, ec)) {
      return Fail(Unavailable("Cannot listen on " + options_.host + ":" +
                              std::to_string(options_.port) + ": " + ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    if (options_.handle_signals) {
      // Installed now, before anyone learns the port: a signal that arrives
      // before Run() is queued and starts the shutdown as soon as Run() begins.
      signals_.add(SIGINT, ec);
      signals_.add(SIGTERM, ec);
      if (ec) return Fail(Unavailable("Cannot handle SIGINT/SIGTERM: " + ec.message()));
    }
    return {};
  }

  void Run() {
    if (options_.handle_signals) {
      signals_.async_wait([this](const error_code& ec, int) {
        if (!ec) Stop();
      });
    }
    asio::co_spawn(acceptor_strand_, Accept(), asio::detached);
    std::vector<std::thread> threads;
    for (int i = 0; i < std::max(1, options_.threads); ++i)
      threads.emplace_back([this] { ioc_.run(); });

    std::unique_lock lock(mu_);
    stop_cv_.wait(lock, [this] { return stop_requested_; });
    std::vector<std::shared_ptr<SessionState>> open(sessions_.begin(), sessions_.end());
    lock.unlock();
    asio::post(acceptor_strand_, [this] {
      error_code ignored;
      acceptor_.close(ignored);
      signals_.cancel(ignored);
    });
    for (const auto& session : open) CloseIfIdle(session);
    lock.lock();
    bool drained =
        stop_cv_.wait_for(lock, options_.shutdown_grace, [this] { return sessions_.empty(); });
    lock.unlock();
    if (!drained) {
      log::Warn("dropping connections still open after the grace period",
                {{"graceMs", options_.shutdown_grace.count()}});
    }
    ioc_.stop();
    for (auto& thread : threads) thread.join();
  }

  void Stop() {
    std::lock_guard lock(mu_);
    stopping_.store(true);
    stop_requested_ = true;
    stop_cv_.notify_all();
  }

  const std::string& host() const { return options_.host; }
  std::uint16_t port() const { return port_; }

 private:
  // Runs on the session's strand: an idle session's wait for a request ends,
  // unless a request has already started to arrive.
  void CloseIfIdle(const std::shared_ptr<SessionState>& session) {
    asio::post(session->executor, [session] {
      if (session->stream == nullptr || session->busy) return;
      if (HasPendingBytes(*session->stream, *session->buffer)) return;
      session->stream->cancel();
    });
  }

  asio::awaitable<void> Accept() {
    asio::steady_timer pause(acceptor_strand_);
    bool accept_failing = false;  // reported once per spell, not per failure
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kUseTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec == asio::error::connection_aborted) continue;  // that client gave up
        if (!accept_failing) {
          log::Error("cannot accept connections; pausing accepts until it passes",
                     {{"error", ec.message()}});
        }
        accept_failing = true;
        // Whatever it is, retrying in a tight loop would only burn a core:
        // the connections wait in the listen backlog meanwhile.
        pause.expires_after(IsResourceShortage(ec) ? kAcceptPause : kAcceptPause / 10);
        auto [pause_ec] = co_await pause.async_wait(kUseTuple);
        (void)pause_ec;  // cancelled only with the whole io_context
        continue;
      }
      if (accept_failing) {
        log::Info("accepting connections again");
        accept_failing = false;
      }
      // Answers go out as soon as they are written: pipelined answers are
      // several small writes in a row, which Nagle's algorithm would hold
      // back until the client's delayed ACK (40 ms on Linux).
      error_code no_delay_ec;
      socket.set_option(tcp::no_delay(true), no_delay_ec);
      auto state = std::make_shared<SessionState>();
      state->executor = socket.get_executor();
      std::optional<Error> refusal;
      {
        std::lock_guard lock(mu_);
        if (stopping_.load()) {
          refusal = Unavailable("The service is stopping; try another instance or again later.");
        } else if (sessions_.size() >= options_.max_connections) {
          refusal =
              Error{ErrorCode::kOverloaded, "Too many open connections; try again shortly.", {}};
        } else {
          sessions_.insert(state);
        }
      }
      auto executor = socket.get_executor();
      if (!refusal) {
        handler_.ConnectionOpened();
        asio::co_spawn(executor, Session(beast::tcp_stream(std::move(socket)), state),
                       [this, state](std::exception_ptr error) { EndSession(state, error); });
      } else {
        asio::co_spawn(executor,
                       TurnAway(beast::tcp_stream(std::move(socket)), std::move(*refusal)),
                       asio::detached);
      }
    }
  }

  void EndSession(const std::shared_ptr<SessionState>& state, std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::Error("session failed", {{"error", e.what()}});
      }
    }
    handler_.ConnectionClosed();
    std::lock_guard lock(mu_);
    sessions_.erase(state);
    if (sessions_.empty()) stop_cv_.notify_all();
  }

  // A connection not admitted (too many open, or stopping): answer 503 and close.
  asio::awaitable<void> TurnAway(beast::tcp_stream stream, Error error) {
    auto response = ToBeastResponse(handler_.Refuse(HttpRequest{}, error), 11, false);
    // Short deadlines: these connections are not counted against the cap.
    co_await SendRefusal(stream, response, kTurnAwayWriteTimeout, kTurnAwayLinger);
  }

  // Hands a group of requests to the handler at once (so that pipelined
  // writes share an engine batch); each answer, which may come from the
  // engine's sequencer thread, is posted back to the session's strand.
  std::shared_ptr<Answers> Dispatch(std::vector<Incoming>& group,
                                    const asio::any_io_executor& executor) {
    auto answers = std::make_shared<Answers>(group.size(), executor);
    if (group.size() == 1) {
      handler_.Handle(std::move(group[0].request), [answers](HttpResponse response) {
        Deliver(answers, 0, std::move(response));
      });
      return answers;
    }
    std::vector<HttpRequest> requests;
    requests.reserve(group.size());
    for (Incoming& incoming : group) requests.push_back(std::move(incoming.request));
    handler_.HandleMany(std::move(requests), [answers](std::size_t index, HttpResponse response) {
      Deliver(answers, index, std::move(response));
    });
    return answers;
  }

  // Writes a group's answers in request order, each as soon as it and all
  // before it are in. False when the connection is to end: an answer closed
  // it, a write failed or timed out, or an event stream took it over.
  // `refusal_follows`: a refused request comes after the group, so its last
  // answer does not close the connection.
  asio::awaitable<bool> WriteAnswers(beast::tcp_stream& stream, const std::vector<Incoming>& group,
                                     Answers& answers, bool refusal_follows) {
    asio::steady_timer wake(stream.get_executor());
    for (std::size_t next = 0; next < group.size(); ++next) {
      while (!answers.slots[next]) {
        answers.wake = &wake;
        wake.expires_at(asio::steady_timer::time_point::max());
        auto [wake_ec] = co_await wake.async_wait(kUseTuple);
        (void)wake_ec;  // cancelled: an answer arrived
        answers.wake = nullptr;
      }
      HttpResponse answer = std::move(*answers.slots[next]);
      if (answer.stream) {  // server-sent events: the connection is the stream's now
        co_await StreamEvents(stream, std::move(answer), group[next].version);
        co_return false;
      }
      const bool last = next + 1 == group.size();
      const bool keep_alive =
          group[next].keep_alive && (!last || refusal_follows || !stopping_.load());
      auto response = ToBeastResponse(std::move(answer), group[next].version, keep_alive);
      stream.expires_after(options_.write_timeout);
      auto [write_ec, write_bytes] = co_await bhttp::async_write(stream, response, kUseTuple);
      stream.expires_never();
      if (write_ec || !keep_alive) co_return false;
    }
    co_return true;
  }

  // Moves bytes already waiting in the socket into `buffer`, without
  // waiting. False when there are none (or the socket failed: the next
  // read reports it).
  static bool PullWaiting(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
    error_code ec;
    const std::size_t waiting = stream.socket().available(ec);
    if (ec || waiting == 0) return false;
    auto space = buffer.prepare(std::min(waiting, kReadAheadChunk));
    const std::size_t received = stream.socket().read_some(space, ec);
    if (ec) return false;
    buffer.commit(received);
    return received > 0;
  }

  // Parses one request from the start of `buffer` without consuming it:
  // the bytes it took when it has arrived whole, else 0 and nothing is kept
  // (it is parsed again once more has arrived). Sets `refusal` for a
  // request that must be refused (the same limits as ReadRequest).
  std::size_t ParseWhole(const beast::flat_buffer& buffer, Parser& parser,
                         std::optional<Error>& refusal) const {
    const asio::const_buffer bytes = buffer.data();
    const char* data = static_cast<const char*>(bytes.data());
    auto failed = [&](const error_code& ec) {
      refusal = ReadFailure(ec, parser, buffer, options_);
      if (!refusal)
        refusal = Error{ErrorCode::kInvalidRequest, "The request is not valid HTTP/1.1.", {}};
      return std::size_t{0};
    };
    error_code ec;
    std::size_t used = parser.put(asio::const_buffer(data, bytes.size()), ec);
    if (ec == bhttp::error::need_more) return 0;
    if (ec) return failed(ec);
    if (!parser.is_header_done()) return 0;
    refusal = CheckHeader(parser);
    if (refusal) return 0;
    parser.eager(true);
    while (!parser.is_done()) {
      const std::size_t taken =
          parser.put(asio::const_buffer(data + used, bytes.size() - used), ec);
      used += taken;
      if (ec == bhttp::error::need_more) return 0;
      if (ec) return failed(ec);
      if (taken == 0) return 0;
    }
    return used;
  }

  // HTTP/1.1 pipelining: parses, without waiting, the requests that have
  // already arrived behind the group's first, so they are handled together.
  // Stops at kMaxInFlight requests or kMaxReadAheadBytes, at a request not
  // yet arrived whole (it is read as the next group's first, within its own
  // read timeout), after one that ends the connection or may stream, and at
  // one that must be refused: that refusal is returned, to be sent after the
  // answers before it, and then the connection closes.
  std::optional<BeastResponse> ReadAhead(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                         std::vector<Incoming>& group) {
    // Reads are answered at once and writes after the commit, so a read that
    // follows a write waits for the next group: it must see that write.
    bool has_write = !IsSafe(group.front().request.method);
    std::size_t taken = 0;
    while (group.size() < kMaxInFlight && taken < kMaxReadAheadBytes) {
      const Incoming& last = group.back();
      if (!last.keep_alive) return std::nullopt;
      // A client that is not pipelining leaves nothing behind its request:
      // it costs no system call to find that out. One that is may have more
      // in the socket than the last read took.
      if (buffer.size() == 0 && (group.size() == 1 || !PullWaiting(stream, buffer))) {
        return std::nullopt;
      }
      if (handler_.MayStream(last.request.method, last.request.target)) return std::nullopt;
      Parser parser;
      parser.body_limit(boost::none);  // set per route once the header is read
      parser.header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
      std::optional<Error> refusal;
      const std::size_t used = ParseWhole(buffer, parser, refusal);
      if (refusal) {
        HttpRequest partial = HeadOf(parser.get());
        return ToBeastResponse(handler_.Refuse(partial, *refusal), 11, false);
      }
      if (used == 0) {
        // Part of it is here: take what else is waiting and try again.
        if (buffer.size() < kMaxReadAheadBytes && PullWaiting(stream, buffer)) continue;
        return std::nullopt;
      }
      const bool safe = IsSafe(parser.get().method_string());
      if (safe && has_write) return std::nullopt;  // parsed again as the next group's first
      has_write = has_write || !safe;
      buffer.consume(used);
      taken += used;
      group.push_back(Take(parser));
    }
    return std::nullopt;
  }

  static Incoming Take(Parser& parser) {
    BeastRequest& request = parser.get();
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    return Incoming{TakeRequest(request), version, keep_alive};
  }

  // Waits up to idle_timeout for the first bytes of the next request (unless
  // they are in `buffer` already). False when the connection is to end: the
  // peer closed or stayed silent, or Stop() cancelled the wait.
  asio::awaitable<bool> AwaitRequestStart(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
    if (buffer.size() > 0) co_return true;
    stream.expires_after(options_.idle_timeout);
    auto space = buffer.prepare(kFirstReadBytes);
    auto [ec, received] = co_await stream.async_read_some(space, kUseTuple);
    if (ec) co_return false;
    buffer.commit(received);
    co_return true;
  }

  // Limits that can be checked only once the header is parsed: the target,
  // the number of fields, a declared Content-Length against the route's
  // body limit (which is then set for a chunked body, checked as it arrives).
  std::optional<Error> CheckHeader(Parser& parser) const {
    const BeastRequest& header = parser.get();
    if (header.target().size() > options_.max_target_bytes) return UriTooLong();
    std::size_t fields = 0;
    for (auto it = header.begin(); it != header.end(); ++it) ++fields;
    if (fields > options_.max_header_count) {
      return HeadersTooLarge("The request has more than " +
                             std::to_string(options_.max_header_count) + " header fields.");
    }
    const std::size_t limit =
        handler_.BodyLimit(header.method_string(), header.target(), options_.body_limit_bytes);
    const auto length = parser.content_length();
    if (length && *length > limit) return PayloadTooLarge();
    parser.body_limit(limit);
    return std::nullopt;
  }

  // Reads one request into `parser`, its first bytes already in `buffer`,
  // within read_timeout. False when there is none to handle: the peer
  // closed, was too slow or was cancelled, or the request was refused (413,
  // 414, 431, 400) and that answer was sent.
  asio::awaitable<bool> ReadRequest(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                    Parser& parser, SessionState& state) {
    stream.expires_after(options_.read_timeout);
    // GCC 12 mishandles temporaries inside co_await expressions: every
    // argument of a co_await below is a named local.
    auto [header_ec, header_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
    std::optional<Error> refusal;
    if (header_ec) {
      refusal = ReadFailure(header_ec, parser, buffer, options_);
    } else {
      state.busy = true;
      refusal = CheckHeader(parser);
    }
    if (!header_ec && !refusal) {
      bool expects_continue =
          parser.get().version() >= 11 &&
          bhttp::token_list(parser.get()[bhttp::field::expect]).exists("100-continue");
      if (expects_continue) {
        bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, 11};
        auto [continue_ec, continue_bytes] =
            co_await bhttp::async_write(stream, proceed, kUseTuple);
        if (continue_ec) co_return false;
      }
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
      if (!body_ec) co_return true;
      refusal = ReadFailure(body_ec, parser, buffer, options_);
    }
    if (!refusal) co_return false;
    // What was parsed before the failure (method and target come first), so
    // the refusal is counted under its route and echoes X-Request-Id if seen.
    HttpRequest partial = HeadOf(parser.get());
    BeastResponse response = ToBeastResponse(handler_.Refuse(partial, *refusal), 11, false);
    co_await SendRefusal(stream, response, options_.write_timeout, kRefusalLinger);
    co_return false;
  }

  // Reads a request (waiting up to idle_timeout for it to start), reads
  // ahead the ones pipelined behind it, hands them to the handler together
  // and writes their answers in order; then the next.
  asio::awaitable<void> Session(beast::tcp_stream stream, std::shared_ptr<SessionState> state) {
    beast::flat_buffer buffer;
    state->stream = &stream;
    state->buffer = &buffer;
    const asio::any_io_executor executor = stream.get_executor();
    for (;;) {
      state->busy = false;
      if (stopping_.load() && !HasPendingBytes(stream, buffer)) break;
      if (!co_await AwaitRequestStart(stream, buffer)) break;
      Parser parser;
      parser.body_limit(boost::none);  // set per route once the header is read
      parser.header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
      bool have_request = co_await ReadRequest(stream, buffer, parser, *state);
      if (!have_request) break;
      stream.expires_never();  // waiting for the engine is bounded by its queue, not by us
      std::vector<Incoming> group;
      group.push_back(Take(parser));
      std::optional<BeastResponse> refusal = ReadAhead(stream, buffer, group);
      std::shared_ptr<Answers> answers = Dispatch(group, executor);
      const bool go_on = co_await WriteAnswers(stream, group, *answers, refusal.has_value());
      if (go_on && refusal) {
        co_await SendRefusal(stream, *refusal, options_.write_timeout, kRefusalLinger);
        break;
      }
      if (!go_on) break;
    }
    state->stream = nullptr;
    state->buffer = nullptr;
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Sends the head of a streamed response (no length: the body ends when the
  // connection does), then whatever the stream has at each poll, until the
  // client is gone or too slow (a write past the stream's timeout) or the
  // server stops. A stop is noticed within one poll interval, well inside
  // the shutdown grace.
  asio::awaitable<void> StreamEvents(beast::tcp_stream& stream, HttpResponse answer,
                                     unsigned version) {
    std::shared_ptr<EventStream> events = std::move(answer.stream);
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(answer.status), version};
    for (auto& [name, value] : answer.headers) head.insert(name, value);
    head.keep_alive(false);
    bhttp::response_serializer<bhttp::empty_body> serializer{head};
    stream.expires_after(events->write_timeout());
    auto [head_ec, head_bytes] = co_await bhttp::async_write_header(stream, serializer, kUseTuple);
    if (head_ec) co_return;
    stream.expires_never();  // between writes the stream may be quiet for long
    asio::steady_timer timer(stream.get_executor());
    while (!stopping_.load() && !PeerClosed(stream)) {
      std::string chunk = events->Poll(std::chrono::steady_clock::now());
      if (!chunk.empty()) {
        stream.expires_after(events->write_timeout());
        asio::const_buffer bytes = asio::buffer(chunk);
        auto [write_ec, written] = co_await asio::async_write(stream, bytes, kUseTuple);
        if (write_ec) co_return;
        stream.expires_never();
      }
      timer.expires_after(events->poll_interval());
      auto [wait_ec] = co_await timer.async_wait(kUseTuple);
      if (wait_ec) co_return;
    }
  }

  // Answers a request that cannot be read (or a connection not admitted),
  // then closes without resetting: the client's unread bytes are drained for
  // up to `linger` so that it sees the answer rather than a connection reset.
  asio::awaitable<void> SendRefusal(beast::tcp_stream& stream, BeastResponse& response,
                                    std::chrono::milliseconds write_timeout,
                                    std::chrono::milliseconds linger) {
    stream.expires_after(write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, response, kUseTuple);
    if (write_ec) co_return;
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink;
    auto space = asio::buffer(sink);
    std::size_t drained = 0;
    stream.expires_after(linger);
    while (drained < 4 * 1024 * 1024) {
      auto [read_ec, n] = co_await stream.async_read_some(space, kUseTuple);
      if (read_ec) break;
      drained += n;
    }
  }

  RequestHandler& handler_;
  ServerOptions options_;
  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  std::uint16_t port_ = 0;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;                                 // guarded by mu_
  std::unordered_set<std::shared_ptr<SessionState>> sessions_;  // guarded by mu_
};

Expected<std::unique_ptr<Server>> Server::Open(RequestHandler& handler, ServerOptions options) {
  auto impl = std::make_unique<Impl>(handler, std::move(options));
  if (auto listening = impl->Listen(); !listening) return Fail(listening.error());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;
const std::string& Server::host() const { return impl_->host(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace allot::http
