#include "store/postgres_reader.h"

#include "journal/feed.h"
#include "store/postgres_journal.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "store/postgres_records.h"
#include "store/postgres_draws.h"
#include "store/postgres_waitlist.h"
#include "store/postgres_webhooks.h"

namespace allot::pg {
namespace {

// `held` without the holds already due at $1 (not yet swept): an index
// range scan of holds_by_item per item.
constexpr std::string_view kItemColumnsAt = R"sql(
SELECT id, name, on_hand,
       held - coalesce((SELECT sum(h.qty) FROM holds h
                        WHERE h.item_id = items.id AND h.expires_at_ms <= $1), 0),
       sold, max_per_user, created_on_hand, waiting, tickets
FROM items
)sql";

StatementSpecs ReaderStatements() {
  return {
      {"get_item", std::string(kItemColumnsAt) + " WHERE id = $2"},
      {"list_items", std::string(kItemColumnsAt) + " WHERE id > $2 ORDER BY id LIMIT $3"},
      {"get_reservation", std::string(kSelectReservations) + " WHERE r.id = $1 ORDER BY l.line_no"},
      {"get_order", std::string(kSelectOrders) + " WHERE o.id = $1 ORDER BY l.line_no"},
      {"ping", "SELECT 1"},
      {"journal_blocks", R"sql(
SELECT seq, count, at_ms, body FROM journal
WHERE seq >= coalesce((SELECT max(seq) FROM journal WHERE seq <= $1), 0)
ORDER BY seq LIMIT $2
)sql"},
      {"journal_head", "SELECT seq FROM journal_head"},
      {"term_blocks", R"sql(
SELECT block FROM journal_terms WHERE term = $1 AND block >= $2 ORDER BY block LIMIT $3
)sql"},
      {"last_term_block", R"sql(
SELECT block FROM journal_terms WHERE term = $1 AND block <= $2 ORDER BY block DESC LIMIT 1
)sql"},
      {"block_start", R"sql(
SELECT seq, count FROM journal WHERE seq <= $1 ORDER BY seq DESC LIMIT 1
)sql"},
      {"block_holding", R"sql(
SELECT seq, count, at_ms, body FROM journal WHERE seq <= $1 ORDER BY seq DESC LIMIT 1
)sql"},
      {"seq_at_time", R"sql(
SELECT seq + count - 1 FROM journal WHERE at_ms <= $1 ORDER BY at_ms DESC, seq DESC LIMIT 1
)sql"},
      {"get_transfer", "SELECT " + std::string(kTransferColumns) + " FROM transfers WHERE id = $1"},
      // One statement, one snapshot: the event (first row, seat columns
      // null) and its seat items by id range, `held` less the due holds.
      {"get_event_seats", R"sql(
SELECT e.id, e.name, e.seat_count, e.seats_digest, NULL::text COLLATE "C", NULL::bigint,
       NULL::bigint
FROM events e WHERE e.id = $1
UNION ALL
SELECT NULL, NULL, NULL, NULL, i.id, i.on_hand,
       i.held - coalesce((SELECT sum(h.qty) FROM holds h
                          WHERE h.item_id = i.id AND h.expires_at_ms <= $4), 0)
FROM items i WHERE i.id >= $2 AND i.id < $3 AND EXISTS (SELECT 1 FROM events WHERE id = $1)
ORDER BY 5 NULLS FIRST
)sql"},
  };
}

}  // namespace

class PostgresReader::Lease {
 public:
  explicit Lease(PostgresReader& pool) : pool_(pool), session_(pool.Acquire()) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { pool_.Release(session_); }
  Session& operator*() const { return session_; }

 private:
  PostgresReader& pool_;
  Session& session_;
};

PostgresReader::~PostgresReader() = default;

Expected<std::unique_ptr<PostgresReader>> PostgresReader::Open(const PostgresOptions& options) {
  std::unique_ptr<PostgresReader> reader(new PostgresReader());
  StatementSpecs statements = ReaderStatements();
  for (auto& spec : WebhookReaderStatements()) statements.push_back(std::move(spec));
  for (auto& spec : WaitlistReaderStatements()) statements.push_back(std::move(spec));
  for (auto& spec : DrawReaderStatements()) statements.push_back(std::move(spec));
  for (int i = 0; i < options.reader_connections; ++i) {
    auto session = std::make_unique<Session>(
        SessionOptions{options.conninfo, options.connect_timeout_seconds,
                       options.initial_backoff_ms, options.max_backoff_ms},
        statements);
    if (auto connected = session->Ensure(); !connected) return Fail(std::move(connected.error()));
    reader->free_.push_back(session.get());
    reader->sessions_.push_back(std::move(session));
  }
  return reader;
}

