#include "headless_chromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace allot::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Standard base64, as Page.captureScreenshot sends its PNG.
std::string DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) continue;  // '=' padding, line breaks
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

std::string ChromiumBinary() {
  const char* configured = std::getenv("ALLOT_CHROMIUM");
  return configured != nullptr && *configured != '\0' ? configured : "chromium";
}

}  // namespace

HeadlessChromium::~HeadlessChromium() { Stop(); }

::testing::AssertionResult HeadlessChromium::Start(int width, int height) {
  char profile[] = "/tmp/allot_chromium_XXXXXX";
  if (mkdtemp(profile) == nullptr) return ::testing::AssertionFailure() << "mkdtemp failed";
  profile_dir_ = profile;

  int commands[2], answers[2];
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe failed";
  }
  std::vector<std::string> args = {
      ChromiumBinary(),
      "--headless=new",
      "--no-sandbox",  // tests run as root in CI
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--remote-debugging-pipe",
      "--user-data-dir=" + profile_dir_,
      "--window-size=" + std::to_string(width) + "," + std::to_string(height),
      "about:blank"};
  pid_t pid = fork();
  if (pid < 0) return ::testing::AssertionFailure() << "fork failed";
  if (pid == 0) {
    // Its own process group, so the browser's helpers can be killed with it.
    setpgid(0, 0);
    dup2(commands[0], 3);
    dup2(answers[1], 4);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  close(commands[0]);
  close(answers[1]);
  to_browser_ = commands[1];
  from_browser_ = answers[0];

  std::string error;
  json::value version = Call("Browser.getVersion", {}, true, &error);
  if (!error.empty()) {
    return ::testing::AssertionFailure()
           << "chromium did not answer (" << error << "); is it installed? "
           << "scripts/install-deps.sh installs Debian's `chromium`, or set ALLOT_CHROMIUM";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HeadlessChromium::Open(const std::string& url) {
  std::string error;
  json::value target = Call("Target.createTarget", {{"url", url}}, true, &error);
  if (!error.empty()) return ::testing::AssertionFailure() << "createTarget: " << error;
  json::value attached =
      Call("Target.attachToTarget", {{"targetId", target.at("targetId")}, {"flatten", true}}, true,
           &error);
  if (!error.empty()) return ::testing::AssertionFailure() << "attachToTarget: " << error;
  session_id_ = json::value_to<std::string>(attached.at("sessionId"));
  return ::testing::AssertionSuccess();
}

json::value HeadlessChromium::Evaluate(std::string_view expression, std::string* error) {
  std::string call_error;
  json::value result =
      Call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, false,
           &call_error);
  if (call_error.empty() && result.as_object().contains("exceptionDetails")) {
    call_error = json::serialize(result.at("exceptionDetails"));
  }
  if (error != nullptr) *error = call_error;
  if (!call_error.empty()) return nullptr;
  const json::object& remote = result.at("result").as_object();
  const json::value* value = remote.if_contains("value");
  return value != nullptr ? *value : json::value(nullptr);
}

bool HeadlessChromium::WaitFor(std::string_view expression, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string wrapped = "Boolean(" + std::string(expression) + ")";
  for (;;) {
    std::string error;
    json::value value = Evaluate(wrapped, &error);
    if (error.empty() && value.is_bool() && value.as_bool()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

::testing::AssertionResult HeadlessChromium::Screenshot(const std::string& path) {
  std::string error;
  json::value shot = Call("Page.captureScreenshot", {{"format", "png"}}, false, &error);
  if (!error.empty()) return ::testing::AssertionFailure() << "captureScreenshot: " << error;
  std::string png = DecodeBase64(json::value_to<std::string>(shot.at("data")));
  if (png.size() < 8 || png.compare(1, 3, "PNG") != 0) {
    return ::testing::AssertionFailure() << "the screenshot is not a PNG";
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  if (!out) return ::testing::AssertionFailure() << "cannot write " << path;
  return ::testing::AssertionSuccess();
}

json::value HeadlessChromium::Call(std::string_view method, json::object params, bool browser_level,
                                   std::string* error) {
  error->clear();
  if (to_browser_ < 0) {
    *error = "the browser is not running";
    return nullptr;
  }
  std::int64_t id = next_id_++;
  json::object message{{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!browser_level) message["sessionId"] = session_id_;
  std::string bytes = json::serialize(message);
  bytes.push_back('\0');
  for (std::size_t sent = 0; sent < bytes.size();) {
    ssize_t n = write(to_browser_, bytes.data() + sent, bytes.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot write to the browser";
      return nullptr;
    }
    sent += static_cast<std::size_t>(n);
  }
  auto deadline = Clock::now() + call_timeout_;
  std::string text;
  while (ReadMessage(deadline, &text)) {
    json::value answer = json::parse(text);
    const json::object& object = answer.as_object();
    const json::value* answer_id = object.if_contains("id");
    if (answer_id == nullptr || !answer_id->is_int64() || answer_id->as_int64() != id) {
      continue;  // an event, or the answer to an abandoned call
    }
    if (const json::value* failure = object.if_contains("error")) {
      *error = json::serialize(*failure);
      return nullptr;
    }
    return object.at("result");
  }
  *error = std::string("no answer to ") + std::string(method);
  return nullptr;
}

bool HeadlessChromium::ReadMessage(Clock::time_point deadline, std::string* message) {
  for (;;) {
    std::size_t end = pending_.find('\0');
    if (end != std::string::npos) {
      *message = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd readable{from_browser_, POLLIN, 0};
    int ready = poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    std::array<char, 64 * 1024> buffer;
    ssize_t n = read(from_browser_, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // the browser exited
    pending_.append(buffer.data(), static_cast<std::size_t>(n));
  }
}

void HeadlessChromium::Stop() {
  if (pid_ > 0) {
    std::string ignored;
    call_timeout_ = std::chrono::milliseconds(3'000);
    Call("Browser.close", {}, true, &ignored);
    // Wait for it to exit without reaping it: while it is a zombie, its
    // process group id cannot be reused, so the kill below reaches only
    // what it started (the zygote, renderers) or itself if it hung.
    auto deadline = Clock::now() + std::chrono::seconds(5);
    for (;;) {
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid_) {
        break;
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(-pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
  to_browser_ = from_browser_ = -1;
  if (!profile_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(profile_dir_, ignored);
    profile_dir_.clear();
  }
}

}  // namespace allot::testing
