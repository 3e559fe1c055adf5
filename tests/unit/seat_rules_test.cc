// Events and seats in reservations: every command, every refusal.
#include "rules_fixture.h"

namespace allot {
namespace {

class SeatRulesTest : public testing::RulesTest {
 protected:
  void SetUp() override {
    Ok<EventCounts>(CreateEvent{"gig", "Gig", {"A-1", "A-2"}});
    Ok<Item>(CreateItem{.id = "tee", .on_hand = 1});
  }
  static Line Seat(const std::string& seat) { return Line{SeatItemId("gig", seat), 1}; }
  SeatStatus StatusOf(const std::string& seat) {
    return SeatStatusOf(state_.items.at(SeatItemId("gig", seat)));
  }
};

TEST_F(SeatRulesTest, CreateCountsSeatsAndIsIdempotent) {
  CommandResult again = Run(CreateEvent{"gig", "Gig", {"A-2", "A-1"}});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(std::get<EventCounts>(again->value).available, 2);
  Refused(CreateEvent{"gig", "Gig", {"A-1"}}, ErrorCode::kAlreadyExists);
  Refused(CreateEvent{"gig", "Other", {"A-1", "A-2"}}, ErrorCode::kAlreadyExists);
  Refused(CreateEvent{"gig", "Gig", {"A-1", "A-3"}}, ErrorCode::kAlreadyExists);
}

TEST_F(SeatRulesTest, ASeatGoesToOneReservation) {
  Reservation r = Ok<Reservation>(Reserve{"u1", {Seat("A-1")}, 60});
  EXPECT_EQ(StatusOf("A-1"), SeatStatus::kHeld);
  Error e = Refused(Reserve{"u2", {Seat("A-1")}, 60}, ErrorCode::kSeatUnavailable);
  EXPECT_EQ(TextDetail(e, "eventId"), "gig");
  EXPECT_EQ(TextDetail(e, "seat"), "A-1");
  // The same seat twice in one request is two seats.
  Refused(Reserve{"u2", {Seat("A-2"), Seat("A-2")}, 60}, ErrorCode::kSeatUnavailable);
  Ok<Confirmation>(ConfirmReservation{r.id});
  EXPECT_EQ(StatusOf("A-1"), SeatStatus::kSold);
  Refused(Reserve{"u2", {Seat("A-1")}, 60}, ErrorCode::kSeatUnavailable);
}

TEST_F(SeatRulesTest, CancelAndExpiryFreeTheSeat) {
  Reservation r = Ok<Reservation>(Reserve{"u1", {Seat("A-1")}, 60});
  Ok<Reservation>(CancelReservation{r.id});
  EXPECT_EQ(StatusOf("A-1"), SeatStatus::kAvailable);
  Ok<Reservation>(Reserve{"u1", {Seat("A-1")}, 1});
  now_ += 1000;  // due: the next buyer gets it before any sweep
  Ok<Reservation>(Reserve{"u2", {Seat("A-1")}, 60});
  EXPECT_EQ(StatusOf("A-1"), SeatStatus::kHeld);
}

TEST_F(SeatRulesTest, MixedLinesAreAllOrNothing) {
  Refused(Reserve{"u1", {Seat("A-1"), Line{"tee", 2}}, 60}, ErrorCode::kOutOfStock);
  EXPECT_EQ(StatusOf("A-1"), SeatStatus::kAvailable);
  Reservation r = Ok<Reservation>(Reserve{"u1", {Seat("A-1"), Line{"tee", 1}}, 60});
  Confirmation c = Ok<Confirmation>(ConfirmReservation{r.id});
  EXPECT_EQ(c.order.lines, r.lines);
  EXPECT_EQ(StatusOf("A-1"), SeatStatus::kSold);
  EXPECT_EQ(state_.items.at("tee").sold, 1);
}

TEST_F(SeatRulesTest, UnknownEventOrSeatIs404) {
  Error event =
      Refused(Reserve{"u1", {Line{SeatItemId("nope", "A-1"), 1}}, 60}, ErrorCode::kNotFound);
  EXPECT_EQ(TextDetail(event, "resource"), "event");
  EXPECT_EQ(TextDetail(event, "id"), "nope");
  Error seat = Refused(Reserve{"u1", {Seat("Z-9")}, 60}, ErrorCode::kNotFound);
  EXPECT_EQ(TextDetail(seat, "resource"), "seat");
  EXPECT_EQ(TextDetail(seat, "id"), "Z-9");
  EXPECT_EQ(TextDetail(seat, "eventId"), "gig");
}

TEST_F(SeatRulesTest, CancellingAnOrderPutsTheSeatBack) {
  Order o = Ok<Order>(PlaceOrder{"u1", {Seat("A-2")}});
  EXPECT_EQ(StatusOf("A-2"), SeatStatus::kSold);
  Ok<Order>(CancelOrder{o.id, std::nullopt});
  EXPECT_EQ(StatusOf("A-2"), SeatStatus::kAvailable);
}

TEST(SeatIds, RoundTripAndRange) {
  const std::string id = SeatItemId("gig.2", "A:1");
  auto seat = SeatOfItem(id);
  ASSERT_TRUE(seat);
  EXPECT_EQ(seat->event_id, "gig.2");
  EXPECT_EQ(seat->seat, "A:1");
  auto [first, last] = SeatItemRange("gig");
  EXPECT_TRUE(SeatItemId("gig", "A") >= first && SeatItemId("gig", "A") < last);
  EXPECT_FALSE(SeatItemId("gig.2", "A") >= first && SeatItemId("gig.2", "A") < last);
  EXPECT_FALSE(SeatOfItem("tee"));
  EXPECT_FALSE(AccountOfItem(id));
  EXPECT_EQ(AccountOfItem(AccountItemId("a")), "a");
}

}  // namespace
}  // namespace allot