Session& PostgresReader::Acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] { return !free_.empty(); });
  Session* session = free_.back();
  free_.pop_back();
  return *session;
}

void PostgresReader::Release(Session& session) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(&session);
  }
  released_.notify_one();
}

Expected<Result> PostgresReader::Query(std::string_view statement, const Params& params,
                                       std::string_view what) {
  Lease lease(*this);
  Session& session = *lease;
  // A pooled connection that broke while idle (its server restarted or
  // failed over) is found out only by using it. A read changes nothing, so
  // it is sent once more on a new connection instead of failing: after a
  // failover each pooled connection would otherwise cost a client a 503.
  for (int attempt = 1;; ++attempt) {
    const bool reused = session.connected();
    if (auto ready = session.Ensure(); !ready) return Fail(std::move(ready.error()));
    auto result = Run(session.get(), statement, params, what);
    if (!result) {
      session.CheckHealth(&result.error());
      if (reused && attempt == 1 && !session.connected()) continue;
      return result;
    }
    // A server fenced or demoted since this connection was made says so
    // with its answer; what it answered may already be stale (a new primary
    // may be taking writes), so it is not served, and /readyz fails at once.
    if (ServerIsReadOnly(session.get())) {
      session.Drop();
      return Fail(Unavailable(std::string(what) + " failed: the server turned read-only."));
    }
    return result;
  }
}

Expected<std::optional<Item>> PostgresReader::GetItem(std::string_view id, std::int64_t now_ms) {
  auto result = Query("get_item", Params().Add(now_ms).Add(id), "Reading an item");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  return ItemAt(*result, 0);
}

// Fetches one row more than asked to learn whether another page exists.
Expected<ItemPage> PostgresReader::ListItems(std::string_view after, std::size_t limit,
                                             std::int64_t now_ms) {
  ItemPage page;
  if (limit == 0) return page;
  limit = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max() - 1);
  auto result =
      Query("list_items", Params().Add(now_ms).Add(after).Add(static_cast<std::int64_t>(limit + 1)),
            "Listing items");
  if (!result) return Fail(std::move(result.error()));
  for (int row = 0; row < result->rows(); ++row) {
    if (page.items.size() == limit) {
      page.next = page.items.back().id;
      break;
    }
    page.items.push_back(ItemAt(*result, row));
  }
  return page;
}

Expected<std::optional<Reservation>> PostgresReader::GetReservation(std::string_view id) {
  auto result = Query("get_reservation", Params().Add(id), "Reading a reservation");
  if (!result) return Fail(std::move(result.error()));
  auto records = ReservationsIn(*result);
  if (!records) return Fail(std::move(records.error()));
  if (records->empty()) return std::nullopt;
  return std::move(records->front());
}

Expected<std::optional<Order>> PostgresReader::GetOrder(std::string_view id) {
  auto result = Query("get_order", Params().Add(id), "Reading an order");
  if (!result) return Fail(std::move(result.error()));
  auto records = OrdersIn(*result);
  if (!records) return Fail(std::move(records.error()));
  if (records->empty()) return std::nullopt;
  return std::move(records->front());
}

Expected<std::optional<Transfer>> PostgresReader::GetTransfer(std::string_view id) {
  auto result = Query("get_transfer", Params().Add(id), "Reading a transfer");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  auto transfer = TransferAt(*result, 0);
  if (!transfer) return Fail(std::move(transfer.error()));
  return std::move(*transfer);
}

Expected<std::optional<std::pair<Event, std::vector<SeatState>>>> PostgresReader::EventWithSeats(
    std::string_view event_id, std::int64_t now_ms) {
  auto [first, last] = SeatItemRange(event_id);
  auto result = Query("get_event_seats", Params().Add(event_id).Add(first).Add(last).Add(now_ms),
                      "Reading an event's seats");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0 || result->IsNull(0, 0)) return std::nullopt;
  std::pair<Event, std::vector<SeatState>> out{EventAt(*result, 0), {}};
  out.second.reserve(result->rows() - 1);
  for (int row = 1; row < result->rows(); ++row) {
    Item item{
        .id = result->Text(row, 4), .on_hand = result->Int(row, 5), .held = result->Int(row, 6)};
    out.second.push_back(SeatState{item.id.substr(first.size()), SeatStatusOf(item)});
  }
  return std::optional(std::move(out));
}

