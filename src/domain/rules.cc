#include "domain/rules.h"

#include "domain/decisions.h"

namespace allot::domain {
namespace {

struct Dispatch {
  WorkingSet& ws;
  const Context& ctx;
  CommandResult operator()(const CreateItem& c) { return DecideCreateItem(c, ws, ctx); }
  CommandResult operator()(const AdjustItem& c) { return DecideAdjustItem(c, ws, ctx); }
  CommandResult operator()(const Reserve& c) { return DecideReserve(c, ws, ctx); }
  CommandResult operator()(const ConfirmReservation& c) { return DecideConfirm(c, ws, ctx); }
  CommandResult operator()(const CancelReservation& c) {
    return DecideCancelReservation(c, ws, ctx);
  }
  CommandResult operator()(const PlaceOrder& c) { return DecidePlaceOrder(c, ws, ctx); }
  CommandResult operator()(const CancelOrder& c) { return DecideCancelOrder(c, ws, ctx); }
  CommandResult operator()(const ExpireDue& c) { return DecideExpireDue(c, ws, ctx); }
  CommandResult operator()(const CreateAccount& c) { return DecideCreateAccount(c, ws, ctx); }
  CommandResult operator()(const CreateTransfer& c) { return DecideCreateTransfer(c, ws, ctx); }
  CommandResult operator()(const ConfirmTransfer& c) { return DecideConfirmTransfer(c, ws, ctx); }
  CommandResult operator()(const CancelTransfer& c) { return DecideCancelTransfer(c, ws, ctx); }
  CommandResult operator()(const CreateEvent& c) { return DecideCreateEvent(c, ws, ctx); }
  CommandResult operator()(const ExtendReservation& c) { return DecideExtend(c, ws, ctx); }
  CommandResult operator()(const CreateWebhook& c) { return DecideCreateWebhook(c, ws, ctx); }
  CommandResult operator()(const ReplayWebhook& c) { return DecideReplayWebhook(c, ws, ctx); }
  CommandResult operator()(const SetWebhookStatus& c) {
    return DecideSetWebhookStatus(c, ws, ctx);
  }
  CommandResult operator()(const AdvanceWebhook& c) { return DecideAdvanceWebhook(c, ws, ctx); }
  CommandResult operator()(const JoinWaitlist& c) { return DecideJoinWaitlist(c, ws, ctx); }
  CommandResult operator()(const LeaveWaitlist& c) { return DecideLeaveWaitlist(c, ws, ctx); }
  CommandResult operator()(const CreateDraw& c) { return DecideCreateDraw(c, ws, ctx); }
  CommandResult operator()(const EnterDraw& c) { return DecideEnterDraw(c, ws, ctx); }
  CommandResult operator()(const RunDraw& c) { return DecideRunDraw(c, ws, ctx); }
};

}  // namespace

CommandResult Decide(const CommandBody& body, WorkingSet& ws, const Context& ctx) {
  return std::visit(Dispatch{ws, ctx}, body);
}

Reservation ViewAt(Reservation reservation, std::int64_t now_ms) {
  if (reservation.status == ReservationStatus::kHeld && reservation.expires_at_ms <= now_ms) {
    reservation.status = ReservationStatus::kExpired;
  }
  return reservation;
}

Transfer ViewAt(Transfer transfer, std::int64_t now_ms) {
  if (transfer.status == TransferStatus::kHeld && transfer.expires_at_ms &&
      *transfer.expires_at_ms <= now_ms) {
    transfer.status = TransferStatus::kExpired;
  }
  return transfer;
}

}  // namespace allot::domain
