#include "store/sqlite_waitlist.h"

#include <string>
#include <utility>

namespace allot::sqlite {
namespace {

#define ALLOT_WAITLIST_COLUMNS                                                               \
  "id, item_id, user_id, owner, qty, offer_ttl_seconds, status, ticket, created_at_ms, " \
  "reservation_id"

constexpr std::string_view kUpsert = R"sql(
INSERT INTO waitlist (id, item_id, user_id, owner, qty, offer_ttl_seconds, status, ticket,
                      created_at_ms, reservation_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, reservation_id = excluded.reservation_id
)sql";

WaitlistEntry RowOf(const Statement& s) {
  return WaitlistEntry{.id = s.Text(0),
                       .item_id = s.Text(1),
                       .user_id = s.Text(2),
                       .owner = s.Text(3),
                       .qty = s.Int(4),
                       .offer_ttl_seconds = s.Int(5),
                       .status = static_cast<WaitlistStatus>(s.Int(6)),
                       .ticket = s.Int(7),
                       .created_at_ms = s.Int(8),
                       .reservation_id = s.OptionalText(9)};
}

}  // namespace

Expected<WaitlistTable> WaitlistTable::Prepare(sqlite3* db, bool writable) {
  WaitlistTable table;
  const std::pair<Statement*, std::string_view> statements[] = {
      {&table.load_, "SELECT " ALLOT_WAITLIST_COLUMNS " FROM waitlist WHERE id = ?1"},
      {&table.waiting_, "SELECT " ALLOT_WAITLIST_COLUMNS
                        " FROM waitlist WHERE item_id = ?1 AND status = 0 AND ticket > ?2 "
                        "ORDER BY ticket LIMIT ?3"},
      {&table.active_, "SELECT " ALLOT_WAITLIST_COLUMNS
                       " FROM waitlist WHERE item_id = ?1 AND user_id = ?2 AND status IN (0, 1)"},
      {&table.offer_, "SELECT " ALLOT_WAITLIST_COLUMNS
                      " FROM waitlist WHERE reservation_id = ?1"},
      {&table.count_, "SELECT count(*) FROM waitlist "
                      "WHERE item_id = ?1 AND status = 0 AND ticket <= ?2"},
      {&table.list_, "SELECT " ALLOT_WAITLIST_COLUMNS
                     " FROM waitlist WHERE item_id = ?1 AND ticket > ?2 ORDER BY ticket LIMIT ?3"},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(db, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  if (writable) {
    auto upsert = Statement::Prepare(db, kUpsert);
    if (!upsert) return Fail(std::move(upsert.error()));
    table.upsert_ = std::move(*upsert);
  }
  return table;
}

Expected<std::optional<WaitlistEntry>> WaitlistTable::One(Statement& statement,
                                                          std::string_view what) {
  auto row = statement.Step(what);
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return std::optional(RowOf(statement));
}

Expected<std::optional<WaitlistEntry>> WaitlistTable::Load(std::string_view id) {
  ResetOnExit reset(load_);
  load_.BindAll(id);
  return One(load_, "Loading a waiting-list entry");
}

Expected<std::vector<WaitlistEntry>> WaitlistTable::Waiting(std::string_view item_id,
                                                            std::int64_t after_ticket,
                                                            std::size_t limit) {
  ResetOnExit reset(waiting_);
  waiting_.BindAll(item_id, after_ticket, static_cast<std::int64_t>(limit));
  std::vector<WaitlistEntry> out;
  for (;;) {
    auto row = waiting_.Step("Loading waiting entries");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return out;
    out.push_back(RowOf(waiting_));
  }
}

Expected<std::optional<WaitlistEntry>> WaitlistTable::Active(std::string_view item_id,
                                                             std::string_view user_id) {
  ResetOnExit reset(active_);
  active_.BindAll(item_id, user_id);
  return One(active_, "Loading a user's waiting-list entry");
}

Expected<std::optional<WaitlistEntry>> WaitlistTable::Offer(std::string_view reservation_id) {
  ResetOnExit reset(offer_);
  offer_.BindAll(reservation_id);
  return One(offer_, "Loading the entry of an offer");
}

Expected<std::int64_t> WaitlistTable::WaitingThrough(std::string_view item_id,
                                                     std::int64_t ticket) {
  ResetOnExit reset(count_);
  count_.BindAll(item_id, ticket);
  auto row = count_.Step("Counting waiting entries");
  if (!row) return Fail(std::move(row.error()));
  return count_.Int(0);
}

Expected<std::optional<WaitlistEntry>> WaitlistTable::Get(std::string_view id) {
  auto entry = Load(id);
  if (!entry || !*entry || (*entry)->status != WaitlistStatus::kWaiting) return entry;
  auto position = WaitingThrough((*entry)->item_id, (*entry)->ticket);
  if (!position) return Fail(std::move(position.error()));
  (*entry)->position = *position;
  return entry;
}

Expected<WaitlistPage> WaitlistTable::List(std::string_view item_id, std::string_view after,
                                           std::size_t limit) {
  std::int64_t after_ticket = 0;
  if (!after.empty()) {
    auto cursor = Load(after);
    if (!cursor) return Fail(std::move(cursor.error()));
    // A cursor from another item (or none) starts at the front.
    if (*cursor && (*cursor)->item_id == item_id) after_ticket = (*cursor)->ticket;
  }
  auto ahead = WaitingThrough(item_id, after_ticket);
  if (!ahead) return Fail(std::move(ahead.error()));
  std::int64_t position = *ahead;
  WaitlistPage page;
  {
    ResetOnExit reset(list_);
    list_.BindAll(item_id, after_ticket, static_cast<std::int64_t>(limit) + 1);
    for (;;) {
      auto row = list_.Step("Listing a waiting list");
      if (!row) return Fail(std::move(row.error()));
      if (!*row) break;
      page.entries.push_back(RowOf(list_));
    }
  }
  if (page.entries.size() > limit) {
    page.entries.resize(limit);
    page.next = page.entries.back().id;
  }
  for (WaitlistEntry& e : page.entries) {
    if (e.status == WaitlistStatus::kWaiting) e.position = ++position;
  }
  return page;
}

Status WaitlistTable::Upsert(const WaitlistEntry& e) {
  return upsert_.Exec("Writing waiting-list entry '" + e.id + "'", e.id, e.item_id, e.user_id,
                      e.owner, e.qty, e.offer_ttl_seconds, static_cast<std::int64_t>(e.status),
                      e.ticket, e.created_at_ms, e.reservation_id);
}

}  // namespace allot::sqlite
