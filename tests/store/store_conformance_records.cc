// Conformance: every record type round-trips; failed and rolled-back
// batches leave no trace.
#include <gmock/gmock.h>

#include "journal/change_codec.h"
#include "store_conformance.h"

namespace allot::store_test {
namespace {

using ::testing::ElementsAre;

constexpr std::int64_t kT = 1'700'000'000'000;

TEST_P(StoreConformanceTest, ItemRoundTripsThroughWriterAndReader) {
  Item named = MakeItem("item-a", 10, 4);
  named.name = "Widget";
  named.sold = 3;
  named.max_per_user = 2;
  named.created_on_hand = 7;
  const Item plain = MakeItem("item-b", 0);
  ASSERT_TRUE(Ok(Apply({.items = {named, plain}})));

  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::optional(named));
  EXPECT_EQ(Got(writer_->LoadItem("item-b")), std::optional(plain));
  EXPECT_EQ(ReaderItem("item-a", kT), std::optional(named));
  EXPECT_EQ(ReaderItem("item-b", kT), std::optional(plain));
}

TEST_P(StoreConformanceTest, ItemWriteReplacesTheStoredRow) {
  Item item = MakeItem("item-a", 10);
  item.name = "Old";
  item.max_per_user = 5;
  ASSERT_TRUE(Ok(Apply({.items = {item}})));
  item.name.reset();
  item.max_per_user.reset();
  item.on_hand = 8;
  item.held = 2;
  item.sold = 1;
  ASSERT_TRUE(Ok(Apply({.items = {item}})));

  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::optional(item));
}

TEST_P(StoreConformanceTest, AbsentRecordsLoadAsEmpty) {
  EXPECT_EQ(Got(writer_->LoadItem("nope")), std::optional<Item>());
  EXPECT_EQ(Got(writer_->LoadReservation("nope")), std::optional<Reservation>());
  EXPECT_EQ(Got(writer_->LoadOrder("nope")), std::optional<Order>());
  EXPECT_EQ(Got(writer_->LoadUsage("u", "nope")), std::optional<UserUsage>());
  EXPECT_EQ(Got(writer_->LoadIdempotency("p", "nope")), std::optional<IdempotencyRecord>());
  EXPECT_EQ(ReaderItem("nope", kT), std::nullopt);
  EXPECT_EQ(Got(reader_->GetReservation("nope")), std::optional<Reservation>());
  EXPECT_EQ(Got(reader_->GetOrder("nope")), std::optional<Order>());
}

TEST_P(StoreConformanceTest, ReservationRoundTripsWithLinesInGivenOrder) {
  Reservation r = MakeReservation("res-1", kT, {{"item-b", 2}, {"item-a", 1}, {"item-b", 3}});
  r.owner = "shop";
  ASSERT_TRUE(Ok(Apply(
      {.items = {MakeItem("item-a", 5, 1), MakeItem("item-b", 5, 5)}, .new_reservations = {r}})));

  EXPECT_EQ(Got(writer_->LoadReservation("res-1")), std::optional(r));
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional(r));
}

TEST_P(StoreConformanceTest, ConfirmStoresTheOrderAndTheReservationChange) {
  Reservation r = MakeReservation("res-1", kT, {{"item-a", 2}});
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 5, 2)}, .new_reservations = {r}})));

  Order order = MakeOrder("ord-1", {{"item-a", 2}});
  order.reservation_id = "res-1";
  order.payment_ref = "pay-42";
  r.status = ReservationStatus::kConfirmed;
  r.confirmed_at_ms = kT - 5;
  r.order_id = "ord-1";
  Item item = MakeItem("item-a", 3);
  item.sold = 2;
  ASSERT_TRUE(Ok(Apply({.items = {item}, .updated_reservations = {r}, .new_orders = {order}})));

  EXPECT_EQ(Got(writer_->LoadReservation("res-1")), std::optional(r));
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional(r));
  EXPECT_EQ(Got(writer_->LoadOrder("ord-1")), std::optional(order));
  EXPECT_EQ(Got(reader_->GetOrder("ord-1")), std::optional(order));
}

