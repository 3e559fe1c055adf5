// Accounts and transfers. Funds are an account item's units (see model.h):
// a held transfer is a reservation of the source's units with the
// transfer's id, so holding, expiry (sweep or found due on use) and cancel
// are the reservation machinery's; only posting moves money, and it always
// writes a debit and a credit of the same amount.
#include "domain/decisions.h"
#include "domain/holds.h"

namespace allot::domain {
namespace {

Expected<Item*> AccountOr404(WorkingSet& ws, const std::string& account_id, const Context& ctx) {
  auto item = LoadLiveItem(ws, AccountItemId(account_id), ctx);
  if (!item) return item;
  if (*item == nullptr) return Fail(NotFound("account", account_id));
  return item;
}

Error WrongState(const Transfer& t, std::string_view action) {
  Error e{ErrorCode::kInvalidState,
          "Transfer '" + t.id + "' is " + std::string(ToString(t.status)) + " and cannot be " +
              std::string(action) + ".",
          {}};
  e.With("status", std::string(ToString(t.status)));
  return e;
}

// Moves `amount` of on-hand units from one account item to the other, the
// source's held units too when `from_held`; two ledger rows that cancel out.
Status Post(WorkingSet& ws, Item& from, Item& to, const Transfer& t, bool from_held,
            const Context& ctx) {
  if (to.on_hand > kMaxBalance - t.amount) {
    Error e{ErrorCode::kInvalidState,
            "Account '" + t.to_id + "' would pass the largest balance allowed.",
            {}};
    e.With("accountId", t.to_id);
    return Fail(std::move(e));
  }
  from.on_hand -= t.amount;
  if (from_held) from.held -= t.amount;
  to.on_hand += t.amount;
  ws.Changed(from);
  ws.Changed(to);
  ws.Move(from, LedgerKind::kDebit, -t.amount, from_held ? -t.amount : 0, 0);
  ws.Move(to, LedgerKind::kCredit, t.amount, 0, 0);
  return {};
}

// The transfer and, when it is held, its hold; the hold is expired first if
// it is due, which ends the transfer too (see EndHold).
Expected<Transfer*> LiveTransfer(WorkingSet& ws, const std::string& id, const Context& ctx) {
  auto found = ws.FindTransfer(id);
  if (!found) return found;
  if (*found == nullptr) return Fail(NotFound("transfer", id));
  Transfer& t = **found;
  if (auto owned = RequireOwner(ctx, t.owner, "transfer", t.id); !owned) {
    return std::unexpected(owned.error());
  }
  if (t.status != TransferStatus::kHeld || *t.expires_at_ms > ctx.now_ms) return found;
  auto hold = ws.FindReservation(t.id);
  if (!hold) return std::unexpected(hold.error());
  if (*hold == nullptr) return Fail(Unavailable("The hold of transfer '" + t.id + "' is gone."));
  if ((*hold)->status == ReservationStatus::kHeld) {
    if (auto ended = EndHold(ws, **hold, ReservationStatus::kExpired, ctx); !ended) {
      return std::unexpected(ended.error());
    }
  }
  return found;
}

}  // namespace

CommandResult DecideCreateAccount(const CreateAccount& c, WorkingSet& ws, const Context& ctx) {
  auto existing = LoadLiveItem(ws, AccountItemId(c.id), ctx);
  if (!existing) return std::unexpected(existing.error());
  if (Item* item = *existing) {
    // A repeated create is fine when it asks for the same thing (a retry).
    if (item->created_on_hand == c.balance) return Outcome{AccountFromItem(*item), false};
    Error e{ErrorCode::kAlreadyExists,
            "Account '" + c.id + "' already exists with a different opening balance.",
            {}};
    e.With("resource", "account").With("id", c.id);
    return Fail(std::move(e));
  }
  Item& item = ws.AddItem(
      Item{.id = AccountItemId(c.id), .on_hand = c.balance, .created_on_hand = c.balance});
  ws.Move(item, LedgerKind::kCreate, c.balance, 0, 0);
  ws.Record(ChangeType::kAccountCreated, item);
  return Outcome{AccountFromItem(item), true};
}

CommandResult DecideCreateTransfer(const CreateTransfer& c, WorkingSet& ws, const Context& ctx) {
  auto from = AccountOr404(ws, c.from_id, ctx);
  if (!from) return std::unexpected(from.error());
  auto to = AccountOr404(ws, c.to_id, ctx);
  if (!to) return std::unexpected(to.error());
  Item& source = **from;
  if (c.amount > source.available()) {
    Error e{ErrorCode::kInsufficientFunds,
            "Account '" + c.from_id + "' has less available than the transfer amount.",
            {}};
    e.With("accountId", c.from_id)
        .With("requested", c.amount)
        .With("available", source.available());
    return Fail(std::move(e));
  }
  Transfer t{.id = ctx.ids->NewTransferId(),
             .from_id = c.from_id,
             .to_id = c.to_id,
             .amount = c.amount,
             .owner = ctx.principal,
             .created_at_ms = ctx.now_ms};
  if (!c.hold) {
    if (auto posted = Post(ws, source, **to, t, false, ctx); !posted) {
      return std::unexpected(posted.error());
    }
    t.status = TransferStatus::kPosted;
    t.posted_at_ms = ctx.now_ms;
    Transfer& posted = ws.AddTransfer(std::move(t));
    ws.Record(ChangeType::kTransferPosted, posted);
    return Outcome{posted, true};
  }
  t.status = TransferStatus::kHeld;
  t.expires_at_ms = ctx.now_ms + c.ttl_seconds * 1000;
  ws.AddReservation(Reservation{.id = t.id,
                                .user_id = c.from_id,
                                .owner = ctx.principal,
                                .status = ReservationStatus::kHeld,
                                .lines = {Line{source.id, c.amount}},
                                .created_at_ms = ctx.now_ms,
                                .expires_at_ms = *t.expires_at_ms});
  source.held += c.amount;
  ws.Changed(source);
  ws.Move(source, LedgerKind::kReserve, 0, c.amount, 0);
  Transfer& held = ws.AddTransfer(std::move(t));
  ws.Record(ChangeType::kTransferHeld, held);
  return Outcome{held, true};
}

CommandResult DecideConfirmTransfer(const ConfirmTransfer& c, WorkingSet& ws, const Context& ctx) {
  auto found = LiveTransfer(ws, c.id, ctx);
  if (!found) return std::unexpected(found.error());
  Transfer& t = **found;
  switch (t.status) {
    case TransferStatus::kPosted:
      return Outcome{t, false};  // confirming again answers the same
    case TransferStatus::kCancelled:
      return Fail(WrongState(t, "confirmed"));
    case TransferStatus::kExpired: {
      Error e{ErrorCode::kReservationExpired,
              "Transfer '" + t.id + "' expired before it was confirmed.",
              {}};
      e.With("transferId", t.id);
      return Fail(std::move(e));
    }
    case TransferStatus::kHeld:
      break;
  }
  auto hold = ws.FindReservation(t.id);
  if (!hold) return std::unexpected(hold.error());
  auto from = ws.FindItem(AccountItemId(t.from_id));
  if (!from) return std::unexpected(from.error());
  auto to = ws.FindItem(AccountItemId(t.to_id));
  if (!to) return std::unexpected(to.error());
  if (*hold == nullptr || *from == nullptr || *to == nullptr) {
    return Fail(Unavailable("A row of transfer '" + t.id + "' is gone."));
  }
  if (auto posted = Post(ws, **from, **to, t, true, ctx); !posted) {
    return std::unexpected(posted.error());
  }
  Reservation& r = **hold;
  r.status = ReservationStatus::kConfirmed;
  r.confirmed_at_ms = ctx.now_ms;
  ws.Changed(r);
  t.status = TransferStatus::kPosted;
  t.posted_at_ms = ctx.now_ms;
  ws.Changed(t);
  ws.Record(ChangeType::kTransferConfirmed, t);
  return Outcome{t, false};
}

CommandResult DecideCancelTransfer(const CancelTransfer& c, WorkingSet& ws, const Context& ctx) {
  auto found = LiveTransfer(ws, c.id, ctx);
  if (!found) return std::unexpected(found.error());
  Transfer& t = **found;
  if (t.status == TransferStatus::kPosted) return Fail(WrongState(t, "cancelled"));
  if (t.status == TransferStatus::kHeld) {
    auto hold = ws.FindReservation(t.id);
    if (!hold) return std::unexpected(hold.error());
    if (*hold == nullptr) return Fail(Unavailable("The hold of transfer '" + t.id + "' is gone."));
    if (auto ended = EndHold(ws, **hold, ReservationStatus::kCancelled, ctx); !ended) {
      return std::unexpected(ended.error());
    }
  }
  // Cancelling a cancelled or expired transfer returns it as it is.
  return Outcome{t, false};
}

}  // namespace allot::domain
