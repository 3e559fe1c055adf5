// Conformance: transfers, events, seats and the transfer ledger (schema
// version 2). Accounts and seats are items with reserved ids (model.h).
#include <gmock/gmock.h>

#include "journal/change_codec.h"
#include "store_conformance.h"

namespace allot::store_test {
namespace {

using ::testing::ElementsAre;

constexpr std::int64_t kT = 1'700'000'000'000;

Transfer MakeTransfer(std::string id, TransferStatus status) {
  return Transfer{.id = std::move(id),
                  .from_id = "acct-a",
                  .to_id = "acct-b",
                  .amount = 250,
                  .status = status,
                  .owner = "shop",
                  .created_at_ms = kT - 10};
}

Item Seat(const std::string& event, const std::string& seat, std::int64_t on_hand = 1,
          std::int64_t held = 0) {
  Item item = MakeItem(SeatItemId(event, seat), on_hand, held);
  item.created_on_hand = 1;
  return item;
}

TEST_P(StoreConformanceTest, TransferRoundTripsAndUpdates) {
  Transfer posted = MakeTransfer("trf_1", TransferStatus::kPosted);
  posted.posted_at_ms = kT - 10;
  Transfer held = MakeTransfer("trf_2", TransferStatus::kHeld);
  held.expires_at_ms = kT + 60'000;
  ASSERT_TRUE(Ok(Apply({.new_transfers = {posted, held}})));
  EXPECT_EQ(Got(writer_->LoadTransfer("trf_1")), std::optional(posted));
  EXPECT_EQ(Got(reader_->GetTransfer("trf_2")), std::optional(held));
  EXPECT_EQ(Got(writer_->LoadTransfer("nope")), std::optional<Transfer>());
  EXPECT_EQ(Got(reader_->GetTransfer("nope")), std::optional<Transfer>());

  held.status = TransferStatus::kCancelled;
  held.released_at_ms = kT;
  ASSERT_TRUE(Ok(Apply({.updated_transfers = {held}})));
  EXPECT_EQ(Got(writer_->LoadTransfer("trf_2")), std::optional(held));
  EXPECT_EQ(Got(reader_->GetTransfer("trf_2")), std::optional(held));
}

TEST_P(StoreConformanceTest, UpdatingAnAbsentTransferFails) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  EXPECT_FALSE(writer_->Write(
      WithJournal({.updated_transfers = {MakeTransfer("trf_x", TransferStatus::kHeld)}})));
  writer_->Rollback();
}

TEST_P(StoreConformanceTest, ATransferChangeKeepsItsDebitAndCredit) {
  const Item a = MakeItem(AccountItemId("acct-a"), 750);
  const Item b = MakeItem(AccountItemId("acct-b"), 250);
  Transfer t = MakeTransfer("trf_1", TransferStatus::kPosted);
  t.posted_at_ms = kT;
  const Movement debit{.item_id = a.id, .kind = LedgerKind::kDebit, .on_hand_delta = -250,
                       .on_hand = 750};
  const Movement credit{.item_id = b.id, .kind = LedgerKind::kCredit, .on_hand_delta = 250,
                        .on_hand = 250};
  const Change posted{.seq = 1, .type = ChangeType::kTransferPosted, .at_ms = kT,
                      .owner = t.owner, .data = t, .movements = {debit, credit}};
  JournalBlock block{.first_seq = writer_->NextSeq().value_or(0), .count = 1, .at_ms = kT,
                     .records = {t.id}};
  block.body = journal::NewBlockBody();
  journal::AppendChange(block.body, posted, kT);
  ASSERT_TRUE(Ok(Apply({.items = {a, b}, .new_transfers = {t}, .journal = {block}})));
  EXPECT_THAT(backend_->ReadJournal(), ElementsAre(posted));
  EXPECT_EQ(Got(writer_->LoadTransfer("trf_1")), std::optional(t));
}

TEST_P(StoreConformanceTest, AnAccountCannotGoNegativeOrHoldMoreThanItHas) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  EXPECT_FALSE(writer_->Write({.items = {MakeItem(AccountItemId("a"), 10, 11)}}));
  writer_->Rollback();
  ASSERT_TRUE(Ok(writer_->Begin()));
  EXPECT_FALSE(writer_->Write({.items = {MakeItem(AccountItemId("a"), -1)}}));
  writer_->Rollback();
  EXPECT_EQ(Got(writer_->LoadItem(AccountItemId("a"))), std::optional<Item>());
}

