#include "domain/draw.h"

#include "domain/draw_order.h"
#include "domain/holds.h"
#include "domain/waitlist.h"

namespace allot::domain {
namespace {

// The set-aside units go back to the item without passing through the
// waiting list: they are the draw's to hand out first.
Status ReleaseSetAside(WorkingSet& ws, Item& item, Draw& draw, const Context& ctx) {
  auto found = ws.FindReservation(draw.hold_id);
  if (!found) return std::unexpected(found.error());
  Reservation* hold = *found;
  if (hold == nullptr || hold->status != ReservationStatus::kHeld) {
    return Fail(Unavailable("Stored state is inconsistent: the units of draw '" + draw.id +
                            "' are no longer set aside."));
  }
  item.held -= draw.units;
  ws.Changed(item);
  ws.Move(item, LedgerKind::kRelease, 0, -draw.units, 0);
  hold->status = ReservationStatus::kCancelled;
  hold->released_at_ms = ctx.now_ms;
  ws.Changed(*hold);
  ws.Record(ChangeType::kReservationCancelled, *hold);
  return {};
}

Status OfferTo(WorkingSet& ws, Item& item, const Draw& draw, DrawEntry& entry,
               const Context& ctx) {
  Reservation& r = ws.AddReservation(
      Reservation{.id = ctx.ids->NewReservationId(),
                  .user_id = entry.user_id,
                  .owner = entry.owner,
                  .status = ReservationStatus::kHeld,
                  .lines = {Line{item.id, entry.qty}},
                  .created_at_ms = ctx.now_ms,
                  .expires_at_ms = ctx.now_ms + draw.offer_ttl_seconds * 1000});
  item.held += entry.qty;
  ws.Changed(item);
  auto usage = CappedUsage(ws, item, entry.user_id);
  if (!usage) return std::unexpected(usage.error());
  if (*usage != nullptr) {
    (*usage)->held += entry.qty;
    ws.Changed(**usage);
  }
  ws.Move(item, LedgerKind::kReserve, 0, entry.qty, 0);
  ws.Record(ChangeType::kReservationCreated, r);
  entry.outcome = DrawOutcome::kOffered;
  entry.reservation_id = r.id;
  return {};
}

Status Waitlist(WorkingSet& ws, Item& item, const Draw& draw, DrawEntry& entry,
                const Context& ctx) {
  entry.outcome = DrawOutcome::kWaitlisted;
  auto active = ws.ActiveWaitlistEntry(item.id, entry.user_id);
  if (!active) return std::unexpected(active.error());
  if (*active != nullptr) return {};  // already queued: it keeps its place
  ++item.tickets;
  ++item.waiting;
  ws.Changed(item);
  WaitlistEntry& joined = ws.AddWaitlistEntry(WaitlistEntry{.id = ctx.ids->NewWaitlistId(),
                                                            .item_id = item.id,
                                                            .user_id = entry.user_id,
                                                            .owner = entry.owner,
                                                            .qty = entry.qty,
                                                            .offer_ttl_seconds =
                                                                draw.offer_ttl_seconds,
                                                            .status = WaitlistStatus::kWaiting,
                                                            .ticket = item.tickets,
                                                            .created_at_ms = ctx.now_ms,
                                                            .position = item.waiting});
  ws.Record(ChangeType::kWaitlistJoined, joined);
  return {};
}

}  // namespace

Status RunOpenDraw(WorkingSet& ws, Draw& draw, const Context& ctx) {
  auto found = LoadLiveItem(ws, draw.item_id, ctx);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(Unavailable("The item of draw '" + draw.id + "' is gone."));
  Item& item = **found;
  if (auto released = ReleaseSetAside(ws, item, draw, ctx); !released) return released;

  auto entries = ws.DrawEntries(draw.id);
  if (!entries) return std::unexpected(entries.error());
  std::vector<DrawEntrant> entrants;
  entrants.reserve(entries->size());
  for (const DrawEntry* e : *entries) entrants.push_back(DrawEntrant{e->user_id, e->qty});
  const DrawResult result = domain::RunDraw(draw.seed, entrants, draw.units);

  draw.results.clear();
  draw.results.reserve(result.ranked.size());
  for (std::size_t k = 0; k < result.ranked.size(); ++k) {
    DrawEntry& entry = *(*entries)[result.ranked[k]];
    entry.rank = static_cast<std::int64_t>(k + 1);
    Status placed = result.offered[k] ? OfferTo(ws, item, draw, entry, ctx)
                                      : Waitlist(ws, item, draw, entry, ctx);
    if (!placed) return placed;
    ws.Changed(entry);
    draw.results.push_back(entry);
  }
  draw.status = DrawStatus::kDrawn;
  draw.drawn_at_ms = ctx.now_ms;
  ws.Changed(draw);
  ws.Record(ChangeType::kDrawDrawn, draw);
  // Units no winner took are the item's again: the waiting list first.
  return ServeWaitlist(ws, item, ctx);
}

Status RunDueDraws(WorkingSet& ws, const Context& ctx, std::size_t limit) {
  auto due = ws.DueDraws(ctx.now_ms, limit);
  if (!due) return std::unexpected(due.error());
  for (const DueDraw& d : *due) {
    // The item first: where processes share the store, its lock orders this
    // run after any other that got there first, which the draw (loaded
    // only now) then shows as drawn.
    auto item = ws.FindItem(d.item_id);
    if (!item) return std::unexpected(item.error());
    auto draw = ws.FindDraw(d.id);
    if (!draw) return std::unexpected(draw.error());
    if (*draw == nullptr || (*draw)->status != DrawStatus::kOpen) continue;
    if (auto ran = RunOpenDraw(ws, **draw, ctx); !ran) return ran;
  }
  return {};
}

}  // namespace allot::domain
