// Joining and leaving an item's waiting list (see domain/waitlist.h for
// how entries are served).
#include "domain/decisions.h"
#include "domain/holds.h"
#include "domain/waitlist.h"

namespace allot::domain {
namespace {

Error AlreadyWaiting(const WaitlistEntry& entry) {
  Error e{ErrorCode::kAlreadyExists,
          "User '" + entry.user_id + "' is already on the waiting list of item '" +
              entry.item_id + "' (entry '" + entry.id + "', " +
              std::string(ToString(entry.status)) + ").",
          {}};
  e.With("resource", "waitlist").With("id", entry.id);
  return e;
}

Error OverCap(const Item& item, std::string_view user_id, std::int64_t already) {
  Error e{ErrorCode::kLimitExceeded,
          "User '" + std::string(user_id) + "' would pass the per-user limit of item '" +
              item.id + "'.",
          {}};
  e.With("itemId", item.id).With("limit", *item.max_per_user).With("alreadyHeld", already);
  return e;
}

}  // namespace

CommandResult DecideJoinWaitlist(const JoinWaitlist& c, WorkingSet& ws, const Context& ctx) {
  auto found = LoadLiveItem(ws, c.item_id, ctx);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("item", c.item_id));
  Item& item = **found;
  auto active = ws.ActiveWaitlistEntry(item.id, c.user_id);
  if (!active) return std::unexpected(active.error());
  if (*active != nullptr) return Fail(AlreadyWaiting(**active));
  // Offers count like holds against the cap, so an entry that could never
  // be offered is refused now rather than lapsing later.
  auto usage = CappedUsage(ws, item, c.user_id);
  if (!usage) return std::unexpected(usage.error());
  if (const UserUsage* u = *usage) {
    const std::int64_t already = u->held + u->bought;
    if (already + c.qty > *item.max_per_user) return Fail(OverCap(item, c.user_id, already));
  }
  ++item.tickets;
  ++item.waiting;
  ws.Changed(item);
  WaitlistEntry& entry = ws.AddWaitlistEntry(WaitlistEntry{.id = ctx.ids->NewWaitlistId(),
                                                           .item_id = item.id,
                                                           .user_id = c.user_id,
                                                           .owner = ctx.principal,
                                                           .qty = c.qty,
                                                           .offer_ttl_seconds = c.offer_ttl_seconds,
                                                           .status = WaitlistStatus::kWaiting,
                                                           .ticket = item.tickets,
                                                           .created_at_ms = ctx.now_ms,
                                                           .position = item.waiting});
  ws.Record(ChangeType::kWaitlistJoined, entry);
  // Free units nobody waited for may fit it at once; if not, from now on
  // they are withheld for the list.
  if (auto served = ServeWaitlist(ws, item, ctx); !served) return std::unexpected(served.error());
  WaitlistEntry answer = entry;
  // Everyone still waiting joined before it: it is last.
  answer.position = answer.status == WaitlistStatus::kWaiting
                        ? std::optional<std::int64_t>(item.waiting)
                        : std::nullopt;
  return Outcome{std::move(answer), true};
}

CommandResult DecideLeaveWaitlist(const LeaveWaitlist& c, WorkingSet& ws, const Context& ctx) {
  auto found = ws.FindWaitlistEntry(c.id);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("waitlist", c.id));
  WaitlistEntry& entry = **found;
  if (auto owned = RequireOwner(ctx, entry.owner, "waitlist", entry.id); !owned) {
    return std::unexpected(owned.error());
  }
  if (entry.status == WaitlistStatus::kFulfilled) {
    Error e{ErrorCode::kInvalidState,
            "Waiting-list entry '" + entry.id + "' is fulfilled: its offer was confirmed.",
            {}};
    e.With("status", "fulfilled");
    return Fail(std::move(e));
  }
  if (entry.status != WaitlistStatus::kWaiting && entry.status != WaitlistStatus::kOffered) {
    return Outcome{entry, false};  // left or lapsed already: as it is
  }
  auto item_found = LoadLiveItem(ws, entry.item_id, ctx);
  if (!item_found) return std::unexpected(item_found.error());
  if (*item_found == nullptr) {
    return Fail(Unavailable("The item of waiting-list entry '" + entry.id + "' is gone."));
  }
  Item& item = **item_found;
  // LoadLiveItem may have expired the entry's offer: it lapsed then.
  if (entry.status == WaitlistStatus::kLapsed) return Outcome{entry, false};
  const bool was_waiting = entry.status == WaitlistStatus::kWaiting;
  entry.status = WaitlistStatus::kLeft;
  entry.position.reset();
  ws.Changed(entry);
  if (was_waiting) {
    --item.waiting;
    ws.Changed(item);
  }
  ws.Record(ChangeType::kWaitlistLeft, entry);
  if (!was_waiting && entry.reservation_id) {
    // The open offer is cancelled; EndHold passes its units on.
    auto offer = ws.FindReservation(*entry.reservation_id);
    if (!offer) return std::unexpected(offer.error());
    if (*offer != nullptr && (*offer)->status == ReservationStatus::kHeld) {
      if (auto ended = EndHold(ws, **offer, ReservationStatus::kCancelled, ctx); !ended) {
        return std::unexpected(ended.error());
      }
    }
  }
  // The head may have left: the next one may fit, or nobody waits now.
  if (auto served = ServeWaitlist(ws, item, ctx); !served) return std::unexpected(served.error());
  return Outcome{entry, false};
}

}  // namespace allot::domain
