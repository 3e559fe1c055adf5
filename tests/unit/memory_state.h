// Test double for the domain: committed state in maps, loaded through the
// domain's Loader interface; Commit() applies a working set's writes the way
// a store would, and the changes the rules recorded (through `recorder`).
// Lets the rules be tested with no database.
#ifndef ALLOT_TESTS_UNIT_MEMORY_STATE_H_
#define ALLOT_TESTS_UNIT_MEMORY_STATE_H_

#include <algorithm>
#include <map>
#include <string>

#include "domain/rules.h"
#include "domain/working_set.h"

namespace allot::testing {

// Keeps the changes the rules record, decoded, in order.
class ChangeRecorder final : public domain::ChangeSink {
 public:
  std::vector<Change> changes;

  void Record(ChangeType type, std::string_view owner, const Item& item,
              std::span<const Movement> movements) override {
    Add(type, owner, item, movements);
  }
  void Record(ChangeType type, std::string_view owner, const Reservation& r,
              std::span<const Movement> movements) override {
    Add(type, owner, r, movements);
  }
  void Record(ChangeType type, std::string_view owner, const Order& order,
              std::span<const Movement> movements) override {
    Add(type, owner, order, movements);
  }
  void Record(ChangeType type, std::string_view owner, const Transfer& t,
              std::span<const Movement> movements) override {
    Add(type, owner, t, movements);
  }
  void Record(ChangeType type, std::string_view owner, const EventCounts& event,
              std::span<const Movement> movements) override {
    Add(type, owner, event, movements);
  }
  void Record(ChangeType type, std::string_view owner, const WaitlistEntry& entry,
              std::span<const Movement> movements) override {
    Add(type, owner, entry, movements);
  }
  void Record(ChangeType type, std::string_view owner, const Draw& draw,
              std::span<const Movement> movements) override {
    Add(type, owner, draw, movements);
  }
  void Record(ChangeType type, std::string_view owner, const DrawEntry& entry,
              std::span<const Movement> movements) override {
    Add(type, owner, entry, movements);
  }

 private:
  template <typename Data>
  void Add(ChangeType type, std::string_view owner, const Data& data,
           std::span<const Movement> movements) {
    changes.push_back(Change{.seq = static_cast<std::int64_t>(changes.size()) + 1,
                             .type = type,
                             .owner = std::string(owner),
                             .data = data,
                             .movements = {movements.begin(), movements.end()}});
  }
};

class MemoryState final : public domain::Loader {
 public:
  std::map<std::string, Item> items;
  std::map<std::string, Reservation> reservations;
  std::map<std::string, Order> orders;
  std::map<std::pair<std::string, std::string>, UserUsage> usage;
  std::map<std::string, Transfer> transfers;
  std::map<std::string, Event> events;
  std::map<std::string, Webhook> webhooks;
  std::map<std::string, WaitlistEntry> waitlist;
  std::map<std::string, Draw> draws;
  std::map<std::pair<std::string, std::string>, DrawEntry> draw_entries;
  // Every change committed, and their movements as ledger rows (with the
  // record each belongs to and its reason).
  std::vector<Change> changes;
  std::vector<LedgerEntry> ledger;

