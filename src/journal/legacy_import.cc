#include "journal/legacy_import.h"

#include <map>
#include <optional>
#include <string_view>
#include <utility>

namespace allot::journal {
namespace {

struct Counters {
  std::int64_t on_hand = 0;
  std::int64_t held = 0;
  std::int64_t sold = 0;
};

// Consecutive rows of one ledger that one command wrote.
struct Group {
  int stream = 0;  // 0: item ledger, 1: transfer ledger
  std::int64_t at_ms = 0;
  std::vector<const LedgerEntry*> rows;
};

// Rows of one group share this key (and their instant).
std::string GroupKey(const LedgerEntry& e, std::int64_t row_seq) {
  const std::string kind(ToString(e.kind));
  switch (e.kind) {
    case LedgerKind::kCreate:
      if (auto seat = SeatOfItem(e.item_id)) return kind + "|event|" + seat->event_id;
      return kind + "|item|" + e.item_id;
    case LedgerKind::kAdjust:
      return kind + "|" + std::to_string(row_seq);  // every adjustment stands alone
    case LedgerKind::kReserve:
    case LedgerKind::kRelease:
    case LedgerKind::kExpire:
    case LedgerKind::kConfirm:
      return kind + "|" + e.reservation_id.value_or("");
    case LedgerKind::kOrder:
    case LedgerKind::kReturn:
      return kind + "|" + e.order_id.value_or("");
    case LedgerKind::kDebit:
    case LedgerKind::kCredit:
      return "move|" + e.transfer_id.value_or("");
  }
  return kind;
}

std::vector<Group> GroupRows(const std::vector<LegacyLedgerRow>& ledger, int stream) {
  std::vector<Group> groups;
  std::string last_key;
  for (const LegacyLedgerRow& row : ledger) {
    std::string key = GroupKey(row.entry, row.seq);
    if (groups.empty() || key != last_key || groups.back().at_ms != row.entry.at_ms) {
      groups.push_back(Group{stream, row.entry.at_ms, {}});
      last_key = std::move(key);
    }
    groups.back().rows.push_back(&row.entry);
  }
  return groups;
}

// The two ledgers' groups in one order: by time, each ledger keeping its
// own order (a clock that stepped back must not reorder one item's rows).
std::vector<const Group*> Merge(const std::vector<Group>& items,
                                const std::vector<Group>& transfers) {
  std::vector<const Group*> merged;
  merged.reserve(items.size() + transfers.size());
  std::size_t i = 0, t = 0;
  while (i < items.size() || t < transfers.size()) {
    const bool take_transfer =
        i == items.size() || (t < transfers.size() && transfers[t].at_ms < items[i].at_ms);
    merged.push_back(take_transfer ? &transfers[t++] : &items[i++]);
  }
  return merged;
}

template <typename T>
std::map<std::string, const T*> ById(const std::vector<T>& records) {
  std::map<std::string, const T*> index;
  for (const T& record : records) index[record.id] = &record;
  return index;
}

class Importer {
 public:
  explicit Importer(const LegacyRecords& records)
      : items_(ById(records.items)),
        reservations_(ById(records.reservations)),
        orders_(ById(records.orders)),
        transfers_(ById(records.transfers)),
        events_(ById(records.events)) {}

  Status Add(const Group& group) {
    const LedgerEntry& first = *group.rows.front();
    at_ms_ = group.at_ms;
    for (const LedgerEntry* row : group.rows) {
      if (auto moved = Move(*row); !moved) return moved;
    }
    switch (first.kind) {
      case LedgerKind::kCreate:
        return AddCreate(first);
      case LedgerKind::kAdjust:
        return AddItemChange(ChangeType::kItemAdjusted, first.item_id);
      case LedgerKind::kReserve:
      case LedgerKind::kRelease:
      case LedgerKind::kExpire:
        return AddHoldChange(first);
      case LedgerKind::kConfirm:
        return AddConfirm(first);
      case LedgerKind::kOrder:
      case LedgerKind::kReturn:
        return AddOrderChange(first);
      case LedgerKind::kDebit:
      case LedgerKind::kCredit:
        return AddPosting(first);
    }
    return {};
  }

