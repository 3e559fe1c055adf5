// What the PostgreSQL store does when its server stops being a primary it
// can write to, on a throwaway cluster of their own (they change
// server-wide settings): a server fenced read-only is left (writes and
// Ping fail) until it takes writes again; a COMMIT whose answer is lost
// while it waits for a synchronous standby is reported as unknown, not as
// "nothing was done", because it may have committed; a multi-host URL
// finds the host that is up; and the startup check of synchronous
// replication.
#include <gmock/gmock.h>

#include <chrono>
#include <future>
#include <thread>

#include "allot/engine.h"
#include "allot/postgres_store.h"
#include "pg_cluster.h"
#include "store/postgres_writer.h"
#include "store_conformance.h"

namespace allot::store_test {
namespace {

using ::testing::HasSubstr;

// One cluster for the suite (initdb costs seconds), a database per test;
// server-wide settings a test changes are reset after it.
class PostgresFailoverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    cluster_ = testing::PgCluster::Create(&error).release();
    if (cluster_ == nullptr) ADD_FAILURE() << error;
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    static int next = 0;
    dbname_ = "failover_" + std::to_string(++next);
    ASSERT_TRUE(Sql("postgres", "CREATE DATABASE " + dbname_));
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
    if (cluster_ != nullptr) {
      Sql("postgres", "ALTER SYSTEM RESET ALL");
      Sql("postgres", "SELECT pg_reload_conf()");
    }
  }

  std::optional<std::string> Sql(std::string_view dbname, std::string_view sql) {
    std::string error;
    auto value = cluster_->Query(dbname, sql, &error);
    EXPECT_TRUE(value.has_value()) << sql << ": " << error;
    return value;
  }
  // A server-wide setting, applied to every session at its next statement.
  void SetServerWide(std::string_view setting) {
    ASSERT_TRUE(Sql("postgres", "ALTER SYSTEM SET " + std::string(setting)));
    ASSERT_EQ(Sql("postgres", "SELECT pg_reload_conf()"), "t");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the reload is asynchronous
  }

  PostgresOptions Options(std::string conninfo = "") const {
    return PostgresOptions{.conninfo = conninfo.empty() ? cluster_->Url(dbname_) : conninfo,
                           .reader_connections = 2,
                           .initial_backoff_ms = 10,
                           .max_backoff_ms = 50};
  }

  // Opens the store and starts an engine on its writer.
  void Open(std::string conninfo = "") {
    auto db = OpenPostgres(Options(std::move(conninfo)));
    ASSERT_TRUE(Ok(db));
    writer_ = dynamic_cast<pg::PostgresWriter*>(db->writer.get());
    reader_ = std::move(db->reader);
    replication_ = db->replication;
    auto engine = Engine::Start(std::move(db->writer), {});
    ASSERT_TRUE(Ok(engine));
    engine_ = std::move(*engine);
  }

  CommandResult ReserveOne() {
    return engine_->Execute(Command{Reserve{.user_id = "u", .lines = {{"item", 1}}}});
  }

  // Retries `attempt` for up to five seconds; its last result.
  template <typename Attempt>
  static auto Eventually(Attempt attempt) {
    auto result = attempt();
    for (int i = 0; i < 100 && !result; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      result = attempt();
    }
    return result;
  }

  static testing::PgCluster* cluster_;
  std::string dbname_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<StoreReader> reader_;
  pg::PostgresWriter* writer_ = nullptr;  // owned by the engine
  ReplicationState replication_;
};

// default_transaction_read_only turned on server-wide is how a failover
// manager fences an old primary: sessions already open stay open, but may
// no longer write, and what they read may be stale.
testing::PgCluster* PostgresFailoverTest::cluster_ = nullptr;

TEST_F(PostgresFailoverTest, FencedReadOnlyServerIsLeftUntilItTakesWritesAgain) {
  Open();
  ASSERT_TRUE(Ok(engine_->Execute(Command{CreateItem{.id = "item", .on_hand = 10}})));
  ASSERT_TRUE(Ok(reader_->Ping()));

  SetServerWide("default_transaction_read_only = on");
  CommandResult refused = ReserveOne();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(writer_->backend_pid(), 0) << "the read-only server's session must be dropped";
  // Every pooled reader notices at once (the server reports the setting
  // with each answer), so /readyz fails from the first call.
  EXPECT_FALSE(reader_->Ping());
  EXPECT_FALSE(reader_->Ping());
  CommandResult still = ReserveOne();  // reconnecting finds no server that takes writes
  ASSERT_FALSE(still);
  EXPECT_THAT(still.error().message, HasSubstr("read-only"));

  SetServerWide("default_transaction_read_only = off");
  EXPECT_TRUE(Eventually([&] { return reader_->Ping(); }));
  CommandResult accepted = Eventually([&] { return ReserveOne(); });
  ASSERT_TRUE(Ok(accepted));
  EXPECT_EQ(Sql(dbname_, "SELECT held FROM items"), "1");  // the refused ones left nothing
}