Expected<std::optional<EventCounts>> PostgresReader::GetEvent(std::string_view id,
                                                              std::int64_t now_ms) {
  auto found = EventWithSeats(id, now_ms);
  if (!found) return Fail(std::move(found.error()));
  if (!*found) return std::nullopt;
  return CountSeats(std::move((*found)->first), (*found)->second);
}

Expected<std::optional<std::vector<SeatState>>> PostgresReader::ListSeats(std::string_view event_id,
                                                                          std::int64_t now_ms) {
  auto found = EventWithSeats(event_id, now_ms);
  if (!found) return Fail(std::move(found.error()));
  if (!*found) return std::nullopt;
  return std::optional(std::move((*found)->second));
}

Expected<ChangePage> PostgresReader::ReadChanges(std::int64_t after, std::size_t limit,
                                                 const ChangeFilter& filter,
                                                 std::size_t max_scan) {
  // Each read sees a prefix of the journal (seqs are taken in commit
  // order), and a later read a longer one: pages never skip a change.
  return journal::ReadChanges(
      [&](std::int64_t from, std::int64_t max_blocks) -> Expected<std::vector<JournalBlock>> {
        auto result = Query("journal_blocks", Params().Add(from).Add(max_blocks),
                            "Reading the journal");
        if (!result) return Fail(std::move(result.error()));
        std::vector<JournalBlock> blocks;
        for (int row = 0; row < result->rows(); ++row) {
          JournalBlock block{.first_seq = result->Int(row, 0),
                             .count = result->Int(row, 1),
                             .at_ms = result->Int(row, 2)};
          if (block.first_seq + block.count - 1 <= from) continue;
          auto body = FromByteaHex(result->View(row, 3));
          if (!body) return Fail(std::move(body.error()));
          block.body = std::move(*body);
          blocks.push_back(std::move(block));
        }
        return blocks;
      },
      after, limit, filter, max_scan);
}

Expected<std::int64_t> PostgresReader::JournalHead() {
  auto result = Query("journal_head", Params(), "Reading the journal's head");
  if (!result) return Fail(std::move(result.error()));
  return result->rows() == 0 ? 0 : result->Int(0, 0);
}

Expected<std::vector<std::int64_t>> PostgresReader::TermBlocks(std::uint64_t term,
                                                               std::int64_t from_block,
                                                               std::size_t limit) {
  auto result = Query("term_blocks",
                      Params()
                          .Add(static_cast<std::int64_t>(term))
                          .Add(from_block)
                          .Add(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1 << 20))),
                      "Reading the journal by term");
  if (!result) return Fail(std::move(result.error()));
  std::vector<std::int64_t> blocks;
  blocks.reserve(static_cast<std::size_t>(result->rows()));
  for (int row = 0; row < result->rows(); ++row) blocks.push_back(result->Int(row, 0));
  return blocks;
}

Expected<std::optional<std::int64_t>> PostgresReader::LastTermBlock(std::uint64_t term,
                                                                    std::int64_t at_or_before) {
  auto result =
      Query("last_term_block", Params().Add(static_cast<std::int64_t>(term)).Add(at_or_before),
            "Reading the journal by term");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  return result->Int(0, 0);
}

Expected<std::optional<std::int64_t>> PostgresReader::BlockStartOf(std::int64_t seq) {
  auto result = Query("block_start", Params().Add(seq), "Reading the journal");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0 || result->Int(0, 0) + result->Int(0, 1) <= seq) return std::nullopt;
  return result->Int(0, 0);
}

Expected<std::optional<JournalBlock>> PostgresReader::BlockHolding(std::int64_t seq) {
  auto result = Query("block_holding", Params().Add(seq), "Reading a journal block");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  JournalBlock block{
      .first_seq = result->Int(0, 0), .count = result->Int(0, 1), .at_ms = result->Int(0, 2)};
  if (block.first_seq + block.count <= seq) return std::nullopt;  // past the head
  auto body = FromByteaHex(result->View(0, 3));
  if (!body) return Fail(std::move(body.error()));
  block.body = std::move(*body);
  return block;
}

