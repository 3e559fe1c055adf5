#include "webhooks/webhook_metrics.h"

namespace allot::webhooks {

void WebhookMetrics::Count(AttemptResult result) {
  attempts_[static_cast<std::size_t>(result)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t WebhookMetrics::count(AttemptResult result) const {
  return attempts_[static_cast<std::size_t>(result)].load(std::memory_order_relaxed);
}

void WebhookMetrics::SetLags(std::map<std::string, std::int64_t> lags) {
  std::lock_guard lock(mu_);
  lags_ = std::move(lags);
}

void WebhookMetrics::Render(std::string& out) const {
  out +=
      "# HELP allot_webhook_deliveries_total Webhook delivery attempts by how they ended "
      "(delivered: a 2xx within 10 s).\n"
      "# TYPE allot_webhook_deliveries_total counter\n";
  for (std::size_t i = 0; i < kResults; ++i) {
    out += "allot_webhook_deliveries_total{result=\"" +
           std::string(ToString(static_cast<AttemptResult>(i))) + "\"} " +
           std::to_string(attempts_[i].load(std::memory_order_relaxed)) + "\n";
  }
  out +=
      "# HELP allot_webhook_lag_changes Changes in the journal after the last one each webhook "
      "acknowledged (head minus cursor).\n"
      "# TYPE allot_webhook_lag_changes gauge\n";
  std::lock_guard lock(mu_);
  for (const auto& [id, lag] : lags_) {
    out += "allot_webhook_lag_changes{webhook=\"" + id + "\"} " + std::to_string(lag) + "\n";
  }
}

}  // namespace allot::webhooks
