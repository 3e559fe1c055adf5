// The slice of state one batch works on. Rows are loaded on first use
// through a Loader (inside the batch's transaction), cached for the rest of
// the batch, changed in memory by the rules, and handed to the store as one
// BatchWrites at the end. Later commands in a batch see earlier ones' effects.
//
// Not thread-safe: one batch, one thread (the sequencer).
#ifndef ALLOT_DOMAIN_WORKING_SET_H_
#define ALLOT_DOMAIN_WORKING_SET_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "allot/model.h"
#include "allot/store.h"
#include "domain/row_table.h"

namespace allot::domain {

// Where rows come from. The engine implements it over a Store; unit tests
// over maps. Errors mean the storage failed (kUnavailable).
class Loader {
 public:
  virtual ~Loader() = default;
  virtual Expected<std::optional<Item>> LoadItem(std::string_view id) = 0;
  virtual Expected<std::optional<Reservation>> LoadReservation(std::string_view id) = 0;
  virtual Expected<std::optional<Order>> LoadOrder(std::string_view id) = 0;
  virtual Expected<std::optional<UserUsage>> LoadUsage(std::string_view user_id,
                                                       std::string_view item_id) = 0;
  virtual Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) = 0;
  virtual Expected<std::optional<Event>> LoadEvent(std::string_view id) = 0;
  virtual Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) = 0;
  // Waiting lists: see the Store methods of the same names.
  virtual Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) = 0;
  virtual Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                                  std::int64_t after_ticket,
                                                                  std::size_t limit) = 0;
  virtual Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) = 0;
  virtual Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) = 0;
  // Draws: see the Store methods of the same names.
  virtual Expected<std::optional<Draw>> LoadDraw(std::string_view id) = 0;
  virtual Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                           std::string_view user_id) = 0;
  virtual Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) = 0;
  virtual Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) = 0;
  // The last seq committed before the batch.
  virtual Expected<std::int64_t> JournalHead() = 0;
  virtual Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                                   std::int64_t now_ms,
                                                                   std::size_t limit) = 0;
  virtual Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                             std::size_t limit) = 0;
};

// Where the rules' changes go, in the order they happen: the engine's
// journal builder, or a recorder in tests. Each call is one change: its
// type, the owner of the record, the record right after the change and the
// counter movements it made. The record is only borrowed for the call.
class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  virtual void Record(ChangeType type, std::string_view owner, const Item& item,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const Reservation& reservation,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const Order& order,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const Transfer& transfer,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const EventCounts& event,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const WaitlistEntry& entry,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const Draw& draw,
                      std::span<const Movement> movements) = 0;
  virtual void Record(ChangeType type, std::string_view owner, const DrawEntry& entry,
                      std::span<const Movement> movements) = 0;
};

// Heterogeneous lookup, so a string_view finds a std::string key.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

class WorkingSet {
 public:
  WorkingSet(Loader& loader, ChangeSink& changes) : loader_(loader), changes_(changes) {}

  // A pointer into the working set, stable for the batch; nullptr when no
  // such row exists. An error only when loading failed.
  Expected<Item*> FindItem(std::string_view id);
  Expected<Reservation*> FindReservation(std::string_view id);
  Expected<Order*> FindOrder(std::string_view id);
  Expected<Transfer*> FindTransfer(std::string_view id);
  Expected<Event*> FindEvent(std::string_view id);
  Expected<Webhook*> FindWebhook(std::string_view id);
  Expected<WaitlistEntry*> FindWaitlistEntry(std::string_view id);
  // The first entry of the item's list still waiting with a ticket after
  // `after_ticket`, as this batch left it; nullptr when none.
  Expected<WaitlistEntry*> NextWaiting(std::string_view item_id, std::int64_t after_ticket);
  // The user's entry on the item that is waiting or offered; nullptr if none.
  Expected<WaitlistEntry*> ActiveWaitlistEntry(std::string_view item_id, std::string_view user_id);
  // The entry whose offer is `reservation_id`; nullptr if it is no offer.
  Expected<WaitlistEntry*> WaitlistOffer(std::string_view reservation_id);
  // The last seq committed before the batch (loaded once per batch).
  Expected<std::int64_t> JournalHead();
  // The usage row of a user on an item, zeroed if none is stored yet.
  Expected<UserUsage*> Usage(std::string_view user_id, std::string_view item_id);

