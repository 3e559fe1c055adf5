#include "domain/working_set.h"

#include <cassert>

namespace allot::domain {
namespace {

// Far above any real backlog of due holds on one item; a bound all the same.
constexpr std::size_t kMaxDuePerItem = 1'000'000;

std::string UsageKey(std::string_view user_id, std::string_view item_id) {
  std::string key;
  key.reserve(user_id.size() + item_id.size() + 1);
  key.append(user_id).append(1, '\n').append(item_id);
  return key;
}

template <typename T, typename Map>
void Mark(Map& map, const std::string& key) {
  auto it = map.find(key);
  assert(it != map.end() && it->second.row.has_value());
  if (it != map.end()) it->second.dirty = true;
}

template <typename T, typename Map>
void Collect(Map& map, std::vector<T>& fresh, std::vector<T>* updated) {
  for (auto& [key, entry] : map) {
    if (!entry.row || !entry.dirty) continue;
    if (entry.is_new || updated == nullptr) {
      fresh.push_back(std::move(*entry.row));
    } else {
      updated->push_back(std::move(*entry.row));
    }
  }
  map.clear();
}

}  // namespace

template <typename T, typename LoadFn>
Expected<T*> WorkingSet::Find(StringMap<Entry<T>>& map, std::string_view id, LoadFn load) {
  if (auto it = map.find(id); it != map.end()) {
    return it->second.row ? &*it->second.row : nullptr;
  }
  auto loaded = load(id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  auto& entry = map[std::string(id)];
  entry.row = std::move(*loaded);
  return entry.row ? &*entry.row : nullptr;
}

Expected<Item*> WorkingSet::FindItem(std::string_view id) {
  return Find(items_, id, [this](std::string_view k) { return loader_.LoadItem(k); });
}

Expected<Reservation*> WorkingSet::FindReservation(std::string_view id) {
  return Find(reservations_, id, [this](std::string_view k) { return loader_.LoadReservation(k); });
}

Expected<Order*> WorkingSet::FindOrder(std::string_view id) {
  return Find(orders_, id, [this](std::string_view k) { return loader_.LoadOrder(k); });
}

Expected<Transfer*> WorkingSet::FindTransfer(std::string_view id) {
  return Find(transfers_, id, [this](std::string_view k) { return loader_.LoadTransfer(k); });
}

Expected<Event*> WorkingSet::FindEvent(std::string_view id) {
  return Find(events_, id, [this](std::string_view k) { return loader_.LoadEvent(k); });
}

Expected<UserUsage*> WorkingSet::Usage(std::string_view user_id, std::string_view item_id) {
  const std::string key = UsageKey(user_id, item_id);
  auto found =
      Find(usage_, key, [&](std::string_view) { return loader_.LoadUsage(user_id, item_id); });
  if (!found) return found;
  if (*found != nullptr) return found;
  auto& entry = usage_[key];
  entry.row = UserUsage{std::string(user_id), std::string(item_id), 0, 0};
  entry.is_new = true;
  return &*entry.row;
}

Expected<std::vector<std::string>> WorkingSet::DueOnItemOnce(std::string_view item_id,
                                                             std::int64_t now_ms) {
  if (!due_checked_items_.insert(std::string(item_id)).second) {
    return std::vector<std::string>{};
  }
  return loader_.DueReservationsOnItem(item_id, now_ms, kMaxDuePerItem);
}

Expected<std::vector<std::string>> WorkingSet::DueReservations(std::int64_t now_ms,
                                                               std::size_t limit) {
  return loader_.DueReservations(now_ms, limit);
}

Item& WorkingSet::AddItem(Item item) {
  auto& entry = items_[item.id];
  assert(!entry.row);
  entry = Entry<Item>{std::move(item), true, true};
  return *entry.row;
}

Reservation& WorkingSet::AddReservation(Reservation reservation) {
  auto& entry = reservations_[reservation.id];
  assert(!entry.row);
  entry = Entry<Reservation>{std::move(reservation), true, true};
  return *entry.row;
}

Order& WorkingSet::AddOrder(Order order) {
  auto& entry = orders_[order.id];
  assert(!entry.row);
  entry = Entry<Order>{std::move(order), true, true};
  return *entry.row;
}

Transfer& WorkingSet::AddTransfer(Transfer transfer) {
  auto& entry = transfers_[transfer.id];
  assert(!entry.row);
  entry = Entry<Transfer>{std::move(transfer), true, true};
  return *entry.row;
}

Event& WorkingSet::AddEvent(Event event) {
  auto& entry = events_[event.id];
  assert(!entry.row);
  entry = Entry<Event>{std::move(event), true, true};
  return *entry.row;
}

void WorkingSet::Changed(const Transfer& t) { Mark<Transfer>(transfers_, t.id); }
void WorkingSet::Changed(const Item& item) { Mark<Item>(items_, item.id); }
void WorkingSet::Changed(const Reservation& r) { Mark<Reservation>(reservations_, r.id); }
void WorkingSet::Changed(const Order& order) { Mark<Order>(orders_, order.id); }
void WorkingSet::Changed(const UserUsage& usage) {
  Mark<UserUsage>(usage_, UsageKey(usage.user_id, usage.item_id));
}

void WorkingSet::Move(const Item& item, LedgerKind kind, std::int64_t on_hand_delta,
                      std::int64_t held_delta, std::int64_t sold_delta, std::string reason) {
  movements_.push_back(Movement{.item_id = item.id,
                                .kind = kind,
                                .on_hand_delta = on_hand_delta,
                                .held_delta = held_delta,
                                .sold_delta = sold_delta,
                                .on_hand = item.on_hand,
                                .held = item.held,
                                .sold = item.sold,
                                .reason = std::move(reason)});
}

BatchWrites WorkingSet::TakeWrites() {
  BatchWrites writes;
  Collect<Item>(items_, writes.items, nullptr);
  Collect<Reservation>(reservations_, writes.new_reservations, &writes.updated_reservations);
  Collect<Order>(orders_, writes.new_orders, &writes.updated_orders);
  Collect<UserUsage>(usage_, writes.usage, nullptr);
  Collect<Transfer>(transfers_, writes.new_transfers, &writes.updated_transfers);
  std::vector<Event> unchanged_events;  // events never change after create
  Collect<Event>(events_, writes.new_events, &unchanged_events);
  writes.idempotency = std::move(idempotency_);
  idempotency_.clear();
  due_checked_items_.clear();
  return writes;
}

}  // namespace allot::domain
