// The money and seat scenarios (tests/support/money_scenarios.h) on three
// `allot serve` processes sharing one PostgreSQL database: every process
// has its own sequencer, so crossing transfers and mixed reservations meet
// as row locks in the database, taken in one global order.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "audit_run.h"
#include "money_scenarios.h"
#include "pg_cluster.h"
#include "server_process.h"

namespace allot::testing {
namespace {

constexpr int kServers = 3;

class PgMoneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = SharedPgCluster();
    ASSERT_NE(cluster_, nullptr);
    db_ = cluster_->NewDatabase();
    ASSERT_FALSE(db_.empty());
    for (ServerProcess& server : servers_) {
      ASSERT_TRUE(server.Start({"--db", cluster_->Url(db_)}));
      ports_.push_back(server.port());
    }
  }

  // Deadlocks PostgreSQL detected in this database. The engine would retry
  // a batch that hit one, so "all requests succeeded" alone could hide them.
  std::string Deadlocks() {
    // Backends report their statistics when idle, at most once a second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    std::string error;
    auto count = cluster_->Query(
        db_, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()", &error);
    EXPECT_TRUE(count.has_value()) << error;
    return count.value_or("error");
  }

  PgCluster* cluster_ = nullptr;
  std::string db_;
  ServerProcess servers_[kServers];
  std::vector<int> ports_;
};

TEST_F(PgMoneyTest, TransferStormOnThreeInstances) {
  TransferStorm(ports_);
  // Every posting a debit and a credit of one amount, the total of the
  // balances unchanged, each counter what the journal says.
  EXPECT_TRUE(AuditsClean(cluster_->Url(db_)));
  EXPECT_EQ(Deadlocks(), "0");
}

TEST_F(PgMoneyTest, CrossingTransfersOnThreeInstancesNeverDeadlock) {
  CrossingTransfers(ports_, 15);
  // Every posting a debit and a credit of one amount, the total of the
  // balances unchanged, each counter what the journal says.
  EXPECT_TRUE(AuditsClean(cluster_->Url(db_)));
  EXPECT_EQ(Deadlocks(), "0");
}

TEST_F(PgMoneyTest, SeatRushOnThreeInstances) { SeatRush(ports_); }

}  // namespace
}  // namespace allot::testing
