#include "http/json_duplicate_keys.h"

#include <boost/json/basic_parser_impl.hpp>
#include <vector>

#include "http/json_codec.h"

namespace allot::http {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// A SAX handler that remembers the keys of every open object and stops at
// the first repeat. Values are ignored. The keys of all open objects share
// one vector (each object's start is on a stack) and are compared one by
// one: objects in request bodies have a handful of short keys, so this
// costs no allocation where a set per object would cost several.
class KeyTracker {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  KeyTracker() {
    keys_.reserve(16);
    starts_.reserve(kMaxJsonDepth);
  }

  std::optional<std::string> duplicate;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) {
    starts_.push_back(keys_.size());
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    keys_.resize(starts_.back());
    starts_.pop_back();
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
    for (std::size_t i = starts_.back(); i < keys_.size(); ++i) {
      if (keys_[i] == key_) {
        duplicate = key_;
        ec = json::error::syntax;  // stops the parse: the answer is known
        return false;
      }
    }
    keys_.push_back(std::move(key_));
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
  std::vector<std::string> keys_;    // of every open object, outermost first
  std::vector<std::size_t> starts_;  // where each open object's keys begin
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
