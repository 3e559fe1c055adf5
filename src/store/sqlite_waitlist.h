// The `waitlist` table of the SQLite store (schema version 7), with its
// statements prepared once per connection: the writer loads and upserts
// entries inside its batches, the reader pool reads them. Entries are rows,
// not kept in memory: the hot path touches them only when an item has a
// waiting list (Item::tickets > 0).
//
// Not thread-safe: one per connection, used by that connection's owner.
#ifndef ALLOT_STORE_SQLITE_WAITLIST_H_
#define ALLOT_STORE_SQLITE_WAITLIST_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "allot/store.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

class WaitlistTable {
 public:
  static Expected<WaitlistTable> Prepare(sqlite3* db, bool writable);

  Expected<std::optional<WaitlistEntry>> Load(std::string_view id);
  // Store::LoadWaitingEntries, LoadActiveWaitlistEntry, LoadWaitlistOffer.
  Expected<std::vector<WaitlistEntry>> Waiting(std::string_view item_id, std::int64_t after_ticket,
                                               std::size_t limit);
  Expected<std::optional<WaitlistEntry>> Active(std::string_view item_id,
                                                std::string_view user_id);
  Expected<std::optional<WaitlistEntry>> Offer(std::string_view reservation_id);
  // Reads: the entry with its position while it waits; a page in queue order.
  Expected<std::optional<WaitlistEntry>> Get(std::string_view id);
  Expected<WaitlistPage> List(std::string_view item_id, std::string_view after, std::size_t limit);
  Status Upsert(const WaitlistEntry& entry);  // the writer's only

 private:
  Expected<std::optional<WaitlistEntry>> One(Statement& statement, std::string_view what);
  // Entries still waiting on the item with a ticket up to `ticket`.
  Expected<std::int64_t> WaitingThrough(std::string_view item_id, std::int64_t ticket);

  Statement load_;
  Statement waiting_;
  Statement active_;
  Statement offer_;
  Statement count_;
  Statement list_;
  Statement upsert_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_WAITLIST_H_
