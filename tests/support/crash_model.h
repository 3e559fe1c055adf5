// What a client knows for certain about an allot database it wrote to while
// the server was being killed: every write that was acknowledged (2xx), the
// records and counters they imply, and the writes whose answer was lost.
//
// Every write carries a fresh Idempotency-Key, so a write whose answer was
// lost (connection reset by a kill) can be resolved after the restart by
// sending it again with the same key: a replay means it committed before the
// crash, anything else means it did not (and it has now run, or been
// refused). Once resolved, the model knows every reservation and order that
// exists, so counters can be checked exactly.
//
// Thread-safe: load threads record answers concurrently.
#ifndef ALLOT_TESTS_SUPPORT_CRASH_MODEL_H_
#define ALLOT_TESTS_SUPPORT_CRASH_MODEL_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "http_client.h"

namespace allot::testing {

enum class WriteKind { kReserve, kConfirm, kCancelReservation, kOrder, kCancelOrder, kAdjust };

// One POST, complete enough to be sent again with the same key.
struct WriteRequest {
  WriteKind kind = WriteKind::kReserve;
  std::string path;    // after /api/v1
  std::string body;    // JSON
  std::string key;     // Idempotency-Key
  std::string target;  // the reservation, order or item it names ("" for creations)
  int thread = 0;      // the load thread that owns what it creates
};

// How an answer left the model.
enum class WriteOutcome {
  kAcknowledged,  // 2xx: the effect is durable and recorded
  kRefused,       // 4xx/503: nothing changed
  kUnknown,       // no answer, or 500 outcome_unknown: resolve by resending
};

struct QtyLine {
  std::string item;
  std::int64_t qty = 0;
  friend bool operator==(const QtyLine&, const QtyLine&) = default;
};

struct ReservationState {
  std::vector<QtyLine> lines;
  std::string status;  // held, confirmed, cancelled, expired
  std::int64_t expires_at_ms = 0;
  std::string order_id;  // when confirmed
  int thread = 0;
};

struct OrderState {
  std::vector<QtyLine> lines;
  std::string status;  // placed, cancelled
  std::string reservation_id;
  int thread = 0;
};

// An acknowledged write and its answer, to check replays after a restart.
struct AcknowledgedWrite {
  WriteRequest request;
  int status = 0;
  std::string body;
  int cycle = 0;
};

// Counters an item must show: exact on hand and sold; held within bounds
// because holds near their expiry may or may not be counted at read time.
struct ExpectedCounts {
  std::int64_t on_hand = 0;
  std::int64_t sold = 0;
  std::int64_t held_min = 0;
  std::int64_t held_max = 0;
};

class CrashModel {
 public:
  explicit CrashModel(std::map<std::string, std::int64_t> initial_stock);

  const std::map<std::string, std::int64_t>& initial_stock() const { return initial_stock_; }
  void set_cycle(int cycle);

  // Records the answer to `request`. Adds a gtest failure for an answer the
  // contract does not allow for this workload (e.g. a 400, or a 2xx whose
  // body does not match the request).
  WriteOutcome Apply(const WriteRequest& request, const Response& response);

  // A random held reservation / placed order of `thread`, if any.
  std::optional<std::string> PickHeld(int thread, std::mt19937_64& rng) const;
  std::optional<std::string> PickPlaced(int thread, std::mt19937_64& rng) const;

  // The counters `item` must show to a read made between `from_ms` and
  // `to_ms` (wall clock): a hold is surely counted if it expires after
  // `to_ms`, surely not if it expires at or before `from_ms`.
  ExpectedCounts Expected(const std::string& item, std::int64_t from_ms, std::int64_t to_ms) const;

  // Marks a held reservation the server reports expired (allowed once its
  // expiry passed; the caller checks that).
  void MarkExpired(const std::string& id);

  // Snapshots for verification (copies: the model may change meanwhile).
  std::map<std::string, ReservationState> reservations() const;
  std::map<std::string, OrderState> orders() const;
  std::vector<AcknowledgedWrite> acknowledged_in(int cycle) const;
  std::int64_t acknowledged_count() const;
  // 503 `unavailable` answers seen (storage failed, nothing done).
  std::int64_t unavailable_count() const;
  // 500 `outcome_unknown` answers seen (a commit cut off; resolved like a
  // lost answer).
  std::int64_t outcome_unknown_count() const;
  std::int64_t CountReservations(std::string_view status) const;
  std::int64_t CountOrders(std::string_view status) const;
  // The latest expiry before `limit_ms` of a reservation still held (0 if
  // none): when the short holds will all have run out.
  std::int64_t LatestHeldExpiryBefore(std::int64_t limit_ms) const;

 private:
  WriteOutcome ApplyLocked(const WriteRequest& request, const Response& response);
  bool ApplyReserve(const WriteRequest& request, const Response& response);
  bool ApplyConfirm(const WriteRequest& request, const Response& response);
  bool ApplyCancelReservation(const WriteRequest& request, const Response& response);
  bool ApplyOrder(const WriteRequest& request, const Response& response);
  bool ApplyCancelOrder(const WriteRequest& request, const Response& response);
  bool ApplyAdjust(const WriteRequest& request, const Response& response);

  const std::map<std::string, std::int64_t> initial_stock_;
  mutable std::mutex mu_;
  int cycle_ = 0;
  std::map<std::string, std::int64_t> adjusted_;  // sum of acknowledged deltas per item
  std::map<std::string, ReservationState> reservations_;
  std::map<std::string, OrderState> orders_;
  std::vector<AcknowledgedWrite> acknowledged_;
  std::int64_t unavailable_ = 0;
  std::int64_t outcome_unknown_ = 0;
};

// "reserve", "confirm", ... for messages.
const char* KindName(WriteKind kind);

// Milliseconds since the epoch by this machine's clock.
std::int64_t WallNowMs();

// How far the server's clock may be from WallNowMs() when it decides that a
// hold is due. Servers on PostgreSQL use the database's clock, measured at
// the midpoint of a round trip that a loaded machine can stretch; so a
// check near an expiry allows this much either way.
inline constexpr std::int64_t kClockSkewMs = 250;

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_CRASH_MODEL_H_
