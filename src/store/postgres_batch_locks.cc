#include "store/postgres_batch_locks.h"

#include <algorithm>
#include <set>

#include "store/postgres_arrays.h"
#include "store/postgres_records.h"

namespace allot::pg {
namespace {

// The items to lock, locked in ascending id order: ORDER BY runs below the
// row-locking step, so rows are locked in sorted order. $1 items (named and
// found by an earlier pass), $2 reservations, $3 orders: their lines' items.
// A named reservation may be a held transfer's hold (same id): its lines
// name the source account, and confirming it credits the destination, whose
// account item ('$' + to_id, see AccountItemId) is locked here too.
// Only index lookups, so the cached generic plan stays cheap.
constexpr std::string_view kLockItems = R"sql(
SELECT id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting, tickets FROM items
WHERE id IN (SELECT unnest($1::text[])
             UNION SELECT item_id FROM reservation_lines WHERE reservation_id = ANY($2::text[])
             UNION SELECT item_id FROM order_lines WHERE order_id = ANY($3::text[])
             UNION SELECT '$' || to_id FROM transfers WHERE id = ANY($2::text[]))
ORDER BY id FOR UPDATE
)sql";

// Named reservations and those due on the named items ($1, $2, $3 now).
constexpr std::string_view kLockReservationsWhere = R"sql(
WHERE r.id IN (SELECT unnest($1::text[])
               UNION SELECT reservation_id FROM holds
                     WHERE item_id = ANY($2::text[]) AND expires_at_ms <= $3)
ORDER BY r.id, l.line_no FOR UPDATE OF r
)sql";

// Due reservations on the named items, after their locks ($1, $2 now).
constexpr std::string_view kDueOnItems = R"sql(
SELECT item_id, reservation_id FROM holds
WHERE item_id = ANY($1::text[]) AND expires_at_ms <= $2
GROUP BY item_id, reservation_id ORDER BY item_id, reservation_id
)sql";

constexpr std::string_view kLockOrdersWhere =
    "WHERE o.id = ANY($1::text[]) ORDER BY o.id, l.line_no FOR UPDATE OF o";

// Stored answers of the batch's idempotency keys ($1 principals, $2 keys).
constexpr std::string_view kIdempotency = R"sql(
SELECT k.principal, k.key, k.fingerprint, k.status, k.body, k.created_at_ms
FROM idempotency_keys k
JOIN unnest($1::text[], $2::text[]) AS w(principal, key)
  ON k.principal = w.principal AND k.key = w.key
)sql";

// Sweep candidates: the earliest due reservations ($1 now, $2 limit) with
// the items of their live holds.
constexpr std::string_view kDueCandidates = R"sql(
WITH due AS (
  SELECT DISTINCT expires_at_ms, reservation_id FROM holds WHERE expires_at_ms <= $1
  ORDER BY expires_at_ms, reservation_id LIMIT $2
)
SELECT d.reservation_id, h.item_id FROM due d JOIN holds h USING (reservation_id)
ORDER BY d.expires_at_ms, d.reservation_id
)sql";

// Never waits: rows another batch holds are left to it.
constexpr std::string_view kLockItemsSkip = R"sql(
SELECT id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting, tickets
FROM items WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE SKIP LOCKED
)sql";
constexpr std::string_view kLockReservationsSkipWhere =
    "WHERE r.id = ANY($1::text[]) ORDER BY r.id, l.line_no FOR UPDATE OF r SKIP LOCKED";

// A bound on one sweep's claim, far above any configured sweep_limit.
constexpr std::size_t kMaxSweep = 1'000'000;
// Lock phases of one batch (see Lock).
constexpr int kMaxLockPasses = 3;

template <typename Range>
std::string ArrayOf(const Range& values) {
  ArrayBuilder array;
  for (const auto& value : values) array.Add(value);
  return array.Take();
}

}  // namespace

StatementSpecs BatchLocks::Statements() {
  return {
      {"lock_items", std::string(kLockItems)},
      {"lock_reservations", std::string(kSelectReservations) + std::string(kLockReservationsWhere)},
      {"due_on_items", std::string(kDueOnItems)},
      {"lock_orders", std::string(kSelectOrders) + std::string(kLockOrdersWhere)},
      {"idempotency_many", std::string(kIdempotency)},
      {"due_candidates", std::string(kDueCandidates)},
      {"lock_items_skip", std::string(kLockItemsSkip)},
      {"lock_reservations_skip",
       std::string(kSelectReservations) + std::string(kLockReservationsSkipWhere)},
  };
}

void BatchLocks::Clear() {
  now_ms_ = 0;
  sweep_candidates_.reset();
  items_.clear();
  reservations_.clear();
  orders_.clear();
  idempotency_.clear();
  due_on_.clear();
  swept_.reset();
}

