// The sequencer over a real SQLite store in a temporary directory: group
// commit, all-or-nothing batches, overload, idempotency, sweeps, stop.
#include "allot/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "allot/sqlite_store.h"
#include "core/log.h"
#include "gated_store.h"

namespace allot {
namespace {

constexpr std::int64_t kStart = 1'800'000'000'000;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/allot-engine-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
    std::filesystem::remove_all(dir_);
  }

  void Start(EngineOptions options = {}) {
    auto db = OpenSqlite(SqliteOptions{.path = dir_ + "/allot.db", .sync = SyncMode::kNormal});
    ASSERT_TRUE(db) << db.error().message;
    reader_ = std::move(db->reader);
    auto gated = std::make_unique<testing::GatedStore>(std::move(db->writer));
    gate_ = gated.get();
    options.clock = &clock_;
    options.on_batch = [this](std::size_t commands, std::int64_t) {
      std::lock_guard lock(mu_);
      batch_sizes_.push_back(commands);
    };
    auto engine = Engine::Start(std::move(gated), std::move(options));
    ASSERT_TRUE(engine);
    engine_ = std::move(*engine);
  }

  CommandResult Execute(CommandBody body) { return engine_->Execute(Command{std::move(body)}); }

  // Submits without waiting; the future resolves when the engine answers.
  std::future<CommandResult> Send(Command command) {
    auto promise = std::make_shared<std::promise<CommandResult>>();
    auto future = promise->get_future();
    engine_->Submit(std::move(command),
                    [promise](CommandResult r) { promise->set_value(std::move(r)); });
    return future;
  }

  void WaitForCommitAtGate() {
    for (int i = 0; i < 2000 && gate_->commits_waiting() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(gate_->commits_waiting(), 1);
  }

  Item ReadItem(const std::string& id) {
    auto item = reader_->GetItem(id, clock_.NowMs());
    EXPECT_TRUE(item && *item);
    return item && *item ? **item : Item{};
  }

  std::string dir_;
  ManualClock clock_{kStart};
  std::unique_ptr<StoreReader> reader_;
  testing::GatedStore* gate_ = nullptr;
  std::unique_ptr<Engine> engine_;
  std::mutex mu_;
  std::vector<std::size_t> batch_sizes_;
};

TEST_F(EngineTest, ExecutesCommandsAndCommitsThem) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 3}));
  auto r = Execute(Reserve{"u1", {{"a", 2}}, 60});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(ReadItem("a").held, 2);
  auto stored = reader_->GetReservation(std::get<Reservation>(r->value).id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->status, ReservationStatus::kHeld);
}

TEST_F(EngineTest, CommandsThatQueueDuringACommitShareTheNextBatch) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 1000}));
  gate_->CloseGate();
  auto first = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForCommitAtGate();
  std::vector<std::future<CommandResult>> rest;
  for (int i = 0; i < 50; ++i) rest.push_back(Send(Command{Reserve{"u", {{"a", 1}}, 60}}));
  gate_->OpenGate();
  ASSERT_TRUE(first.get());
  for (auto& f : rest) ASSERT_TRUE(f.get());
  std::lock_guard lock(mu_);
  ASSERT_GE(batch_sizes_.size(), 3u);
  EXPECT_EQ(batch_sizes_.back(), 50u);  // one transaction for all fifty
  EXPECT_EQ(ReadItem("a").held, 51);
}

TEST_F(EngineTest, BatchMaxOneGivesOneTransactionPerCommand) {
  Start(EngineOptions{.batch_max = 1});
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 1000}));
  gate_->CloseGate();
  auto first = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForCommitAtGate();
  std::vector<std::future<CommandResult>> rest;
  for (int i = 0; i < 10; ++i) rest.push_back(Send(Command{Reserve{"u", {{"a", 1}}, 60}}));
  gate_->OpenGate();
  for (auto& f : rest) ASSERT_TRUE(f.get());
  std::lock_guard lock(mu_);
  for (std::size_t size : batch_sizes_) EXPECT_EQ(size, 1u);
}

