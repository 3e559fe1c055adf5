// The `draws` and `draw_entries` tables of the SQLite store (schema version
// 8), with statements prepared once per connection: the writer loads and
// upserts them inside its batches, the reader pool reads them. The seed is
// kept as hex.
//
// Not thread-safe: one per connection, used by that connection's owner.
#ifndef ALLOT_STORE_SQLITE_DRAWS_H_
#define ALLOT_STORE_SQLITE_DRAWS_H_

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

class DrawTable {
 public:
  static Expected<DrawTable> Prepare(sqlite3* db, bool writable);

  Expected<std::optional<Draw>> Load(std::string_view id);
  Expected<std::optional<DrawEntry>> LoadEntry(std::string_view draw_id, std::string_view user_id);
  Expected<std::vector<DrawEntry>> Entries(std::string_view draw_id);  // arrival order
  Expected<std::vector<DueDraw>> Due(std::int64_t now_ms, std::size_t limit);
  // A read: once drawn, with its entries in rank order as results.
  Expected<std::optional<Draw>> Get(std::string_view id);
  Status Upsert(const Draw& draw);            // the writer's only
  Status UpsertEntry(const DrawEntry& entry);  // the writer's only

 private:
  Statement load_;
  Statement load_entry_;
  Statement entries_;
  Statement ranked_;
  Statement due_;
  Statement upsert_;
  Statement upsert_entry_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_DRAWS_H_
