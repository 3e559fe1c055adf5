// Finding reservations, orders and transfers in the single-process store,
// which keeps them only in the journal (store/sqlite_memory.h keeps the
// live holds besides). A record is its latest change:
//
//   id -> the block holding its latest change -> that change's record
//
// An id that carries a record key (journal/record_key.h) names the block
// that created the record; `record_heads` has a row only for records that
// changed in a later block. Other ids (made before the journal, or by
// tests) have their block in `legacy_records`.
//
// One finder per connection; not thread-safe. It reads what the connection
// sees: the writer's open transaction, or a reader's snapshot.
#ifndef ALLOT_STORE_SQLITE_RECORD_FINDER_H_
#define ALLOT_STORE_SQLITE_RECORD_FINDER_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "allot/error.h"
#include "allot/model.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

class RecordFinder {
 public:
  static Expected<RecordFinder> Prepare(sqlite3* db);

  // The block holding the record's latest change; nullopt for an id the
  // store never saw.
  Expected<std::optional<std::int64_t>> HeadBlock(std::string_view id);

  Expected<std::optional<Reservation>> FindReservation(std::string_view id);
  Expected<std::optional<Order>> FindOrder(std::string_view id);
  Expected<std::optional<Transfer>> FindTransfer(std::string_view id);

 private:
  // The record in the latest change about `id` of the block HeadBlock
  // names, if it is a T.
  template <typename T>
  Expected<std::optional<T>> Latest(std::string_view id);

  Statement head_by_key_;
  Statement head_by_id_;
  Statement block_;
  // The last block read: blocks never change once written, and records
  // read one after another (a page of a list) often share one.
  std::int64_t cached_seq_ = 0;
  std::int64_t cached_count_ = 0;
  std::int64_t cached_at_ms_ = 0;
  std::string cached_body_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_RECORD_FINDER_H_
