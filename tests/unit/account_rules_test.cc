// Accounts and transfers: every command, every refusal, over in-memory state.
#include <numeric>

#include "rules_fixture.h"

namespace allot {
namespace {

class AccountRulesTest : public testing::RulesTest {
 protected:
  void SetUp() override {
    Ok<Account>(CreateAccount{"a", 1000});
    Ok<Account>(CreateAccount{"b", 0});
  }
  Transfer Send(std::int64_t amount, bool hold = false, std::int64_t ttl = 60) {
    return Ok<Transfer>(CreateTransfer{"a", "b", amount, hold, ttl});
  }
  // Sum of all balances; never changed by transfers.
  std::int64_t Total() {
    std::int64_t total = 0;
    for (const auto& [id, item] : state_.items) {
      if (AccountOfItem(id)) total += item.on_hand;
    }
    return total;
  }
};

TEST_F(AccountRulesTest, CreateIsIdempotentForTheSameBalanceOnly) {
  CommandResult again = Run(CreateAccount{"a", 1000});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(std::get<Account>(again->value), (Account{"a", 1000, 0}));
  Error e = Refused(CreateAccount{"a", 5}, ErrorCode::kAlreadyExists);
  EXPECT_EQ(TextDetail(e, "resource"), "account");
}

TEST_F(AccountRulesTest, PostedTransferMovesMoneyWithADebitAndACredit) {
  const std::size_t ledger_before = state_.ledger.size();
  Transfer t = Send(300);
  EXPECT_EQ(t.status, TransferStatus::kPosted);
  EXPECT_EQ(t.posted_at_ms, now_);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 700, 0}));
  EXPECT_EQ(AccountNow("b"), (Account{"b", 300, 0}));
  EXPECT_EQ(Total(), 1000);
  ASSERT_EQ(state_.ledger.size(), ledger_before + 2);
  const LedgerEntry& debit = state_.ledger[ledger_before];
  const LedgerEntry& credit = state_.ledger[ledger_before + 1];
  EXPECT_EQ(debit.kind, LedgerKind::kDebit);
  EXPECT_EQ(credit.kind, LedgerKind::kCredit);
  EXPECT_EQ(debit.on_hand_delta + credit.on_hand_delta, 0);
  EXPECT_EQ(debit.transfer_id, t.id);
  EXPECT_EQ(credit.transfer_id, t.id);
}

TEST_F(AccountRulesTest, RefusesWhatIsNotAvailable) {
  Send(400, /*hold=*/true);
  Error e = Refused(CreateTransfer{"a", "b", 601}, ErrorCode::kInsufficientFunds);
  EXPECT_EQ(TextDetail(e, "accountId"), "a");
  EXPECT_EQ(IntDetail(e, "requested"), 601);
  EXPECT_EQ(IntDetail(e, "available"), 600);
  Send(600);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 400, 400}));
}

TEST_F(AccountRulesTest, UnknownAccountsAre404) {
  Error from = Refused(CreateTransfer{"x", "b", 1}, ErrorCode::kNotFound);
  EXPECT_EQ(TextDetail(from, "resource"), "account");
  EXPECT_EQ(TextDetail(from, "id"), "x");
  Error to = Refused(CreateTransfer{"a", "y", 1}, ErrorCode::kNotFound);
  EXPECT_EQ(TextDetail(to, "id"), "y");
  Refused(ConfirmTransfer{"trf_9"}, ErrorCode::kNotFound);
  Refused(CancelTransfer{"trf_9"}, ErrorCode::kNotFound);
}