Expected<std::int64_t> PostgresReader::SeqAtTime(std::int64_t at_ms) {
  auto result = Query("seq_at_time", Params().Add(at_ms), "Reading the journal by time");
  if (!result) return Fail(std::move(result.error()));
  return result->rows() == 0 ? 0 : result->Int(0, 0);
}

Expected<std::optional<Webhook>> PostgresReader::GetWebhook(std::string_view id) {
  auto result = Query("get_webhook", Params().Add(id), "Reading a webhook");
  if (!result) return Fail(std::move(result.error()));
  auto rows = WebhooksIn(*result);
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty()) return std::nullopt;
  return std::move(rows->front());
}

Expected<std::int64_t> PostgresReader::WaitingThrough(std::string_view item_id,
                                                      std::int64_t ticket) {
  auto result = Query("waitlist_waiting_through", Params().Add(item_id).Add(ticket),
                      "Counting waiting entries");
  if (!result) return Fail(std::move(result.error()));
  return result->Int(0, 0);
}

Expected<std::optional<WaitlistEntry>> PostgresReader::GetWaitlistEntry(std::string_view id) {
  auto result = Query("get_waitlist", Params().Add(id), "Reading a waiting-list entry");
  if (!result) return Fail(std::move(result.error()));
  auto rows = WaitlistEntriesIn(*result);
  if (rows.empty()) return std::nullopt;
  WaitlistEntry entry = std::move(rows.front());
  if (entry.status == WaitlistStatus::kWaiting) {
    auto position = WaitingThrough(entry.item_id, entry.ticket);
    if (!position) return Fail(std::move(position.error()));
    entry.position = *position;
  }
  return entry;
}

Expected<WaitlistPage> PostgresReader::ListWaitlist(std::string_view item_id,
                                                    std::string_view after, std::size_t limit) {
  std::int64_t after_ticket = 0;
  if (!after.empty()) {
    // A cursor from another item (or none) starts at the front.
    auto ticket = Query("waitlist_ticket", Params().Add(after).Add(item_id), "Reading a cursor");
    if (!ticket) return Fail(std::move(ticket.error()));
    if (ticket->rows() > 0) after_ticket = ticket->Int(0, 0);
  }
  auto ahead = WaitingThrough(item_id, after_ticket);
  if (!ahead) return Fail(std::move(ahead.error()));
  auto result = Query("list_waitlist",
                      Params().Add(item_id).Add(after_ticket).Add(
                          static_cast<std::int64_t>(limit) + 1),
                      "Listing a waiting list");
  if (!result) return Fail(std::move(result.error()));
  WaitlistPage page;
  page.entries = WaitlistEntriesIn(*result);
  if (page.entries.size() > limit) {
    page.entries.resize(limit);
    page.next = page.entries.back().id;
  }
  std::int64_t position = *ahead;
  for (WaitlistEntry& e : page.entries) {
    if (e.status == WaitlistStatus::kWaiting) e.position = ++position;
  }
  return page;
}

Expected<std::optional<Draw>> PostgresReader::GetDraw(std::string_view id) {
  auto result = Query("get_draw", Params().Add(id), "Reading a draw");
  if (!result) return Fail(std::move(result.error()));
  auto rows = DrawsIn(*result);
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty()) return std::nullopt;
  Draw draw = std::move(rows->front());
  if (draw.status == DrawStatus::kDrawn) {
    auto ranked = Query("ranked_draw_entries", Params().Add(id), "Reading a draw's results");
    if (!ranked) return Fail(std::move(ranked.error()));
    draw.results = DrawEntriesIn(*ranked);
  }
  return draw;
}

Expected<std::vector<Webhook>> PostgresReader::ListWebhooks() {
  auto result = Query("list_webhooks", Params(), "Listing webhooks");
  if (!result) return Fail(std::move(result.error()));
  return WebhooksIn(*result);
}

Status PostgresReader::Ping() {
  auto result = Query("ping", Params(), "Pinging the database");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() != 1 || result->View(0, 0) != "1") {
    return Fail(Unavailable("The database did not answer SELECT 1."));
  }
  return {};
}

}  // namespace allot::pg
