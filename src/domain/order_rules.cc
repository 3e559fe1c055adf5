// Direct purchases without a hold, and their cancellation (a failed payment
// or a return puts the units back on hand).
#include "domain/decisions.h"
#include "domain/holds.h"
#include "domain/waitlist.h"

namespace allot::domain {

CommandResult DecidePlaceOrder(const PlaceOrder& c, WorkingSet& ws, const Context& ctx) {
  auto claims = ClaimLines(ws, SumPerItem(c.lines), c.user_id, ctx);
  if (!claims) return std::unexpected(claims.error());
  Order& order = ws.AddOrder(Order{.id = ctx.ids->NewOrderId(),
                                   .user_id = c.user_id,
                                   .owner = ctx.principal,
                                   .status = OrderStatus::kPlaced,
                                   .lines = c.lines,
                                   .created_at_ms = ctx.now_ms});
  for (Claim& claim : *claims) {
    claim.item->on_hand -= claim.qty;
    claim.item->sold += claim.qty;
    ws.Changed(*claim.item);
    if (claim.usage != nullptr) {
      claim.usage->bought += claim.qty;
      ws.Changed(*claim.usage);
    }
    ws.Move(*claim.item, LedgerKind::kOrder, -claim.qty, 0, claim.qty);
  }
  ws.Record(ChangeType::kOrderPlaced, order);
  return Outcome{order, true};
}

CommandResult DecideCancelOrder(const CancelOrder& c, WorkingSet& ws, const Context& ctx) {
  auto found = ws.FindOrder(c.id);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("order", c.id));
  Order& order = **found;
  if (auto owned = RequireOwner(ctx, order.owner, "order", order.id); !owned) {
    return std::unexpected(owned.error());
  }
  if (order.status == OrderStatus::kCancelled) return Outcome{order, false};
  for (const Line& line : SumPerItem(order.lines)) {
    auto item_found = ws.FindItem(line.item_id);
    if (!item_found) return std::unexpected(item_found.error());
    if (*item_found == nullptr) {
      return Fail(Unavailable("Ordered item '" + line.item_id + "' is gone."));
    }
    Item& item = **item_found;
    item.on_hand += line.qty;
    item.sold -= line.qty;
    ws.Changed(item);
    auto usage = CappedUsage(ws, item, order.user_id);
    if (!usage) return std::unexpected(usage.error());
    if (*usage != nullptr) {
      (*usage)->bought = std::max<std::int64_t>(0, (*usage)->bought - line.qty);
      ws.Changed(**usage);
    }
    ws.Move(item, LedgerKind::kReturn, line.qty, 0, -line.qty, c.reason.value_or(""));
  }
  order.status = OrderStatus::kCancelled;
  order.cancelled_at_ms = ctx.now_ms;
  order.cancel_reason = c.reason;
  ws.Changed(order);
  ws.Record(ChangeType::kOrderCancelled, order);
  // Returned units go to the waiting lists first, in this same batch.
  for (const Line& line : SumPerItem(order.lines)) {
    auto item = ws.FindItem(line.item_id);
    if (!item) return std::unexpected(item.error());
    if (*item == nullptr) continue;
    if (auto served = ServeWaitlist(ws, **item, ctx); !served) {
      return std::unexpected(served.error());
    }
  }
  return Outcome{order, false};
}

}  // namespace allot::domain
