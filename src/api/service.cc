#include "api/service.h"

#include <algorithm>

#include "api/validate.h"
#include "core/digest.h"
#include "domain/draw_order.h"
#include "domain/rules.h"
#include "webhooks/signing.h"

namespace allot::api {

Service::Service(Engine& engine, StoreReader& reader, const Clock& clock,
                 const webhooks::UrlPolicy* webhook_policy)
    : engine_(engine),
      reader_(reader),
      clock_(clock),
      webhook_policy_(webhook_policy != nullptr ? *webhook_policy : default_policy_) {}

namespace {

// What a new webhook needs from outside the rules: its URL held to the
// delivery policy (as libcurl reads it) and a secret.
Status PrepareWebhook(CreateWebhook& c, const webhooks::UrlPolicy& policy) {
  if (c.url.size() > kMaxWebhookUrlBytes) {
    return Fail(InvalidField("url", "A webhook url is 1 to 2048 bytes."));
  }
  auto target = policy.Check(c.url);
  if (!target) return Fail(std::move(target.error()));
  if (c.secret.empty()) {
    auto secret = webhooks::NewSecret();
    if (!secret) return Fail(std::move(secret.error()));
    c.secret = std::move(*secret);
  }
  return {};
}

// Why `command` may not reach the engine, or success.
Status Check(const Command& command) {
  if (auto valid = Validate(command.body); !valid) return valid;
  if (command.idempotency && !IsValidIdempotencyKey(command.idempotency->key)) {
    return Fail(InvalidField("Idempotency-Key",
                             "An Idempotency-Key must be 1 to 255 printable ASCII characters."));
  }
  return {};
}

// A new draw's seed: 32 bytes of OpenSSL's CSPRNG, drawn here so the rules
// stay pure. Only its hash is shown until the draw ran.
void PrepareDraw(CreateDraw& c) { c.seed = SecureRandomBytes(domain::kDrawSeedBytes); }

}  // namespace

void Service::Submit(Command command, Completion done) {
  if (auto* create = std::get_if<CreateWebhook>(&command.body)) {
    if (auto prepared = PrepareWebhook(*create, webhook_policy_); !prepared) {
      done(std::unexpected(std::move(prepared.error())));
      return;
    }
  }
  if (auto* draw = std::get_if<CreateDraw>(&command.body)) PrepareDraw(*draw);
  if (auto valid = Check(command); !valid) {
    done(std::unexpected(std::move(valid.error())));
    return;
  }
  engine_.Submit(std::move(command), std::move(done));
}

Status Service::SubmitMany(std::vector<Submission> submissions) {
  std::size_t kept = 0;
  for (Submission& submission : submissions) {
    Status valid;
    if (auto* create = std::get_if<CreateWebhook>(&submission.command.body)) {
      valid = PrepareWebhook(*create, webhook_policy_);
    }
    if (auto* draw = std::get_if<CreateDraw>(&submission.command.body)) PrepareDraw(*draw);
    if (valid) valid = Check(submission.command);
    if (!valid) {
      submission.done(std::unexpected(std::move(valid.error())));
      continue;
    }
    if (&submissions[kept] != &submission) submissions[kept] = std::move(submission);
    ++kept;
  }
  submissions.erase(submissions.begin() + static_cast<std::ptrdiff_t>(kept), submissions.end());
  if (submissions.empty()) return {};
  return engine_.SubmitMany(std::move(submissions));
}

Expected<Item> Service::GetItem(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("item", std::string(id)));
  auto item = reader_.GetItem(id, clock_.NowMs());
  if (!item) return std::unexpected(item.error());
  if (!*item) return Fail(NotFound("item", std::string(id)));
  return std::move(**item);
}

Expected<ItemPage> Service::ListItems(std::string_view after, std::size_t limit) {
  limit = std::clamp<std::size_t>(limit, 1, kMaxPageSize);
  // Accounts and seats are items with reserved ids that sort before every
  // client id ('$', '#'); '%' sorts after those and before any client id, so
  // a listing starts past them.
  if (after.empty()) after = "%";
  return reader_.ListItems(after, limit, clock_.NowMs());
}

