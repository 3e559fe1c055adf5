#include "store/sqlite_record_finder.h"

#include <utility>

#include "journal/change_codec.h"
#include "journal/record_key.h"

namespace allot::sqlite {

Expected<RecordFinder> RecordFinder::Prepare(sqlite3* db) {
  RecordFinder finder;
  const std::pair<Statement*, std::string_view> statements[] = {
      {&finder.head_by_key_, "SELECT block FROM record_heads WHERE record = ?1"},
      {&finder.head_by_id_, "SELECT block FROM legacy_records WHERE id = ?1"},
      {&finder.block_, "SELECT count, at_ms, body FROM journal WHERE seq = ?1"},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(db, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  return finder;
}

Expected<std::optional<std::int64_t>> RecordFinder::HeadBlock(std::string_view id) {
  Statement& query = journal::KeyOfId(id) ? head_by_key_ : head_by_id_;
  ResetOnExit reset(query);
  if (auto key = journal::KeyOfId(id)) {
    query.BindAll(*key);
  } else {
    query.BindAll(id);
  }
  auto row = query.Step("Finding a record's latest change");
  if (!row) return Fail(std::move(row.error()));
  if (*row) return query.Int(0);
  if (auto key = journal::KeyOfId(id)) return journal::BlockOfKey(*key);
  return std::nullopt;
}

template <typename T>
Expected<std::optional<T>> RecordFinder::Latest(std::string_view id) {
  auto block_seq = HeadBlock(id);
  if (!block_seq) return Fail(std::move(block_seq.error()));
  if (!*block_seq) return std::nullopt;
  if (cached_seq_ != **block_seq) {
    ResetOnExit reset(block_);
    block_.BindAll(**block_seq);
    auto row = block_.Step("Reading a journal block");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::nullopt;  // a key naming a block that is not there
    cached_seq_ = **block_seq;
    cached_count_ = block_.Int(0);
    cached_at_ms_ = block_.Int(1);
    cached_body_.assign(block_.BlobView(2));
  }
  const std::int64_t at_ms = cached_at_ms_;
  auto changes = journal::SplitBlock(cached_body_, cached_seq_, cached_count_);
  if (!changes) return Fail(std::move(changes.error()));
  for (auto it = changes->rbegin(); it != changes->rend(); ++it) {
    // A block holds up to 32 commands' changes: only the record's own are
    // decoded.
    if (journal::PeekHeader(*it).id != id) continue;
    auto change = journal::DecodeChange(*it, at_ms);
    if (!change) return Fail(std::move(change.error()));
    const T* record = std::get_if<T>(&change->data);
    if (record != nullptr && record->id == id) return *record;
  }
  return std::nullopt;
}

Expected<std::optional<Reservation>> RecordFinder::FindReservation(std::string_view id) {
  // A held transfer's funds are held by a reservation with its id; the
  // journal tells the transfer, and the hold follows from it.
  if (IsTransferId(id)) {
    auto transfer = FindTransfer(id);
    if (!transfer) return Fail(std::move(transfer.error()));
    if (!*transfer) return std::nullopt;
    return HoldOfTransfer(**transfer);
  }
  return Latest<Reservation>(id);
}

Expected<std::optional<Order>> RecordFinder::FindOrder(std::string_view id) {
  return Latest<Order>(id);
}

Expected<std::optional<Transfer>> RecordFinder::FindTransfer(std::string_view id) {
  return Latest<Transfer>(id);
}

}  // namespace allot::sqlite
