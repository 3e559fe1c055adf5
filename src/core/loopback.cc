#include "core/loopback.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace allot {

bool IsLoopback(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kLoopback6, 16) == 0) return true;
    return std::memcmp(bytes, kMappedPrefix, 12) == 0 && bytes[12] == 127;
  }
  return false;
}

}  // namespace allot
