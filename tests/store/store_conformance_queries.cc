// Conformance: the journal by term (the reader's TermBlocks, LastTermBlock,
// BlockHolding, SeqAtTime) and the queries of "Queries and history" over
// it, with the engine deciding real commands on each store: history that
// replays to the counters, asOf, cursor paging while writes continue,
// owners, and extend honoured by expiry.
#include <gmock/gmock.h>

#include <map>
#include <random>
#include <set>

#include "allot/engine.h"
#include "api/queries.h"
#include "domain/rules.h"
#include "journal/change_codec.h"
#include "journal/terms.h"
#include "store_conformance_queries.h"

namespace allot::store_test {
namespace {

constexpr std::int64_t kT = 1'700'000'000'000;

// A block of `count` item changes at `at_ms`, the first moving each of
// `items`: the block is indexed under their history terms.
JournalBlock BlockWith(std::int64_t first_seq, std::int64_t at_ms,
                       const std::vector<std::string>& items, int count = 1) {
  JournalBlock block{.first_seq = first_seq, .at_ms = at_ms, .body = journal::NewBlockBody()};
  for (int i = 0; i < count; ++i) {
    std::vector<Movement> movements;
    if (i == 0) {
      for (const std::string& item : items) {
        movements.push_back(Movement{.item_id = item, .kind = LedgerKind::kAdjust,
                                     .on_hand_delta = 1, .on_hand = 1});
      }
    }
    journal::AppendChange(block.body, ChangeType::kItemAdjusted, "", MakeItem("x", i), movements,
                          at_ms);
    journal::AppendTerms(ChangeType::kItemAdjusted, "", MakeItem("x", i), movements, block.terms);
    ++block.count;
  }
  journal::NormalizeTerms(block.terms);
  return block;
}

std::uint64_t H(std::string_view item) { return journal::HistoryTerm(item); }

}  // namespace

std::int64_t QueriesTest::Append(std::int64_t at_ms, std::vector<std::string> terms, int count) {
  const std::int64_t first = writer_->NextSeq().value_or(0);
  BatchWrites writes;
  writes.journal.push_back(BlockWith(first, at_ms, std::move(terms), count));
  EXPECT_TRUE(Ok(writer_->Begin()));
  EXPECT_TRUE(Ok(writer_->Write(std::move(writes))));
  EXPECT_TRUE(Ok(writer_->Commit()));
  auto head = reader_->JournalHead();
  EXPECT_TRUE(Ok(head));
  return *head - count + 1;
}

namespace {

TEST_P(QueriesTest, BlocksAreFoundByTheirTermsInOrder) {
  const std::int64_t a = Append(kT, {"one", "two"});
  const std::int64_t b = Append(kT + 10, {"two"}, 3);
  const std::int64_t c = Append(kT + 20, {"one", "three"});
  EXPECT_THAT(Blocks(H("one"), 0), ::testing::ElementsAre(a, c));
  EXPECT_THAT(Blocks(H("two"), 0), ::testing::ElementsAre(a, b));
  EXPECT_THAT(Blocks(H("two"), b), ::testing::ElementsAre(b));
  EXPECT_THAT(Blocks(H("two"), b + 1), ::testing::IsEmpty());
  EXPECT_THAT(Blocks(H("one"), 0, 1), ::testing::ElementsAre(a));
  EXPECT_THAT(Blocks(H("none"), 0), ::testing::IsEmpty());
  EXPECT_EQ(Got(reader_->LastTermBlock(H("one"), c - 1)), std::optional(a));
  EXPECT_EQ(Got(reader_->LastTermBlock(H("one"), c)), std::optional(c));
  EXPECT_EQ(Got(reader_->LastTermBlock(H("three"), c - 1)), std::nullopt);

  // The block holding a seq, whichever of its changes the seq is.
  auto holding = reader_->BlockHolding(b + 2);
  ASSERT_TRUE(Ok(holding));
  ASSERT_TRUE(holding->has_value());
  EXPECT_EQ((*holding)->first_seq, b);
  EXPECT_EQ((*holding)->count, 3);
  EXPECT_EQ(DecodeJournal({**holding}).size(), 3u);
  EXPECT_EQ(Got(reader_->BlockHolding(c + 1)), std::nullopt);  // past the head
  EXPECT_EQ(Got(reader_->BlockStartOf(b + 2)), std::optional(b));
  EXPECT_EQ(Got(reader_->BlockStartOf(a)), std::optional(a));
  EXPECT_EQ(Got(reader_->BlockStartOf(c + 1)), std::nullopt);

  // The last seq at or before an instant.
  EXPECT_EQ(*reader_->SeqAtTime(kT - 1), 0);
  EXPECT_EQ(*reader_->SeqAtTime(kT), a);
  EXPECT_EQ(*reader_->SeqAtTime(kT + 15), b + 2);
  EXPECT_EQ(*reader_->SeqAtTime(kT + 1000), c);

  Reopen();
  EXPECT_THAT(Blocks(H("one"), 0), ::testing::ElementsAre(a, c));
  EXPECT_THAT(Blocks(H("two"), 0), ::testing::ElementsAre(a, b));
}

TEST_P(QueriesTest, ALargeIndexKeepsEveryEntryThroughFlushesAndRestarts) {
  // More entries than the SQLite store keeps in memory before writing
  // them out (65,536): the first blocks end up on disk, the last in memory.
  constexpr int kMany = 40'000;
  std::vector<std::string> many;
  for (int t = 0; t < kMany; ++t) many.push_back("i" + std::to_string(t));
  many.push_back("seven");
  std::vector<std::int64_t> firsts;
  for (int round = 0; round < 3; ++round) firsts.push_back(Append(kT + round, many));
  const std::int64_t last = Append(kT + 10, {"seven"});
  EXPECT_THAT(Blocks(H("seven"), 0),
              ::testing::ElementsAre(firsts[0], firsts[1], firsts[2], last));
  EXPECT_THAT(Blocks(H("i123"), firsts[1]), ::testing::ElementsAre(firsts[1], firsts[2]));
  EXPECT_EQ(Got(reader_->LastTermBlock(H("i123"), last)), std::optional(firsts[2]));
  Reopen();
  EXPECT_THAT(Blocks(H("seven"), 0),
              ::testing::ElementsAre(firsts[0], firsts[1], firsts[2], last));
  EXPECT_THAT(Blocks(H("i39999"), 0), ::testing::ElementsAre(firsts[0], firsts[1], firsts[2]));
  const std::int64_t after = Append(kT + 20, {"seven"});
  EXPECT_THAT(Blocks(H("seven"), last), ::testing::ElementsAre(last, after));
}

TEST_P(EngineQueriesTest, HistoryReplaysToTheCountersAndAsOfIsTheReplayUpToThen) {
  std::mt19937 random(13);
  const std::vector<std::string> items = {"tea", "mug"};
  for (const std::string& id : items) Must<Item>(CreateItem{.id = id, .on_hand = 50});
  Must<Account>(CreateAccount{"ann", 1'000});
  Must<Account>(CreateAccount{"bob", 0});
  std::vector<std::string> held;
  std::vector<std::int64_t> instants;
  for (int step = 0; step < 300; ++step) {
    clock_.Advance(1 + static_cast<std::int64_t>(random() % 400));
    instants.push_back(clock_.NowMs());
    const std::string& item = items[random() % items.size()];
    switch (random() % 7) {
      case 0:
      case 1: {
        auto r = Run(Reserve{.user_id = "u" + std::to_string(random() % 5),
                             .lines = {{item, 1 + static_cast<std::int64_t>(random() % 3)}},
                             .ttl_seconds = 1 + static_cast<std::int64_t>(random() % 30)});
        if (r) held.push_back(std::get<Reservation>(r->value).id);
        break;
      }
      case 2:
        if (!held.empty()) Run(ConfirmReservation{.id = held[random() % held.size()]});
        break;
      case 3:
        if (!held.empty()) Run(CancelReservation{.id = held[random() % held.size()]});
        break;
      case 4:
        Run(AdjustItem{.id = item, .delta = static_cast<std::int64_t>(random() % 7) - 2,
                       .reason = "count"});
        break;
      case 5:
        Run(CreateTransfer{.from_id = "ann", .to_id = "bob",
                           .amount = 1 + static_cast<std::int64_t>(random() % 20),
                           .hold = random() % 2 == 0, .ttl_seconds = 5});
        break;
      default:
        Run(ExpireDue{});
        break;
    }
  }
  Run(ExpireDue{});
  for (const std::string& id : std::vector<std::string>{"tea", "mug", "$ann", "$bob"}) {
    SCOPED_TRACE(id);
    const std::vector<api::HistoryEntry> history = WholeHistory(id, 7);
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.front().movement.kind, LedgerKind::kCreate);
    // Replaying the deltas gives every entry's counters, and the last ones
    // are the item's stored counters now.
    std::int64_t on_hand = 0, held_units = 0, sold = 0, seq = 0;
    for (const api::HistoryEntry& e : history) {
      EXPECT_GT(e.seq, seq);
      seq = e.seq;
      on_hand += e.movement.on_hand_delta;
      held_units += e.movement.held_delta;
      sold += e.movement.sold_delta;
      EXPECT_EQ(e.movement.on_hand, on_hand);
      EXPECT_EQ(e.movement.held, held_units);
      EXPECT_EQ(e.movement.sold, sold);
    }
    auto stored = reader_->GetItem(id, 0);  // at instant 0 no hold is due: the stored held
    ASSERT_TRUE(Ok(stored));
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->on_hand, on_hand);
    EXPECT_EQ((*stored)->held, held_units);
    EXPECT_EQ((*stored)->sold, sold);
    // asOf at random instants is the replay up to them.
    for (int probe = 0; probe < 40; ++probe) {
      const std::int64_t at = instants[random() % instants.size()] - random() % 2;
      std::optional<Item> replayed;
      for (const api::HistoryEntry& e : history) {
        if (e.at_ms > at) break;
        replayed = **stored;
        replayed->on_hand = e.movement.on_hand;
        replayed->held = e.movement.held;
        replayed->sold = e.movement.sold;
      }
      auto as_of = api::ItemAsOf(*reader_, **stored, at);
      ASSERT_TRUE(Ok(as_of));
      EXPECT_EQ(*as_of, replayed) << "at " << at;
    }
  }
}

TEST_P(EngineQueriesTest, PagesHoldEveryRecordOnceWhileWritesContinue) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 100'000});
  std::vector<std::string> made;
  std::size_t total = 0;
  auto reserve = [&](const std::string& user) {
    ++total;
    const Reservation r = Must<Reservation>(
        Reserve{.user_id = user, .lines = {{"mug", 1}}, .ttl_seconds = 60});
    if (user == "ann") made.push_back(r.id);
  };
  for (int i = 0; i < 20; ++i) reserve(i % 3 == 0 ? "bob" : "ann");
  std::vector<std::string> seen;
  api::ListQuery query{.user_id = "ann", .limit = 3};
  for (int page = 0; page < 1000; ++page) {
    auto read = api::ListReservations(*reader_, query, std::nullopt, clock_.NowMs());
    ASSERT_TRUE(Ok(read));
    for (const Reservation& r : read->records) seen.push_back(r.id);
    if (!read->next) break;
    query.after = *read->next;
    // New records arrive between pages, some of them ann's.
    if (page < 10) {
      reserve("ann");
      reserve("bob");
      clock_.Advance(10);
    }
  }
  EXPECT_EQ(seen, made);  // each once, oldest first, the late ones too
  // By item: ann's and bob's together, in creation order.
  auto by_item = api::ListReservations(*reader_, {.item_id = "mug", .limit = 1000}, std::nullopt,
                                       clock_.NowMs());
  ASSERT_TRUE(Ok(by_item));
  EXPECT_EQ(by_item->records.size(), total);
  ASSERT_TRUE(by_item->next.has_value());  // where to read on from later
  auto later = api::ListReservations(*reader_, {.item_id = "mug", .after = *by_item->next},
                                     std::nullopt, clock_.NowMs());
  ASSERT_TRUE(Ok(later));
  EXPECT_TRUE(later->records.empty());
  EXPECT_FALSE(later->next.has_value());
  Must<Reservation>(Reserve{.user_id = "cy", .lines = {{"mug", 1}}});
  later = api::ListReservations(*reader_, {.item_id = "mug", .after = *by_item->next},
                                std::nullopt, clock_.NowMs());
  ASSERT_TRUE(Ok(later));
  EXPECT_EQ(later->records.size(), 1u);
  EXPECT_GT(made.size(), 14u);  // records did arrive while paging
}

TEST_P(EngineQueriesTest, AClientListsAndPagesOnlyItsOwnRecords) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 100});
  std::vector<std::string> mine;
  for (int i = 0; i < 6; ++i) {
    mine.push_back(Must<Reservation>(Reserve{.user_id = "ann", .lines = {{"mug", 1}}}, "shop-a").id);
    Must<Reservation>(Reserve{.user_id = "ann", .lines = {{"mug", 1}}}, "shop-b");
  }
  Must<Confirmation>(ConfirmReservation{.id = mine[0]}, "shop-a");
  // shop-b's cursors, handed to shop-a, lead only to shop-a's records.
  std::vector<std::string> seen;
  api::ListQuery theirs{.user_id = "ann", .owner = "shop-b", .limit = 2};
  auto first = api::ListReservations(*reader_, theirs, std::nullopt, clock_.NowMs());
  ASSERT_TRUE(Ok(first));
  for (const Reservation& r : first->records) EXPECT_EQ(r.owner, "shop-b");
  api::ListQuery query{.user_id = "ann", .owner = "shop-a", .after = first->next.value_or(0),
                       .limit = 100};
  auto page = api::ListReservations(*reader_, query, std::nullopt, clock_.NowMs());
  ASSERT_TRUE(Ok(page));
  for (const Reservation& r : page->records) {
    EXPECT_EQ(r.owner, "shop-a");
    seen.push_back(r.id);
  }
  EXPECT_THAT(mine, ::testing::IsSupersetOf(seen));
  auto all_mine = api::ListReservations(*reader_, {.owner = "shop-a", .limit = 100}, std::nullopt,
                                        clock_.NowMs());
  ASSERT_TRUE(Ok(all_mine));
  std::vector<std::string> ids;
  for (const Reservation& r : all_mine->records) ids.push_back(r.id);
  EXPECT_EQ(ids, mine);
  auto orders = api::ListOrders(*reader_, {.owner = "shop-b", .limit = 100}, std::nullopt);
  ASSERT_TRUE(Ok(orders));
  EXPECT_TRUE(orders->records.empty());
  // In an item's history, shop-b sees every movement but only its own ids.
  auto history = api::ReadHistory(*reader_, "mug", 0, 100, std::string("shop-b"));
  ASSERT_TRUE(Ok(history));
  EXPECT_EQ(history->entries.size(), 14u);  // create, 12 reserves, a confirm
  std::set<std::string> theirs_ids;
  for (const auto& e : history->entries) {
    if (e.reservation_id) theirs_ids.insert(*e.reservation_id);
    EXPECT_FALSE(e.order_id.has_value());
  }
  EXPECT_EQ(theirs_ids.size(), 6u);
  for (const std::string& id : mine) EXPECT_FALSE(theirs_ids.contains(id));
}

