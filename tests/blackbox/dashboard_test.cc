// The dashboard routes of the real binary: the page and the API document are
// served, and SIGTERM ends open event streams at once instead of waiting out
// the shutdown grace period.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "blackbox.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A raw connection that asks for the event stream and reads what comes.
class StreamConnection {
 public:
  explicit StreamConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
    std::string request = "GET /api/v1/changes/stream HTTP/1.1\r\nHost: x\r\n\r\n";
    connected_ = write(fd_, request.data(), request.size()) == static_cast<ssize_t>(request.size());
  }
  ~StreamConnection() {
    if (fd_ >= 0) close(fd_);
  }

  // Reads until `needle` arrived (true) or EOF / `timeout` (false).
  bool ReadUntil(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (received_.find(needle) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }

  // True when the server closes the connection within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (ReadSome(deadline)) {
    }
    return eof_;
  }

  bool connected() const { return connected_; }
  const std::string& received() const { return received_; }

 private:
  bool ReadSome(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (eof_ || left.count() <= 0) return false;
    pollfd readable{fd_, POLLIN, 0};
    if (poll(&readable, 1, static_cast<int>(left.count())) <= 0) return false;
    char buffer[4096];
    ssize_t n = read(fd_, buffer, sizeof buffer);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;
};

class DashboardTest : public BlackboxTest {};

TEST_F(DashboardTest, ServesThePageAndTheApiDocument) {
  HttpClient client(port());
  Response page = client.Get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("EventSource"), std::string::npos);

  Response document = client.Get("/api/v1/openapi.json");
  ASSERT_EQ(document.status, 200);
  EXPECT_EQ(document.Header("Content-Type"), "application/json");
  json::object parsed = JsonBody(document);
  EXPECT_TRUE(GetString(parsed, "openapi").value_or("").starts_with("3."));
}

TEST_F(DashboardTest, SigtermEndsOpenStreamsAndExitsPromptly) {
  MakeItem("mug", 3);
  std::vector<std::unique_ptr<StreamConnection>> streams;
  for (int i = 0; i < 3; ++i) {
    streams.push_back(std::make_unique<StreamConnection>(port()));
    ASSERT_TRUE(streams.back()->connected());
    ASSERT_TRUE(streams.back()->ReadUntil("event: item.created", 10s)) << streams.back()->received();
  }
  auto signalled = Clock::now();
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  std::optional<int> status = server_.Wait(8s);
  ASSERT_TRUE(status.has_value()) << "still running; output:\n" << server_.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server_.output();
  // The grace period is 10 s; streams must not hold the exit for it.
  EXPECT_LT(Clock::now() - signalled, 3s);
  for (auto& stream : streams) EXPECT_TRUE(stream->ClosedWithin(1s));
}

}  // namespace
}  // namespace allot::testing
