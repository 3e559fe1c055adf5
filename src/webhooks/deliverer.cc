#include "webhooks/deliverer.h"

#include <future>
#include <utility>

#include "core/log.h"
#include "webhooks/backoff.h"
#include "webhooks/signing.h"

namespace allot::webhooks {
namespace {

// Changes read per page at most, whatever the filter keeps.
constexpr std::size_t kMaxScan = 10'000;
// After a failed read of the journal or webhooks (database down).
constexpr auto kReadRetry = std::chrono::seconds(1);

// How a progress report ended.
enum class Report {
  kRecorded,
  kDisabled,  // the failure disabled the webhook
  kStale,     // replayed, disabled, re-enabled or gone meanwhile: stop
  kFailed,    // not recorded (storage); try again with the next one
};

}  // namespace

// Delivers one webhook, from the generation it was started with, until
// told to stop, disabled, or its generation is found stale.
class Deliverer::Worker {
 public:
  // The URL is checked against this process's policy (which may differ
  // from the one that registered it) once per start: neither changes while
  // the worker runs.
  Worker(Deliverer& owner, Webhook webhook)
      : owner_(owner),
        webhook_(std::move(webhook)),
        target_(owner_.parts_.policy->Check(webhook_.url)),
        signer_(webhook_.secret),
        cursor_(webhook_.cursor) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Worker() {
    Stop();
    if (thread_.joinable()) thread_.join();
  }

  void Stop() {
    stop_.store(true);
    {
      // Under the mutex, so a worker about to wait sees it.
      std::lock_guard lock(owner_.changes_mu_);
    }
    owner_.changes_cv_.notify_all();
  }
  bool done() const { return done_.load(); }
  std::int64_t generation() const { return webhook_.generation; }
  std::int64_t cursor() const { return cursor_.load(std::memory_order_relaxed); }

 private:
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  void Run() {
    sender_ = owner_.parts_.senders();
    flushed_ = webhook_.cursor;
    failing_ = webhook_.failing_since_ms.has_value();
    last_flush_ = std::chrono::steady_clock::now();
    Deliver();
    // What was delivered since the last report is reported now, so whoever
    // delivers next (after a replay: nobody needs it) starts after it.
    if (!stale_ && cursor() != flushed_) Flush(std::nullopt);
    done_.store(true);
    {
      std::lock_guard lock(owner_.mu_);
      owner_.worker_ended_ = true;
    }
    owner_.manage_cv_.notify_all();
  }

