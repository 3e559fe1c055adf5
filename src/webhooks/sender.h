// One delivery attempt: POST a body to a webhook's URL, answered by a 2xx
// within the timeout or not. libcurl does the HTTP and TLS (OpenSSL, the
// system's CA certificates, peer and host verified); redirects are not
// followed, proxies from the environment are not used, only http and https
// are spoken, and at most kMaxWebhookErrorBytes of an answer are kept, for
// the webhook's lastError.
//
// Not thread-safe: one CurlSender per delivering thread (it keeps its
// connection to the receiver open between deliveries).
#ifndef ALLOT_WEBHOOKS_SENDER_H_
#define ALLOT_WEBHOOKS_SENDER_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allot::webhooks {

// How an attempt ended; the names are the `result` label of
// allot_webhook_deliveries_total.
enum class AttemptResult {
  kDelivered,  // 2xx in time: acknowledged
  kHttpError,  // any other status
  kTimeout,    // no answer in time
  kFailed,     // no connection, TLS failure, a broken answer
  kRefused,    // the URL is not allowed (any more): never sent
  kStopped,    // given up because the deliverer stops or lost the webhook
};
std::string_view ToString(AttemptResult result);

struct Attempt {
  AttemptResult result = AttemptResult::kFailed;
  long status = 0;
  std::string error;  // for lastError: what went wrong, at most 1 KiB, UTF-8
};

struct Delivery {
  std::string url;  // checked by UrlPolicy
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class Sender {
 public:
  virtual ~Sender() = default;
  // `keep_going` is asked while the request runs; false abandons it
  // (kStopped).
  virtual Attempt Send(const Delivery& delivery, const std::function<bool()>& keep_going) = 0;
};

class CurlSender final : public Sender {
 public:
  explicit CurlSender(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~CurlSender() override;
  CurlSender(const CurlSender&) = delete;
  CurlSender& operator=(const CurlSender&) = delete;

  Attempt Send(const Delivery& delivery, const std::function<bool()>& keep_going) override;

 private:
  void* curl_ = nullptr;  // CURL*, reused so the connection stays open
  std::chrono::milliseconds timeout_;
};

// Once per process, before any thread sends (curl_global_init).
void InitHttpClient();

// `text` cut to at most `limit` bytes at a character boundary, valid UTF-8.
std::string Truncate(std::string_view text, std::size_t limit);

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_SENDER_H_
