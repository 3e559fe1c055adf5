// Storage behind the engine: one interface, one implementation per database.
//
// A Store is the write side. It is used by exactly one thread, the engine's
// sequencer, and is not thread-safe. Every batch is one transaction:
//   Begin(); Load*(...)*; Write(writes); Commit()   (or Rollback()).
// Loads inside a batch see the state as of the transaction (plus nothing the
// batch has not written yet: the engine keeps its own working copy).
//
// A StoreReader answers reads on its own connections, beside the writer; it
// is thread-safe and sees only committed state.
//
// Errors: any failure is reported as ErrorCode::kUnavailable. After a failed
// Write or Commit the caller must Rollback(); nothing of the batch persists.
// A failure that is safe to retry from scratch (the transaction was certainly
// rolled back and trying again can succeed: a deadlock, a serialization
// failure, a concurrent insert of the same unique key by another process)
// carries the detail kRetryableDetail = 1; see IsRetryable(). A failed or
// interrupted COMMIT is never marked retryable: its outcome may be unknown,
// and when the store cannot tell (no answer came) it fails with
// ErrorCode::kOutcomeUnknown instead of kUnavailable.
#ifndef ALLOT_STORE_H_
#define ALLOT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "allot/model.h"
#include "allot/webhook.h"

namespace allot {

// Everything a batch changes, written in one go before Commit.
struct BatchWrites {
  std::vector<Item> items;  // full rows, inserted or updated by id
  // Inserted with their lines; those still kHeld also get live-hold rows.
  std::vector<Reservation> new_reservations;
  // Existing reservations whose status/confirmed_at/order_id/released_at
  // changed; live-hold rows are removed for those no longer kHeld.
  std::vector<Reservation> updated_reservations;
  std::vector<Order> new_orders;               // inserted with their lines
  std::vector<Order> updated_orders;           // status, cancelled_at, cancel_reason
  std::vector<UserUsage> usage;                // full rows, inserted or updated
  std::vector<Transfer> new_transfers;         // inserted
  std::vector<Transfer> updated_transfers;     // status, posted_at, released_at
  std::vector<Event> new_events;               // inserted (seats are items)
  // The batch's changes in order, in blocks whose first_seq is 0: the store
  // gives them their seqs (gapless, after every change committed before).
  std::vector<JournalBlock> journal;
  std::vector<IdempotencyRecord> idempotency;  // inserted
  std::vector<Webhook> webhooks;               // full rows, inserted or updated by id
  // Waiting-list entries, full rows inserted or updated by id (`position`
  // is not stored).
  std::vector<WaitlistEntry> waitlist;
  // Draws and their entries, full rows inserted or updated (`results` of a
  // draw is not stored: it is its entries).
  std::vector<Draw> draws;
  std::vector<DrawEntry> draw_entries;
  // Idempotency records created before this time are deleted (0 = none).
  std::int64_t purge_idempotency_before_ms = 0;

