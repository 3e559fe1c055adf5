#include "http/request_id.h"

#include <charconv>
#include <cstdio>
#include <random>

namespace allot::http {
namespace {

bool Acceptable(const std::string& id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

RequestIds::RequestIds() {
  std::random_device device;
  std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(seed));
  prefix_ = buffer;
}

std::string RequestIds::For(const HttpRequest& request) {
  const std::string* given = request.Header("X-Request-Id");
  if (given != nullptr && Acceptable(*given)) return *given;
  return Next();
}

std::string RequestIds::Next() {
  char number[24];
  const auto [end, ec] = std::to_chars(number, number + sizeof number,
                                       counter_.fetch_add(1, std::memory_order_relaxed) + 1);
  std::string out;  // built in one allocation
  out.reserve(prefix_.size() + 1 + static_cast<std::size_t>(end - number));
  out += prefix_;
  out += '-';
  out.append(number, end);
  return out;
}

}  // namespace allot::http
