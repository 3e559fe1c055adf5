// Several engines (as several allot processes would run them) on one
// PostgreSQL database: lock ordering under crossing load, sweeps that split
// the work, idempotency keys and item creation raced across instances, and
// the faults: a killed connection, a stopped server.
#include <gmock/gmock.h>

#include <atomic>
#include <deque>
#include <future>
#include <random>
#include <thread>

#include "allot/engine.h"
#include "allot/postgres_store.h"
#include "pg_cluster.h"
#include "pg_invariants.h"
#include "audit/audit_source.h"
#include "postgres_test_backend.h"
#include "store/postgres_writer.h"

namespace allot::store_test {
namespace {

using ::testing::HasSubstr;

using testing::kBrokenItemsSql;

struct Instance {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<StoreReader> reader;
  pg::PostgresWriter* writer = nullptr;  // owned by the engine
};

class PostgresEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(backend_.dbname().empty()); }
  void TearDown() override {
    for (Instance& instance : instances_) {
      if (instance.engine) instance.engine->Stop();
    }
  }

  Instance& StartInstance(EngineOptions options = {}) {
    auto db = OpenPostgres(backend_.options());
    EXPECT_TRUE(Ok(db));
    Instance& instance = instances_.emplace_back();
    if (!db) return instance;
    instance.writer = dynamic_cast<pg::PostgresWriter*>(db->writer.get());
    instance.reader = std::move(db->reader);
    auto engine = Engine::Start(std::move(db->writer), std::move(options));
    EXPECT_TRUE(Ok(engine));
    if (engine) instance.engine = std::move(*engine);
    return instance;
  }

  // The audit's verdict on the database: every counter as the journal's
  // movements and records add up (SQL cannot read the journal).
  ::testing::AssertionResult AuditClean() {
    auto report = audit::AuditDatabase(backend_.options().conninfo);
    if (!report) return ::testing::AssertionFailure() << report.error().message;
    if (report->clean()) return ::testing::AssertionSuccess();
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    for (const audit::Drift& drift : report->drifts) failure << audit::FormatDrift(drift) << "\n";
    return failure;
  }

  // Movements of `kind` in the journal.
  std::string CountMovements(LedgerKind kind) {
    std::int64_t count = 0;
    for (const Change& change : backend_.ReadJournal()) {
      for (const Movement& m : change.movements) count += m.kind == kind ? 1 : 0;
    }
    return std::to_string(count);
  }

  std::optional<std::string> Query(std::string_view sql) {
    std::string error;
    auto value = backend_.cluster().Query(backend_.dbname(), sql, &error);
    EXPECT_TRUE(value.has_value()) << sql << ": " << error;
    return value;
  }

  // Stops every engine and closes its connections (which flushes their
  // statistics, e.g. deadlock counts, to the server).
  void StopAll() {
    for (Instance& instance : instances_) {
      if (instance.engine) instance.engine->Stop();
      instance.engine.reset();
      instance.reader.reset();
    }
  }

  PostgresTestBackend backend_;
  std::deque<Instance> instances_;
};

CommandResult CreateItemOn(Engine& engine, std::string id, std::int64_t on_hand) {
  return engine.Execute(Command{CreateItem{.id = std::move(id), .on_hand = on_hand}});
}

std::string ReservationIdOf(const CommandResult& result) {
  return std::get<Reservation>(result->value).id;
}

