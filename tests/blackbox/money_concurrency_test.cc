// Accounts, transfers and seats under concurrent load on one server
// (SQLite); the same scenarios run on PostgreSQL in tests/pg_blackbox.
#include "blackbox.h"
#include "money_scenarios.h"

namespace allot::testing {
namespace {

using MoneyConcurrencyTest = BlackboxTest;

TEST_F(MoneyConcurrencyTest, TransferStormNeverOverdrawsNorCreatesMoney) {
  TransferStorm({port()});
}

TEST_F(MoneyConcurrencyTest, CrossingTransfersAllComplete) { CrossingTransfers({port()}, 10); }

TEST_F(MoneyConcurrencyTest, EachSeatGoesToExactlyOneBuyer) { SeatRush({port()}); }

}  // namespace
}  // namespace allot::testing