TEST_F(EngineTest, AFailedCommitAnswersUnavailableForTheWholeBatchAndKeepsNothing) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  gate_->CloseGate();
  auto blocker = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForCommitAtGate();
  gate_->fail_commits = true;
  std::vector<std::future<CommandResult>> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Send(Command{Reserve{"u", {{"a", 1}}, 60}}));
  batch.push_back(Send(Command{CreateItem{.id = "b", .on_hand = 1}}));
  gate_->OpenGate();
  EXPECT_FALSE(blocker.get());
  for (auto& f : batch) {
    CommandResult r = f.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  }
  gate_->fail_commits = false;
  EXPECT_EQ(ReadItem("a").held, 0);
  auto b = reader_->GetItem("b", clock_.NowMs());
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->has_value());
  // Service resumes once storage does.
  EXPECT_TRUE(Execute(Reserve{"u", {{"a", 1}}, 60}));
}

TEST_F(EngineTest, AFullQueueRefusesAtOnceWithOverloaded) {
  Start(EngineOptions{.queue_capacity = 2});
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  gate_->CloseGate();
  auto in_commit = Send(Command{Reserve{"u", {{"a", 1}}, 60}});
  WaitForCommitAtGate();
  auto q1 = Send(Command{Reserve{"u", {{"a", 1}}, 60}});
  auto q2 = Send(Command{Reserve{"u", {{"a", 1}}, 60}});
  auto refused = Send(Command{Reserve{"u", {{"a", 1}}, 60}});
  ASSERT_EQ(refused.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  CommandResult r = refused.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kOverloaded);
  gate_->OpenGate();
  EXPECT_TRUE(in_commit.get());
  EXPECT_TRUE(q1.get());
  EXPECT_TRUE(q2.get());
  EXPECT_EQ(ReadItem("a").held, 3);
}

// SubmitMany: the submissions are decided in order (the second sees the
// first's hold), share one batch when queued together behind a commit, and
// a set the queue cannot take whole is refused whole, calling no `done`.
TEST_F(EngineTest, SubmitManyQueuesInOrderOrNotAtAll) {
  Start(EngineOptions{.queue_capacity = 4});
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 3}));
  gate_->CloseGate();
  auto in_commit = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForCommitAtGate();

  std::vector<std::shared_ptr<std::promise<CommandResult>>> promises;
  auto submissions_of = [&promises](std::vector<CommandBody> bodies) {
    std::vector<Submission> submissions;
    for (auto& body : bodies) {
      auto promise = std::make_shared<std::promise<CommandResult>>();
      promises.push_back(promise);
      submissions.push_back(Submission{Command{std::move(body)}, [promise](CommandResult r) {
                                         promise->set_value(std::move(r));
                                       }});
    }
    return submissions;
  };
  // Five never fit a queue of four: refused whole, nothing queued.
  std::vector<CommandBody> five(5, CommandBody(Reserve{"u", {{"a", 1}}, 60}));
  Status refused = engine_->SubmitMany(submissions_of(std::move(five)));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kOverloaded);
  EXPECT_EQ(engine_->QueueDepth(), 0u);
  for (auto& promise : promises) {
    EXPECT_EQ(promise->get_future().wait_for(std::chrono::seconds(0)), std::future_status::timeout)
        << "a refused submission's done was called";
  }
  promises.clear();

  // Two units are left: the first two get them, in order, and the third sees
  // their holds.
  Status queued = engine_->SubmitMany(
      submissions_of({Reserve{"u1", {{"a", 2}}, 60}, Reserve{"u2", {{"a", 1}}, 60},
                      CreateItem{.id = "b", .on_hand = 1}}));
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(engine_->QueueDepth(), 3u);
  gate_->OpenGate();
  ASSERT_TRUE(in_commit.get());
  CommandResult first = promises[0]->get_future().get();
  CommandResult second = promises[1]->get_future().get();
  CommandResult third = promises[2]->get_future().get();
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kOutOfStock);
  EXPECT_TRUE(third);
  std::lock_guard lock(mu_);
  EXPECT_EQ(batch_sizes_.back(), 3u);  // queued together, decided together
  EXPECT_EQ(ReadItem("a").held, 3);
}

