// The JSON of the contract (Boost.JSON underneath, not exposed here).
//
// Decoding: a POST body is parsed as JSON whatever its Content-Type says. It
// must be one object; unknown fields, missing required fields and wrong types
// are kInvalidRequest with `field` naming the first bad one (body order for
// unknown fields; "lines[1].qty" inside lines). Integers must be JSON integers
// that fit int64: 1.0, 1e3, "5", true and 2^63 are refused. Invalid UTF-8 and
// nesting deeper than kMaxJsonDepth are refused as malformed JSON. A JSON null
// for an optional field means "not given". Ranges and id syntax are NOT
// checked here: api::Validate does that (so a qty of -1 decodes).
//
// Encoding: compact JSON, camelCase, fields in the contract's order. The same
// function is used for a live response and for the stored idempotent answer,
// so a replay is byte-identical.
#ifndef ALLOT_HTTP_JSON_CODEC_H_
#define ALLOT_HTTP_JSON_CODEC_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "allot/commands.h"
#include "allot/error.h"
#include "allot/model.h"
#include "allot/store.h"

namespace allot::http {

inline constexpr std::size_t kMaxJsonDepth = 16;

// POST /items: {"id","onHand","name"?,"maxPerUser"?}
Expected<CreateItem> DecodeCreateItem(std::string_view body);
// POST /items/{id}/adjustments: {"delta","reason","expectedOnHand"?}
Expected<AdjustItem> DecodeAdjustItem(std::string_view item_id, std::string_view body);
// POST /reservations: {"userId","lines":[{"itemId","qty"} or
// {"eventId","seat"}],"ttlSeconds"?} or
// {"userId","itemId","qty","ttlSeconds"?}. ttlSeconds defaults to 600.
// `one_line_form`, when given, is set to whether the second form was used.
Expected<Reserve> DecodeReserve(std::string_view body, bool* one_line_form = nullptr);
// POST /reservations/{id}/confirm: {"paymentRef"?} or an empty body.
Expected<ConfirmReservation> DecodeConfirmReservation(std::string_view id, std::string_view body);
// POST /reservations/{id}/extend: {"ttlSeconds"}
Expected<ExtendReservation> DecodeExtendReservation(std::string_view id, std::string_view body);
// POST /reservations/{id}/cancel: {} or an empty body.
Expected<CancelReservation> DecodeCancelReservation(std::string_view id, std::string_view body);
// POST /orders: {"userId","lines":[...]} or {"userId","itemId","qty"}.
Expected<PlaceOrder> DecodePlaceOrder(std::string_view body, bool* one_line_form = nullptr);
// POST /orders/{id}/cancel: {"reason"?} or an empty body.
Expected<CancelOrder> DecodeCancelOrder(std::string_view id, std::string_view body);

// POST /accounts: {"id","balance"}
Expected<CreateAccount> DecodeCreateAccount(std::string_view body);
// POST /transfers: {"fromId","toId","amount","hold"?,"ttlSeconds"?}; ttlSeconds
// only with hold: true (default 600).
Expected<CreateTransfer> DecodeCreateTransfer(std::string_view body);
// POST /transfers/{id}/confirm and /cancel: {} or an empty body.
Expected<ConfirmTransfer> DecodeConfirmTransfer(std::string_view id, std::string_view body);
Expected<CancelTransfer> DecodeCancelTransfer(std::string_view id, std::string_view body);
// POST /events: {"id","name"?,"seats":["A-1",...]}
Expected<CreateEvent> DecodeCreateEvent(std::string_view body);

// POST /items/{id}/waitlist and POST /waitlist/{id}/leave ({} or empty).
Expected<JoinWaitlist> DecodeJoinWaitlist(std::string_view item_id, std::string_view body);
Expected<LeaveWaitlist> DecodeLeaveWaitlist(std::string_view id, std::string_view body);

// POST /draws, POST /draws/{id}/entries, POST /draws/{id}/run ({} or empty).
Expected<CreateDraw> DecodeCreateDraw(std::string_view body);
Expected<EnterDraw> DecodeEnterDraw(std::string_view draw_id, std::string_view body);
Expected<RunDraw> DecodeRunDraw(std::string_view id, std::string_view body);

// POST /webhooks: {"url","types"?,"after"?}; every type when "types" is
// absent or empty. The URL's form and host are checked later
// (api::Service, webhooks/url_policy.h), the secret made there too.
Expected<CreateWebhook> DecodeCreateWebhook(std::string_view body);
// POST /webhooks/{id}/replay: {"after"}
Expected<ReplayWebhook> DecodeReplayWebhook(std::string_view id, std::string_view body);
// POST /webhooks/{id}/enable and /disable: {} or an empty body.
Expected<SetWebhookStatus> DecodeSetWebhookStatus(std::string_view id, std::string_view body,
                                                  WebhookStatus status);
// {"id","url","types","status","secret"?,"cursor","lastError","failingSince",
// "createdAt"}: "secret" only when the webhook carries it (its create's
// answer); "types" [] for every type; times RFC 3339 or null.
std::string EncodeWebhook(const Webhook& webhook);

// {"id","balance","held","available"}
std::string EncodeAccount(const Account& account);
// {"id","fromId","toId","amount","status","createdAt"} plus "expiresAt" for a
// held transfer (kept once it is posted, cancelled or expired).
std::string EncodeTransfer(const Transfer& transfer);
// {"id","name","seats":{"available","held","sold"}}
std::string EncodeEvent(const EventCounts& event);
// {"seats":[{"seat","status"}]}
std::string EncodeSeats(const std::vector<SeatState>& seats);

// {"id","name","onHand","held","available","sold","maxPerUser"}; null name
// and maxPerUser when unset.
std::string EncodeItem(const Item& item);
std::string EncodeWaitlistEntry(const WaitlistEntry& entry);
std::string EncodeWaitlistPage(const WaitlistPage& page);
// A draw: `seed` (hex) and `results` only once drawn.
std::string EncodeDraw(const Draw& draw);
std::string EncodeDrawEntry(const DrawEntry& entry);
// {"items":[...],"next":id|null}
std::string EncodeItemPage(const ItemPage& page);
// {"id","userId","status","lines","createdAt","expiresAt"} plus
// "confirmedAt" and "orderId" when set.
std::string EncodeReservation(const Reservation& reservation);
// {"id","userId","status","lines","createdAt"} plus "reservationId" and
// "paymentRef" when set.
std::string EncodeOrder(const Order& order);
// {"reservation":{...},"order":{...}}
std::string EncodeConfirmation(const Confirmation& confirmation);
// The body of a successful command: the encoding of its record ({"expired":n}
// for a sweep); for a Replay, the stored body as it is.
std::string EncodeOutcome(const Outcome& outcome);
// {"error":{"code","message",...details}}
std::string EncodeError(const Error& error);
// The code of a body EncodeError wrote (a stored answer being replayed);
// nullopt for any other body.
std::optional<ErrorCode> DecodeErrorCode(std::string_view body);
// {"status":"<status>"}
std::string EncodeStatus(std::string_view status);

}  // namespace allot::http

#endif  // ALLOT_HTTP_JSON_CODEC_H_
