#include "store/postgres_writer.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/postgres_arrays.h"
#include "store/postgres_commit.h"
#include "store/postgres_records.h"
#include "store/postgres_draws.h"
#include "store/postgres_waitlist.h"
#include "store/postgres_webhooks.h"

namespace allot::pg {
namespace {

// Rows outside the lock plan are locked as they are loaded.
constexpr std::string_view kLoadItem =
    "SELECT id, name, on_hand, held, sold, max_per_user, created_on_hand, waiting, tickets FROM items "
    "WHERE id = $1 FOR UPDATE";
constexpr std::string_view kLoadReservationWhere =
    "WHERE r.id = $1 ORDER BY l.line_no FOR UPDATE OF r";
constexpr std::string_view kLoadOrderWhere = "WHERE o.id = $1 ORDER BY l.line_no FOR UPDATE OF o";
// Usage rows change only under their item's lock, which the batch holds.
constexpr std::string_view kLoadUsage =
    "SELECT held, bought FROM user_usage WHERE user_id = $1 AND item_id = $2";
constexpr std::string_view kLoadIdempotency = R"sql(
SELECT fingerprint, status, body, created_at_ms FROM idempotency_keys
WHERE principal = $1 AND key = $2
)sql";
constexpr std::string_view kDueOnItem = R"sql(
SELECT DISTINCT reservation_id FROM holds
WHERE item_id = $1 AND expires_at_ms <= $2 ORDER BY reservation_id LIMIT $3
)sql";
// All lines of a reservation share its expiry: DISTINCT on the pair yields
// each reservation once.
constexpr std::string_view kDue = R"sql(
SELECT DISTINCT expires_at_ms, reservation_id FROM holds
WHERE expires_at_ms <= $1 ORDER BY expires_at_ms, reservation_id LIMIT $2
)sql";

StatementSpecs WriterStatements() {
  StatementSpecs specs = {
      {"load_item", std::string(kLoadItem)},
      {"load_reservation", std::string(kSelectReservations) + std::string(kLoadReservationWhere)},
      {"load_order", std::string(kSelectOrders) + std::string(kLoadOrderWhere)},
      {"load_usage", std::string(kLoadUsage)},
      {"load_idempotency", std::string(kLoadIdempotency)},
      {"due_on_item", std::string(kDueOnItem)},
      {"due", std::string(kDue)},
      {"load_transfer",
       "SELECT " + std::string(kTransferColumns) + " FROM transfers WHERE id = $1"},
      {"load_event", "SELECT " + std::string(kEventColumns) + " FROM events WHERE id = $1"},
  };
  for (auto& spec : BatchLocks::Statements()) specs.push_back(std::move(spec));
  for (auto& spec : BatchWriter::Statements()) specs.push_back(std::move(spec));
  for (auto& spec : WebhookWriterStatements()) specs.push_back(std::move(spec));
  for (auto& spec : WaitlistWriterStatements()) specs.push_back(std::move(spec));
  for (auto& spec : DrawWriterStatements()) specs.push_back(std::move(spec));
  return specs;
}

std::int64_t SqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

std::vector<std::string> FirstColumn(const Result& result, int column) {
  std::vector<std::string> values;
  values.reserve(result.rows());
  for (int row = 0; row < result.rows(); ++row) values.push_back(result.Text(row, column));
  return values;
}

}  // namespace

PostgresWriter::PostgresWriter(const PostgresOptions& options)
    : session_(SessionOptions{options.conninfo, options.connect_timeout_seconds,
                              options.initial_backoff_ms, options.max_backoff_ms},
               WriterStatements()) {}

Expected<std::unique_ptr<PostgresWriter>> PostgresWriter::Open(const PostgresOptions& options) {
  std::unique_ptr<PostgresWriter> writer(new PostgresWriter(options));
  if (auto connected = writer->session_.Ensure(); !connected) {
    return Fail(std::move(connected.error()));
  }
  return writer;
}

Status PostgresWriter::Begin() {
  if (in_batch_) return Fail(Unavailable("Begin called inside a batch."));
  if (auto ready = session_.Ensure(); !ready) return ready;
  in_batch_ = true;
  begin_pending_ = true;
  locks_.Clear();
  return {};
}

