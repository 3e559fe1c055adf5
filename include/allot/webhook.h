// Webhooks: endpoints that receive every change of the journal (or of some
// types), in seq order, one at a time, signed. A webhook is state of the
// service, not a change: creating or updating one writes no journal change
// (the contract has no webhook change types). See docs/api.md, "Webhooks".
#ifndef ALLOT_WEBHOOK_H_
#define ALLOT_WEBHOOK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/journal.h"

namespace allot {

enum class WebhookStatus { kActive, kDisabled };
std::string_view ToString(WebhookStatus status);
std::optional<WebhookStatus> ParseWebhookStatus(std::string_view text);

struct Webhook {
  std::string id;  // "whk_..."
  std::string url;
  std::vector<ChangeType> types;  // empty: every type
  WebhookStatus status = WebhookStatus::kActive;
  // 64 lowercase hex digits (32 random bytes); the HMAC key is this text.
  // Answered only by the create; the rules clear it in every other answer.
  std::string secret;
  std::int64_t cursor = 0;  // the last seq acknowledged (or skipped by `types`)
  // Bumped by every change an admin makes (replay, enable, disable) and by
  // a disable after failures: a deliverer's progress report for an older
  // generation is refused, so it never undoes a replay.
  std::int64_t generation = 1;
  std::optional<std::string> last_error;      // at most kMaxWebhookErrorBytes
  std::optional<std::int64_t> failing_since_ms;  // first failure of the current streak
  std::int64_t created_at_ms = 0;
  friend bool operator==(const Webhook&, const Webhook&) = default;
};

inline constexpr std::size_t kMaxWebhookErrorBytes = 1024;
inline constexpr std::size_t kMaxWebhookUrlBytes = 2048;

// "reservation.created,order.placed" and back; "" is every type. Parsing
// fails (nullopt) on an unknown name.
std::string JoinChangeTypes(const std::vector<ChangeType>& types);
std::optional<std::vector<ChangeType>> SplitChangeTypes(std::string_view text);

}  // namespace allot

#endif  // ALLOT_WEBHOOK_H_
