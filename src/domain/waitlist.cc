#include "domain/waitlist.h"

#include "domain/holds.h"

namespace allot::domain {
namespace {

// An entry leaves the queue (offered or lapsed): one fewer waits.
void LeaveQueue(WorkingSet& ws, Item& item, WaitlistEntry& entry, WaitlistStatus status) {
  entry.status = status;
  entry.position.reset();
  --item.waiting;
  ws.Changed(item);
  ws.Changed(entry);
}

Status Offer(WorkingSet& ws, Item& item, WaitlistEntry& entry, UserUsage* usage,
             const Context& ctx) {
  Reservation& r = ws.AddReservation(
      Reservation{.id = ctx.ids->NewReservationId(),
                  .user_id = entry.user_id,
                  .owner = entry.owner,
                  .status = ReservationStatus::kHeld,
                  .lines = {Line{item.id, entry.qty}},
                  .created_at_ms = ctx.now_ms,
                  .expires_at_ms = ctx.now_ms + entry.offer_ttl_seconds * 1000});
  item.held += entry.qty;
  if (usage != nullptr) {
    usage->held += entry.qty;
    ws.Changed(*usage);
  }
  ws.Move(item, LedgerKind::kReserve, 0, entry.qty, 0);
  ws.Record(ChangeType::kReservationCreated, r);
  entry.reservation_id = r.id;
  LeaveQueue(ws, item, entry, WaitlistStatus::kOffered);
  ws.Record(ChangeType::kWaitlistOffered, entry);
  return {};
}

}  // namespace

Status ServeWaitlist(WorkingSet& ws, Item& item, const Context& ctx) {
  // Entries before `after` are no longer waiting (this loop served them).
  std::int64_t after = 0;
  while (item.waiting > 0) {
    auto next = ws.NextWaiting(item.id, after);
    if (!next) return std::unexpected(next.error());
    if (*next == nullptr) {
      // The count says someone waits and no entry does: refuse the batch
      // rather than hand units to the public on a guess.
      return Fail(Unavailable("Stored state is inconsistent: item '" + item.id + "' counts " +
                              std::to_string(item.waiting) + " waiting entries, none found."));
    }
    WaitlistEntry& entry = **next;
    after = entry.ticket;
    if (entry.qty > item.on_hand - item.held) break;  // strict order: it stays first
    auto usage = CappedUsage(ws, item, entry.user_id);
    if (!usage) return std::unexpected(usage.error());
    UserUsage* u = *usage;
    if (u != nullptr && u->held + u->bought + entry.qty > *item.max_per_user) {
      LeaveQueue(ws, item, entry, WaitlistStatus::kLapsed);
      ws.Record(ChangeType::kWaitlistLapsed, entry);
      continue;
    }
    if (auto offered = Offer(ws, item, entry, u, ctx); !offered) return offered;
  }
  return {};
}

Status SettleOffer(WorkingSet& ws, const Reservation& reservation, ReservationStatus end) {
  bool listed = false;
  for (const Line& line : reservation.lines) {
    auto item = ws.FindItem(line.item_id);
    if (!item) return std::unexpected(item.error());
    if (*item != nullptr && (*item)->tickets > 0) listed = true;
  }
  if (!listed) return {};
  auto found = ws.WaitlistOffer(reservation.id);
  if (!found) return std::unexpected(found.error());
  WaitlistEntry* entry = *found;
  if (entry == nullptr || entry->status != WaitlistStatus::kOffered) return {};
  ws.Changed(*entry);
  if (end == ReservationStatus::kConfirmed) {
    // The contract has no change type for it: the confirm's own
    // reservation.confirmed is the step the feed shows.
    entry->status = WaitlistStatus::kFulfilled;
    return {};
  }
  entry->status = WaitlistStatus::kLapsed;
  ws.Record(ChangeType::kWaitlistLapsed, *entry);
  return {};
}

}  // namespace allot::domain
