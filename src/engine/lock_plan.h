// The lock plan of a batch (see LockPlan in allot/store.h): what its
// commands name, computed before any of them is decided, so that a store
// shared by several processes can lock every row of the batch up front in
// one global order. Pure: reads nothing but the commands.
#ifndef ALLOT_ENGINE_LOCK_PLAN_H_
#define ALLOT_ENGINE_LOCK_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "allot/store.h"
#include "engine/batch_runner.h"

namespace allot {

// Items named by lines or ids, reservations and orders named by confirm and
// cancel, and the idempotency keys, each sorted and unique. `sweep_limit` > 0
// when the batch starts with an expiry sweep. The closure over stored rows
// (items of the named reservations and orders, items of due holds) is the
// locking store's part: it needs the database and is one query there.
LockPlan PlanLocks(std::span<const PendingCommand> batch, std::size_t sweep_limit,
                   std::int64_t now_ms);

// True when `command` would lock nothing that `plan` does not name: its
// items, reservations and orders are all in the plan, so the rows it can
// touch are within what a store closes that plan over. A batch whose plan's
// locks are held may then take it in after its lock phase (the newcomer's
// idempotency key aside: see Store::ExtendLocks). False for a sweep, and
// for a command the planner does not know (it locks as it loads).
bool Covers(const LockPlan& plan, const Command& command);

}  // namespace allot

#endif  // ALLOT_ENGINE_LOCK_PLAN_H_
