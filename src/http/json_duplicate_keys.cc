#include "http/json_duplicate_keys.h"

#include <boost/json/basic_parser_impl.hpp>
#include <unordered_set>
#include <vector>

#include "http/json_codec.h"

namespace allot::http {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// A SAX handler that remembers the keys of every open object and stops at
// the first repeat. Values are ignored.
class KeyTracker {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::optional<std::string> duplicate;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) {
    open_objects_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    open_objects_.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(json::string_view part, std::size_t, error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, error_code& ec) {
    key_.append(part.data(), part.size());
    if (!open_objects_.back().insert(key_).second) {
      duplicate = key_;
      ec = json::error::syntax;  // stops the parse: the answer is known
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return true; }
  bool on_double(double, json::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  std::vector<std::unordered_set<std::string>> open_objects_;
  std::string key_;
};

}  // namespace

std::optional<std::string> FirstDuplicateKey(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;  // deeper bodies were refused before this runs
  json::basic_parser<KeyTracker> parser(options);
  error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  return parser.handler().duplicate;
}

}  // namespace allot::http