TEST_F(AccountRulesTest, HeldTransferHoldsThenPostsOnConfirm) {
  Transfer t = Send(250, /*hold=*/true, 60);
  EXPECT_EQ(t.status, TransferStatus::kHeld);
  EXPECT_EQ(t.expires_at_ms, now_ + 60'000);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 1000, 250}));
  EXPECT_EQ(AccountNow("b"), (Account{"b", 0, 0}));
  now_ += 59'999;
  Transfer posted = Ok<Transfer>(ConfirmTransfer{t.id});
  EXPECT_EQ(posted.status, TransferStatus::kPosted);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 750, 0}));
  EXPECT_EQ(AccountNow("b"), (Account{"b", 250, 0}));
  EXPECT_EQ(Total(), 1000);
  // Confirming again answers the same; cancelling a posted one is refused.
  EXPECT_EQ(Ok<Transfer>(ConfirmTransfer{t.id}), posted);
  Error e = Refused(CancelTransfer{t.id}, ErrorCode::kInvalidState);
  EXPECT_EQ(TextDetail(e, "status"), "posted");
  EXPECT_EQ(state_.reservations.at(t.id).status, ReservationStatus::kConfirmed);
}

TEST_F(AccountRulesTest, CancelReleasesTheHold) {
  Transfer t = Send(250, /*hold=*/true);
  Transfer cancelled = Ok<Transfer>(CancelTransfer{t.id});
  EXPECT_EQ(cancelled.status, TransferStatus::kCancelled);
  EXPECT_EQ(cancelled.released_at_ms, now_);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 1000, 0}));
  EXPECT_EQ(Ok<Transfer>(CancelTransfer{t.id}), cancelled);  // as it is
  Error e = Refused(ConfirmTransfer{t.id}, ErrorCode::kInvalidState);
  EXPECT_EQ(TextDetail(e, "status"), "cancelled");
}

TEST_F(AccountRulesTest, ConfirmAtExpiresAtIsTooLate) {
  Transfer t = Send(250, /*hold=*/true, 60);
  now_ += 60'000;
  CommandResult late = Run(ConfirmTransfer{t.id});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kReservationExpired);
  EXPECT_EQ(state_.transfers.at(t.id).status, TransferStatus::kExpired);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 1000, 0}));
  EXPECT_EQ(AccountNow("b"), (Account{"b", 0, 0}));
  EXPECT_EQ(Ok<Transfer>(CancelTransfer{t.id}).status, TransferStatus::kExpired);
}

TEST_F(AccountRulesTest, DueHoldIsFreedBeforeTheFundsAreUsedAgain) {
  Transfer t = Send(1000, /*hold=*/true, 1);
  Refused(CreateTransfer{"a", "b", 1}, ErrorCode::kInsufficientFunds);
  now_ += 1000;
  Send(1000);  // the due hold no longer counts
  EXPECT_EQ(state_.transfers.at(t.id).status, TransferStatus::kExpired);
  EXPECT_EQ(AccountNow("a"), (Account{"a", 0, 0}));
  EXPECT_EQ(Total(), 1000);
}

TEST_F(AccountRulesTest, SweepExpiresHeldTransfers) {
  Transfer t = Send(100, /*hold=*/true, 1);
  now_ += 1000;
  EXPECT_EQ(Ok<ExpirySummary>(ExpireDue{}).expired, 1u);
  EXPECT_EQ(state_.transfers.at(t.id).status, TransferStatus::kExpired);
  EXPECT_EQ(state_.transfers.at(t.id).released_at_ms, now_);
  EXPECT_EQ(AccountNow("a").held, 0);
}

TEST_F(AccountRulesTest, AHoldIsNoReservationToClients) {
  Transfer t = Send(100, /*hold=*/true);
  Refused(ConfirmReservation{t.id}, ErrorCode::kNotFound);
  Refused(CancelReservation{t.id}, ErrorCode::kNotFound);
  EXPECT_EQ(AccountNow("a").held, 100);
}

TEST_F(AccountRulesTest, ViewAtShowsADueHeldTransferAsExpired) {
  Transfer t = Send(100, /*hold=*/true, 1);
  EXPECT_EQ(domain::ViewAt(t, now_ + 999).status, TransferStatus::kHeld);
  EXPECT_EQ(domain::ViewAt(t, now_ + 1000).status, TransferStatus::kExpired);
}

}  // namespace
}  // namespace allot
