#include "engine/batch_runner.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <thread>
#include <utility>

#include "core/log.h"
#include "domain/rules.h"
#include "domain/working_set.h"
#include "engine/journal_builder.h"
#include "engine/lock_plan.h"
#include "engine/store_loader.h"

namespace allot {
namespace {

Error KeyReused(const std::string& key) {
  return Error{ErrorCode::kIdempotencyKeyReused,
               "Idempotency-Key '" + key + "' was already used with a different request.",
               {}};
}

bool MustAbandon(const CommandResult& result) {
  return !result && result.error().code == ErrorCode::kUnavailable;
}

// Counted from the rows a batch writes, which hold every reservation it
// created or ended, whichever command did it.
HoldTransitions CountTransitions(const BatchWrites& writes) {
  HoldTransitions counts;
  for (const Reservation& r : writes.new_reservations) {
    if (!IsTransferId(r.id)) ++counts.reservations_created;
  }
  for (const Reservation& r : writes.updated_reservations) {
    const bool reservation = !IsTransferId(r.id);
    switch (r.status) {
      case ReservationStatus::kConfirmed:
        counts.reservations_confirmed += reservation ? 1 : 0;
        break;
      case ReservationStatus::kCancelled:
        counts.reservations_cancelled += reservation ? 1 : 0;
        break;
      case ReservationStatus::kExpired:
        ++counts.holds_expired;
        break;
      case ReservationStatus::kHeld:
        break;
    }
  }
  return counts;
}

}  // namespace

BatchRunner::BatchRunner(Store& store, const Clock& clock, const EngineOptions& options)
    : store_(store), clock_(clock), options_(options), ids_(clock) {}

std::vector<CommandResult> BatchRunner::Run(const std::vector<PendingCommand>& batch, bool sweep) {
  // A store shared with other processes may refuse a batch for a reason that
  // goes away on its own (deadlock, serialization failure, another process
  // inserting the same idempotency key first). Such a batch was rolled back
  // whole, so it is decided again from scratch on fresh state, a few times.
  std::vector<CommandResult> results;
  for (int attempt = 1;; ++attempt) {
    Error failure = Unavailable("Storage failed; nothing was done.");
    results.clear();
    if (Attempt(batch, sweep, results, failure)) return results;
    if (!IsRetryable(failure) || attempt == kMaxAttempts) {
      log::Error("batch failed", {{"error", failure.message},
                                  {"commands", batch.size()},
                                  {"sweep", sweep},
                                  {"attempts", attempt}});
      // An unanswered commit stays unknown: answering "nothing was done"
      // would be wrong if it was.
      if (failure.code != ErrorCode::kOutcomeUnknown) failure.code = ErrorCode::kUnavailable;
      results.assign(batch.size(), std::unexpected(failure));
      return results;
    }
    log::Debug("batch retried", {{"error", failure.message}, {"attempt", attempt}});
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * attempt));
  }
}

// Every row lock of the batch, taken before any decision (see LockPlan),
// for stores shared by several processes.
Status BatchRunner::LockRows(const std::vector<PendingCommand>& batch, bool sweep) {
  if (!store_.LocksRows()) return {};
  return store_.LockForBatch(PlanLocks(batch, sweep ? options_.sweep_limit : 0, now_ms_));
}

bool BatchRunner::Attempt(const std::vector<PendingCommand>& batch, bool sweep,
                          std::vector<CommandResult>& results, Error& failure) {
  results.reserve(batch.size());
  last_commit_us_ = 0;
  last_transitions_ = {};
  last_changes_ = 0;
  now_ms_ = clock_.NowMs();
  // The sweeper's turn (which also purges old idempotency records), or a
  // store that expires due holds with any batch.
  purge_ = sweep;
  sweep = sweep || store_.WantsSweep(now_ms_);

  if (auto begun = store_.Begin(); !begun) {
    failure = begun.error();
    return false;
  }
  bool ok = false;
  if (auto locked = LockRows(batch, sweep); !locked) {
    failure = locked.error();
  } else {
    try {
      ok = DecideAll(batch, sweep, results, failure);
    } catch (const std::exception& e) {
      // Exceptions never cross the sequencer: a throwing batch is abandoned.
      failure = Unavailable(std::string("Internal error: ") + e.what());
      ok = false;
    }
  }
  if (!ok) store_.Rollback();
  return ok;
}

