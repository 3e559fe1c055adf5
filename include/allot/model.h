// The records allot keeps. Plain values: no behaviour, no I/O. Times are
// milliseconds since the Unix epoch (UTC); quantities are int64 units.
#ifndef ALLOT_MODEL_H_
#define ALLOT_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allot {

// Counted stock. Invariants (also CHECKed by the schema):
//   0 <= held <= on_hand, sold >= 0; available = on_hand - held - withheld.
// While entries wait on the item's waiting list (`waiting` > 0) every free
// unit is withheld from the public: it goes to the list (domain/waitlist.h).
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
  // Entries of the item's waiting list with status kWaiting.
  std::int64_t waiting = 0;
  // The last queue ticket given to an entry: tickets order the list.
  std::int64_t tickets = 0;

  // Units free but kept for the waiting list: all of them while anyone waits.
  std::int64_t withheld() const { return waiting > 0 ? on_hand - held : 0; }
  std::int64_t available() const { return on_hand - held - withheld(); }
  friend bool operator==(const Item&, const Item&) = default;
};

// A line of a reservation or order. An item line names a client item and a
// quantity; a seat line names SeatItemId(event, seat) with qty 1 (a seat is
// kept as an item of one unit, see below).
struct Line {
  std::string item_id;
  std::int64_t qty = 0;
  friend bool operator==(const Line&, const Line&) = default;
};

// Funds, stock and seats are three kinds of limited resource behind one
// engine: an account's funds and an event's seats are kept as items with
// reserved ids, so holds, expiry, confirm, cancel, the ledger and the
// stores' row locks serve all three. Reserved ids start with a character no
// client id may contain ('$' accounts, '#' seats) and sort before every
// client id, so they can never be named, read or listed as items.
//   account "acme"        -> item "$acme"       (on_hand = balance)
//   event "gig", seat A-1 -> item "#gig/A-1"    (on_hand 1, or 0 once sold)
std::string AccountItemId(std::string_view account_id);
std::string SeatItemId(std::string_view event_id, std::string_view seat);
// The account of an account item, or nullopt for any other id.
std::optional<std::string> AccountOfItem(std::string_view item_id);
struct SeatRef {
  std::string event_id;
  std::string seat;
};
// The seat of a seat item, or nullopt for any other id.
std::optional<SeatRef> SeatOfItem(std::string_view item_id);
// The half-open id range [first, last) holding every seat item of an event.
std::pair<std::string, std::string> SeatItemRange(std::string_view event_id);

// Money in minor units. available = balance - held, never negative.
struct Account {
  std::string id;
  std::int64_t balance = 0;
  std::int64_t held = 0;
  std::int64_t available() const { return balance - held; }
  friend bool operator==(const Account&, const Account&) = default;
};
// The account view of an account item.
Account AccountFromItem(const Item& item);

enum class TransferStatus { kPosted, kHeld, kCancelled, kExpired };
std::string_view ToString(TransferStatus status);
std::optional<TransferStatus> ParseTransferStatus(std::string_view text);

// A held transfer's funds are held by a reservation with the transfer's id
// (lines: the source account, amount), so it expires like any hold.
struct Transfer {
  std::string id;  // "trf_..."
  std::string from_id;
  std::string to_id;
  std::int64_t amount = 0;
  TransferStatus status = TransferStatus::kPosted;
  std::string owner;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;   // held transfers only
  std::optional<std::int64_t> posted_at_ms;    // when the money moved
  std::optional<std::int64_t> released_at_ms;  // cancel or expiry
  friend bool operator==(const Transfer&, const Transfer&) = default;
};
// True for the id of a transfer (and of the reservation holding its funds).
bool IsTransferId(std::string_view id);

// An event with named seats; the seats themselves are seat items.
struct Event {
  std::string id;
  std::optional<std::string> name;
  std::int64_t seat_count = 0;
  // Digest of the sorted seat names: a repeated create is "identical" when
  // name, seat_count and this match.
  std::string seats_digest;
  friend bool operator==(const Event&, const Event&) = default;
};

// An event with its seats counted by status at one instant.
struct EventCounts {
  Event event;
  std::int64_t available = 0;
  std::int64_t held = 0;
  std::int64_t sold = 0;
  friend bool operator==(const EventCounts&, const EventCounts&) = default;
};

enum class SeatStatus { kAvailable, kHeld, kSold };
std::string_view ToString(SeatStatus status);
std::optional<SeatStatus> ParseSeatStatus(std::string_view text);
// The status of a seat item whose `held` counts live holds only.
SeatStatus SeatStatusOf(const Item& seat_item);

