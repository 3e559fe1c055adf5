// The pure recomputation: a consistent set of records audits clean, and
// each kind of drift, injected into one record, is reported as exactly the
// line it should be.
#include "audit/audit.h"

#include <gmock/gmock.h>

#include <array>
#include <map>
#include <gtest/gtest.h>

#include <functional>

namespace allot::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kT = 1'800'000'000'000;  // 2027-01-15T08:00:00.000Z

// A small world in which every counter agrees with its records:
//   mug: created 10, adjusted +2, 3 held by rsv_1 (ann), 4 sold to ord_1.
//   tee (cap 5): 1 held by rsv_2 (bob), 1 sold to ord_2 (bob).
//   accounts ann 100 -> bob 0: trf_1 posted 30, trf_2 held 20.
//   event gig with seats A-1 (held by rsv_3) and A-2 (sold to ord_3).
struct World {
  std::vector<Item> items{
      {.id = "mug", .on_hand = 8, .held = 3, .sold = 4, .created_on_hand = 10},
      {.id = "tee", .on_hand = 4, .held = 1, .sold = 1, .max_per_user = 5, .created_on_hand = 5},
      {.id = "$ann", .on_hand = 70, .held = 20, .created_on_hand = 100},
      {.id = "$bob", .on_hand = 30, .created_on_hand = 0},
      {.id = "#gig/A-1", .on_hand = 1, .held = 1, .created_on_hand = 1},
      {.id = "#gig/A-2", .on_hand = 0, .sold = 1, .created_on_hand = 1},
  };
  std::vector<Event> events{{.id = "gig", .seat_count = 2}};
  std::vector<Reservation> reservations{
      {.id = "rsv_0",
       .user_id = "ann",
       .status = ReservationStatus::kCancelled,
       .lines = {{"mug", 5}},
       .expires_at_ms = kT},
      {.id = "rsv_1",
       .user_id = "ann",
       .status = ReservationStatus::kHeld,
       .lines = {{"mug", 1}, {"mug", 2}},
       .expires_at_ms = kT},
      {.id = "rsv_2",
       .user_id = "bob",
       .status = ReservationStatus::kHeld,
       .lines = {{"tee", 1}},
       .expires_at_ms = kT},
      {.id = "rsv_3",
       .user_id = "cat",
       .status = ReservationStatus::kHeld,
       .lines = {{"#gig/A-1", 1}},
       .expires_at_ms = kT},
      {.id = "trf_2",
       .user_id = "ann",
       .status = ReservationStatus::kHeld,
       .lines = {{"$ann", 20}},
       .expires_at_ms = kT},
  };
  std::vector<HoldRow> holds{
      {"rsv_1", 0, "mug", 1, kT},      {"rsv_1", 1, "mug", 2, kT},   {"rsv_2", 0, "tee", 1, kT},
      {"rsv_3", 0, "#gig/A-1", 1, kT}, {"trf_2", 0, "$ann", 20, kT},
  };
  std::vector<Order> orders{
      {.id = "ord_1", .user_id = "dan", .status = OrderStatus::kPlaced, .lines = {{"mug", 4}}},
      {.id = "ord_2", .user_id = "bob", .status = OrderStatus::kPlaced, .lines = {{"tee", 1}}},
      {.id = "ord_3", .user_id = "eve", .status = OrderStatus::kPlaced, .lines = {{"#gig/A-2", 1}}},
      {.id = "ord_9", .user_id = "eve", .status = OrderStatus::kCancelled, .lines = {{"mug", 2}}},
  };
  std::vector<UserUsage> usage{{"bob", "tee", 1, 1}};
  std::vector<Transfer> transfers{
      {.id = "trf_1",
       .from_id = "ann",
       .to_id = "bob",
       .amount = 30,
       .status = TransferStatus::kPosted},
      {.id = "trf_2",
       .from_id = "ann",
       .to_id = "bob",
       .amount = 20,
       .status = TransferStatus::kHeld,
       .expires_at_ms = kT},
  };
  std::vector<LedgerEntry> ledger{
      {.item_id = "mug", .kind = LedgerKind::kCreate, .on_hand_delta = 10},
      {.item_id = "mug", .kind = LedgerKind::kAdjust, .on_hand_delta = 2},
      {.item_id = "mug", .kind = LedgerKind::kReserve, .held_delta = 5},
      {.item_id = "mug", .kind = LedgerKind::kRelease, .held_delta = -5},
      {.item_id = "mug", .kind = LedgerKind::kReserve, .held_delta = 3},
      {.item_id = "mug", .kind = LedgerKind::kOrder, .on_hand_delta = -4, .sold_delta = 4},
      {.item_id = "mug", .kind = LedgerKind::kOrder, .on_hand_delta = -2, .sold_delta = 2},
      {.item_id = "mug", .kind = LedgerKind::kReturn, .on_hand_delta = 2, .sold_delta = -2},
      {.item_id = "tee", .kind = LedgerKind::kCreate, .on_hand_delta = 5},
      {.item_id = "tee", .kind = LedgerKind::kReserve, .held_delta = 1},
      {.item_id = "tee", .kind = LedgerKind::kOrder, .on_hand_delta = -1, .sold_delta = 1},
      {.item_id = "$ann", .kind = LedgerKind::kCreate, .on_hand_delta = 100},
      {.item_id = "$bob", .kind = LedgerKind::kCreate, .on_hand_delta = 0},
      {.item_id = "$ann", .kind = LedgerKind::kDebit, .on_hand_delta = -30, .transfer_id = "trf_1"},
      {.item_id = "$bob", .kind = LedgerKind::kCredit, .on_hand_delta = 30, .transfer_id = "trf_1"},
      {.item_id = "$ann", .kind = LedgerKind::kReserve, .held_delta = 20, .transfer_id = "trf_2"},
      {.item_id = "#gig/A-1", .kind = LedgerKind::kCreate, .on_hand_delta = 1},
      {.item_id = "#gig/A-2", .kind = LedgerKind::kCreate, .on_hand_delta = 1},
      {.item_id = "#gig/A-1", .kind = LedgerKind::kReserve, .held_delta = 1},
      {.item_id = "#gig/A-2", .kind = LedgerKind::kOrder, .on_hand_delta = -1, .sold_delta = 1},
  };