  LegacyHistory Finish() {
    for (const auto& [id, item] : items_) {
      const Counters& c = counters_[id];
      if (c.on_hand != item->on_hand || c.held != item->held || c.sold != item->sold) {
        history_.drifted_items.push_back(id);
      }
    }
    return std::move(history_);
  }

 private:
  static Error Missing(std::string_view what, std::string_view id) {
    return Unavailable("The ledger names " + std::string(what) + " '" + std::string(id) +
                       "', which is not stored.");
  }

  Status Move(const LedgerEntry& row) {
    if (!items_.contains(row.item_id)) return Fail(Missing("item", row.item_id));
    Counters& c = counters_[row.item_id];
    c.on_hand += row.on_hand_delta;
    c.held += row.held_delta;
    c.sold += row.sold_delta;
    std::string reason;
    const bool clients_words =
        row.kind == LedgerKind::kAdjust ||
        (row.kind == LedgerKind::kReturn && row.reason != "order cancelled");
    if (clients_words) reason = row.reason;
    movements_.push_back(Movement{.item_id = row.item_id,
                                  .kind = row.kind,
                                  .on_hand_delta = row.on_hand_delta,
                                  .held_delta = row.held_delta,
                                  .sold_delta = row.sold_delta,
                                  .on_hand = c.on_hand,
                                  .held = c.held,
                                  .sold = c.sold,
                                  .reason = std::move(reason)});
    return {};
  }

  template <typename Data>
  void Emit(ChangeType type, std::string owner, Data data) {
    Change change;
    change.seq = static_cast<std::int64_t>(history_.changes.size()) + 1;
    change.type = type;
    change.at_ms = at_ms_;
    change.owner = std::move(owner);
    change.data = std::move(data);
    change.movements = std::move(movements_);
    movements_.clear();
    history_.changes.push_back(std::move(change));
  }

  // The stored item with its counters as the ledger has them now.
  Item ItemNow(const std::string& id) {
    Item item = *items_.at(id);
    const Counters& c = counters_[id];
    item.on_hand = c.on_hand;
    item.held = c.held;
    item.sold = c.sold;
    return item;
  }

  Status AddItemChange(ChangeType type, const std::string& item_id) {
    Emit(type, "", ItemNow(item_id));
    return {};
  }

  Status AddCreate(const LedgerEntry& first) {
    if (auto seat = SeatOfItem(first.item_id)) {
      auto event = events_.find(seat->event_id);
      if (event == events_.end()) return Fail(Missing("event", seat->event_id));
      Emit(ChangeType::kEventCreated, "",
           EventCounts{.event = *event->second, .available = event->second->seat_count});
      return {};
    }
    const bool account = AccountOfItem(first.item_id).has_value();
    return AddItemChange(account ? ChangeType::kAccountCreated : ChangeType::kItemCreated,
                         first.item_id);
  }

  Status AddHoldChange(const LedgerEntry& first) {
    const std::string id = first.reservation_id.value_or("");
    if (IsTransferId(id)) {
      auto found = transfers_.find(id);
      if (found == transfers_.end()) return Fail(Missing("transfer", id));
      Transfer t = *found->second;
      ChangeType type = ChangeType::kTransferHeld;
      if (first.kind == LedgerKind::kReserve) {
        t.status = TransferStatus::kHeld;
        t.posted_at_ms.reset();
        t.released_at_ms.reset();
      } else {
        const bool expired = first.kind == LedgerKind::kExpire;
        type = expired ? ChangeType::kTransferExpired : ChangeType::kTransferCancelled;
        t.status = expired ? TransferStatus::kExpired : TransferStatus::kCancelled;
        t.posted_at_ms.reset();
        if (!t.released_at_ms) t.released_at_ms = at_ms_;
      }
      Emit(type, t.owner, std::move(t));
      return {};
    }
    auto found = reservations_.find(id);
    if (found == reservations_.end()) return Fail(Missing("reservation", id));
    Reservation r = *found->second;
    r.confirmed_at_ms.reset();
    r.order_id.reset();
    ChangeType type = ChangeType::kReservationCreated;
    if (first.kind == LedgerKind::kReserve) {
      r.status = ReservationStatus::kHeld;
      r.released_at_ms.reset();
    } else {
      const bool expired = first.kind == LedgerKind::kExpire;
      type = expired ? ChangeType::kReservationExpired : ChangeType::kReservationCancelled;
      r.status = expired ? ReservationStatus::kExpired : ReservationStatus::kCancelled;
      if (!r.released_at_ms) r.released_at_ms = at_ms_;
    }
    Emit(type, r.owner, std::move(r));
    return {};
  }