  void Deliver() {
    ChangeFilter filter{.types = webhook_.types, .owner = std::nullopt};
    while (!stopping()) {
      std::uint64_t seen_pokes;
      {
        std::lock_guard lock(owner_.changes_mu_);
        seen_pokes = owner_.pokes_;
      }
      auto page = owner_.parts_.reader->ReadChanges(cursor(), owner_.options_.page_size, filter,
                                                   kMaxScan);
      if (!page) {
        log::Warn("webhook delivery cannot read the journal",
                  {{"webhook", webhook_.id}, {"error", page.error().message}});
        Pause(kReadRetry);
        continue;
      }
      // An admin's replay, disable or enable (here or on another process)
      // ends this delivery before anything more is sent: read the row again
      // before each page (a primary-key read, a few per second when busy).
      if (!page->changes.empty() && !StillCurrent()) return;
      for (const Change& change : page->changes) {
        if (!DeliverOne(change)) return;
      }
      // Changes the types filter skipped count as passed.
      if (page->next > cursor()) cursor_.store(page->next, std::memory_order_relaxed);
      if (!page->changes.empty()) continue;
      // Caught up. Progress not yet reported is reported once the flush
      // interval has passed since the last report (so at a steady trickle
      // of changes, still at most every interval); meanwhile, and then, wait
      // for a commit.
      auto wait = owner_.options_.idle_poll;
      if (cursor() != flushed_) {
        const auto since = std::chrono::steady_clock::now() - last_flush_;
        if (since >= owner_.options_.flush_interval) {
          if (Flush(std::nullopt) == Report::kStale) return;
        } else {
          wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    owner_.options_.flush_interval - since) +
                                    std::chrono::milliseconds(1));
        }
      }
      std::unique_lock lock(owner_.changes_mu_);
      owner_.changes_cv_.wait_for(lock, wait, [&] {
        return stopping() || owner_.pokes_ != seen_pokes;
      });
    }
  }

  // Whether the webhook is still active at the generation this worker
  // delivers; a failed read counts as current (the report will tell).
  bool StillCurrent() {
    auto stored = owner_.parts_.reader->GetWebhook(webhook_.id);
    if (!stored) return true;
    if (*stored && (*stored)->status == WebhookStatus::kActive &&
        (*stored)->generation == webhook_.generation) {
      return true;
    }
    stale_ = true;
    return false;
  }

  // Sends `change` until acknowledged. False when delivery must end.
  bool DeliverOne(const Change& change) {
    const std::string body = owner_.parts_.encode(change);
    int failures = 0;
    while (!stopping()) {
      Attempt attempt = Send(change, body);
      owner_.parts_.metrics->Count(attempt.result);
      if (attempt.result == AttemptResult::kStopped) return false;
      if (attempt.result == AttemptResult::kDelivered) {
        cursor_.store(change.seq, std::memory_order_relaxed);
        const bool due = std::chrono::steady_clock::now() - last_flush_ >=
                         owner_.options_.flush_interval;
        // A streak of failures ends now: say so at once.
        if (failing_ || due) {
          const Report report = Flush(std::nullopt);
          if (report == Report::kStale) return false;
          if (report == Report::kRecorded) failing_ = false;
        }
        return true;
      }
      ++failures;
      const Report report = Flush(attempt.error);
      if (report == Report::kStale || report == Report::kDisabled) return false;
      if (report == Report::kRecorded) failing_ = true;
      Pause(RetryDelay(failures));
      if (!StillCurrent()) return false;
    }
    return false;
  }

  Attempt Send(const Change& change, const std::string& body) {
    if (!target_) {
      return Attempt{AttemptResult::kRefused, 0,
                     Truncate(target_.error().message, kMaxWebhookErrorBytes)};
    }
    const std::int64_t now_s = owner_.parts_.clock->NowMs() / 1000;
    Delivery delivery{.url = target_->url,
                      .headers = {{"Content-Type", "application/json"},
                                  {"Allot-Event-Id", std::to_string(change.seq)},
                                  {"Allot-Event-Type", std::string(ToString(change.type))},
                                  {"Allot-Signature", signer_.Header(now_s, body)}},
                      .body = body};
    return sender_->Send(delivery, [this] { return !stopping(); });
  }

  // Reports the cursor (and a failure) through the engine, and waits for
  // the answer.
  Report Flush(std::optional<std::string> error) {
    const std::int64_t cursor = this->cursor();
    Command command;
    command.body = AdvanceWebhook{.id = webhook_.id,
                                  .generation = webhook_.generation,
                                  .cursor = cursor,
                                  .error = std::move(error),
                                  .retry_window_ms = owner_.options_.retry_window.count()};
    auto promise = std::make_shared<std::promise<CommandResult>>();
    auto future = promise->get_future();
    owner_.parts_.submit(std::move(command),
                         [promise](CommandResult result) { promise->set_value(std::move(result)); });
    CommandResult result = future.get();
    last_flush_ = std::chrono::steady_clock::now();
    if (!result) {
      const ErrorCode code = result.error().code;
      if (code == ErrorCode::kInvalidState || code == ErrorCode::kNotFound) {
        stale_ = true;
        return Report::kStale;
      }
      log::Warn("webhook progress not recorded",
                {{"webhook", webhook_.id}, {"error", result.error().message}});
      return Report::kFailed;
    }
    flushed_ = cursor;
    const auto* webhook = std::get_if<Webhook>(&result->value);
    if (webhook != nullptr && webhook->status == WebhookStatus::kDisabled) {
      log::Warn("webhook disabled after failing for its retry window",
                {{"webhook", webhook_.id}, {"lastError", webhook->last_error.value_or("")}});
      stale_ = true;
      return Report::kDisabled;
    }
    return Report::kRecorded;
  }

  // Sleeps, cut short by Stop().
  void Pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(owner_.changes_mu_);
    owner_.changes_cv_.wait_for(lock, delay, [&] { return stopping(); });
  }

  Deliverer& owner_;
  const Webhook webhook_;
  const Expected<Target> target_;
  Signer signer_;
  std::unique_ptr<Sender> sender_;
  std::atomic<std::int64_t> cursor_;
  std::int64_t flushed_ = 0;
  bool failing_ = false;
  bool stale_ = false;
  std::chrono::steady_clock::time_point last_flush_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;  // last: starts once the rest is set
};