Expected<Reservation> Service::GetReservation(std::string_view id) {
  // The hold of a held transfer is no reservation to clients.
  if (!IsValidId(id) || IsTransferId(id)) return Fail(NotFound("reservation", std::string(id)));
  auto reservation = reader_.GetReservation(id);
  if (!reservation) return std::unexpected(reservation.error());
  if (!*reservation) return Fail(NotFound("reservation", std::string(id)));
  return domain::ViewAt(std::move(**reservation), clock_.NowMs());
}

Expected<Order> Service::GetOrder(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("order", std::string(id)));
  auto order = reader_.GetOrder(id);
  if (!order) return std::unexpected(order.error());
  if (!*order) return Fail(NotFound("order", std::string(id)));
  return std::move(**order);
}

Expected<Account> Service::GetAccount(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("account", std::string(id)));
  auto item = reader_.GetItem(AccountItemId(id), clock_.NowMs());
  if (!item) return std::unexpected(item.error());
  if (!*item) return Fail(NotFound("account", std::string(id)));
  return AccountFromItem(**item);
}

Expected<Transfer> Service::GetTransfer(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("transfer", std::string(id)));
  auto transfer = reader_.GetTransfer(id);
  if (!transfer) return std::unexpected(transfer.error());
  if (!*transfer) return Fail(NotFound("transfer", std::string(id)));
  return domain::ViewAt(std::move(**transfer), clock_.NowMs());
}

Expected<EventCounts> Service::GetEvent(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("event", std::string(id)));
  auto event = reader_.GetEvent(id, clock_.NowMs());
  if (!event) return std::unexpected(event.error());
  if (!*event) return Fail(NotFound("event", std::string(id)));
  return std::move(**event);
}

Expected<std::vector<SeatState>> Service::ListSeats(std::string_view event_id,
                                                    std::optional<SeatStatus> status) {
  if (!IsValidId(event_id)) return Fail(NotFound("event", std::string(event_id)));
  auto seats = reader_.ListSeats(event_id, clock_.NowMs());
  if (!seats) return std::unexpected(seats.error());
  if (!*seats) return Fail(NotFound("event", std::string(event_id)));
  std::vector<SeatState> out = std::move(**seats);
  if (status) std::erase_if(out, [&](const SeatState& s) { return s.status != *status; });
  return out;
}

Expected<Webhook> Service::GetWebhook(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("webhook", std::string(id)));
  auto webhook = reader_.GetWebhook(id);
  if (!webhook) return std::unexpected(webhook.error());
  if (!*webhook) return Fail(NotFound("webhook", std::string(id)));
  Webhook shown = std::move(**webhook);
  shown.secret.clear();  // shown once, by the create
  return shown;
}

Expected<WaitlistEntry> Service::GetWaitlistEntry(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("waitlist", std::string(id)));
  auto entry = reader_.GetWaitlistEntry(id);
  if (!entry) return std::unexpected(entry.error());
  if (!*entry) return Fail(NotFound("waitlist", std::string(id)));
  return std::move(**entry);
}

Expected<WaitlistPage> Service::ListWaitlist(std::string_view item_id, std::string_view after,
                                             std::size_t limit) {
  if (!IsValidId(item_id)) return Fail(NotFound("item", std::string(item_id)));
  auto item = reader_.GetItem(item_id, clock_.NowMs());
  if (!item) return std::unexpected(item.error());
  if (!*item) return Fail(NotFound("item", std::string(item_id)));
  return reader_.ListWaitlist(item_id, after, std::clamp<std::size_t>(limit, 1, 1000));
}

Expected<Draw> Service::GetDraw(std::string_view id) {
  if (!IsValidId(id)) return Fail(NotFound("draw", std::string(id)));
  auto draw = reader_.GetDraw(id);
  if (!draw) return std::unexpected(draw.error());
  if (!*draw) return Fail(NotFound("draw", std::string(id)));
  Draw shown = std::move(**draw);
  if (shown.status != DrawStatus::kDrawn) shown.seed.clear();  // revealed once it ran
  return shown;
}

Status Service::Ready() { return reader_.Ping(); }

std::size_t Service::QueueDepth() const { return engine_.QueueDepth(); }

std::int64_t Service::NowMs() const { return clock_.NowMs(); }

}  // namespace allot::api
