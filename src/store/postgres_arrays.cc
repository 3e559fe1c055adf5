#include "store/postgres_arrays.h"

#include <utility>

namespace allot::pg {

void ArrayBuilder::Separate() {
  if (size_++ > 0) text_.push_back(',');
}

void ArrayBuilder::Add(std::string_view text) {
  Separate();
  text_.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') text_.push_back('\\');
    text_.push_back(c);
  }
  text_.push_back('"');
}

void ArrayBuilder::Add(std::int64_t value) {
  Separate();
  text_.append(std::to_string(value));
}

void ArrayBuilder::Add(const std::optional<std::string>& text) {
  if (text) {
    Add(std::string_view(*text));
  } else {
    AddNull();
  }
}

void ArrayBuilder::Add(const std::optional<std::int64_t>& value) {
  if (value) {
    Add(*value);
  } else {
    AddNull();
  }
}

void ArrayBuilder::AddNull() {
  Separate();
  text_.append("NULL");
}

std::string ArrayBuilder::Take() {
  std::string literal = std::move(text_);
  literal.push_back('}');
  text_ = "{";
  size_ = 0;
  return literal;
}

}  // namespace allot::pg