TEST_F(EngineTest, SubmitManyIsRefusedOnceStopping) {
  Start();
  engine_->Stop();
  std::vector<Submission> one;
  one.push_back(Submission{Command{CreateItem{.id = "a", .on_hand = 1}},
                           [](CommandResult) { ADD_FAILURE() << "done called"; }});
  Status refused = engine_->SubmitMany(std::move(one));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

Command WithKey(CommandBody body, std::string key, std::string fingerprint) {
  IdempotencyKey idem{std::move(key), std::move(fingerprint), [](const CommandResult& r) {
                        IdempotencyRecord record;
                        record.status = r ? 201 : 409;
                        record.body = r ? std::get<Reservation>(r->value).id : "refused";
                        return record;
                      }};
  return Command{std::move(body), "client-1", std::move(idem)};
}

TEST_F(EngineTest, IdempotencyKeyReplaysTheStoredAnswerAndRefusesReuse) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  CommandResult first = engine_->Execute(WithKey(Reserve{"u", {{"a", 2}}, 60}, "k1", "fp-A"));
  ASSERT_TRUE(first);
  const std::string id = std::get<Reservation>(first->value).id;
  CommandResult again = engine_->Execute(WithKey(Reserve{"u", {{"a", 2}}, 60}, "k1", "fp-A"));
  ASSERT_TRUE(again);
  const Replay& replay = std::get<Replay>(again->value);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, id);
  EXPECT_EQ(ReadItem("a").held, 2);
  CommandResult reused = engine_->Execute(WithKey(Reserve{"u", {{"a", 1}}, 60}, "k1", "fp-B"));
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().code, ErrorCode::kIdempotencyKeyReused);
}

TEST_F(EngineTest, ConcurrentDuplicatesInOneBatchExecuteOnce) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  gate_->CloseGate();
  auto blocker = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForCommitAtGate();
  std::vector<std::future<CommandResult>> dups;
  for (int i = 0; i < 20; ++i) {
    dups.push_back(Send(WithKey(Reserve{"u", {{"a", 3}}, 60}, "same", "fp")));
  }
  gate_->OpenGate();
  ASSERT_TRUE(blocker.get());
  int executed = 0, replayed = 0;
  for (auto& f : dups) {
    CommandResult r = f.get();
    ASSERT_TRUE(r);
    if (std::holds_alternative<Replay>(r->value)) ++replayed;
    if (std::holds_alternative<Reservation>(r->value)) ++executed;
  }
  EXPECT_EQ(executed, 1);
  EXPECT_EQ(replayed, 19);
  EXPECT_EQ(ReadItem("a").held, 4);
}

TEST_F(EngineTest, TheSweeperExpiresDueHoldsWithoutAnyRequest) {
  Start(EngineOptions{.sweep_interval_ms = 10});
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 5}));
  auto r = Execute(Reserve{"u", {{"a", 5}}, 30});
  ASSERT_TRUE(r);
  const std::string id = std::get<Reservation>(r->value).id;
  clock_.Advance(30'000);
  Reservation stored;
  for (int i = 0; i < 500; ++i) {
    stored = **reader_->GetReservation(id);
    if (stored.status == ReservationStatus::kExpired) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(stored.status, ReservationStatus::kExpired);
  EXPECT_EQ(ReadItem("a").held, 0);
}

TEST_F(EngineTest, StopFinishesWhatIsQueuedAndThenRefuses) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 100}));
  gate_->CloseGate();
  auto first = Send(Command{Reserve{"u", {{"a", 1}}, 60}});
  WaitForCommitAtGate();
  std::vector<std::future<CommandResult>> queued;
  for (int i = 0; i < 10; ++i) queued.push_back(Send(Command{Reserve{"u", {{"a", 1}}, 60}}));
  std::thread stopper([this] { engine_->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  gate_->OpenGate();
  stopper.join();
  EXPECT_TRUE(first.get());
  for (auto& f : queued) EXPECT_TRUE(f.get());
  CommandResult late = Execute(Reserve{"u", {{"a", 1}}, 60});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ReadItem("a").held, 11);
}

