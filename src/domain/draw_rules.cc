// Opening a draw, entering it, and running it on demand (src/domain/draw.h
// runs it; the sweep runs due ones).
#include <algorithm>

#include "domain/decisions.h"
#include "domain/draw.h"
#include "domain/draw_order.h"
#include "domain/holds.h"

namespace allot::domain {
namespace {

// A year past closesAt: the set-aside hold ends when the draw runs (the
// sweep runs it at closesAt); its expiry is only a bound.
constexpr std::int64_t kDrawHoldMarginMs = 365LL * 24 * 3600 * 1000;

Error Closed(const Draw& draw) {
  Error e{ErrorCode::kDrawClosed,
          draw.status == DrawStatus::kDrawn
              ? "Draw '" + draw.id + "' has been drawn: it takes no more entries."
              : "Draw '" + draw.id + "' closed for entries at its closesAt.",
          {}};
  e.With("drawId", draw.id).With("status", std::string(ToString(draw.status)));
  return e;
}

// The draw as the journal may show it before it ran: without its seed.
Draw Unrevealed(const Draw& draw) {
  Draw shown = draw;
  shown.seed.clear();
  return shown;
}

}  // namespace

CommandResult DecideCreateDraw(const CreateDraw& c, WorkingSet& ws, const Context& ctx) {
  auto found = LoadLiveItem(ws, c.item_id, ctx);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("item", c.item_id));
  Item& item = **found;
  auto existing = ws.FindDraw(c.id);
  if (!existing) return std::unexpected(existing.error());
  if (const Draw* d = *existing) {
    // A repeated create is fine when it asks for the same thing (a retry).
    if (d->item_id == c.item_id && d->units == c.units && d->closes_at_ms == c.closes_at_ms &&
        d->offer_ttl_seconds == c.offer_ttl_seconds) {
      return Outcome{Unrevealed(*d), false};
    }
    Error e{ErrorCode::kAlreadyExists, "Draw '" + c.id + "' already exists with other attributes.",
            {}};
    e.With("resource", "draw").With("id", c.id);
    return Fail(std::move(e));
  }
  if (c.closes_at_ms <= ctx.now_ms) {
    return Fail(InvalidField("closesAt", "closesAt must be in the future."));
  }
  if (c.units > item.available()) {
    Error e{ErrorCode::kOutOfStock,
            "Item '" + item.id + "' has fewer units available than the draw sets aside.",
            {}};
    e.With("itemId", item.id).With("requested", c.units).With("available", item.available());
    return Fail(std::move(e));
  }
  Reservation& hold =
      ws.AddReservation(Reservation{.id = ctx.ids->NewDrawHoldId(),
                                    .user_id = "draw:" + c.id,
                                    .owner = ctx.principal,
                                    .status = ReservationStatus::kHeld,
                                    .lines = {Line{item.id, c.units}},
                                    .created_at_ms = ctx.now_ms,
                                    .expires_at_ms = c.closes_at_ms + kDrawHoldMarginMs});
  item.held += c.units;
  ws.Changed(item);
  ws.Move(item, LedgerKind::kReserve, 0, c.units, 0);
  ws.Record(ChangeType::kReservationCreated, hold);
  Draw& draw = ws.AddDraw(Draw{.id = c.id,
                               .item_id = item.id,
                               .owner = ctx.principal,
                               .units = c.units,
                               .closes_at_ms = c.closes_at_ms,
                               .offer_ttl_seconds = c.offer_ttl_seconds,
                               .status = DrawStatus::kOpen,
                               .seed = c.seed,
                               .seed_hash = SeedHash(c.seed),
                               .hold_id = hold.id,
                               .created_at_ms = ctx.now_ms});
  const Draw shown = Unrevealed(draw);
  ws.Record(ChangeType::kDrawCreated, shown);
  return Outcome{shown, true};
}

CommandResult DecideEnterDraw(const EnterDraw& c, WorkingSet& ws, const Context& ctx) {
  auto found = ws.FindDraw(c.draw_id);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("draw", c.draw_id));
  Draw& draw = **found;
  if (draw.status != DrawStatus::kOpen || ctx.now_ms >= draw.closes_at_ms) {
    return Fail(Closed(draw));
  }
  auto existing = ws.FindDrawEntry(draw.id, c.user_id);
  if (!existing) return std::unexpected(existing.error());
  if (*existing != nullptr) {
    Error e{ErrorCode::kAlreadyExists,
            "User '" + c.user_id + "' has entered draw '" + draw.id + "' already.",
            {}};
    e.With("resource", "draw").With("id", draw.id).With("userId", c.user_id);
    return Fail(std::move(e));
  }
  auto item = ws.FindItem(draw.item_id);
  if (!item) return std::unexpected(item.error());
  if (*item == nullptr) return Fail(Unavailable("The item of draw '" + draw.id + "' is gone."));
  auto usage = CappedUsage(ws, **item, c.user_id);
  if (!usage) return std::unexpected(usage.error());
  if (const UserUsage* u = *usage) {
    const std::int64_t already = u->held + u->bought;
    if (already + c.qty > *(*item)->max_per_user) {
      Error e{ErrorCode::kLimitExceeded,
              "User '" + c.user_id + "' would pass the per-user limit of item '" +
                  (*item)->id + "'.",
              {}};
      e.With("itemId", (*item)->id)
          .With("limit", *(*item)->max_per_user)
          .With("alreadyHeld", already);
      return Fail(std::move(e));
    }
  }
  ++draw.entries;
  ws.Changed(draw);
  DrawEntry& entry = ws.AddDrawEntry(DrawEntry{.draw_id = draw.id,
                                               .user_id = c.user_id,
                                               .owner = ctx.principal,
                                               .qty = c.qty,
                                               .number = draw.entries,
                                               .created_at_ms = ctx.now_ms});
  ws.Record(ChangeType::kDrawEntered, entry);
  return Outcome{entry, true};
}

CommandResult DecideRunDraw(const allot::RunDraw& c, WorkingSet& ws, const Context& ctx) {
  auto found = ws.FindDraw(c.id);
  if (!found) return std::unexpected(found.error());
  if (*found == nullptr) return Fail(NotFound("draw", c.id));
  Draw& draw = **found;
  if (draw.status == DrawStatus::kOpen) {
    if (auto ran = RunOpenDraw(ws, draw, ctx); !ran) return std::unexpected(ran.error());
    return Outcome{draw, false};
  }
  // Drawn already (by the sweep, another instance, or an earlier run): the
  // draw as it is, with its results.
  auto entries = ws.DrawEntries(draw.id);
  if (!entries) return std::unexpected(entries.error());
  Draw shown = draw;
  shown.results.clear();
  for (const DrawEntry* e : *entries) shown.results.push_back(*e);
  std::sort(shown.results.begin(), shown.results.end(),
            [](const DrawEntry& a, const DrawEntry& b) { return a.rank < b.rank; });
  return Outcome{std::move(shown), false};
}

}  // namespace allot::domain
