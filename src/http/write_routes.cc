#include "http/write_routes.h"

#include "http/json_codec.h"

namespace allot::http {
namespace {

template <typename T>
Expected<CommandBody> AsBody(Expected<T> decoded) {
  if (!decoded) return Fail(std::move(decoded.error()));
  return CommandBody(std::move(*decoded));
}

}  // namespace

Expected<CommandBody> DecodeCommand(const RouteMatch& route, std::string_view body,
                                    bool* one_line_form) {
  std::string_view id = route.Param("id");
  switch (route.id) {
    case RouteId::kCreateItem:
      return AsBody(DecodeCreateItem(body));
    case RouteId::kAdjustItem:
      return AsBody(DecodeAdjustItem(id, body));
    case RouteId::kReserve:
      return AsBody(DecodeReserve(body, one_line_form));
    case RouteId::kConfirmReservation:
      return AsBody(DecodeConfirmReservation(id, body));
    case RouteId::kCancelReservation:
      return AsBody(DecodeCancelReservation(id, body));
    case RouteId::kExtendReservation:
      return AsBody(DecodeExtendReservation(id, body));
    case RouteId::kPlaceOrder:
      return AsBody(DecodePlaceOrder(body, one_line_form));
    case RouteId::kCancelOrder:
      return AsBody(DecodeCancelOrder(id, body));
    case RouteId::kCreateAccount:
      return AsBody(DecodeCreateAccount(body));
    case RouteId::kCreateTransfer:
      return AsBody(DecodeCreateTransfer(body));
    case RouteId::kConfirmTransfer:
      return AsBody(DecodeConfirmTransfer(id, body));
    case RouteId::kCancelTransfer:
      return AsBody(DecodeCancelTransfer(id, body));
    case RouteId::kCreateEvent:
      return AsBody(DecodeCreateEvent(body));
    case RouteId::kCreateWebhook:
      return AsBody(DecodeCreateWebhook(body));
    case RouteId::kReplayWebhook:
      return AsBody(DecodeReplayWebhook(id, body));
    case RouteId::kDisableWebhook:
      return AsBody(DecodeSetWebhookStatus(id, body, WebhookStatus::kDisabled));
    case RouteId::kEnableWebhook:
      return AsBody(DecodeSetWebhookStatus(id, body, WebhookStatus::kActive));
    case RouteId::kJoinWaitlist:
      return AsBody(DecodeJoinWaitlist(id, body));
    case RouteId::kLeaveWaitlist:
      return AsBody(DecodeLeaveWaitlist(id, body));
    case RouteId::kCreateDraw:
      return AsBody(DecodeCreateDraw(body));
    case RouteId::kEnterDraw:
      return AsBody(DecodeEnterDraw(id, body));
    case RouteId::kRunDraw:
      return AsBody(DecodeRunDraw(id, body));
    default:
      break;
  }
  return Fail(Unavailable("The route has no command."));
}

void NameOneLineFields(CommandResult& result) {
  if (result || result.error().code != ErrorCode::kInvalidRequest) return;
  for (auto& [key, value] : result.error().details) {
    auto* field = std::get_if<std::string>(&value);
    if (key == "field" && field != nullptr && field->starts_with("lines[0].")) {
      *field = field->substr(std::string_view("lines[0].").size());
    }
  }
}

bool IsWrite(RouteId id) {
  switch (id) {
    case RouteId::kCreateItem:
    case RouteId::kAdjustItem:
    case RouteId::kReserve:
    case RouteId::kConfirmReservation:
    case RouteId::kCancelReservation:
    case RouteId::kExtendReservation:
    case RouteId::kPlaceOrder:
    case RouteId::kCancelOrder:
    case RouteId::kCreateAccount:
    case RouteId::kCreateTransfer:
    case RouteId::kConfirmTransfer:
    case RouteId::kCancelTransfer:
    case RouteId::kCreateEvent:
    case RouteId::kCreateWebhook:
    case RouteId::kReplayWebhook:
    case RouteId::kDisableWebhook:
    case RouteId::kEnableWebhook:
    case RouteId::kJoinWaitlist:
    case RouteId::kLeaveWaitlist:
    case RouteId::kCreateDraw:
    case RouteId::kEnterDraw:
    case RouteId::kRunDraw:
      return true;
    default:
      return false;
  }
}

bool IsAdminOnly(RouteId id) {
  switch (id) {
    case RouteId::kCreateItem:
    case RouteId::kAdjustItem:
    case RouteId::kCreateAccount:
    case RouteId::kCreateEvent:
    // Webhooks see every client's changes.
    case RouteId::kCreateWebhook:
    case RouteId::kGetWebhook:
    case RouteId::kReplayWebhook:
    case RouteId::kDisableWebhook:
    case RouteId::kEnableWebhook:
    // A waiting list names every user on it.
    case RouteId::kListWaitlist:
    case RouteId::kCreateDraw:
    case RouteId::kRunDraw:
      return true;
    default:
      return false;
  }
}

}  // namespace allot::http
