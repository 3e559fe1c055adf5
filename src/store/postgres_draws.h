// The `draws` and `draw_entries` tables of the PostgreSQL store (schema
// version 8): the statements the writer and the readers prepare, and rows
// read back. No row locks of their own: every change to a draw or its
// entries is made by a batch that holds the draw's item (LockPlan::draw_ids,
// or the sweep, which locks the item before it loads the draw).
#ifndef ALLOT_STORE_POSTGRES_DRAWS_H_
#define ALLOT_STORE_POSTGRES_DRAWS_H_

#include <string>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "allot/store.h"
#include "store/postgres_connection.h"
#include "store/postgres_session.h"

namespace allot::pg {

// load_draw ($1 id), load_draw_entry ($1 draw, $2 user), draw_entries ($1
// draw: arrival order), due_draws ($1 now, $2 limit), draw_items ($1
// text[] of draw ids: their items), upsert_draw, upsert_draw_entry.
StatementSpecs DrawWriterStatements();
// get_draw ($1 id), ranked_draw_entries ($1 draw: rank order).
StatementSpecs DrawReaderStatements();

Params UpsertDrawParams(const Draw& draw);
Params UpsertDrawEntryParams(const DrawEntry& entry);

Expected<std::vector<Draw>> DrawsIn(const Result& result);
std::vector<DrawEntry> DrawEntriesIn(const Result& result);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_DRAWS_H_