Status BatchLocks::Lock(const LockPlan& plan, const PipelineRunner& run,
                        const std::function<Status()>& restart) {
  std::vector<std::string> extra_items;
  for (int pass = 1;; ++pass) {
    auto missing = LockOnce(plan, extra_items, run);
    if (!missing) return Fail(std::move(missing.error()));
    if (missing->empty()) break;
    // Locking these items now would take item locks after reservation locks
    // and break the global order; rare (a due hold on a named item that also
    // holds other items), so the lock phase starts over with them instead.
    // Past the last pass they are locked as loaded (a deadlock, if one ever
    // followed, is detected by the server and retried).
    if (pass == kMaxLockPasses) break;
    extra_items.insert(extra_items.end(), missing->begin(), missing->end());
    std::sort(extra_items.begin(), extra_items.end());
    extra_items.erase(std::unique(extra_items.begin(), extra_items.end()), extra_items.end());
    if (auto restarted = restart(); !restarted) return restarted;
  }
  if (!sweep_candidates_) return {};
  Result candidates = std::move(*sweep_candidates_);
  sweep_candidates_.reset();
  return ClaimDue(candidates, run);
}

Expected<std::vector<std::string>> BatchLocks::LockOnce(const LockPlan& plan,
                                                        const std::vector<std::string>& extra_items,
                                                        const PipelineRunner& run) {
  Clear();
  now_ms_ = plan.now_ms;
  const std::string item_ids = ArrayOf(plan.item_ids);
  std::vector<std::string> all_items = plan.item_ids;
  all_items.insert(all_items.end(), extra_items.begin(), extra_items.end());
  Pipeline pipeline;
  std::optional<std::size_t> items_at, reservations_at, due_at, orders_at, keys_at, sweep_at;
  if (!all_items.empty() || !plan.reservation_ids.empty() || !plan.order_ids.empty()) {
    items_at = pipeline.Add("lock_items",
                            Params()
                                .Add(ArrayOf(all_items))
                                .Add(ArrayOf(plan.reservation_ids))
                                .Add(ArrayOf(plan.order_ids)),
                            "Locking the batch's items");
  }
  if (!plan.item_ids.empty() || !plan.reservation_ids.empty()) {
    reservations_at =
        pipeline.Add("lock_reservations",
                     Params().Add(ArrayOf(plan.reservation_ids)).Add(item_ids).Add(plan.now_ms),
                     "Locking the batch's reservations");
  }
  if (!plan.item_ids.empty()) {
    due_at = pipeline.Add("due_on_items", Params().Add(item_ids).Add(plan.now_ms),
                          "Finding due holds on the batch's items");
  }
  if (!plan.order_ids.empty()) {
    orders_at = pipeline.Add("lock_orders", Params().Add(ArrayOf(plan.order_ids)),
                             "Locking the batch's orders");
  }
  if (!plan.idempotency_keys.empty()) keys_at = AddIdempotency(plan.idempotency_keys, pipeline);
  if (plan.sweep_limit > 0) {
    const std::size_t limit = std::min<std::size_t>(plan.sweep_limit, kMaxSweep);
    sweep_at = pipeline.Add("due_candidates",
                            Params().Add(plan.now_ms).Add(static_cast<std::int64_t>(limit)),
                            "Finding due reservations");
  }
  if (pipeline.empty()) return std::vector<std::string>{};

  auto results = run(std::move(pipeline));
  if (!results) return Fail(std::move(results.error()));
  if (items_at) {
    KeepItems((*results)[*items_at]);
    // Named items that are not stored are known to be absent.
    for (const std::string& id : plan.item_ids) items_.try_emplace(id, std::nullopt);
  }
  if (reservations_at) {
    if (auto kept = KeepReservations((*results)[*reservations_at]); !kept) {
      return Fail(std::move(kept.error()));
    }
    for (const std::string& id : plan.reservation_ids) reservations_.try_emplace(id, std::nullopt);
  }
  if (due_at) {
    for (const std::string& id : plan.item_ids) due_on_[id];  // none due is an answer too
    const Result& due = (*results)[*due_at];
    for (int row = 0; row < due.rows(); ++row) {
      due_on_[due.Text(row, 0)].push_back(due.Text(row, 1));
    }
  }
  if (orders_at) {
    auto orders = OrdersIn((*results)[*orders_at]);
    if (!orders) return Fail(std::move(orders.error()));
    for (Order& order : *orders) Remember(std::move(order));
    for (const std::string& id : plan.order_ids) orders_.try_emplace(id, std::nullopt);
  }
  if (keys_at) KeepIdempotency((*results)[*keys_at], plan.idempotency_keys);
  if (sweep_at) sweep_candidates_ = std::move((*results)[*sweep_at]);
  return UnlockedItems();
}

Status BatchLocks::FetchIdempotency(const std::vector<IdempotencyKeyId>& keys,
                                    const PipelineRunner& run) {
  std::vector<IdempotencyKeyId> missing;
  for (const IdempotencyKeyId& key : keys) {
    if (!idempotency_.contains(key)) missing.push_back(key);
  }
  if (missing.empty()) return {};
  Pipeline pipeline;
  AddIdempotency(missing, pipeline);
  auto results = run(std::move(pipeline));
  if (!results) return Fail(std::move(results.error()));
  KeepIdempotency(results->front(), missing);
  return {};
}

