// The memory of a server process, from /proc/PID/status (Linux): the
// bench reports the peak so that "memory stays bounded" is measured.
#ifndef ALLOT_BENCH_SERVER_MEMORY_H_
#define ALLOT_BENCH_SERVER_MEMORY_H_

#include <cstdint>
#include <optional>

namespace allot::bench {

struct ServerMemory {
  std::int64_t peak_rss_kib = 0;     // VmHWM
  std::int64_t current_rss_kib = 0;  // VmRSS
};

// nullopt when the process does not exist or the file cannot be read.
std::optional<ServerMemory> ReadServerMemory(int pid);

}  // namespace allot::bench

#endif  // ALLOT_BENCH_SERVER_MEMORY_H_
