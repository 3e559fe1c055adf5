// Delivers the journal to every active webhook: each change as its own
// POST, in seq order, one at a time per webhook (a change is sent only once
// the one before it was acknowledged), signed (signing.h), retried with
// backoff (backoff.h) until the webhook's retry window has passed since
// its first failure, then disabled.
//
// One managing thread looks at the webhooks every second (and whenever a
// delivering thread ends): it keeps this process's leases (leases.h), starts
// a delivering thread for each active webhook it holds, stops those that
// were replayed, disabled or re-enabled (their generation moved on) and
// sets the lag metric. Each delivering thread reads the changes after its
// cursor through the StoreReader and waits for more when it has caught up:
// woken by Poke() (the engine's on_changes, this process's commits) or by
// `idle_poll` (other processes' commits on a shared PostgreSQL database).
//
// The cursor is durable: progress is reported to the engine as an
// AdvanceWebhook command at most every `flush_interval` (busy, or caught up
// and waiting), and besides after every failure, when a failure streak ends
// and when delivery ends. A crash loses at most the last interval's
// reports, so those changes are sent again after a restart: at least once,
// never a gap.
//
// Thread-safe: Poke() from any thread; Start() and Stop() once each, from
// one thread. Stop() before the engine stops (the final reports need it).
#ifndef ALLOT_WEBHOOKS_DELIVERER_H_
#define ALLOT_WEBHOOKS_DELIVERER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "allot/clock.h"
#include "allot/commands.h"
#include "allot/engine.h"
#include "allot/store.h"
#include "webhooks/leases.h"
#include "webhooks/sender.h"
#include "webhooks/url_policy.h"
#include "webhooks/webhook_metrics.h"

namespace allot::webhooks {

struct DelivererOptions {
  // A webhook failing for this long is disabled (--webhook-retry-hours).
  std::chrono::milliseconds retry_window = std::chrono::hours(72);
  std::chrono::milliseconds flush_interval{250};
  std::chrono::milliseconds look_interval{1000};
  // How often a caught-up deliverer reads the journal's head without being
  // poked: for changes other processes commit.
  std::chrono::milliseconds idle_poll{1000};
  std::size_t page_size = 100;
  // Webhooks one process delivers at once (a thread each).
  std::size_t max_webhooks = 256;
};

// Where the deliverer's AdvanceWebhook commands go (api::Service::Submit).
using SubmitCommand = std::function<void(Command, Completion)>;
// A change as the body of its delivery (http::EncodeChange).
using EncodeChangeFn = std::function<std::string(const Change&)>;
// A sender per delivering thread.
using SenderFactory = std::function<std::unique_ptr<Sender>()>;

struct DelivererParts {
  StoreReader* reader = nullptr;
  Leases* leases = nullptr;
  const UrlPolicy* policy = nullptr;
  const Clock* clock = nullptr;
  WebhookMetrics* metrics = nullptr;
  EncodeChangeFn encode;
  SenderFactory senders;
  SubmitCommand submit;
};

class Deliverer {
 public:
  // Every pointer in `parts` must outlive the deliverer.
  Deliverer(DelivererParts parts, DelivererOptions options);
  ~Deliverer();  // Stop()s
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  void Start();
  // Changes were committed: caught-up deliverers read on at once.
  void Poke();
  // Ends every delivery (one in flight is abandoned: it is sent again
  // later), reports the cursors, releases the leases. Idempotent.
  void Stop();

  // Webhooks this process delivers now (for tests).
  std::size_t delivering() const;

 private:
  class Worker;

  void Manage();
  void Look();
  void StopWorkers();

  DelivererParts parts_;
  DelivererOptions options_;

  // Wakes caught-up workers: bumped by Poke().
  std::mutex changes_mu_;
  std::condition_variable changes_cv_;
  std::uint64_t pokes_ = 0;  // guarded by changes_mu_

  mutable std::mutex mu_;
  std::condition_variable manage_cv_;
  bool stopping_ = false;     // guarded by mu_
  bool worker_ended_ = false;  // guarded by mu_
  std::map<std::string, std::unique_ptr<Worker>> workers_;  // the managing thread's
  std::atomic<std::size_t> delivering_{0};
  std::thread manager_;
};

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_DELIVERER_H_
