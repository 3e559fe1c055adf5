// Returning freed memory to the operating system, for the moments a lot of
// it was freed at once (a restart's replay of the journal makes and drops
// millions of holds).
#ifndef ALLOT_CORE_MEMORY_H_
#define ALLOT_CORE_MEMORY_H_

namespace allot {

// Asks the allocator to give back the pages it keeps for reuse. A no-op
// when the program is not linked with jemalloc (tests, embedders).
void ReleaseFreeMemory();

}  // namespace allot

#endif  // ALLOT_CORE_MEMORY_H_
