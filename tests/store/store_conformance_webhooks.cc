// Conformance: webhooks are rows the writer loads (locked, where processes
// share the store) and upserts in a batch, readers see once committed, and
// that survive a reopen; the journal's head as a batch sees it.
#include <gmock/gmock.h>

#include "store_conformance.h"

namespace allot::store_test {
namespace {

constexpr std::int64_t kT = 1'700'000'000'000;

Webhook MakeWebhook(std::string id, std::int64_t cursor = 0) {
  return Webhook{.id = std::move(id),
                 .url = "http://127.0.0.1:9/hook",
                 .types = {ChangeType::kOrderPlaced, ChangeType::kItemCreated},
                 .status = WebhookStatus::kActive,
                 .secret = std::string(64, 'f'),
                 .cursor = cursor,
                 .generation = 1,
                 .created_at_ms = kT};
}

TEST_P(StoreConformanceTest, WebhooksAreWrittenReadLockedAndKept) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->Write({.webhooks = {MakeWebhook("whk_b"), MakeWebhook("whk_a", 0)}})));
  EXPECT_EQ(reader_->ListWebhooks().value().size(), 0u);  // not committed yet
  ASSERT_TRUE(Ok(writer_->Commit()));
  EXPECT_EQ(reader_->GetWebhook("whk_a").value(), std::optional(MakeWebhook("whk_a")));
  EXPECT_EQ(reader_->GetWebhook("whk_nope").value(), std::nullopt);
  std::vector<Webhook> all = reader_->ListWebhooks().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "whk_a");  // id order
  EXPECT_EQ(all[1].id, "whk_b");

  // A batch that names it locks it (where the store locks) and loads it.
  ASSERT_TRUE(Ok(writer_->Begin()));
  if (writer_->LocksRows()) {
    ASSERT_TRUE(Ok(writer_->LockForBatch({.now_ms = kT, .webhook_ids = {"whk_a", "whk_nope"}})));
  }
  auto loaded = writer_->LoadWebhook("whk_a");
  ASSERT_TRUE(Ok(loaded));
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, MakeWebhook("whk_a"));
  EXPECT_EQ(writer_->LoadWebhook("whk_nope").value(), std::nullopt);
  Webhook changed = **loaded;
  changed.status = WebhookStatus::kDisabled;
  changed.cursor = 0;
  changed.generation = 3;
  changed.last_error = "HTTP 500: \"quoted\", with a comma";
  changed.failing_since_ms = kT + 5;
  ASSERT_TRUE(Ok(writer_->Write({.webhooks = {changed}})));
  ASSERT_TRUE(Ok(writer_->Commit()));

  Reopen();
  EXPECT_EQ(reader_->GetWebhook("whk_a").value(), std::optional(changed));
  EXPECT_EQ(reader_->GetWebhook("whk_b").value(), std::optional(MakeWebhook("whk_b")));
}

// The engine ends every batch with WriteAndCommit: a webhook written that
// way is stored as by Write then Commit (PostgreSQL builds one pipeline for
// both paths; the webhook rows once went missing from the pipelined one).
TEST_P(StoreConformanceTest, WebhooksWrittenWithTheCommitAreKept) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  ASSERT_TRUE(Ok(writer_->WriteAndCommit({.webhooks = {MakeWebhook("whk_c", 7)}})));
  EXPECT_EQ(reader_->GetWebhook("whk_c").value(), std::optional(MakeWebhook("whk_c", 7)));
  Webhook advanced = MakeWebhook("whk_c", 9);
  ASSERT_TRUE(Ok(writer_->Begin()));
  if (writer_->LocksRows()) {
    ASSERT_TRUE(Ok(writer_->LockForBatch({.now_ms = kT, .webhook_ids = {"whk_c"}})));
  }
  ASSERT_TRUE(Ok(writer_->WriteAndCommit(
      WithJournal({.items = {MakeItem("item-w", 1)}, .webhooks = {advanced}}))));
  Reopen();
  EXPECT_EQ(reader_->GetWebhook("whk_c").value(), std::optional(advanced));
}

TEST_P(StoreConformanceTest, ABatchSeesTheJournalsHeadAsCommittedBeforeIt) {
  ASSERT_TRUE(Ok(writer_->Begin()));
  EXPECT_EQ(writer_->LoadJournalHead().value(), 0);
  writer_->Rollback();
  ASSERT_TRUE(Ok(Apply({.items = {MakeItem("item-a", 5)},
                        .new_reservations = {MakeReservation("res-1", kT + 60'000,
                                                             {{"item-a", 1}})}})));
  const std::int64_t head = reader_->JournalHead().value();
  ASSERT_GT(head, 0);
  ASSERT_TRUE(Ok(writer_->Begin()));
  EXPECT_EQ(writer_->LoadJournalHead().value(), head);
  writer_->Rollback();
}

}  // namespace
}  // namespace allot::store_test
