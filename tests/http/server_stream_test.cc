// Server-sent events through the real Server on a loopback port: the head,
// events as they happen, a client that leaves, and a stop with streams open.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "deadline_read.h"
#include "http/server.h"
#include "test_service.h"

namespace allot::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::int64_t kT0 = 1'795'428'000'000;

class ServerStreamTest : public ::testing::Test {
 protected:
  void Start() {
    ASSERT_TRUE(service_.ok());
    ServerOptions options;
    options.port = 0;
    options.handle_signals = false;
    auto server = Server::Open(service_.handler(), options);
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    run_ = std::async(std::launch::async, [this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
      EXPECT_EQ(run_.wait_for(15s), std::future_status::ready);
      service_.StopEngine();  // before the server goes: see TestService
      server_.reset();
    }
  }

  tcp::socket Connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return socket;
  }

  // Reads into `received` until it contains `needle`; false at EOF or after
  // `timeout` (a real deadline: deadline_read.h).
  static bool ReadUntil(tcp::socket& socket, std::string& received, const std::string& needle,
                        std::chrono::milliseconds timeout = 5s) {
    return test_io::ReadUntil(socket.native_handle(), received, needle, timeout);
  }

  // True when the server closes the connection within `timeout` (whatever
  // it sends before).
  static bool ReadsToEof(tcp::socket& socket, std::chrono::milliseconds timeout) {
    std::string ignored;
    return test_io::ReadToClose(socket.native_handle(), ignored, timeout);
  }

  // Opens a stream and reads its head; the head is left in `received`.
  tcp::socket OpenStream(std::string& received) {
    tcp::socket socket = Connect();
    asio::write(socket,
                asio::buffer(std::string("GET /api/v1/changes/stream HTTP/1.1\r\nHost: x\r\n\r\n")));
    EXPECT_TRUE(ReadUntil(socket, received, "\r\n\r\n")) << received;
    return socket;
  }

  // One request on its own connection; the whole response.
  std::string Request(const std::string& raw) {
    tcp::socket socket = Connect();
    asio::write(socket, asio::buffer(raw));
    std::string received;
    EXPECT_TRUE(test_io::ReadToClose(socket.native_handle(), received, 5s))
        << "still open after 5 s: " << received;
    return received;
  }

  static std::string Post(const std::string& target, const std::string& body) {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  asio::io_context io_;
  TestService service_{kT0};
  std::unique_ptr<Server> server_;
  std::future<void> run_;
};

TEST_F(ServerStreamTest, SendsEventsAsTheyHappen) {
  Start();
  ASSERT_NE(Request(Post("/api/v1/items", R"({"id":"mug","onHand":5})")).find("201 Created"),
            std::string::npos);
  std::string received;
  tcp::socket stream = OpenStream(received);
  EXPECT_TRUE(received.starts_with("HTTP/1.1 200 OK\r\n")) << received;
  EXPECT_NE(received.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(received.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(received.find("Content-Length"), std::string::npos) << "the body lasts until close";
  // From the start of the journal: the item's creation first.
  ASSERT_TRUE(ReadUntil(stream, received, "id: 1\nevent: item.created\ndata: {\"seq\":1,"))
      << received;

  std::string reserved =
      Request(Post("/api/v1/reservations", R"({"userId":"ann","itemId":"mug","qty":2})"));
  ASSERT_NE(reserved.find("201 Created"), std::string::npos) << reserved;
  std::string id = reserved.substr(reserved.find("\"id\":\"") + 6, 30);
  id = id.substr(0, id.find('"'));
  EXPECT_TRUE(ReadUntil(stream, received,
                        "id: 2\nevent: reservation.created\ndata: {\"seq\":2,\"type\":"
                        "\"reservation.created\",\"at\":"))
      << received;
  EXPECT_TRUE(ReadUntil(stream, received, "\"data\":{\"id\":\"" + id + "\"")) << received;
  EXPECT_EQ(received.find("id: 1\n", received.find("id: 2\n")), std::string::npos)
      << "sent once";
}

TEST_F(ServerStreamTest, StopEndsOpenStreamsAtOnce) {
  Start();
  // Each stream reads its own head, so all three are open before the stop
  // (with one shared buffer, the second and third found the first's head and
  // raced the stop: refused, their sockets stayed open until the server was
  // destroyed, and the EOF check below waited for ever).
  std::vector<tcp::socket> streams;
  for (int i = 0; i < 3; ++i) {
    std::string received;
    streams.push_back(OpenStream(received));
  }
  auto started = std::chrono::steady_clock::now();
  server_->Stop();
  // Well inside the 10 s grace: each stream sees the stop at its next poll.
  ASSERT_EQ(run_.wait_for(3s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  for (auto& stream : streams) EXPECT_TRUE(ReadsToEof(stream, 1s));
  server_.reset();
}

TEST_F(ServerStreamTest, AClientThatLeavesFreesItsSlot) {
  Start();
  std::vector<tcp::socket> streams;
  for (std::size_t i = 0; i < TestService::kMaxStreams; ++i) {
    std::string received;
    streams.push_back(OpenStream(received));
    ASSERT_TRUE(received.starts_with("HTTP/1.1 200 OK")) << i << ": " << received;
  }
  std::string refused =
      Request("GET /api/v1/changes/stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;

  // Within a second: with nothing to send, no write to the closed
  // connection fails, so the server must notice the close by itself.
  streams.front().close();
  bool admitted = false;
  for (auto deadline = std::chrono::steady_clock::now() + 1s;
       !admitted && std::chrono::steady_clock::now() < deadline;) {
    std::string received;
    tcp::socket again = Connect();
    asio::write(again, asio::buffer(std::string("GET /api/v1/changes/stream HTTP/1.1\r\nHost: x\r\n\r\n")));
    ReadUntil(again, received, "\r\n\r\n");
    admitted = received.starts_with("HTTP/1.1 200 OK");
    if (!admitted) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(admitted);
}

}  // namespace
}  // namespace allot::http
