// The rules of issue 13's two writes: extending a held reservation, and an
// adjustment that applies only while onHand is what the client expects.
#include <gtest/gtest.h>

#include "rules_fixture.h"

namespace allot::testing {
namespace {

class ExtendTest : public RulesTest {
 protected:
  void SetUp() override { Ok<Item>(CreateItem{.id = "mug", .on_hand = 5}); }

  Reservation Hold(std::int64_t ttl_seconds = 60) {
    return Ok<Reservation>(
        Reserve{.user_id = "ann", .lines = {{"mug", 2}}, .ttl_seconds = ttl_seconds});
  }
};

TEST_F(ExtendTest, MovesExpiresAtToNowPlusTtlAndRecordsTheChange) {
  const Reservation r = Hold();
  now_ += 30'000;
  const Reservation extended = Ok<Reservation>(ExtendReservation{.id = r.id, .ttl_seconds = 600});
  EXPECT_EQ(extended.status, ReservationStatus::kHeld);
  EXPECT_EQ(extended.expires_at_ms, now_ + 600'000);
  EXPECT_EQ(state_.reservations.at(r.id).expires_at_ms, now_ + 600'000);
  ASSERT_FALSE(state_.changes.empty());
  EXPECT_EQ(state_.changes.back().type, ChangeType::kReservationExtended);
  EXPECT_TRUE(state_.changes.back().movements.empty());
  // The units stay held: the counters did not move.
  EXPECT_EQ(state_.items.at("mug").held, 2);
}

TEST_F(ExtendTest, TheNewExpiryIsWhatExpiryHonours) {
  const Reservation r = Hold(60);
  Ok<Reservation>(ExtendReservation{.id = r.id, .ttl_seconds = 3600});
  now_ += 61'000;  // past the first expiry, well before the new one
  const Outcome swept = Run(ExpireDue{}).value();
  EXPECT_EQ(std::get<ExpirySummary>(swept.value).expired, 0u);
  EXPECT_EQ(state_.items.at("mug").held, 2);
  now_ += 3600'000;
  const Outcome later = Run(ExpireDue{}).value();
  EXPECT_EQ(std::get<ExpirySummary>(later.value).expired, 1u);
  EXPECT_EQ(state_.items.at("mug").held, 0);
}

TEST_F(ExtendTest, AfterExpiresAtIsReservationExpired) {
  const Reservation r = Hold(60);
  now_ += 60'000;  // at expiresAt the hold is over
  const Error e = Run(ExtendReservation{.id = r.id, .ttl_seconds = 60}).error();
  EXPECT_EQ(e.code, ErrorCode::kReservationExpired);
  // It was expired on the way, as a confirm would: its units are free.
  EXPECT_EQ(state_.reservations.at(r.id).status, ReservationStatus::kExpired);
  EXPECT_EQ(state_.items.at("mug").held, 0);
}

TEST_F(ExtendTest, NoLaterThan604800SecondsAfterCreation) {
  const Reservation r = Hold(60);
  now_ += 1'000;
  // 1 s after creation, 604,800 s more would end 604,801 s after it.
  const Error e = Refused(ExtendReservation{.id = r.id, .ttl_seconds = 604'800},
                          ErrorCode::kInvalidRequest);
  EXPECT_EQ(TextDetail(e, "field"), "ttlSeconds");
  const Reservation ok = Ok<Reservation>(ExtendReservation{.id = r.id, .ttl_seconds = 604'799});
  EXPECT_EQ(ok.expires_at_ms - ok.created_at_ms, 604'800'000);
}

TEST_F(ExtendTest, OnlyWhileHeld) {
  const Reservation confirmed = Hold();
  Ok<Confirmation>(ConfirmReservation{.id = confirmed.id});
  EXPECT_EQ(TextDetail(Refused(ExtendReservation{.id = confirmed.id, .ttl_seconds = 60},
                               ErrorCode::kInvalidState),
                       "status"),
            "confirmed");
  const Reservation cancelled = Hold();
  Ok<Reservation>(CancelReservation{.id = cancelled.id});
  Refused(ExtendReservation{.id = cancelled.id, .ttl_seconds = 60}, ErrorCode::kInvalidState);
  Refused(ExtendReservation{.id = "rsv_missing", .ttl_seconds = 60}, ErrorCode::kNotFound);
}

TEST_F(ExtendTest, AnotherClientsReservationIsForbidden) {
  principal_ = "shop-a";
  own_records_only_ = true;
  const Reservation r = Hold();
  principal_ = "shop-b";
  Refused(ExtendReservation{.id = r.id, .ttl_seconds = 60}, ErrorCode::kForbidden);
  principal_ = "shop-a";
  Ok<Reservation>(ExtendReservation{.id = r.id, .ttl_seconds = 60});
}

TEST_F(ExtendTest, AHeldTransfersHoldIsNoReservation) {
  Ok<Account>(CreateAccount{"ann", 100});
  Ok<Account>(CreateAccount{"bob", 0});
  const Transfer t =
      Ok<Transfer>(CreateTransfer{.from_id = "ann", .to_id = "bob", .amount = 5, .hold = true});
  Refused(ExtendReservation{.id = t.id, .ttl_seconds = 60}, ErrorCode::kNotFound);
}

class CompareAndSetTest : public RulesTest {
 protected:
  void SetUp() override { Ok<Item>(CreateItem{.id = "mug", .on_hand = 5}); }
};

TEST_F(CompareAndSetTest, AppliesWhenOnHandMatches) {
  const Item item = Ok<Item>(AdjustItem{.id = "mug", .delta = 3, .reason = "count",
                                        .expected_on_hand = 5});
  EXPECT_EQ(item.on_hand, 8);
}

TEST_F(CompareAndSetTest, RefusesWithExpectedAndActual) {
  const Error e = Refused(AdjustItem{.id = "mug", .delta = 3, .reason = "count",
                                     .expected_on_hand = 4},
                          ErrorCode::kPreconditionFailed);
  EXPECT_EQ(TextDetail(e, "field"), "onHand");
  EXPECT_EQ(IntDetail(e, "expected"), 4);
  EXPECT_EQ(IntDetail(e, "actual"), 5);
}

TEST_F(CompareAndSetTest, OfTwoOnTheSameValueExactlyOneWins) {
  // Two clients read onHand 5 and both set it to 7: the second one finds
  // 7 and is refused, so the stock moves once.
  const AdjustItem both{.id = "mug", .delta = 2, .reason = "recount", .expected_on_hand = 5};
  EXPECT_TRUE(Run(both).has_value());
  EXPECT_EQ(Run(both).error().code, ErrorCode::kPreconditionFailed);
  EXPECT_EQ(state_.items.at("mug").on_hand, 7);
}

TEST_F(CompareAndSetTest, WithoutExpectationAdjustsAsBefore) {
  EXPECT_EQ(Ok<Item>(AdjustItem{.id = "mug", .delta = -1, .reason = "broken"}).on_hand, 4);
}

}  // namespace
}  // namespace allot::testing
