// Conformance: waiting lists through the engine on each store. Offers
// commit in the batch that frees the units (adjacent seqs, one journal
// block), entries and their offers read back through the reader with
// positions and queue order, and a long list served by one command keeps
// every offer findable (more new records than a journal block has keys).
#include <gmock/gmock.h>

#include "store_conformance_waitlist.h"

namespace allot::store_test {
namespace {

TEST_P(EngineWaitlistTest, ACancelAndTheOfferItMakesCommitTogether) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 2});
  const Reservation a = Must<Reservation>(allot::Reserve{"a", {{"mug", 2}}, 600});
  const WaitlistEntry b = Join("mug", "b", 1);
  const WaitlistEntry c = Join("mug", "c", 2);
  EXPECT_EQ(Read(b.id).position, 1);
  EXPECT_EQ(Read(c.id).position, 2);
  const std::int64_t head = reader_->JournalHead().value();

  Must<Reservation>(CancelReservation{a.id});
  const std::vector<Change> changes = ChangesAfter(head);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].type, ChangeType::kReservationCancelled);
  EXPECT_EQ(changes[1].type, ChangeType::kReservationCreated);
  EXPECT_EQ(changes[2].type, ChangeType::kWaitlistOffered);
  // One batch, one block: the offer is durable exactly when the cancel is.
  EXPECT_EQ(reader_->BlockStartOf(changes[0].seq).value(),
            reader_->BlockStartOf(changes[2].seq).value());

  const WaitlistEntry offered = Read(b.id);
  ASSERT_EQ(offered.status, WaitlistStatus::kOffered);
  ASSERT_TRUE(offered.reservation_id.has_value());
  EXPECT_FALSE(offered.position.has_value());
  auto offer = reader_->GetReservation(*offered.reservation_id);
  ASSERT_TRUE(Ok(offer));
  ASSERT_TRUE(offer->has_value());
  EXPECT_EQ((*offer)->user_id, "b");
  EXPECT_EQ((*offer)->status, ReservationStatus::kHeld);
  // c needs two, one is free: it stays first, the unit is withheld.
  EXPECT_EQ(Read(c.id).position, 1);
  const std::optional<Item> mug = ReaderItem("mug", clock_.NowMs());
  ASSERT_TRUE(mug.has_value());
  EXPECT_EQ(mug->held, 1);
  EXPECT_EQ(mug->withheld(), 1);
  EXPECT_EQ(mug->available(), 0);

  // The offer lapses at its expiry; c is offered both units by the sweep.
  clock_.Advance(600'000);
  Must<ExpirySummary>(ExpireDue{});
  EXPECT_EQ(Read(b.id).status, WaitlistStatus::kLapsed);
  EXPECT_EQ(Read(c.id).status, WaitlistStatus::kOffered);

  auto page = reader_->ListWaitlist("mug", "", 1);
  ASSERT_TRUE(Ok(page));
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].id, b.id);  // queue order
  ASSERT_TRUE(page->next.has_value());
  page = reader_->ListWaitlist("mug", *page->next, 10);
  ASSERT_TRUE(Ok(page));
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].id, c.id);
  EXPECT_FALSE(page->next.has_value());
}

TEST_P(EngineWaitlistTest, ARestockServesAHundredEntriesInOneCommand) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 0});
  std::vector<WaitlistEntry> entries;
  for (int i = 0; i < 100; ++i) entries.push_back(Join("mug", "u" + std::to_string(i), 1));
  EXPECT_EQ(Read(entries.back().id).position, 100);
  Must<Item>(AdjustItem{.id = "mug", .delta = 99, .reason = "restock"});
  for (int i = 0; i < 99; ++i) {
    const WaitlistEntry e = Read(entries[i].id);
    ASSERT_EQ(e.status, WaitlistStatus::kOffered) << i;
    auto offer = reader_->GetReservation(*e.reservation_id);
    ASSERT_TRUE(Ok(offer));
    ASSERT_TRUE(offer->has_value()) << i;
    EXPECT_EQ((*offer)->user_id, "u" + std::to_string(i));
  }
  EXPECT_EQ(Read(entries[99].id).position, 1);
  const std::optional<Item> mug = ReaderItem("mug", clock_.NowMs());
  ASSERT_TRUE(mug.has_value());
  EXPECT_EQ(mug->held, 99);
  EXPECT_EQ(mug->waiting, 1);
}

TEST_P(EngineWaitlistTest, BadInputIsRefusedAndChangesNothing) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 1, .max_per_user = 2});
  Must<Reservation>(allot::Reserve{"a", {{"mug", 1}}, 600});
  const WaitlistEntry b = Join("mug", "b", 1);
  const std::int64_t head = reader_->JournalHead().value();
  CommandResult twice = Run(JoinWaitlist{.item_id = "mug", .user_id = "b", .qty = 1});
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  CommandResult over = Run(JoinWaitlist{.item_id = "mug", .user_id = "c", .qty = 3});
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ErrorCode::kLimitExceeded);
  CommandResult missing = Run(JoinWaitlist{.item_id = "ghost", .user_id = "c", .qty = 1});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(reader_->JournalHead().value(), head);
  EXPECT_EQ(Read(b.id).position, 1);
  auto page = reader_->ListWaitlist("mug", "", 100);
  ASSERT_TRUE(Ok(page));
  EXPECT_EQ(page->entries.size(), 1u);
}

}  // namespace
}  // namespace allot::store_test
