#include "engine/lock_plan.h"

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

namespace allot {
namespace {

template <typename T>
void SortUnique(std::vector<T>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// Adds what one command names to the plan.
struct Collect {
  LockPlan& plan;
  // Cleared by a command whose rows are not all named up front.
  bool complete = true;

  void Lines(const std::vector<Line>& lines) {
    for (const Line& line : lines) plan.item_ids.push_back(line.item_id);
  }
  void operator()(const CreateItem& c) { plan.item_ids.push_back(c.id); }
  void operator()(const AdjustItem& c) { plan.item_ids.push_back(c.id); }
  void operator()(const Reserve& c) { Lines(c.lines); }
  void operator()(const PlaceOrder& c) { Lines(c.lines); }
  void operator()(const ConfirmReservation& c) { plan.reservation_ids.push_back(c.id); }
  void operator()(const CancelReservation& c) { plan.reservation_ids.push_back(c.id); }
  void operator()(const ExtendReservation& c) { plan.reservation_ids.push_back(c.id); }
  void operator()(const CancelOrder& c) { plan.order_ids.push_back(c.id); }
  // Accounts and seats are items (see model.h): they join the item order.
  void operator()(const CreateAccount& c) { plan.item_ids.push_back(AccountItemId(c.id)); }
  void operator()(const CreateTransfer& c) {
    plan.item_ids.push_back(AccountItemId(c.from_id));
    plan.item_ids.push_back(AccountItemId(c.to_id));
  }
  // A held transfer's hold is the reservation with its id; the store adds
  // the destination account (LockPlan).
  void operator()(const ConfirmTransfer& c) { plan.reservation_ids.push_back(c.id); }
  void operator()(const CancelTransfer& c) { plan.reservation_ids.push_back(c.id); }
  void operator()(const CreateEvent& c) {
    for (const std::string& seat : c.seats) plan.item_ids.push_back(SeatItemId(c.id, seat));
  }
  void operator()(const ReplayWebhook& c) { plan.webhook_ids.push_back(c.id); }
  void operator()(const SetWebhookStatus& c) { plan.webhook_ids.push_back(c.id); }
  void operator()(const AdvanceWebhook& c) { plan.webhook_ids.push_back(c.id); }
  void operator()(const JoinWaitlist& c) { plan.item_ids.push_back(c.item_id); }
  // The store finds the entry's item and locks it with the items; a leave
  // never joins a batch that is under way (Covers cannot tell its item).
  void operator()(const LeaveWaitlist& c) {
    plan.waitlist_ids.push_back(c.id);
    complete = false;
  }
  void operator()(const CreateDraw& c) { plan.item_ids.push_back(c.item_id); }
  // The store finds a draw's item and locks it with the items.
  void operator()(const EnterDraw& c) {
    plan.draw_ids.push_back(c.draw_id);
    complete = false;
  }
  void operator()(const RunDraw& c) {
    plan.draw_ids.push_back(c.id);
    complete = false;
  }
  // What a sweep touches is found by the store (see LockPlan::sweep_limit).
  void operator()(const ExpireDue& c) {
    plan.sweep_limit = std::max(plan.sweep_limit, c.limit);
    complete = false;
  }
  // A command not listed here still works: its rows are locked as they are
  // loaded (correct, but two processes could then deadlock, which the
  // server detects and the engine retries). List it to make it lock first.
  template <typename Other>
  void operator()(const Other&) {
    complete = false;
  }
};

bool Includes(const std::vector<std::string>& sorted, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& id) {
    return std::binary_search(sorted.begin(), sorted.end(), id);
  });
}

}  // namespace

LockPlan PlanLocks(std::span<const PendingCommand> batch, std::size_t sweep_limit,
                   std::int64_t now_ms) {
  LockPlan plan;
  plan.now_ms = now_ms;
  plan.sweep_limit = sweep_limit;
  Collect collect{plan};  // an ExpireDue command may raise sweep_limit
  for (const PendingCommand& pending : batch) {
    const Command& command = pending.command;
    std::visit(collect, command.body);
    if (command.idempotency) {
      plan.idempotency_keys.emplace_back(command.principal, command.idempotency->key);
    }
  }
  SortUnique(plan.item_ids);
  SortUnique(plan.reservation_ids);
  SortUnique(plan.order_ids);
  SortUnique(plan.webhook_ids);
  SortUnique(plan.waitlist_ids);
  SortUnique(plan.draw_ids);
  SortUnique(plan.idempotency_keys);
  return plan;
}

bool Covers(const LockPlan& plan, const Command& command) {
  LockPlan own;
  Collect collect{own};
  std::visit(collect, command.body);
  return collect.complete && Includes(plan.item_ids, own.item_ids) &&
         Includes(plan.reservation_ids, own.reservation_ids) &&
         Includes(plan.order_ids, own.order_ids);
}

}  // namespace allot
