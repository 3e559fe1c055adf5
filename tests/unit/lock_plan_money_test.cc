// The lock plan of money and seat commands: accounts and seats join the
// items, so every batch locks them in the same ascending-id order.
#include <gtest/gtest.h>

#include "engine/lock_plan.h"

namespace allot {
namespace {

std::vector<PendingCommand> Batch(std::vector<CommandBody> bodies) {
  std::vector<PendingCommand> batch;
  for (CommandBody& body : bodies) batch.push_back(PendingCommand{Command{std::move(body)}, {}});
  return batch;
}

TEST(LockPlanMoneyTest, CrossingTransfersLockBothAccountsInOneOrder) {
  LockPlan plan =
      PlanLocks(Batch({CreateTransfer{"b", "a", 1}, CreateTransfer{"a", "b", 1}}), 0, 7);
  EXPECT_EQ(plan.item_ids, (std::vector<std::string>{AccountItemId("a"), AccountItemId("b")}));
  EXPECT_EQ(plan.now_ms, 7);
}

TEST(LockPlanMoneyTest, TransferSettlementNamesItsHold) {
  LockPlan plan = PlanLocks(Batch({ConfirmTransfer{"trf_2"}, CancelTransfer{"trf_1"}}), 0, 0);
  EXPECT_EQ(plan.reservation_ids, (std::vector<std::string>{"trf_1", "trf_2"}));
  EXPECT_TRUE(plan.item_ids.empty());  // the store adds the accounts
}

TEST(LockPlanMoneyTest, EventsAndSeatLinesNameSeatItems) {
  LockPlan plan =
      PlanLocks(Batch({CreateEvent{"gig", std::nullopt, {"B", "A"}}, CreateAccount{"acct", 5},
                       Reserve{"u", {Line{SeatItemId("gig", "A"), 1}, Line{"tee", 1}}}}),
                0, 0);
  EXPECT_EQ(plan.item_ids, (std::vector<std::string>{SeatItemId("gig", "A"), SeatItemId("gig", "B"),
                                                     AccountItemId("acct"), "tee"}));
}

}  // namespace
}  // namespace allot
