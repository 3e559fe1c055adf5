#include "core/memory.h"

#include <cstddef>

// jemalloc's control interface, weak: null unless jemalloc is linked in.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));

namespace allot {

void ReleaseFreeMemory() {
  // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena's unused dirty pages.
  if (mallctl != nullptr) mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

}  // namespace allot
