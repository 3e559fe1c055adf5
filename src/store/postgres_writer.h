// The write side of the PostgreSQL store: one connection, used only by the
// engine's sequencer thread (not thread-safe). See allot/store.h for the
// batch protocol and store/postgres_batch_locks.h for how a batch locks.
//
// A batch is one READ COMMITTED transaction whose rows are all locked up
// front (LockForBatch), so every decision reads the latest committed state
// of rows no other process can change until this one commits. BEGIN is not
// sent on its own: it leads the batch's first pipeline, and COMMIT ends the
// writes' pipeline (WriteAndCommit): a batch is two round trips, its lock
// phase and its writes with their commit.
//
// Faults: a lost connection, or a server that is no longer the primary,
// fails the batch (kUnavailable) and the next Begin() reconnects to the
// primary among the conninfo's hosts, backing off while there is none. A
// COMMIT that gets no answer fails with kOutcomeUnknown (postgres_commit.h)
// and is never retried.
#ifndef ALLOT_STORE_POSTGRES_WRITER_H_
#define ALLOT_STORE_POSTGRES_WRITER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "allot/postgres_store.h"
#include "allot/store.h"
#include "store/postgres_batch_locks.h"
#include "store/postgres_batch_writer.h"
#include "store/postgres_pipeline.h"
#include "store/postgres_session.h"

namespace allot::pg {

class PostgresWriter final : public Store {
 public:
  // Connects at once (a database that cannot be reached fails here).
  static Expected<std::unique_ptr<PostgresWriter>> Open(const PostgresOptions& options);

  Status Begin() override;
  bool LocksRows() const override { return true; }
  Status LockForBatch(const LockPlan& plan) override;
  // Fetches the joining commands' stored idempotent answers in one
  // statement (their rows are locked already).
  Status ExtendLocks(const LockPlan& joining) override;
  Expected<std::optional<Item>> LoadItem(std::string_view id) override;
  Expected<std::optional<Reservation>> LoadReservation(std::string_view id) override;
  Expected<std::optional<Order>> LoadOrder(std::string_view id) override;
  Expected<std::optional<UserUsage>> LoadUsage(std::string_view user_id,
                                               std::string_view item_id) override;
  Expected<std::optional<IdempotencyRecord>> LoadIdempotency(std::string_view principal,
                                                             std::string_view key) override;
  // Not locked: a transfer changes only with its hold's reservation (or at
  // creation), which the batch locks; events never change once created.
  Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) override;
  Expected<std::optional<Event>> LoadEvent(std::string_view id) override;
  // Locked (postgres_webhooks.h): by the lock phase when the plan names it.
  Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) override;
  // Not locked (postgres_waitlist.h): the batch holds the entries' items.
  Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) override;
  Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                          std::int64_t after_ticket,
                                                          std::size_t limit) override;
  Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) override;
  Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) override;
  // Not locked (postgres_draws.h): the batch holds the draw's item.
  Expected<std::optional<Draw>> LoadDraw(std::string_view id) override;
  Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                   std::string_view user_id) override;
  Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) override;
  Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) override;
  Expected<std::int64_t> LoadJournalHead() override;
  Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) override;
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                     std::size_t limit) override;
  Status Write(BatchWrites writes) override;
  Status Commit() override;
  // The writes and COMMIT in one pipeline: one round trip (led by BEGIN
  // when the batch has sent nothing yet). The outcome rules of
  // postgres_commit.h: a failed write committed nothing; an unanswered
  // COMMIT is kOutcomeUnknown. Ends the batch either way.
  Status WriteAndCommit(BatchWrites writes) override;
  void Rollback() override;

  // The server process of the current connection (0 if none), for tests
  // that cut it off with pg_terminate_backend.
  int backend_pid() const { return session_.backend_pid(); }

 private:
  explicit PostgresWriter(const PostgresOptions& options);

  // Runs a pipeline, led by BEGIN when the batch has sent nothing yet.
  // Outside a batch the statements run on their own (autocommit).
  Expected<std::vector<Result>> Send(Pipeline pipeline);
  // A batch's writes into a pipeline: Write sends them alone,
  // WriteAndCommit with the COMMIT.
  void AddWrites(const BatchWrites& writes, Pipeline& pipeline);
  Expected<Result> SendOne(std::string_view statement, Params params, std::string what);
  void EndBatch();
  // The lock phase's last step: the plan's webhooks, in id order.
  Status LockWebhooks(const std::vector<std::string>& ids);
  // The plan with the items of its waiting-list entries and draws added,
  // so that they are locked in the one item order.
  Expected<LockPlan> WithNamedItems(const LockPlan& plan);
  Expected<std::optional<WaitlistEntry>> OneEntry(std::string_view statement, Params params,
                                                  std::string what);

  Session session_;
  BatchLocks locks_;
  BatchWriter batch_writer_;
  bool in_batch_ = false;       // between Begin and Commit/Rollback
  bool begin_pending_ = false;  // in a batch, BEGIN not sent yet
  // Webhooks this batch has locked (nullopt: known not to exist).
  std::map<std::string, std::optional<Webhook>, std::less<>> webhooks_;
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_WRITER_H_