TEST_P(StoreConformanceTest, EventRoundTripsAndListsItsSeatsByName) {
  const Event gig{"gig", "Gig", 3, "0123abcd"};
  const Event other{"gig.2", std::nullopt, 1, "ffff"};
  ASSERT_TRUE(Ok(Apply({.items = {Seat("gig", "B-1"), Seat("gig", "A-2", 1, 1),
                                  Seat("gig", "A-1", 0), Seat("gig.2", "A-1")},
                        .new_events = {gig, other}})));
  EXPECT_EQ(Got(writer_->LoadEvent("gig")), std::optional(gig));
  EXPECT_EQ(Got(writer_->LoadEvent("gig.2")), std::optional(other));
  EXPECT_EQ(Got(writer_->LoadEvent("nope")), std::optional<Event>());

  auto seats = Got(reader_->ListSeats("gig", kT));
  ASSERT_TRUE(seats);
  EXPECT_THAT(*seats,
              ElementsAre(SeatState{"A-1", SeatStatus::kSold}, SeatState{"A-2", SeatStatus::kHeld},
                          SeatState{"B-1", SeatStatus::kAvailable}));
  EXPECT_EQ(Got(reader_->GetEvent("gig", kT)), std::optional(EventCounts{gig, 1, 1, 1}));
  EXPECT_EQ(Got(reader_->GetEvent("gig.2", kT)), std::optional(EventCounts{other, 1, 0, 0}));
  EXPECT_EQ(Got(reader_->GetEvent("nope", kT)), std::optional<EventCounts>());
  EXPECT_EQ(Got(reader_->ListSeats("nope", kT)), std::optional<std::vector<SeatState>>());
}

TEST_P(StoreConformanceTest, ASeatWhoseHoldIsDueReadsAvailable) {
  const Event gig{"gig", std::nullopt, 2, "d"};
  Reservation r = MakeReservation("res-1", kT + 1000, {{SeatItemId("gig", "A-1"), 1}});
  ASSERT_TRUE(Ok(Apply({.items = {Seat("gig", "A-1", 1, 1), Seat("gig", "A-2")},
                        .new_reservations = {r},
                        .new_events = {gig}})));
  EXPECT_EQ(Got(reader_->GetEvent("gig", kT + 999)), std::optional(EventCounts{gig, 1, 1, 0}));
  EXPECT_EQ(Got(reader_->GetEvent("gig", kT + 1000)), std::optional(EventCounts{gig, 2, 0, 0}));
  auto seats = Got(reader_->ListSeats("gig", kT + 1000));
  ASSERT_TRUE(seats);
  EXPECT_THAT(*seats, ElementsAre(SeatState{"A-1", SeatStatus::kAvailable},
                                  SeatState{"A-2", SeatStatus::kAvailable}));
  // The hold is still stored, and the writer still finds it due.
  auto due = writer_->DueReservationsOnItem(SeatItemId("gig", "A-1"), kT + 1000, 10);
  ASSERT_TRUE(Ok(due));
  EXPECT_THAT(*due, ElementsAre("res-1"));
}

TEST_P(StoreConformanceTest, ReservationWithSeatAndItemLinesRoundTrips) {
  Reservation r = MakeReservation("res-1", kT, {{SeatItemId("gig", "A-1"), 1}, {"tee", 2}});
  ASSERT_TRUE(Ok(Apply({.items = {Seat("gig", "A-1", 1, 1), MakeItem("tee", 5, 2)},
                        .new_reservations = {r},
                        .new_events = {Event{"gig", std::nullopt, 1, "d"}}})));
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional(r));
}

}  // namespace
}  // namespace allot::store_test
