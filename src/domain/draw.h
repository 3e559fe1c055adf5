// Running a draw (a fair drop): internal to the domain. The rank rule is
// domain/draw_order.h; this applies its result to the state.
#ifndef ALLOT_DOMAIN_DRAW_H_
#define ALLOT_DOMAIN_DRAW_H_

#include "allot/error.h"
#include "allot/model.h"
#include "domain/rules.h"
#include "domain/working_set.h"

namespace allot::domain {

// Runs an open draw whose item the batch holds: its set-aside units are
// released to it alone, each entry in rank order whose whole qty still
// fits gets an offer (a held reservation, the draw's offerTtlSeconds), the
// others join the item's waiting list in rank order (one already on it
// keeps its place), and the draw becomes kDrawn with its seed published.
// Then units no winner took go to the waiting list as any freed unit does.
Status RunOpenDraw(WorkingSet& ws, Draw& draw, const Context& ctx);

// Runs every open draw whose closesAt has come (at most `limit`), each
// after its item is locked. Part of every expiry sweep.
Status RunDueDraws(WorkingSet& ws, const Context& ctx, std::size_t limit);

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_DRAW_H_
