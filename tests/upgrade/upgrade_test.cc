// A database written by the release before the journal (schema version 2,
// tests/fixtures/v2, made by make_v2_fixture.sh) opens with this build,
// migrates, and keeps everything: each record answers exactly what the old
// release answered, holds keep their expiry, stored idempotent answers
// replay, the audit is clean, and the old records can still be confirmed,
// cancelled and restarted upon. On both stores, on a clock set to the
// instant the fixture was made (its holds are then still live).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <sstream>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/postgres_store.h"
#include "allot/sqlite_store.h"
#include "api/service.h"
#include "audit/audit_source.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "pg_cluster.h"

namespace allot {
namespace {

namespace json = boost::json;
const std::string kFixtures = ALLOT_V2_FIXTURES;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "kind id [key]" lines: what the fixture's workload made.
struct Made {
  std::string kind, id, key;
};
std::vector<Made> Records(const std::string& store) {
  std::vector<Made> made;
  std::istringstream lines(ReadFile(kFixtures + "/" + store + "-records.txt"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    Made m;
    words >> m.kind >> m.id >> m.key;
    made.push_back(m);
  }
  return made;
}

std::string IdOf(const std::vector<Made>& made, std::string_view kind, std::size_t n) {
  for (const Made& m : made) {
    if (m.kind == kind && n-- == 0) return m.id;
  }
  return "";
}

// The fixture's database, opened by this build: an engine on a manual
// clock, the service and the HTTP handler (so answers are rendered as the
// old release rendered them), and a way to reopen it (a restart).
class Upgraded {
 public:
  using Opener = std::function<Expected<std::pair<std::unique_ptr<Store>, std::unique_ptr<StoreReader>>>()>;

  Upgraded(Opener open, std::int64_t now_ms) : open_(std::move(open)), clock_(now_ms) { Start(); }
  ~Upgraded() { Stop(); }

  void Start() {
    auto opened = open_();
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    reader_ = std::move(opened->second);
    auto engine = Engine::Start(std::move(opened->first), EngineOptions{.clock = &clock_});
    ASSERT_TRUE(engine.has_value());
    engine_ = std::move(*engine);
    service_ = std::make_unique<api::Service>(*engine_, *reader_, clock_);
    handler_ = std::make_unique<http::Handler>(*service_, metrics_);
  }
  void Stop() {
    if (engine_) engine_->Stop();
    handler_.reset();
    service_.reset();
    engine_.reset();
    reader_.reset();
  }

  http::HttpResponse Call(std::string method, std::string target, std::string body = "",
                          http::HeaderList headers = {}) {
    auto promise = std::make_shared<std::promise<http::HttpResponse>>();
    auto answer = promise->get_future();
    handler_->Handle({std::move(method), "/api/v1/" + target, std::move(headers), std::move(body)},
                     [promise](http::HttpResponse r) { promise->set_value(std::move(r)); });
    return answer.get();
  }
  json::value Get(const std::string& path) {
    const http::HttpResponse response = Call("GET", path);
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    return json::parse(response.body);
  }

 private:
  Opener open_;
  ManualClock clock_;
  http::Metrics metrics_;
  std::unique_ptr<StoreReader> reader_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<api::Service> service_;
  std::unique_ptr<http::Handler> handler_;
};

class UpgradeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string store = GetParam();
    made_ = Records(store);
    expected_ = json::parse(ReadFile(kFixtures + "/" + store + "-expected.json")).as_object();
    const std::int64_t made_at = std::stoll(ReadFile(kFixtures + "/made-at-ms.txt"));
    if (store == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() /
             ("allot-upgrade-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
      std::filesystem::create_directories(dir_);
      db_ = (dir_ / "allot.db").string();
      std::filesystem::copy_file(kFixtures + "/allot.db", db_);
      const std::string path = db_;
      upgraded_ = std::make_unique<Upgraded>(
          [path]() -> Expected<std::pair<std::unique_ptr<Store>, std::unique_ptr<StoreReader>>> {
            auto db = OpenSqlite({.path = path, .sync = SyncMode::kNormal});
            if (!db) return std::unexpected(db.error());
            return std::pair{std::move(db->writer), std::move(db->reader)};
          },
          made_at);
    } else {
      testing::PgCluster* cluster = testing::SharedPgCluster();
      ASSERT_NE(cluster, nullptr);
      const std::string name = cluster->NewDatabase();
      std::string error;
      ASSERT_TRUE(cluster->RunSqlFile(name, kFixtures + "/postgres.sql", &error)) << error;
      db_ = cluster->Url(name);
      const std::string url = db_;
      upgraded_ = std::make_unique<Upgraded>(
          [url]() -> Expected<std::pair<std::unique_ptr<Store>, std::unique_ptr<StoreReader>>> {
            auto db = OpenPostgres({.conninfo = url});
            if (!db) return std::unexpected(db.error());
            return std::pair{std::move(db->writer), std::move(db->reader)};
          },
          made_at);
    }
  }
  void TearDown() override {
    upgraded_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Every record answers what the old release answered. Items gained one
  // field since (withheld, for waiting lists): nobody waits on an old item,
  // so it must read 0, and the rest must be as before.
  void ExpectEveryRecordAsBefore() {
    ASSERT_GT(expected_.size(), 20u);
    for (const auto& [path, before] : expected_) {
      json::value now = upgraded_->Get(std::string(path));
      if (path.starts_with("items/") && now.is_object() && before.is_object() &&
          !before.as_object().contains("withheld")) {
        EXPECT_EQ(now.as_object()["withheld"], json::value(0)) << path;
        now.as_object().erase("withheld");
      }
      EXPECT_EQ(now, before) << path;
    }
  }

  ::testing::AssertionResult AuditClean() {
    auto report = audit::AuditDatabase(db_);
    if (!report) return ::testing::AssertionFailure() << report.error().message;
    ::testing::AssertionResult result =
        report->clean() ? ::testing::AssertionSuccess() : ::testing::AssertionFailure();
    for (const audit::Drift& drift : report->drifts) result << audit::FormatDrift(drift) << "\n";
    return result;
  }

  static inline int counter_ = 0;
  std::vector<Made> made_;
  json::object expected_;
  std::filesystem::path dir_;
  std::string db_;
  std::unique_ptr<Upgraded> upgraded_;
};

TEST_P(UpgradeTest, EveryRecordAnswersAsTheOldReleaseDid) {
  ASSERT_FALSE(HasFatalFailure());
  ExpectEveryRecordAsBefore();
}

TEST_P(UpgradeTest, TheAuditIsCleanAndTheJournalHoldsTheWholeHistory) {
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(AuditClean());
  auto report = audit::AuditDatabase(db_);
  ASSERT_TRUE(report.has_value());
  // Every ledger row of the old release became a movement of a change: 32
  // changes for the fixture's workload (its two 1 s holds expired by sweeps).
  EXPECT_EQ(report->checked.changes, 32);
  EXPECT_EQ(report->checked.reservations, 8);
  EXPECT_EQ(report->checked.orders, 4);
  EXPECT_EQ(report->checked.transfers, 5);
}

// The imported history is indexed at the upgrade: listed by user, and
// every item's history replays to its counters.
TEST_P(UpgradeTest, TheImportedHistoryIsListedAndReplaysToTheCounters) {
  ASSERT_FALSE(HasFatalFailure());
  const json::object all = upgraded_->Get("reservations?limit=1000").as_object();
  EXPECT_EQ(all.at("reservations").as_array().size(), 8u);  // as the audit counts them
  const std::string ann = IdOf(made_, "reservation", 0);
  const json::object anns = upgraded_->Get("reservations?userId=ann").as_object();
  ASSERT_EQ(anns.at("reservations").as_array().size(), 1u);
  EXPECT_EQ(anns.at("reservations").as_array()[0].as_object().at("id").as_string(), ann);
  EXPECT_FALSE(upgraded_->Get("orders?limit=1000").as_object().at("orders").as_array().empty());
  EXPECT_FALSE(
      upgraded_->Get("transfers?limit=1000").as_object().at("transfers").as_array().empty());
  for (const std::string item : {"mug", "tee"}) {
    const json::object history = upgraded_->Get("items/" + item + "/history?limit=1000").as_object();
    const json::array& entries = history.at("entries").as_array();
    ASSERT_FALSE(entries.empty()) << item;
    EXPECT_EQ(entries[0].as_object().at("kind").as_string(), "create");
    std::int64_t on_hand = 0, held = 0, sold = 0;
    for (const json::value& entry : entries) {
      on_hand += entry.as_object().at("onHandDelta").as_int64();
      held += entry.as_object().at("heldDelta").as_int64();
      sold += entry.as_object().at("soldDelta").as_int64();
    }
    const json::object now = upgraded_->Get("items/" + item).as_object();
    EXPECT_EQ(now.at("onHand").as_int64(), on_hand) << item;
    EXPECT_EQ(now.at("held").as_int64(), held) << item;  // no hold of the fixture is due yet
    EXPECT_EQ(now.at("sold").as_int64(), sold) << item;
  }
}

TEST_P(UpgradeTest, StoredIdempotentAnswersReplay) {
  ASSERT_FALSE(HasFatalFailure());
  std::string jon;
  for (const Made& m : made_) {
    if (m.kind == "idempotent" && m.key == "key-jon-1") jon = m.id;
  }
  const http::HttpResponse replay =
      upgraded_->Call("POST", "reservations",
                      R"({"userId":"jon","itemId":"tee","qty":1,"ttlSeconds":604800})",
                      {{"Idempotency-Key", "key-jon-1"}});
  EXPECT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(json::parse(replay.body).as_object().at("id").as_string(), jon);
  const http::HttpResponse refused = upgraded_->Call(
      "POST", "reservations", R"({"userId":"zed","itemId":"mug","qty":999})",
      {{"Idempotency-Key", "key-zed-1"}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  const http::HttpResponse reused = upgraded_->Call(
      "POST", "reservations", R"({"userId":"zed","itemId":"mug","qty":1})",
      {{"Idempotency-Key", "key-zed-1"}});
  EXPECT_EQ(reused.status, 422) << reused.body;
}

// The old holds are live holds of the new build: confirmed, cancelled, and
// still there with their expiry after a restart.
TEST_P(UpgradeTest, OldHoldsCanBeSettledBeforeAndAfterARestart) {
  ASSERT_FALSE(HasFatalFailure());
  const std::string ann = IdOf(made_, "reservation", 0);  // 2 mugs, held
  const std::string bob = IdOf(made_, "reservation", 1);  // 1 mug and 2 tees, held
  const std::string held_transfer = IdOf(made_, "transfer", 1);  // 800, held
  const std::string placed_order = IdOf(made_, "order", 1);  // fay's 2 mugs
  auto confirmed = upgraded_->Call("POST", "reservations/" + ann + "/confirm", "{}");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  auto cancelled = upgraded_->Call("POST", "orders/" + placed_order + "/cancel", "{}");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  json::object mug = upgraded_->Get("items/mug").as_object();
  EXPECT_EQ(mug.at("held").as_int64(), 2);    // 4, less ann's 2
  EXPECT_EQ(mug.at("sold").as_int64(), 2);    // 2 + ann's 2 - fay's 2
  EXPECT_EQ(mug.at("onHand").as_int64(), 21); // 21 - 2 + 2
  EXPECT_TRUE(AuditClean());

  upgraded_->Stop();
  upgraded_->Start();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(upgraded_->Get("reservations/" + ann).as_object().at("status").as_string(),
            "confirmed");
  EXPECT_EQ(upgraded_->Get("reservations/" + bob), expected_.at("reservations/" + bob));
  EXPECT_EQ(upgraded_->Get("transfers/" + held_transfer),
            expected_.at("transfers/" + held_transfer));
  auto bob_confirmed = upgraded_->Call("POST", "reservations/" + bob + "/confirm", "{}");
  EXPECT_EQ(bob_confirmed.status, 200) << bob_confirmed.body;
  auto transfer_confirmed =
      upgraded_->Call("POST", "transfers/" + held_transfer + "/confirm", "{}");
  EXPECT_EQ(transfer_confirmed.status, 200) << transfer_confirmed.body;
  EXPECT_EQ(upgraded_->Get("accounts/ann").as_object().at("balance").as_int64(), 3500 - 800);
  EXPECT_TRUE(AuditClean());
}

INSTANTIATE_TEST_SUITE_P(Stores, UpgradeTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace allot
