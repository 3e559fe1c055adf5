// Headless Chromium driven over the DevTools protocol, for browser tests.
//
// Chromium runs with --remote-debugging-pipe: it reads protocol commands
// from its fd 3 and writes answers and events to its fd 4, each message a
// JSON text ended by a NUL byte. No port, no WebSocket, no helper library.
// (--dump-dom and --screenshot cannot be used: they wait for the page's
// network to go quiet, and an event stream never does.)
//
// The binary is $ALLOT_CHROMIUM if set, else `chromium` on PATH (Debian's
// package, installed by scripts/install-deps.sh). Every call is bounded in
// time. The destructor closes the browser and, if it does not exit at once,
// kills its process group: no test leaves a browser behind.
//
// Not thread-safe: one HeadlessChromium per test thread.
#ifndef ALLOT_TESTS_BROWSER_HEADLESS_CHROMIUM_H_
#define ALLOT_TESTS_BROWSER_HEADLESS_CHROMIUM_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace allot::testing {

class HeadlessChromium {
 public:
  HeadlessChromium() = default;
  ~HeadlessChromium();
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // Starts the browser with a fresh profile and the given viewport.
  ::testing::AssertionResult Start(int width, int height);

  // Opens `url` in a new tab and attaches to it; the tab is the one the
  // calls below act on.
  ::testing::AssertionResult Open(const std::string& url);

  // Evaluates a JavaScript expression in the page and returns its value
  // (JSON-serialisable values only); a failure is reported in `error`.
  boost::json::value Evaluate(std::string_view expression, std::string* error = nullptr);

  // Polls a JavaScript expression until it is true or `timeout` passes.
  bool WaitFor(std::string_view expression, std::chrono::milliseconds timeout);

  // A PNG of the viewport.
  ::testing::AssertionResult Screenshot(const std::string& path);

 private:
  // Sends one command (to the attached tab unless `browser_level`) and
  // waits for its answer, skipping events. The answer's "result", or an
  // error in `error`.
  boost::json::value Call(std::string_view method, boost::json::object params, bool browser_level,
                          std::string* error);
  bool ReadMessage(std::chrono::steady_clock::time_point deadline, std::string* message);
  void Stop();

  pid_t pid_ = -1;
  int to_browser_ = -1;    // our end of its fd 3
  int from_browser_ = -1;  // our end of its fd 4
  std::string profile_dir_;
  std::string session_id_;
  std::string pending_;  // bytes read after the last complete message
  std::int64_t next_id_ = 1;
  std::chrono::milliseconds call_timeout_{30'000};
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_BROWSER_HEADLESS_CHROMIUM_H_
