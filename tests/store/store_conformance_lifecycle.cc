// Conformance: what readers see while a batch is open, durability across
// reopen, the schema version, health, and reads beside a busy writer.
#include <gmock/gmock.h>

#include <atomic>
#include <thread>

#include "store_conformance.h"

namespace allot::store_test {
namespace {

constexpr std::int64_t kT = 1'700'000'000'000;

TEST_P(StoreConformanceTest, ReadersSeeOnlyCommittedData) {
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 5)}})));

  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->Write(
      WithJournal({.items = {MakeItem("item-a", 9, 2), MakeItem("item-b", 1)},
                   .new_reservations = {MakeReservation("res-1", kT + 60'000, {{"item-a", 2}})}}))));
  EXPECT_EQ(ReaderItem("item-a", kT), std::optional(MakeItem("item-a", 5)));
  EXPECT_EQ(ReaderItem("item-b", kT), std::nullopt);
  EXPECT_EQ(reader_->ListItems("", 10, kT).value().items.size(), 1u);
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional<Reservation>());
  ASSERT_TRUE(Ok(writer_->Commit()));

  EXPECT_EQ(ReaderItem("item-a", kT), std::optional(MakeItem("item-a", 9, 2)));
  EXPECT_EQ(ReaderItem("item-b", kT), std::optional(MakeItem("item-b", 1)));
  EXPECT_TRUE(reader_->GetReservation("res-1").value().has_value());
}

TEST_P(StoreConformanceTest, CommittedDataSurvivesReopen) {
  Item item = MakeItem("item-a", 5, 2);
  item.name = "Widget";
  const Reservation r = MakeReservation("res-1", kT, {{"item-a", 2}});
  Order order = MakeOrder("ord-1", {{"item-a", 1}});
  order.payment_ref = "pay";
  const UserUsage usage{"user-1", "item-a", 2, 1};
  const IdempotencyRecord record{"p", "k", "fp", 201, "{}", kT};
  ASSERT_TRUE(Ok(Apply({.items = {item},
                        .new_reservations = {r},
                        .new_orders = {order},
                        .usage = {usage},
                        .idempotency = {record}})));
  const std::vector<Change> journal = backend_->ReadJournal();

  Reopen();
  ASSERT_NE(writer_, nullptr);
  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::optional(item));
  EXPECT_EQ(Got(writer_->LoadReservation("res-1")), std::optional(r));
  EXPECT_EQ(Got(writer_->LoadOrder("ord-1")), std::optional(order));
  EXPECT_EQ(Got(writer_->LoadUsage("user-1", "item-a")), std::optional(usage));
  EXPECT_EQ(Got(writer_->LoadIdempotency("p", "k")), std::optional(record));
  EXPECT_EQ(writer_->DueReservations(kT, 10), std::vector<std::string>({"res-1"}));
  EXPECT_EQ(ReaderItem("item-a", kT - 1), std::optional(item));
  EXPECT_EQ(backend_->ReadJournal(), journal);
  EXPECT_EQ(journal.size(), 2u);
  EXPECT_EQ(backend_->StoredSchemaVersion(), backend_->BuildSchemaVersion());
}

// How the engine ends every batch: the same as Write then Commit, whether
// or not the store sends them together.
TEST_P(StoreConformanceTest, WriteAndCommitStoresWhatWriteThenCommitWould) {
  const Reservation r = MakeReservation("res-1", kT + 60'000, {{"item-a", 2}});
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->WriteAndCommit(
      WithJournal({.items = {MakeItem("item-a", 5, 2)},
                   .new_reservations = {r},
                   .idempotency = {{"p", "k", "fp", 201, "{}", kT}}}))));
  Reservation cancelled = r;
  cancelled.status = ReservationStatus::kCancelled;
  cancelled.released_at_ms = kT;
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->LoadReservation("res-1")));
  ASSERT_TRUE(Ok(writer_->WriteAndCommit(
      WithJournal({.items = {MakeItem("item-a", 5)}, .updated_reservations = {cancelled}}))));
  EXPECT_EQ(ReaderItem("item-a", kT), std::optional(MakeItem("item-a", 5)));
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional(cancelled));
  EXPECT_EQ(writer_->DueReservations(kT + 60'000, 10), std::vector<std::string>());
  EXPECT_EQ(backend_->ReadJournal().size(), 2u);
  // Nothing to write: a commit alone.
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->WriteAndCommit({})));
  EXPECT_TRUE(Ok(Apply({.items = {MakeItem("item-b", 1)}})));
}

TEST_P(StoreConformanceTest, UncommittedBatchIsGoneAfterReopen) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->Write({.items = {MakeItem("item-a", 5)}})));
  Reopen();  // the writer is dropped with its transaction open
  ASSERT_NE(writer_, nullptr);
  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::optional<Item>());
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-b", 1)}})));  // and the lock was released
}

TEST_P(StoreConformanceTest, SchemaVersionIsRecorded) {
  EXPECT_GE(backend_->BuildSchemaVersion(), 1);
  EXPECT_EQ(backend_->StoredSchemaVersion(), backend_->BuildSchemaVersion());
}

TEST_P(StoreConformanceTest, PingSucceeds) { EXPECT_TRUE(Ok(reader_->Ping())); }

// Readers run beside a writer that commits one batch at a time; each read
// must see a committed state: counters only grow and held <= on_hand.
TEST_P(StoreConformanceTest, ConcurrentReadsSeeConsistentCommittedStates) {
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 1, 1)}})));
  std::atomic<bool> done = false;
  std::atomic<int> failures = 0;
  std::vector<std::thread> readers;
  for (int t = 0; t < 6; ++t) {
    readers.emplace_back([&] {
      std::int64_t last_on_hand = 0;
      while (!done.load()) {
        auto item = reader_->GetItem("item-a", kT);
        auto page = reader_->ListItems("", 5, kT);
        const bool ok = item && item->has_value() && page && page->items.size() == 1 &&
                        (*item)->on_hand >= last_on_hand && (*item)->held == (*item)->on_hand &&
                        page->items[0].held == page->items[0].on_hand;
        if (!ok) ++failures;
        if (item && item->has_value()) last_on_hand = (*item)->on_hand;
      }
    });
  }
  for (int i = 2; i <= 60; ++i) {
    ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", i, i)}})));
  }
  done = true;
  for (std::thread& thread : readers) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ReaderItem("item-a", kT)->on_hand, 60);
}

}  // namespace
}  // namespace allot::store_test