TEST_P(EngineQueriesTest, StatusFiltersAndTransfersByAccount) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 100});
  const Reservation a = Must<Reservation>(Reserve{.user_id = "ann", .lines = {{"mug", 1}}});
  const Reservation b = Must<Reservation>(Reserve{.user_id = "ann", .lines = {{"mug", 1}},
                                                  .ttl_seconds = 5});
  Must<Confirmation>(ConfirmReservation{.id = a.id});
  clock_.Advance(6'000);  // b is past expiresAt, not swept yet: it reads expired
  auto held = api::ListReservations(*reader_, {.user_id = "ann"}, ReservationStatus::kHeld,
                                    clock_.NowMs());
  ASSERT_TRUE(Ok(held));
  EXPECT_TRUE(held->records.empty());
  auto expired = api::ListReservations(*reader_, {.user_id = "ann"}, ReservationStatus::kExpired,
                                       clock_.NowMs());
  ASSERT_TRUE(Ok(expired));
  ASSERT_EQ(expired->records.size(), 1u);
  EXPECT_EQ(expired->records[0].id, b.id);
  auto placed = api::ListOrders(*reader_, {.user_id = "ann"}, OrderStatus::kPlaced);
  ASSERT_TRUE(Ok(placed));
  ASSERT_EQ(placed->records.size(), 1u);
  EXPECT_EQ(placed->records[0].reservation_id, std::optional(a.id));

  Must<Account>(CreateAccount{"ann", 100});
  Must<Account>(CreateAccount{"bob", 0});
  Must<Account>(CreateAccount{"cat", 0});
  const Transfer t1 = Must<Transfer>(CreateTransfer{.from_id = "ann", .to_id = "bob", .amount = 5});
  const Transfer t2 =
      Must<Transfer>(CreateTransfer{.from_id = "bob", .to_id = "cat", .amount = 2, .hold = true});
  auto bobs = api::ListTransfers(*reader_, {.account_id = "bob"}, std::nullopt, clock_.NowMs());
  ASSERT_TRUE(Ok(bobs));
  ASSERT_EQ(bobs->records.size(), 2u);
  EXPECT_EQ(bobs->records[0].id, t1.id);
  EXPECT_EQ(bobs->records[1].id, t2.id);
  auto cats_held =
      api::ListTransfers(*reader_, {.account_id = "cat"}, TransferStatus::kHeld, clock_.NowMs());
  ASSERT_TRUE(Ok(cats_held));
  ASSERT_EQ(cats_held->records.size(), 1u);
  EXPECT_EQ(cats_held->records[0].id, t2.id);
}