// The engine may create and confirm a reservation in one batch: the new
// reservation then names an order that is written after it.
TEST_P(StoreConformanceTest, ReservationCreatedAndConfirmedInOneBatch) {
  Reservation r = MakeReservation("res-1", kT, {{"item-a", 2}});
  r.status = ReservationStatus::kConfirmed;
  r.confirmed_at_ms = kT - 1;
  r.order_id = "ord-1";
  Order order = MakeOrder("ord-1", {{"item-a", 2}});
  order.reservation_id = "res-1";
  ASSERT_TRUE(Ok(
      Apply({.items = {MakeItem("item-a", 5)}, .new_reservations = {r}, .new_orders = {order}})));

  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::optional(r));
  EXPECT_EQ(Got(reader_->GetOrder("ord-1")), std::optional(order));
  EXPECT_EQ(writer_->DueReservations(kT, 10), std::vector<std::string>());
}

TEST_P(StoreConformanceTest, OrderRoundTripsAndUpdatesItsCancellation) {
  Order order = MakeOrder("ord-1", {{"item-b", 1}, {"item-a", 4}});
  ASSERT_TRUE(
      Ok(Apply({.items = {MakeItem("item-a", 5), MakeItem("item-b", 5)}, .new_orders = {order}})));
  EXPECT_EQ(Got(reader_->GetOrder("ord-1")), std::optional(order));

  order.status = OrderStatus::kCancelled;
  order.cancelled_at_ms = kT + 1;
  order.cancel_reason = "customer asked";
  ASSERT_TRUE(Ok(Apply({.updated_orders = {order}})));
  EXPECT_EQ(Got(writer_->LoadOrder("ord-1")), std::optional(order));
  EXPECT_EQ(Got(reader_->GetOrder("ord-1")), std::optional(order));
}

TEST_P(StoreConformanceTest, UsageRoundTripsAndIsReplaced) {
  const UserUsage first{"user-1", "item-a", 2, 1};
  const UserUsage other{"user-2", "item-a", 0, 4};
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 9)}, .usage = {first, other}})));
  EXPECT_EQ(Got(writer_->LoadUsage("user-1", "item-a")), std::optional(first));

  const UserUsage changed{"user-1", "item-a", 0, 3};
  ASSERT_TRUE(Ok(Apply({.usage = {changed}})));
  EXPECT_EQ(Got(writer_->LoadUsage("user-1", "item-a")), std::optional(changed));
  EXPECT_EQ(Got(writer_->LoadUsage("user-2", "item-a")), std::optional(other));
}

// Blocks the batches hand over get the next seqs, gapless, in commit order,
// and come back as they went in.
TEST_P(StoreConformanceTest, JournalIsAppendedInOrderWithGaplessSeqs) {
  const Item created = MakeItem("item-a", 5);
  Item held = MakeItem("item-a", 5, 2);
  const Reservation r = MakeReservation("res-1", kT, {{"item-a", 2}});
  const Movement create{.item_id = "item-a", .kind = LedgerKind::kCreate, .on_hand_delta = 5,
                        .on_hand = 5};
  const Movement reserve{.item_id = "item-a", .kind = LedgerKind::kReserve, .held_delta = 2,
                         .on_hand = 5, .held = 2};
  const Movement adjust{.item_id = "item-a", .kind = LedgerKind::kAdjust, .on_hand_delta = 1,
                        .on_hand = 6, .held = 2, .reason = "found one"};
  auto block_of = [&](std::vector<Change> changes) {
    JournalBlock block{.first_seq = writer_->NextSeq().value_or(0), .at_ms = kT};
    block.body = journal::NewBlockBody();
    for (const Change& c : changes) {
      journal::AppendChange(block.body, c, kT);
      ++block.count;
      if (std::holds_alternative<Reservation>(c.data)) block.records.push_back(RecordIdOf(c.data));
    }
    return block;
  };
  const Change c1{.type = ChangeType::kItemCreated, .at_ms = kT, .data = created,
                  .movements = {create}};
  const Change c2{.type = ChangeType::kReservationCreated, .at_ms = kT, .data = r,
                  .movements = {reserve}};
  held.on_hand = 6;
  const Change c3{.type = ChangeType::kItemAdjusted, .at_ms = kT, .data = held,
                  .movements = {adjust}};
  ASSERT_TRUE(Ok(writer_->Begin()));
  const JournalBlock first = block_of({c1, c2});
  ASSERT_TRUE(Ok(writer_->Write(
      {.items = {MakeItem("item-a", 5, 2)}, .new_reservations = {r}, .journal = {first}})));
  ASSERT_TRUE(Ok(writer_->Commit()));
  ASSERT_TRUE(Ok(writer_->Begin()));
  const JournalBlock second = block_of({c3});
  ASSERT_TRUE(Ok(writer_->Write({.items = {held}, .journal = {second}})));
  ASSERT_TRUE(Ok(writer_->Commit()));

  std::vector<Change> expected{c1, c2, c3};
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i].seq = static_cast<std::int64_t>(i) + 1;
  EXPECT_EQ(backend_->ReadJournal(), expected);
}

