// The rows the single-process store writes besides the journal, with
// statements prepared once: the items (every counter, so `allot audit`,
// `sqlite3` and a restart see them without replaying the journal), per-user
// usage of capped items, events, idempotency records, the heads of records
// that changed after the block that created them, and the block a restart
// replays from. Everything else is in the journal and in memory.
//
// Not thread-safe; used by the writer's single thread.
#ifndef ALLOT_STORE_SQLITE_ROWS_H_
#define ALLOT_STORE_SQLITE_ROWS_H_

#include <sqlite3.h>

#include <cstdint>

#include "allot/error.h"
#include "allot/store.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

class RowWriter {
 public:
  static Expected<RowWriter> Prepare(sqlite3* db);

  // Items, usage, events, idempotency records and the purge of old ones.
  // Stops at the first failure with kUnavailable naming the record (a
  // CHECK constraint, a second record with one idempotency key).
  Status Write(const BatchWrites& writes);
  // For each record changed in `blocks` outside the block that created it,
  // the block of its latest change.
  Status WriteHeads(const std::vector<JournalBlock>& blocks);
  // The block a restart replays the journal from.
  Status WriteLiveFrom(std::int64_t block);

 private:
  Statement upsert_item_;
  Statement upsert_usage_;
  Statement insert_event_;
  Statement insert_idempotency_;
  Statement purge_idempotency_;
  Statement upsert_head_;
  Statement upsert_legacy_head_;
  Statement live_from_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_ROWS_H_
