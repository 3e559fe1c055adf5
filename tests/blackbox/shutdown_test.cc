// Graceful shutdown within bounded time, through the real binary: after
// SIGTERM new connections are refused, idle keep-alive connections do not
// delay the exit, writes in flight are answered, and a client stuck in the
// middle of a request is dropped at --shutdown-grace-ms; the exit is 0.
// (process_test.cc covers what happens to the data.)
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "blackbox.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

long long Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

class ShutdownTest : public BlackboxTest {
 protected:
  // Sends SIGTERM, waits for the exit and returns how long it took.
  Clock::duration TerminateAndWait(std::optional<int>* status) {
    auto start = Clock::now();
    EXPECT_TRUE(server_.Terminate(SIGTERM));
    *status = server_.Wait(30s);
    return Clock::now() - start;
  }
};

// The default grace (10 s) is far longer than an exit may take here.
TEST_F(ShutdownTest, IdleKeepAliveConnectionsDoNotDelayTheExit) {
  std::vector<HttpClient> idle = OpenConnections(port(), 50);
  for (HttpClient& client : idle) ASSERT_TRUE(client.connected());
  std::optional<int> status;
  auto took = TerminateAndWait(&status);
  EXPECT_TRUE(ExitedZero(status)) << server_.output();
  EXPECT_LT(took, 2s);
  for (HttpClient& client : idle) EXPECT_TRUE(client.WaitForClose(1s));
  std::cerr << "[ measured ] exit with 50 idle keep-alive connections: " << Millis(took) << " ms\n";
}

TEST_F(ShutdownTest, WritesInFlightAreAnsweredAndTheExitIsPrompt) {
  MakeItem("flight", 1000);
  std::vector<HttpClient> clients = OpenConnections(port(), 16);
  for (int i = 0; i < 16; ++i) {
    std::string body = R"({"userId":"u)" + std::to_string(i) + R"(","itemId":"flight","qty":1})";
    ASSERT_TRUE(clients[i].SendRaw("POST " + ApiPath("/reservations") +
                                   " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body));
  }
  std::optional<int> status;
  auto took = TerminateAndWait(&status);
  EXPECT_TRUE(ExitedZero(status)) << server_.output();
  for (int i = 0; i < 16; ++i) {
    Response answer = clients[i].ReadResponse();
    EXPECT_EQ(answer.status, 201) << "request " << i << ": " << Describe(answer);
  }
  EXPECT_LT(took, 3s);
  std::cerr << "[ measured ] exit with 16 writes in flight: " << Millis(took) << " ms\n";
}

class StalledClientShutdownTest : public ShutdownTest {
 protected:
  // A read timeout far beyond the grace: only the grace can end the stall.
  std::vector<std::string> ServerArgs() const override {
    return {"--shutdown-grace-ms", "1000", "--read-timeout-ms", "60000"};
  }
};

TEST_F(StalledClientShutdownTest, NewConnectionsAreRefusedAndAStalledRequestIsDroppedAtTheGrace) {
  HttpClient stalled(port());
  ASSERT_TRUE(stalled.SendRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: "));
  HttpClient idle(port());
  ASSERT_EQ(idle.Get("/healthz").status, 200);
  std::this_thread::sleep_for(100ms);  // the partial request has reached the server

  auto start = Clock::now();
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  EXPECT_TRUE(idle.WaitForClose(500ms)) << "an idle connection outlived SIGTERM";
  std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(server_.Poll().has_value()) << "exited without waiting for the stalled request";
  HttpClient late(port());
  EXPECT_FALSE(late.Connect()) << "a new connection was accepted after SIGTERM";

  std::optional<int> status = server_.Wait(30s);
  auto took = Clock::now() - start;
  EXPECT_TRUE(ExitedZero(status)) << server_.output();
  EXPECT_GE(took, 900ms) << "the stalled request was dropped before the grace";
  EXPECT_LT(took, 2500ms) << "grace 1000 ms";
  EXPECT_TRUE(stalled.WaitForClose(1s));
  std::cerr << "[ measured ] exit with a stalled request, grace 1000 ms: " << Millis(took)
            << " ms\n";
}

}  // namespace
}  // namespace allot::testing