TEST_F(EngineTest, LocksArePlannedOnlyForStoresThatLockRows) {
  Start();
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  ASSERT_TRUE(Execute(Reserve{"u", {{"a", 1}}, 60}));
  engine_->Stop();  // the sequencer is done with the store: the plans can be read
  EXPECT_TRUE(gate_->lock_plans.empty());
}

TEST_F(EngineTest, AStoreThatLocksRowsGetsEveryBatchsPlanFirst) {
  Start();
  gate_->locks_rows = true;
  ASSERT_TRUE(Execute(CreateItem{.id = "b", .on_hand = 10}));
  CommandResult refused = Execute(Reserve{"u", {{"b", 1}, {"a", 1}}, 60});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);  // "a" does not exist
  engine_->Stop();
  ASSERT_GE(gate_->lock_plans.size(), 2u);
  const LockPlan& last = gate_->lock_plans.back();
  EXPECT_EQ(last.item_ids, (std::vector<std::string>{"a", "b"}));  // ascending
}

// The transitions a committed batch made, summed over every on_holds call.
class HoldCounter {
 public:
  HoldObserver observer() {
    return [this](const HoldTransitions& t) {
      std::lock_guard lock(mu_);
      total_.reservations_created += t.reservations_created;
      total_.reservations_confirmed += t.reservations_confirmed;
      total_.reservations_cancelled += t.reservations_cancelled;
      total_.holds_expired += t.holds_expired;
      ++calls_;
    };
  }
  HoldTransitions total() {
    std::lock_guard lock(mu_);
    return total_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  HoldTransitions total_;
  int calls_ = 0;
};

std::string Held(const CommandResult& result) {
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? std::get<Reservation>(result->value).id : "";
}

TEST_F(EngineTest, ReportsTheReservationsEachCommittedBatchCreatedAndEnded) {
  HoldCounter counter;
  Start(EngineOptions{.sweep_interval_ms = 10, .on_holds = counter.observer()});
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  EXPECT_EQ(counter.calls(), 0);  // nothing happened to a reservation
  const auto first = Held(Execute(Reserve{"u", {{"a", 1}}, 60}));
  const auto second = Held(Execute(Reserve{"u", {{"a", 1}}, 60}));
  Held(Execute(Reserve{"u", {{"a", 1}}, 1}));
  ASSERT_TRUE(Execute(ConfirmReservation{first}));
  ASSERT_TRUE(Execute(ConfirmReservation{first}));  // again: no second confirmation
  ASSERT_TRUE(Execute(CancelReservation{second}));
  // A held transfer is a hold, not a reservation.
  ASSERT_TRUE(Execute(CreateAccount{.id = "x", .balance = 100}));
  ASSERT_TRUE(Execute(CreateAccount{.id = "y", .balance = 0}));
  ASSERT_TRUE(Execute(
      CreateTransfer{.from_id = "x", .to_id = "y", .amount = 5, .hold = true, .ttl_seconds = 1}));
  HoldTransitions so_far = counter.total();
  EXPECT_EQ(so_far.reservations_created, 3u);
  EXPECT_EQ(so_far.reservations_confirmed, 1u);
  EXPECT_EQ(so_far.reservations_cancelled, 1u);
  EXPECT_EQ(so_far.holds_expired, 0u);

  // The one-second reservation and the held transfer expire, found by the
  // sweeper or by the next reservation of "a", whichever comes first.
  clock_.Advance(2'000);
  Held(Execute(Reserve{"u", {{"a", 1}}, 60}));
  for (int i = 0; i < 500 && counter.total().holds_expired < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  HoldTransitions total = counter.total();
  EXPECT_EQ(total.holds_expired, 2u);
  EXPECT_EQ(total.reservations_created, 4u);
  EXPECT_EQ(total.reservations_cancelled, 1u);
}

TEST_F(EngineTest, AFailedBatchReportsNoTransitionsAndLogsTheStorageError) {
  HoldCounter counter;
  Start(EngineOptions{.on_holds = counter.observer()});
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  std::mutex log_mu;
  std::string logged;
  log::Global().SetWriter([&](std::string_view lines) {
    std::lock_guard lock(log_mu);
    logged += lines;
  });
  gate_->fail_commits = true;
  EXPECT_FALSE(Execute(Reserve{"u", {{"a", 1}}, 60}));
  gate_->fail_commits = false;
  log::Global().SetWriter(log::FdWriter(STDERR_FILENO));
  EXPECT_EQ(counter.calls(), 0);
  EXPECT_NE(logged.find("\"level\":\"error\",\"msg\":\"batch failed\""), std::string::npos)
      << logged;
  EXPECT_NE(logged.find("\"commands\":1"), std::string::npos) << logged;
  EXPECT_NE(logged.find("injected commit failure"), std::string::npos) << logged;
}

// Waits until a batch is held at the lock gate.
void WaitForLockAtGate(testing::GatedStore& gate) {
  for (int i = 0; i < 2000 && gate.locks_waiting() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(gate.locks_waiting(), 1);
}

std::string ErrorCodeOf(const CommandResult& result) {
  return result ? "ok" : std::string(ErrorCodeName(result.error().code));
}

// A batch waiting for its row locks (held by another process) is joined by
// the commands that queue meanwhile and need no other lock: one transaction
// for all, decided in arrival order (the last one finds no stock left).
TEST_F(EngineTest, CommandsThatQueueWhileABatchWaitsForItsLocksJoinItInArrivalOrder) {
  Start();
  gate_->locks_rows = true;
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 3}));
  gate_->CloseLockGate();
  auto first = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForLockAtGate(*gate_);
  std::vector<std::future<CommandResult>> joiners;
  for (int i = 1; i <= 3; ++i) {
    joiners.push_back(Send(Command{Reserve{"u" + std::to_string(i), {{"a", 1}}, 60}}));
  }
  while (engine_->QueueDepth() < 3) std::this_thread::yield();
  gate_->OpenLockGate();
  EXPECT_EQ(ErrorCodeOf(first.get()), "ok");
  EXPECT_EQ(ErrorCodeOf(joiners[0].get()), "ok");
  EXPECT_EQ(ErrorCodeOf(joiners[1].get()), "ok");
  EXPECT_EQ(ErrorCodeOf(joiners[2].get()), "out_of_stock");
  engine_->Stop();
  EXPECT_EQ(batch_sizes_.back(), 4u);        // one batch
  EXPECT_EQ(gate_->lock_plans.size(), 2u);   // the item's creation, then that batch
  ASSERT_EQ(gate_->joined_plans.size(), 1u);
  EXPECT_EQ(gate_->joined_plans[0].item_ids, (std::vector<std::string>{"a"}));
  EXPECT_EQ(ReadItem("a").held, 3);
}

// A queued command that needs a lock the waiting batch did not plan (item
// "b") cannot join it: taking it now would lock out of the global order. It
// waits for the next batch, and so does every command behind it, even one
// the batch's locks would cover: nothing overtakes an earlier command.
TEST_F(EngineTest, ACommandNeedingAnotherLockWaitsForTheNextBatchWithAllBehindIt) {
  Start();
  gate_->locks_rows = true;
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  ASSERT_TRUE(Execute(CreateItem{.id = "b", .on_hand = 10}));
  gate_->CloseLockGate();
  auto first = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForLockAtGate(*gate_);
  auto other = Send(Command{Reserve{"u1", {{"b", 1}}, 60}});
  auto behind = Send(Command{Reserve{"u2", {{"a", 1}}, 60}});
  while (engine_->QueueDepth() < 2) std::this_thread::yield();
  gate_->OpenLockGate();
  EXPECT_EQ(ErrorCodeOf(first.get()), "ok");
  EXPECT_EQ(ErrorCodeOf(other.get()), "ok");
  EXPECT_EQ(ErrorCodeOf(behind.get()), "ok");
  engine_->Stop();
  ASSERT_EQ(batch_sizes_.size(), 4u);
  EXPECT_EQ(batch_sizes_[2], 1u);
  EXPECT_EQ(batch_sizes_[3], 2u);
  EXPECT_TRUE(gate_->joined_plans.empty());
  EXPECT_EQ(gate_->lock_plans.back().item_ids, (std::vector<std::string>{"a", "b"}));
}

// Joining commands bring their idempotency keys to the store (to fetch in
// one go), and a key already answered replays as it would in a batch of
// its own; a confirm joins only a batch that locked its reservation.
TEST_F(EngineTest, JoiningCommandsKeepIdempotencyAndNeedTheirReservationLocked) {
  Start();
  gate_->locks_rows = true;
  ASSERT_TRUE(Execute(CreateItem{.id = "a", .on_hand = 10}));
  auto keyed = [](std::string key) {
    IdempotencyKey idem{.key = std::move(key), .fingerprint = "fp"};
    idem.render = [](const CommandResult& r) {
      return IdempotencyRecord{.status = r ? 201 : 409,
                               .body = r ? std::get<Reservation>(r->value).id : ""};
    };
    return Command{Reserve{"u", {{"a", 1}}, 60}, "alice", idem};
  };
  const std::string held = Held(engine_->Execute(keyed("k1")));
  gate_->CloseLockGate();
  auto first = Send(Command{Reserve{"u0", {{"a", 1}}, 60}});
  WaitForLockAtGate(*gate_);
  auto again = Send(keyed("k1"));
  auto fresh = Send(keyed("k2"));
  auto confirm = Send(Command{ConfirmReservation{held}});  // its reservation is not locked
  while (engine_->QueueDepth() < 3) std::this_thread::yield();
  gate_->OpenLockGate();
  EXPECT_EQ(ErrorCodeOf(first.get()), "ok");
  CommandResult replayed = again.get();
  ASSERT_TRUE(replayed);
  ASSERT_TRUE(std::holds_alternative<Replay>(replayed->value));
  EXPECT_EQ(std::get<Replay>(replayed->value).body, held);
  EXPECT_EQ(ErrorCodeOf(fresh.get()), "ok");
  EXPECT_EQ(ErrorCodeOf(confirm.get()), "ok");
  engine_->Stop();
  ASSERT_EQ(gate_->joined_plans.size(), 1u);
  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(gate_->joined_plans[0].idempotency_keys,
            (std::vector<Key>{{"alice", "k1"}, {"alice", "k2"}}));
  EXPECT_EQ(batch_sizes_[batch_sizes_.size() - 2], 3u);  // u0, k1, k2
  EXPECT_EQ(batch_sizes_.back(), 1u);                    // the confirm
  EXPECT_EQ(gate_->lock_plans.back().reservation_ids, (std::vector<std::string>{held}));
  EXPECT_EQ(ReadItem("a").held, 2);
  EXPECT_EQ(ReadItem("a").sold, 1);
}

}  // namespace
}  // namespace allot