bool BatchRunner::DecideAll(const std::vector<PendingCommand>& batch, bool sweep,
                            std::vector<CommandResult>& results, Error& failure) {
  StoreLoader loader(store_);
  JournalBuilder journal(store_.journal_layout(), store_.NextSeq(), now_ms_);
  domain::WorkingSet ws(loader, journal);
  domain::Context ctx{.now_ms = now_ms_, .ids = &ids_};
  ids_.UseKeys(&journal);
  // The ids handed out below must not outlive this batch's keys.
  struct Detach {
    IdGenerator& ids;
    ~Detach() { ids.UseKeys(nullptr); }
  } detach{ids_};

  if (sweep) {
    journal.BeginCommand();
    auto swept = domain::Decide(ExpireDue{options_.sweep_limit}, ws, ctx);
    if (MustAbandon(swept)) {
      failure = swept.error();
      return false;
    }
  }
  // Answers given earlier in this batch, by (principal, key): a duplicate in
  // the same batch replays them like one from an earlier batch.
  std::map<std::pair<std::string, std::string>, IdempotencyRecord> answered;

  for (const PendingCommand& pending : batch) {
    const Command& command = pending.command;
    if (command.idempotency) {
      const IdempotencyKey& idem = *command.idempotency;
      std::optional<IdempotencyRecord> stored;
      if (auto it = answered.find({command.principal, idem.key}); it != answered.end()) {
        stored = it->second;
      } else {
        auto loaded = store_.LoadIdempotency(command.principal, idem.key);
        if (!loaded) {
          failure = loaded.error();
          return false;
        }
        stored = std::move(*loaded);
      }
      if (stored) {
        if (stored->fingerprint == idem.fingerprint) {
          results.push_back(Outcome{Replay{stored->status, stored->body}, false});
        } else {
          results.push_back(std::unexpected(KeyReused(idem.key)));
        }
        continue;
      }
    }
    ctx.principal = command.principal;
    ctx.own_records_only = command.own_records_only;
    journal.BeginCommand();
    CommandResult result = domain::Decide(command.body, ws, ctx);
    if (MustAbandon(result)) {
      failure = result.error();
      return false;
    }
    if (command.idempotency && command.idempotency->render) {
      IdempotencyRecord record = command.idempotency->render(result);
      record.principal = command.principal;
      record.key = command.idempotency->key;
      record.fingerprint = command.idempotency->fingerprint;
      record.created_at_ms = now_ms_;
      answered[{record.principal, record.key}] = record;
      ws.AddIdempotency(std::move(record));
    }
    results.push_back(std::move(result));
  }

  BatchWrites writes = ws.TakeWrites();
  writes.journal = journal.TakeBlocks();
  if (auto committed = WriteAndCommit(std::move(writes), sweep); !committed) {
    failure = committed.error();
    return false;
  }
  return true;
}

Status BatchRunner::WriteAndCommit(BatchWrites writes, bool sweep) {
  if (sweep && purge_) writes.purge_idempotency_before_ms = now_ms_ - options_.idempotency_ttl_ms;
  const auto start = std::chrono::steady_clock::now();
  // Counted now: the store takes the writes.
  const HoldTransitions transitions = CountTransitions(writes);
  std::int64_t changes = 0;
  std::int64_t last_seq = 0;
  for (const JournalBlock& block : writes.journal) {
    changes += block.count;
    last_seq = std::max(last_seq, block.first_seq + block.count - 1);
  }
  if (!writes.empty()) {
    if (auto written = store_.Write(std::move(writes)); !written) return written;
  }
  auto committed = store_.Commit();
  last_commit_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  if (committed) {
    last_transitions_ = transitions;
    last_changes_ = changes;
    last_seq_ = last_seq;
  }
  return committed;
}

}  // namespace allot
