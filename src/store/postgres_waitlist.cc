#include "store/postgres_waitlist.h"

namespace allot::pg {
namespace {

constexpr std::string_view kColumns =
    "id, item_id, user_id, owner, qty, offer_ttl_seconds, status, ticket, created_at_ms, "
    "reservation_id";

constexpr std::string_view kUpsert = R"sql(
INSERT INTO waitlist (id, item_id, user_id, owner, qty, offer_ttl_seconds, status, ticket,
                      created_at_ms, reservation_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, reservation_id = excluded.reservation_id
)sql";

std::string Select(std::string_view rest) {
  return "SELECT " + std::string(kColumns) + " FROM waitlist " + std::string(rest);
}

}  // namespace

StatementSpecs WaitlistWriterStatements() {
  return {
      {"load_waitlist", Select("WHERE id = $1")},
      {"waiting_entries",
       Select("WHERE item_id = $1 AND status = 0 AND ticket > $2 ORDER BY ticket LIMIT $3")},
      {"active_waitlist", Select("WHERE item_id = $1 AND user_id = $2 AND status IN (0, 1)")},
      {"waitlist_offer", Select("WHERE reservation_id = $1")},
      {"waitlist_items", "SELECT DISTINCT item_id FROM waitlist WHERE id = ANY($1::text[])"},
      {"upsert_waitlist", std::string(kUpsert)},
  };
}

StatementSpecs WaitlistReaderStatements() {
  return {
      {"get_waitlist", Select("WHERE id = $1")},
      {"waitlist_waiting_through",
       "SELECT count(*) FROM waitlist WHERE item_id = $1 AND status = 0 AND ticket <= $2"},
      {"list_waitlist", Select("WHERE item_id = $1 AND ticket > $2 ORDER BY ticket LIMIT $3")},
      {"waitlist_ticket", "SELECT ticket FROM waitlist WHERE id = $1 AND item_id = $2"},
  };
}

Params UpsertWaitlistParams(const WaitlistEntry& e) {
  Params params;
  params.Add(e.id)
      .Add(e.item_id)
      .Add(e.user_id)
      .Add(e.owner)
      .Add(e.qty)
      .Add(e.offer_ttl_seconds)
      .Add(static_cast<std::int64_t>(e.status))
      .Add(e.ticket)
      .Add(e.created_at_ms)
      .Add(e.reservation_id);
  return params;
}

std::vector<WaitlistEntry> WaitlistEntriesIn(const Result& result) {
  std::vector<WaitlistEntry> out;
  out.reserve(result.rows());
  for (int row = 0; row < result.rows(); ++row) {
    out.push_back(WaitlistEntry{.id = result.Text(row, 0),
                                .item_id = result.Text(row, 1),
                                .user_id = result.Text(row, 2),
                                .owner = result.Text(row, 3),
                                .qty = result.Int(row, 4),
                                .offer_ttl_seconds = result.Int(row, 5),
                                .status = static_cast<WaitlistStatus>(result.Int(row, 6)),
                                .ticket = result.Int(row, 7),
                                .created_at_ms = result.Int(row, 8),
                                .reservation_id = result.OptionalText(row, 9)});
  }
  return out;
}

}  // namespace allot::pg
