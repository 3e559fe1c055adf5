// A small blocking HTTP/1.1 client over POSIX sockets, for black-box tests.
//
// One HttpClient is one keep-alive connection to 127.0.0.1:port. It never
// retries a request: a connection the server closed is only re-opened before
// a request is sent, never after part of it went out, so a transport failure
// is reported as such (Response::status == 0, Response::error set).
//
// SendRaw() writes arbitrary bytes (malformed requests); ReadResponse() reads
// one response from the same connection.
//
// Not thread-safe: one HttpClient per thread.
#ifndef ALLOT_TESTS_SUPPORT_HTTP_CLIENT_H_
#define ALLOT_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allot::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 0;     // 0: no complete response (see `error`)
  std::string error;  // transport or parse failure, empty on success
  std::string reason;
  Headers headers;
  std::string body;

  // The value of the first header named `name` (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
  bool ok() const { return status != 0; }
};

class HttpClient {
 public:
  explicit HttpClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) = delete;

  // Opens the connection now (Request() does it lazily). False on failure.
  bool Connect();
  void Close();
  bool connected() const { return fd_ >= 0; }

  // Sends one request and reads its response. Adds Host, Content-Length (for
  // a body or any POST/PUT/PATCH) and Content-Type: application/json (for a
  // non-empty body) unless `headers` names them.
  Response Request(std::string_view method, std::string_view path, std::string_view body = "",
                   const Headers& headers = {});
  Response Get(std::string_view path, const Headers& headers = {}) {
    return Request("GET", path, "", headers);
  }
  Response Post(std::string_view path, std::string_view body, const Headers& headers = {}) {
    return Request("POST", path, body, headers);
  }

  // Writes `bytes` as they are (connecting first if needed). False on failure.
  bool SendRaw(std::string_view bytes);
  // Reads one response. `head_request`: the response has no body.
  Response ReadResponse(bool head_request = false);
  // True if the server closed the connection (EOF within `wait`), false if
  // the connection is still open or has unread data.
  bool WaitForClose(std::chrono::milliseconds wait);

 private:
  bool ReadMore(std::string* error);  // appends to buffer_
  bool ReadLine(std::string* line, std::string* error);
  bool ReadExactly(std::size_t n, std::string* out, std::string* error);
  bool PeerClosedIdle();

  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buffer_;  // bytes read but not yet consumed
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_HTTP_CLIENT_H_
