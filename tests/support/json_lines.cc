#include "json_lines.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace allot::testing {

std::vector<boost::json::object> ParseJsonLines(std::string_view text) {
  std::vector<boost::json::object> records;
  std::size_t start = 0;
  for (std::size_t end = text.find('\n'); end != std::string_view::npos;
       start = end + 1, end = text.find('\n', start)) {
    const std::string_view line = text.substr(start, end - start);
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) {
      ADD_FAILURE() << "a line that is not a JSON object: " << line;
      continue;
    }
    records.push_back(std::move(value.as_object()));
  }
  EXPECT_EQ(start, text.size()) << "unterminated last line: " << text.substr(start);
  return records;
}

std::vector<boost::json::object> WithMessage(const std::vector<boost::json::object>& records,
                                             std::string_view msg) {
  std::vector<boost::json::object> matching;
  for (const boost::json::object& record : records) {
    auto it = record.find("msg");
    if (it != record.end() && it->value().is_string() && it->value().get_string() == msg) {
      matching.push_back(record);
    }
  }
  return matching;
}

}  // namespace allot::testing
