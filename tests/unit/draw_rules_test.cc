// Draws in the pure rules (src/domain/draw_rules.cc, draw.cc): units set
// aside at creation, one entry per user until closesAt, the run applying
// the published rank rule (domain/draw_order.h) once, winners offered and
// the rest queued in rank order, and refusals that change nothing.
#include <gtest/gtest.h>

#include <algorithm>

#include "domain/draw_order.h"
#include "rules_fixture.h"

namespace allot::testing {
namespace {

const std::string kSeed(32, '\x5a');

class DrawRulesTest : public RulesTest {
 protected:
  void SetUp() override {
    Ok<Item>(CreateItem{.id = "shoe", .on_hand = 10, .max_per_user = 3});
  }
  Draw Open(std::int64_t units, std::int64_t closes_in_ms = 60'000) {
    return Ok<Draw>(CreateDraw{.id = "drop",
                               .item_id = "shoe",
                               .units = units,
                               .closes_at_ms = now_ + closes_in_ms,
                               .offer_ttl_seconds = 120,
                               .seed = kSeed});
  }
  DrawEntry Enter(const std::string& user, std::int64_t qty) {
    return Ok<DrawEntry>(EnterDraw{.draw_id = "drop", .user_id = user, .qty = qty});
  }
  const Item& Shoe() { return state_.items.at("shoe"); }
};

TEST_F(DrawRulesTest, CreatingSetsTheUnitsAsideAndPublishesOnlyTheSeedsHash) {
  const Draw draw = Open(6);
  EXPECT_EQ(draw.status, DrawStatus::kOpen);
  EXPECT_EQ(draw.seed_hash, domain::SeedHash(kSeed));
  EXPECT_TRUE(draw.seed.empty());  // not in the answer
  EXPECT_EQ(Shoe().held, 6);
  EXPECT_EQ(Shoe().available(), 4);
  const Change& created = state_.changes.back();
  ASSERT_EQ(created.type, ChangeType::kDrawCreated);
  EXPECT_TRUE(std::get<Draw>(created.data).seed.empty());  // nor in the journal
  EXPECT_EQ(state_.draws.at("drop").seed, kSeed);          // but kept
  // The set-aside hold is no client's to end.
  const std::string hold = state_.draws.at("drop").hold_id;
  Refused(CancelReservation{hold}, ErrorCode::kNotFound);
}

TEST_F(DrawRulesTest, BadInputIsRefusedAndChangesNothing) {
  Refused(CreateDraw{.id = "drop", .item_id = "shoe", .units = 11, .closes_at_ms = now_ + 1000,
                     .seed = kSeed},
          ErrorCode::kOutOfStock);
  Refused(CreateDraw{.id = "drop", .item_id = "ghost", .units = 1, .closes_at_ms = now_ + 1000,
                     .seed = kSeed},
          ErrorCode::kNotFound);
  Refused(CreateDraw{.id = "drop", .item_id = "shoe", .units = 1, .closes_at_ms = now_,
                     .seed = kSeed},
          ErrorCode::kInvalidRequest);
  Open(5);
  Enter("ann", 2);
  Refused(EnterDraw{.draw_id = "drop", .user_id = "ann", .qty = 1}, ErrorCode::kAlreadyExists);
  Refused(EnterDraw{.draw_id = "drop", .user_id = "bob", .qty = 4}, ErrorCode::kLimitExceeded);
  Refused(EnterDraw{.draw_id = "nope", .user_id = "bob", .qty = 1}, ErrorCode::kNotFound);
  Refused(CreateDraw{.id = "drop", .item_id = "shoe", .units = 4, .closes_at_ms = now_ + 60'000,
                     .offer_ttl_seconds = 120, .seed = kSeed},
          ErrorCode::kAlreadyExists);
  now_ += 60'000;  // closesAt: no more entries
  Refused(EnterDraw{.draw_id = "drop", .user_id = "cat", .qty = 1}, ErrorCode::kDrawClosed);
}

TEST_F(DrawRulesTest, TheRunFollowsThePublishedRuleOnceAndQueuesTheRestInRankOrder) {
  // Everything but the draw's units is held elsewhere.
  Ok<Reservation>(allot::Reserve{"public", {{"shoe", 3}}, 600});
  Ok<Reservation>(allot::Reserve{"public2", {{"shoe", 3}}, 600});
  Open(4);
  const std::vector<std::pair<std::string, std::int64_t>> entrants = {
      {"ann", 2}, {"bob", 1}, {"cat", 3}, {"dan", 1}, {"eve", 2}, {"fay", 1}};
  for (const auto& [user, qty] : entrants) Enter(user, qty);
  const Draw drawn = Ok<Draw>(allot::RunDraw{"drop"});
  ASSERT_EQ(drawn.status, DrawStatus::kDrawn);
  EXPECT_EQ(drawn.seed, kSeed);

  // The same rule, computed apart from the rules.
  std::vector<domain::DrawEntrant> in;
  for (const auto& [user, qty] : entrants) in.push_back({user, qty});
  const domain::DrawResult expected = domain::RunDraw(kSeed, in, 4);
  ASSERT_EQ(drawn.results.size(), entrants.size());
  std::vector<std::string> queued;
  for (std::size_t k = 0; k < expected.ranked.size(); ++k) {
    const DrawEntry& r = drawn.results[k];
    EXPECT_EQ(r.user_id, entrants[expected.ranked[k]].first);
    EXPECT_EQ(r.rank, static_cast<std::int64_t>(k + 1));
    if (expected.offered[k]) {
      ASSERT_EQ(r.outcome, DrawOutcome::kOffered);
      const Reservation& offer = state_.reservations.at(*r.reservation_id);
      EXPECT_EQ(offer.user_id, r.user_id);
      EXPECT_EQ(offer.expires_at_ms, now_ + 120'000);
    } else {
      EXPECT_EQ(r.outcome, DrawOutcome::kWaitlisted);
      queued.push_back(r.user_id);
    }
  }
  // The waitlisted, in rank order, on the item's list.
  std::vector<std::pair<std::int64_t, std::string>> list;
  for (const auto& [id, e] : state_.waitlist) list.emplace_back(e.ticket, e.user_id);
  std::sort(list.begin(), list.end());
  std::vector<std::string> listed;
  for (const auto& [ticket, user] : list) listed.push_back(user);
  EXPECT_EQ(listed, queued);
  // Offers hold what the draw set aside, less what no winner took (which
  // stays withheld for the queue: its head did not fit it).
  EXPECT_EQ(Shoe().held, 6 + 4 - expected.units_left);
  EXPECT_EQ(Shoe().withheld(), expected.units_left);

  // A second run answers the same draw and changes nothing.
  const std::size_t changes = state_.changes.size();
  const Draw again = Ok<Draw>(allot::RunDraw{"drop"});
  EXPECT_EQ(again.results, drawn.results);
  EXPECT_EQ(state_.changes.size(), changes);
  Refused(EnterDraw{.draw_id = "drop", .user_id = "gus", .qty = 1}, ErrorCode::kDrawClosed);
}

TEST_F(DrawRulesTest, TheSweepRunsADrawAtItsCloseAndTheFeedShowsEveryStep) {
  Open(2, 5'000);
  Enter("ann", 1);
  Enter("bob", 2);
  now_ += 4'999;
  Ok<ExpirySummary>(ExpireDue{});
  EXPECT_EQ(state_.draws.at("drop").status, DrawStatus::kOpen);
  now_ += 1;
  Ok<ExpirySummary>(ExpireDue{});
  EXPECT_EQ(state_.draws.at("drop").status, DrawStatus::kDrawn);
  std::vector<ChangeType> types;
  for (const Change& c : state_.changes) {
    if (ToString(c.type).starts_with("draw.")) types.push_back(c.type);
  }
  EXPECT_EQ(types, (std::vector<ChangeType>{ChangeType::kDrawCreated, ChangeType::kDrawEntered,
                                            ChangeType::kDrawEntered, ChangeType::kDrawDrawn}));
  auto drawn = std::find_if(state_.changes.begin(), state_.changes.end(),
                            [](const Change& c) { return c.type == ChangeType::kDrawDrawn; });
  ASSERT_NE(drawn, state_.changes.end());
  EXPECT_EQ(std::get<Draw>(drawn->data).seed, kSeed);
  EXPECT_EQ(std::get<Draw>(drawn->data).results.size(), 2u);
}

}  // namespace
}  // namespace allot::testing
