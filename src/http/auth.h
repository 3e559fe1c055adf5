// Bearer tokens (contract: "Access control"). A tokens file has one line per
// token, `<role> <principal> <token>`, role `admin` or `client`; blank lines
// and lines starting with '#' are ignored.
//
// A token is looked up by comparing it with every configured token in time
// that depends only on the length of what the client sent, never on how much
// of it matches, so response timing does not reveal a token byte by byte.
// Tokens are never logged or echoed: refusals name no token.
#ifndef ALLOT_HTTP_AUTH_H_
#define ALLOT_HTTP_AUTH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "http/http_message.h"

namespace allot::http {

enum class Role { kAdmin, kClient };

struct Principal {
  std::string name;
  Role role = Role::kClient;
};

class TokenTable {
 public:
  // Errors (kInvalidRequest) name the line: a wrong number of fields, an
  // unknown role, a token given twice, one principal with two roles, or no
  // token at all (which would refuse every request).
  static Expected<TokenTable> Parse(std::string_view text);
  static Expected<TokenTable> Load(const std::string& path);

  // The principal holding `token`, or nullptr.
  const Principal* Find(std::string_view token) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string token;
    Principal principal;
  };
  std::vector<Entry> entries_;
};

// Equal contents; the time taken depends on given.size() only.
bool ConstantTimeEquals(std::string_view secret, std::string_view given);

// The token of an `Authorization: Bearer <token>` header (scheme compared
// case-insensitively), or nullopt when there is none or another scheme.
std::optional<std::string_view> BearerToken(const HttpRequest& request);

}  // namespace allot::http

#endif  // ALLOT_HTTP_AUTH_H_
