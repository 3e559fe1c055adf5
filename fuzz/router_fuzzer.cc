// libFuzzer target: the router. Input: the method, a newline, the target.
// Besides crashes it checks the router's promises: a match names a template
// and every template parameter; a 405 lists the methods it allows; a miss
// always carries an error. PercentDecode is fed the whole input too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/router.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();  // a broken promise is a finding like a crash
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view method = newline == std::string_view::npos ? "GET" : input.substr(0, newline);
  std::string_view target = newline == std::string_view::npos ? input : input.substr(newline + 1);

  auto route = allot::http::Route(method, target);
  if (route) {
    Check(!route->route.empty());
    Check(route->path.size() <= target.size());
    // Every "{name}" of the template must have been captured.
    std::string_view rest = route->route;
    for (std::size_t open; (open = rest.find('{')) != std::string_view::npos;) {
      std::size_t close = rest.find('}', open);
      Check(close != std::string_view::npos);
      std::string_view name = rest.substr(open + 1, close - open - 1);
      bool found = false;
      for (const auto& [key, value] : route->params) found = found || key == name;
      Check(found);
      rest.remove_prefix(close + 1);
    }
  } else {
    Check(!route.error().error.message.empty());
    if (route.error().error.code == allot::ErrorCode::kMethodNotAllowed) {
      Check(!route.error().allow.empty());
    }
  }

  (void)allot::http::PercentDecode(input, false);
  (void)allot::http::PercentDecode(input, true);
  return 0;
}