Expected<LockPlan> PostgresWriter::WithNamedItems(const LockPlan& plan) {
  LockPlan full = plan;
  // An entry's or a draw's item never changes, so reading it unlocked is
  // exact.
  const std::pair<const std::vector<std::string>*, std::string_view> named[] = {
      {&plan.waitlist_ids, "waitlist_items"}, {&plan.draw_ids, "draw_items"}};
  for (const auto& [ids, statement] : named) {
    if (ids->empty()) continue;
    ArrayBuilder array;
    for (const std::string& id : *ids) array.Add(id);
    auto result = SendOne(statement, Params().Add(array.Take()), "Finding the named items");
    if (!result) return Fail(std::move(result.error()));
    for (std::string& id : FirstColumn(*result, 0)) full.item_ids.push_back(std::move(id));
  }
  std::sort(full.item_ids.begin(), full.item_ids.end());
  full.item_ids.erase(std::unique(full.item_ids.begin(), full.item_ids.end()),
                      full.item_ids.end());
  return full;
}

Status PostgresWriter::LockForBatch(const LockPlan& named) {
  if (!in_batch_) return Fail(Unavailable("LockForBatch called outside a batch (no Begin)."));
  std::optional<LockPlan> widened;
  if (!named.waitlist_ids.empty() || !named.draw_ids.empty()) {
    auto full = WithNamedItems(named);
    if (!full) return Fail(std::move(full.error()));
    widened = std::move(*full);
  }
  const LockPlan& plan = widened ? *widened : named;
  auto locked = locks_.Lock(
      plan, [this](Pipeline pipeline) { return Send(std::move(pipeline)); },
      [this]() -> Status {
        // Start the transaction over: the next pipeline leads with BEGIN.
        Result result(PQexec(session_.get(), "ROLLBACK"));
        if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
          Error error = ErrorOf(result.get(), session_.get(), "Restarting the lock phase");
          session_.CheckHealth(&error);
          return Fail(std::move(error));
        }
        begin_pending_ = true;
        return {};
      });
  if (!locked || plan.webhook_ids.empty()) return locked;
  return LockWebhooks(plan.webhook_ids);
}

Status PostgresWriter::LockWebhooks(const std::vector<std::string>& ids) {
  auto result = SendOne("lock_webhooks", WebhookIdsParams(ids), "Locking webhooks");
  if (!result) return Fail(std::move(result.error()));
  auto rows = WebhooksIn(*result);
  if (!rows) return Fail(std::move(rows.error()));
  for (const std::string& id : ids) webhooks_[id] = std::nullopt;
  for (Webhook& webhook : *rows) {
    std::string id = webhook.id;
    webhooks_[id] = std::move(webhook);
  }
  return {};
}

Expected<std::optional<WaitlistEntry>> PostgresWriter::OneEntry(std::string_view statement,
                                                                Params params, std::string what) {
  auto result = SendOne(statement, std::move(params), std::move(what));
  if (!result) return Fail(std::move(result.error()));
  auto rows = WaitlistEntriesIn(*result);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Expected<std::optional<WaitlistEntry>> PostgresWriter::LoadWaitlistEntry(std::string_view id) {
  return OneEntry("load_waitlist", Params().Add(id), "Loading a waiting-list entry");
}

Expected<std::vector<WaitlistEntry>> PostgresWriter::LoadWaitingEntries(
    std::string_view item_id, std::int64_t after_ticket, std::size_t limit) {
  auto result = SendOne("waiting_entries",
                        Params().Add(item_id).Add(after_ticket).Add(SqlLimit(limit)),
                        "Loading waiting entries");
  if (!result) return Fail(std::move(result.error()));
  return WaitlistEntriesIn(*result);
}

Expected<std::optional<WaitlistEntry>> PostgresWriter::LoadActiveWaitlistEntry(
    std::string_view item_id, std::string_view user_id) {
  return OneEntry("active_waitlist", Params().Add(item_id).Add(user_id),
                  "Loading a user's waiting-list entry");
}

Expected<std::optional<WaitlistEntry>> PostgresWriter::LoadWaitlistOffer(
    std::string_view reservation_id) {
  return OneEntry("waitlist_offer", Params().Add(reservation_id), "Loading the entry of an offer");
}

Expected<std::optional<Draw>> PostgresWriter::LoadDraw(std::string_view id) {
  auto result = SendOne("load_draw", Params().Add(id), "Loading a draw");
  if (!result) return Fail(std::move(result.error()));
  auto rows = DrawsIn(*result);
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty()) return std::nullopt;
  return std::move(rows->front());
}

