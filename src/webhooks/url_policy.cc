#include "webhooks/url_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "core/loopback.h"

namespace allot::webhooks {
namespace {

struct UrlFree {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CharFree {
  void operator()(char* text) const { curl_free(text); }
};
using CurlText = std::unique_ptr<char, CharFree>;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string WithoutBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::string(host);
}

Error BadUrl(std::string message) { return InvalidField("url", std::move(message)); }

}  // namespace

std::vector<std::string> SplitHostList(std::string_view text) {
  std::vector<std::string> hosts;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) {
      part.remove_prefix(1);
    }
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) {
      part.remove_suffix(1);
    }
    if (!part.empty()) hosts.push_back(Lower(WithoutBrackets(part)));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return hosts;
}

UrlPolicy::UrlPolicy(std::vector<std::string> allowed_hosts) {
  for (const std::string& host : allowed_hosts) allowed_.push_back(Lower(WithoutBrackets(host)));
}

Expected<Target> UrlPolicy::Check(std::string_view url) const {
  for (unsigned char c : url) {
    // Spaces and control characters: libcurl would take some, a reader
    // of the URL might not see them.
    if (c <= 0x20 || c == 0x7f) return Fail(BadUrl("The url must not contain spaces or control characters."));
  }
  std::unique_ptr<CURLU, UrlFree> parsed(curl_url());
  if (parsed == nullptr) return Fail(Unavailable("Out of memory parsing a URL."));
  const std::string text(url);
  // No default scheme: "example.com/x" is not taken for http.
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return Fail(BadUrl("The url is not an absolute http or https URL."));
  }
  char* raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_SCHEME, &raw, 0) != CURLUE_OK) {
    return Fail(BadUrl("The url has no scheme."));
  }
  const std::string scheme = Lower(CurlText(raw).get());
  if (scheme != "http" && scheme != "https") {
    return Fail(BadUrl("The url must be http or https, not '" + scheme + "'."));
  }
  raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return Fail(BadUrl("The url has no host."));
  }
  const std::string host = Lower(WithoutBrackets(CurlText(raw).get()));
  if (host.empty()) return Fail(BadUrl("The url has no host."));
  const bool listed = std::find(allowed_.begin(), allowed_.end(), host) != allowed_.end();
  if (!listed && !IsLoopback(host)) {
    return Fail(BadUrl("The host '" + host +
                       "' is not allowed: only loopback addresses, localhost and the hosts of "
                       "--webhook-allow-hosts are."));
  }
  curl_url_set(parsed.get(), CURLUPART_FRAGMENT, nullptr, 0);
  raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK) {
    return Fail(BadUrl("The url cannot be written back."));
  }
  return Target{.url = CurlText(raw).get(), .host = host, .https = scheme == "https"};
}

}  // namespace allot::webhooks