  Status AddConfirm(const LedgerEntry& first) {
    const std::string id = first.reservation_id.value_or("");
    auto found = reservations_.find(id);
    if (found == reservations_.end()) return Fail(Missing("reservation", id));
    Reservation r = *found->second;
    r.status = ReservationStatus::kConfirmed;
    r.released_at_ms.reset();
    if (!r.confirmed_at_ms) r.confirmed_at_ms = at_ms_;
    const std::string order_id = first.order_id.value_or(r.order_id.value_or(""));
    auto order = orders_.find(order_id);
    if (order == orders_.end()) return Fail(Missing("order", order_id));
    Emit(ChangeType::kReservationConfirmed, r.owner, std::move(r));
    Emit(ChangeType::kOrderPlaced, order->second->owner, PlacedOrder(*order->second));
    return {};
  }

  static Order PlacedOrder(Order order) {
    order.status = OrderStatus::kPlaced;
    order.cancelled_at_ms.reset();
    order.cancel_reason.reset();
    return order;
  }

  Status AddOrderChange(const LedgerEntry& first) {
    const std::string id = first.order_id.value_or("");
    auto found = orders_.find(id);
    if (found == orders_.end()) return Fail(Missing("order", id));
    if (first.kind == LedgerKind::kOrder) {
      Emit(ChangeType::kOrderPlaced, found->second->owner, PlacedOrder(*found->second));
      return {};
    }
    Order order = *found->second;
    order.status = OrderStatus::kCancelled;
    if (!order.cancelled_at_ms) order.cancelled_at_ms = at_ms_;
    Emit(ChangeType::kOrderCancelled, order.owner, std::move(order));
    return {};
  }

  Status AddPosting(const LedgerEntry& first) {
    const std::string id = first.transfer_id.value_or("");
    auto found = transfers_.find(id);
    if (found == transfers_.end()) return Fail(Missing("transfer", id));
    Transfer t = *found->second;
    t.status = TransferStatus::kPosted;
    t.released_at_ms.reset();
    if (!t.posted_at_ms) t.posted_at_ms = at_ms_;
    // Money moved out of a hold: the transfer was held, and this confirms it.
    const ChangeType type =
        t.expires_at_ms ? ChangeType::kTransferConfirmed : ChangeType::kTransferPosted;
    Emit(type, t.owner, std::move(t));
    return {};
  }

  std::map<std::string, const Item*> items_;
  std::map<std::string, const Reservation*> reservations_;
  std::map<std::string, const Order*> orders_;
  std::map<std::string, const Transfer*> transfers_;
  std::map<std::string, const Event*> events_;
  std::map<std::string, Counters> counters_;
  std::vector<Movement> movements_;
  std::int64_t at_ms_ = 0;
  LegacyHistory history_;
};

}  // namespace

Expected<LegacyHistory> ImportLegacy(const LegacyRecords& records) {
  const std::vector<Group> item_groups = GroupRows(records.item_ledger, 0);
  const std::vector<Group> transfer_groups = GroupRows(records.transfer_ledger, 1);
  Importer importer(records);
  for (const Group* group : Merge(item_groups, transfer_groups)) {
    if (auto added = importer.Add(*group); !added) return Fail(std::move(added.error()));
  }
  return importer.Finish();
}

}  // namespace allot::journal
