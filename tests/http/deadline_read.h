// Reading a test's client socket with a real deadline. Asio's blocking
// read_some ignores SO_RCVTIMEO (after the first EAGAIN it waits in poll(2)
// with no timeout), so a test that waits for bytes that never come would
// hang until ctest kills it instead of failing with its message; that is
// how a race in ServerStreamTest became a 120 s hang under load (ec0a426).
// These wait with poll(2) and read with recv(2) directly.
#ifndef ALLOT_TESTS_HTTP_DEADLINE_READ_H_
#define ALLOT_TESTS_HTTP_DEADLINE_READ_H_

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>

namespace allot::http::test_io {

enum class ReadResult { kData, kClosed, kTimedOut };

// Appends what `fd` has to `out`, waiting until `deadline` at most: kData,
// kClosed when the peer closed (EOF or reset), kTimedOut.
inline ReadResult ReadSomeBefore(int fd, std::chrono::steady_clock::time_point deadline,
                                 std::string& out) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ReadResult::kTimedOut;
    pollfd watched{fd, POLLIN, 0};
    const int ready = ::poll(&watched, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ReadResult::kTimedOut;
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
      return ReadResult::kData;
    }
    if (n == 0 || errno == ECONNRESET) return ReadResult::kClosed;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return ReadResult::kClosed;
  }
}

// Reads until `out` contains `needle`; false if the peer closed first or
// `timeout` passed.
inline bool ReadUntil(int fd, std::string& out, const std::string& needle,
                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.find(needle) == std::string::npos) {
    if (ReadSomeBefore(fd, deadline, out) != ReadResult::kData) return false;
  }
  return true;
}

// Reads everything until the peer closes; false if `timeout` passed first.
inline bool ReadToClose(int fd, std::string& out, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    switch (ReadSomeBefore(fd, deadline, out)) {
      case ReadResult::kData:
        continue;
      case ReadResult::kClosed:
        return true;
      case ReadResult::kTimedOut:
        return false;
    }
  }
}

}  // namespace allot::http::test_io

#endif  // ALLOT_TESTS_HTTP_DEADLINE_READ_H_
