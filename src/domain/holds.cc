#include "domain/holds.h"

#include <algorithm>

#include "domain/waitlist.h"

namespace allot::domain {
namespace {

Error InconsistentState(std::string what) {
  // A stored row points at a row that is not there. The schema's foreign keys
  // prevent this; if it ever happens, refuse the batch rather than guess.
  return Unavailable("Stored state is inconsistent: " + what + ".");
}

// The 404 for a line whose item does not exist: the item, or for a seat
// line the event, or the seat of an event that exists.
Error Missing(WorkingSet& ws, const std::string& item_id) {
  auto seat = SeatOfItem(item_id);
  if (!seat) return NotFound("item", item_id);
  auto event = ws.FindEvent(seat->event_id);
  if (!event) return event.error();
  if (*event == nullptr) return NotFound("event", seat->event_id);
  Error e = NotFound("seat", seat->seat);
  e.With("eventId", seat->event_id);
  return e;
}

}  // namespace

std::vector<Line> SumPerItem(const std::vector<Line>& lines) {
  std::vector<Line> summed;
  for (const Line& line : lines) {
    auto it = std::find_if(summed.begin(), summed.end(),
                           [&](const Line& s) { return s.item_id == line.item_id; });
    if (it == summed.end()) {
      summed.push_back(line);
    } else {
      it->qty += line.qty;
    }
  }
  return summed;
}

Expected<UserUsage*> CappedUsage(WorkingSet& ws, const Item& item, std::string_view user_id) {
  if (!item.max_per_user) return nullptr;
  return ws.Usage(user_id, item.id);
}

Status EndHold(WorkingSet& ws, Reservation& reservation, ReservationStatus end,
               const Context& ctx) {
  const LedgerKind kind =
      end == ReservationStatus::kExpired ? LedgerKind::kExpire : LedgerKind::kRelease;
  for (const Line& line : SumPerItem(reservation.lines)) {
    auto item = ws.FindItem(line.item_id);
    if (!item) return std::unexpected(item.error());
    if (*item == nullptr) return Fail(InconsistentState("held item " + line.item_id));
    Item& it = **item;
    it.held -= line.qty;
    ws.Changed(it);
    auto usage = CappedUsage(ws, it, reservation.user_id);
    if (!usage) return std::unexpected(usage.error());
    if (*usage != nullptr) {
      (*usage)->held = std::max<std::int64_t>(0, (*usage)->held - line.qty);
      ws.Changed(**usage);
    }
    ws.Move(it, kind, 0, -line.qty, 0);
  }
  reservation.status = end;
  reservation.released_at_ms = ctx.now_ms;
  ws.Changed(reservation);
  const bool expired = end == ReservationStatus::kExpired;
  // The hold of a held transfer: however it ended (cancel, expiry found by a
  // sweep or by another command using the account), the transfer ends too,
  // and the change is the transfer's: to clients its hold is no reservation.
  if (IsTransferId(reservation.id)) {
    auto transfer = ws.FindTransfer(reservation.id);
    if (!transfer) return std::unexpected(transfer.error());
    if (*transfer == nullptr) return Fail(InconsistentState("transfer " + reservation.id));
    Transfer& t = **transfer;
    t.status = expired ? TransferStatus::kExpired : TransferStatus::kCancelled;
    t.released_at_ms = ctx.now_ms;
    ws.Changed(t);
    ws.Record(expired ? ChangeType::kTransferExpired : ChangeType::kTransferCancelled, t);
    return {};
  }
  ws.Record(expired ? ChangeType::kReservationExpired : ChangeType::kReservationCancelled,
            reservation);
  // Freed units go to the waiting lists first, in this same batch; a lapsed
  // offer's units pass on to the next entries.
  if (auto settled = SettleOffer(ws, reservation, end); !settled) return settled;
  for (const Line& line : reservation.lines) {
    auto item = ws.FindItem(line.item_id);
    if (!item) return std::unexpected(item.error());
    if (*item == nullptr) continue;
    if (auto served = ServeWaitlist(ws, **item, ctx); !served) return served;
  }
  return {};
}

Expected<Item*> LoadLiveItem(WorkingSet& ws, std::string_view id, const Context& ctx) {
  auto item = ws.FindItem(id);
  if (!item || *item == nullptr) return item;
  auto due = ws.DueOnItemOnce(id, ctx.now_ms);
  if (!due) return std::unexpected(due.error());
  for (const std::string& reservation_id : *due) {
    auto found = ws.FindReservation(reservation_id);
    if (!found) return std::unexpected(found.error());
    Reservation* r = *found;
    // An earlier command of this batch may have ended it already.
    if (r == nullptr || r->status != ReservationStatus::kHeld || r->expires_at_ms > ctx.now_ms) {
      continue;
    }
    if (auto ended = EndHold(ws, *r, ReservationStatus::kExpired, ctx); !ended) {
      return std::unexpected(ended.error());
    }
  }
  return item;
}

Expected<std::vector<Claim>> ClaimLines(WorkingSet& ws, const std::vector<Line>& summed,
                                        std::string_view user_id, const Context& ctx) {
  std::vector<Claim> claims;
  claims.reserve(summed.size());
  for (const Line& line : summed) {
    auto item = LoadLiveItem(ws, line.item_id, ctx);
    if (!item) return std::unexpected(item.error());
    if (*item == nullptr) return Fail(Missing(ws, line.item_id));
    claims.push_back(Claim{*item, line.qty, nullptr});
  }
  for (Claim& claim : claims) {
    const Item& item = *claim.item;
    if (claim.qty > item.available()) {
      if (auto seat = SeatOfItem(item.id)) {
        Error e{ErrorCode::kSeatUnavailable,
                "Seat '" + seat->seat + "' of event '" + seat->event_id + "' is not available.",
                {}};
        e.With("eventId", seat->event_id).With("seat", seat->seat);
        return Fail(std::move(e));
      }
      Error e{ErrorCode::kOutOfStock,
              "Item '" + item.id +
                  "' has fewer units available than "
                  "requested.",
              {}};
      e.With("itemId", item.id).With("requested", claim.qty).With("available", item.available());
      return Fail(std::move(e));
    }
    auto usage = CappedUsage(ws, item, user_id);
    if (!usage) return std::unexpected(usage.error());
    claim.usage = *usage;
    if (claim.usage != nullptr) {
      const std::int64_t already = claim.usage->held + claim.usage->bought;
      if (already + claim.qty > *item.max_per_user) {
        Error e{ErrorCode::kLimitExceeded,
                "User '" + std::string(user_id) + "' would pass the per-user limit of item '" +
                    item.id + "'.",
                {}};
        e.With("itemId", item.id).With("limit", *item.max_per_user).With("alreadyHeld", already);
        return Fail(std::move(e));
      }
    }
  }
  return claims;
}

}  // namespace allot::domain