  bool empty() const {
    return items.empty() && new_reservations.empty() && updated_reservations.empty() &&
           new_orders.empty() && updated_orders.empty() && usage.empty() && journal.empty() &&
           new_transfers.empty() && updated_transfers.empty() && new_events.empty() &&
           idempotency.empty() && webhooks.empty() && waitlist.empty() && draws.empty() &&
           draw_entries.empty() &&
           purge_idempotency_before_ms == 0;
  }
};

// A draw whose closesAt has come and that has not run yet.
struct DueDraw {
  std::string id;
  std::string item_id;
};

// The detail that marks an Error as retryable (value 1).
inline constexpr std::string_view kRetryableDetail = "retryable";

inline bool IsRetryable(const Error& error) {
  const DetailValue* value = error.Detail(kRetryableDetail);
  return value != nullptr && *value == DetailValue(std::int64_t{1});
}

// What a batch is about to touch, known before any command is decided, so a
// store shared by several processes can take all of the batch's row locks up
// front in one global order and never deadlock: every item first, ascending
// by id; then reservations, then orders, each ascending by id. Accounts
// and seats are items (see model.h), so they take part in the same order:
// crossing transfers and mixed reservations lock in one order too.
//
// The plan names what the commands name. A store that locks must close it
// over what the rules will touch: the items on the lines of the named
// reservations and orders, the destination account of a transfer whose
// hold is a named reservation (same id), and (transitively) the items of every reservation
// with a hold on a locked item that is due at now_ms, since the rules end such
// holds before they use the item. Ids are sorted and unique.
struct LockPlan {
  std::int64_t now_ms = 0;                   // the batch's instant
  std::vector<std::string> item_ids;         // named by lines or by id
  std::vector<std::string> reservation_ids;  // confirmed or cancelled
  std::vector<std::string> order_ids;        // cancelled
  // Webhooks a command names, locked after everything above (nothing
  // else is locked after them, so they join the one global order).
  std::vector<std::string> webhook_ids;
  // Waiting-list entries a command names (leave): a locking store locks
  // their items with the items above. Entries themselves need no lock:
  // every change to one is made under its item's lock.
  std::vector<std::string> waitlist_ids;
  // Draws a command names (entries, a run): their items are locked with the
  // items above, and every change to a draw is made under that lock.
  std::vector<std::string> draw_ids;
  // (principal, key) of the commands with an Idempotency-Key, so their
  // stored answers can be fetched in one go.
  std::vector<std::pair<std::string, std::string>> idempotency_keys;
  // > 0: the batch starts with an expiry sweep of at most this many
  // reservations. A locking store may then limit DueReservations() to the
  // due reservations it could lock without waiting (other processes sweep
  // the rest), so sweeps on several processes never contend.
  std::size_t sweep_limit = 0;

  bool empty() const {
    return item_ids.empty() && reservation_ids.empty() && order_ids.empty() &&
           webhook_ids.empty() && waitlist_ids.empty() && draw_ids.empty() && idempotency_keys.empty() && sweep_limit == 0;
  }
};

// How a store wants a batch's journal cut into blocks.
struct JournalLayout {
  // A block ends after this many commands (never inside one); 0: one block
  // per batch.
  std::size_t max_commands_per_block = 0;
  // The ids of new reservations, orders and transfers carry record keys
  // (journal/record_key.h), so the store can find them without an index.
  // Needs NextSeq().
  bool keyed_ids = false;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual JournalLayout journal_layout() const { return {}; }
  // The seq the next batch's first change will get, for a store whose seqs
  // one process decides; nullopt when it is known only at commit (several
  // processes share the journal). Called between batches and after Begin().
  virtual std::optional<std::int64_t> NextSeq() const { return std::nullopt; }
  // True when the store wants the batch about to run at now_ms to start
  // with an expiry sweep, beside the sweeper's timer: a store that finds
  // due holds in memory expires them as soon as any batch runs.
  virtual bool WantsSweep(std::int64_t now_ms) const { return false; }

