#include "store/sqlite_writer.h"

#include <unordered_set>
#include <utility>

namespace allot::sqlite {
namespace {

constexpr std::string_view kLoadIdempotency = R"sql(
SELECT fingerprint, status, body, created_at_ms FROM idempotency_keys
WHERE principal = ?1 AND key = ?2
)sql";

Error Dangling(std::string_view what, std::string_view id) {
  return Unavailable("Writing the batch: " + std::string(what) + " '" + std::string(id) +
                     "' is not stored.");
}

}  // namespace

Expected<std::unique_ptr<SqliteWriter>> SqliteWriter::Create(Connection db,
                                                             std::shared_ptr<MemoryState> state,
                                                             std::shared_ptr<TermIndex> terms,
                                                             std::int64_t head,
                                                             std::shared_ptr<void> keep_alive) {
  std::unique_ptr<SqliteWriter> writer(new SqliteWriter());
  writer->keep_alive_ = std::move(keep_alive);
  sqlite3* raw = db.get();
  writer->db_ = std::move(db);
  const std::pair<Statement*, std::string_view> statements[] = {
      {&writer->begin_, "BEGIN IMMEDIATE"},
      {&writer->commit_, "COMMIT"},
      {&writer->rollback_, "ROLLBACK"},
      {&writer->load_idempotency_, kLoadIdempotency},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(raw, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  auto records = RecordFinder::Prepare(raw);
  if (!records) return Fail(std::move(records.error()));
  writer->records_ = std::move(*records);
  auto rows = RowWriter::Prepare(raw);
  if (!rows) return Fail(std::move(rows.error()));
  writer->rows_ = std::move(*rows);
  auto journal = JournalAppender::Prepare(raw);
  if (!journal) return Fail(std::move(journal.error()));
  writer->journal_ = std::move(*journal);
  auto webhooks = WebhookTable::Prepare(raw, /*writable=*/true);
  if (!webhooks) return Fail(std::move(webhooks.error()));
  writer->webhooks_ = std::move(*webhooks);
  auto draws = DrawTable::Prepare(raw, /*writable=*/true);
  if (!draws) return Fail(std::move(draws.error()));
  writer->draws_ = std::move(*draws);
  auto waitlist = WaitlistTable::Prepare(raw, /*writable=*/true);
  if (!waitlist) return Fail(std::move(waitlist.error()));
  writer->waitlist_ = std::move(*waitlist);
  writer->state_ = std::move(state);
  writer->terms_ = std::move(terms);
  writer->head_ = writer->pending_head_ = head;
  writer->live_from_ = -1;  // unknown: the first batch writes it
  return writer;
}

Status SqliteWriter::Begin() {
  pending_head_ = head_;
  pending_live_from_ = live_from_;
  staged_.reset();
  pending_terms_.clear();
  pending_flush_.reset();
  return begin_.Run("Beginning a batch");
}

Expected<std::optional<Item>> SqliteWriter::LoadItem(std::string_view id) {
  const Item* item = state_->FindItem(id);
  if (item == nullptr) return std::nullopt;
  return *item;
}

Expected<std::optional<Reservation>> SqliteWriter::LoadReservation(std::string_view id) {
  if (auto live = state_->FindHold(id)) return live;
  return records_.FindReservation(id);
}

Expected<std::optional<Order>> SqliteWriter::LoadOrder(std::string_view id) {
  return records_.FindOrder(id);
}

Expected<std::optional<Transfer>> SqliteWriter::LoadTransfer(std::string_view id) {
  if (auto live = state_->FindHeldTransfer(id)) return live;
  return records_.FindTransfer(id);
}

Expected<std::optional<Event>> SqliteWriter::LoadEvent(std::string_view id) {
  const Event* event = state_->FindEvent(id);
  if (event == nullptr) return std::nullopt;
  return *event;
}

Expected<std::optional<Webhook>> SqliteWriter::LoadWebhook(std::string_view id) {
  return webhooks_.Load(id);
}

Expected<std::optional<WaitlistEntry>> SqliteWriter::LoadWaitlistEntry(std::string_view id) {
  return waitlist_.Load(id);
}

Expected<std::vector<WaitlistEntry>> SqliteWriter::LoadWaitingEntries(std::string_view item_id,
                                                                      std::int64_t after_ticket,
                                                                      std::size_t limit) {
  return waitlist_.Waiting(item_id, after_ticket, limit);
}

Expected<std::optional<WaitlistEntry>> SqliteWriter::LoadActiveWaitlistEntry(
    std::string_view item_id, std::string_view user_id) {
  return waitlist_.Active(item_id, user_id);
}

Expected<std::optional<WaitlistEntry>> SqliteWriter::LoadWaitlistOffer(
    std::string_view reservation_id) {
  return waitlist_.Offer(reservation_id);
}

Expected<std::optional<Draw>> SqliteWriter::LoadDraw(std::string_view id) {
  return draws_.Load(id);
}

Expected<std::optional<DrawEntry>> SqliteWriter::LoadDrawEntry(std::string_view draw_id,
                                                               std::string_view user_id) {
  return draws_.LoadEntry(draw_id, user_id);
}

Expected<std::vector<DrawEntry>> SqliteWriter::LoadDrawEntries(std::string_view draw_id) {
  return draws_.Entries(draw_id);
}

Expected<std::vector<DueDraw>> SqliteWriter::LoadDueDraws(std::int64_t now_ms,
                                                          std::size_t limit) {
  return draws_.Due(now_ms, limit);
}

Expected<std::optional<UserUsage>> SqliteWriter::LoadUsage(std::string_view user_id,
                                                           std::string_view item_id) {
  const UserUsage* usage = state_->FindUsage(user_id, item_id);
  if (usage == nullptr) return std::nullopt;
  return *usage;
}

Expected<std::optional<IdempotencyRecord>> SqliteWriter::LoadIdempotency(std::string_view principal,
                                                                         std::string_view key) {
  ResetOnExit reset(load_idempotency_);
  load_idempotency_.BindAll(principal, key);
  auto row = load_idempotency_.Step("Loading an idempotency record");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return IdempotencyRecord{std::string(principal),    std::string(key),
                           load_idempotency_.Text(0), static_cast<int>(load_idempotency_.Int(1)),
                           load_idempotency_.Text(2), load_idempotency_.Int(3)};
}

Expected<std::vector<std::string>> SqliteWriter::DueReservationsOnItem(std::string_view item_id,
                                                                       std::int64_t now_ms,
                                                                       std::size_t limit) {
  return state_->DueOnItem(item_id, now_ms, limit);
}

Expected<std::vector<std::string>> SqliteWriter::DueReservations(std::int64_t now_ms,
                                                                 std::size_t limit) {
  return state_->Due(now_ms, limit);
}

Status SqliteWriter::CheckReferences(const BatchWrites& writes) {
  // Lines name items that exist, in memory or in this batch (a batch
  // names few items: a linear search is the cheapest).
  auto item_exists = [&](const std::string& id) {
    for (const Item& item : writes.items) {
      if (item.id == id) return true;
    }
    return state_->FindItem(id) != nullptr;
  };
  for (const Reservation& r : writes.new_reservations) {
    for (const Line& line : r.lines) {
      if (!item_exists(line.item_id)) return Fail(Dangling("item", line.item_id));
    }
  }
  for (const Order& o : writes.new_orders) {
    for (const Line& line : o.lines) {
      if (!item_exists(line.item_id)) return Fail(Dangling("item", line.item_id));
    }
  }
  // Updated records exist: live in memory, or in the journal.
  auto exists = [&](std::string_view id, auto find, std::string_view what) -> Status {
    if (state_->IsLive(id)) return {};
    auto found = (records_.*find)(id);
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(Dangling(what, id));
    return {};
  };
  for (const Reservation& r : writes.updated_reservations) {
    auto checked = exists(r.id, &RecordFinder::FindReservation, "updated reservation");
    if (!checked) return checked;
  }
  for (const Transfer& t : writes.updated_transfers) {
    auto checked = exists(t.id, &RecordFinder::FindTransfer, "updated transfer");
    if (!checked) return checked;
  }
  for (const Order& o : writes.updated_orders) {
    auto checked = exists(o.id, &RecordFinder::FindOrder, "updated order");
    if (!checked) return checked;
  }
  // A confirmed reservation names its order, an order its reservation:
  // made in this batch, or stored.
  std::unordered_set<std::string_view> new_orders, new_reservations;
  for (const Order& o : writes.new_orders) {
    if (o.reservation_id) {
      for (const Reservation& r : writes.new_reservations) new_reservations.insert(r.id);
      break;
    }
  }
  for (const Order& o : writes.new_orders) new_orders.insert(o.id);
  auto check_order = [&](const Reservation& r) -> Status {
    if (!r.order_id || new_orders.contains(*r.order_id)) return {};
    return exists(*r.order_id, &RecordFinder::FindOrder, "order");
  };
  for (const Reservation& r : writes.new_reservations) {
    if (auto checked = check_order(r); !checked) return checked;
  }
  for (const Reservation& r : writes.updated_reservations) {
    if (auto checked = check_order(r); !checked) return checked;
  }
  for (const Order& o : writes.new_orders) {
    if (!o.reservation_id || new_reservations.contains(*o.reservation_id)) continue;
    auto checked = exists(*o.reservation_id, &RecordFinder::FindReservation, "reservation");
    if (!checked) return checked;
  }
  return {};
}

Status SqliteWriter::Write(BatchWrites writes) {
  if (!InTransaction()) return Fail(Unavailable("Write called outside a batch (no Begin)."));
  if (auto checked = CheckReferences(writes); !checked) return checked;
  if (auto written = rows_.Write(writes); !written) return written;
  for (const Webhook& webhook : writes.webhooks) {
    if (auto written = webhooks_.Upsert(webhook); !written) return written;
  }
  for (const WaitlistEntry& entry : writes.waitlist) {
    if (auto written = waitlist_.Upsert(entry); !written) return written;
  }
  for (const Draw& draw : writes.draws) {
    if (auto written = draws_.Upsert(draw); !written) return written;
  }
  for (const DrawEntry& entry : writes.draw_entries) {
    if (auto written = draws_.UpsertEntry(entry); !written) return written;
  }
  auto head = journal_.Append(writes.journal, pending_head_);
  if (!head) return Fail(std::move(head.error()));
  if (auto heads = rows_.WriteHeads(writes.journal); !heads) return heads;
  if (terms_->WantsFlush()) {
    // The index's tail goes to disk with this batch: a few sequential
    // pages per part, once every TermIndex::kFlushAt entries.
    auto flush = terms_->WriteRuns(db_.get());
    if (!flush) return Fail(std::move(flush.error()));
    pending_flush_ = *flush;
  }
  for (JournalBlock& block : writes.journal) {
    if (!block.terms.empty()) pending_terms_.emplace_back(block.first_seq, std::move(block.terms));
  }
  staged_ = state_->Stage(std::move(writes));
  // A restart replays from the earliest block of a live hold; holds this
  // batch ends may leave it too early, which costs only a longer replay.
  pending_live_from_ = std::min(state_->LiveFrom(*head), staged_->EarliestNewHold());
  if (pending_live_from_ != live_from_) {
    if (auto done = rows_.WriteLiveFrom(pending_live_from_); !done) return done;
  }
  pending_head_ = *head;
  return {};
}

Status SqliteWriter::Commit() {
  if (!InTransaction()) return Fail(Unavailable("Commit called outside a batch (no Begin)."));
  if (auto committed = commit_.Run("Committing a batch"); !committed) {
    staged_.reset();
    return committed;
  }
  head_ = pending_head_;
  if (pending_flush_) terms_->Flushed(*pending_flush_);
  terms_->Add(pending_terms_);
  pending_terms_.clear();
  pending_flush_.reset();
  if (staged_) {
    state_->Apply(std::move(*staged_));
    staged_.reset();
    live_from_ = pending_live_from_;
  }
  return {};
}

void SqliteWriter::Rollback() {
  staged_.reset();
  pending_terms_.clear();
  pending_flush_.reset();
  // SQLite may already have rolled back by itself (e.g. after an I/O error).
  if (InTransaction()) rollback_.Run("Rolling back a batch");
}

}  // namespace allot::sqlite
