#include "store/postgres_journal.h"

#include <utility>

#include "core/log.h"
#include "journal/blocks.h"
#include "journal/change_codec.h"
#include "journal/terms.h"
#include "journal/legacy_import.h"
#include "store/postgres_arrays.h"
#include "store/postgres_records.h"

namespace allot::pg {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Imported history goes in at most this many blocks per statement.
constexpr std::size_t kImportBlocksPerStatement = 1000;
constexpr std::size_t kImportChangesPerBlock = 64;

Expected<Result> Query(PGconn* conn, std::string_view sql, std::string_view what,
                       Params params = Params()) {
  return Run(conn, sql, params, what, /*prepared=*/false);
}

LedgerKind KindOr(std::string_view text, LedgerKind fallback) {
  return ParseLedgerKind(text).value_or(fallback);
}

Status ReadLegacy(PGconn* conn, journal::LegacyRecords& records) {
  auto items = Query(conn, "SELECT " + std::string(kLegacyItemColumns) + " FROM items ORDER BY id",
                     "Reading items for the journal");
  if (!items) return Fail(std::move(items.error()));
  for (int row = 0; row < items->rows(); ++row) records.items.push_back(ItemAt(*items, row));

  auto reservations = Query(conn, std::string(kSelectReservations) + " ORDER BY r.id, l.line_no",
                            "Reading reservations for the journal");
  if (!reservations) return Fail(std::move(reservations.error()));
  auto decoded_reservations = ReservationsIn(*reservations);
  if (!decoded_reservations) return Fail(std::move(decoded_reservations.error()));
  records.reservations = std::move(*decoded_reservations);

  auto orders = Query(conn, std::string(kSelectOrders) + " ORDER BY o.id, l.line_no",
                      "Reading orders for the journal");
  if (!orders) return Fail(std::move(orders.error()));
  auto decoded_orders = OrdersIn(*orders);
  if (!decoded_orders) return Fail(std::move(decoded_orders.error()));
  records.orders = std::move(*decoded_orders);

  auto transfers =
      Query(conn, "SELECT " + std::string(kTransferColumns) + " FROM transfers ORDER BY id",
            "Reading transfers for the journal");
  if (!transfers) return Fail(std::move(transfers.error()));
  for (int row = 0; row < transfers->rows(); ++row) {
    auto transfer = TransferAt(*transfers, row);
    if (!transfer) return Fail(std::move(transfer.error()));
    records.transfers.push_back(std::move(*transfer));
  }

  auto events = Query(conn, "SELECT " + std::string(kEventColumns) + " FROM events ORDER BY id",
                      "Reading events for the journal");
  if (!events) return Fail(std::move(events.error()));
  for (int row = 0; row < events->rows(); ++row) records.events.push_back(EventAt(*events, row));

  auto ledger = Query(conn,
                      "SELECT seq, at_ms, item_id, kind, on_hand_delta, held_delta, sold_delta, "
                      "reason, reservation_id, order_id FROM ledger ORDER BY seq",
                      "Reading the ledger for the journal");
  if (!ledger) return Fail(std::move(ledger.error()));
  for (int row = 0; row < ledger->rows(); ++row) {
    records.item_ledger.push_back(journal::LegacyLedgerRow{
        ledger->Int(row, 0),
        LedgerEntry{.at_ms = ledger->Int(row, 1),
                    .item_id = ledger->Text(row, 2),
                    .kind = KindOr(ledger->View(row, 3), LedgerKind::kAdjust),
                    .on_hand_delta = ledger->Int(row, 4),
                    .held_delta = ledger->Int(row, 5),
                    .sold_delta = ledger->Int(row, 6),
                    .reason = ledger->Text(row, 7),
                    .reservation_id = ledger->OptionalText(row, 8),
                    .order_id = ledger->OptionalText(row, 9)}});
  }
  auto moves = Query(conn,
                     "SELECT seq, at_ms, transfer_id, item_id, kind, balance_delta, held_delta, "
                     "reason FROM transfer_ledger ORDER BY seq",
                     "Reading the transfer ledger for the journal");
  if (!moves) return Fail(std::move(moves.error()));
  for (int row = 0; row < moves->rows(); ++row) {
    records.transfer_ledger.push_back(journal::LegacyLedgerRow{
        moves->Int(row, 0),
        LedgerEntry{.at_ms = moves->Int(row, 1),
                    .item_id = moves->Text(row, 3),
                    .kind = KindOr(moves->View(row, 4), LedgerKind::kDebit),
                    .on_hand_delta = moves->Int(row, 5),
                    .held_delta = moves->Int(row, 6),
                    .reason = moves->Text(row, 7),
                    .transfer_id = moves->Text(row, 2)}});
  }
  return {};
}

}  // namespace

std::string ByteaHex(std::string_view bytes) {
  std::string text;
  text.reserve(2 + bytes.size() * 2);
  text.append("\\x");
  for (unsigned char c : bytes) {
    text.push_back(kHex[c >> 4]);
    text.push_back(kHex[c & 15]);
  }
  return text;
}

