// What the single-process store keeps in memory: every item (accounts and
// seats are items), every event, the per-user usage of capped items, and
// the live holds (reservations still held, and the holds of held
// transfers) with an expiry order. The rules decide against this, never
// against rows read from SQLite; orders and ended reservations and
// transfers live only in the journal and are read from it when a command
// names one (store/sqlite_records.h).
//
// Memory: about 200 bytes per live hold (a compact form, not a
// Reservation; see LiveHold), plus the items.
//
// Threads: the sequencer is the only writer. It changes the state only in
// Load*() before any reader exists and in Apply() after a batch committed,
// under the exclusive lock, and reads it without locking. Readers on any
// thread use the Read*() methods, which take the shared lock, so they see
// committed batches whole.
#ifndef ALLOT_STORE_SQLITE_MEMORY_H_
#define ALLOT_STORE_SQLITE_MEMORY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "allot/store.h"
#include "domain/working_set.h"

namespace allot::sqlite {

class MemoryState {
 public:
  MemoryState();
  ~MemoryState();
  MemoryState(const MemoryState&) = delete;
  MemoryState& operator=(const MemoryState&) = delete;

  // --- The sequencer's side (no locking) ---

  const Item* FindItem(std::string_view id) const;
  const Event* FindEvent(std::string_view id) const;
  const UserUsage* FindUsage(std::string_view user_id, std::string_view item_id) const;
  // A live hold as the rules see it: the reservation (status held), and the
  // transfer when it is a held transfer's hold. nullopt when not live.
  std::optional<Reservation> FindHold(std::string_view id) const;
  std::optional<Transfer> FindHeldTransfer(std::string_view id) const;
  // Ids of live holds on `item_id` past expiry at now_ms, the first `limit`
  // in ascending id order.
  std::vector<std::string> DueOnItem(std::string_view item_id, std::int64_t now_ms,
                                     std::size_t limit) const;
  // Ids of live holds past expiry at now_ms, earliest first.
  std::vector<std::string> Due(std::int64_t now_ms, std::size_t limit) const;
  bool AnyDue(std::int64_t now_ms) const;
  // The earliest block a live hold was created in (a restart replays the
  // journal from there to find every live hold), or `head` + 1 if none.
  std::int64_t LiveFrom(std::int64_t head) const;
  std::size_t live_holds() const { return holds_.size(); }
  std::size_t items() const { return items_.size(); }

  // Loading at open, before any reader exists.
  void LoadItem(Item item);
  void LoadEvent(Event event);
  void LoadUsage(UserUsage usage);
  // A hold (a held reservation, or with `transfer` a held transfer's hold)
  // created in `created_block`; replaces one with the same id.
  void PutHold(const Reservation& reservation, const Transfer* transfer,
               std::int64_t created_block);
  void DropHold(std::string_view id);
  // The block a live hold was created in.
  std::optional<std::int64_t> HoldBlock(std::string_view id) const;

  // What a batch changes here, taken from its writes (and the blocks its
  // changes went into, for the block each new hold was created in) while
  // it is written, and applied once it committed.
  struct Staged {
    struct HeldRecord {
      Reservation reservation;
      std::optional<Transfer> transfer;
      std::int64_t created_block = 0;
    };
    std::vector<Item> items;
    std::vector<Event> events;
    std::vector<UserUsage> usage;
    std::vector<HeldRecord> holds;  // new, or changed and still held
    std::vector<std::string> ended;  // no longer held
    // The earliest block of a hold in `holds` (INT64_MAX if none).
    std::int64_t EarliestNewHold() const;
  };
  Staged Stage(const BatchWrites& writes) const;
  void Apply(Staged staged);

  // --- Readers (any thread; shared lock) ---

  // The item with `held` less the holds already past expiry at now_ms.
  std::optional<Item> ReadItem(std::string_view id, std::int64_t now_ms) const;
  ItemPage ReadItems(std::string_view after, std::size_t limit, std::int64_t now_ms) const;
  std::optional<EventCounts> ReadEvent(std::string_view id, std::int64_t now_ms) const;
  std::optional<std::vector<SeatState>> ReadSeats(std::string_view event_id,
                                                  std::int64_t now_ms) const;

 private:
  struct Hold;
  struct ExpiryEntry {
    std::int64_t expires_at_ms;
    std::int64_t serial;  // of the hold when the entry was made
    friend bool operator<(const ExpiryEntry& a, const ExpiryEntry& b) {
      return a.expires_at_ms != b.expires_at_ms ? a.expires_at_ms < b.expires_at_ms
                                                : a.serial < b.serial;
    }
  };

  const Hold* HoldOf(std::string_view id) const;
  Reservation ReservationOf(const Hold& hold) const;
  std::uint32_t Intern(std::string_view owner);
  // A stable string for an item id, for holds to point at.
  const std::string* ItemKey(std::string_view item_id);
  std::optional<std::vector<SeatState>> SeatsAt(std::string_view event_id,
                                                std::int64_t now_ms) const;
  // Visits the live holds past expiry at now_ms, earliest first, until
  // `visit` returns false.
  template <typename Visit>
  void ForEachDue(std::int64_t now_ms, Visit visit) const;
  // Held units of `item_id` in holds past expiry at now_ms.
  std::int64_t DueHeld(std::string_view item_id, std::int64_t now_ms) const;
  Item ItemAt(const Item& item, std::int64_t now_ms) const;

  mutable std::shared_mutex mu_;
  std::map<std::string, Item, std::less<>> items_;  // ordered: listing and seat ranges
  domain::StringMap<Event> events_;
  std::map<std::pair<std::string, std::string>, UserUsage, std::less<>> usage_;
  // Keyed by a view of the hold's own id.
  std::unordered_map<std::string_view, std::unique_ptr<Hold>> holds_;
  std::map<ExpiryEntry, Hold*> expiry_;
  std::map<std::int64_t, std::int64_t> live_blocks_;  // created block -> live holds from it
  std::set<std::string, std::less<>> orphan_items_;
  std::vector<std::string> owners_;
  domain::StringMap<std::uint32_t> owner_index_;
  std::int64_t next_serial_ = 1;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_MEMORY_H_
