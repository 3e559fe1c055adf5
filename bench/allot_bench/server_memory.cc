#include "allot_bench/server_memory.h"

#include <fstream>
#include <string>

namespace allot::bench {

std::optional<ServerMemory> ReadServerMemory(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return std::nullopt;
  ServerMemory memory;
  bool found = false;
  std::string line;
  while (std::getline(status, line)) {
    // Lines look like "VmHWM:     12345 kB".
    auto value = [&line] { return std::stoll(line.substr(line.find(':') + 1)); };
    if (line.starts_with("VmHWM:")) {
      memory.peak_rss_kib = value();
      found = true;
    } else if (line.starts_with("VmRSS:")) {
      memory.current_rss_kib = value();
    }
  }
  if (!found) return std::nullopt;
  return memory;
}

}  // namespace allot::bench
