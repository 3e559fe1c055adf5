// Webhooks: registering one, an admin's replay, disable and enable, and the
// deliverer's progress reports. A webhook is a row, not a journal record:
// none of these records a change.
#include "domain/decisions.h"

namespace allot::domain {
namespace {

Status RequireAdmin(const Context& ctx) {
  if (!ctx.own_records_only) return {};
  return Fail(ErrorCode::kForbidden, "Only an admin token may manage webhooks.");
}

// A cursor may point at any committed change, never past the last one.
Status RequireAtMostHead(WorkingSet& ws, std::int64_t cursor) {
  auto head = ws.JournalHead();
  if (!head) return Fail(std::move(head.error()));
  if (cursor <= *head) return {};
  Error e = InvalidField("after", "'after' (" + std::to_string(cursor) +
                                      ") is past the last change of the journal (" +
                                      std::to_string(*head) + ").");
  e.With("head", *head);
  return Fail(std::move(e));
}

Expected<Webhook*> FindWebhookOr404(WorkingSet& ws, const std::string& id) {
  auto found = ws.FindWebhook(id);
  if (!found) return std::unexpected(std::move(found.error()));
  if (*found == nullptr) return Fail(NotFound("webhook", id));
  return *found;
}

// What every answer but the create's shows: the secret is shown once.
Outcome Shown(const Webhook& webhook) {
  Webhook shown = webhook;
  shown.secret.clear();
  return Outcome{std::move(shown), false};
}

}  // namespace

CommandResult DecideCreateWebhook(const CreateWebhook& c, WorkingSet& ws, const Context& ctx) {
  if (auto admin = RequireAdmin(ctx); !admin) return Fail(std::move(admin.error()));
  auto head = ws.JournalHead();
  if (!head) return Fail(std::move(head.error()));
  const std::int64_t after = c.after.value_or(*head);
  if (auto within = RequireAtMostHead(ws, after); !within) return Fail(std::move(within.error()));
  Webhook& webhook = ws.AddWebhook(Webhook{.id = ctx.ids->NewWebhookId(),
                                           .url = c.url,
                                           .types = c.types,
                                           .status = WebhookStatus::kActive,
                                           .secret = c.secret,
                                           .cursor = after,
                                           .generation = 1,
                                           .created_at_ms = ctx.now_ms});
  return Outcome{webhook, true};
}

CommandResult DecideReplayWebhook(const ReplayWebhook& c, WorkingSet& ws, const Context& ctx) {
  if (auto admin = RequireAdmin(ctx); !admin) return Fail(std::move(admin.error()));
  auto found = FindWebhookOr404(ws, c.id);
  if (!found) return Fail(std::move(found.error()));
  if (auto within = RequireAtMostHead(ws, c.after); !within) return Fail(std::move(within.error()));
  Webhook& webhook = **found;
  // A fresh start: the deliverer drops what it was doing (its reports for
  // the old generation are refused) and its failure streak.
  webhook.cursor = c.after;
  webhook.failing_since_ms.reset();
  ++webhook.generation;
  ws.Changed(webhook);
  return Shown(webhook);
}

CommandResult DecideSetWebhookStatus(const SetWebhookStatus& c, WorkingSet& ws,
                                     const Context& ctx) {
  if (auto admin = RequireAdmin(ctx); !admin) return Fail(std::move(admin.error()));
  auto found = FindWebhookOr404(ws, c.id);
  if (!found) return Fail(std::move(found.error()));
  Webhook& webhook = **found;
  if (webhook.status == c.status) return Shown(webhook);  // as it is: nothing to do
  webhook.status = c.status;
  if (c.status == WebhookStatus::kActive) webhook.failing_since_ms.reset();
  ++webhook.generation;
  ws.Changed(webhook);
  return Shown(webhook);
}

CommandResult DecideAdvanceWebhook(const AdvanceWebhook& c, WorkingSet& ws, const Context& ctx) {
  if (auto admin = RequireAdmin(ctx); !admin) return Fail(std::move(admin.error()));
  auto found = FindWebhookOr404(ws, c.id);
  if (!found) return Fail(std::move(found.error()));
  Webhook& webhook = **found;
  if (webhook.generation != c.generation || webhook.status != WebhookStatus::kActive) {
    // Replayed, disabled or re-enabled since the deliverer loaded it.
    Error e{ErrorCode::kInvalidState, "The webhook changed since its delivery started.", {}};
    e.With("status", std::string(ToString(webhook.status)))
        .With("generation", webhook.generation);
    return Fail(std::move(e));
  }
  if (auto within = RequireAtMostHead(ws, c.cursor); !within) return Fail(std::move(within.error()));
  bool changed = false;
  if (c.cursor > webhook.cursor) {  // reports may repeat; a cursor never goes back
    webhook.cursor = c.cursor;
    changed = true;
  }
  if (c.error) {
    if (!webhook.failing_since_ms) webhook.failing_since_ms = ctx.now_ms;
    webhook.last_error = *c.error;
    if (ctx.now_ms - *webhook.failing_since_ms >= c.retry_window_ms) {
      webhook.status = WebhookStatus::kDisabled;
      ++webhook.generation;
    }
    changed = true;
  } else if (webhook.failing_since_ms) {
    webhook.failing_since_ms.reset();  // delivered again: the streak is over
    changed = true;
  }
  if (changed) ws.Changed(webhook);
  return Shown(webhook);
}

}  // namespace allot::domain
