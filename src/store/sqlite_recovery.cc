#include "store/sqlite_recovery.h"

#include <utility>

#include "journal/change_codec.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_journal.h"
#include "store/sqlite_records.h"

namespace allot::sqlite {
namespace {

// Blocks read per query while replaying.
constexpr std::int64_t kBlocksPerRead = 4096;

template <typename OnRow>
Status ForEachRow(sqlite3* db, std::string_view sql, std::string_view what, OnRow on_row) {
  auto query = Statement::Prepare(db, sql);
  if (!query) return Fail(std::move(query.error()));
  for (;;) {
    auto row = query->Step(what);
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return {};
    on_row(*query);
  }
}

Status LoadTables(sqlite3* db, MemoryState& state) {
  Status done = ForEachRow(db, "SELECT " + std::string(kItemColumns) + " FROM items",
                           "Loading items", [&](const Statement& row) {
                             state.LoadItem(ItemFromRow(row));
                           });
  if (done) {
    done = ForEachRow(db, "SELECT id, name, seat_count, seats_digest FROM events",
                      "Loading events", [&](const Statement& row) {
                        state.LoadEvent(
                            Event{row.Text(0), row.OptionalText(1), row.Int(2), row.Text(3)});
                      });
  }
  if (done) {
    done = ForEachRow(db, "SELECT user_id, item_id, held, bought FROM user_usage",
                      "Loading per-user usage", [&](const Statement& row) {
                        state.LoadUsage(UserUsage{row.Text(0), row.Text(1), row.Int(2), row.Int(3)});
                      });
  }
  return done;
}

Expected<std::int64_t> LiveFrom(sqlite3* db) {
  auto query = Statement::Prepare(db, "SELECT live_from FROM journal_state");
  if (!query) return Fail(std::move(query.error()));
  auto row = query->Step("Reading where the live holds start");
  if (!row) return Fail(std::move(row.error()));
  return *row ? query->Int(0) : 1;
}

// A change to a reservation or a held transfer, as its live hold.
Status Replay(const journal::EncodedChange& encoded, const JournalBlock& block,
              MemoryState& state) {
  switch (encoded.type) {
    case ChangeType::kReservationCreated:
    case ChangeType::kReservationExtended:
    case ChangeType::kReservationConfirmed:
    case ChangeType::kReservationCancelled:
    case ChangeType::kReservationExpired:
    case ChangeType::kTransferHeld:
    case ChangeType::kTransferConfirmed:
    case ChangeType::kTransferCancelled:
    case ChangeType::kTransferExpired:
      break;
    default:
      return {};  // nothing about holds
  }
  auto change = journal::DecodeChange(encoded, block.at_ms);
  if (!change) return Fail(std::move(change.error()));
  if (const auto* r = std::get_if<Reservation>(&change->data)) {
    if (r->status != ReservationStatus::kHeld) {
      state.DropHold(r->id);
    } else {
      const std::int64_t created = change->type == ChangeType::kReservationCreated
                                       ? block.first_seq
                                       : state.HoldBlock(r->id).value_or(block.first_seq);
      state.PutHold(*r, nullptr, created);
    }
  } else if (const auto* t = std::get_if<Transfer>(&change->data)) {
    if (t->status != TransferStatus::kHeld) {
      state.DropHold(t->id);
    } else if (auto hold = HoldOfTransfer(*t)) {
      state.PutHold(*hold, t, block.first_seq);
    }
  }
  return {};
}

}  // namespace

Expected<Recovered> LoadState(sqlite3* db, MemoryState& state) {
  if (auto loaded = LoadTables(db, state); !loaded) return Fail(std::move(loaded.error()));
  auto live_from = LiveFrom(db);
  if (!live_from) return Fail(std::move(live_from.error()));
  Recovered recovered;
  std::int64_t after = *live_from - 1;
  for (;;) {
    auto blocks = ReadJournal(db, after, kBlocksPerRead);
    if (!blocks) return Fail(std::move(blocks.error()));
    if (blocks->empty()) break;
    for (const JournalBlock& block : *blocks) {
      auto changes = journal::SplitBlock(block.body, block.first_seq, block.count);
      if (!changes) return Fail(std::move(changes.error()));
      for (const journal::EncodedChange& change : *changes) {
        if (change.seq <= after) continue;
        if (auto replayed = Replay(change, block, state); !replayed) {
          return Fail(std::move(replayed.error()));
        }
        ++recovered.replayed;
      }
      after = block.first_seq + block.count - 1;
    }
  }
  auto head = JournalHead(db);
  if (!head) return Fail(std::move(head.error()));
  recovered.head = *head;
  return recovered;
}

}  // namespace allot::sqlite
