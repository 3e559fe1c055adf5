// One decision function per command; Decide (rules.h) dispatches to them.
// Internal to the domain.
#ifndef ALLOT_DOMAIN_DECISIONS_H_
#define ALLOT_DOMAIN_DECISIONS_H_

#include "allot/commands.h"
#include "domain/rules.h"
#include "domain/working_set.h"

namespace allot::domain {

CommandResult DecideCreateItem(const CreateItem& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideAdjustItem(const AdjustItem& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideReserve(const Reserve& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideConfirm(const ConfirmReservation& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCancelReservation(const CancelReservation& c, WorkingSet& ws,
                                      const Context& ctx);
CommandResult DecidePlaceOrder(const PlaceOrder& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCancelOrder(const CancelOrder& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideExtend(const ExtendReservation& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideExpireDue(const ExpireDue& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCreateAccount(const CreateAccount& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCreateTransfer(const CreateTransfer& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideConfirmTransfer(const ConfirmTransfer& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCancelTransfer(const CancelTransfer& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCreateEvent(const CreateEvent& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCreateWebhook(const CreateWebhook& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideReplayWebhook(const ReplayWebhook& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideSetWebhookStatus(const SetWebhookStatus& c, WorkingSet& ws,
                                     const Context& ctx);
CommandResult DecideAdvanceWebhook(const AdvanceWebhook& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideJoinWaitlist(const JoinWaitlist& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideLeaveWaitlist(const LeaveWaitlist& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideCreateDraw(const CreateDraw& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideEnterDraw(const EnterDraw& c, WorkingSet& ws, const Context& ctx);
CommandResult DecideRunDraw(const allot::RunDraw& c, WorkingSet& ws, const Context& ctx);

// 403 forbidden when the context may act only on its own records and the
// record (`resource` `id`, created by `owner`) is another principal's.
// Checked before anything else about the record, so a refusal reveals
// nothing and changes nothing.
Status RequireOwner(const Context& ctx, std::string_view owner, std::string_view resource,
                    std::string_view id);

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_DECISIONS_H_
