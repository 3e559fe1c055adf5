// The pure rules, one command at a time, over in-memory state.
#include <gtest/gtest.h>

#include "domain/rules.h"
#include "memory_state.h"
#include "rules_fixture.h"

namespace allot {
namespace {

// The shared fixture decides each command as a batch of its own and commits
// what it changed (refused commands included: expiring due holds is kept, as
// in the engine); Refused() also checks that a refusal changed nothing.
class DomainTest : public testing::RulesTest {
 protected:
  void CreateItem(const std::string& id, std::int64_t on_hand,
                  std::optional<std::int64_t> max_per_user = std::nullopt) {
    Ok<Item>(allot::CreateItem{.id = id, .on_hand = on_hand, .max_per_user = max_per_user});
  }
  Reservation Reserve(const std::string& user, std::vector<Line> lines, std::int64_t ttl = 600) {
    return Ok<Reservation>(allot::Reserve{user, std::move(lines), ttl});
  }
  const Item& ItemNow(const std::string& id) { return state_.items.at(id); }
};

TEST_F(DomainTest, CreateItemStartsWithItsStockAndALedgerRow) {
  CommandResult r = Run(allot::CreateItem{.id = "sku-1", .name = "Mug", .on_hand = 5});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->created);
  const Item& item = ItemNow("sku-1");
  EXPECT_EQ(item.on_hand, 5);
  EXPECT_EQ(item.held, 0);
  EXPECT_EQ(item.sold, 0);
  EXPECT_EQ(item.name, "Mug");
  ASSERT_EQ(state_.ledger.size(), 1u);
  EXPECT_EQ(state_.ledger[0].kind, LedgerKind::kCreate);
  EXPECT_EQ(state_.ledger[0].on_hand_delta, 5);
}

TEST_F(DomainTest, RepeatedIdenticalCreateIsNotNewAndDifferentOneIsRefused) {
  CreateItem("sku-1", 5);
  CommandResult again = Run(allot::CreateItem{.id = "sku-1", .on_hand = 5});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  Error e = Refused(allot::CreateItem{.id = "sku-1", .on_hand = 6}, ErrorCode::kAlreadyExists);
  EXPECT_EQ(TextDetail(e, "id"), "sku-1");
  Refused(allot::CreateItem{.id = "sku-1", .name = "x", .on_hand = 5}, ErrorCode::kAlreadyExists);
  Refused(allot::CreateItem{.id = "sku-1", .on_hand = 5, .max_per_user = 1},
          ErrorCode::kAlreadyExists);
}

TEST_F(DomainTest, IdenticalCreateStillMatchesAfterStockMoved) {
  CreateItem("sku-1", 5);
  Reserve("u1", {{"sku-1", 2}});
  CommandResult again = Run(allot::CreateItem{.id = "sku-1", .on_hand = 5});
  ASSERT_TRUE(again);
  EXPECT_EQ(std::get<Item>(again->value).held, 2);
}

TEST_F(DomainTest, AdjustmentsMoveOnHandButNeverBelowHeld) {
  CreateItem("sku-1", 5);
  Reserve("u1", {{"sku-1", 3}});
  EXPECT_EQ(Ok<Item>(AdjustItem{"sku-1", 4, "restock"}).on_hand, 9);
  EXPECT_EQ(Ok<Item>(AdjustItem{"sku-1", -6, "damaged"}).on_hand, 3);
  Error e = Refused(AdjustItem{"sku-1", -1, "lost"}, ErrorCode::kOutOfStock);
  EXPECT_EQ(TextDetail(e, "itemId"), "sku-1");
  EXPECT_EQ(IntDetail(e, "requested"), 1);
  EXPECT_EQ(IntDetail(e, "available"), 0);
  Refused(AdjustItem{"nope", 1, "x"}, ErrorCode::kNotFound);
  EXPECT_EQ(state_.ledger.back().reason, "damaged");
}

TEST_F(DomainTest, AdjustmentCannotPassTheOnHandCeiling) {
  CreateItem("sku-1", 1'000'000'000);
  Item item = ItemNow("sku-1");
  item.on_hand = domain::kMaxOnHand;
  state_.items["sku-1"] = item;
  Error e = Refused(AdjustItem{"sku-1", 1, "x"}, ErrorCode::kInvalidRequest);
  EXPECT_EQ(TextDetail(e, "field"), "delta");
}

TEST_F(DomainTest, SeedScenarioThreeInStockTwoReservesOfTwo) {
  CreateItem("sku-1", 3);
  Reserve("alice", {{"sku-1", 2}});
  Error e = Refused(allot::Reserve{"bob", {{"sku-1", 2}}, 600}, ErrorCode::kOutOfStock);
  EXPECT_EQ(IntDetail(e, "requested"), 2);
  EXPECT_EQ(IntDetail(e, "available"), 1);
  EXPECT_EQ(ItemNow("sku-1").held, 2);
}

TEST_F(DomainTest, ReserveHoldsUnitsUntilExpiry) {
  CreateItem("sku-1", 10);
  Reservation r = Reserve("u1", {{"sku-1", 4}}, 30);
  EXPECT_EQ(r.id, "rsv_1");
  EXPECT_EQ(r.status, ReservationStatus::kHeld);
  EXPECT_EQ(r.created_at_ms, kStart);
  EXPECT_EQ(r.expires_at_ms, kStart + 30'000);
  EXPECT_EQ(ItemNow("sku-1").held, 4);
  EXPECT_EQ(ItemNow("sku-1").available(), 6);
  EXPECT_EQ(state_.ledger.back().kind, LedgerKind::kReserve);
  EXPECT_EQ(state_.ledger.back().held_delta, 4);
}

TEST_F(DomainTest, LinesAreAllOrNothing) {
  CreateItem("a", 5);
  CreateItem("b", 1);
  Error e = Refused(allot::Reserve{"u1", {{"a", 2}, {"b", 2}}, 600}, ErrorCode::kOutOfStock);
  EXPECT_EQ(TextDetail(e, "itemId"), "b");
  EXPECT_EQ(ItemNow("a").held, 0);
  Refused(allot::Reserve{"u1", {{"a", 2}, {"ghost", 1}}, 600}, ErrorCode::kNotFound);
  EXPECT_EQ(ItemNow("a").held, 0);
}

TEST_F(DomainTest, RepeatedItemLinesCountTogether) {
  CreateItem("a", 5);
  Error e = Refused(allot::Reserve{"u1", {{"a", 3}, {"a", 3}}, 600}, ErrorCode::kOutOfStock);
  EXPECT_EQ(IntDetail(e, "requested"), 6);
  Reservation r = Reserve("u1", {{"a", 2}, {"a", 3}});
  EXPECT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(ItemNow("a").held, 5);
}

TEST_F(DomainTest, HoldPastExpiryIsFreedByTheNextReserveExactlyAtExpiresAt) {
  CreateItem("a", 2);
  Reservation first = Reserve("u1", {{"a", 2}}, 10);
  now_ = first.expires_at_ms - 1;
  Refused(allot::Reserve{"u2", {{"a", 1}}, 600}, ErrorCode::kOutOfStock);
  now_ = first.expires_at_ms;  // valid until expiresAt: at that instant it is over
  Reservation second = Reserve("u2", {{"a", 2}});
  EXPECT_EQ(state_.reservations.at(first.id).status, ReservationStatus::kExpired);
  EXPECT_EQ(state_.reservations.at(first.id).released_at_ms, now_);
  EXPECT_EQ(ItemNow("a").held, 2);
  EXPECT_EQ(second.status, ReservationStatus::kHeld);
}

TEST_F(DomainTest, PerUserCapCountsHeldAndBoughtUnits) {
  CreateItem("a", 100, 3);
  Reserve("u1", {{"a", 2}});
  Error e = Refused(allot::Reserve{"u1", {{"a", 2}}, 600}, ErrorCode::kLimitExceeded);
  EXPECT_EQ(TextDetail(e, "itemId"), "a");
  EXPECT_EQ(IntDetail(e, "limit"), 3);
  EXPECT_EQ(IntDetail(e, "alreadyHeld"), 2);
  Ok<Order>(PlaceOrder{"u1", {{"a", 1}}});
  e = Refused(PlaceOrder{"u1", {{"a", 1}}}, ErrorCode::kLimitExceeded);
  EXPECT_EQ(IntDetail(e, "alreadyHeld"), 3);
  Reserve("u2", {{"a", 3}});  // another user has a cap of their own
}

TEST_F(DomainTest, PerUserCapFreesUnitsOnCancelAndExpiry) {
  CreateItem("a", 100, 2);
  Reservation r = Reserve("u1", {{"a", 2}}, 5);
  Ok<Reservation>(CancelReservation{r.id});
  Reservation again = Reserve("u1", {{"a", 2}}, 5);
  now_ = again.expires_at_ms;
  Reserve("u1", {{"a", 2}});
  EXPECT_EQ(state_.usage.at({"u1", "a"}).held, 2);
}

TEST_F(DomainTest, ConfirmTurnsHeldUnitsIntoSoldOnesAndMakesAnOrder) {
  CreateItem("a", 10);
  Reservation r = Reserve("u1", {{"a", 4}});
  now_ += 1000;
  Confirmation c = Ok<Confirmation>(ConfirmReservation{r.id, "pay-1"});
  EXPECT_EQ(c.reservation.status, ReservationStatus::kConfirmed);
  EXPECT_EQ(c.reservation.confirmed_at_ms, now_);
  EXPECT_EQ(c.reservation.order_id, c.order.id);
  EXPECT_EQ(c.order.reservation_id, r.id);
  EXPECT_EQ(c.order.payment_ref, "pay-1");
  EXPECT_EQ(c.order.status, OrderStatus::kPlaced);
  const Item& item = ItemNow("a");
  EXPECT_EQ(item.on_hand, 6);
  EXPECT_EQ(item.held, 0);
  EXPECT_EQ(item.sold, 4);
  // Confirming again answers with the same reservation and order.
  Confirmation again = Ok<Confirmation>(ConfirmReservation{r.id});
  EXPECT_EQ(again.order, c.order);
  EXPECT_EQ(ItemNow("a").sold, 4);
}

TEST_F(DomainTest, ConfirmAfterExpiryIsRefusedAndReleasesTheHold) {
  CreateItem("a", 10);
  Reservation r = Reserve("u1", {{"a", 4}}, 60);
  now_ = r.expires_at_ms;
  CommandResult result = Run(ConfirmReservation{r.id});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kReservationExpired);
  EXPECT_EQ(state_.reservations.at(r.id).status, ReservationStatus::kExpired);
  EXPECT_EQ(ItemNow("a").held, 0);
  EXPECT_EQ(ItemNow("a").sold, 0);
  Refused(ConfirmReservation{r.id}, ErrorCode::kReservationExpired);
}

TEST_F(DomainTest, ConfirmOfCancelledOrUnknownIsRefused) {
  CreateItem("a", 10);
  Reservation r = Reserve("u1", {{"a", 1}});
  Ok<Reservation>(CancelReservation{r.id});
  Error e = Refused(ConfirmReservation{r.id}, ErrorCode::kInvalidState);
  EXPECT_EQ(TextDetail(e, "status"), "cancelled");
  e = Refused(ConfirmReservation{"rsv_missing"}, ErrorCode::kNotFound);
  EXPECT_EQ(TextDetail(e, "resource"), "reservation");
  EXPECT_EQ(TextDetail(e, "id"), "rsv_missing");
}

TEST_F(DomainTest, CancelReleasesUnitsAndIsIdempotent) {
  CreateItem("a", 10);
  Reservation r = Reserve("u1", {{"a", 3}});
  Reservation cancelled = Ok<Reservation>(CancelReservation{r.id});
  EXPECT_EQ(cancelled.status, ReservationStatus::kCancelled);
  EXPECT_EQ(ItemNow("a").held, 0);
  EXPECT_EQ(state_.ledger.back().kind, LedgerKind::kRelease);
  Reservation twice = Ok<Reservation>(CancelReservation{r.id});
  EXPECT_EQ(twice, cancelled);
  EXPECT_EQ(ItemNow("a").held, 0);
}

TEST_F(DomainTest, CancelOfConfirmedIsRefusedAndOfExpiredReturnsIt) {
  CreateItem("a", 10);
  Reservation r = Reserve("u1", {{"a", 3}});
  Ok<Confirmation>(ConfirmReservation{r.id});
  Refused(CancelReservation{r.id}, ErrorCode::kInvalidState);
  Reservation late = Reserve("u1", {{"a", 1}}, 1);
  now_ = late.expires_at_ms + 5;
  Reservation seen = Ok<Reservation>(CancelReservation{late.id});
  EXPECT_EQ(seen.status, ReservationStatus::kExpired);
  EXPECT_EQ(ItemNow("a").held, 0);
}

TEST_F(DomainTest, DirectOrderSellsAndCancelPutsUnitsBack) {
  CreateItem("a", 5);
  Order o = Ok<Order>(PlaceOrder{"u1", {{"a", 2}, {"a", 1}}});
  EXPECT_EQ(o.id, "ord_1");
  EXPECT_FALSE(o.reservation_id.has_value());
  EXPECT_EQ(ItemNow("a").on_hand, 2);
  EXPECT_EQ(ItemNow("a").sold, 3);
  Refused(PlaceOrder{"u1", {{"a", 3}}}, ErrorCode::kOutOfStock);
  Order cancelled = Ok<Order>(CancelOrder{o.id, "payment failed"});
  EXPECT_EQ(cancelled.status, OrderStatus::kCancelled);
  EXPECT_EQ(cancelled.cancel_reason, "payment failed");
  EXPECT_EQ(ItemNow("a").on_hand, 5);
  EXPECT_EQ(ItemNow("a").sold, 0);
  EXPECT_EQ(state_.ledger.back().kind, LedgerKind::kReturn);
  EXPECT_EQ(Ok<Order>(CancelOrder{o.id}), cancelled);
  Refused(CancelOrder{"ord_missing"}, ErrorCode::kNotFound);
}

TEST_F(DomainTest, ExpireDueEndsOnlyDueHoldsUpToTheLimit) {
  CreateItem("a", 10);
  Reservation r1 = Reserve("u1", {{"a", 1}}, 1);
  Reservation r2 = Reserve("u2", {{"a", 1}}, 1);
  Reservation r3 = Reserve("u3", {{"a", 1}}, 100);
  now_ += 1000;
  auto summary = Ok<ExpirySummary>(ExpireDue{1});
  EXPECT_EQ(summary.expired, 1u);
  summary = Ok<ExpirySummary>(ExpireDue{10});
  EXPECT_EQ(summary.expired, 1u);
  EXPECT_EQ(state_.reservations.at(r1.id).status, ReservationStatus::kExpired);
  EXPECT_EQ(state_.reservations.at(r2.id).status, ReservationStatus::kExpired);
  EXPECT_EQ(state_.reservations.at(r3.id).status, ReservationStatus::kHeld);
  EXPECT_EQ(ItemNow("a").held, 1);
}

TEST_F(DomainTest, ViewAtShowsHeldPastExpiryAsExpired) {
  Reservation r{.id = "r", .status = ReservationStatus::kHeld, .expires_at_ms = 100};
  EXPECT_EQ(domain::ViewAt(r, 99).status, ReservationStatus::kHeld);
  EXPECT_EQ(domain::ViewAt(r, 100).status, ReservationStatus::kExpired);
  r.status = ReservationStatus::kConfirmed;
  EXPECT_EQ(domain::ViewAt(r, 1000).status, ReservationStatus::kConfirmed);
}

TEST_F(DomainTest, LoadFailureIsReportedAsUnavailable) {
  CreateItem("a", 5);
  state_.fail_loads = true;
  CommandResult r = Run(allot::Reserve{"u1", {{"a", 1}}, 600});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST_F(DomainTest, LaterCommandsInOneBatchSeeEarlierEffects) {
  CreateItem("a", 3);
  testing::ChangeRecorder recorder;
  domain::WorkingSet ws(state_, recorder);
  domain::Context ctx{.now_ms = now_, .ids = &ids_};
  EXPECT_TRUE(domain::Decide(allot::Reserve{"u1", {{"a", 2}}, 600}, ws, ctx));
  CommandResult second = domain::Decide(allot::Reserve{"u2", {{"a", 2}}, 600}, ws, ctx);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kOutOfStock);
  BatchWrites writes = ws.TakeWrites();
  ASSERT_EQ(writes.items.size(), 1u);
  EXPECT_EQ(writes.items[0].held, 2);
  EXPECT_EQ(writes.new_reservations.size(), 1u);
}

}  // namespace
}  // namespace allot