TEST_P(StoreConformanceTest, IdempotencyRecordRoundTrips) {
  const IdempotencyRecord record{"alice", "key-1", "fp", 201, R"({"id":"res-1"})", kT};
  const IdempotencyRecord same_key_other_principal{"bob", "key-1", "fp2", 409, "{}", kT};
  ASSERT_TRUE(Ok(Apply({.idempotency = {record, same_key_other_principal}})));

  EXPECT_EQ(Got(writer_->LoadIdempotency("alice", "key-1")), std::optional(record));
  EXPECT_EQ(Got(writer_->LoadIdempotency("bob", "key-1")), std::optional(same_key_other_principal));
  EXPECT_EQ(Got(writer_->LoadIdempotency("alice", "key-2")), std::optional<IdempotencyRecord>());
}

TEST_P(StoreConformanceTest, IdempotencyKeyIsNeverOverwritten) {
  const IdempotencyRecord record{"alice", "key-1", "fp", 201, "first", kT};
  ASSERT_TRUE(Ok(Apply({.idempotency = {record}})));

  IdempotencyRecord again = record;
  again.body = "second";
  const Status status = Apply({.idempotency = {again}});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(Got(writer_->LoadIdempotency("alice", "key-1")), std::optional(record));
}

TEST_P(StoreConformanceTest, PurgeDeletesOnlyOlderIdempotencyRecords) {
  const IdempotencyRecord old{"p", "old", "fp", 200, "{}", kT - 1};
  const IdempotencyRecord boundary{"p", "boundary", "fp", 200, "{}", kT};
  ASSERT_TRUE(Ok(Apply({.idempotency = {old, boundary}})));

  const IdempotencyRecord fresh{"p", "fresh", "fp", 200, "{}", kT + 9};
  ASSERT_TRUE(Ok(Apply({.idempotency = {fresh}, .purge_idempotency_before_ms = kT})));

  EXPECT_EQ(Got(writer_->LoadIdempotency("p", "old")), std::optional<IdempotencyRecord>());
  EXPECT_EQ(Got(writer_->LoadIdempotency("p", "boundary")), std::optional(boundary));
  EXPECT_EQ(Got(writer_->LoadIdempotency("p", "fresh")), std::optional(fresh));
}

// A batch touching every table, for the all-or-nothing tests.
BatchWrites EverythingBatch() {
  return {.items = {MakeItem("item-a", 5, 2)},
          .new_reservations = {MakeReservation("res-1", kT, {{"item-a", 2}})},
          .new_orders = {MakeOrder("ord-1", {{"item-a", 1}})},
          .usage = {{"user-1", "item-a", 2, 1}},
          .idempotency = {{"p", "k", "fp", 201, "{}", kT}}};
}