Deliverer::Deliverer(DelivererParts parts, DelivererOptions options)
    : parts_(std::move(parts)), options_(options) {}

Deliverer::~Deliverer() { Stop(); }

void Deliverer::Start() {
  manager_ = std::thread([this] { Manage(); });
}

void Deliverer::Poke() {
  {
    std::lock_guard lock(changes_mu_);
    ++pokes_;
  }
  changes_cv_.notify_all();
}

void Deliverer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !manager_.joinable()) return;
    stopping_ = true;
  }
  manage_cv_.notify_all();
  if (manager_.joinable()) manager_.join();
}

std::size_t Deliverer::delivering() const { return delivering_.load(); }

void Deliverer::Manage() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    worker_ended_ = false;
    lock.unlock();
    Look();
    lock.lock();
    manage_cv_.wait_for(lock, options_.look_interval,
                        [this] { return stopping_ || worker_ended_; });
  }
  lock.unlock();
  StopWorkers();
}

void Deliverer::StopWorkers() {
  for (auto& [id, worker] : workers_) worker->Stop();
  for (auto& [id, worker] : workers_) {
    worker.reset();  // joins: its last report is made
    parts_.leases->Release(id);
  }
  workers_.clear();
  delivering_.store(0);
}

void Deliverer::Look() {
  if (!parts_.leases->Check()) {
    // Another process may deliver these webhooks now: stop at once.
    for (auto& [id, worker] : workers_) worker->Stop();
  }
  // Ended workers leave first, so a replayed webhook restarts below.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->second->done()) {
      ++it;
      continue;
    }
    it->second.reset();
    parts_.leases->Release(it->first);
    it = workers_.erase(it);
  }
  auto webhooks = parts_.reader->ListWebhooks();
  auto head = parts_.reader->JournalHead();
  if (!webhooks || !head) {
    delivering_.store(workers_.size());
    return;
  }
  std::map<std::string, std::int64_t> lags;
  for (Webhook& webhook : *webhooks) {
    auto it = workers_.find(webhook.id);
    Worker* worker = it == workers_.end() ? nullptr : it->second.get();
    if (webhook.status == WebhookStatus::kActive) {
      if (worker != nullptr && worker->generation() != webhook.generation) worker->Stop();
      if (worker == nullptr && workers_.size() < options_.max_webhooks &&
          parts_.leases->Acquire(webhook.id)) {
        auto started = std::make_unique<Worker>(*this, webhook);
        worker = started.get();
        workers_.emplace(webhook.id, std::move(started));
      }
    } else if (worker != nullptr) {
      worker->Stop();
    }
    const std::int64_t cursor = worker != nullptr ? worker->cursor() : webhook.cursor;
    lags[webhook.id] = std::max<std::int64_t>(0, *head - cursor);
  }
  parts_.metrics->SetLags(std::move(lags));
  delivering_.store(workers_.size());
}

}  // namespace allot::webhooks
