// Conformance: draws through the engine on each store. A draw sets its
// units aside, takes entries, runs at closesAt by the sweep exactly once,
// and reads back with its seed and results in rank order; the results are
// what the published rule gives for the seed.
#include <gmock/gmock.h>

#include "domain/draw_order.h"
#include "store_conformance_waitlist.h"

namespace allot::store_test {
namespace {

const std::string kSeed(32, '\x11');

TEST_P(EngineWaitlistTest, ADrawRunsOnceAtItsCloseAndReadsBackWithItsResults) {
  Must<Item>(CreateItem{.id = "shoe", .on_hand = 10});
  const std::int64_t closes_at = clock_.NowMs() + 60'000;
  const Draw opened = Must<Draw>(CreateDraw{.id = "drop",
                                            .item_id = "shoe",
                                            .units = 6,
                                            .closes_at_ms = closes_at,
                                            .seed = kSeed});
  EXPECT_EQ(opened.seed_hash, domain::SeedHash(kSeed));
  std::vector<domain::DrawEntrant> entrants;
  for (int i = 0; i < 40; ++i) {
    const std::string user = "u" + std::to_string(i);
    const std::int64_t qty = 1 + i % 3;
    Must<DrawEntry>(EnterDraw{.draw_id = "drop", .user_id = user, .qty = qty});
    entrants.push_back({user, qty});
  }
  auto open = reader_->GetDraw("drop");
  ASSERT_TRUE(Ok(open));
  ASSERT_TRUE(open->has_value());
  EXPECT_EQ((*open)->status, DrawStatus::kOpen);
  EXPECT_EQ((*open)->entries, 40);
  EXPECT_TRUE((*open)->results.empty());

  clock_.Advance(60'000);
  Must<ExpirySummary>(ExpireDue{});
  Must<ExpirySummary>(ExpireDue{});  // a second sweep finds nothing to run
  const domain::DrawResult expected = domain::RunDraw(kSeed, entrants, 6);
  auto drawn = reader_->GetDraw("drop");
  ASSERT_TRUE(Ok(drawn));
  ASSERT_TRUE(drawn->has_value());
  const Draw& d = **drawn;
  EXPECT_EQ(d.status, DrawStatus::kDrawn);
  EXPECT_EQ(d.seed, kSeed);
  ASSERT_EQ(d.results.size(), 40u);
  int offers = 0;
  for (std::size_t k = 0; k < d.results.size(); ++k) {
    EXPECT_EQ(d.results[k].user_id, entrants[expected.ranked[k]].user_id) << k;
    EXPECT_EQ(d.results[k].rank, static_cast<std::int64_t>(k + 1));
    EXPECT_EQ(d.results[k].outcome,
              expected.offered[k] ? DrawOutcome::kOffered : DrawOutcome::kWaitlisted);
    if (expected.offered[k]) {
      ++offers;
      auto offer = reader_->GetReservation(*d.results[k].reservation_id);
      ASSERT_TRUE(Ok(offer));
      ASSERT_TRUE(offer->has_value());
      EXPECT_EQ((*offer)->user_id, d.results[k].user_id);
    }
  }
  // One draw.drawn, one set of offers.
  int drawn_changes = 0, offers_made = 0;
  for (const Change& c : ChangesAfter(0)) {
    if (c.type == ChangeType::kDrawDrawn) ++drawn_changes;
    if (c.type == ChangeType::kReservationCreated &&
        std::get<Reservation>(c.data).created_at_ms >= closes_at) {
      ++offers_made;
    }
  }
  EXPECT_EQ(drawn_changes, 1);
  EXPECT_GE(offers_made, offers);  // the winners' offers, then any served from the list
  CommandResult late = Run(EnterDraw{.draw_id = "drop", .user_id = "late", .qty = 1});
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::kDrawClosed);
}

}  // namespace
}  // namespace allot::store_test
