#include "http/json_spans.h"

#include <cstddef>

namespace allot::http {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t SkipSpace(std::string_view json, std::size_t at) {
  while (at < json.size() && IsSpace(json[at])) ++at;
  return at;
}

// `at` is on an opening quote; returns the index just past the closing one.
std::size_t SkipString(std::string_view json, std::size_t at) {
  for (++at; at < json.size(); ++at) {
    if (json[at] == '\\') {
      ++at;  // whatever is escaped cannot end the string
    } else if (json[at] == '"') {
      return at + 1;
    }
  }
  return json.size();
}

// `at` is on the first character of a value; returns the index just past it.
std::size_t SkipValue(std::string_view json, std::size_t at) {
  if (at >= json.size()) return at;
  const char first = json[at];
  if (first == '"') return SkipString(json, at);
  if (first == '{' || first == '[') {
    std::size_t depth = 0;
    while (at < json.size()) {
      const char c = json[at];
      if (c == '"') {
        at = SkipString(json, at);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return at + 1;
      }
      ++at;
    }
    return at;
  }
  // A number, true, false or null: up to the next delimiter.
  while (at < json.size() && !IsSpace(json[at]) && json[at] != ',' && json[at] != '}' &&
         json[at] != ']') {
    ++at;
  }
  return at;
}

// The spans inside the container opening at the first non-space of `json`
// (`open` '{' or '['); `keyed` when each value follows a key and a colon.
std::vector<std::string_view> Spans(std::string_view json, char open, bool keyed) {
  std::vector<std::string_view> out;
  const char close = open == '{' ? '}' : ']';
  std::size_t at = SkipSpace(json, 0);
  if (at >= json.size() || json[at] != open) return out;
  at = SkipSpace(json, at + 1);
  while (at < json.size() && json[at] != close) {
    if (keyed) {
      at = SkipSpace(json, SkipString(json, at));
      at = SkipSpace(json, at + 1);  // past the ':'
    }
    const std::size_t end = SkipValue(json, at);
    out.push_back(json.substr(at, end - at));
    at = SkipSpace(json, end);
    if (at < json.size() && json[at] == ',') at = SkipSpace(json, at + 1);
  }
  return out;
}

}  // namespace

std::vector<std::string_view> MemberValueSpans(std::string_view json) {
  return Spans(json, '{', true);
}

std::vector<std::string_view> ElementSpans(std::string_view json) {
  return Spans(json, '[', false);
}

}  // namespace allot::http
