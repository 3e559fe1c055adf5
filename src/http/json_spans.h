// The raw text of the parts of a JSON document, as sent. Boost.JSON gives
// values, not where they were; a /batch entry's body is fingerprinted for
// its idempotency key byte for byte as the same body sent on its own would
// be, so its text is needed, not a re-serialization.
#ifndef ALLOT_HTTP_JSON_SPANS_H_
#define ALLOT_HTTP_JSON_SPANS_H_

#include <string_view>
#include <vector>

namespace allot::http {

// The text of each member value of the object `json` (which must be valid
// JSON: these scan, they do not check), in the order written, without the
// surrounding whitespace. Empty when `json` is not an object.
std::vector<std::string_view> MemberValueSpans(std::string_view json);
// The text of each element of the array `json`, likewise.
std::vector<std::string_view> ElementSpans(std::string_view json);

}  // namespace allot::http

#endif  // ALLOT_HTTP_JSON_SPANS_H_
