// Runs one batch of commands as one transaction: Begin, decide each command
// in order against the working set (answering idempotent replays from the
// stored answers), Write, Commit. Used only by the sequencer thread.
#ifndef ALLOT_ENGINE_BATCH_RUNNER_H_
#define ALLOT_ENGINE_BATCH_RUNNER_H_

#include <cstdint>
#include <vector>

#include "allot/commands.h"
#include "allot/engine.h"
#include "allot/store.h"
#include "engine/id_generator.h"

namespace allot {

struct PendingCommand {
  Command command;
  Completion done;
};

class BatchRunner {
 public:
  BatchRunner(Store& store, const Clock& clock, const EngineOptions& options);

  // Decides and commits `batch`, first expiring due holds when `sweep` is
  // set. Returns one result per command, in order. If anything fails to
  // load, write or commit, the transaction is rolled back and every result
  // is kUnavailable: nothing of the batch persists; or, when the store lost
  // the answer to its COMMIT, kOutcomeUnknown: all of it may persist, or
  // none (never acknowledged either way). A failure the store marks
  // retryable (IsRetryable) re-runs the whole batch, up to kMaxAttempts.
  std::vector<CommandResult> Run(const std::vector<PendingCommand>& batch, bool sweep);

  // Microseconds the last Run spent writing and committing.
  std::int64_t last_commit_us() const { return last_commit_us_; }
  // What the last Run committed to reservations; all zero if it failed.
  const HoldTransitions& last_transitions() const { return last_transitions_; }
  // Changes the last Run committed to the journal; 0 if it failed.
  std::int64_t last_changes() const { return last_changes_; }
  // The seq of the last change the last batch committed (with last_changes() > 0).
  std::int64_t last_seq() const { return last_seq_; }

  static constexpr int kMaxAttempts = 5;

 private:
  // One try: Begin, lock, decide, write, commit; rolled back unless true.
  bool Attempt(const std::vector<PendingCommand>& batch, bool sweep,
               std::vector<CommandResult>& results, Error& failure);
  // Decides every command; false if the batch must be abandoned.
  Status LockRows(const std::vector<PendingCommand>& batch, bool sweep);
  bool DecideAll(const std::vector<PendingCommand>& batch, bool sweep,
                 std::vector<CommandResult>& results, Error& failure);
  Status WriteAndCommit(BatchWrites writes, bool sweep);

  Store& store_;
  const Clock& clock_;
  const EngineOptions& options_;
  IdGenerator ids_;
  std::int64_t now_ms_ = 0;
  bool purge_ = false;  // this attempt purges old idempotency records
  std::int64_t last_commit_us_ = 0;
  HoldTransitions last_transitions_;
  std::int64_t last_changes_ = 0;
  std::int64_t last_seq_ = 0;
};

}  // namespace allot

#endif  // ALLOT_ENGINE_BATCH_RUNNER_H_
