#include "api/queries.h"

#include <algorithm>
#include <utility>

#include "domain/rules.h"
#include "journal/bytes.h"
#include "journal/change_codec.h"
#include "journal/terms.h"

namespace allot::api {
namespace {

using journal::EncodedChange;
using journal::Term;
using journal::TermKind;

// Blocks asked of the index per read.
constexpr std::size_t kBlocksPerRead = 64;

// The fields every record change starts with, read without decoding the
// rest: the owner, the record's id, then (reservations, orders) the user
// or (transfers) the source and destination accounts.
struct Peek {
  std::string_view owner;
  std::string_view id;
  std::string_view first;
  std::string_view second;
};

Peek PeekRecord(const EncodedChange& change) {
  journal::Reader in(change.payload.substr(1));  // after the type byte
  Peek peek;
  peek.owner = in.View();
  peek.id = in.View();
  peek.first = in.View();
  if (journal::DataKindOf(change.type) == journal::DataKind::kTransfer) peek.second = in.View();
  return peek;
}

enum class Step { kNext, kStop };

struct ScanEnd {
  bool ended = false;         // every block under the term was read
  std::int64_t last_seq = 0;  // the last change read
};

// Visits every change with seq > after in the blocks under `term`, in seq
// order, until `visit` says stop or kMaxBlocksPerPage blocks were read.
template <typename Visit>
Expected<ScanEnd> ScanTerm(StoreReader& reader, std::uint64_t term, std::int64_t after,
                           Visit visit) {
  ScanEnd end{.last_seq = after};
  // The block holding `after` may hold later changes too.
  std::int64_t from_block = after + 1;
  if (after > 0) {
    auto start = reader.BlockStartOf(after);
    if (!start) return Fail(std::move(start.error()));
    if (*start) from_block = **start;
  }
  std::size_t blocks_read = 0;
  for (;;) {
    auto blocks = reader.TermBlocks(term, from_block, kBlocksPerRead);
    if (!blocks) return Fail(std::move(blocks.error()));
    for (std::int64_t first_seq : *blocks) {
      if (blocks_read++ == kMaxBlocksPerPage) return end;
      auto block = reader.BlockHolding(first_seq);
      if (!block) return Fail(std::move(block.error()));
      if (!*block) continue;
      auto changes = journal::SplitBlock((*block)->body, (*block)->first_seq, (*block)->count);
      if (!changes) return Fail(std::move(changes.error()));
      for (const EncodedChange& change : *changes) {
        if (change.seq <= after) continue;
        end.last_seq = change.seq;
        auto step = visit(change, (*block)->at_ms);
        if (!step) return Fail(std::move(step.error()));
        if (*step == Step::kStop) return end;
      }
    }
    if (blocks->size() < kBlocksPerRead) {
      end.ended = true;
      return end;
    }
    from_block = blocks->back() + 1;
  }
}

std::uint64_t RecordTerm(TermKind all, TermKind by_key, const ListQuery& query,
                         const std::optional<std::string>& key) {
  const std::string_view owner = query.owner ? std::string_view(*query.owner) : "";
  return key ? Term(by_key, owner, *key) : Term(all, owner);
}

// The shared shape of the three lists: candidates from the term, checked,
// then their current state, kept by `keep`.
template <typename Record, typename Match, typename Current>
Expected<RecordPage<Record>> List(StoreReader& reader, const ListQuery& query, std::uint64_t term,
                                  Match match, Current current) {
  RecordPage<Record> page;
  if (query.limit == 0) return page;
  std::size_t examined = 0;
  auto scanned = ScanTerm(reader, term, query.after,
                          [&](const EncodedChange& change, std::int64_t at_ms) -> Expected<Step> {
                            auto matched = match(change, at_ms);
                            if (!matched) return Fail(std::move(matched.error()));
                            if (!*matched) return Step::kNext;
                            ++examined;
                            auto record = current(**matched);
                            if (!record) return Fail(std::move(record.error()));
                            if (*record) page.records.push_back(std::move(**record));
                            if (page.records.size() == query.limit ||
                                examined == kMaxExaminedPerPage) {
                              return Step::kStop;
                            }
                            return Step::kNext;
                          });
  if (!scanned) return Fail(std::move(scanned.error()));
  // Where to read on from, unless nothing at all was there: a client that
  // reached the end keeps this cursor to see what commits later.
  if (!scanned->ended || !page.records.empty()) page.next = scanned->last_seq;
  return page;
}

bool OwnerFits(const ListQuery& query, std::string_view owner) {
  return !query.owner || owner == *query.owner;
}

}  // namespace

Expected<RecordPage<Reservation>> ListReservations(StoreReader& reader, const ListQuery& query,
                                                   std::optional<ReservationStatus> status,
                                                   std::int64_t now_ms) {
  const std::uint64_t term =
      query.user_id ? RecordTerm(TermKind::kReservations, TermKind::kReservationsOfUser, query,
                                 query.user_id)
                    : RecordTerm(TermKind::kReservations, TermKind::kReservationsOfItem, query,
                                 query.item_id);
  auto match = [&](const EncodedChange& change,
                   std::int64_t at_ms) -> Expected<std::optional<std::string>> {
    if (change.type != ChangeType::kReservationCreated) return std::nullopt;
    const Peek peek = PeekRecord(change);
    if (!OwnerFits(query, peek.owner)) return std::nullopt;
    if (query.user_id && peek.first != *query.user_id) return std::nullopt;
    if (query.item_id) {
      auto decoded = journal::DecodeChange(change, at_ms);
      if (!decoded) return Fail(std::move(decoded.error()));
      const auto& lines = std::get<Reservation>(decoded->data).lines;
      if (std::none_of(lines.begin(), lines.end(),
                       [&](const Line& line) { return line.item_id == *query.item_id; })) {
        return std::nullopt;
      }
    }
    return std::string(peek.id);
  };
  auto current = [&](const std::string& id) -> Expected<std::optional<Reservation>> {
    auto found = reader.GetReservation(id);
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return std::nullopt;
    Reservation view = domain::ViewAt(std::move(**found), now_ms);
    if (status && view.status != *status) return std::nullopt;
    return view;
  };
  return List<Reservation>(reader, query, term, match, current);
}

Expected<RecordPage<Order>> ListOrders(StoreReader& reader, const ListQuery& query,
                                       std::optional<OrderStatus> status) {
  const std::uint64_t term =
      RecordTerm(TermKind::kOrders, TermKind::kOrdersOfUser, query, query.user_id);
  auto match = [&](const EncodedChange& change,
                   std::int64_t) -> Expected<std::optional<std::string>> {
    if (change.type != ChangeType::kOrderPlaced) return std::nullopt;
    const Peek peek = PeekRecord(change);
    if (!OwnerFits(query, peek.owner)) return std::nullopt;
    if (query.user_id && peek.first != *query.user_id) return std::nullopt;
    return std::string(peek.id);
  };
  auto current = [&](const std::string& id) -> Expected<std::optional<Order>> {
    auto found = reader.GetOrder(id);
    if (!found) return Fail(std::move(found.error()));
    if (!*found || (status && (*found)->status != *status)) return std::nullopt;
    return std::move(**found);
  };
  return List<Order>(reader, query, term, match, current);
}

Expected<RecordPage<Transfer>> ListTransfers(StoreReader& reader, const ListQuery& query,
                                             std::optional<TransferStatus> status,
                                             std::int64_t now_ms) {
  const std::uint64_t term =
      RecordTerm(TermKind::kTransfers, TermKind::kTransfersOfAccount, query, query.account_id);
  auto match = [&](const EncodedChange& change,
                   std::int64_t) -> Expected<std::optional<std::string>> {
    if (change.type != ChangeType::kTransferPosted && change.type != ChangeType::kTransferHeld) {
      return std::nullopt;
    }
    const Peek peek = PeekRecord(change);
    if (!OwnerFits(query, peek.owner)) return std::nullopt;
    if (query.account_id && peek.first != *query.account_id && peek.second != *query.account_id) {
      return std::nullopt;
    }
    return std::string(peek.id);
  };
  auto current = [&](const std::string& id) -> Expected<std::optional<Transfer>> {
    auto found = reader.GetTransfer(id);
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return std::nullopt;
    Transfer view = domain::ViewAt(std::move(**found), now_ms);
    if (status && view.status != *status) return std::nullopt;
    return view;
  };
  return List<Transfer>(reader, query, term, match, current);
}

namespace {

// The entry of `movement` in `change`, with the record ids `viewer` may see.
HistoryEntry EntryOf(const Change& change, const Movement& movement,
                     const std::optional<std::string>& viewer) {
  HistoryEntry entry{.seq = change.seq, .at_ms = change.at_ms, .movement = movement};
  std::string counterpart;
  if (const auto* t = std::get_if<Transfer>(&change.data)) {
    counterpart = movement.item_id == AccountItemId(t->from_id) ? t->to_id : t->from_id;
  }
  entry.reason = MovementReason(movement, counterpart);
  // Another client's record ids are not this client's to learn.
  if (viewer && change.owner != *viewer) return entry;
  if (const auto* r = std::get_if<Reservation>(&change.data)) {
    entry.reservation_id = r->id;
    entry.order_id = r->order_id;
  } else if (const auto* o = std::get_if<Order>(&change.data)) {
    entry.order_id = o->id;
    entry.reservation_id = o->reservation_id;
  } else if (const auto* t = std::get_if<Transfer>(&change.data)) {
    entry.transfer_id = t->id;
  }
  return entry;
}

}  // namespace

Expected<HistoryPage> ReadHistory(StoreReader& reader, std::string_view item_id,
                                  std::int64_t after, std::size_t limit,
                                  const std::optional<std::string>& viewer) {
  HistoryPage page;
  if (limit == 0) return page;
  auto scanned = ScanTerm(
      reader, journal::HistoryTerm(item_id), after,
      [&](const EncodedChange& encoded, std::int64_t at_ms) -> Expected<Step> {
        auto change = journal::DecodeChange(encoded, at_ms);
        if (!change) return Fail(std::move(change.error()));
        for (const Movement& movement : change->movements) {
          if (movement.item_id == item_id) page.entries.push_back(EntryOf(*change, movement, viewer));
        }
        return page.entries.size() >= limit ? Step::kStop : Step::kNext;
      });
  if (!scanned) return Fail(std::move(scanned.error()));
  if (!scanned->ended || !page.entries.empty()) page.next = scanned->last_seq;
  return page;
}

Expected<std::optional<Item>> ItemAsOf(StoreReader& reader, const Item& current,
                                       std::int64_t at_ms) {
  auto until = reader.SeqAtTime(at_ms);
  if (!until) return Fail(std::move(until.error()));
  const std::uint64_t term = journal::HistoryTerm(current.id);
  std::int64_t bound = *until;
  // The last block under the term at or before the instant, and in it the
  // last change at or before it that moved the item; an earlier block if
  // none did (its term may come from a later change of the block).
  while (bound > 0) {
    auto first_seq = reader.LastTermBlock(term, bound);
    if (!first_seq) return Fail(std::move(first_seq.error()));
    if (!*first_seq) return std::nullopt;
    auto block = reader.BlockHolding(**first_seq);
    if (!block) return Fail(std::move(block.error()));
    if (!*block) return std::nullopt;
    auto changes = journal::SplitBlock((*block)->body, (*block)->first_seq, (*block)->count);
    if (!changes) return Fail(std::move(changes.error()));
    for (auto it = changes->rbegin(); it != changes->rend(); ++it) {
      if (it->seq > bound) continue;
      auto change = journal::DecodeChange(*it, (*block)->at_ms);
      if (!change) return Fail(std::move(change.error()));
      for (auto m = change->movements.rbegin(); m != change->movements.rend(); ++m) {
        if (m->item_id != current.id) continue;
        Item then = current;
        then.on_hand = m->on_hand;
        then.held = m->held;
        then.sold = m->sold;
        return then;
      }
    }
    bound = **first_seq - 1;
  }
  return std::nullopt;
}

}  // namespace allot::api