  Item& item(std::string_view id) {
    return *std::find_if(items.begin(), items.end(), [&](const Item& i) { return i.id == id; });
  }

  AuditReport Audit() const {
    Auditor auditor;
    auditor.ExpectHoldRows();
    for (const Item& i : items) auditor.AddItem(i);
    for (const Event& e : events) auditor.AddEvent(e);
    for (const Reservation& r : reservations) auditor.AddReservation(r);
    for (const HoldRow& h : holds) auditor.AddHold(h);
    for (const Order& o : orders) auditor.AddOrder(o);
    for (const UserUsage& u : usage) auditor.AddUsage(u);
    for (const Transfer& t : transfers) auditor.AddTransfer(t);
    // Each ledger row as a change of its own, in a journal of one-change
    // blocks, with the counters after it as the rows add up.
    std::map<std::string, std::array<std::int64_t, 3>> running;
    std::int64_t seq = 0;
    for (const LedgerEntry& e : ledger) {
      auto& [on_hand, held, sold] = running[e.item_id];
      on_hand += e.on_hand_delta;
      held += e.held_delta;
      sold += e.sold_delta;
      Change change{.seq = ++seq};
      if (e.transfer_id) {
        change.type = ChangeType::kTransferPosted;
        change.data = Transfer{.id = *e.transfer_id};
      } else {
        change.type = ChangeType::kItemAdjusted;
        change.data = Item{.id = e.item_id};
      }
      change.movements.push_back(Movement{.item_id = e.item_id,
                                          .kind = e.kind,
                                          .on_hand_delta = e.on_hand_delta,
                                          .held_delta = e.held_delta,
                                          .sold_delta = e.sold_delta,
                                          .on_hand = on_hand,
                                          .held = held,
                                          .sold = sold});
      auditor.AddJournalBlock(seq, 1);
      auditor.AddChange(change);
    }
    return auditor.Finish();
  }
};

