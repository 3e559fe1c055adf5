// The engine: one sequencer thread that applies every write in arrival order
// and commits them in batches (group commit), plus the expiry sweeper.
//
//   Submit() from any thread --> bounded queue --> sequencer drains up to
//   batch_max commands --> Begin; decide each against current state; Write;
//   Commit --> completions run, only after the commit returned.
//
// A batch forms while the previous commit runs: no timer, no added latency at
// low load. If a batch fails to commit, every command in it completes with
// kUnavailable and nothing of it persists; if the store cannot tell whether
// the commit happened (its answer was lost), with kOutcomeUnknown.
#ifndef ALLOT_ENGINE_H_
#define ALLOT_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "allot/clock.h"
#include "allot/commands.h"
#include "allot/error.h"
#include "allot/store.h"

namespace allot {

// Called on the sequencer thread after each batch: how many client commands
// it held and how long its commit took. Must be quick and must not block.
using BatchObserver = std::function<void(std::size_t commands, std::int64_t commit_us)>;

// What one committed batch did to reservations, counted from its writes (so
// a failed batch counts nothing). Held transfers are holds too: their expiry
// counts in holds_expired, but they are not reservations.
struct HoldTransitions {
  std::size_t reservations_created = 0;
  std::size_t reservations_confirmed = 0;
  std::size_t reservations_cancelled = 0;
  // Found past expiresAt by the sweep or by a command touching its units.
  std::size_t holds_expired = 0;

  bool any() const {
    return reservations_created + reservations_confirmed + reservations_cancelled + holds_expired !=
           0;
  }
};

// Called on the sequencer thread after a committed batch that changed any
// reservation (sweep-only batches included). Must be quick and must not block.
using HoldObserver = std::function<void(const HoldTransitions&)>;

// Called on the sequencer thread after a committed batch that wrote changes
// to the journal (sweep-only batches included): how many, and the seq of the
// last. Must be quick and must not block.
using ChangeObserver = std::function<void(std::int64_t changes, std::int64_t last_seq)>;

struct EngineOptions {
  std::size_t queue_capacity = 100'000;  // commands waiting; beyond it: kOverloaded
  std::size_t batch_max = 10'000;        // commands per transaction; 1 = one per request
  std::int64_t sweep_interval_ms = 1'000;
  std::size_t sweep_limit = 1'000;  // reservations expired per sweep batch
  // Idempotency records are kept this long (the contract promises 24 h).
  std::int64_t idempotency_ttl_ms = 48LL * 3600 * 1000;
  const Clock* clock = nullptr;  // nullptr: the system clock; must outlive the engine
  BatchObserver on_batch;
  HoldObserver on_holds;
  ChangeObserver on_changes;
};

// Completion of a submitted command. Runs on the sequencer thread (or on the
// submitting thread when the command is refused at the queue); it must not
// block: hand the result to your own executor.
using Completion = std::function<void(CommandResult)>;

// A command and its completion, for SubmitMany.
struct Submission {
  Command command;
  Completion done;
};

class Engine {
 public:
  // Starts the sequencer thread over `store`.
  static Expected<std::unique_ptr<Engine>> Start(std::unique_ptr<Store> store,
                                                 EngineOptions options);
  ~Engine();  // Stop()s if still running
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Thread-safe. `done` is called exactly once: with the result after the
  // command's batch committed, with kUnavailable if the batch failed
  // (kOutcomeUnknown if its commit got no answer), or at
  // once with kOverloaded if the queue is full (kUnavailable once stopping).
  void Submit(Command command, Completion done);

  // Thread-safe. Queues every submission in one step, under one lock, in the
  // order given and one after the other (nothing submitted meanwhile comes
  // between them), so they are decided in that order, each seeing the
  // effects of those before it; they may still be split across batches at
  // batch_max. All or none: if the queue has no room for all of them (so
  // always when there are more than queue_capacity), none is queued, no
  // `done` is ever called, and kOverloaded is returned (kUnavailable once
  // stopping). Otherwise each `done` is called exactly once, as Submit's.
  Status SubmitMany(std::vector<Submission> submissions);

  // Submit and wait. For embedding and tests.
  CommandResult Execute(Command command);

  // Stops taking commands, finishes and commits what is queued, joins the
  // sequencer. Idempotent.
  void Stop();

  std::size_t QueueDepth() const;
  const Clock& clock() const;

 private:
  class Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace allot

#endif  // ALLOT_ENGINE_H_
