// The `waitlist` table of the PostgreSQL store (schema version 7): the
// statements the writer and the readers prepare, and rows read back as
// entries. Entries need no row locks of their own: every change to one is
// made by a batch that holds its item's lock (a join, a leave, a serve, or
// the end of its offer, which locks the offer's items).
#ifndef ALLOT_STORE_POSTGRES_WAITLIST_H_
#define ALLOT_STORE_POSTGRES_WAITLIST_H_

#include <string>
#include <vector>

#include "allot/model.h"
#include "store/postgres_connection.h"
#include "store/postgres_session.h"

namespace allot::pg {

// load_waitlist ($1 id), waiting_entries ($1 item, $2 after ticket, $3
// limit), active_waitlist ($1 item, $2 user), waitlist_offer ($1
// reservation), waitlist_items ($1 text[] of entry ids: their items),
// upsert_waitlist.
StatementSpecs WaitlistWriterStatements();
// get_waitlist ($1 id), waitlist_waiting_through ($1 item, $2 ticket),
// list_waitlist ($1 item, $2 after ticket, $3 limit), waitlist_ticket ($1
// id, $2 item).
StatementSpecs WaitlistReaderStatements();

Params UpsertWaitlistParams(const WaitlistEntry& entry);

// The entries of a result of the statements above, in row order.
std::vector<WaitlistEntry> WaitlistEntriesIn(const Result& result);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_WAITLIST_H_
