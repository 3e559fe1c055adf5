// Cutting a run of decoded changes into journal blocks, for writers that
// start from Change values (the migration that imports a legacy history)
// rather than from the rules (engine/journal_builder.h).
#ifndef ALLOT_JOURNAL_BLOCKS_H_
#define ALLOT_JOURNAL_BLOCKS_H_

#include <cstddef>
#include <vector>

#include "allot/journal.h"

namespace allot::journal {

// Consecutive changes with the same instant share a block of at most
// `max_changes`. Blocks keep the changes' seqs (the first one's as
// first_seq) and list their reservations, orders and transfers.
std::vector<JournalBlock> BlocksOf(const std::vector<Change>& changes, std::size_t max_changes);

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_BLOCKS_H_