  Expected<Draw*> FindDraw(std::string_view id);
  Expected<DrawEntry*> FindDrawEntry(std::string_view draw_id, std::string_view user_id);
  // Every entry of a draw as this batch left them, in arrival order.
  Expected<std::vector<DrawEntry*>> DrawEntries(std::string_view draw_id);
  Expected<std::vector<DueDraw>> DueDraws(std::int64_t now_ms, std::size_t limit) {
    return loader_.LoadDueDraws(now_ms, limit);
  }

  // Ids of reservations holding `item_id` that are due at now_ms, asked of
  // the store only the first time per item per batch (time stands still
  // within a batch, so later asks could only return the same ids).
  Expected<std::vector<std::string>> DueOnItemOnce(std::string_view item_id, std::int64_t now_ms);
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms, std::size_t limit);

  // New rows; the returned reference is stable for the batch.
  Item& AddItem(Item item);
  Reservation& AddReservation(Reservation reservation);
  Order& AddOrder(Order order);
  Transfer& AddTransfer(Transfer transfer);
  Event& AddEvent(Event event);
  Webhook& AddWebhook(Webhook webhook);
  WaitlistEntry& AddWaitlistEntry(WaitlistEntry entry);
  Draw& AddDraw(Draw draw);
  DrawEntry& AddDrawEntry(DrawEntry entry);

  // Rows changed through pointers must be reported, so they get written.
  void Changed(const Item& item);
  void Changed(const Reservation& reservation);
  void Changed(const Order& order);
  void Changed(const UserUsage& usage);
  void Changed(const Transfer& transfer);
  void Changed(const Webhook& webhook);
  // Also notes the entry's offer, so WaitlistOffer finds it in this batch.
  void Changed(const WaitlistEntry& entry);
  void Changed(const Draw& draw);
  void Changed(const DrawEntry& entry);

  // A movement of `item`'s counters, called right after they changed (so
  // the counters after it are the item's now). It belongs to the next
  // change recorded.
  void Move(const Item& item, LedgerKind kind, std::int64_t on_hand_delta,
            std::int64_t held_delta, std::int64_t sold_delta, std::string reason = {});
  // A change to `record`, as it is now, with the movements since the last
  // change. Items, accounts and events are everyone's; the others belong to
  // their owner.
  template <typename R>
  void Record(ChangeType type, const R& record) {
    changes_.Record(type, OwnerOf(record), record, movements_);
    movements_.clear();
  }

  void AddIdempotency(IdempotencyRecord record) { idempotency_.push_back(std::move(record)); }

  // Everything changed so far, ready for Store::Write. Leaves the set empty.
  BatchWrites TakeWrites();

 private:
  template <typename T, typename LoadFn>
  Expected<T*> Find(RowTable<T>& table, std::string_view id, LoadFn load);
  template <typename T>
  T& Add(RowTable<T>& table, T row);
  template <typename T>
  void Mark(RowTable<T>& table, std::string_view key);

  static std::string_view OwnerOf(const Item&) { return {}; }
  static std::string_view OwnerOf(const EventCounts&) { return {}; }
  // A draw is public like its item; entries belong to who entered.
  static std::string_view OwnerOf(const Draw&) { return {}; }
  template <typename R>
  static std::string_view OwnerOf(const R& record) {
    return record.owner;
  }

  Loader& loader_;
  ChangeSink& changes_;
  std::vector<Movement> movements_;
  RowTable<Item> items_;
  RowTable<Reservation> reservations_;
  RowTable<Order> orders_;
  RowTable<Transfer> transfers_;
  RowTable<Event> events_;
  RowTable<Webhook> webhooks_;
  RowTable<WaitlistEntry> waitlist_;
  // Entries this batch touched, by user and item, and by offer, so that
  // lookups see what the batch did before the store does.
  StringMap<WaitlistEntry*> waitlist_by_user_;
  StringMap<WaitlistEntry*> waitlist_by_offer_;
  // Entries this batch added, per item, in ticket order (their tickets
  // follow every stored one).
  StringMap<std::vector<WaitlistEntry*>> new_waitlist_by_item_;
  WaitlistEntry* Cached(WaitlistEntry loaded);
  RowTable<Draw> draws_;
  RowTable<DrawEntry> draw_entries_;  // key: draw_id + '\n' + user_id
  std::vector<DrawEntry*> new_draw_entries_;
  std::optional<std::int64_t> journal_head_;
  RowTable<UserUsage> usage_;  // key: user_id + '\n' + item_id
  std::unordered_set<std::string> due_checked_items_;
  std::vector<IdempotencyRecord> idempotency_;
};

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_WORKING_SET_H_
