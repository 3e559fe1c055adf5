// Which queued commands a batch may take in after its lock phase (Covers):
// only those whose every lock its plan already names.
#include <gtest/gtest.h>

#include "engine/lock_plan.h"

namespace allot {
namespace {

std::vector<PendingCommand> Batch(std::vector<CommandBody> bodies) {
  std::vector<PendingCommand> batch;
  for (CommandBody& body : bodies) batch.push_back(PendingCommand{Command{std::move(body)}, {}});
  return batch;
}

TEST(LockPlanTest, ACommandOnPlannedItemsIsCovered) {
  const LockPlan plan = PlanLocks(Batch({Reserve{"u", {{"b", 1}, {"a", 1}}}}), 0, 0);
  EXPECT_TRUE(Covers(plan, Command{Reserve{"v", {{"a", 2}}}}));
  EXPECT_TRUE(Covers(plan, Command{PlaceOrder{"v", {{"a", 1}, {"b", 1}}}}));
  EXPECT_TRUE(Covers(plan, Command{AdjustItem{"b", 5}}));
  EXPECT_FALSE(Covers(plan, Command{Reserve{"v", {{"a", 1}, {"c", 1}}}}));
  EXPECT_FALSE(Covers(plan, Command{CreateItem{.id = "c", .on_hand = 1}}));
}

TEST(LockPlanTest, ReservationsAndOrdersMustBeNamedByThePlan) {
  const LockPlan plan = PlanLocks(
      Batch({ConfirmReservation{"rsv_1"}, CancelOrder{"ord_1"}, Reserve{"u", {{"a", 1}}}}), 0, 0);
  EXPECT_TRUE(Covers(plan, Command{CancelReservation{"rsv_1"}}));
  EXPECT_TRUE(Covers(plan, Command{CancelOrder{"ord_1"}}));
  EXPECT_FALSE(Covers(plan, Command{ConfirmReservation{"rsv_2"}}));
  EXPECT_FALSE(Covers(plan, Command{CancelOrder{"ord_2"}}));
  // A held transfer's hold is a reservation of the same id.
  EXPECT_FALSE(Covers(plan, Command{ConfirmTransfer{"trf_1"}}));
}

TEST(LockPlanTest, AccountsAndSeatsAreItemsOfThePlan) {
  const LockPlan plan = PlanLocks(Batch({CreateTransfer{"x", "y", 5}}), 0, 0);
  EXPECT_TRUE(Covers(plan, Command{CreateTransfer{"y", "x", 1}}));
  EXPECT_FALSE(Covers(plan, Command{CreateTransfer{"x", "z", 1}}));
  const LockPlan seats = PlanLocks(Batch({CreateEvent{"gig", std::nullopt, {"A", "B"}}}), 0, 0);
  EXPECT_TRUE(Covers(seats, Command{Reserve{"u", {{SeatItemId("gig", "A"), 1}}}}));
  EXPECT_FALSE(Covers(seats, Command{Reserve{"u", {{SeatItemId("gig", "C"), 1}}}}));
}

// A sweep locks what it finds due, not what it names: it never joins.
TEST(LockPlanTest, ASweepIsNeverCovered) {
  const LockPlan plan = PlanLocks(Batch({Reserve{"u", {{"a", 1}}}}), 100, 0);
  EXPECT_FALSE(Covers(plan, Command{ExpireDue{10}}));
}

}  // namespace
}  // namespace allot
