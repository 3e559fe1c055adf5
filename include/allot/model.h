// The records allot keeps. Plain values: no behaviour, no I/O. Times are
// milliseconds since the Unix epoch (UTC); quantities are int64 units.
#ifndef ALLOT_MODEL_H_
#define ALLOT_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allot {

// Counted stock. Invariants (also CHECKed by the schema):
//   0 <= held <= on_hand, sold >= 0; available = on_hand - held.
struct Item {
  std::string id;
  std::optional<std::string> name;
  std::int64_t on_hand = 0;
  std::int64_t held = 0;
  std::int64_t sold = 0;
  std::optional<std::int64_t> max_per_user;
  // onHand given when the item was created: a repeated create is "identical"
  // when id, name, maxPerUser and this match.
  std::int64_t created_on_hand = 0;

  std::int64_t available() const { return on_hand - held; }
  friend bool operator==(const Item&, const Item&) = default;
};

struct Line {
  std::string item_id;
  std::int64_t qty = 0;
  friend bool operator==(const Line&, const Line&) = default;
};

enum class ReservationStatus { kHeld, kConfirmed, kCancelled, kExpired };
std::string_view ToString(ReservationStatus status);
std::optional<ReservationStatus> ParseReservationStatus(std::string_view text);

struct Reservation {
  std::string id;
  std::string user_id;
  std::string owner;  // principal that created it ("" when the service is open)
  ReservationStatus status = ReservationStatus::kHeld;
  std::vector<Line> lines;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> confirmed_at_ms;
  std::optional<std::string> order_id;
  // Set when the hold ended by cancel or expiry.
  std::optional<std::int64_t> released_at_ms;
  friend bool operator==(const Reservation&, const Reservation&) = default;
};

enum class OrderStatus { kPlaced, kCancelled };
std::string_view ToString(OrderStatus status);
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);

struct Order {
  std::string id;
  std::string user_id;
  std::string owner;
  OrderStatus status = OrderStatus::kPlaced;
  std::vector<Line> lines;
  std::int64_t created_at_ms = 0;
  std::optional<std::string> reservation_id;
  std::optional<std::string> payment_ref;
  std::optional<std::int64_t> cancelled_at_ms;
  std::optional<std::string> cancel_reason;
  friend bool operator==(const Order&, const Order&) = default;
};

// Units one user holds and has bought of one item; kept only for items with
// a max_per_user cap, to enforce it.
struct UserUsage {
  std::string user_id;
  std::string item_id;
  std::int64_t held = 0;
  std::int64_t bought = 0;
  friend bool operator==(const UserUsage&, const UserUsage&) = default;
};

// Why a stock movement happened; one ledger row per item per movement.
enum class LedgerKind {
  kCreate,   // item created with its first onHand
  kAdjust,   // onHand changed by an adjustment (reason says why)
  kReserve,  // units held by a reservation
  kRelease,  // hold ended by cancel
  kExpire,   // hold ended by expiry
  kConfirm,  // held units sold by confirming a reservation
  kOrder,    // units sold by a direct order
  kReturn,   // units of a cancelled order back on hand
};
std::string_view ToString(LedgerKind kind);
std::optional<LedgerKind> ParseLedgerKind(std::string_view text);

// Append-only. Summing the deltas of an item's rows gives its counters.
struct LedgerEntry {
  std::int64_t at_ms = 0;
  std::string item_id;
  LedgerKind kind = LedgerKind::kAdjust;
  std::int64_t on_hand_delta = 0;
  std::int64_t held_delta = 0;
  std::int64_t sold_delta = 0;
  std::string reason;
  std::optional<std::string> reservation_id;
  std::optional<std::string> order_id;
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// The stored answer to a request that carried an Idempotency-Key, written in
// the same transaction as the request's effect.
struct IdempotencyRecord {
  std::string principal;
  std::string key;
  std::string fingerprint;  // of method, path and body
  int status = 0;
  std::string body;
  std::int64_t created_at_ms = 0;
  friend bool operator==(const IdempotencyRecord&, const IdempotencyRecord&) = default;
};

}  // namespace allot

#endif  // ALLOT_MODEL_H_
