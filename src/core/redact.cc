#include "core/redact.h"

#include <algorithm>

namespace allot {
namespace {

// Where the secrets of a URL sit: the password of the user info and the
// values of password query parameters, as [begin, end) offsets into it;
// empty ones are left out (there is nothing to hide).
std::vector<std::pair<std::size_t, std::size_t>> SecretSpans(std::string_view url) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return spans;
  const std::size_t authority = scheme_end + 3;
  const std::size_t query = std::min(url.find('?', authority), url.size());
  // The last '@' before the query ends the user info: a password with a raw
  // '@' or '/' in it is still hidden whole.
  const std::size_t at = url.substr(0, query).rfind('@');
  if (at != std::string_view::npos && at >= authority) {
    const std::size_t colon = url.find(':', authority);
    if (colon + 1 < at) spans.emplace_back(colon + 1, at);
  }
  std::size_t pos = query;
  while (pos < url.size()) {
    const std::size_t start = pos + 1;  // after '?' or '&'
    std::size_t end = std::min(url.find('&', start), url.size());
    const std::size_t equals = url.find('=', start);
    if (equals + 1 < end &&
        url.substr(start, equals - start).find("password") != std::string::npos) {
      spans.emplace_back(equals + 1, end);
    }
    pos = end;
  }
  return spans;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]), low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string out;
  std::size_t copied = 0;
  for (const auto& [begin, end] : SecretSpans(url)) {
    out.append(url.substr(copied, begin - copied));
    out += kRedacted;
    copied = end;
  }
  out.append(url.substr(copied));
  return out;
}

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> secrets;
  for (const auto& [begin, end] : SecretSpans(url)) {
    std::string_view raw = url.substr(begin, end - begin);
    secrets.emplace_back(raw);
    if (std::string decoded = PercentDecoded(raw); decoded != raw) secrets.push_back(decoded);
  }
  return secrets;
}

std::string RedactSecretsOf(std::string_view url, std::string_view text) {
  std::string out(text);
  for (const std::string& secret : UrlSecrets(url)) {
    for (std::size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + kRedacted.size())) {
      out.replace(at, secret.size(), kRedacted);
    }
  }
  return out;
}

}  // namespace allot