// Two instances reserve item pairs in crossing orders (X,Y on one, Y,X on
// the other), confirm and cancel across instances, with holds expiring and
// sweeps running. Without the global lock order this deadlocks quickly.
TEST_F(PostgresEngineTest, CrossingLockOrderNeverDeadlocksAndKeepsCounters) {
  EngineOptions options{.batch_max = 64, .sweep_interval_ms = 50, .sweep_limit = 50};
  Instance& a = StartInstance(options);
  Instance& b = StartInstance(options);
  ASSERT_TRUE(a.engine && b.engine);
  const std::vector<std::string> items = {"item-a", "item-b", "item-c", "item-d"};
  for (const std::string& id : items) ASSERT_TRUE(Ok(CreateItemOn(*a.engine, id, 400)));

  std::atomic<bool> stop = false;
  std::atomic<int> unavailable = 0, reserved = 0, confirmed = 0;
  std::mutex failure_mu;
  std::string failure;
  auto worker = [&](int seed) {
    std::mt19937 random(seed);
    Engine* engines[2] = {a.engine.get(), b.engine.get()};
    std::vector<std::string> mine;
    while (!stop.load()) {
      const std::string& x = items[random() % items.size()];
      const std::string& y = items[random() % items.size()];
      Engine& engine = *engines[seed % 2];
      // Two-second holds, so expiry and sweeps take part while this runs.
      CommandResult result =
          engine.Execute(Command{Reserve{.user_id = "u" + std::to_string(seed),
                                         .lines = {{x, 1}, {y, 1}},
                                         .ttl_seconds = (random() % 2 == 0) ? 2 : 60}});
      if (result) {
        ++reserved;
        mine.push_back(ReservationIdOf(result));
      }
      if (!mine.empty() && random() % 3 == 0) {
        const std::string id = mine[random() % mine.size()];
        Engine& other = *engines[(seed + 1) % 2];
        result = random() % 2 == 0 ? other.Execute(Command{ConfirmReservation{.id = id}})
                                   : other.Execute(Command{CancelReservation{.id = id}});
        if (result && std::holds_alternative<Confirmation>(result->value)) ++confirmed;
      }
      if (!result && result.error().code == ErrorCode::kUnavailable) {
        ++unavailable;
        std::lock_guard lock(failure_mu);
        failure = result.error().message;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) threads.emplace_back(worker, i);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  stop = true;
  for (std::thread& thread : threads) thread.join();
  StopAll();

  EXPECT_EQ(unavailable.load(), 0) << failure;
  EXPECT_GT(reserved.load(), 100);
  EXPECT_GT(confirmed.load(), 10);
  EXPECT_EQ(Query(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditClean());
  // Retries would hide deadlocks from the clients; the server counts them.
  EXPECT_EQ(Query("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"),
            "0");
}

// Holds that expire together are swept by two instances at once: each hold
// is released exactly once (one expire movement), nothing goes negative.
TEST_F(PostgresEngineTest, SweepsOnSeveralInstancesReleaseEachHoldOnce) {
  ManualClock clock(1'800'000'000'000);
  EngineOptions options{.sweep_interval_ms = 10, .sweep_limit = 40, .clock = &clock};
  Instance& a = StartInstance(options);
  Instance& b = StartInstance(options);
  ASSERT_TRUE(a.engine && b.engine);
  for (const char* id : {"item-a", "item-b", "item-c"}) {
    ASSERT_TRUE(Ok(CreateItemOn(*a.engine, id, 1000)));
  }
  std::vector<std::future<CommandResult>> pending;
  for (int i = 0; i < 300; ++i) {
    auto promise = std::make_shared<std::promise<CommandResult>>();
    pending.push_back(promise->get_future());
    const std::string first = i % 3 == 0 ? "item-a" : (i % 3 == 1 ? "item-b" : "item-c");
    (i % 2 == 0 ? a : b)
        .engine->Submit(
            Command{
                Reserve{.user_id = "u", .lines = {{first, 1}, {"item-a", 1}}, .ttl_seconds = 1}},
            [promise](CommandResult r) { promise->set_value(std::move(r)); });
  }
  for (auto& future : pending) ASSERT_TRUE(Ok(future.get()));
  ASSERT_EQ(Query("SELECT sum(held) FROM items"), "600");

  clock.Advance(2'000);
  for (int i = 0; i < 500 && Query("SELECT sum(held) FROM items") != "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  StopAll();
  EXPECT_EQ(Query("SELECT sum(held) FROM items"), "0");
  EXPECT_EQ(Query("SELECT count(*) FROM reservations WHERE status = 'expired'"), "300");
  // One expire row per item per reservation (lines on one item count once).
  EXPECT_EQ(CountMovements(LedgerKind::kExpire), "500");
  EXPECT_EQ(Query(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditClean());
}

// A hold that is due on a named item and also holds an item no command
// names: the lock phase starts over to lock that item first, and the hold is
// released on both.
TEST_F(PostgresEngineTest, DueHoldOnANamedItemReleasesItsOtherItemsToo) {
  ManualClock clock(1'800'000'000'000);
  Instance& a = StartInstance({.sweep_interval_ms = 3'600'000, .clock = &clock});
  ASSERT_TRUE(a.engine);
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-a", 10)));
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-b", 10)));
  CommandResult first = a.engine->Execute(
      Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}, {"item-b", 2}}, .ttl_seconds = 1}});
  ASSERT_TRUE(Ok(first));
  clock.Advance(2'000);
  ASSERT_TRUE(Ok(a.engine->Execute(Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}})));
  EXPECT_EQ(Query("SELECT string_agg(id || '=' || held, ',' ORDER BY id) FROM items"),
            "item-a=1,item-b=0");
  EXPECT_EQ(Query("SELECT status FROM reservations WHERE id = '" + ReservationIdOf(first) + "'"),
            "expired");
  EXPECT_EQ(Query(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditClean());
}

// The same Idempotency-Key sent to two instances at the same moment: one
// effect, and both answers are the same.
TEST_F(PostgresEngineTest, IdempotencyKeyIsExactlyOnceAcrossInstances) {
  Instance& a = StartInstance();
  Instance& b = StartInstance();
  ASSERT_TRUE(a.engine && b.engine);
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-a", 1000)));
  auto command = [](int n) {
    IdempotencyKey key{.key = "key-" + std::to_string(n), .fingerprint = "fp"};
    key.render = [](const CommandResult& result) {
      return IdempotencyRecord{.status = result ? 201 : 409,
                               .body = result ? ReservationIdOf(result) : "refused"};
    };
    return Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}, "alice", key};
  };
  auto answer = [](const CommandResult& result) {
    if (!result) return "error: " + result.error().message;
    if (auto* replay = std::get_if<Replay>(&result->value)) return replay->body;
    return ReservationIdOf(result);
  };
  for (int n = 0; n < 40; ++n) {
    auto on_a = std::async(std::launch::async, [&] { return a.engine->Execute(command(n)); });
    auto on_b = std::async(std::launch::async, [&] { return b.engine->Execute(command(n)); });
    const std::string from_a = answer(on_a.get());
    const std::string from_b = answer(on_b.get());
    EXPECT_EQ(from_a, from_b) << "key " << n;
    EXPECT_THAT(from_a, HasSubstr("rsv_"));
  }
  EXPECT_EQ(Query("SELECT count(*) FROM reservations"), "40");
  EXPECT_EQ(Query("SELECT held FROM items"), "40");
}

