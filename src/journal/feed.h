// Reading the journal as a feed: the changes after a cursor, in seq order,
// that a filter keeps (their types; a client's own records and everyone's
// items, accounts and events). Both stores' readers serve GET
// /api/v1/changes, its stream and the webhooks with this, over their own
// way of reading blocks.
#ifndef ALLOT_JOURNAL_FEED_H_
#define ALLOT_JOURNAL_FEED_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "allot/store.h"

namespace allot::journal {

// The blocks holding changes after `after` (the block holding `after`
// itself too), ascending, at most `max_blocks`; empty when there are none.
using BlockSource =
    std::function<Expected<std::vector<JournalBlock>>(std::int64_t after, std::int64_t max_blocks)>;

// Up to `limit` changes after `after` that `filter` keeps, reading at most
// `max_scan` changes (so a filter that keeps little still answers soon);
// `next` is the last seq read (or `after` when nothing was).
Expected<ChangePage> ReadChanges(const BlockSource& blocks, std::int64_t after, std::size_t limit,
                                 const ChangeFilter& filter, std::size_t max_scan);

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_FEED_H_