// A COMMIT waits for the synchronous standby after it committed locally;
// if the session dies then (here pg_terminate_backend, in a failover the
// primary's death), the transaction is in the primary's WAL and may be in
// the standby's. The batch must not be answered "nothing was done".
TEST_F(PostgresFailoverTest, CommitCutOffWhileWaitingForTheStandbyIsUnknownNotUnavailable) {
  Open();
  ASSERT_TRUE(Ok(engine_->Execute(Command{CreateItem{.id = "item", .on_hand = 10}})));
  const int pid = writer_->backend_pid();
  ASSERT_GT(pid, 0);

  SetServerWide("synchronous_standby_names = 'nobody'");  // commits now wait forever
  std::future<CommandResult> waiting = std::async(std::launch::async, [&] { return ReserveOne(); });
  const std::string waits_for_standby =
      "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid) +
      " AND wait_event = 'SyncRep'";
  EXPECT_EQ(Eventually([&] { return Sql("postgres", waits_for_standby) == "1"; }), true);
  ASSERT_EQ(Sql("postgres", "SELECT pg_terminate_backend(" + std::to_string(pid) + ")"), "t");
  CommandResult cut = waiting.get();
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kOutcomeUnknown) << cut.error().message;
  EXPECT_EQ(HttpStatusOf(cut.error().code), 500);
  // And indeed it committed (locally): "nothing was done" would have lied.
  EXPECT_EQ(Sql(dbname_, "SELECT count(*) FROM reservations"), "1");

  SetServerWide("synchronous_standby_names = ''");
  ASSERT_TRUE(Ok(Eventually([&] { return ReserveOne(); })));
  EXPECT_EQ(Sql(dbname_, "SELECT held FROM items"), "2");
}

// After a failover (here: every reader's server session ended) the pooled
// connections are all dead, but a read is safe to send again: the first
// reads succeed on new connections instead of costing clients 503s.
TEST_F(PostgresFailoverTest, ReadsOnPooledConnectionsThatDiedRetryOnceOnANewOne) {
  Open();
  ASSERT_TRUE(Ok(engine_->Execute(Command{CreateItem{.id = "item", .on_hand = 10}})));
  ASSERT_TRUE(Ok(reader_->Ping()));
  const std::string readers = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + dbname_ +
                              "' AND application_name = 'allot' AND pid <> " +
                              std::to_string(writer_->backend_pid());
  ASSERT_EQ(Sql("postgres", readers), "2");
  ASSERT_TRUE(Sql("postgres",
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  "WHERE datname = '" +
                      dbname_ +
                      "' AND application_name = 'allot' "
                      "AND pid <> " +
                      std::to_string(writer_->backend_pid())));
  EXPECT_TRUE(Eventually([&] { return Sql("postgres", readers) == "0"; }));
  for (int i = 0; i < 2; ++i) {  // each pooled connection once
    auto item = reader_->GetItem("item", SystemClock().NowMs());
    ASSERT_TRUE(Ok(item));
    EXPECT_EQ((*item)->on_hand, 10);
  }
  EXPECT_TRUE(Ok(reader_->Ping()));
}

// libpq tries the hosts in order: a first host that is down costs one
// refused connect, and everything (writer, readers, clock) uses the next.
TEST_F(PostgresFailoverTest, MultiHostUrlSkipsAHostThatIsDown) {
  const int dead_port = testing::PgCluster::UnusedPort();
  const std::string url = "postgres://postgres@127.0.0.1:" + std::to_string(dead_port) +
                          ",127.0.0.1:" + std::to_string(cluster_->port()) + "/" + dbname_ +
                          "?target_session_attrs=read-write";
  Open(url);
  ASSERT_TRUE(Ok(engine_->Execute(Command{CreateItem{.id = "item", .on_hand = 10}})));
  ASSERT_TRUE(Ok(ReserveOne()));
  EXPECT_TRUE(Ok(reader_->Ping()));
  auto clock = PostgresClock::Start(url, std::chrono::milliseconds(20));
  ASSERT_TRUE(Ok(clock));
  EXPECT_NEAR(static_cast<double>((*clock)->NowMs()), static_cast<double>(SystemClock().NowMs()),
              1000.0);
}

TEST(PostgresUrlTest, MultiHostUrlsSelectPostgres) {
  EXPECT_TRUE(IsPostgresUrl("postgres://a@h1:5432,h2:5433/allot?target_session_attrs=read-write"));
  EXPECT_TRUE(IsPostgresUrl("postgresql://h1,h2/allot"));
  EXPECT_FALSE(IsPostgresUrl("h1,h2/allot.db"));
}

TEST_F(PostgresFailoverTest, ReplicationStateWithoutAStandbyWarns) {
  Open();
  EXPECT_EQ(replication_.synchronous_standby_names, "");
  EXPECT_EQ(replication_.synchronous_commit, "on");
  EXPECT_EQ(replication_.sync_standbys, 0);
  EXPECT_THAT(ReplicationWarning(replication_), HasSubstr("synchronous_standby_names is empty"));
}

TEST(ReplicationWarningTest, SaysWhatIsMissingAndNothingWhenASyncStandbyIsThere) {
  EXPECT_EQ(ReplicationWarning({"*", "on", 1, 0}), "");
  EXPECT_EQ(ReplicationWarning({"FIRST 1 (a, b)", "remote_apply", 1, 0}), "");
  EXPECT_THAT(ReplicationWarning({"", "on", 0, 0}), HasSubstr("synchronous_standby_names"));
  EXPECT_THAT(ReplicationWarning({"*", "local", 1, 0}), HasSubstr("synchronous_commit is local"));
  EXPECT_THAT(ReplicationWarning({"*", "off", 1, 0}), HasSubstr("synchronous_commit is off"));
  EXPECT_THAT(ReplicationWarning({"*", "on", 0, 0}), HasSubstr("no standby is connected"));
  EXPECT_THAT(ReplicationWarning({"*", "on", 0, 2}), HasSubstr("pg_read_all_stats"));
}

}  // namespace
}  // namespace allot::store_test
