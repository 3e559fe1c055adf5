// The writes allot accepts, and what they produce. Commands arrive already
// validated in shape (types, ranges, id syntax: see api/validate.h); the
// domain decides them against current state.
#ifndef ALLOT_COMMANDS_H_
#define ALLOT_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "allot/webhook.h"

namespace allot {

struct CreateItem {
  std::string id;
  std::optional<std::string> name;
  std::int64_t on_hand = 0;
  std::optional<std::int64_t> max_per_user;
};

struct AdjustItem {
  std::string id;
  std::int64_t delta = 0;  // non-zero; negative removes stock
  std::string reason;
  // Compare-and-set: the adjustment applies only while onHand equals this
  // (else kPreconditionFailed), so two clients that read the same stock
  // cannot both adjust it.
  std::optional<std::int64_t> expected_on_hand;
};

struct Reserve {
  std::string user_id;
  std::vector<Line> lines;  // all or nothing; repeated items count together
  std::int64_t ttl_seconds = 600;
};

struct ConfirmReservation {
  std::string id;
  std::optional<std::string> payment_ref;
};

struct CancelReservation {
  std::string id;
};

// A held reservation gets expiresAt = now + ttl_seconds (a checkout that
// needs longer), never later than kMaxHoldMs after it was created.
struct ExtendReservation {
  std::string id;
  std::int64_t ttl_seconds = 0;
};

struct PlaceOrder {
  std::string user_id;
  std::vector<Line> lines;
};

struct CancelOrder {
  std::string id;
  std::optional<std::string> reason;
};

// Opens an account with a starting balance (minor units).
struct CreateAccount {
  std::string id;
  std::int64_t balance = 0;
};

// Moves `amount` from one account to another: at once (posted), or, with
// `hold`, holds it on the source until confirm, cancel or expiry.
struct CreateTransfer {
  std::string from_id;
  std::string to_id;
  std::int64_t amount = 0;
  bool hold = false;
  std::int64_t ttl_seconds = 600;  // for a held transfer
};

struct ConfirmTransfer {
  std::string id;
};

struct CancelTransfer {
  std::string id;
};

// An event with its named seats (unique, 1..100,000).
struct CreateEvent {
  std::string id;
  std::optional<std::string> name;
  std::vector<std::string> seats;
};

// Marks up to `limit` reservations that are past expiry as expired and
// releases their units (a held transfer's hold is a reservation too, so its
// transfer expires with it). Submitted by the sweeper.
struct ExpireDue {
  std::size_t limit = 1000;
};

// Registers a webhook (admin). The secret is made before the command is
// submitted (32 random bytes, webhooks/signing.h), so the rules stay pure.
struct CreateWebhook {
  std::string url;
  std::vector<ChangeType> types;  // empty: every type
  std::optional<std::int64_t> after;  // default: the journal's head
  std::string secret;
};

// Restarts delivery after `after` (admin).
struct ReplayWebhook {
  std::string id;
  std::int64_t after = 0;
};

// Turns delivery off or back on (admin).
struct SetWebhookStatus {
  std::string id;
  WebhookStatus status = WebhookStatus::kActive;
};

// The deliverer's report (webhooks/deliverer.h): delivery acknowledged up
// to `cursor`, or, with `error`, the change after it failed. Refused
// (kInvalidState) when the webhook's generation moved on meanwhile. A
// failure once `retry_window_ms` have passed since the first failure of
// the streak disables the webhook.
struct AdvanceWebhook {
  std::string id;
  std::int64_t generation = 0;
  std::int64_t cursor = 0;
  std::optional<std::string> error;
  std::int64_t retry_window_ms = 0;
};

// Joins an item's waiting list (domain/waitlist.h): 409 already_exists
// when the user has an entry there that waits or holds an offer,
// limit_exceeded when qty would pass the item's per-user cap counted with
// what the user holds and bought. When the whole qty is free and nobody
// waits ahead, the entry is offered at once.
struct JoinWaitlist {
  std::string item_id;
  std::string user_id;
  std::int64_t qty = 0;
  std::int64_t offer_ttl_seconds = 600;
};

// Leaves a waiting list; an open offer is cancelled (its units go on to
// the next entries).
struct LeaveWaitlist {
  std::string id;
};

// Opens a draw (admin): sets `units` of the item aside at once (409
// out_of_stock when they are not available), and publishes the seed's hash.
// The seed (32 bytes from the CSPRNG) is made before the command is
// submitted, so the rules stay pure.
struct CreateDraw {
  std::string id;
  std::string item_id;
  std::int64_t units = 0;
  std::int64_t closes_at_ms = 0;
  std::int64_t offer_ttl_seconds = 600;
  std::string seed;
};

// One entry per user while the draw is open (409 draw_closed at or after
// closes_at_ms or once drawn; 409 already_exists for a second entry; qty
// within the item's per-user cap).
struct EnterDraw {
  std::string draw_id;
  std::string user_id;
  std::int64_t qty = 0;
};

// Runs a draw now (admin); running a drawn one answers it as it is. The
// sweep runs every draw whose closesAt has come (domain/draw.h).
struct RunDraw {
  std::string id;
};

using CommandBody =
    std::variant<CreateItem, AdjustItem, Reserve, ConfirmReservation, CancelReservation, PlaceOrder,
                 CancelOrder, ExpireDue, CreateAccount, CreateTransfer, ConfirmTransfer,
                 CancelTransfer, CreateEvent, ExtendReservation, CreateWebhook,
                 ReplayWebhook, SetWebhookStatus, AdvanceWebhook, JoinWaitlist, LeaveWaitlist, CreateDraw,
                 EnterDraw, RunDraw>;

// What a confirm returns: the reservation and the order it became.
struct Confirmation {
  Reservation reservation;
  Order order;
};

struct ExpirySummary {
  std::size_t expired = 0;
};

// The stored answer of an earlier request with the same idempotency key.
struct Replay {
  int status = 0;
  std::string body;
};

struct Outcome {
  std::variant<Item, Reservation, Confirmation, Order, ExpirySummary, Replay, Account, Transfer,
               EventCounts, Webhook, WaitlistEntry, Draw, DrawEntry>
      value;
  bool created = false;  // a new resource was made (201), else 200
};

using CommandResult = Expected<Outcome>;

// What the client sent, rendered as its stored answer. Called on the
// sequencer thread for a command that carries an idempotency key, so that
// the answer is stored in the same transaction as the effect.
using ResponseRenderer = std::function<IdempotencyRecord(const CommandResult&)>;

struct IdempotencyKey {
  std::string key;          // 1..255 printable ASCII
  std::string fingerprint;  // identifies method + path + body
  ResponseRenderer render;  // fills status and body; principal/key/time set by the engine
};

struct Command {
  CommandBody body;
  std::string principal;  // who asks ("" when the service is open)
  std::optional<IdempotencyKey> idempotency;
  // A `client` token: the principal may read and act on only the
  // reservations, orders and transfers it created (403 for the others).
  bool own_records_only = false;
};

}  // namespace allot

#endif  // ALLOT_COMMANDS_H_
