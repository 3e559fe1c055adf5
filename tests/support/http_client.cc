#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace allot::testing {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool HasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

bool ContainsToken(std::string_view value, std::string_view token) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower.find(token) != std::string::npos;
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

HttpClient::HttpClient(int port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() { Close(); }

HttpClient::HttpClient(HttpClient&& other) noexcept
    : port_(other.port_),
      timeout_(other.timeout_),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)) {}

bool HttpClient::Connect() {
  if (fd_ >= 0) return true;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{};
  tv.tv_sec = timeout_.count() / 1000;
  tv.tv_usec = (timeout_.count() % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  while (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EINTR) continue;
    close(fd);
    return false;
  }
  fd_ = fd;
  buffer_.clear();
  return true;
}

void HttpClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool HttpClient::PeerClosedIdle() {
  if (fd_ < 0 || !buffer_.empty()) return false;
  char c;
  ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

Response HttpClient::Request(std::string_view method, std::string_view path, std::string_view body,
                             const Headers& headers) {
  std::string request;
  request.reserve(256 + body.size());
  request.append(method).append(" ").append(path).append(" HTTP/1.1\r\n");
  if (!HasHeader(headers, "Host")) request.append("Host: 127.0.0.1\r\n");
  bool needs_length = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (needs_length && !HasHeader(headers, "Content-Length") &&
      !HasHeader(headers, "Transfer-Encoding")) {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  if (!body.empty() && !HasHeader(headers, "Content-Type")) {
    request.append("Content-Type: application/json\r\n");
  }
  for (const auto& [key, value] : headers) request.append(key).append(": ").append(value) += "\r\n";
  request.append("\r\n").append(body);
  if (PeerClosedIdle()) Close();  // an idle keep-alive the server dropped
  if (!SendRaw(request)) {
    Response failed;
    failed.error = std::string("send failed: ") + std::strerror(errno);
    Close();
    return failed;
  }
  return ReadResponse(method == "HEAD");
}

bool HttpClient::SendRaw(std::string_view bytes) {
  if (!Connect()) return false;
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool HttpClient::ReadMore(std::string* error) {
  if (fd_ < 0) {
    *error = "not connected";
    return false;
  }
  char chunk[16384];
  for (;;) {
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      *error = "connection closed by peer";
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      *error = "timed out waiting for the response";
    } else {
      *error = std::string("recv: ") + std::strerror(errno);
    }
    return false;
  }
}

bool HttpClient::ReadLine(std::string* line, std::string* error) {
  for (;;) {
    std::size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      line->assign(buffer_, 0, end);
      buffer_.erase(0, end + 2);
      return true;
    }
    if (buffer_.size() > (1 << 20)) {
      *error = "line too long";
      return false;
    }
    if (!ReadMore(error)) return false;
  }
}

bool HttpClient::ReadExactly(std::size_t n, std::string* out, std::string* error) {
  while (buffer_.size() < n) {
    if (!ReadMore(error)) return false;
  }
  out->append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

Response HttpClient::ReadResponse(bool head_request) {
  Response response;
  auto fail = [&](std::string why) {
    response.status = 0;
    response.error = std::move(why);
    Close();
    return response;
  };
  std::string line;
  std::string error;
  if (!ReadLine(&line, &error)) return fail("status line: " + error);
  // "HTTP/1.1 200 OK"
  if (line.size() < 12 || line.compare(0, 5, "HTTP/") != 0 || line[8] != ' ') {
    return fail("bad status line: " + line);
  }
  response.status = std::atoi(line.c_str() + 9);
  response.reason = line.size() > 13 ? line.substr(13) : "";
  if (response.status < 100 || response.status > 599) return fail("bad status line: " + line);
  for (;;) {
    if (!ReadLine(&line, &error)) return fail("headers: " + error);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) return fail("bad header line: " + line);
    response.headers.emplace_back(std::string(Trim(std::string_view(line).substr(0, colon))),
                                  std::string(Trim(std::string_view(line).substr(colon + 1))));
  }
  bool close_after = ContainsToken(response.Header("Connection").value_or(""), "close");
  auto length = response.Header("Content-Length");
  auto encoding = response.Header("Transfer-Encoding");
  bool no_body =
      head_request || response.status == 204 || response.status == 304 || response.status < 200;
  if (no_body) {
    // nothing to read
  } else if (encoding && ContainsToken(*encoding, "chunked")) {
    for (;;) {
      if (!ReadLine(&line, &error)) return fail("chunk size: " + error);
      std::size_t size = std::strtoull(line.c_str(), nullptr, 16);
      if (size == 0) {
        // Trailers, then the empty line.
        do {
          if (!ReadLine(&line, &error)) return fail("chunk trailer: " + error);
        } while (!line.empty());
        break;
      }
      if (!ReadExactly(size, &response.body, &error)) return fail("chunk data: " + error);
      std::string crlf;
      if (!ReadExactly(2, &crlf, &error) || crlf != "\r\n") return fail("chunk end: " + error);
    }
  } else if (length) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(length->c_str(), &end, 10);
    if (end == length->c_str()) return fail("bad Content-Length: " + *length);
    if (!ReadExactly(n, &response.body, &error)) return fail("body: " + error);
  } else {
    // No length: the body runs to the end of the connection.
    while (ReadMore(&error)) {
    }
    if (error != "connection closed by peer") return fail("body: " + error);
    response.body = std::move(buffer_);
    close_after = true;
  }
  if (close_after) Close();
  return response;
}

bool HttpClient::WaitForClose(std::chrono::milliseconds wait) {
  if (fd_ < 0) return true;
  if (!buffer_.empty()) return false;
  pollfd pfd{fd_, POLLIN, 0};
  int ready = poll(&pfd, 1, static_cast<int>(wait.count()));
  if (ready <= 0) return false;
  char c;
  ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno == ECONNRESET)) {
    Close();
    return true;
  }
  return false;
}

}  // namespace allot::testing
