// Output of the JSON-lines logger, read back in tests: every line must be a
// JSON object.
#ifndef ALLOT_TESTS_SUPPORT_JSON_LINES_H_
#define ALLOT_TESTS_SUPPORT_JSON_LINES_H_

#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

namespace allot::testing {

// Each '\n'-terminated line of `text` parsed as a JSON object. A line that is
// not one, or text after the last '\n', is a gtest failure (and left out).
std::vector<boost::json::object> ParseJsonLines(std::string_view text);

// The records whose "msg" is `msg`, in order.
std::vector<boost::json::object> WithMessage(const std::vector<boost::json::object>& records,
                                             std::string_view msg);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_JSON_LINES_H_
