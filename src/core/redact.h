// Secrets kept out of what the service prints. A database URL may carry a
// password ("postgres://app:s3cret@db/allot", or "?password=s3cret"); logs
// and error messages show the URL with "***" in its place.
#ifndef ALLOT_CORE_REDACT_H_
#define ALLOT_CORE_REDACT_H_

#include <string>
#include <string_view>
#include <vector>

namespace allot {

inline constexpr std::string_view kRedacted = "***";

// `url` with the password of its user info and the values of query
// parameters whose name contains "password" replaced by kRedacted (empty
// ones stay empty). Text without "://" is returned as it is (a SQLite path).
std::string RedactUrl(std::string_view url);

// The secrets RedactUrl hides in `url`, as written and percent-decoded.
std::vector<std::string> UrlSecrets(std::string_view url);

// `text` (an error message that may quote a connection string) with every
// occurrence of a secret of `url` replaced by kRedacted.
std::string RedactSecretsOf(std::string_view url, std::string_view text);

}  // namespace allot

#endif  // ALLOT_CORE_REDACT_H_
