// Conformance: live holds, due reservations, and the reader's view of
// availability (due holds never count) and paging.
#include <gmock/gmock.h>

#include "store_conformance.h"

namespace allot::store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kT = 1'700'000'000'000;
using Ids = std::vector<std::string>;

// Ids sort as res-1 < res-2 < res-3 < res-4; expiries sort res-2, res-4,
// res-1, res-3. res-4 holds item-a on two lines.
BatchWrites DueScenario() {
  return {
      .items = {MakeItem("item-a", 10, 6), MakeItem("item-b", 5, 2)},
      .new_reservations = {MakeReservation("res-1", kT, {{"item-a", 1}}),
                           MakeReservation("res-2", kT - 10, {{"item-a", 2}, {"item-b", 1}}),
                           MakeReservation("res-3", kT + 1, {{"item-b", 1}}),
                           MakeReservation("res-4", kT - 5, {{"item-a", 1}, {"item-a", 2}})},
  };
}

TEST_P(StoreConformanceTest, DueOnItemIncludesExpiryEqualToNowInIdOrder) {
  ASSERT_TRUE(Ok(Apply(DueScenario())));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT, 10), Ids({"res-1", "res-2", "res-4"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT - 1, 10), Ids({"res-2", "res-4"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT - 10, 10), Ids({"res-2"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT - 11, 10), Ids());
  EXPECT_EQ(writer_->DueReservationsOnItem("item-b", kT, 10), Ids({"res-2"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-b", kT + 1, 10), Ids({"res-2", "res-3"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-c", kT + 1, 10), Ids());
}

TEST_P(StoreConformanceTest, DueOnItemHonoursLimit) {
  ASSERT_TRUE(Ok(Apply(DueScenario())));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT, 2), Ids({"res-1", "res-2"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT, 1), Ids({"res-1"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT, 0), Ids());
}

TEST_P(StoreConformanceTest, DueListsEachReservationOnceEarliestExpiryFirst) {
  ASSERT_TRUE(Ok(Apply(DueScenario())));
  EXPECT_EQ(writer_->DueReservations(kT, 10), Ids({"res-2", "res-4", "res-1"}));
  EXPECT_EQ(writer_->DueReservations(kT - 1, 10), Ids({"res-2", "res-4"}));
  EXPECT_EQ(writer_->DueReservations(kT + 1, 10), Ids({"res-2", "res-4", "res-1", "res-3"}));
  EXPECT_EQ(writer_->DueReservations(kT - 11, 10), Ids());
}

TEST_P(StoreConformanceTest, DueHonoursLimit) {
  ASSERT_TRUE(Ok(Apply(DueScenario())));
  EXPECT_EQ(writer_->DueReservations(kT + 1, 2), Ids({"res-2", "res-4"}));
  EXPECT_EQ(writer_->DueReservations(kT + 1, 0), Ids());
}

TEST_P(StoreConformanceTest, HoldsEndWhenAReservationLeavesHeld) {
  ASSERT_TRUE(Ok(Apply(DueScenario())));
  Reservation confirmed = writer_->LoadReservation("res-1").value().value();
  confirmed.status = ReservationStatus::kConfirmed;
  confirmed.confirmed_at_ms = kT - 1;
  confirmed.order_id = "ord-1";
  Order order = MakeOrder("ord-1", confirmed.lines);
  order.reservation_id = "res-1";
  Reservation cancelled = writer_->LoadReservation("res-2").value().value();
  cancelled.status = ReservationStatus::kCancelled;
  cancelled.released_at_ms = kT - 1;
  Reservation expired = writer_->LoadReservation("res-4").value().value();
  expired.status = ReservationStatus::kExpired;
  expired.released_at_ms = kT;
  Reservation still_held = writer_->LoadReservation("res-3").value().value();
  Item a = MakeItem("item-a", 9);
  a.sold = 1;
  ASSERT_TRUE(Ok(Apply({.items = {a, MakeItem("item-b", 5, 1)},
                        .updated_reservations = {confirmed, cancelled, expired, still_held},
                        .new_orders = {order}})));

  EXPECT_EQ(writer_->DueReservations(kT + 100, 10), Ids({"res-3"}));
  EXPECT_EQ(writer_->DueReservationsOnItem("item-a", kT + 100, 10), Ids());
  EXPECT_EQ(writer_->DueReservationsOnItem("item-b", kT + 100, 10), Ids({"res-3"}));
  // No hold of the ended reservations is subtracted any more.
  EXPECT_EQ(ReaderItem("item-a", kT + 100), std::optional(a));
  EXPECT_EQ(ReaderItem("item-b", kT + 100)->held, 0);
  EXPECT_EQ(Got(reader_->GetReservation("res-4")), std::optional(expired));
}

TEST_P(StoreConformanceTest, ReservationStoredNotHeldHasNoLiveHolds) {
  Reservation r = MakeReservation("res-1", kT, {{"item-a", 2}});
  r.status = ReservationStatus::kExpired;
  r.released_at_ms = kT;
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 5)}, .new_reservations = {r}})));

  EXPECT_THAT(writer_->DueReservations(kT, 10).value(), IsEmpty());
  EXPECT_THAT(writer_->DueReservationsOnItem("item-a", kT, 10).value(), IsEmpty());
  EXPECT_EQ(ReaderItem("item-a", kT)->held, 0);
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional(r));
}

