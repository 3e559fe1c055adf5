// The sequencer: a bounded queue in front of one thread that drains it in
// batches. A batch is whatever queued up while the previous one committed,
// up to batch_max: no timer, so a lone request commits at once and a crowd
// shares one fsync.
#include "allot/engine.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/batch_runner.h"

namespace allot {

class Engine::Impl {
 public:
  Impl(std::unique_ptr<Store> store, EngineOptions options)
      : store_(std::move(store)),
        options_(std::move(options)),
        clock_(options_.clock != nullptr ? *options_.clock : system_clock_),
        runner_(*store_, clock_, options_) {
    if (options_.batch_max == 0) options_.batch_max = 1;
    thread_ = std::thread([this] { Run(); });
  }

  ~Impl() { Stop(); }

  void Submit(Command command, Completion done) {
    {
      std::lock_guard lock(mu_);
      if (!stopping_ && queue_.size() < options_.queue_capacity) {
        queue_.push_back(PendingCommand{std::move(command), std::move(done)});
        if (queue_.size() == 1) wake_.notify_one();
        return;
      }
    }
    if (stopping()) {
      done(std::unexpected(Unavailable("The service is shutting down; nothing was done.")));
    } else {
      done(std::unexpected(
          Error{ErrorCode::kOverloaded, "Too many writes are waiting; retry shortly.", {}}));
    }
  }

  Status SubmitMany(std::vector<Submission>& submissions) {
    {
      std::lock_guard lock(mu_);
      if (!stopping_ && queue_.size() + submissions.size() <= options_.queue_capacity) {
        const bool was_empty = queue_.empty();
        for (Submission& submission : submissions) {
          queue_.push_back(
              PendingCommand{std::move(submission.command), std::move(submission.done)});
        }
        if (was_empty && !queue_.empty()) wake_.notify_one();
        return {};
      }
    }
    if (stopping()) return Fail(Unavailable("The service is shutting down; nothing was done."));
    return Fail(ErrorCode::kOverloaded, "Too many writes are waiting; retry shortly.");
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && !thread_.joinable()) return;
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  std::size_t QueueDepth() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

  const Clock& clock() const { return clock_; }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  bool stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  // Waits for work or the next sweep; moves up to batch_max commands into
  // `batch`. False once stopping and the queue is drained.
  bool NextBatch(std::vector<PendingCommand>& batch, SteadyTime next_sweep) {
    std::unique_lock lock(mu_);
    wake_.wait_until(lock, next_sweep, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return false;
    const std::size_t n = std::min(queue_.size(), options_.batch_max);
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return true;
  }

  void Run() {
    const auto interval = std::chrono::milliseconds(options_.sweep_interval_ms);
    SteadyTime next_sweep = std::chrono::steady_clock::now() + interval;
    std::vector<PendingCommand> batch;
    while (true) {
      batch.clear();
      if (!NextBatch(batch, next_sweep)) break;
      const bool sweep = std::chrono::steady_clock::now() >= next_sweep;
      if (batch.empty() && !sweep) continue;
      if (sweep) next_sweep = std::chrono::steady_clock::now() + interval;
      std::vector<CommandResult> results = runner_.Run(batch, sweep);
      if (options_.on_batch && !batch.empty()) {
        options_.on_batch(batch.size(), runner_.last_commit_us());
      }
      if (options_.on_holds && runner_.last_transitions().any()) {
        options_.on_holds(runner_.last_transitions());
      }
      if (options_.on_changes && runner_.last_changes() > 0) {
        options_.on_changes(runner_.last_changes(), runner_.last_seq());
      }
      // Answers go out only now, after the commit returned.
      for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i].done(std::move(results[i]));
      }
    }
  }

  std::unique_ptr<Store> store_;
  EngineOptions options_;
  SystemClock system_clock_;
  const Clock& clock_;
  BatchRunner runner_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<PendingCommand> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

Expected<std::unique_ptr<Engine>> Engine::Start(std::unique_ptr<Store> store,
                                                EngineOptions options) {
  if (store == nullptr) return Fail(Unavailable("The engine needs a store."));
  return std::unique_ptr<Engine>(
      new Engine(std::make_unique<Impl>(std::move(store), std::move(options))));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

void Engine::Submit(Command command, Completion done) {
  impl_->Submit(std::move(command), std::move(done));
}

Status Engine::SubmitMany(std::vector<Submission> submissions) {
  return impl_->SubmitMany(submissions);
}

CommandResult Engine::Execute(Command command) {
  std::promise<CommandResult> promise;
  auto future = promise.get_future();
  Submit(std::move(command),
         [&promise](CommandResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

void Engine::Stop() { impl_->Stop(); }
std::size_t Engine::QueueDepth() const { return impl_->QueueDepth(); }
const Clock& Engine::clock() const { return impl_->clock(); }

}  // namespace allot
