// Holds with expiry: reserve, confirm into an order, cancel, expire.
#include "domain/decisions.h"
#include "domain/holds.h"
#include "domain/draw.h"
#include "domain/waitlist.h"

namespace allot::domain {
namespace {

Expected<Reservation*> FindReservationOr404(WorkingSet& ws, const std::string& id) {
  // The hold of a held transfer is a reservation, but only the transfer's
  // own commands may end it: as a reservation it does not exist.
  if (IsTransferId(id)) return Fail(NotFound("reservation", id));
  // Nor may anyone end the hold that sets a draw's units aside but the draw.
  if (IsDrawHoldId(id)) return Fail(NotFound("reservation", id));
  auto found = ws.FindReservation(id);
  if (!found) return found;
  if (*found == nullptr) return Fail(NotFound("reservation", id));
  return found;
}

Error Expired(const Reservation& r) {
  Error e{ErrorCode::kReservationExpired,
          "Reservation '" + r.id +
              "' expired before it was "
              "confirmed.",
          {}};
  e.With("reservationId", r.id);
  return e;
}

Error WrongState(const Reservation& r, std::string_view action) {
  Error e{ErrorCode::kInvalidState,
          "Reservation '" + r.id + "' is " + std::string(ToString(r.status)) + " and cannot be " +
              std::string(action) + ".",
          {}};
  e.With("status", std::string(ToString(r.status)));
  return e;
}

// Expires `r` if it is held but past its expiry. True when it did.
Expected<bool> ExpireIfDue(WorkingSet& ws, Reservation& r, const Context& ctx) {
  if (r.status != ReservationStatus::kHeld || r.expires_at_ms > ctx.now_ms) return false;
  if (auto ended = EndHold(ws, r, ReservationStatus::kExpired, ctx); !ended) {
    return std::unexpected(ended.error());
  }
  return true;
}

// The held units of a confirmed reservation become sold units.
Status SellHeldUnits(WorkingSet& ws, const Reservation& r, const Order& order, const Context& ctx) {
  for (const Line& line : SumPerItem(r.lines)) {
    auto found = ws.FindItem(line.item_id);
    if (!found) return std::unexpected(found.error());
    if (*found == nullptr) return Fail(Unavailable("Held item '" + line.item_id + "' is gone."));
    Item& item = **found;
    item.held -= line.qty;
    item.on_hand -= line.qty;
    item.sold += line.qty;
    ws.Changed(item);
    auto usage = CappedUsage(ws, item, r.user_id);
    if (!usage) return std::unexpected(usage.error());
    if (*usage != nullptr) {
      (*usage)->held = std::max<std::int64_t>(0, (*usage)->held - line.qty);
      (*usage)->bought += line.qty;
      ws.Changed(**usage);
    }
    ws.Move(item, LedgerKind::kConfirm, -line.qty, -line.qty, line.qty);
  }
  return {};
}

}  // namespace

CommandResult DecideReserve(const Reserve& c, WorkingSet& ws, const Context& ctx) {
  auto claims = ClaimLines(ws, SumPerItem(c.lines), c.user_id, ctx);
  if (!claims) return std::unexpected(claims.error());
  Reservation& r =
      ws.AddReservation(Reservation{.id = ctx.ids->NewReservationId(),
                                    .user_id = c.user_id,
                                    .owner = ctx.principal,
                                    .status = ReservationStatus::kHeld,
                                    .lines = c.lines,
                                    .created_at_ms = ctx.now_ms,
                                    .expires_at_ms = ctx.now_ms + c.ttl_seconds * 1000});
  for (Claim& claim : *claims) {
    claim.item->held += claim.qty;
    ws.Changed(*claim.item);
    if (claim.usage != nullptr) {
      claim.usage->held += claim.qty;
      ws.Changed(*claim.usage);
    }
    ws.Move(*claim.item, LedgerKind::kReserve, 0, claim.qty, 0);
  }
  ws.Record(ChangeType::kReservationCreated, r);
  return Outcome{r, true};
}

CommandResult DecideConfirm(const ConfirmReservation& c, WorkingSet& ws, const Context& ctx) {
  auto found = FindReservationOr404(ws, c.id);
  if (!found) return std::unexpected(found.error());
  Reservation& r = **found;
  if (auto owned = RequireOwner(ctx, r.owner, "reservation", r.id); !owned) {
    return std::unexpected(owned.error());
  }
  if (r.status == ReservationStatus::kConfirmed) {
    // Confirming twice answers with what the first confirm made.
    auto order = ws.FindOrder(r.order_id.value_or(""));
    if (!order) return std::unexpected(order.error());
    if (*order == nullptr)
      return Fail(Unavailable("The order of a confirmed reservation is gone."));
    return Outcome{Confirmation{r, **order}, false};
  }
  if (r.status == ReservationStatus::kCancelled) return Fail(WrongState(r, "confirmed"));
  auto expired = ExpireIfDue(ws, r, ctx);
  if (!expired) return std::unexpected(expired.error());
  if (r.status == ReservationStatus::kExpired) return Fail(Expired(r));

  Order& order = ws.AddOrder(Order{.id = ctx.ids->NewOrderId(),
                                   .user_id = r.user_id,
                                   .owner = r.owner,
                                   .status = OrderStatus::kPlaced,
                                   .lines = r.lines,
                                   .created_at_ms = ctx.now_ms,
                                   .reservation_id = r.id,
                                   .payment_ref = c.payment_ref});
  if (auto sold = SellHeldUnits(ws, r, order, ctx); !sold) return std::unexpected(sold.error());
  r.status = ReservationStatus::kConfirmed;
  r.confirmed_at_ms = ctx.now_ms;
  r.order_id = order.id;
  ws.Changed(r);
  ws.Record(ChangeType::kReservationConfirmed, r);
  ws.Record(ChangeType::kOrderPlaced, order);
  if (auto settled = SettleOffer(ws, r, ReservationStatus::kConfirmed); !settled) {
    return std::unexpected(settled.error());
  }
  return Outcome{Confirmation{r, order}, false};
}

CommandResult DecideCancelReservation(const CancelReservation& c, WorkingSet& ws,
                                      const Context& ctx) {
  auto found = FindReservationOr404(ws, c.id);
  if (!found) return std::unexpected(found.error());
  Reservation& r = **found;
  if (auto owned = RequireOwner(ctx, r.owner, "reservation", r.id); !owned) {
    return std::unexpected(owned.error());
  }
  if (r.status == ReservationStatus::kConfirmed) return Fail(WrongState(r, "cancelled"));
  auto expired = ExpireIfDue(ws, r, ctx);
  if (!expired) return std::unexpected(expired.error());
  if (r.status == ReservationStatus::kHeld) {
    if (auto ended = EndHold(ws, r, ReservationStatus::kCancelled, ctx); !ended) {
      return std::unexpected(ended.error());
    }
  }
  // Cancelling a cancelled or expired reservation returns it as it is.
  return Outcome{r, false};
}

CommandResult DecideExtend(const ExtendReservation& c, WorkingSet& ws, const Context& ctx) {
  auto found = FindReservationOr404(ws, c.id);
  if (!found) return std::unexpected(found.error());
  Reservation& r = **found;
  if (auto owned = RequireOwner(ctx, r.owner, "reservation", r.id); !owned) {
    return std::unexpected(owned.error());
  }
  if (r.status == ReservationStatus::kConfirmed || r.status == ReservationStatus::kCancelled) {
    return Fail(WrongState(r, "extended"));
  }
  // A hold past its expiry is over: it is expired here (as a confirm would)
  // and cannot come back.
  auto expired = ExpireIfDue(ws, r, ctx);
  if (!expired) return std::unexpected(expired.error());
  if (r.status == ReservationStatus::kExpired) {
    Error e = Expired(r);
    e.message = "Reservation '" + r.id + "' expired before it was extended.";
    return Fail(std::move(e));
  }
  const std::int64_t expires_at_ms = ctx.now_ms + c.ttl_seconds * 1000;
  if (expires_at_ms - r.created_at_ms > kMaxHoldMs) {
    return Fail(InvalidField("ttlSeconds", "A reservation may be held at most 604800 seconds "
                                           "after it was created."));
  }
  r.expires_at_ms = expires_at_ms;
  ws.Changed(r);
  ws.Record(ChangeType::kReservationExtended, r);
  return Outcome{r, false};
}

CommandResult DecideExpireDue(const ExpireDue& c, WorkingSet& ws, const Context& ctx) {
  auto due = ws.DueReservations(ctx.now_ms, c.limit);
  if (!due) return std::unexpected(due.error());
  ExpirySummary summary;
  for (const std::string& id : *due) {
    auto found = ws.FindReservation(id);
    if (!found) return std::unexpected(found.error());
    if (*found == nullptr) continue;
    auto expired = ExpireIfDue(ws, **found, ctx);
    if (!expired) return std::unexpected(expired.error());
    if (*expired) ++summary.expired;
  }
  // Draws whose closesAt has come run with the sweep.
  if (auto ran = RunDueDraws(ws, ctx, c.limit); !ran) return std::unexpected(ran.error());
  return Outcome{summary, false};
}

}  // namespace allot::domain
