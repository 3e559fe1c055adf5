// Limits on everything a client can make the server hold, through the real
// binary with small limits: each over-limit request gets its contract error
// and the connection is closed; slow and surplus connections are dropped
// or turned away while everyone else is served; running out of file
// descriptors pauses accepting instead of spinning.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "blackbox.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string RawGet(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         std::string(extra_headers) + "\r\n";
}

std::string RawPost(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

// Sends `raw` on a new connection and reads the one answer.
Response OneShot(int port, const std::string& raw) {
  HttpClient client(port);
  if (!client.SendRaw(raw)) return Response{.error = "send failed"};
  return client.ReadResponse();
}

// The refusal came with Connection: close, and the connection did close.
::testing::AssertionResult RefusedAndClosed(int port, const std::string& raw, int status,
                                            std::string_view code) {
  HttpClient client(port);
  if (!client.SendRaw(raw)) return ::testing::AssertionFailure() << "send failed";
  Response response = client.ReadResponse();
  if (auto error = IsError(response, status, code); !error) return error;
  if (response.Header("Connection").value_or("") != "close") {
    return ::testing::AssertionFailure() << "no Connection: close: " << Describe(response);
  }
  if (!client.WaitForClose(3s)) return ::testing::AssertionFailure() << "connection left open";
  return ::testing::AssertionSuccess();
}

class LimitsTest : public BlackboxTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {"--max-body-bytes", "1024", "--max-uri-bytes",   "256", "--max-header-bytes", "2048",
            "--max-headers",    "10",   "--read-timeout-ms", "500", "--idle-timeout-ms",  "5000"};
  }
};

TEST_F(LimitsTest, EachOverLimitRequestGetsItsErrorAndTheConnectionCloses) {
  const std::string item = R"({"id":"big","onHand":1,"name":")" + std::string(1100, 'n') + "\"}";
  EXPECT_TRUE(RefusedAndClosed(port(), RawPost(ApiPath("/items"), item), 413, "payload_too_large"));
  const std::string long_target = ApiPath("/items/" + std::string(300, 'a'));
  EXPECT_TRUE(RefusedAndClosed(port(), RawGet(long_target), 414, "uri_too_long"));
  // A request line longer than the whole header limit is still the URI's fault.
  const std::string huge_target = ApiPath("/items/" + std::string(5000, 'a'));
  EXPECT_TRUE(RefusedAndClosed(port(), RawGet(huge_target), 414, "uri_too_long"));
  EXPECT_TRUE(RefusedAndClosed(port(),
                               RawGet("/healthz", "X-Big: " + std::string(3000, 'b') + "\r\n"), 431,
                               "headers_too_large"));
  std::string many;
  for (int i = 0; i < 10; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";  // 11 with Host
  EXPECT_TRUE(RefusedAndClosed(port(), RawGet("/healthz", many), 431, "headers_too_large"));
  EXPECT_TRUE(RefusedAndClosed(port(), "NOT HTTP AT ALL\r\n\r\n", 400, "invalid_request"));

  // Just under every limit is served, and the refused item was never made.
  many.erase(many.rfind("X-"));  // 10 fields with Host
  EXPECT_EQ(OneShot(port(), RawGet("/healthz", many)).status, 200);
  EXPECT_TRUE(
      IsNotFound(OneShot(port(), RawGet(ApiPath("/items/" + std::string(128, 'a')))), "item", ""));
  EXPECT_TRUE(IsNotFound(api().GetItem("big"), "item", "big"));
}

TEST_F(LimitsTest, AnEventMayStillHaveALargerBody) {
  json::array seats;
  for (int i = 0; i < 300; ++i) seats.push_back(json::value("S-" + std::to_string(i)));
  std::string body = json::serialize(json::object{{"id", "gig"}, {"seats", seats}});
  ASSERT_GT(body.size(), 1024u);
  EXPECT_EQ(api().Post("/events", body).status, 201);
}

TEST_F(LimitsTest, JsonNestedTooDeeplyIsInvalid) {
  std::string deep =
      R"({"id":"deep","onHand":1,"name":)" + std::string(40, '[') + std::string(40, ']') + "}";
  Response response = api().Post("/items", deep);
  EXPECT_TRUE(IsError(response, 400, "invalid_request")) << Describe(response);
  EXPECT_TRUE(IsNotFound(api().GetItem("deep"), "item", "deep"));
}

TEST_F(LimitsTest, ASlowLorisIsDroppedWithinTheReadTimeoutWhileOthersAreServed) {
  std::atomic<bool> dropped{false};
  Clock::duration held_for{};
  std::jthread loris([&] {
    HttpClient slow(port());
    auto start = Clock::now();
    if (!slow.SendRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")) return;
    // A byte every 100 ms: never a long silence, never a whole request.
    while (Clock::now() - start < 5s) {
      std::this_thread::sleep_for(100ms);
      if (!slow.SendRaw("z") || slow.WaitForClose(0ms)) break;
    }
    held_for = Clock::now() - start;
    dropped = Clock::now() - start < 5s;
  });
  int served = 0;
  auto start = Clock::now();
  while (Clock::now() - start < 1s) {
    Response health = OneShot(port(), RawGet("/healthz"));
    EXPECT_EQ(health.status, 200) << Describe(health);
    served += health.status == 200;
    std::this_thread::sleep_for(20ms);
  }
  loris.join();
  EXPECT_GT(served, 10);
  EXPECT_TRUE(dropped.load()) << "a client dribbling a request was kept for 5 s";
  EXPECT_GE(held_for, 500ms);
  EXPECT_LT(held_for, 1500ms) << "read timeout 500 ms";
  std::cerr << "[ measured ] slow client dropped after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(held_for).count() << " ms\n";
}

class ConnectionCapTest : public BlackboxTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--max-connections", "4"}; }
};