// Nothing of EverythingBatch() is visible to the writer, the reader or the journal.
void ExpectNothingOfEverythingBatch(Store& writer, StoreReader& reader, StoreBackend& backend) {
  EXPECT_EQ(Got(writer.LoadItem("item-a")), std::optional<Item>());
  EXPECT_EQ(Got(writer.LoadReservation("res-1")), std::optional<Reservation>());
  EXPECT_EQ(Got(writer.LoadOrder("ord-1")), std::optional<Order>());
  EXPECT_EQ(Got(writer.LoadUsage("user-1", "item-a")), std::optional<UserUsage>());
  EXPECT_EQ(Got(writer.LoadIdempotency("p", "k")), std::optional<IdempotencyRecord>());
  EXPECT_EQ(writer.DueReservations(kT, 10), std::vector<std::string>());
  EXPECT_EQ(Got(reader.GetItem("item-a", kT)), std::optional<Item>());
  EXPECT_TRUE(backend.ReadJournal().empty());
}

TEST_P(StoreConformanceTest, RollbackDiscardsTheWholeBatch) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->Write(WithJournal(EverythingBatch()))));
  writer_->Rollback();

  ExpectNothingOfEverythingBatch(*writer_, *reader_, *backend_);
}

// EverythingBatch() plus one row that breaks a CHECK constraint, in the
// first table written (items) and in a late one (usage).
std::vector<BatchWrites> BatchesBreakingAConstraint() {
  Item negative_sold = MakeItem("bad", 3);
  negative_sold.sold = -1;
  std::vector<BatchWrites> batches;
  for (const Item& bad :
       {MakeItem("bad", 3, 4), MakeItem("bad", -1), MakeItem("bad", 3, -1), negative_sold}) {
    batches.push_back(EverythingBatch());
    batches.back().items.push_back(bad);
  }
  batches.push_back(EverythingBatch());
  batches.back().usage.push_back({"bad", "item-a", -1, 0});
  return batches;
}

TEST_P(StoreConformanceTest, RowBreakingAConstraintFailsTheBatch) {
  const std::vector<BatchWrites> batches = BatchesBreakingAConstraint();
  for (std::size_t i = 0; i < batches.size(); ++i) {
    SCOPED_TRACE("bad batch #" + std::to_string(i));
    const BatchWrites& writes = batches[i];
    ASSERT_TRUE(Ok(writer_->Begin()));
    const Status written = writer_->Write(WithJournal(writes));
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(written.error().message.find("'bad"), std::string::npos) << written.error().message;
    writer_->Rollback();
    ExpectNothingOfEverythingBatch(*writer_, *reader_, *backend_);
  }
  // The store is still usable.
  ASSERT_TRUE(Ok(Apply(EverythingBatch())));
  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::optional(MakeItem("item-a", 5, 2)));
}

// A dangling reference may be caught at Write or only at Commit; either way
// the batch fails as a whole.
TEST_P(StoreConformanceTest, DanglingReferenceFailsTheBatch) {
  Reservation r = MakeReservation("res-1", kT, {{"item-a", 2}});
  r.status = ReservationStatus::kConfirmed;
  r.order_id = "no-such-order";
  ASSERT_TRUE(Ok(writer_->Begin()));
  Status status =
      writer_->Write(WithJournal({.items = {MakeItem("item-a", 5)}, .new_reservations = {r}}));
  if (status) status = writer_->Commit();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  writer_->Rollback();

  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::nullopt);
  EXPECT_EQ(Got(reader_->GetReservation("res-1")), std::nullopt);
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 5)}})));  // usable again
}

TEST_P(StoreConformanceTest, UpdatingAnAbsentRecordFails) {
  Reservation r = MakeReservation("res-x", kT, {});
  r.status = ReservationStatus::kCancelled;
  Order o = MakeOrder("ord-x", {});
  o.status = OrderStatus::kCancelled;
  for (const BatchWrites& writes :
       {BatchWrites{.updated_reservations = {r}}, BatchWrites{.updated_orders = {o}}}) {
    const Status status = Apply(writes);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  }
}

TEST_P(StoreConformanceTest, WriteOutsideABatchFailsAndStoresNothing) {
  const Status written = writer_->Write({.items = {MakeItem("item-a", 1)}});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(Got(writer_->LoadItem("item-a")), std::optional<Item>());
  const Status committed = writer_->Commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace allot::store_test