  virtual Status Begin() = 0;
  // Whether the store locks rows up front (LockForBatch). A store with a
  // single writer (SQLite) does not, and the engine then skips building the
  // plan: sorting every id of a batch is work the hot path need not do.
  virtual bool LocksRows() const { return false; }
  // Called once right after Begin(), before any Load, when LocksRows(). Loads
  // of rows outside the plan remain allowed (they lock as they go).
  virtual Status LockForBatch(const LockPlan& plan) { return {}; }
  // Commands may join a batch after its lock phase, while it holds its locks
  // (see Covers in engine/lock_plan.h): those that queued meanwhile and
  // need nothing the batch's plan does not name. Called with their own
  // plan, which names nothing new but their idempotency keys: a store may
  // fetch those in one go (LoadIdempotency must work either way).
  virtual Status ExtendLocks(const LockPlan& joining) { return {}; }
  virtual Expected<std::optional<Item>> LoadItem(std::string_view id) = 0;
  virtual Expected<std::optional<Reservation>> LoadReservation(std::string_view id) = 0;
  virtual Expected<std::optional<Order>> LoadOrder(std::string_view id) = 0;
  virtual Expected<std::optional<UserUsage>> LoadUsage(std::string_view user_id,
                                                       std::string_view item_id) = 0;
  virtual Expected<std::optional<IdempotencyRecord>> LoadIdempotency(std::string_view principal,
                                                                     std::string_view key) = 0;
  virtual Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) = 0;
  virtual Expected<std::optional<Event>> LoadEvent(std::string_view id) = 0;
  // A webhook, locked for the batch where other processes share the store.
  virtual Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) = 0;
  // Waiting lists. Every change to an entry is made under its item's lock,
  // so these need no lock of their own.
  virtual Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) = 0;
  // Entries of `item_id` still kWaiting with ticket > after_ticket, in
  // ticket order, at most `limit`.
  virtual Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                                  std::int64_t after_ticket,
                                                                  std::size_t limit) = 0;
  // The entry of `user_id` on `item_id` that is kWaiting or kOffered.
  virtual Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) = 0;
  // The entry whose offer is `reservation_id`.
  virtual Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) = 0;
  // Draws. Every change to a draw or its entries is made under its item's
  // lock (LockPlan::draw_ids), so these need no lock of their own; a batch
  // that finds due draws locks each one's item before it loads the draw.
  virtual Expected<std::optional<Draw>> LoadDraw(std::string_view id) = 0;
  virtual Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                           std::string_view user_id) = 0;
  // In arrival order.
  virtual Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) = 0;
  // Open draws with closes_at_ms <= now_ms, earliest first, at most `limit`.
  virtual Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) = 0;
  // The last seq committed before this batch (what a new webhook starts
  // after by default; a cursor may not pass it).
  virtual Expected<std::int64_t> LoadJournalHead() = 0;
  // Ids of reservations still kHeld that have a line on item_id and whose
  // expires_at_ms <= now_ms, at most `limit`, in ascending id order.
  virtual Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                                   std::int64_t now_ms,
                                                                   std::size_t limit) = 0;
  // Ids of reservations still kHeld whose expires_at_ms <= now_ms, earliest
  // expiry first, at most `limit`.
  virtual Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                             std::size_t limit) = 0;
  // Takes the batch's writes: a store may keep what it needs of them until
  // Commit (the single-process store moves new holds into memory).
  virtual Status Write(BatchWrites writes) = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // Write(writes) then Commit(), as one step, which is how the engine ends
  // a batch: a store may send the writes and the COMMIT together
  // (PostgreSQL: one round trip, so every row lock of the batch is held one
  // round trip less). Failures mean what Write's and Commit's mean: the
  // writes failed and nothing persists (retryable when the store says so),
  // or the commit failed, or its outcome is unknown (kOutcomeUnknown).
  virtual Status WriteAndCommit(BatchWrites writes) {
    if (!writes.empty()) {
      if (auto written = Write(std::move(writes)); !written) return written;
    }
    return Commit();
  }

  // Durability split from Commit(). A store that returns true here makes
  // Commit() fast and not yet durable, and SyncCommitted() make every batch
  // committed before the call durable (one fdatasync of a write-ahead log).
  // The engine then syncs one batch while it decides the next, and answers a
  // batch only after a sync that began after its Commit() returned.
  // SyncCommitted() is called from another thread than the other methods,
  // never concurrently with itself. A failure means durability is unknown.
  virtual bool SyncsSeparately() const { return false; }
  virtual Status SyncCommitted() { return {}; }
};

// Which changes of the journal a reader wants.
struct ChangeFilter {
  std::vector<ChangeType> types;  // empty: every type
  // Set: only the changes of this principal's records, and those everyone
  // may see (items, accounts, events: owner "").
  std::optional<std::string> owner;
};

struct ChangePage {
  std::vector<Change> changes;  // in seq order
  // The cursor to read on from: the last seq read, whether or not the
  // filter kept it.
  std::int64_t next = 0;
};

struct ItemPage {
  std::vector<Item> items;
  std::optional<std::string> next;  // id to pass as `after` for the next page
};

struct WaitlistPage {
  std::vector<WaitlistEntry> entries;
  std::optional<std::string> next;  // id to pass as `after`
};