TEST_P(EngineQueriesTest, ExpiryHonoursAnExtendedHold) {
  Must<Item>(CreateItem{.id = "mug", .on_hand = 3});
  const Reservation r =
      Must<Reservation>(Reserve{.user_id = "ann", .lines = {{"mug", 3}}, .ttl_seconds = 2});
  clock_.Advance(1'000);
  const Reservation extended =
      Must<Reservation>(ExtendReservation{.id = r.id, .ttl_seconds = 60});
  EXPECT_EQ(extended.expires_at_ms, clock_.NowMs() + 60'000);
  clock_.Advance(5'000);  // past the first expiry
  Run(ExpireDue{});
  EXPECT_EQ(Got(reader_->GetReservation(r.id))->status, ReservationStatus::kHeld);
  EXPECT_EQ(Got(reader_->GetItem("mug", clock_.NowMs()))->held, 3);
  // A new hold on the item still finds nothing free.
  EXPECT_EQ(Run(Reserve{.user_id = "bob", .lines = {{"mug", 1}}}).error().code,
            ErrorCode::kOutOfStock);
  clock_.Advance(60'000);
  EXPECT_EQ(Got(reader_->GetItem("mug", clock_.NowMs()))->held, 0);
  Run(ExpireDue{});
  EXPECT_EQ(Got(reader_->GetReservation(r.id))->status, ReservationStatus::kExpired);
  EXPECT_EQ(Run(ExtendReservation{.id = r.id, .ttl_seconds = 60}).error().code,
            ErrorCode::kReservationExpired);
  // The history shows the reserve and the expiry; extending moved nothing.
  auto history = api::ReadHistory(*reader_, "mug", 0, 10, std::nullopt);
  ASSERT_TRUE(Ok(history));
  ASSERT_EQ(history->entries.size(), 3u);
  EXPECT_EQ(history->entries[2].movement.kind, LedgerKind::kExpire);
}

}  // namespace
}  // namespace allot::store_test