// Two instances create the same new item at once: one creates it, the
// other's batch is re-run and finds it (an identical create answers 200).
TEST_F(PostgresEngineTest, SameNewItemCreatedOnTwoInstances) {
  Instance& a = StartInstance();
  Instance& b = StartInstance();
  ASSERT_TRUE(a.engine && b.engine);
  for (int n = 0; n < 20; ++n) {
    const std::string id = "item-" + std::to_string(n);
    auto on_a = std::async(std::launch::async, [&] { return CreateItemOn(*a.engine, id, 5); });
    auto on_b = std::async(std::launch::async, [&] { return CreateItemOn(*b.engine, id, 5); });
    CommandResult ra = on_a.get(), rb = on_b.get();
    ASSERT_TRUE(Ok(ra));
    ASSERT_TRUE(Ok(rb));
    EXPECT_EQ(ra->created + rb->created, 1) << id;
  }
  EXPECT_EQ(CountMovements(LedgerKind::kCreate), "20");
}

// A new database: the writer's statements get their cached plans while
// `holds` is nearly empty. Every batch's lock phase still looks up due holds
// by index, not by reading the whole table (which it did, growing with the
// table, until an ANALYZE replanned).
TEST_F(PostgresEngineTest, LockPhaseFindsDueHoldsByIndexOnANewDatabase) {
  Instance& a = StartInstance();
  ASSERT_TRUE(a.engine);
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-a", 1'000'000)));
  // Creating the indexes scanned it (the migration's session has ended).
  const std::string seq_scans = "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'holds'";
  const std::optional<std::string> before = Query(seq_scans);
  ASSERT_TRUE(before);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::future<CommandResult>> pending;
    for (int i = 0; i < 300; ++i) {
      auto promise = std::make_shared<std::promise<CommandResult>>();
      pending.push_back(promise->get_future());
      a.engine->Submit(Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}},
                       [promise](CommandResult r) { promise->set_value(std::move(r)); });
    }
    for (auto& future : pending) ASSERT_TRUE(Ok(future.get()));
  }
  StopAll();  // flushes the sessions' statistics
  EXPECT_EQ(Query(seq_scans), before);
  EXPECT_EQ(Query("SELECT count(*) FROM holds"), "6000");
}

