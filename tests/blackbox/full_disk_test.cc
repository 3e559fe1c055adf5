// The SQLite database on a tiny tmpfs that the test fills up: while the disk
// is full, writes answer 503 `unavailable` (never a 2xx for something not
// stored, never a crash) and reads keep answering; the file stays intact;
// once space returns, writes succeed again without a restart; and after a
// restart everything acknowledged is there and nothing refused is.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "api.h"
#include "blackbox.h"
#include "crash_checks.h"
#include "crash_workload.h"
#include "crash_writes.h"
#include "server_process.h"
#include "sqlite_file.h"
#include "tmpfs_mount.h"

namespace allot::testing {
namespace {

// Small enough to fill in a blink, large enough for the database and a WAL
// that has grown to its checkpoint size (about 4 MiB).
constexpr std::int64_t kTmpfsBytes = 8 << 20;
// Writers while the disk is full (so batches hold several commands), and
// the bounds on what they do.
constexpr int kWriters = 4;
constexpr int kMaxWritesWhileFull = 5'000;
constexpr int kRefusalsWanted = 60;

using Clock = std::chrono::steady_clock;

std::int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    mount_ = TmpfsMount::Create(kTmpfsBytes, &why);
    if (mount_ == nullptr) {
      if (std::getenv("CI") != nullptr) FAIL() << "CI runs as root and must mount a tmpfs: " << why;
      GTEST_SKIP() << "needs root to mount a small tmpfs: " << why;
    }
    filler_ = mount_->path() + "/filler";
    server_.set_db_path(mount_->path() + "/allot.db");
    ASSERT_TRUE(server_.Start());
    Api api(server_.port());
    for (const auto& [item, stock] : model_.initial_stock()) {
      ASSERT_EQ(api.CreateItem(item, stock).status, 201);
    }
    for (int t = 0; t < kWriters; ++t) makers_.emplace_back(t, seed_ + t, model_, keys_);
  }

  // Always unmounts, whatever failed: the server goes first (it holds the
  // database open), then the mount.
  void TearDown() override {
    if (std::optional<int> status = server_.Poll()) {
      ADD_FAILURE() << "the server died (wait status " << *status << "):\n" << server_.output();
    }
    server_.Kill();
    mount_.reset();
  }

  // One write of writer `t`; its answer goes into the model. Thread-safe
  // for distinct `t`.
  Response Write(HttpClient& client, int t) {
    WriteRequest request = makers_[t].Next();
    Response response = Send(client, request);
    EXPECT_NE(model_.Apply(request, response), WriteOutcome::kUnknown)
        << "no answer to " << request.path << ": " << Describe(response);
    std::lock_guard lock(mu_);
    ++statuses_[response.status];
    if (response.status == 503) refused_.push_back(std::move(request));
    return response;
  }

  void WriteHealthy(int n) {
    HttpClient client(server_.port());
    for (int i = 0; i < n; ++i) ASSERT_NE(Write(client, 0).status, 503);
  }

