// JSON allows an object to name a key twice, and Boost.JSON keeps the last
// one. For a request that would let {"qty":1,"qty":5} silently mean 5, the
// kind of surprise the contract's "unknown fields are rejected" rule exists
// to prevent, so such bodies are refused too.
#ifndef ALLOT_HTTP_JSON_DUPLICATE_KEYS_H_
#define ALLOT_HTTP_JSON_DUPLICATE_KEYS_H_

#include <optional>
#include <string>
#include <string_view>

namespace allot::http {

// The first key that appears twice in one object of `json` (at any depth),
// or nullopt. `json` must already be known to be valid JSON.
std::optional<std::string> FirstDuplicateKey(std::string_view json);

}  // namespace allot::http

#endif  // ALLOT_HTTP_JSON_DUPLICATE_KEYS_H_
