// Waiting lists in the pure rules (src/domain/waitlist.cc,
// waitlist_rules.cc): strict order, offers in the command that frees the
// units, withheld units, lapses passing on, and refusals that change
// nothing.
#include <gtest/gtest.h>

#include "rules_fixture.h"

namespace allot::testing {
namespace {

class WaitlistRulesTest : public RulesTest {
 protected:
  void SetUp() override {
    Ok<Item>(CreateItem{.id = "mug", .on_hand = 3, .max_per_user = 4});
  }

  WaitlistEntry Join(const std::string& user, std::int64_t qty, std::int64_t ttl = 600) {
    return Ok<WaitlistEntry>(
        JoinWaitlist{.item_id = "mug", .user_id = user, .qty = qty, .offer_ttl_seconds = ttl});
  }
  Reservation Hold(const std::string& user, std::int64_t qty, std::int64_t ttl = 600) {
    return Ok<Reservation>(allot::Reserve{user, {{"mug", qty}}, ttl});
  }
  const Item& Mug() { return state_.items.at("mug"); }
  const WaitlistEntry& Entry(const std::string& id) { return state_.waitlist.at(id); }
  // The types of the changes after seq `after`, in order.
  std::vector<ChangeType> TypesAfter(std::size_t after) {
    std::vector<ChangeType> types;
    for (std::size_t i = after; i < state_.changes.size(); ++i) {
      types.push_back(state_.changes[i].type);
    }
    return types;
  }
};

TEST_F(WaitlistRulesTest, JoiningWhileNothingIsFreeWaitsWithItsPosition) {
  Hold("a", 3);
  const WaitlistEntry b = Join("b", 1);
  const WaitlistEntry c = Join("c", 2);
  EXPECT_EQ(b.status, WaitlistStatus::kWaiting);
  EXPECT_EQ(b.position, 1);
  EXPECT_EQ(c.position, 2);
  EXPECT_EQ(Mug().waiting, 2);
  EXPECT_EQ(Mug().withheld(), 0);
  EXPECT_EQ(Mug().available(), 0);
  EXPECT_EQ(state_.changes.back().type, ChangeType::kWaitlistJoined);
}

TEST_F(WaitlistRulesTest, ACancelOffersTheUnitsToTheHeadInTheSameCommand) {
  const Reservation a = Hold("a", 3);
  const WaitlistEntry b = Join("b", 2, 30);
  const std::size_t before = state_.changes.size();
  Ok<Reservation>(CancelReservation{a.id});
  EXPECT_EQ(TypesAfter(before),
            (std::vector<ChangeType>{ChangeType::kReservationCancelled,
                                     ChangeType::kReservationCreated,
                                     ChangeType::kWaitlistOffered}));
  const WaitlistEntry& offered = Entry(b.id);
  ASSERT_EQ(offered.status, WaitlistStatus::kOffered);
  const Reservation& offer = state_.reservations.at(*offered.reservation_id);
  EXPECT_EQ(offer.user_id, "b");
  EXPECT_EQ(offer.status, ReservationStatus::kHeld);
  EXPECT_EQ(offer.lines, (std::vector<Line>{{"mug", 2}}));
  EXPECT_EQ(offer.expires_at_ms, now_ + 30'000);
  // Nobody waits now: the third unit is the public's again.
  EXPECT_EQ(Mug().held, 2);
  EXPECT_EQ(Mug().available(), 1);
  EXPECT_EQ(state_.usage.at({"b", "mug"}).held, 2);  // the offer counts against the cap
}

TEST_F(WaitlistRulesTest, AnEntryThatDoesNotFitStaysFirstAndTheFreeUnitsAreWithheld) {
  const Reservation a = Hold("a", 1);
  Hold("z", 2);
  const WaitlistEntry b = Join("b", 2);
  const WaitlistEntry c = Join("c", 1);
  Ok<Reservation>(CancelReservation{a.id});
  // One unit is free: c would fit, but b is ahead and needs two.
  EXPECT_EQ(Entry(b.id).status, WaitlistStatus::kWaiting);
  EXPECT_EQ(Entry(c.id).status, WaitlistStatus::kWaiting);
  EXPECT_EQ(Mug().withheld(), 1);
  EXPECT_EQ(Mug().available(), 0);
  Error e = Refused(allot::Reserve{"public", {{"mug", 1}}, 600}, ErrorCode::kOutOfStock);
  EXPECT_EQ(IntDetail(e, "available"), 0);
  Refused(PlaceOrder{"public", {{"mug", 1}}}, ErrorCode::kOutOfStock);
  // Stock added: b fits now, then c.
  Ok<Item>(AdjustItem{.id = "mug", .delta = 2, .reason = "found"});
  EXPECT_EQ(Entry(b.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(Entry(c.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(Mug().waiting, 0);
  EXPECT_EQ(Mug().held, 5);
}

TEST_F(WaitlistRulesTest, ALapsedOfferPassesItsUnitsToTheNextEntry) {
  Hold("a", 2, 10);
  Hold("z", 1);
  const WaitlistEntry b = Join("b", 2, 5);
  const WaitlistEntry c = Join("c", 2);
  now_ += 10'000;  // a's hold expires: b is offered
  Ok<ExpirySummary>(ExpireDue{});
  ASSERT_EQ(Entry(b.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(Entry(c.id).status, WaitlistStatus::kWaiting);
  now_ += 5'000;  // b's offer expires: it lapses, c is offered
  const std::size_t before = state_.changes.size();
  Ok<ExpirySummary>(ExpireDue{});
  EXPECT_EQ(Entry(b.id).status, WaitlistStatus::kLapsed);
  EXPECT_EQ(Entry(c.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(TypesAfter(before),
            (std::vector<ChangeType>{ChangeType::kReservationExpired,
                                     ChangeType::kWaitlistLapsed,
                                     ChangeType::kReservationCreated,
                                     ChangeType::kWaitlistOffered}));
}

TEST_F(WaitlistRulesTest, AnExpiryFoundAtUseServesTheListBeforeThePublic) {
  Hold("a", 3, 10);
  const WaitlistEntry b = Join("b", 1);
  now_ += 10'000;
  // The public's reserve finds a's hold due: b gets the unit first, and the
  // two left are the public's (nobody waits any more).
  const Reservation pub = Hold("public", 2);
  EXPECT_EQ(Entry(b.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(Mug().held, 3);
  EXPECT_EQ(pub.status, ReservationStatus::kHeld);
}

TEST_F(WaitlistRulesTest, ConfirmingAnOfferFulfilsTheEntry) {
  const Reservation a = Hold("a", 3);
  const WaitlistEntry b = Join("b", 1);
  Ok<Reservation>(CancelReservation{a.id});
  const std::string offer = *Entry(b.id).reservation_id;
  Ok<Confirmation>(ConfirmReservation{offer});
  EXPECT_EQ(Entry(b.id).status, WaitlistStatus::kFulfilled);
  // Leaving a fulfilled entry is refused.
  Refused(LeaveWaitlist{b.id}, ErrorCode::kInvalidState);
}

TEST_F(WaitlistRulesTest, AnOrderCancelServesTheList) {
  const Order o = Ok<Order>(PlaceOrder{"a", {{"mug", 3}}});
  const WaitlistEntry b = Join("b", 3);
  Ok<Order>(CancelOrder{o.id});
  EXPECT_EQ(Entry(b.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(Mug().held, 3);
}

TEST_F(WaitlistRulesTest, JoiningWhenTheUnitsAreFreeOffersAtOnce) {
  const WaitlistEntry b = Join("b", 2);
  EXPECT_EQ(b.status, WaitlistStatus::kOffered);
  EXPECT_FALSE(b.position.has_value());
  ASSERT_TRUE(b.reservation_id.has_value());
  EXPECT_EQ(Mug().held, 2);
  EXPECT_EQ(Mug().available(), 1);
}

TEST_F(WaitlistRulesTest, LeavingTheHeadLetsTheNextOneInAndLeavingAnOfferPassesItOn) {
  const Reservation a = Hold("a", 1);
  Hold("z", 2);
  const WaitlistEntry b = Join("b", 2);
  const WaitlistEntry c = Join("c", 1);
  const WaitlistEntry d = Join("d", 1);
  Ok<Reservation>(CancelReservation{a.id});  // one unit withheld: b needs two
  EXPECT_EQ(Ok<WaitlistEntry>(LeaveWaitlist{b.id}).status, WaitlistStatus::kLeft);
  EXPECT_EQ(Entry(c.id).status, WaitlistStatus::kOffered);
  EXPECT_EQ(Entry(d.id).status, WaitlistStatus::kWaiting);
  // c leaves holding its offer: the offer is cancelled and d gets the unit.
  const std::string c_offer = *Entry(c.id).reservation_id;
  EXPECT_EQ(Ok<WaitlistEntry>(LeaveWaitlist{c.id}).status, WaitlistStatus::kLeft);
  EXPECT_EQ(state_.reservations.at(c_offer).status, ReservationStatus::kCancelled);
  EXPECT_EQ(Entry(d.id).status, WaitlistStatus::kOffered);
  // Leaving again returns the entry as it is.
  EXPECT_EQ(Ok<WaitlistEntry>(LeaveWaitlist{c.id}).status, WaitlistStatus::kLeft);
}

TEST_F(WaitlistRulesTest, LeavingTheLastWaiterGivesTheWithheldUnitsBackToThePublic) {
  const Reservation a = Hold("a", 1);
  Hold("z", 2);
  const WaitlistEntry b = Join("b", 2);
  Ok<Reservation>(CancelReservation{a.id});
  EXPECT_EQ(Mug().available(), 0);
  Ok<WaitlistEntry>(LeaveWaitlist{b.id});
  EXPECT_EQ(Mug().withheld(), 0);
  EXPECT_EQ(Mug().available(), 1);
}

TEST_F(WaitlistRulesTest, BadInputIsRefusedAndChangesNothing) {
  Hold("a", 3);
  const WaitlistEntry b = Join("b", 1);
  // Entering twice.
  Error twice = Refused(JoinWaitlist{.item_id = "mug", .user_id = "b", .qty = 2},
                        ErrorCode::kAlreadyExists);
  EXPECT_EQ(TextDetail(twice, "id"), b.id);
  // Over maxPerUser (4): a holds 3 already.
  Error cap = Refused(JoinWaitlist{.item_id = "mug", .user_id = "a", .qty = 2},
                      ErrorCode::kLimitExceeded);
  EXPECT_EQ(IntDetail(cap, "limit"), 4);
  EXPECT_EQ(IntDetail(cap, "alreadyHeld"), 3);
  Refused(JoinWaitlist{.item_id = "mug", .user_id = "x", .qty = 5}, ErrorCode::kLimitExceeded);
  Refused(JoinWaitlist{.item_id = "ghost", .user_id = "x", .qty = 1}, ErrorCode::kNotFound);
  Refused(LeaveWaitlist{"wl_nope"}, ErrorCode::kNotFound);
  // Someone else's entry, for a client token.
  principal_ = "mallory";
  own_records_only_ = true;
  Refused(LeaveWaitlist{b.id}, ErrorCode::kForbidden);
}

}  // namespace
}  // namespace allot::testing