Expected<std::optional<DrawEntry>> PostgresWriter::LoadDrawEntry(std::string_view draw_id,
                                                                 std::string_view user_id) {
  auto result = SendOne("load_draw_entry", Params().Add(draw_id).Add(user_id),
                        "Loading a draw entry");
  if (!result) return Fail(std::move(result.error()));
  auto rows = DrawEntriesIn(*result);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Expected<std::vector<DrawEntry>> PostgresWriter::LoadDrawEntries(std::string_view draw_id) {
  auto result = SendOne("draw_entries", Params().Add(draw_id), "Loading a draw's entries");
  if (!result) return Fail(std::move(result.error()));
  return DrawEntriesIn(*result);
}

Expected<std::vector<DueDraw>> PostgresWriter::LoadDueDraws(std::int64_t now_ms,
                                                            std::size_t limit) {
  auto result =
      SendOne("due_draws", Params().Add(now_ms).Add(SqlLimit(limit)), "Finding due draws");
  if (!result) return Fail(std::move(result.error()));
  std::vector<DueDraw> due;
  for (int row = 0; row < result->rows(); ++row) {
    due.push_back(DueDraw{result->Text(row, 0), result->Text(row, 1)});
  }
  return due;
}

Expected<std::optional<Webhook>> PostgresWriter::LoadWebhook(std::string_view id) {
  if (in_batch_) {
    if (auto it = webhooks_.find(id); it != webhooks_.end()) return it->second;
  }
  auto result = SendOne("load_webhook", Params().Add(id), "Loading a webhook");
  if (!result) return Fail(std::move(result.error()));
  auto rows = WebhooksIn(*result);
  if (!rows) return Fail(std::move(rows.error()));
  if (rows->empty()) return std::nullopt;
  return std::move(rows->front());
}

Expected<std::int64_t> PostgresWriter::LoadJournalHead() {
  auto result = SendOne("journal_head_now", Params(), "Reading the journal's head");
  if (!result) return Fail(std::move(result.error()));
  return result->rows() == 0 ? 0 : result->Int(0, 0);
}

Status PostgresWriter::ExtendLocks(const LockPlan& joining) {
  if (!in_batch_) return Fail(Unavailable("ExtendLocks called outside a batch (no Begin)."));
  return locks_.FetchIdempotency(joining.idempotency_keys,
                                 [this](Pipeline pipeline) { return Send(std::move(pipeline)); });
}

Expected<std::vector<Result>> PostgresWriter::Send(Pipeline pipeline) {
  if (!in_batch_) {
    if (auto ready = session_.Ensure(); !ready) return Fail(std::move(ready.error()));
  } else if (!session_.connected()) {
    // Never reconnect inside a batch: the new session would not be in its
    // transaction.
    return Fail(Unavailable("The database connection was lost during the batch."));
  }
  const bool lead = in_batch_ && begin_pending_;
  if (lead) {
    pipeline.Lead("BEGIN", "Beginning a batch");
    begin_pending_ = false;
  }
  auto results = pipeline.Run(session_.get());
  if (!results) {
    session_.CheckHealth(&results.error());
    return results;
  }
  if (lead) results->erase(results->begin());
  return results;
}

Expected<Result> PostgresWriter::SendOne(std::string_view statement, Params params,
                                         std::string what) {
  Pipeline pipeline;
  pipeline.Add(statement, std::move(params), std::move(what));
  auto results = Send(std::move(pipeline));
  if (!results) return Fail(std::move(results.error()));
  return std::move(results->front());
}

Expected<std::optional<Item>> PostgresWriter::LoadItem(std::string_view id) {
  if (in_batch_) {
    if (const std::optional<Item>* locked = locks_.FindItem(id)) return *locked;
  }
  auto result = SendOne("load_item", Params().Add(id), "Loading an item");
  if (!result) return Fail(std::move(result.error()));
  std::optional<Item> item;
  if (result->rows() > 0) item = ItemAt(*result, 0);
  if (in_batch_) {
    if (item) {
      locks_.Remember(*item);
    } else {
      locks_.RememberAbsentItem(id);
    }
  }
  return item;
}

Expected<std::optional<Reservation>> PostgresWriter::LoadReservation(std::string_view id) {
  if (in_batch_) {
    if (const std::optional<Reservation>* locked = locks_.FindReservation(id)) return *locked;
  }
  auto result = SendOne("load_reservation", Params().Add(id), "Loading a reservation");
  if (!result) return Fail(std::move(result.error()));
  auto records = ReservationsIn(*result);
  if (!records) return Fail(std::move(records.error()));
  if (records->empty()) return std::nullopt;
  if (in_batch_) locks_.Remember(records->front());
  return std::move(records->front());
}

Expected<std::optional<Order>> PostgresWriter::LoadOrder(std::string_view id) {
  if (in_batch_) {
    if (const std::optional<Order>* locked = locks_.FindOrder(id)) return *locked;
  }
  auto result = SendOne("load_order", Params().Add(id), "Loading an order");
  if (!result) return Fail(std::move(result.error()));
  auto records = OrdersIn(*result);
  if (!records) return Fail(std::move(records.error()));
  if (records->empty()) return std::nullopt;
  if (in_batch_) locks_.Remember(records->front());
  return std::move(records->front());
}

Expected<std::optional<UserUsage>> PostgresWriter::LoadUsage(std::string_view user_id,
                                                             std::string_view item_id) {
  auto result = SendOne("load_usage", Params().Add(user_id).Add(item_id), "Loading usage");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  return UserUsage{std::string(user_id), std::string(item_id), result->Int(0, 0),
                   result->Int(0, 1)};
}

Expected<std::optional<IdempotencyRecord>> PostgresWriter::LoadIdempotency(
    std::string_view principal, std::string_view key) {
  if (in_batch_) {
    if (const auto* known = locks_.FindIdempotency(principal, key)) return *known;
  }
  auto result = SendOne("load_idempotency", Params().Add(principal).Add(key),
                        "Loading an idempotency record");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  return IdempotencyRecord{std::string(principal), std::string(key),
                           result->Text(0, 0),     static_cast<int>(result->Int(0, 1)),
                           result->Text(0, 2),     result->Int(0, 3)};
}

Expected<std::optional<Transfer>> PostgresWriter::LoadTransfer(std::string_view id) {
  auto result = SendOne("load_transfer", Params().Add(id), "Loading a transfer");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  auto transfer = TransferAt(*result, 0);
  if (!transfer) return Fail(std::move(transfer.error()));
  return std::move(*transfer);
}

Expected<std::optional<Event>> PostgresWriter::LoadEvent(std::string_view id) {
  auto result = SendOne("load_event", Params().Add(id), "Loading an event");
  if (!result) return Fail(std::move(result.error()));
  if (result->rows() == 0) return std::nullopt;
  return EventAt(*result, 0);
}

Expected<std::vector<std::string>> PostgresWriter::DueReservationsOnItem(std::string_view item_id,
                                                                         std::int64_t now_ms,
                                                                         std::size_t limit) {
  if (in_batch_) {
    if (const std::vector<std::string>* due = locks_.DueOn(item_id, now_ms)) {
      return std::vector<std::string>(due->begin(), due->begin() + std::min(limit, due->size()));
    }
  }
  auto result = SendOne("due_on_item", Params().Add(item_id).Add(now_ms).Add(SqlLimit(limit)),
                        "Finding due reservations on an item");
  if (!result) return Fail(std::move(result.error()));
  return FirstColumn(*result, 0);
}

Expected<std::vector<std::string>> PostgresWriter::DueReservations(std::int64_t now_ms,
                                                                   std::size_t limit) {
  if (in_batch_) {
    // A planned sweep expires only what its lock phase claimed.
    if (const std::vector<std::string>* swept = locks_.Swept()) {
      return std::vector<std::string>(swept->begin(),
                                      swept->begin() + std::min(limit, swept->size()));
    }
  }
  auto result =
      SendOne("due", Params().Add(now_ms).Add(SqlLimit(limit)), "Finding due reservations");
  if (!result) return Fail(std::move(result.error()));
  return FirstColumn(*result, 1);
}

void PostgresWriter::AddWrites(const BatchWrites& writes, Pipeline& pipeline) {
  // Webhooks before the batch writer's statements, whose last takes the
  // journal counter's lock (held until COMMIT, so nothing should follow it).
  for (const Webhook& webhook : writes.webhooks) {
    pipeline.Add("upsert_webhook", UpsertWebhookParams(webhook),
                 "Writing webhook '" + webhook.id + "'");
  }
  for (const WaitlistEntry& entry : writes.waitlist) {
    pipeline.Add("upsert_waitlist", UpsertWaitlistParams(entry),
                 "Writing waiting-list entry '" + entry.id + "'");
  }
  for (const Draw& draw : writes.draws) {
    pipeline.Add("upsert_draw", UpsertDrawParams(draw), "Writing draw '" + draw.id + "'");
  }
  for (const DrawEntry& entry : writes.draw_entries) {
    pipeline.Add("upsert_draw_entry", UpsertDrawEntryParams(entry),
                 "Writing an entry of draw '" + entry.draw_id + "'");
  }
  batch_writer_.Add(
      writes, [this](std::string_view id) { return locks_.ItemWasAbsent(id); }, pipeline);
}

Status PostgresWriter::Write(BatchWrites writes) {
  if (!in_batch_) return Fail(Unavailable("Write called outside a batch (no Begin)."));
  Pipeline pipeline;
  AddWrites(writes, pipeline);
  if (pipeline.empty()) return {};
  auto results = Send(std::move(pipeline));
  if (!results) return Fail(std::move(results.error()));
  return {};
}

Status PostgresWriter::WriteAndCommit(BatchWrites writes) {
  if (!in_batch_) return Fail(Unavailable("Write called outside a batch (no Begin)."));
  Pipeline pipeline;
  AddWrites(writes, pipeline);
  if (pipeline.empty()) return Commit();
  PGconn* conn = session_.get();
  if (conn == nullptr) {
    EndBatch();
    return Fail(Unavailable("The database connection was lost during the batch."));
  }
  if (begin_pending_) pipeline.Lead("BEGIN", "Beginning a batch");
  // The journal's append is the last write (postgres_journal.h): its row
  // lock, which every batch of every process takes, is held from there to
  // the COMMIT that follows at once, with no round trip in between.
  const std::size_t commit_at =
      pipeline.Add("COMMIT", Params(), "Committing a batch", /*prepared=*/false);
  const PipelineAnswers answers = pipeline.RunAll(conn);
  Status status = PipelinedCommitOutcome(conn, answers, commit_at);
  session_.CheckHealth(status ? nullptr : &status.error());
  // A write failed: the server skipped the COMMIT and the transaction is
  // still open, failed.
  if (session_.connected() && PQtransactionStatus(session_.get()) != PQTRANS_IDLE) {
    Result rollback(PQexec(session_.get(), "ROLLBACK"));
    session_.CheckHealth();
  }
  EndBatch();
  return status;
}

Status PostgresWriter::Commit() {
  if (!in_batch_) return Fail(Unavailable("Commit called outside a batch (no Begin)."));
  if (begin_pending_) {  // nothing was sent, so there is nothing to commit
    EndBatch();
    return {};
  }
  PGconn* conn = session_.get();
  if (conn == nullptr) {
    EndBatch();
    return Fail(Unavailable("The database connection was lost during the batch."));
  }
  Result result(PQexec(conn, "COMMIT"));
  Status status = CommitOutcome(conn, result);
  session_.CheckHealth(status ? nullptr : &status.error());
  EndBatch();
  return status;
}

void PostgresWriter::Rollback() {
  if (!in_batch_) return;
  if (!begin_pending_ && session_.connected()) {
    Result result(PQexec(session_.get(), "ROLLBACK"));
    session_.CheckHealth();
  }
  EndBatch();
}

void PostgresWriter::EndBatch() {
  webhooks_.clear();
  in_batch_ = false;
  begin_pending_ = false;
  locks_.Clear();
}

}  // namespace allot::pg
