#include "webhook_receiver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

namespace allot::testing {
namespace {

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  return text;
}

// Reads until `buffer` holds `n` bytes; false on EOF or error.
bool ReadUntil(int fd, std::string& buffer, std::size_t n, const std::atomic<bool>& stopping) {
  char chunk[16384];
  while (buffer.size() < n) {
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, 200);
    if (stopping.load()) return false;
    if (ready <= 0) continue;
    const ssize_t got = read(fd, chunk, sizeof chunk);
    if (got <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
  return true;
}

bool ReadHead(int fd, std::string& buffer, std::size_t& head_end,
              const std::atomic<bool>& stopping) {
  char chunk[16384];
  for (;;) {
    head_end = buffer.find("\r\n\r\n");
    if (head_end != std::string::npos) return true;
    if (!buffer.empty() && buffer[0] == '\x16') return false;  // TLS, not HTTP
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, 200);
    if (stopping.load()) return false;
    if (ready <= 0) continue;
    const ssize_t got = read(fd, chunk, sizeof chunk);
    if (got <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
}

}  // namespace

std::optional<std::string> ReceivedHook::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

WebhookReceiver::WebhookReceiver() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listen_fd_, 64) != 0) {
    ADD_FAILURE() << "the webhook receiver cannot listen";
    return;
  }
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

WebhookReceiver::~WebhookReceiver() {
  stopping_.store(true);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mu_);
    connections.swap(connections_);
  }
  for (std::thread& t : connections) t.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

void WebhookReceiver::SetScript(Script script) {
  std::lock_guard lock(mu_);
  script_ = std::move(script);
}

std::string WebhookReceiver::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<ReceivedHook> WebhookReceiver::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

std::vector<std::int64_t> AcknowledgedIn(const std::vector<ReceivedHook>& hooks) {
  std::vector<std::int64_t> seqs;
  for (const ReceivedHook& hook : hooks) {
    if (hook.answered >= 200 && hook.answered < 300) seqs.push_back(hook.seq);
  }
  return seqs;
}

std::vector<std::int64_t> WebhookReceiver::Acknowledged() const {
  std::lock_guard lock(mu_);
  return AcknowledgedIn(received_);
}

bool WebhookReceiver::WaitFor(const std::function<bool(const std::vector<ReceivedHook>&)>& done,
                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return done(received_); });
}

void WebhookReceiver::Accept() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard lock(mu_);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

void WebhookReceiver::Serve(int fd) {
  std::string buffer;
  while (!stopping_.load()) {
    std::size_t head_end = 0;
    if (!ReadHead(fd, buffer, head_end, stopping_)) {
      // A TLS ClientHello (0x16) to this plain HTTP port: answer in plain
      // HTTP, which the client's TLS layer then refuses.
      if (!buffer.empty() && buffer[0] == '\x16') {
        const std::string plain = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        send(fd, plain.data(), plain.size(), MSG_NOSIGNAL);
      }
      break;
    }
    ReceivedHook hook;
    hook.at = std::chrono::steady_clock::now();
    const std::string head = buffer.substr(0, head_end);
    buffer.erase(0, head_end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const std::size_t space = request_line.find(' ');
    hook.target = request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
    std::size_t content_length = 0;
    while (line_end != std::string::npos && line_end < head.size()) {
      const std::size_t next = head.find("\r\n", line_end + 2);
      const std::string line = head.substr(line_end + 2, next == std::string::npos
                                                              ? std::string::npos
                                                              : next - line_end - 2);
      line_end = next;
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::string value = Trim(line.substr(colon + 1));
      if (strcasecmp(name.c_str(), "Content-Length") == 0) content_length = std::stoul(value);
      hook.headers.emplace_back(std::move(name), std::move(value));
    }
    if (!ReadUntil(fd, buffer, content_length, stopping_)) break;
    hook.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    if (auto id = hook.Header("Allot-Event-Id")) hook.seq = std::atoll(id->c_str());

    HookAnswer answer;
    std::size_t index = 0;
    {
      std::lock_guard lock(mu_);
      index = received_.size();
      if (script_) answer = script_(hook, index);
      received_.push_back(hook);  // answered below
    }
    // A delay is slept in slices, so the receiver stops promptly.
    const auto until = std::chrono::steady_clock::now() + answer.delay;
    while (std::chrono::steady_clock::now() < until && !stopping_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::string response = "HTTP/1.1 " + std::to_string(answer.status) + " Scripted\r\n";
    const std::string body = answer.status >= 300 ? "scripted failure " + std::to_string(index) : "";
    for (const auto& [name, value] : answer.headers) response += name + ": " + value + "\r\n";
    response += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    const bool sent = send(fd, response.data(), response.size(), MSG_NOSIGNAL) ==
                      static_cast<ssize_t>(response.size());
    {
      std::lock_guard lock(mu_);
      // The sender may have given up waiting (a timeout): it then never
      // saw this answer, which the test knows from its own script.
      if (sent) received_[index].answered = answer.status;
    }
    cv_.notify_all();
  }
  close(fd);
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

::testing::AssertionResult VerifySignature(const std::string& secret,
                                           const std::string& signature_header,
                                           const std::string& body) {
  const std::size_t comma = signature_header.find(",v1=");
  if (!signature_header.starts_with("t=") || comma == std::string::npos) {
    return ::testing::AssertionFailure() << "malformed Allot-Signature: " << signature_header;
  }
  const std::string t = signature_header.substr(2, comma - 2);
  const std::string v1 = signature_header.substr(comma + 4);
  char path[] = "/tmp/allot-hook-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return ::testing::AssertionFailure() << "mkstemp failed";
  const std::string message = t + "." + body;
  if (write(fd, message.data(), message.size()) != static_cast<ssize_t>(message.size())) {
    close(fd);
    return ::testing::AssertionFailure() << "cannot write the message";
  }
  close(fd);
  // The secret is hex digits only, so it needs no quoting.
  const std::string command =
      "openssl dgst -sha256 -hmac '" + secret + "' -r '" + std::string(path) + "' 2>&1";
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char chunk[256];
    while (fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
    pclose(pipe);
  }
  unlink(path);
  const std::string expected = output.substr(0, output.find(' '));
  if (expected != v1) {
    return ::testing::AssertionFailure()
           << "openssl computes " << output << " for t=" << t << ", the header says " << v1;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult NoGap(const std::vector<std::int64_t>& seqs, std::int64_t first,
                                 std::int64_t last) {
  std::int64_t highest = first - 1;
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (seqs[i] > highest + 1) {
      return ::testing::AssertionFailure()
             << "seq " << seqs[i] << " (delivery " << i << ") came before seq " << highest + 1;
    }
    highest = std::max(highest, seqs[i]);
    seen.insert(seqs[i]);
  }
  for (std::int64_t seq = first; seq <= last; ++seq) {
    if (!seen.contains(seq)) return ::testing::AssertionFailure() << "seq " << seq << " missing";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace allot::testing
