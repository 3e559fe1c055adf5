#include "domain/working_set.h"

#include <algorithm>
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

}  // namespace

template <typename T, typename LoadFn>
Expected<T*> WorkingSet::Find(RowTable<T>& table, std::string_view id, LoadFn load) {
  if (auto* entry = table.Find(id)) return entry->row ? &*entry->row : nullptr;
  auto loaded = load(id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  auto& entry = table.Add(id, std::move(*loaded), /*keyed_by_id=*/true);
  return entry.row ? &*entry.row : nullptr;
}

template <typename T>
T& WorkingSet::Add(RowTable<T>& table, T row) {
  if (auto* absent = table.Find(row.id)) {
    // Known not to exist a moment ago: it does now.
    assert(!absent->row);
    absent->row = std::move(row);
    absent->dirty = true;
    absent->is_new = true;
    return *absent->row;
  }
  // Keyed by the row's own id: the key is read from the row once it is in.
  auto& entry = table.Add({}, std::move(row), /*keyed_by_id=*/true);
  entry.dirty = true;
  entry.is_new = true;
  return *entry.row;
}

template <typename T>
void WorkingSet::Mark(RowTable<T>& table, std::string_view key) {
  auto* entry = table.Find(key);
  assert(entry != nullptr && entry->row.has_value());
  if (entry != nullptr) entry->dirty = true;
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

Expected<Webhook*> WorkingSet::FindWebhook(std::string_view id) {
  return Find(webhooks_, id, [this](std::string_view k) { return loader_.LoadWebhook(k); });
}

// An entry as the batch sees it: the cached copy when the batch has
// touched it already, else the loaded one, cached from now on.
WaitlistEntry* WorkingSet::Cached(WaitlistEntry loaded) {
  if (auto* entry = waitlist_.Find(loaded.id)) return entry->row ? &*entry->row : nullptr;
  auto& entry = waitlist_.Add({}, std::move(loaded), /*keyed_by_id=*/true);
  WaitlistEntry* e = &*entry.row;
  waitlist_by_user_.emplace(UsageKey(e->user_id, e->item_id), e);
  if (e->reservation_id) waitlist_by_offer_.emplace(*e->reservation_id, e);
  return e;
}

Expected<WaitlistEntry*> WorkingSet::FindWaitlistEntry(std::string_view id) {
  if (auto* entry = waitlist_.Find(id)) return entry->row ? &*entry->row : nullptr;
  auto loaded = loader_.LoadWaitlistEntry(id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  if (!*loaded) {
    waitlist_.Add(id, std::nullopt, /*keyed_by_id=*/false);
    return nullptr;
  }
  return Cached(std::move(**loaded));
}

Expected<WaitlistEntry*> WorkingSet::NextWaiting(std::string_view item_id,
                                                 std::int64_t after_ticket) {
  // Stored entries first: every entry this batch added has a later ticket.
  constexpr std::size_t kPage = 32;
  for (std::int64_t after = after_ticket;;) {
    auto stored = loader_.LoadWaitingEntries(item_id, after, kPage);
    if (!stored) return std::unexpected(std::move(stored.error()));
    for (WaitlistEntry& loaded : *stored) {
      after = loaded.ticket;
      WaitlistEntry* e = Cached(std::move(loaded));
      if (e != nullptr && e->status == WaitlistStatus::kWaiting) return e;
    }
    if (stored->size() < kPage) break;
  }
  // Added in ticket order: the first after `after_ticket` that still waits.
  auto added = new_waitlist_by_item_.find(item_id);
  if (added == new_waitlist_by_item_.end()) return nullptr;
  const std::vector<WaitlistEntry*>& list = added->second;
  auto it = std::upper_bound(list.begin(), list.end(), after_ticket,
                             [](std::int64_t t, const WaitlistEntry* e) { return t < e->ticket; });
  for (; it != list.end(); ++it) {
    if ((*it)->status == WaitlistStatus::kWaiting) return *it;
  }
  return nullptr;
}

Expected<WaitlistEntry*> WorkingSet::ActiveWaitlistEntry(std::string_view item_id,
                                                         std::string_view user_id) {
  auto active = [](const WaitlistEntry* e) {
    return e != nullptr &&
           (e->status == WaitlistStatus::kWaiting || e->status == WaitlistStatus::kOffered);
  };
  // The user's latest entry this batch touched or added (an ended one may
  // sit in the store beside a newer one; the newer is the one kept here).
  auto it = waitlist_by_user_.find(UsageKey(user_id, item_id));
  if (it != waitlist_by_user_.end() && active(it->second)) return it->second;
  auto loaded = loader_.LoadActiveWaitlistEntry(item_id, user_id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  if (!*loaded) return nullptr;
  WaitlistEntry* e = Cached(std::move(**loaded));
  return active(e) ? e : nullptr;
}

Expected<WaitlistEntry*> WorkingSet::WaitlistOffer(std::string_view reservation_id) {
  auto it = waitlist_by_offer_.find(reservation_id);
  if (it != waitlist_by_offer_.end()) return it->second;
  auto loaded = loader_.LoadWaitlistOffer(reservation_id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  if (!*loaded) return nullptr;
  return Cached(std::move(**loaded));
}

Expected<Draw*> WorkingSet::FindDraw(std::string_view id) {
  return Find(draws_, id, [this](std::string_view k) { return loader_.LoadDraw(k); });
}

Expected<DrawEntry*> WorkingSet::FindDrawEntry(std::string_view draw_id,
                                               std::string_view user_id) {
  const std::string key = UsageKey(draw_id, user_id);
  if (auto* entry = draw_entries_.Find(key)) return entry->row ? &*entry->row : nullptr;
  auto loaded = loader_.LoadDrawEntry(draw_id, user_id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  auto& entry = draw_entries_.Add(key, std::move(*loaded), /*keyed_by_id=*/false);
  return entry.row ? &*entry.row : nullptr;
}

Expected<std::vector<DrawEntry*>> WorkingSet::DrawEntries(std::string_view draw_id) {
  auto stored = loader_.LoadDrawEntries(draw_id);
  if (!stored) return std::unexpected(std::move(stored.error()));
  std::vector<DrawEntry*> out;
  out.reserve(stored->size() + new_draw_entries_.size());
  for (DrawEntry& loaded : *stored) {
    const std::string key = UsageKey(loaded.draw_id, loaded.user_id);
    auto* entry = draw_entries_.Find(key);
    if (entry == nullptr) entry = &draw_entries_.Add(key, std::move(loaded), false);
    if (entry->row) out.push_back(&*entry->row);
  }
  // Entries this batch added follow every stored one.
  for (DrawEntry* e : new_draw_entries_) {
    if (e->draw_id == draw_id) out.push_back(e);
  }
  return out;
}

Expected<std::int64_t> WorkingSet::JournalHead() {
  if (!journal_head_) {
    auto head = loader_.JournalHead();
    if (!head) return std::unexpected(std::move(head.error()));
    journal_head_ = *head;
  }
  return *journal_head_;
}

Expected<UserUsage*> WorkingSet::Usage(std::string_view user_id, std::string_view item_id) {
  const std::string key = UsageKey(user_id, item_id);
  if (auto* entry = usage_.Find(key)) {
    if (!entry->row) {
      entry->row = UserUsage{std::string(user_id), std::string(item_id), 0, 0};
      entry->is_new = true;
    }
    return &*entry->row;
  }
  auto loaded = loader_.LoadUsage(user_id, item_id);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  const bool is_new = !loaded->has_value();
  auto& entry = usage_.Add(
      key, is_new ? UserUsage{std::string(user_id), std::string(item_id), 0, 0} : **loaded,
      /*keyed_by_id=*/false);
  entry.is_new = is_new;
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

Item& WorkingSet::AddItem(Item item) { return Add(items_, std::move(item)); }
Reservation& WorkingSet::AddReservation(Reservation reservation) {
  return Add(reservations_, std::move(reservation));
}
Order& WorkingSet::AddOrder(Order order) { return Add(orders_, std::move(order)); }
Transfer& WorkingSet::AddTransfer(Transfer transfer) { return Add(transfers_, std::move(transfer)); }
Event& WorkingSet::AddEvent(Event event) { return Add(events_, std::move(event)); }
Webhook& WorkingSet::AddWebhook(Webhook webhook) { return Add(webhooks_, std::move(webhook)); }
Draw& WorkingSet::AddDraw(Draw draw) { return Add(draws_, std::move(draw)); }

DrawEntry& WorkingSet::AddDrawEntry(DrawEntry e) {
  const std::string key = UsageKey(e.draw_id, e.user_id);
  auto* entry = draw_entries_.Find(key);
  if (entry == nullptr) entry = &draw_entries_.Add(key, std::nullopt, false);
  entry->row = std::move(e);
  entry->dirty = true;
  entry->is_new = true;
  new_draw_entries_.push_back(&*entry->row);
  return *entry->row;
}

WaitlistEntry& WorkingSet::AddWaitlistEntry(WaitlistEntry entry) {
  WaitlistEntry& e = Add(waitlist_, std::move(entry));
  new_waitlist_by_item_[e.item_id].push_back(&e);
  waitlist_by_user_.insert_or_assign(UsageKey(e.user_id, e.item_id), &e);
  return e;
}

void WorkingSet::Changed(const Transfer& t) { Mark(transfers_, t.id); }
void WorkingSet::Changed(const Item& item) { Mark(items_, item.id); }
void WorkingSet::Changed(const Webhook& webhook) { Mark(webhooks_, webhook.id); }
void WorkingSet::Changed(const Draw& draw) { Mark(draws_, draw.id); }
void WorkingSet::Changed(const DrawEntry& e) { Mark(draw_entries_, UsageKey(e.draw_id, e.user_id)); }
void WorkingSet::Changed(const WaitlistEntry& entry) {
  Mark(waitlist_, entry.id);
  if (entry.reservation_id) {
    auto* cached = waitlist_.Find(entry.id);
    waitlist_by_offer_.insert_or_assign(*entry.reservation_id, &*cached->row);
  }
}
void WorkingSet::Changed(const Reservation& r) { Mark(reservations_, r.id); }
void WorkingSet::Changed(const Order& order) { Mark(orders_, order.id); }
void WorkingSet::Changed(const UserUsage& usage) {
  Mark(usage_, UsageKey(usage.user_id, usage.item_id));
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

namespace {

// The dirty rows of a table, in the order they were touched: new ones (or
// every one, when there is no `updated`) to `fresh`, the others to
// `updated`. Empties the table.
template <typename T>
void Collect(RowTable<T>& table, std::vector<T>& fresh, std::vector<T>* updated = nullptr) {
  table.Drain([&](typename RowTable<T>::Entry& entry) {
    if (!entry.row || !entry.dirty) return;
    if (entry.is_new || updated == nullptr) {
      fresh.push_back(std::move(*entry.row));
    } else {
      updated->push_back(std::move(*entry.row));
    }
  });
}

}  // namespace

BatchWrites WorkingSet::TakeWrites() {
  BatchWrites writes;
  Collect(items_, writes.items);
  Collect(reservations_, writes.new_reservations, &writes.updated_reservations);
  Collect(orders_, writes.new_orders, &writes.updated_orders);
  Collect(usage_, writes.usage);
  Collect(transfers_, writes.new_transfers, &writes.updated_transfers);
  std::vector<Event> unchanged_events;  // events never change after create
  Collect(events_, writes.new_events, &unchanged_events);
  Collect(webhooks_, writes.webhooks);
  Collect(waitlist_, writes.waitlist);
  Collect(draws_, writes.draws);
  Collect(draw_entries_, writes.draw_entries);
  new_draw_entries_.clear();
  waitlist_by_user_.clear();
  waitlist_by_offer_.clear();
  new_waitlist_by_item_.clear();
  journal_head_.reset();
  writes.idempotency = std::move(idempotency_);
  idempotency_.clear();
  due_checked_items_.clear();
  return writes;
}

}  // namespace allot::domain