TEST_P(StoreConformanceTest, ReaderLeavesOutHoldsThatAreDue) {
  ASSERT_TRUE(Ok(Apply({
      .items = {MakeItem("item-a", 10, 5), MakeItem("item-b", 4, 1)},
      .new_reservations = {MakeReservation("res-1", kT, {{"item-a", 2}}),
                           MakeReservation("res-2", kT + 10, {{"item-a", 3}}),
                           MakeReservation("res-3", kT - 100, {{"item-b", 1}})},
  })));

  EXPECT_EQ(ReaderItem("item-a", kT - 1)->held, 5);
  EXPECT_EQ(ReaderItem("item-a", kT)->held, 3);
  EXPECT_EQ(ReaderItem("item-a", kT)->available(), 7);
  EXPECT_EQ(ReaderItem("item-a", kT + 9)->held, 3);
  EXPECT_EQ(ReaderItem("item-a", kT + 10)->held, 0);
  EXPECT_EQ(ReaderItem("item-b", kT)->held, 0);
  // The writer sees the stored counters: expiry is the engine's decision.
  EXPECT_EQ(writer_->LoadItem("item-a").value()->held, 5);

  auto page = reader_->ListItems("", 10, kT);
  ASSERT_TRUE(Ok(page));
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].held, 3);
  EXPECT_EQ(page->items[1].held, 0);
}

std::vector<std::string> IdsOf(const ItemPage& page) {
  std::vector<std::string> ids;
  for (const Item& item : page.items) ids.push_back(item.id);
  return ids;
}

TEST_P(StoreConformanceTest, ListItemsPagesInIdOrder) {
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("c", 1), MakeItem("a", 1), MakeItem("e", 1),
                                  MakeItem("b", 1), MakeItem("d", 1)}})));

  auto first = reader_->ListItems("", 2, kT);
  ASSERT_TRUE(Ok(first));
  EXPECT_THAT(IdsOf(*first), ElementsAre("a", "b"));
  EXPECT_EQ(first->next, std::optional<std::string>("b"));
  auto second = reader_->ListItems(*first->next, 2, kT);
  ASSERT_TRUE(Ok(second));
  EXPECT_THAT(IdsOf(*second), ElementsAre("c", "d"));
  EXPECT_EQ(second->next, std::optional<std::string>("d"));
  auto last = reader_->ListItems(*second->next, 2, kT);
  ASSERT_TRUE(Ok(last));
  EXPECT_THAT(IdsOf(*last), ElementsAre("e"));
  EXPECT_EQ(last->next, std::nullopt);
}

TEST_P(StoreConformanceTest, ListItemsGivesNextOnlyWhenMoreRowsExist) {
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("a", 1), MakeItem("b", 1), MakeItem("c", 1)}})));

  EXPECT_EQ(reader_->ListItems("", 3, kT).value().next, std::nullopt);
  EXPECT_EQ(reader_->ListItems("a", 2, kT).value().next, std::nullopt);
  EXPECT_EQ(reader_->ListItems("", 2, kT).value().next, std::optional<std::string>("b"));
  EXPECT_THAT(IdsOf(reader_->ListItems("b", 100, kT).value()), ElementsAre("c"));
  EXPECT_THAT(IdsOf(reader_->ListItems("c", 100, kT).value()), IsEmpty());
  const ItemPage none = reader_->ListItems("", 0, kT).value();
  EXPECT_THAT(IdsOf(none), IsEmpty());
  EXPECT_EQ(none.next, std::nullopt);
}

}  // namespace
}  // namespace allot::store_test