// The drift lines of a world changed by `change`.
std::vector<std::string> DriftsAfter(const std::function<void(World&)>& change) {
  World world;
  change(world);
  std::vector<std::string> lines;
  for (const Drift& drift : world.Audit().drifts) lines.push_back(FormatDrift(drift));
  return lines;
}

TEST(AuditorTest, AConsistentWorldIsClean) {
  const AuditReport report = World().Audit();
  EXPECT_THAT(report.drifts, IsEmpty());
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(FormatCounts(report.checked),
            "2 items, 2 accounts, 1 event (2 seats), 4 reservations, 4 orders, 2 transfers, "
            "20 changes");
}

TEST(AuditorTest, AHoldPastItsExpiryStillCountsUntilSwept) {
  // The stored `held` keeps an expired hold until a sweep ends it; the
  // records say the same (the reservation is still `held`), so no drift.
  World world;
  world.reservations[1].expires_at_ms = 1;
  for (HoldRow& hold : world.holds) {
    if (hold.reservation_id == "rsv_1") hold.expires_at_ms = 1;
  }
  EXPECT_THAT(world.Audit().drifts, IsEmpty());
}

TEST(AuditorTest, ACounterOffFromBothRecordsAndLedger) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.item("mug").held += 1; }),
              ElementsAre("drift: item mug held: stored 4, recomputed 3"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.item("mug").sold -= 1; }),
              ElementsAre("drift: item mug sold: stored 3, recomputed 4"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.item("mug").on_hand += 1; }),
              ElementsAre("drift: item mug onHand: stored 9, recomputed 8"));
}

TEST(AuditorTest, RecordsAndLedgerThatDisagreeAreBothShown) {
  // A placed order without its ledger row.
  EXPECT_THAT(
      DriftsAfter([](World& w) {
        w.orders.push_back(
            {.id = "ord_4", .user_id = "x", .status = OrderStatus::kPlaced, .lines = {{"mug", 1}}});
      }),
      ElementsAre("drift: item mug onHand: stored 8, recomputed 7 from the records, 8 "
                  "from the ledger",
                  "drift: item mug sold: stored 4, recomputed 5 from the records, 4 from "
                  "the ledger"));
}

TEST(AuditorTest, NegativeCountersAndAvailable) {
  EXPECT_THAT(DriftsAfter([](World& w) {
                // Oversold: 3 more held than on hand, and the records agree.
                w.item("tee").held = 7;
                w.reservations[2].lines[0].qty = 7;
                w.holds[2].qty = 7;
                w.ledger[9].held_delta = 7;
              }),
              ElementsAre("drift: item tee available: stored -3, recomputed at least 0",
                          "drift: usage of item tee by bob held: stored 1, recomputed 7"));
  EXPECT_THAT(DriftsAfter([](World& w) {
                w.item("$bob").on_hand = -5;
                w.item("$ann").on_hand = 105;  // the total still adds up
              }),
              ElementsAre("drift: account ann balance: stored 105, recomputed 70",
                          "drift: account bob balance: stored -5, recomputed at least 0",
                          "drift: account bob available: stored -5, recomputed at least 0",
                          "drift: account bob balance: stored -5, recomputed 30"));
}

TEST(AuditorTest, TheCreateRowMustMatchTheOpeningStock) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.ledger.push_back(w.ledger[0]); }),
              ElementsAre("drift: item mug onHand: stored 8, recomputed 8 from the records, 18 "
                          "from the ledger",
                          "drift: item mug created onHand: stored 10, recomputed 2 create rows in "
                          "the ledger, adding 20"));
}

