// Where webhooks may deliver (server-side request forgery): an http or
// https URL whose host is a loopback address or `localhost`, or a host the
// operator listed with --webhook-allow-hosts. Checked when a webhook is
// registered and again before every delivery (the list may have changed
// since).
//
// The URL is read by libcurl's own parser, the one that then sends the
// request, so the check and the request can never disagree about the host;
// the request goes to the URL as that parser wrote it back. Hosts that are
// not listed must be literal loopback addresses or `localhost` (which
// libcurl resolves to loopback without asking DNS), so no name can resolve
// somewhere else between the check and the connect.
//
// Thread-safe (immutable after construction).
#ifndef ALLOT_WEBHOOKS_URL_POLICY_H_
#define ALLOT_WEBHOOKS_URL_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"

namespace allot::webhooks {

struct Target {
  std::string url;   // as libcurl writes it back (normalised, no fragment)
  std::string host;  // lower case, IPv6 without brackets
  bool https = false;
};

class UrlPolicy {
 public:
  // `allowed_hosts`: host names or addresses (case-insensitive; an IPv6
  // address with or without brackets) that may be delivered to besides
  // loopback.
  explicit UrlPolicy(std::vector<std::string> allowed_hosts = {});

  // The target of `url`, or 400 invalid_request naming the field "url":
  // not an absolute http(s) URL, no host, or a host that is not allowed.
  Expected<Target> Check(std::string_view url) const;

  const std::vector<std::string>& allowed_hosts() const { return allowed_; }

 private:
  std::vector<std::string> allowed_;
};

// "a.example,b.example" -> {"a.example", "b.example"}; empty parts dropped.
std::vector<std::string> SplitHostList(std::string_view text);

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_URL_POLICY_H_