  // Fills the disk, then writes from kWriters connections until
  // kRefusalsWanted writes were refused, probing reads meanwhile. Every
  // answer must be a 2xx, a 409 or 503 `unavailable`.
  void WriteWhileFull() {
    std::string error;
    filled_bytes_ = FillUntilFull(filler_, &error);
    ASSERT_GE(filled_bytes_, 0) << error;
    std::atomic<int> refusals = 0, writes = 0;
    std::vector<std::jthread> writers;
    for (int t = 0; t < kWriters; ++t) {
      writers.emplace_back([&, t] {
        HttpClient client(server_.port());
        while (refusals.load() < kRefusalsWanted && writes.fetch_add(1) < kMaxWritesWhileFull) {
          Response answer = Write(client, t);
          if (answer.status == 503) {
            EXPECT_TRUE(IsError(answer, 503, "unavailable"));
            ++refusals;
          } else {
            EXPECT_TRUE(answer.status / 100 == 2 || answer.status == 409) << Describe(answer);
          }
          if (!answer.ok()) return;
        }
      });
    }
    // Reads and probes keep answering meanwhile.
    HttpClient prober(server_.port());
    while (refusals.load() < kRefusalsWanted && writes.load() < kMaxWritesWhileFull &&
           !server_.Poll()) {
      EXPECT_EQ(prober.Get("/healthz").status, 200);
      EXPECT_EQ(prober.Get(ApiPath("/items/" + std::string(kHotItem))).status, 200);
      ++readyz_while_full_[prober.Get("/readyz").status];
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    writers.clear();
    writes_while_full_ = std::min(writes.load(), kMaxWritesWhileFull);
    ASSERT_FALSE(server_.Poll().has_value()) << server_.output();
    ASSERT_GE(refusals.load(), kRefusalsWanted)
        << "the server never found the disk full in " << writes_while_full_ << " writes";
    // Reads still answer, everything acknowledged is there, the file is sound.
    CheckRecordsOverHttp(server_.port(), model_);
    EXPECT_EQ(IntegrityCheck(), "ok");
  }

  // Deletes the filler and writes until one is acknowledged (bounded).
  void FreeSpaceAndRecover() {
    ASSERT_EQ(unlink(filler_.c_str()), 0);
    const auto freed = Clock::now();
    HttpClient client(server_.port());
    bool recovered = false;
    while (!recovered && MsSince(freed) < 10'000) {
      recovered = Write(client, 0).status / 100 == 2;
    }
    recovery_ms_ = MsSince(freed);
    ASSERT_TRUE(recovered) << "writes still fail 10 s after space returned:\n" << server_.output();
    for (int i = 0; i < 100; ++i) EXPECT_NE(Write(client, 0).status, 503);
    CheckRecordsOverHttp(server_.port(), model_);
  }

  // Nothing refused was stored: sent again with its key, none is a replay.
  void ResendRefused() {
    HttpClient client(server_.port());
    int replayed = 0;
    for (const WriteRequest& request : refused_) {
      Response again = Send(client, request);
      if (again.Header("Idempotent-Replayed") == "true") ++replayed;
      EXPECT_NE(model_.Apply(request, again), WriteOutcome::kUnknown);
    }
    EXPECT_EQ(replayed, 0) << "writes answered 503 were stored anyway";
  }

  // The stopped server's file, checked (SQLite's integrity check, `allot
  // audit`) against the model.
  void CheckFile() {
    SqliteFile db(server_.db_path());
    ASSERT_TRUE(db.ok()) << db.error();
    EXPECT_EQ(db.QueryAll("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(db.QueryAll("PRAGMA foreign_key_check"), "");
    CheckAuditAgainstModel(server_.db_path(), model_);
  }

  // Restarts on the same database: everything acknowledged is there, keys
  // replay, and writes succeed.
  void RestartAndCheck() {
    ASSERT_TRUE(server_.Start());
    CheckRecordsOverHttp(server_.port(), model_);
    for (int cycle = 0; cycle <= 3; ++cycle) {
      replays_ += CheckReplays(server_.port(), model_.acknowledged_in(cycle));
    }
    HttpClient client(server_.port());
    for (int i = 0; i < 20; ++i) {
      Response answer = Write(client, 0);
      EXPECT_TRUE(answer.status / 100 == 2 || answer.status == 409) << Describe(answer);
    }
  }

  std::string IntegrityCheck() {
    SqliteFile db(server_.db_path());
    if (!db.ok()) return "cannot open: " + db.error();
    return db.QueryAll("PRAGMA integrity_check").value_or("error: " + db.error());
  }

  void Report(std::string_view scenario) {
    std::cout << "[full disk] " << scenario << ": " << filled_bytes_ << " filler bytes; "
              << writes_while_full_ << " writes while full; "
              << (recovery_ms_ >= 0 ? "writes succeeded again " + std::to_string(recovery_ms_) +
                                          " ms after space returned"
                                    : std::string("recovered by a restart"))
              << "; " << model_.acknowledged_count() << " acknowledged writes checked, " << replays_
              << " replays; statuses:";
    for (const auto& [status, count] : statuses_) std::cout << " " << status << "x" << count;
    std::cout << "; /readyz while full:";
    for (const auto& [status, count] : readyz_while_full_) {
      std::cout << " " << status << "x" << count;
    }
    std::cout << "\n";
  }

  const std::uint64_t seed_ = CrashSeed();
  std::unique_ptr<TmpfsMount> mount_;
  std::string filler_;
  ServerProcess server_;
  CrashModel model_{CrashItems()};
  std::atomic<int> keys_ = 0;
  std::vector<WriteMaker> makers_;  // one per writer

  std::mutex mu_;
  std::map<int, int> statuses_;        // every write's status; guarded by mu_
  std::vector<WriteRequest> refused_;  // writes answered 503; guarded by mu_
  std::map<int, int> readyz_while_full_;
  std::int64_t filled_bytes_ = 0;
  int writes_while_full_ = 0;
  std::int64_t recovery_ms_ = -1;
  std::int64_t replays_ = 0;
};

// The WAL has grown to its checkpoint size first, so writes while full
// reuse it until a checkpoint cannot grow the database file.
TEST_F(FullDiskTest, WritesAreRefusedWhileFullAndSucceedOnceSpaceReturns) {
  SCOPED_TRACE("rerun with ALLOT_CRASH_SEED=" + std::to_string(seed_));
  model_.set_cycle(1);
  WriteHealthy(150);
  model_.set_cycle(2);
  WriteWhileFull();
  model_.set_cycle(3);
  FreeSpaceAndRecover();
  ResendRefused();
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  std::optional<int> exit = server_.Wait();
  ASSERT_TRUE(exit && WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0) << server_.output();
  CheckFile();
  RestartAndCheck();
  Report("grown WAL");
}

// Full before the WAL ever grew: the first commits cannot append to it.
TEST_F(FullDiskTest, FullFromTheStartRefusesWritesAndRecovers) {
  SCOPED_TRACE("rerun with ALLOT_CRASH_SEED=" + std::to_string(seed_));
  model_.set_cycle(2);
  WriteWhileFull();
  model_.set_cycle(3);
  FreeSpaceAndRecover();
  ResendRefused();
  ASSERT_TRUE(server_.Terminate(SIGTERM));
  ASSERT_TRUE(server_.Wait().has_value());
  CheckFile();
  RestartAndCheck();
  Report("fresh WAL");
}

// kill -9 while the disk is full (commits failing): after space returns a
// restart recovers the database with everything acknowledged.
TEST_F(FullDiskTest, KilledWhileFullRestartsWithEverythingAcknowledged) {
  SCOPED_TRACE("rerun with ALLOT_CRASH_SEED=" + std::to_string(seed_));
  model_.set_cycle(1);
  WriteHealthy(100);
  model_.set_cycle(2);
  WriteWhileFull();
  server_.Kill();
  ASSERT_EQ(unlink(filler_.c_str()), 0);
  CheckFile();
  model_.set_cycle(3);
  RestartAndCheck();
  ResendRefused();
  Report("killed while full");
}

}  // namespace
}  // namespace allot::testing
