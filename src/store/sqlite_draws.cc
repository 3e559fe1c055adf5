#include "store/sqlite_draws.h"

#include <string>
#include <utility>

#include "core/digest.h"

namespace allot::sqlite {
namespace {

#define ALLOT_DRAW_COLUMNS                                                                   \
  "id, item_id, owner, units, closes_at_ms, offer_ttl_seconds, status, seed, seed_hash, " \
  "hold_id, entries, created_at_ms, drawn_at_ms"
#define ALLOT_DRAW_ENTRY_COLUMNS \
  "draw_id, user_id, owner, qty, number, created_at_ms, rank, outcome, reservation_id"

constexpr std::string_view kUpsert = R"sql(
INSERT INTO draws (id, item_id, owner, units, closes_at_ms, offer_ttl_seconds, status, seed,
                   seed_hash, hold_id, entries, created_at_ms, drawn_at_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, entries = excluded.entries,
  drawn_at_ms = excluded.drawn_at_ms
)sql";
constexpr std::string_view kUpsertEntry = R"sql(
INSERT INTO draw_entries (draw_id, user_id, owner, qty, number, created_at_ms, rank, outcome,
                          reservation_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (draw_id, user_id) DO UPDATE SET rank = excluded.rank, outcome = excluded.outcome,
  reservation_id = excluded.reservation_id
)sql";

Expected<Draw> DrawOf(const Statement& s) {
  auto seed = FromHex(s.Text(7));
  if (!seed) return Fail(Unavailable("The stored seed of draw '" + s.Text(0) + "' is not hex."));
  return Draw{.id = s.Text(0),
              .item_id = s.Text(1),
              .owner = s.Text(2),
              .units = s.Int(3),
              .closes_at_ms = s.Int(4),
              .offer_ttl_seconds = s.Int(5),
              .status = static_cast<DrawStatus>(s.Int(6) & 1),
              .seed = std::move(*seed),
              .seed_hash = s.Text(8),
              .hold_id = s.Text(9),
              .entries = s.Int(10),
              .created_at_ms = s.Int(11),
              .drawn_at_ms = s.OptionalInt(12)};
}

DrawEntry EntryOf(const Statement& s) {
  DrawEntry e{.draw_id = s.Text(0),
              .user_id = s.Text(1),
              .owner = s.Text(2),
              .qty = s.Int(3),
              .number = s.Int(4),
              .created_at_ms = s.Int(5),
              .rank = s.OptionalInt(6),
              .reservation_id = s.OptionalText(8)};
  if (auto outcome = s.OptionalInt(7)) e.outcome = static_cast<DrawOutcome>(*outcome & 1);
  return e;
}

Expected<std::vector<DrawEntry>> AllEntries(Statement& s, std::string_view draw_id) {
  ResetOnExit reset(s);
  s.BindAll(draw_id);
  std::vector<DrawEntry> out;
  for (;;) {
    auto row = s.Step("Reading a draw's entries");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return out;
    out.push_back(EntryOf(s));
  }
}

}  // namespace

Expected<DrawTable> DrawTable::Prepare(sqlite3* db, bool writable) {
  DrawTable table;
  const std::pair<Statement*, std::string_view> statements[] = {
      {&table.load_, "SELECT " ALLOT_DRAW_COLUMNS " FROM draws WHERE id = ?1"},
      {&table.load_entry_, "SELECT " ALLOT_DRAW_ENTRY_COLUMNS
                           " FROM draw_entries WHERE draw_id = ?1 AND user_id = ?2"},
      {&table.entries_, "SELECT " ALLOT_DRAW_ENTRY_COLUMNS
                        " FROM draw_entries WHERE draw_id = ?1 ORDER BY number"},
      {&table.ranked_, "SELECT " ALLOT_DRAW_ENTRY_COLUMNS
                       " FROM draw_entries WHERE draw_id = ?1 ORDER BY rank"},
      {&table.due_, "SELECT id, item_id FROM draws WHERE status = 0 AND closes_at_ms <= ?1 "
                    "ORDER BY closes_at_ms, id LIMIT ?2"},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(db, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  if (writable) {
    for (const auto& [statement, sql] : {std::pair{&table.upsert_, kUpsert},
                                         std::pair{&table.upsert_entry_, kUpsertEntry}}) {
      auto prepared = Statement::Prepare(db, sql);
      if (!prepared) return Fail(std::move(prepared.error()));
      *statement = std::move(*prepared);
    }
  }
  return table;
}

Expected<std::optional<Draw>> DrawTable::Load(std::string_view id) {
  ResetOnExit reset(load_);
  load_.BindAll(id);
  auto row = load_.Step("Loading a draw");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  auto draw = DrawOf(load_);
  if (!draw) return Fail(std::move(draw.error()));
  return std::optional(std::move(*draw));
}

Expected<std::optional<DrawEntry>> DrawTable::LoadEntry(std::string_view draw_id,
                                                        std::string_view user_id) {
  ResetOnExit reset(load_entry_);
  load_entry_.BindAll(draw_id, user_id);
  auto row = load_entry_.Step("Loading a draw entry");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return std::optional(EntryOf(load_entry_));
}

Expected<std::vector<DrawEntry>> DrawTable::Entries(std::string_view draw_id) {
  return AllEntries(entries_, draw_id);
}

Expected<std::vector<DueDraw>> DrawTable::Due(std::int64_t now_ms, std::size_t limit) {
  ResetOnExit reset(due_);
  due_.BindAll(now_ms, static_cast<std::int64_t>(limit));
  std::vector<DueDraw> out;
  for (;;) {
    auto row = due_.Step("Finding due draws");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return out;
    out.push_back(DueDraw{due_.Text(0), due_.Text(1)});
  }
}

Expected<std::optional<Draw>> DrawTable::Get(std::string_view id) {
  auto draw = Load(id);
  if (!draw || !*draw || (*draw)->status != DrawStatus::kDrawn) return draw;
  auto results = AllEntries(ranked_, id);
  if (!results) return Fail(std::move(results.error()));
  (*draw)->results = std::move(*results);
  return draw;
}

Status DrawTable::Upsert(const Draw& d) {
  return upsert_.Exec("Writing draw '" + d.id + "'", d.id, d.item_id, d.owner, d.units,
                      d.closes_at_ms, d.offer_ttl_seconds, static_cast<std::int64_t>(d.status),
                      ToHex(d.seed), d.seed_hash, d.hold_id, d.entries, d.created_at_ms,
                      d.drawn_at_ms);
}

Status DrawTable::UpsertEntry(const DrawEntry& e) {
  std::optional<std::int64_t> outcome;
  if (e.outcome) outcome = static_cast<std::int64_t>(*e.outcome);
  return upsert_entry_.Exec("Writing an entry of draw '" + e.draw_id + "'", e.draw_id, e.user_id,
                            e.owner, e.qty, e.number, e.created_at_ms, e.rank, outcome,
                            e.reservation_id);
}

}  // namespace allot::sqlite
