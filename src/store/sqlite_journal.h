// The journal on SQLite (allot/journal.h): one row per block in `journal`,
// keyed by the seq of the block's first change. The writer gives blocks
// their seqs (it is the only writer of the file), appends them in the
// batch's transaction and knows the head from then on.
#ifndef ALLOT_STORE_SQLITE_JOURNAL_H_
#define ALLOT_STORE_SQLITE_JOURNAL_H_

#include <sqlite3.h>

#include <cstdint>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

// The last seq in the journal (0 when empty).
Expected<std::int64_t> JournalHead(sqlite3* db);

// Blocks with a change after `after_seq` (the block holding after_seq
// included), ascending, at most `limit`.
Expected<std::vector<JournalBlock>> ReadJournal(sqlite3* db, std::int64_t after_seq,
                                                std::int64_t limit);

// Appends blocks with prepared statements, on the writer's connection.
class JournalAppender {
 public:
  static Expected<JournalAppender> Prepare(sqlite3* db);
  // Appends `blocks` after `head`: the first gets seq head + 1 and so on
  // (a block that already has a first_seq must have that one). Returns the
  // new head.
  Expected<std::int64_t> Append(const std::vector<JournalBlock>& blocks, std::int64_t head);

 private:
  Statement insert_;
};

// The migration step that adds the journal to a database of schema
// version 2: its history, rebuilt from the ledgers and records
// (journal/legacy_import.h), as the journal's first changes.
Status ImportLegacyJournal(sqlite3* db);

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_JOURNAL_H_