struct SeatState {
  std::string seat;
  SeatStatus status = SeatStatus::kAvailable;
  friend bool operator==(const SeatState&, const SeatState&) = default;
};
// Counts one more seat of `status` in `counts`.
void CountSeat(EventCounts& counts, SeatStatus status);
// The event with its seats counted by status.
EventCounts CountSeats(Event event, const std::vector<SeatState>& seats);

enum class ReservationStatus { kHeld, kConfirmed, kCancelled, kExpired };
std::string_view ToString(ReservationStatus status);
std::optional<ReservationStatus> ParseReservationStatus(std::string_view text);

struct Reservation;
// The reservation that holds (or held) a held transfer's funds, as the
// rules make it: same id and owner, the source account's units, the
// transfer's expiry; confirmed once posted. nullopt for a transfer that was
// never held.
std::optional<Reservation> HoldOfTransfer(const Transfer& transfer);

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

// An entry of an item's waiting list. It waits in ticket order; when its
// whole qty is free it is offered a held reservation (kOffered), which it
// keeps (kFulfilled, confirmed) or loses (kLapsed, cancelled or expired).
// The numbers are stored: append only.
enum class WaitlistStatus { kWaiting, kOffered, kLapsed, kLeft, kFulfilled };
std::string_view ToString(WaitlistStatus status);
std::optional<WaitlistStatus> ParseWaitlistStatus(std::string_view text);

struct WaitlistEntry {
  std::string id;  // "wl_..."
  std::string item_id;
  std::string user_id;
  std::string owner;  // principal that joined
  std::int64_t qty = 0;
  std::int64_t offer_ttl_seconds = 600;
  WaitlistStatus status = WaitlistStatus::kWaiting;
  std::int64_t ticket = 0;  // place in the item's queue (Item::tickets)
  std::int64_t created_at_ms = 0;
  std::optional<std::string> reservation_id;  // the offer, once offered
  // 1 = next; set on reads of a waiting entry (not stored: it moves as
  // entries ahead leave or are served).
  std::optional<std::int64_t> position;
  friend bool operator==(const WaitlistEntry&, const WaitlistEntry&) = default;
};

// A fair drop: units of an item set aside when it opens, one entry per user
// until closes_at_ms, then ranked by the published rule (domain/draw_order.h)
// and allocated: offers in rank order while they fit, the rest join the
// item's waiting list. The numbers are stored: append only.
enum class DrawStatus { kOpen, kDrawn };
std::string_view ToString(DrawStatus status);
enum class DrawOutcome { kOffered, kWaitlisted };
std::string_view ToString(DrawOutcome outcome);

struct DrawEntry {
  std::string draw_id;
  std::string user_id;
  std::string owner;  // principal that entered
  std::int64_t qty = 0;
  std::int64_t number = 0;  // arrival order within the draw, from 1
  std::int64_t created_at_ms = 0;
  // Set when the draw ran.
  std::optional<std::int64_t> rank;
  std::optional<DrawOutcome> outcome;
  std::optional<std::string> reservation_id;  // the offer
  friend bool operator==(const DrawEntry&, const DrawEntry&) = default;
};

struct Draw {
  std::string id;
  std::string item_id;
  std::string owner;
  std::int64_t units = 0;
  std::int64_t closes_at_ms = 0;
  std::int64_t offer_ttl_seconds = 600;
  DrawStatus status = DrawStatus::kOpen;
  std::string seed;       // 32 bytes, secret until the draw ran
  std::string seed_hash;  // lowercase hex SHA-256 of the seed, public
  std::string hold_id;    // the reservation ("drw_...") that sets the units aside
  std::int64_t entries = 0;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> drawn_at_ms;
  // Once drawn, on reads and in draw.drawn: every entry in rank order.
  std::vector<DrawEntry> results;
  friend bool operator==(const Draw&, const Draw&) = default;
};
// True for the id of a draw's set-aside hold.
bool IsDrawHoldId(std::string_view id);

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
  kDebit,    // money out of an account by a transfer
  kCredit,   // money into an account by a transfer
};
std::string_view ToString(LedgerKind kind);
std::optional<LedgerKind> ParseLedgerKind(std::string_view text);

// Append-only. Summing the deltas of an item's rows gives its counters.
// Debit and credit rows (transfer_id set) always come in pairs whose
// on_hand deltas sum to zero; stores keep them in a ledger of their own.
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
  std::optional<std::string> transfer_id;
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
