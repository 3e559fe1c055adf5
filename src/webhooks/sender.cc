#include "webhooks/sender.h"

#include <curl/curl.h>

#include <mutex>

#include "allot/webhook.h"
#include "core/utf8.h"

namespace allot::webhooks {
namespace {

struct Received {
  std::string head;  // the answer's first bytes, for lastError
};

std::size_t KeepHead(char* data, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  if (received->head.size() < kMaxWebhookErrorBytes) {
    received->head.append(data, std::min(bytes, kMaxWebhookErrorBytes - received->head.size()));
  }
  return bytes;  // the rest is read and dropped: never kept
}

int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* keep_going = static_cast<const std::function<bool()>*>(user);
  return (*keep_going)() ? 0 : 1;
}

}  // namespace

std::string_view ToString(AttemptResult result) {
  switch (result) {
    case AttemptResult::kDelivered:
      return "delivered";
    case AttemptResult::kHttpError:
      return "http_error";
    case AttemptResult::kTimeout:
      return "timeout";
    case AttemptResult::kFailed:
      return "failed";
    case AttemptResult::kRefused:
      return "refused";
    case AttemptResult::kStopped:
      return "stopped";
  }
  return "failed";
}

void InitHttpClient() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Truncate(std::string_view text, std::size_t limit) {
  std::size_t end = 0;
  while (end < text.size()) {
    const std::size_t length = Utf8SequenceLength(text, end);
    const std::size_t step = length == 0 ? 1 : length;
    // A replaced byte grows to three: count what ValidUtf8 will write.
    if (end + (length == 0 ? 3 : length) > limit) break;
    end += step;
  }
  std::string out = ValidUtf8(text.substr(0, end));
  if (out.size() > limit) out.resize(limit);  // only if replacements grew it
  return out;
}

CurlSender::CurlSender(std::chrono::milliseconds timeout) : timeout_(timeout) {
  InitHttpClient();
  CURL* curl = curl_easy_init();
  curl_ = curl;
  if (curl == nullptr) return;
  // What every request shares, set once: the handle keeps it, and keeps
  // its connection to the receiver open between requests.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");  // http_proxy and friends: never
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "allot-webhooks");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepHead);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Progress);
}

CurlSender::~CurlSender() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Attempt CurlSender::Send(const Delivery& delivery, const std::function<bool()>& keep_going) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Attempt{AttemptResult::kFailed, 0, "libcurl could not start."};
  Received received;
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : delivery.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, delivery.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, delivery.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(delivery.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &keep_going);
  const CURLcode code = curl_easy_perform(curl);
  // Nothing of this request may outlive it in the handle.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, nullptr);
  curl_slist_free_all(headers);

  Attempt attempt;
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.status);
    if (attempt.status >= 200 && attempt.status < 300) {
      attempt.result = AttemptResult::kDelivered;
      return attempt;
    }
    attempt.result = AttemptResult::kHttpError;
    attempt.error = Truncate(
        "HTTP " + std::to_string(attempt.status) + (received.head.empty() ? "" : ": ") + received.head,
        kMaxWebhookErrorBytes);
    return attempt;
  }
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    attempt.result = AttemptResult::kStopped;
    attempt.error = "Delivery was interrupted (the server stopped or handed the webhook over).";
    return attempt;
  }
  attempt.result = code == CURLE_OPERATION_TIMEDOUT ? AttemptResult::kTimeout : AttemptResult::kFailed;
  std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
  if (attempt.result == AttemptResult::kTimeout) {
    why = "No answer within " + std::to_string(timeout_.count() / 1000) + " s (" + why + ")";
  }
  attempt.error = Truncate(why, kMaxWebhookErrorBytes);
  return attempt;
}

}  // namespace allot::webhooks