TEST_F(ConnectionCapTest, ConnectionsBeyondTheCapGet503AndTheServerKeepsServing) {
  std::vector<HttpClient> admitted;
  for (int i = 0; i < 4; ++i) {
    admitted.emplace_back(port());
    ASSERT_EQ(admitted.back().Get("/healthz").status, 200) << "connection " << i;
  }
  for (int i = 0; i < 3; ++i) {
    HttpClient extra(port());
    ASSERT_TRUE(extra.SendRaw(RawGet("/healthz")));
    Response refused = extra.ReadResponse();
    EXPECT_TRUE(IsError(refused, 503, "overloaded")) << Describe(refused);
    EXPECT_EQ(refused.Header("Retry-After"), "1");
    EXPECT_TRUE(extra.WaitForClose(3s));
  }
  // The admitted ones were not disturbed.
  for (HttpClient& client : admitted) EXPECT_EQ(client.Get("/healthz").status, 200);
  admitted.clear();  // closes them; the server notices within moments
  auto deadline = Clock::now() + 5s;
  int status = 0;
  while (Clock::now() < deadline) {
    status = OneShot(port(), RawGet("/healthz")).status;
    if (status == 200) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200) << "no connection admitted after the others closed";
  std::vector<HttpClient> again;
  for (int i = 0; i < 4; ++i) {
    again.emplace_back(port());
    EXPECT_EQ(again.back().Get("/healthz").status, 200) << "connection " << i;
  }
}

// What /proc says about the server process.
std::size_t OpenDescriptors(pid_t pid) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++count;
  }
  return count;
}

// User plus system CPU time so far.
std::chrono::milliseconds CpuTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoll(field);
    if (i == 15) {
      stime = std::stoll(field);
      break;
    }
  }
  return std::chrono::milliseconds((utime + stime) * 1000 / sysconf(_SC_CLK_TCK));
}

// "Max open files  <soft>  <hard>  files" from /proc/PID/limits.
std::pair<std::string, std::string> OpenFileLimits(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream words(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    words >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

TEST_F(LimitsTest, OutOfDescriptorsAcceptingPausesInsteadOfSpinningAndRecovers) {
  const pid_t pid = server_.pid();
  // Room for exactly three more descriptors: three connections.
  rlim_t cap = OpenDescriptors(pid) + 3;
  rlimit tight{cap, cap};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &tight, nullptr), 0) << std::strerror(errno);

  std::vector<HttpClient> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back(port());
    ASSERT_EQ(held.back().Get("/healthz").status, 200) << "connection " << i;
  }
  // These complete the TCP handshake in the kernel's backlog, but accept()
  // fails with EMFILE until a descriptor is free.
  std::vector<HttpClient> waiting;
  for (int i = 0; i < 5; ++i) {
    waiting.emplace_back(port());
    ASSERT_TRUE(waiting.back().SendRaw(RawGet("/healthz")));
  }
  auto cpu_before = CpuTime(pid);
  std::this_thread::sleep_for(1s);
  auto cpu_used = CpuTime(pid) - cpu_before;
  EXPECT_LT(cpu_used, 200ms) << "the accept loop spins on EMFILE";
  std::cerr << "[ measured ] CPU while out of descriptors: " << cpu_used.count() << " ms in 1 s\n";
  EXPECT_TRUE(server_.WaitForOutput("cannot accept connections")) << server_.output();

  held.clear();  // frees three descriptors; the waiting clients get in, a few at a time
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    Response late = waiting[i].ReadResponse();
    EXPECT_EQ(late.status, 200) << "waiting client " << i << ": " << Describe(late);
    waiting[i].Close();
  }
  EXPECT_TRUE(server_.WaitForOutput("accepting connections again")) << server_.output();
  EXPECT_EQ(OneShot(port(), RawGet("/healthz")).status, 200);
}

TEST(OpenFileLimitTest, TheServerRaisesItsSoftLimitToTheHardLimit) {
  rlimit mine{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &mine), 0);
  if (mine.rlim_max <= 256) GTEST_SKIP() << "hard limit too low to lower the soft one below it";
  // The server inherits a low soft limit from this process for a moment.
  rlimit lowered{256, mine.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  ServerProcess server;
  ::testing::AssertionResult started = server.Start();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &mine), 0);
  ASSERT_TRUE(started);
  auto [soft, hard] = OpenFileLimits(server.pid());
  EXPECT_FALSE(soft.empty());
  EXPECT_EQ(soft, hard);
  EXPECT_NE(soft, "256");
  server.Terminate(SIGTERM);
  server.Wait();
}

}  // namespace
}  // namespace allot::testing
