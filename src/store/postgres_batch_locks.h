// The lock phase of a PostgreSQL batch (Store::LockForBatch) and the rows it
// locked, which then answer the batch's loads without further round trips.
//
// Why: several allot processes share the database, each with its own
// sequencer. The rules load rows lazily, in command order, so locking as
// they load would let two processes lock X then Y and Y then X: a deadlock.
// Instead every lock a batch needs is taken first, in one global order:
//   1. items, ascending by id (SELECT ... ORDER BY id FOR UPDATE): the items
//      the commands name and the items of the reservations and orders they
//      name;
//   2. reservations, then orders, ascending by id: the named ones and those
//      with holds due on the named items (the rules end those first).
// A due reservation may hold an item no command names. It is found in the
// same pass; the transaction is then rolled back and the lock phase starts
// over with that item too, so no item is ever locked after a reservation.
// Invariant kept by this order: a reservation or order is only changed
// while its items are locked, and a process takes no item lock after any
// reservation or order lock it waits for. Waits therefore always point from
// a lower to a higher lock in the order and cannot form a cycle.
//
// Sweeps (LockPlan::sweep_limit) never wait: the due reservations' items
// and rows are taken with FOR UPDATE SKIP LOCKED, and only reservations
// whose every item was locked are handed to the sweep; several processes
// sweeping at once thus split the work and never release a hold twice.
//
// One round trip for an ordinary batch (BEGIN and all lock statements in
// one pipeline), two more when the batch sweeps. Every statement is an index
// lookup by key or key range, so the cached generic plans stay cheap.
// Not thread-safe.
#ifndef ALLOT_STORE_POSTGRES_BATCH_LOCKS_H_
#define ALLOT_STORE_POSTGRES_BATCH_LOCKS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "allot/store.h"
#include "store/postgres_connection.h"
#include "store/postgres_pipeline.h"
#include "store/postgres_session.h"

namespace allot::pg {

// Runs a pipeline inside the batch's transaction (the writer adds the BEGIN).
using PipelineRunner = std::function<Expected<std::vector<Result>>(Pipeline)>;

class BatchLocks {
 public:
  // The statements Lock() uses, to prepare on the writer's connection.
  static StatementSpecs Statements();

  // Takes the plan's locks and keeps the locked rows. `restart` rolls the
  // transaction back so the lock phase can start over (see Lock's body).
  // Errors are the failing statement's (a deadlock or lock timeout is
  // retryable).
  Status Lock(const LockPlan& plan, const PipelineRunner& run,
              const std::function<Status()>& restart);
  // Forgets everything (a new batch, or after a rollback).
  void Clear();
  // (principal, key) of an idempotency record.
  using IdempotencyKeyId = std::pair<std::string, std::string>;
  // Fetches the stored answers of `keys` not known yet, in one statement,
  // for commands that joined the batch after its lock phase.
  Status FetchIdempotency(const std::vector<IdempotencyKeyId>& keys, const PipelineRunner& run);

  // Rows covered by the lock phase: nullptr when `id` was not covered (the
  // caller loads it itself, and should Remember it), else the row or nullopt
  // when it does not exist.
  const std::optional<Item>* FindItem(std::string_view id) const;
  const std::optional<Reservation>* FindReservation(std::string_view id) const;
  const std::optional<Order>* FindOrder(std::string_view id) const;
  const std::optional<IdempotencyRecord>* FindIdempotency(std::string_view principal,
                                                          std::string_view key) const;
  // Due reservations on a planned item at `now_ms`, ascending; nullptr when
  // not known (another item or instant).
  const std::vector<std::string>* DueOn(std::string_view item_id, std::int64_t now_ms) const;
  // The reservations the sweep may expire (earliest expiry first); nullptr
  // when the plan had no sweep.
  const std::vector<std::string>* Swept() const { return swept_ ? &*swept_ : nullptr; }

  void Remember(Item item) { items_[item.id] = std::move(item); }
  void RememberAbsentItem(std::string_view id) { items_[std::string(id)] = std::nullopt; }
  void Remember(Reservation r) { reservations_[r.id] = std::move(r); }
  void Remember(Order o) { orders_[o.id] = std::move(o); }
  // True when `id` was looked up in this batch and did not exist: a write
  // of it must insert (and fail if another process inserted it meanwhile)
  // rather than overwrite.
  bool ItemWasAbsent(std::string_view id) const;

 private:
  // One pass: the plan's items plus `extra_items`, then reservations and
  // orders. Returns the items of locked reservations left unlocked.
  Expected<std::vector<std::string>> LockOnce(const LockPlan& plan,
                                              const std::vector<std::string>& extra_items,
                                              const PipelineRunner& run);
  std::vector<std::string> UnlockedItems() const;
  // Round 2 and 3 of a sweep: lock what can be locked without waiting.
  Status ClaimDue(const Result& candidates, const PipelineRunner& run);
  void KeepItems(const Result& result);
  Status KeepReservations(const Result& result);
  static std::size_t AddIdempotency(const std::vector<IdempotencyKeyId>& keys,
                                    Pipeline& pipeline);
  void KeepIdempotency(const Result& result, const std::vector<IdempotencyKeyId>& keys);

  std::int64_t now_ms_ = 0;
  std::map<std::string, std::optional<Item>, std::less<>> items_;
  std::map<std::string, std::optional<Reservation>, std::less<>> reservations_;
  std::map<std::string, std::optional<Order>, std::less<>> orders_;
  std::map<std::pair<std::string, std::string>, std::optional<IdempotencyRecord>, std::less<>>
      idempotency_;
  std::map<std::string, std::vector<std::string>, std::less<>> due_on_;
  std::optional<std::vector<std::string>> swept_;
  std::optional<Result> sweep_candidates_;  // between LockOnce and ClaimDue
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_BATCH_LOCKS_H_