  Expected<std::optional<Item>> LoadItem(std::string_view id) override {
    return Lookup(items, std::string(id));
  }
  Expected<std::optional<Reservation>> LoadReservation(std::string_view id) override {
    return Lookup(reservations, std::string(id));
  }
  Expected<std::optional<Order>> LoadOrder(std::string_view id) override {
    return Lookup(orders, std::string(id));
  }
  Expected<std::optional<UserUsage>> LoadUsage(std::string_view user,
                                               std::string_view item) override {
    return Lookup(usage, std::pair{std::string(user), std::string(item)});
  }
  Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) override {
    return Lookup(transfers, std::string(id));
  }
  Expected<std::optional<Event>> LoadEvent(std::string_view id) override {
    return Lookup(events, std::string(id));
  }
  Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) override {
    return Lookup(webhooks, std::string(id));
  }
  Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) override {
    return Lookup(waitlist, std::string(id));
  }
  Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                          std::int64_t after_ticket,
                                                          std::size_t limit) override {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    std::vector<WaitlistEntry> found;
    for (const auto& [id, e] : waitlist) {
      if (e.item_id == item_id && e.status == WaitlistStatus::kWaiting && e.ticket > after_ticket) {
        found.push_back(e);
      }
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.ticket < b.ticket; });
    if (found.size() > limit) found.resize(limit);
    return found;
  }
  Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) override {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    for (const auto& [id, e] : waitlist) {
      if (e.item_id == item_id && e.user_id == user_id &&
          (e.status == WaitlistStatus::kWaiting || e.status == WaitlistStatus::kOffered)) {
        return e;
      }
    }
    return std::nullopt;
  }
  Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) override {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    for (const auto& [id, e] : waitlist) {
      if (e.reservation_id == reservation_id) return e;
    }
    return std::nullopt;
  }
  Expected<std::optional<Draw>> LoadDraw(std::string_view id) override {
    return Lookup(draws, std::string(id));
  }
  Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                   std::string_view user_id) override {
    return Lookup(draw_entries, std::pair{std::string(draw_id), std::string(user_id)});
  }
  Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) override {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    std::vector<DrawEntry> found;
    for (const auto& [key, e] : draw_entries) {
      if (key.first == draw_id) found.push_back(e);
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.number < b.number; });
    return found;
  }
  Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) override {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    std::vector<DueDraw> due;
    for (const auto& [id, d] : draws) {
      if (d.status == DrawStatus::kOpen && d.closes_at_ms <= now_ms && due.size() < limit) {
        due.push_back(DueDraw{id, d.item_id});
      }
    }
    return due;
  }
  Expected<std::int64_t> JournalHead() override {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    return static_cast<std::int64_t>(changes.size());
  }
  Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) override {
    std::vector<std::string> due;
    for (const auto& [id, r] : reservations) {
      const bool on_item = std::any_of(r.lines.begin(), r.lines.end(),
                                       [&](const Line& l) { return l.item_id == item_id; });
      if (on_item && IsDue(r, now_ms) && due.size() < limit) due.push_back(id);
    }
    return due;
  }
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                     std::size_t limit) override {
    std::vector<std::string> due;
    for (const auto& [id, r] : reservations) {
      if (IsDue(r, now_ms) && due.size() < limit) due.push_back(id);
    }
    return due;
  }

  void Commit(BatchWrites writes, std::vector<Change> recorded) {
    for (Change& change : recorded) {
      change.seq = static_cast<std::int64_t>(changes.size()) + 1;
      for (const Movement& m : change.movements) ledger.push_back(LedgerRowOf(change, m));
      changes.push_back(std::move(change));
    }
    for (auto& i : writes.items) items[i.id] = i;
    for (auto& r : writes.new_reservations) reservations[r.id] = r;
    for (auto& r : writes.updated_reservations) reservations[r.id] = r;
    for (auto& o : writes.new_orders) orders[o.id] = o;
    for (auto& o : writes.updated_orders) orders[o.id] = o;
    for (auto& u : writes.usage) usage[{u.user_id, u.item_id}] = u;
    for (auto& t : writes.new_transfers) transfers[t.id] = t;
    for (auto& t : writes.updated_transfers) transfers[t.id] = t;
    for (auto& e : writes.new_events) events[e.id] = e;
    for (auto& w : writes.webhooks) webhooks[w.id] = w;
    for (auto& d : writes.draws) {
      d.results.clear();  // not stored
      draws[d.id] = d;
    }
    for (auto& e : writes.draw_entries) draw_entries[{e.draw_id, e.user_id}] = e;
    for (auto& e : writes.waitlist) {
      e.position.reset();  // not stored
      waitlist[e.id] = e;
    }
  }

  // When set, every load fails as a broken database would.
  bool fail_loads = false;

 private:
  static LedgerEntry LedgerRowOf(const Change& change, const Movement& m) {
    LedgerEntry row{.item_id = m.item_id,
                    .kind = m.kind,
                    .on_hand_delta = m.on_hand_delta,
                    .held_delta = m.held_delta,
                    .sold_delta = m.sold_delta};
    std::string counterpart;
    if (const auto* r = std::get_if<Reservation>(&change.data)) {
      row.reservation_id = r->id;
      row.order_id = r->order_id;
    } else if (const auto* o = std::get_if<Order>(&change.data)) {
      row.order_id = o->id;
      row.reservation_id = o->reservation_id;
    } else if (const auto* t = std::get_if<Transfer>(&change.data)) {
      row.transfer_id = t->id;
      row.reservation_id = t->id;
      counterpart = m.kind == LedgerKind::kDebit ? t->to_id : t->from_id;
    }
    row.reason = MovementReason(m, counterpart);
    return row;
  }

  static bool IsDue(const Reservation& r, std::int64_t now_ms) {
    return r.status == ReservationStatus::kHeld && r.expires_at_ms <= now_ms;
  }
  template <typename Map, typename Key>
  Expected<std::optional<typename Map::mapped_type>> Lookup(const Map& map, const Key& key) {
    if (fail_loads) return Fail(Unavailable("injected load failure"));
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  }
};

// Predictable ids: rsv_1, rsv_2, ord_1, ...
class CountingIds final : public domain::IdSource {
 public:
  std::string NewReservationId() override { return "rsv_" + std::to_string(++reservations_); }
  std::string NewOrderId() override { return "ord_" + std::to_string(++orders_); }
  std::string NewTransferId() override { return "trf_" + std::to_string(++transfers_); }
  std::string NewWebhookId() override { return "whk_" + std::to_string(++webhooks_); }
  std::string NewWaitlistId() override { return "wl_" + std::to_string(++waitlist_); }
  std::string NewDrawHoldId() override { return "drw_" + std::to_string(++draw_holds_); }

 private:
  int transfers_ = 0;
  int webhooks_ = 0;
  int waitlist_ = 0;
  int draw_holds_ = 0;
  int reservations_ = 0;
  int orders_ = 0;
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_UNIT_MEMORY_STATE_H_
