// Opening the single-process store: what it keeps in memory, read back
// from the file. Items, events and per-user usage come from their tables
// (written with every batch); the live holds from replaying the journal
// from the block `journal_state` names, the earliest one that created a
// hold still live when the last batch committed.
#ifndef ALLOT_STORE_SQLITE_RECOVERY_H_
#define ALLOT_STORE_SQLITE_RECOVERY_H_

#include <sqlite3.h>

#include <cstdint>

#include "allot/error.h"
#include "store/sqlite_memory.h"

namespace allot::sqlite {

struct Recovered {
  std::int64_t head = 0;           // last seq in the journal
  std::int64_t replayed = 0;       // changes read to find the live holds
};

// Fills an empty `state` from a migrated database.
Expected<Recovered> LoadState(sqlite3* db, MemoryState& state);

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_RECOVERY_H_
