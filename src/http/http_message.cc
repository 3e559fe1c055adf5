#include "http/http_message.h"

#include <algorithm>
#include <cctype>

namespace allot::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const std::string* FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

void SetHeader(HeaderList& headers, std::string_view name, std::string value) {
  std::erase_if(headers,
                [name](const auto& header) { return EqualsIgnoreCase(header.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

}  // namespace allot::http