std::size_t BatchLocks::AddIdempotency(const std::vector<IdempotencyKeyId>& keys,
                                       Pipeline& pipeline) {
  ArrayBuilder principals, names;
  for (const auto& [principal, key] : keys) {
    principals.Add(principal);
    names.Add(key);
  }
  return pipeline.Add("idempotency_many", Params().Add(principals.Take()).Add(names.Take()),
                      "Loading idempotency records");
}

void BatchLocks::KeepIdempotency(const Result& result, const std::vector<IdempotencyKeyId>& keys) {
  for (int row = 0; row < result.rows(); ++row) {
    idempotency_[{result.Text(row, 0), result.Text(row, 1)}] =
        IdempotencyRecord{result.Text(row, 0), result.Text(row, 1),
                          result.Text(row, 2), static_cast<int>(result.Int(row, 3)),
                          result.Text(row, 4), result.Int(row, 5)};
  }
  // Not stored is an answer too.
  for (const IdempotencyKeyId& key : keys) idempotency_.try_emplace(key, std::nullopt);
}

// Items on the lines of locked reservations that are not locked themselves.
std::vector<std::string> BatchLocks::UnlockedItems() const {
  std::set<std::string> missing;
  for (const auto& [id, reservation] : reservations_) {
    if (!reservation) continue;
    for (const Line& line : reservation->lines) {
      const std::optional<Item>* item = FindItem(line.item_id);
      if (item == nullptr || !item->has_value()) missing.insert(line.item_id);
    }
  }
  return std::vector<std::string>(missing.begin(), missing.end());
}

Status BatchLocks::ClaimDue(const Result& candidates, const PipelineRunner& run) {
  // Candidates in expiry order, each with the items of its holds.
  std::vector<std::pair<std::string, std::vector<std::string>>> due;
  std::set<std::string> wanted_items;
  for (int row = 0; row < candidates.rows(); ++row) {
    if (due.empty() || due.back().first != candidates.View(row, 0)) {
      due.emplace_back(candidates.Text(row, 0), std::vector<std::string>{});
    }
    std::string item = candidates.Text(row, 1);
    if (!items_.contains(item)) wanted_items.insert(item);
    due.back().second.push_back(std::move(item));
  }
  swept_.emplace();
  if (due.empty()) return {};
  if (!wanted_items.empty()) {
    Pipeline items;
    items.Add("lock_items_skip", Params().Add(ArrayOf(wanted_items)), "Locking items to sweep");
    auto locked = run(std::move(items));
    if (!locked) return Fail(std::move(locked.error()));
    KeepItems(locked->front());
  }
  std::vector<std::string> claimable;
  for (const auto& [id, items] : due) {
    const bool all_locked = std::all_of(items.begin(), items.end(), [&](const std::string& item) {
      auto it = items_.find(item);
      return it != items_.end() && it->second.has_value();
    });
    if (all_locked) claimable.push_back(id);
  }
  if (claimable.empty()) return {};
  std::vector<std::string> sorted = claimable;
  std::sort(sorted.begin(), sorted.end());
  Pipeline rows;
  rows.Add("lock_reservations_skip", Params().Add(ArrayOf(sorted)), "Locking due reservations");
  auto locked = run(std::move(rows));
  if (!locked) return Fail(std::move(locked.error()));
  auto reservations = ReservationsIn(locked->front());
  if (!reservations) return Fail(std::move(reservations.error()));
  std::set<std::string> claimed;
  for (Reservation& r : *reservations) {
    claimed.insert(r.id);
    Remember(std::move(r));
  }
  for (const std::string& id : claimable) {
    if (claimed.contains(id)) swept_->push_back(id);
  }
  return {};
}

void BatchLocks::KeepItems(const Result& result) {
  for (int row = 0; row < result.rows(); ++row) Remember(ItemAt(result, row));
}

Status BatchLocks::KeepReservations(const Result& result) {
  auto reservations = ReservationsIn(result);
  if (!reservations) return Fail(std::move(reservations.error()));
  for (Reservation& r : *reservations) Remember(std::move(r));
  return {};
}

const std::optional<Item>* BatchLocks::FindItem(std::string_view id) const {
  auto it = items_.find(id);
  return it == items_.end() ? nullptr : &it->second;
}

const std::optional<Reservation>* BatchLocks::FindReservation(std::string_view id) const {
  auto it = reservations_.find(id);
  return it == reservations_.end() ? nullptr : &it->second;
}

const std::optional<Order>* BatchLocks::FindOrder(std::string_view id) const {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

const std::optional<IdempotencyRecord>* BatchLocks::FindIdempotency(std::string_view principal,
                                                                    std::string_view key) const {
  auto it = idempotency_.find(std::pair<std::string, std::string>(principal, key));
  return it == idempotency_.end() ? nullptr : &it->second;
}

const std::vector<std::string>* BatchLocks::DueOn(std::string_view item_id,
                                                  std::int64_t now_ms) const {
  if (now_ms != now_ms_) return nullptr;
  auto it = due_on_.find(item_id);
  return it == due_on_.end() ? nullptr : &it->second;
}

bool BatchLocks::ItemWasAbsent(std::string_view id) const {
  auto it = items_.find(id);
  return it != items_.end() && !it->second.has_value();
}

}  // namespace allot::pg
