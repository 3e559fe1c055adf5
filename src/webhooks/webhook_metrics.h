// The webhook metrics of /metrics (docs/operations.md):
//   allot_webhook_deliveries_total{result}   delivery attempts by how they ended
//   allot_webhook_lag_changes{webhook}       journal head minus the webhook's cursor
// Thread-safe: attempts are counted by the delivering threads, lags set by
// the deliverer's managing thread, rendered by an I/O thread.
#ifndef ALLOT_WEBHOOKS_WEBHOOK_METRICS_H_
#define ALLOT_WEBHOOKS_WEBHOOK_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "webhooks/sender.h"

namespace allot::webhooks {

class WebhookMetrics {
 public:
  void Count(AttemptResult result);
  // The lag of every webhook this process knows, replacing the last set.
  void SetLags(std::map<std::string, std::int64_t> lags);
  std::uint64_t count(AttemptResult result) const;

  // Appends both metrics in the Prometheus text format.
  void Render(std::string& out) const;

 private:
  static constexpr std::size_t kResults = 6;
  std::array<std::atomic<std::uint64_t>, kResults> attempts_{};
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> lags_;  // guarded by mu_
};

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_WEBHOOK_METRICS_H_
