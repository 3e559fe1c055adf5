// Names of webhook statuses and the stored form of a webhook's types
// (include/allot/webhook.h).
#include "allot/webhook.h"

namespace allot {

std::string_view ToString(WebhookStatus status) {
  return status == WebhookStatus::kActive ? "active" : "disabled";
}

std::optional<WebhookStatus> ParseWebhookStatus(std::string_view text) {
  if (text == "active") return WebhookStatus::kActive;
  if (text == "disabled") return WebhookStatus::kDisabled;
  return std::nullopt;
}

std::string JoinChangeTypes(const std::vector<ChangeType>& types) {
  std::string out;
  for (ChangeType type : types) {
    if (!out.empty()) out.push_back(',');
    out.append(ToString(type));
  }
  return out;
}

std::optional<std::vector<ChangeType>> SplitChangeTypes(std::string_view text) {
  std::vector<ChangeType> types;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    auto type = ParseChangeType(text.substr(0, comma));
    if (!type) return std::nullopt;
    types.push_back(*type);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return types;
}

}  // namespace allot
