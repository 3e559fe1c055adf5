#include "store/postgres_draws.h"

#include "core/digest.h"

namespace allot::pg {
namespace {

constexpr std::string_view kDrawColumns =
    "id, item_id, owner, units, closes_at_ms, offer_ttl_seconds, status, seed, seed_hash, "
    "hold_id, entries, created_at_ms, drawn_at_ms";
constexpr std::string_view kEntryColumns =
    "draw_id, user_id, owner, qty, number, created_at_ms, rank, outcome, reservation_id";

constexpr std::string_view kUpsert = R"sql(
INSERT INTO draws (id, item_id, owner, units, closes_at_ms, offer_ttl_seconds, status, seed,
                   seed_hash, hold_id, entries, created_at_ms, drawn_at_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, entries = excluded.entries,
  drawn_at_ms = excluded.drawn_at_ms
)sql";
constexpr std::string_view kUpsertEntry = R"sql(
INSERT INTO draw_entries (draw_id, user_id, owner, qty, number, created_at_ms, rank, outcome,
                          reservation_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (draw_id, user_id) DO UPDATE SET rank = excluded.rank, outcome = excluded.outcome,
  reservation_id = excluded.reservation_id
)sql";

std::string SelectDraws(std::string_view rest) {
  return "SELECT " + std::string(kDrawColumns) + " FROM draws " + std::string(rest);
}
std::string SelectEntries(std::string_view rest) {
  return "SELECT " + std::string(kEntryColumns) + " FROM draw_entries " + std::string(rest);
}

}  // namespace

StatementSpecs DrawWriterStatements() {
  return {
      {"load_draw", SelectDraws("WHERE id = $1")},
      {"load_draw_entry", SelectEntries("WHERE draw_id = $1 AND user_id = $2")},
      {"draw_entries", SelectEntries("WHERE draw_id = $1 ORDER BY number")},
      {"due_draws", "SELECT id, item_id FROM draws WHERE status = 0 AND closes_at_ms <= $1 "
                    "ORDER BY closes_at_ms, id LIMIT $2"},
      {"draw_items", "SELECT DISTINCT item_id FROM draws WHERE id = ANY($1::text[])"},
      {"upsert_draw", std::string(kUpsert)},
      {"upsert_draw_entry", std::string(kUpsertEntry)},
  };
}

StatementSpecs DrawReaderStatements() {
  return {
      {"get_draw", SelectDraws("WHERE id = $1")},
      {"ranked_draw_entries", SelectEntries("WHERE draw_id = $1 ORDER BY rank")},
  };
}

Params UpsertDrawParams(const Draw& d) {
  Params params;
  params.Add(d.id)
      .Add(d.item_id)
      .Add(d.owner)
      .Add(d.units)
      .Add(d.closes_at_ms)
      .Add(d.offer_ttl_seconds)
      .Add(static_cast<std::int64_t>(d.status))
      .Add(ToHex(d.seed))
      .Add(d.seed_hash)
      .Add(d.hold_id)
      .Add(d.entries)
      .Add(d.created_at_ms)
      .Add(d.drawn_at_ms);
  return params;
}

Params UpsertDrawEntryParams(const DrawEntry& e) {
  std::optional<std::int64_t> outcome;
  if (e.outcome) outcome = static_cast<std::int64_t>(*e.outcome);
  Params params;
  params.Add(e.draw_id)
      .Add(e.user_id)
      .Add(e.owner)
      .Add(e.qty)
      .Add(e.number)
      .Add(e.created_at_ms)
      .Add(e.rank)
      .Add(outcome)
      .Add(e.reservation_id);
  return params;
}

Expected<std::vector<Draw>> DrawsIn(const Result& result) {
  std::vector<Draw> out;
  out.reserve(result.rows());
  for (int row = 0; row < result.rows(); ++row) {
    auto seed = FromHex(result.View(row, 7));
    if (!seed) {
      return Fail(Unavailable("The stored seed of draw '" + result.Text(row, 0) +
                              "' is not hex."));
    }
    out.push_back(Draw{.id = result.Text(row, 0),
                       .item_id = result.Text(row, 1),
                       .owner = result.Text(row, 2),
                       .units = result.Int(row, 3),
                       .closes_at_ms = result.Int(row, 4),
                       .offer_ttl_seconds = result.Int(row, 5),
                       .status = static_cast<DrawStatus>(result.Int(row, 6) & 1),
                       .seed = std::move(*seed),
                       .seed_hash = result.Text(row, 8),
                       .hold_id = result.Text(row, 9),
                       .entries = result.Int(row, 10),
                       .created_at_ms = result.Int(row, 11),
                       .drawn_at_ms = result.OptionalInt(row, 12)});
  }
  return out;
}

std::vector<DrawEntry> DrawEntriesIn(const Result& result) {
  std::vector<DrawEntry> out;
  out.reserve(result.rows());
  for (int row = 0; row < result.rows(); ++row) {
    DrawEntry e{.draw_id = result.Text(row, 0),
                .user_id = result.Text(row, 1),
                .owner = result.Text(row, 2),
                .qty = result.Int(row, 3),
                .number = result.Int(row, 4),
                .created_at_ms = result.Int(row, 5),
                .rank = result.OptionalInt(row, 6),
                .reservation_id = result.OptionalText(row, 8)};
    if (auto outcome = result.OptionalInt(row, 7)) e.outcome = static_cast<DrawOutcome>(*outcome & 1);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace allot::pg
