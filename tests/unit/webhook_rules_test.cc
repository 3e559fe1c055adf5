// The webhook rules: where delivery starts, who may manage webhooks, and how
// the deliverer's progress reports meet an admin's replay, disable and
// enable (src/domain/webhook_rules.cc).
#include <gtest/gtest.h>

#include "engine/lock_plan.h"
#include "rules_fixture.h"

namespace allot::testing {
namespace {

const std::string kSecret(64, 'a');

class WebhookRulesTest : public RulesTest {
 protected:
  void SetUp() override {
    // Three changes in the journal: the head is 3.
    Ok<Item>(CreateItem{.id = "mug", .on_hand = 5});
    Ok<Item>(AdjustItem{.id = "mug", .delta = 1, .reason = "found"});
    Ok<Item>(AdjustItem{.id = "mug", .delta = 1, .reason = "found"});
  }

  Webhook Create(std::optional<std::int64_t> after = std::nullopt,
                 std::vector<ChangeType> types = {}) {
    return Ok<Webhook>(CreateWebhook{.url = "http://127.0.0.1:9/hook",
                                     .types = std::move(types),
                                     .after = after,
                                     .secret = kSecret});
  }

  AdvanceWebhook Report(const Webhook& w, std::int64_t cursor,
                        std::optional<std::string> error = std::nullopt) {
    return AdvanceWebhook{.id = w.id,
                          .generation = state_.webhooks.at(w.id).generation,
                          .cursor = cursor,
                          .error = std::move(error),
                          .retry_window_ms = 3'600'000};
  }
};

TEST_F(WebhookRulesTest, StartsAfterTheHeadByDefaultAndShowsTheSecretOnlyOnCreate) {
  const Webhook created = Create();
  EXPECT_EQ(created.cursor, 3);
  EXPECT_EQ(created.secret, kSecret);
  EXPECT_EQ(created.status, WebhookStatus::kActive);
  EXPECT_EQ(state_.webhooks.at(created.id).secret, kSecret);  // kept, to sign with
  // A webhook is no change of the journal.
  EXPECT_EQ(state_.changes.size(), 3u);
  const Webhook replayed = Ok<Webhook>(ReplayWebhook{created.id, 1});
  EXPECT_TRUE(replayed.secret.empty());
  EXPECT_EQ(replayed.cursor, 1);
  EXPECT_TRUE(Ok<Webhook>(SetWebhookStatus{created.id, WebhookStatus::kDisabled}).secret.empty());
}

TEST_F(WebhookRulesTest, ACursorPastTheHeadIsRefusedAndChangesNothing) {
  EXPECT_EQ(Create(0).cursor, 0);
  EXPECT_EQ(Create(3).cursor, 3);
  Error e = Refused(CreateWebhook{.url = "http://127.0.0.1/", .after = 4, .secret = kSecret},
                    ErrorCode::kInvalidRequest);
  EXPECT_EQ(TextDetail(e, "field"), "after");
  EXPECT_EQ(IntDetail(e, "head"), 3);
  const Webhook w = Create();
  e = Refused(ReplayWebhook{w.id, 9}, ErrorCode::kInvalidRequest);
  EXPECT_EQ(TextDetail(e, "field"), "after");
}

TEST_F(WebhookRulesTest, OnlyAnAdminManagesWebhooks) {
  const Webhook w = Create();
  own_records_only_ = true;
  principal_ = "shop-a";
  Refused(CreateWebhook{.url = "http://127.0.0.1/", .secret = kSecret}, ErrorCode::kForbidden);
  Refused(ReplayWebhook{w.id, 0}, ErrorCode::kForbidden);
  Refused(SetWebhookStatus{w.id, WebhookStatus::kDisabled}, ErrorCode::kForbidden);
}

TEST_F(WebhookRulesTest, AnUnknownWebhookIsNotFound) {
  Error e = Refused(ReplayWebhook{"whk_nope", 0}, ErrorCode::kNotFound);
  EXPECT_EQ(TextDetail(e, "resource"), "webhook");
  Refused(SetWebhookStatus{"whk_nope", WebhookStatus::kActive}, ErrorCode::kNotFound);
}

TEST_F(WebhookRulesTest, ReportsMoveTheCursorForwardOnly) {
  const Webhook w = Create(0);
  EXPECT_EQ(Ok<Webhook>(Report(w, 2)).cursor, 2);
  EXPECT_EQ(Ok<Webhook>(Report(w, 1)).cursor, 2);  // a late report
  EXPECT_EQ(Ok<Webhook>(Report(w, 3)).cursor, 3);
  Refused(Report(w, 4), ErrorCode::kInvalidRequest);  // never past the head
}

TEST_F(WebhookRulesTest, AReplayMakesTheDeliverersOlderReportsStale) {
  const Webhook w = Create(0);
  AdvanceWebhook late = Report(w, 3);
  const Webhook replayed = Ok<Webhook>(ReplayWebhook{w.id, 1});
  EXPECT_GT(replayed.generation, w.generation);
  Error e = Refused(late, ErrorCode::kInvalidState);
  EXPECT_EQ(state_.webhooks.at(w.id).cursor, 1);  // the replay stands
  EXPECT_EQ(TextDetail(e, "status"), "active");
}

TEST_F(WebhookRulesTest, FailuresKeepTheStreaksStartAndDisableAfterTheWindow) {
  const Webhook w = Create(0);
  Webhook failing = Ok<Webhook>(Report(w, 1, "HTTP 500"));
  EXPECT_EQ(failing.cursor, 1);
  EXPECT_EQ(failing.failing_since_ms, kStart);
  EXPECT_EQ(failing.last_error, "HTTP 500");
  now_ += 1'800'000;
  failing = Ok<Webhook>(Report(w, 1, "timeout"));
  EXPECT_EQ(failing.failing_since_ms, kStart);  // the streak's first failure
  EXPECT_EQ(failing.status, WebhookStatus::kActive);
  // Delivered again: the streak is over, the last error stays to be read.
  Webhook healthy = Ok<Webhook>(Report(w, 2));
  EXPECT_FALSE(healthy.failing_since_ms.has_value());
  EXPECT_EQ(healthy.last_error, "timeout");
  // A new streak, failing past the hour's window: disabled.
  Ok<Webhook>(Report(w, 2, "HTTP 502"));
  now_ += 3'600'000;
  const Webhook disabled = Ok<Webhook>(Report(w, 2, "HTTP 502"));
  EXPECT_EQ(disabled.status, WebhookStatus::kDisabled);
  EXPECT_GT(disabled.generation, w.generation);
  Refused(Report(w, 3), ErrorCode::kInvalidState);  // its deliverer must stop
}

TEST_F(WebhookRulesTest, EnableAndDisableBumpTheGenerationOnlyWhenTheyChangeSomething) {
  const Webhook w = Create();
  const std::int64_t g = w.generation;
  EXPECT_EQ(Ok<Webhook>(SetWebhookStatus{w.id, WebhookStatus::kActive}).generation, g);
  const Webhook off = Ok<Webhook>(SetWebhookStatus{w.id, WebhookStatus::kDisabled});
  EXPECT_EQ(off.status, WebhookStatus::kDisabled);
  EXPECT_EQ(off.generation, g + 1);
  EXPECT_EQ(Ok<Webhook>(SetWebhookStatus{w.id, WebhookStatus::kDisabled}).generation, g + 1);
  Refused(Report(w, 3, "HTTP 500"), ErrorCode::kInvalidState);  // nobody delivers it now
  const Webhook on = Ok<Webhook>(SetWebhookStatus{w.id, WebhookStatus::kActive});
  EXPECT_EQ(on.status, WebhookStatus::kActive);
  EXPECT_FALSE(on.failing_since_ms.has_value());
}

// A batch's webhooks are locked after its other rows, sorted and once
// each, so two processes' batches lock them in one order.
TEST(WebhookLockPlanTest, NamedWebhooksAreLockedSortedOnce) {
  std::vector<PendingCommand> batch;
  for (CommandBody body : {CommandBody(AdvanceWebhook{.id = "whk_b"}),
                           CommandBody(ReplayWebhook{"whk_a", 0}),
                           CommandBody(SetWebhookStatus{"whk_b", WebhookStatus::kDisabled}),
                           CommandBody(CreateWebhook{.url = "http://127.0.0.1/"})}) {
    batch.push_back(PendingCommand{Command{std::move(body)}, {}});
  }
  LockPlan plan = PlanLocks(batch, 0, 0);
  EXPECT_EQ(plan.webhook_ids, (std::vector<std::string>{"whk_a", "whk_b"}));
  EXPECT_TRUE(plan.item_ids.empty());
  EXPECT_FALSE(plan.empty());
}

}  // namespace
}  // namespace allot::testing