Expected<std::string> FromByteaHex(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) {
    return Fail(Unavailable("A journal body is not bytea in hex format."));
  }
  std::string bytes;
  bytes.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int high = HexValue(text[i]);
    const int low = HexValue(text[i + 1]);
    if (high < 0 || low < 0) return Fail(Unavailable("A journal body has a bad hex digit."));
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

Params AppendJournalParams(const std::vector<JournalBlock>& blocks, bool with_terms) {
  ArrayBuilder starts, counts, instants, bodies, terms, term_starts;
  std::int64_t position = 1;
  for (const JournalBlock& block : blocks) {
    starts.Add(position);
    counts.Add(block.count);
    instants.Add(block.at_ms);
    bodies.Add(ByteaHex(block.body));
    for (std::uint64_t term : block.terms) {
      terms.Add(static_cast<std::int64_t>(term));  // bigint: the same 64 bits
      term_starts.Add(position);
    }
    position += block.count;
  }
  Params params;
  params.Add(position - 1).Add(starts.Take()).Add(counts.Take()).Add(instants.Take()).Add(
      bodies.Take());
  if (with_terms) params.Add(terms.Take()).Add(term_starts.Take());
  return params;
}

Status IndexJournalTerms(PGconn* conn) {
  std::int64_t after = 0;
  for (;;) {
    auto blocks = ReadJournal(conn, after, 1000);
    if (!blocks) return Fail(std::move(blocks.error()));
    if (blocks->empty()) return {};
    ArrayBuilder terms, block_seqs;
    bool advanced = false;
    for (const JournalBlock& block : *blocks) {
      if (block.first_seq + block.count - 1 <= after) continue;  // the block holding `after`
      advanced = true;
      after = block.first_seq + block.count - 1;
      auto changes = journal::DecodeBlock(block.body, block.first_seq, block.count, block.at_ms);
      if (!changes) return Fail(std::move(changes.error()));
      std::vector<std::uint64_t> block_terms;
      for (const Change& change : *changes) journal::AppendTerms(change, block_terms);
      journal::NormalizeTerms(block_terms);
      for (std::uint64_t term : block_terms) {
        terms.Add(static_cast<std::int64_t>(term));
        block_seqs.Add(block.first_seq);
      }
    }
    if (!advanced) return {};
    Params params;
    params.Add(terms.Take()).Add(block_seqs.Take());
    auto done = Query(conn, R"sql(
INSERT INTO journal_terms (term, block) SELECT * FROM unnest($1::bigint[], $2::bigint[])
ON CONFLICT DO NOTHING
)sql",
                      "Indexing the journal by term", std::move(params));
    if (!done) return Fail(std::move(done.error()));
  }
}

Expected<std::vector<JournalBlock>> ReadJournal(PGconn* conn, std::int64_t after_seq,
                                                std::int64_t limit) {
  Params params;
  params.Add(after_seq).Add(limit);
  auto result = Query(conn, R"sql(
SELECT seq, count, at_ms, body FROM journal
WHERE seq > (SELECT coalesce(max(seq), 0) FROM journal WHERE seq <= $1) - 1
ORDER BY seq LIMIT $2
)sql",
                      "Reading the journal", std::move(params));
  if (!result) return Fail(std::move(result.error()));
  std::vector<JournalBlock> blocks;
  blocks.reserve(static_cast<std::size_t>(result->rows()));
  for (int row = 0; row < result->rows(); ++row) {
    JournalBlock block;
    block.first_seq = result->Int(row, 0);
    block.count = result->Int(row, 1);
    block.at_ms = result->Int(row, 2);
    auto body = FromByteaHex(result->View(row, 3));
    if (!body) return Fail(std::move(body.error()));
    block.body = std::move(*body);
    if (block.first_seq + block.count - 1 <= after_seq) continue;
    blocks.push_back(std::move(block));
  }
  return blocks;
}

Status ImportLegacyJournal(PGconn* conn) {
  journal::LegacyRecords records;
  if (auto read = ReadLegacy(conn, records); !read) return read;
  auto history = journal::ImportLegacy(records);
  if (!history) return Fail(std::move(history.error()));
  for (const std::string& item : history->drifted_items) {
    log::Warn("an item's stored counters differ from its ledger; the journal keeps the ledger's "
              "history and `allot audit` will report it",
              {{"item", item}});
  }
  const std::vector<JournalBlock> blocks =
      journal::BlocksOf(history->changes, kImportChangesPerBlock);
  for (std::size_t start = 0; start < blocks.size(); start += kImportBlocksPerStatement) {
    const std::size_t end = std::min(blocks.size(), start + kImportBlocksPerStatement);
    std::vector<JournalBlock> slice(blocks.begin() + static_cast<std::ptrdiff_t>(start),
                                    blocks.begin() + static_cast<std::ptrdiff_t>(end));
    auto appended =
        Query(conn, kAppendJournalBlocksSql, "Importing the history into the journal",
              AppendJournalParams(slice, /*with_terms=*/false));
    if (!appended) return Fail(std::move(appended.error()));
  }
  if (!history->changes.empty()) {
    log::Info("journal imported from the ledgers",
              {{"store", "postgres"},
               {"changes", static_cast<std::int64_t>(history->changes.size())}});
  }
  return {};
}

}  // namespace allot::pg