class StoreReader {
 public:
  virtual ~StoreReader() = default;
  // `held` (and so available()) leaves out holds whose expires_at_ms <= now_ms
  // even if no sweep has marked them expired yet.
  virtual Expected<std::optional<Item>> GetItem(std::string_view id, std::int64_t now_ms) = 0;
  // Items with id > after (all when after is empty), ascending, at most limit.
  virtual Expected<ItemPage> ListItems(std::string_view after, std::size_t limit,
                                       std::int64_t now_ms) = 0;
  // As stored: a kHeld reservation may already be past its expiry.
  virtual Expected<std::optional<Reservation>> GetReservation(std::string_view id) = 0;
  virtual Expected<std::optional<Order>> GetOrder(std::string_view id) = 0;
  // As stored: a kHeld transfer may already be past its expiry.
  virtual Expected<std::optional<Transfer>> GetTransfer(std::string_view id) = 0;
  // The event with its seats counted at now_ms: a seat whose only hold is
  // due counts as available.
  virtual Expected<std::optional<EventCounts>> GetEvent(std::string_view id,
                                                        std::int64_t now_ms) = 0;
  // Every seat of the event in ascending seat-name (byte) order, with its
  // status at now_ms; nullopt when the event does not exist.
  virtual Expected<std::optional<std::vector<SeatState>>> ListSeats(std::string_view event_id,
                                                                    std::int64_t now_ms) = 0;
  // Up to `limit` changes with seq > `after` that `filter` keeps, reading at
  // most `max_scan` changes (see journal/feed.h). Sees only committed
  // changes, and never a seq before all lower ones are visible.
  virtual Expected<ChangePage> ReadChanges(std::int64_t after, std::size_t limit,
                                           const ChangeFilter& filter, std::size_t max_scan) = 0;
  // The last seq of the journal (0 when empty).
  virtual Expected<std::int64_t> JournalHead() = 0;
  // One webhook, or every webhook in id order (there are few), as committed.
  virtual Expected<std::optional<Webhook>> GetWebhook(std::string_view id) = 0;
  virtual Expected<std::vector<Webhook>> ListWebhooks() = 0;
  // A waiting-list entry as committed, with its `position` when kWaiting.
  virtual Expected<std::optional<WaitlistEntry>> GetWaitlistEntry(std::string_view id) = 0;
  // The entries of an item in queue order after the entry `after` (all
  // when empty), at most `limit`, waiting ones with their `position`.
  virtual Expected<WaitlistPage> ListWaitlist(std::string_view item_id, std::string_view after,
                                              std::size_t limit) = 0;
  // A draw as committed; once drawn, with its entries in rank order as
  // `results`. The seed is the caller's to hide while the draw is open.
  virtual Expected<std::optional<Draw>> GetDraw(std::string_view id) = 0;

  // The journal by term, for lists and history (journal/terms.h; the
  // queries themselves are api/queries.h, over these).
  // First seqs of the blocks indexed under `term` that are >= from_block,
  // ascending, at most `limit`. Sees committed blocks only, and a later call
  // never fewer than an earlier one.
  virtual Expected<std::vector<std::int64_t>> TermBlocks(std::uint64_t term,
                                                         std::int64_t from_block,
                                                         std::size_t limit) = 0;
  // The greatest first seq <= at_or_before of a block under `term`.
  virtual Expected<std::optional<std::int64_t>> LastTermBlock(std::uint64_t term,
                                                              std::int64_t at_or_before) = 0;
  // The first seq of the block holding `seq` (without reading its body);
  // nullopt when no block holds it.
  virtual Expected<std::optional<std::int64_t>> BlockStartOf(std::int64_t seq) = 0;
  // The block holding `seq` (its body too); nullopt when none does.
  virtual Expected<std::optional<JournalBlock>> BlockHolding(std::int64_t seq) = 0;
  // The last seq of the changes committed at or before `at_ms` (0: none).
  // Assumes instants do not decrease along the journal (the clock's).
  virtual Expected<std::int64_t> SeqAtTime(std::int64_t at_ms) = 0;

  // Succeeds when the database answers a trivial query.
  virtual Status Ping() = 0;
};

}  // namespace allot

#endif  // ALLOT_STORE_H_
