// Creating items and adjusting their stock.
#include "domain/decisions.h"
#include "domain/holds.h"
#include "domain/waitlist.h"

namespace allot::domain {

CommandResult DecideCreateItem(const CreateItem& c, WorkingSet& ws, const Context& ctx) {
  auto existing = LoadLiveItem(ws, c.id, ctx);
  if (!existing) return std::unexpected(existing.error());
  if (Item* item = *existing) {
    // A repeated create is fine when it asks for the same thing (a retry).
    if (item->name == c.name && item->max_per_user == c.max_per_user &&
        item->created_on_hand == c.on_hand) {
      return Outcome{*item, false};
    }
    Error e{ErrorCode::kAlreadyExists,
            "Item '" + c.id + "' already exists with different attributes.",
            {}};
    e.With("resource", "item").With("id", c.id);
    return Fail(std::move(e));
  }
  Item& item = ws.AddItem(Item{.id = c.id,
                               .name = c.name,
                               .on_hand = c.on_hand,
                               .max_per_user = c.max_per_user,
                               .created_on_hand = c.on_hand});
  ws.Move(item, LedgerKind::kCreate, c.on_hand, 0, 0);
  ws.Record(ChangeType::kItemCreated, item);
  return Outcome{item, true};
}

CommandResult DecideAdjustItem(const AdjustItem& c, WorkingSet& ws, const Context& ctx) {
  auto found = LoadLiveItem(ws, c.id, ctx);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("item", c.id));
  Item& item = **found;
  if (c.expected_on_hand && *c.expected_on_hand != item.on_hand) {
    // Compare-and-set: someone changed the stock since the client read it.
    Error e{ErrorCode::kPreconditionFailed,
            "Item '" + item.id + "' has onHand " + std::to_string(item.on_hand) + ", not the " +
                std::to_string(*c.expected_on_hand) + " the adjustment expected.",
            {}};
    e.With("field", "onHand").With("expected", *c.expected_on_hand).With("actual", item.on_hand);
    return Fail(std::move(e));
  }
  const std::int64_t on_hand = item.on_hand + c.delta;
  if (on_hand < item.held) {
    // Units under live holds cannot be taken away.
    Error e{ErrorCode::kOutOfStock,
            "Item '" + item.id + "' cannot lose more units than are available.",
            {}};
    e.With("itemId", item.id).With("requested", -c.delta).With("available", item.available());
    return Fail(std::move(e));
  }
  if (on_hand > kMaxOnHand) {
    return Fail(InvalidField("delta", "The adjustment would put more than 10^15 units on hand."));
  }
  item.on_hand = on_hand;
  ws.Changed(item);
  ws.Move(item, LedgerKind::kAdjust, c.delta, 0, 0, c.reason);
  ws.Record(ChangeType::kItemAdjusted, item);
  // Stock added goes to the waiting list first, in this same batch.
  if (auto served = ServeWaitlist(ws, item, ctx); !served) return std::unexpected(served.error());
  return Outcome{item, false};
}

}  // namespace allot::domain