TEST(AuditorTest, LinesOnItemsThatDoNotExist) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.reservations[1].lines[1].item_id = "ghost"; }),
              ElementsAre("drift: reservation rsv_1 line 1: stored item ghost, recomputed no "
                          "such item",
                          "drift: item mug held: stored 3, recomputed 1 from the records, 3 from "
                          "the ledger",
                          "drift: hold rsv_1 line 1: stored 2 of item mug until "
                          "2027-01-15T08:00:00.000Z, recomputed none (no held reservation has "
                          "this line)"));
}

TEST(AuditorTest, TheLiveHoldsTableFollowsHeldReservations) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.holds.erase(w.holds.begin()); }),
              ElementsAre("drift: hold rsv_1 line 0: stored none, recomputed 1 of item mug until "
                          "2027-01-15T08:00:00.000Z"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.holds[2].qty = 2; }),
              ElementsAre("drift: hold rsv_2 line 0: stored 2 of item tee until "
                          "2027-01-15T08:00:00.000Z, recomputed 1 of item tee until "
                          "2027-01-15T08:00:00.000Z"));
  EXPECT_THAT(DriftsAfter([](World& w) {
                w.holds.push_back({"rsv_0", 0, "mug", 5, kT});
              }),
              ElementsAre("drift: hold rsv_0 line 0: stored 5 of item mug until "
                          "2027-01-15T08:00:00.000Z, recomputed none (no held reservation has "
                          "this line)"));
}

TEST(AuditorTest, UsageOfCappedItems) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.usage.clear(); }),
              ElementsAre("drift: usage of item tee by bob: stored none, recomputed held 1, "
                          "bought 1"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.usage[0].bought = 3; }),
              ElementsAre("drift: usage of item tee by bob bought: stored 3, recomputed 1"));
}

TEST(AuditorTest, PostedTransfersAndTheirPostings) {
  // Posted without the money having moved.
  EXPECT_THAT(
      DriftsAfter([](World& w) { w.ledger.erase(w.ledger.begin() + 13, w.ledger.begin() + 15); }),
      ElementsAre("drift: account ann balance: stored 70, recomputed 70 from the records, 100 "
                  "from the ledger",
                  "drift: account bob balance: stored 30, recomputed 30 from the records, 0 from "
                  "the ledger",
                  "drift: transfer trf_1 postings: stored no debit, no credit, recomputed 1 debit "
                  "of -30 on account ann, 1 credit of 30 on account bob"));
  // A credit without its debit: money made from nothing.
  EXPECT_THAT(DriftsAfter([](World& w) {
                w.ledger.erase(w.ledger.begin() + 13);
                w.item("$ann").on_hand = 100;
              }),
              ElementsAre("drift: account ann balance: stored 100, recomputed 70 from the "
                          "records, 100 from the ledger",
                          "drift: transfer trf_1 postings: stored no debit, 1 credit of 30 on "
                          "account bob, recomputed 1 debit of -30 on account ann, 1 credit of 30 "
                          "on account bob",
                          "drift: accounts total balance: stored 130, recomputed 100 (the opening "
                          "balances)",
                          "drift: transfer ledger total: stored 30, recomputed 0"));
}

TEST(AuditorTest, HeldTransfersFollowTheirHolds) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.transfers[1].status = TransferStatus::kExpired; }),
              ElementsAre("drift: transfer trf_2 status: stored expired, recomputed held (its "
                          "hold is held)"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.reservations[4].lines[0].qty = 25; }),
              ElementsAre("drift: account ann held: stored 20, recomputed 25 from the records, "
                          "20 from the ledger",
                          "drift: hold trf_2 line 0: stored 20 of account ann until "
                          "2027-01-15T08:00:00.000Z, recomputed 25 of account ann until "
                          "2027-01-15T08:00:00.000Z",
                          "drift: transfer trf_2 hold lines: stored 25 of account ann, "
                          "recomputed 20 of account ann"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.transfers[0].expires_at_ms = kT; }),
              ElementsAre("drift: transfer trf_1 postings: stored 1 debit of -30 on account ann, "
                          "1 credit of 30 on account bob, recomputed 1 debit of -30 on account "
                          "ann (held -30), 1 credit of 30 on account bob",
                          "drift: transfer trf_1 hold: stored none, recomputed a reservation of "
                          "30 of account ann"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.transfers[1].expires_at_ms.reset(); }),
              ElementsAre("drift: transfer trf_2 status: stored held, recomputed posted (made "
                          "without a hold)",
                          "drift: transfer trf_2 hold: stored held, recomputed none (made without "
                          "a hold)"));
}

