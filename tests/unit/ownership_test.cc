// Client tokens act only on their own reservations, orders and transfers:
// anyone else's is refused with 403 before anything about it is decided.
#include <gtest/gtest.h>

#include "rules_fixture.h"

namespace allot::testing {
namespace {

class OwnershipTest : public RulesTest {
 protected:
  void SetUp() override {
    Ok<Item>(CreateItem{"sku", std::nullopt, 10, std::nullopt});
    Ok<Account>(CreateAccount{"a", 1000});
    Ok<Account>(CreateAccount{"b", 0});
  }
  // Decide the following commands as `principal` with a client token.
  void As(std::string principal) {
    principal_ = std::move(principal);
    own_records_only_ = true;
  }
  void AsAdmin(std::string principal) {
    principal_ = std::move(principal);
    own_records_only_ = false;
  }
  Reservation Hold(std::int64_t qty) {
    return Ok<Reservation>(Reserve{"u1", {Line{.item_id = "sku", .qty = qty}}, 60});
  }
};

TEST_F(OwnershipTest, RecordsRememberTheirCreator) {
  As("alice");
  EXPECT_EQ(Hold(1).owner, "alice");
  EXPECT_EQ(Ok<Order>(PlaceOrder{"u1", {Line{.item_id = "sku", .qty = 1}}}).owner, "alice");
  EXPECT_EQ(Ok<Transfer>(CreateTransfer{"a", "b", 5, true, 60}).owner, "alice");
}

TEST_F(OwnershipTest, AnotherClientCannotConfirmOrCancelAReservation) {
  As("alice");
  Reservation r = Hold(3);
  As("mallory");
  Error e = Refused(ConfirmReservation{r.id, std::nullopt}, ErrorCode::kForbidden);
  EXPECT_EQ(TextDetail(e, "resource"), "reservation");
  EXPECT_EQ(TextDetail(e, "id"), r.id);
  Refused(CancelReservation{r.id}, ErrorCode::kForbidden);
  // Even once it is past expiry: the refusal comes first and expires nothing.
  now_ += 61'000;
  Refused(CancelReservation{r.id}, ErrorCode::kForbidden);
  now_ -= 61'000;
  As("alice");
  EXPECT_EQ(Ok<Confirmation>(ConfirmReservation{r.id, std::nullopt}).reservation.status,
            ReservationStatus::kConfirmed);
}

TEST_F(OwnershipTest, AnotherClientCannotCancelAnOrder) {
  As("alice");
  Order order = Ok<Order>(PlaceOrder{"u1", {Line{.item_id = "sku", .qty = 2}}});
  As("mallory");
  Refused(CancelOrder{order.id, std::nullopt}, ErrorCode::kForbidden);
  As("alice");
  EXPECT_EQ(Ok<Order>(CancelOrder{order.id, std::nullopt}).status, OrderStatus::kCancelled);
}

TEST_F(OwnershipTest, AnotherClientCannotSettleATransfer) {
  As("alice");
  Transfer t = Ok<Transfer>(CreateTransfer{"a", "b", 100, true, 60});
  As("mallory");
  Refused(ConfirmTransfer{t.id}, ErrorCode::kForbidden);
  Refused(CancelTransfer{t.id}, ErrorCode::kForbidden);
  As("alice");
  EXPECT_EQ(Ok<Transfer>(ConfirmTransfer{t.id}).status, TransferStatus::kPosted);
  EXPECT_EQ(AccountNow("b").balance, 100);
}

TEST_F(OwnershipTest, AdminsAndTheOpenServiceActOnEveryone) {
  As("alice");
  Reservation first = Hold(1);
  Reservation second = Hold(1);
  AsAdmin("root");
  EXPECT_EQ(Ok<Reservation>(CancelReservation{first.id}).status, ReservationStatus::kCancelled);
  AsAdmin("");
  EXPECT_EQ(Ok<Reservation>(CancelReservation{second.id}).status, ReservationStatus::kCancelled);
}

TEST_F(OwnershipTest, UnknownIdsAreStill404) {
  As("mallory");
  Refused(CancelReservation{"res_missing"}, ErrorCode::kNotFound);
  Refused(CancelTransfer{"trf_missing"}, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace allot::testing
