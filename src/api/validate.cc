#include "api/validate.h"

#include <cstdio>
#include <set>
#include <string>
#include <unordered_set>

namespace allot::api {
namespace {

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

Status CheckId(std::string_view id, std::string field) {
  if (IsValidId(id)) return {};
  return Fail(InvalidField(std::move(field),
                           "An id must be 1 to 128 characters from A-Z a-z 0-9 . _ : -."));
}

Status CheckQuantity(std::int64_t qty, std::string field) {
  if (qty >= 1 && qty <= kMaxQuantity) return {};
  return Fail(
      InvalidField(std::move(field), "A quantity must be an integer from 1 to 1000000000."));
}

Status CheckText(const std::string& text, std::string field, bool required) {
  if (required && text.empty()) {
    return Fail(InvalidField(std::move(field), "This text must not be empty."));
  }
  if (text.size() > kMaxTextLength) {
    return Fail(InvalidField(std::move(field), "This text is longer than 500 bytes."));
  }
  return {};
}

Status CheckLines(const std::vector<Line>& lines) {
  if (lines.empty()) return Fail(InvalidField("lines", "At least one line is needed."));
  if (lines.size() > kMaxLinesPerRequest) {
    return Fail(InvalidField("lines", "At most 100 lines are allowed in one request."));
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string prefix = "lines[" + std::to_string(i) + "].";
    if (auto seat = SeatOfItem(lines[i].item_id)) {
      // A seat line ({"eventId","seat"}), decoded as its seat item, qty 1.
      if (auto s = CheckId(seat->event_id, prefix + "eventId"); !s) return s;
      if (!IsValidSeatName(seat->seat)) {
        return Fail(InvalidField(prefix + "seat",
                                 "A seat name must be 1 to 64 characters from "
                                 "A-Z a-z 0-9 . _ : -."));
      }
      if (lines[i].qty != 1) return Fail(InvalidField(prefix + "seat", "A seat line is one seat."));
      continue;
    }
    if (auto s = CheckId(lines[i].item_id, prefix + "itemId"); !s) return s;
    if (auto s = CheckQuantity(lines[i].qty, prefix + "qty"); !s) return s;
  }
  return {};
}

Status ValidateBody(const CreateItem& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (c.on_hand < 0 || c.on_hand > kMaxQuantity) {
    return Fail(InvalidField("onHand", "onHand must be an integer from 0 to 1000000000."));
  }
  if (c.name) {
    if (auto s = CheckText(*c.name, "name", false); !s) return s;
  }
  if (c.max_per_user) return CheckQuantity(*c.max_per_user, "maxPerUser");
  return {};
}

Status ValidateBody(const AdjustItem& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (c.delta == 0 || c.delta < -kMaxQuantity || c.delta > kMaxQuantity) {
    return Fail(InvalidField("delta",
                             "delta must be a non-zero integer from -1000000000 to "
                             "1000000000."));
  }
  if (c.expected_on_hand && (*c.expected_on_hand < 0 || *c.expected_on_hand > kMaxMoney)) {
    return Fail(InvalidField("expectedOnHand",
                             "expectedOnHand must be an integer from 0 to 10^15."));
  }
  return CheckText(c.reason, "reason", true);
}

Status ValidateBody(const Reserve& c) {
  if (auto s = CheckId(c.user_id, "userId"); !s) return s;
  if (auto s = CheckLines(c.lines); !s) return s;
  if (c.ttl_seconds < 1 || c.ttl_seconds > kMaxTtlSeconds) {
    return Fail(InvalidField("ttlSeconds", "ttlSeconds must be an integer from 1 to 604800."));
  }
  return {};
}

Status ValidateBody(const ConfirmReservation& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (c.payment_ref) return CheckText(*c.payment_ref, "paymentRef", false);
  return {};
}

Status ValidateBody(const CancelReservation& c) { return CheckId(c.id, "id"); }

Status ValidateBody(const ExtendReservation& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (c.ttl_seconds < 1 || c.ttl_seconds > kMaxTtlSeconds) {
    return Fail(InvalidField("ttlSeconds", "ttlSeconds must be an integer from 1 to 604800."));
  }
  return {};
}

Status ValidateBody(const PlaceOrder& c) {
  if (auto s = CheckId(c.user_id, "userId"); !s) return s;
  return CheckLines(c.lines);
}

Status ValidateBody(const CancelOrder& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (c.reason) return CheckText(*c.reason, "reason", false);
  return {};
}

Status CheckMoney(std::int64_t amount, std::int64_t min, std::string field) {
  if (amount >= min && amount <= kMaxMoney) return {};
  return Fail(InvalidField(std::move(field), "This amount must be an integer from " +
                                                 std::to_string(min) + " to " +
                                                 std::to_string(kMaxMoney) + " (minor units)."));
}

Status ValidateBody(const CreateAccount& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  return CheckMoney(c.balance, 0, "balance");
}

Status ValidateBody(const CreateTransfer& c) {
  if (auto s = CheckId(c.from_id, "fromId"); !s) return s;
  if (auto s = CheckId(c.to_id, "toId"); !s) return s;
  if (c.from_id == c.to_id) {
    return Fail(InvalidField("toId", "A transfer needs two different accounts."));
  }
  if (auto s = CheckMoney(c.amount, 1, "amount"); !s) return s;
  if (c.ttl_seconds < 1 || c.ttl_seconds > kMaxTtlSeconds) {
    return Fail(InvalidField("ttlSeconds", "ttlSeconds must be an integer from 1 to 604800."));
  }
  return {};
}

Status ValidateBody(const ConfirmTransfer& c) { return CheckId(c.id, "id"); }
Status ValidateBody(const CancelTransfer& c) { return CheckId(c.id, "id"); }

Status ValidateBody(const CreateEvent& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (c.name) {
    if (auto s = CheckText(*c.name, "name", false); !s) return s;
  }
  if (c.seats.empty() || c.seats.size() > kMaxSeatsPerEvent) {
    return Fail(InvalidField("seats", "An event has 1 to 100000 seats."));
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(c.seats.size());
  for (std::size_t i = 0; i < c.seats.size(); ++i) {
    const std::string field = "seats[" + std::to_string(i) + "]";
    if (!IsValidSeatName(c.seats[i])) {
      return Fail(InvalidField(field,
                               "A seat name must be 1 to 64 characters from "
                               "A-Z a-z 0-9 . _ : -."));
    }
    if (!seen.insert(c.seats[i]).second) {
      return Fail(InvalidField(field, "The seat '" + c.seats[i] + "' is named twice."));
    }
  }
  return {};
}

Status ValidateBody(const ExpireDue& c) {
  if (c.limit == 0) return Fail(InvalidField("limit", "An expiry sweep needs a limit above 0."));
  return {};
}

Status ValidateWebhookId(const std::string& id) {
  if (!IsValidId(id)) return Fail(NotFound("webhook", id));
  return {};
}

Status ValidateCursor(std::string_view field, std::int64_t cursor) {
  if (cursor < 0) return Fail(InvalidField(std::string(field), "A seq is 0 or more."));
  return {};
}

// The URL's form and host are checked by the HTTP layer against the
// delivery policy (webhooks/url_policy.h); here only what needs no option.
Status ValidateBody(const CreateWebhook& c) {
  if (c.url.empty() || c.url.size() > kMaxWebhookUrlBytes) {
    return Fail(InvalidField("url", "A webhook url is 1 to 2048 bytes."));
  }
  std::set<ChangeType> seen;
  for (std::size_t i = 0; i < c.types.size(); ++i) {
    if (!seen.insert(c.types[i]).second) {
      return Fail(InvalidField("types[" + std::to_string(i) + "]",
                               "The type '" + std::string(ToString(c.types[i])) +
                                   "' is named twice."));
    }
  }
  if (c.after) {
    if (auto valid = ValidateCursor("after", *c.after); !valid) return valid;
  }
  if (c.secret.size() != 64) return Fail(Unavailable("A webhook secret was not made."));
  return {};
}

Status ValidateBody(const ReplayWebhook& c) {
  if (auto valid = ValidateWebhookId(c.id); !valid) return valid;
  return ValidateCursor("after", c.after);
}

Status ValidateBody(const SetWebhookStatus& c) { return ValidateWebhookId(c.id); }

Status ValidateBody(const AdvanceWebhook& c) {
  if (auto valid = ValidateWebhookId(c.id); !valid) return valid;
  if (auto valid = ValidateCursor("cursor", c.cursor); !valid) return valid;
  if (c.error && c.error->size() > kMaxWebhookErrorBytes) {
    return Fail(InvalidField("error", "A delivery error is kept to 1 KiB."));
  }
  if (c.retry_window_ms < 0) return Fail(InvalidField("retryWindowMs", "Must be 0 or more."));
  return {};
}

Status ValidateBody(const JoinWaitlist& c) {
  if (auto s = CheckId(c.item_id, "itemId"); !s) return s;
  if (auto s = CheckId(c.user_id, "userId"); !s) return s;
  if (auto s = CheckQuantity(c.qty, "qty"); !s) return s;
  if (c.offer_ttl_seconds < 1 || c.offer_ttl_seconds > kMaxTtlSeconds) {
    return Fail(InvalidField("offerTtlSeconds",
                             "offerTtlSeconds must be an integer from 1 to 604800."));
  }
  return {};
}

Status ValidateBody(const LeaveWaitlist& c) { return CheckId(c.id, "id"); }

Status ValidateBody(const CreateDraw& c) {
  if (auto s = CheckId(c.id, "id"); !s) return s;
  if (auto s = CheckId(c.item_id, "itemId"); !s) return s;
  if (auto s = CheckQuantity(c.units, "units"); !s) return s;
  if (c.closes_at_ms <= 0) return Fail(InvalidField("closesAt", "closesAt must be a time."));
  if (c.offer_ttl_seconds < 1 || c.offer_ttl_seconds > kMaxTtlSeconds) {
    return Fail(InvalidField("offerTtlSeconds",
                             "offerTtlSeconds must be an integer from 1 to 604800."));
  }
  if (c.seed.size() != 32) return Fail(Unavailable("A draw's seed was not made."));
  return {};
}

Status ValidateBody(const EnterDraw& c) {
  if (auto s = CheckId(c.draw_id, "id"); !s) return s;
  if (auto s = CheckId(c.user_id, "userId"); !s) return s;
  return CheckQuantity(c.qty, "qty");
}

Status ValidateBody(const RunDraw& c) { return CheckId(c.id, "id"); }

// FNV-1a, 64 bits, with a chosen offset basis: two of these with different
// bases make a 128-bit digest, ample to tell requests apart.
std::uint64_t Fnv1a(std::uint64_t basis, std::string_view data) {
  std::uint64_t h = basis;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsValidSeatName(std::string_view seat) {
  return seat.size() <= kMaxSeatNameLength && IsValidId(seat);
}

bool IsValidIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) return false;
  for (char c : key) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

Status Validate(const CommandBody& body) {
  return std::visit([](const auto& c) { return ValidateBody(c); }, body);
}

std::string Fingerprint(std::string_view method, std::string_view path, std::string_view body) {
  std::string text;
  text.reserve(method.size() + path.size() + body.size() + 2);
  text.append(method).append(1, '\n').append(path).append(1, '\n').append(body);
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx",
                static_cast<unsigned long long>(Fnv1a(0xcbf29ce484222325ULL, text)),
                static_cast<unsigned long long>(Fnv1a(0x84222325cbf29ce4ULL, text)));
  return out;
}

}  // namespace allot::api