// Another process holds the hot row's lock; the batch that waits for it is
// joined by the commands that queue meanwhile on the rows it locks: one
// transaction, decided in arrival order (the last of them finds the stock
// gone). A command on another row cannot join without locking out of
// order: it waits for the next batch, with everything queued behind it.
TEST_F(PostgresEngineTest, BatchWaitingForARowLockTakesInWhatQueuesForItsRows) {
  std::mutex mu;
  std::vector<std::size_t> sizes;
  Instance& a = StartInstance({.on_batch = [&](std::size_t commands, std::int64_t) {
    std::lock_guard lock(mu);
    sizes.push_back(commands);
  }});
  ASSERT_TRUE(a.engine);
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-a", 3)));
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-b", 10)));
  auto holder = pg::Connect(backend_.options().conninfo, 5);
  ASSERT_TRUE(Ok(holder));
  ASSERT_TRUE(Ok(pg::Exec(holder->get(), "BEGIN; SELECT 1 FROM items WHERE id = 'item-a' FOR UPDATE",
                          "Holding the row")));
  {
    std::lock_guard lock(mu);
    sizes.clear();
  }
  auto submit = [&](std::string user, std::string item) {
    auto promise = std::make_shared<std::promise<CommandResult>>();
    auto future = promise->get_future();
    a.engine->Submit(Command{Reserve{.user_id = std::move(user), .lines = {{std::move(item), 1}}}},
                     [promise](CommandResult r) { promise->set_value(std::move(r)); });
    return future;
  };
  auto first = submit("u0", "item-a");
  const std::string waiting =
      "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(a.writer->backend_pid()) +
      " AND wait_event_type = 'Lock'";
  for (int i = 0; i < 500 && Query(waiting) != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(Query(waiting), "1");
  std::vector<std::future<CommandResult>> joiners;
  for (const char* user : {"u1", "u2", "u3"}) joiners.push_back(submit(user, "item-a"));
  auto other_row = submit("u4", "item-b");
  auto behind = submit("u5", "item-a");
  ASSERT_EQ(a.engine->QueueDepth(), 5u);
  ASSERT_TRUE(Ok(pg::Exec(holder->get(), "COMMIT", "Releasing the row")));

  auto code = [](const CommandResult& r) {
    return r ? std::string("ok") : std::string(ErrorCodeName(r.error().code));
  };
  EXPECT_EQ(code(first.get()), "ok");
  EXPECT_EQ(code(joiners[0].get()), "ok");
  EXPECT_EQ(code(joiners[1].get()), "ok");
  EXPECT_EQ(code(joiners[2].get()), "out_of_stock");
  EXPECT_EQ(code(other_row.get()), "ok");
  EXPECT_EQ(code(behind.get()), "out_of_stock");
  StopAll();
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 2}));
  EXPECT_EQ(Query("SELECT string_agg(id || '=' || held, ',' ORDER BY id) FROM items"),
            "item-a=3,item-b=1");
  EXPECT_EQ(Query(kBrokenItemsSql), "0");
  EXPECT_TRUE(AuditClean());
}

// pg_terminate_backend on the writer's connection: the next batch fails as
// unavailable (nothing acknowledged), the one after reconnects and succeeds.
TEST_F(PostgresEngineTest, LostConnectionFailsOneBatchThenReconnects) {
  Instance& a = StartInstance();
  ASSERT_TRUE(a.engine);
  ASSERT_TRUE(Ok(CreateItemOn(*a.engine, "item-a", 10)));
  const int pid = a.writer->backend_pid();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(Query("SELECT pg_terminate_backend(" + std::to_string(pid) + ")"), "t");

  CommandResult lost =
      a.engine->Execute(Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}});
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable);
  CommandResult next =
      a.engine->Execute(Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}});
  ASSERT_TRUE(Ok(next));
  EXPECT_NE(a.writer->backend_pid(), pid);
  EXPECT_EQ(Query("SELECT held FROM items"), "1");  // only the acknowledged one
  EXPECT_EQ(Query("SELECT count(*) FROM reservations"), "1");
}

// Readers and the writer while the server is stopped and after it is back:
// Ping (/readyz) fails, writes fail as unavailable, both recover.
TEST(PostgresOutageTest, PingAndWritesFollowTheServerDownAndUp) {
  std::string error;
  auto cluster = testing::PgCluster::Create(&error);
  ASSERT_NE(cluster, nullptr) << error;
  ASSERT_TRUE(cluster->Query("postgres", "CREATE DATABASE outage", &error)) << error;
  PostgresOptions options{.conninfo = cluster->Url("outage"),
                          .reader_connections = 2,
                          .initial_backoff_ms = 10,
                          .max_backoff_ms = 100};
  auto db = OpenPostgres(options);
  ASSERT_TRUE(Ok(db));
  std::unique_ptr<StoreReader> reader = std::move(db->reader);
  auto engine = Engine::Start(std::move(db->writer), {});
  ASSERT_TRUE(Ok(engine));
  ASSERT_TRUE(Ok(CreateItemOn(**engine, "item-a", 10)));
  ASSERT_TRUE(Ok(reader->Ping()));

  ASSERT_TRUE(cluster->Stop(&error)) << error;
  EXPECT_FALSE(reader->Ping());
  EXPECT_FALSE(reader->Ping());  // every pooled connection notices
  CommandResult refused =
      (*engine)->Execute(Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);

  ASSERT_TRUE(cluster->Start(&error)) << error;
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    ready = reader->Ping() && reader->Ping();
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(ready);
  CommandResult accepted;
  for (int i = 0; i < 50; ++i) {
    accepted = (*engine)->Execute(Command{Reserve{.user_id = "u", .lines = {{"item-a", 1}}}});
    if (accepted) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(Ok(accepted));
  auto item = reader->GetItem("item-a", SystemClock().NowMs());
  ASSERT_TRUE(Ok(item));
  EXPECT_EQ((*item)->held, 1);
  (*engine)->Stop();
}

}  // namespace
}  // namespace allot::store_test