TEST(AuditorTest, RecordsNamingAMissingTransferOrAccount) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.transfers.erase(w.transfers.begin()); }),
              ElementsAre("drift: account ann balance: stored 70, recomputed 100 from the "
                          "records, 70 from the ledger",
                          "drift: account bob balance: stored 30, recomputed 0 from the records, "
                          "30 from the ledger",
                          "drift: transfer trf_1: stored none, recomputed named by the transfer "
                          "ledger"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.transfers[0].to_id = "zed"; }),
              ElementsAre("drift: account bob balance: stored 30, recomputed 0 from the records, "
                          "30 from the ledger",
                          "drift: account zed: stored none, recomputed named by the ledger or a "
                          "transfer",
                          "drift: transfer trf_1 postings: stored 1 debit of -30 on account ann, "
                          "1 credit of 30 on account bob, recomputed 1 debit of -30 on account "
                          "ann, 1 credit of 30 on account zed"));
}

TEST(AuditorTest, ASeatHasOneTakerAndTheStatusItsRecordsSay) {
  EXPECT_THAT(DriftsAfter([](World& w) {
                w.reservations.push_back({.id = "rsv_4",
                                          .user_id = "fay",
                                          .status = ReservationStatus::kHeld,
                                          .lines = {{"#gig/A-2", 1}},
                                          .expires_at_ms = kT});
                w.holds.push_back({"rsv_4", 0, "#gig/A-2", 1, kT});
              }),
              ElementsAre("drift: seat gig/A-2 held: stored 0, recomputed 1 from the records, 0 "
                          "from the ledger",
                          "drift: seat gig/A-2 taken by: stored rsv_4, ord_3, recomputed at most "
                          "one reservation or order"));
  EXPECT_THAT(
      DriftsAfter([](World& w) {
        w.item("#gig/A-1").held = 0;
        w.ledger.push_back({.item_id = "#gig/A-1", .kind = LedgerKind::kRelease, .held_delta = -1});
      }),
      ElementsAre("drift: seat gig/A-1 held: stored 0, recomputed 1 from the records, 0 "
                  "from the ledger",
                  "drift: seat gig/A-1 status: stored available, recomputed held"));
}

TEST(AuditorTest, EventsHaveTheirSeats) {
  EXPECT_THAT(DriftsAfter([](World& w) { w.events[0].seat_count = 3; }),
              ElementsAre("drift: event gig seats: stored 3, recomputed 2"));
  EXPECT_THAT(DriftsAfter([](World& w) { w.events.clear(); }),
              ElementsAre("drift: event gig: stored none, recomputed 2 seat items"));
  EXPECT_THAT(DriftsAfter([](World& w) {
                w.item("#gig/A-1").created_on_hand = 2;
                w.item("#gig/A-1").on_hand = 2;
              }),
              ElementsAre("drift: seat gig/A-1 onHand: stored 2, recomputed 2 from the records, "
                          "1 from the ledger",
                          "drift: seat gig/A-1 created onHand: stored 2, recomputed 1 from the "
                          "ledger",
                          "drift: seat gig/A-1 created onHand: stored 2, recomputed 1 (a seat is "
                          "one unit)"));
}

TEST(AuditorTest, FormatsCountsWithPlurals) {
  EXPECT_EQ(FormatCounts({.items = 1,
                          .accounts = 0,
                          .events = 1,
                          .seats = 1,
                          .reservations = 1,
                          .orders = 1,
                          .transfers = 1,
                          .changes = 1}),
            "1 item, 0 accounts, 1 event (1 seat), 1 reservation, 1 order, 1 transfer, 1 change");
}

}  // namespace
}  // namespace allot::audit
