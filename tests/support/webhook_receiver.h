// A webhook receiver for black-box tests: a small HTTP/1.1 server on
// 127.0.0.1 (a free port) that records every POST it gets and answers as
// the test scripts it (a status, after a delay: a delay past the sender's
// timeout is a timeout). Keep-alive connections, one thread each.
//
// Signatures are checked with the `openssl` command line tool, an
// implementation that is not allot's (VerifySignature).
//
// Thread-safe.
#ifndef ALLOT_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
#define ALLOT_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"

namespace allot::testing {

struct ReceivedHook {
  std::string target;
  Headers headers;
  std::string body;
  std::int64_t seq = 0;  // Allot-Event-Id
  std::chrono::steady_clock::time_point at;
  int answered = 0;  // the status it was answered (0: no answer, timed out)

  std::optional<std::string> Header(std::string_view name) const;
};

struct HookAnswer {
  int status = 200;
  std::chrono::milliseconds delay{0};
  Headers headers;
};

class WebhookReceiver {
 public:
  // `script` decides each answer from the request and how many came before
  // it (0-based); default: 200 at once.
  using Script = std::function<HookAnswer(const ReceivedHook&, std::size_t index)>;

  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  void SetScript(Script script);
  int port() const { return port_; }
  std::string Url(std::string_view path = "/hook") const;

  std::vector<ReceivedHook> received() const;
  // Waits until `done(received())` holds; false after `timeout`. `done`
  // runs under the receiver's lock: it must not call the receiver.
  bool WaitFor(const std::function<bool(const std::vector<ReceivedHook>&)>& done,
               std::chrono::milliseconds timeout);
  // The seqs of the deliveries answered 2xx, in arrival order.
  std::vector<std::int64_t> Acknowledged() const;

 private:
  void Accept();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Script script_;                       // guarded by mu_
  std::vector<ReceivedHook> received_;  // guarded by mu_
  std::vector<std::thread> connections_;  // guarded by mu_
  std::vector<int> fds_;                  // guarded by mu_
};

// The seqs of the deliveries in `hooks` answered 2xx, in arrival order.
std::vector<std::int64_t> AcknowledgedIn(const std::vector<ReceivedHook>& hooks);

// Polls `done` every 50 ms until it holds; false after `timeout`.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// Whether `signature_header` ("t=...,v1=...") is HMAC-SHA256(secret,
// "<t>.<body>") as `openssl dgst -sha256 -hmac` computes it.
::testing::AssertionResult VerifySignature(const std::string& secret,
                                           const std::string& signature_header,
                                           const std::string& body);

// Every seq of `seqs` is at most one more than the largest before it (a
// redelivery may go back, nothing may skip ahead), and 1..last all occur.
::testing::AssertionResult NoGap(const std::vector<std::int64_t>& seqs, std::int64_t first,
                                 std::int64_t last);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
