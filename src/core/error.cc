#include "allot/error.h"

namespace allot {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest:
      return "invalid_request";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kOutOfStock:
      return "out_of_stock";
    case ErrorCode::kInsufficientFunds:
      return "insufficient_funds";
    case ErrorCode::kSeatUnavailable:
      return "seat_unavailable";
    case ErrorCode::kLimitExceeded:
      return "limit_exceeded";
    case ErrorCode::kReservationExpired:
      return "reservation_expired";
    case ErrorCode::kInvalidState:
      return "invalid_state";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kUriTooLong:
      return "uri_too_long";
    case ErrorCode::kHeadersTooLarge:
      return "headers_too_large";
    case ErrorCode::kIdempotencyKeyReused:
      return "idempotency_key_reused";
    case ErrorCode::kOverloaded:
      return "overloaded";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kOutcomeUnknown:
      return "outcome_unknown";
    case ErrorCode::kCursorExpired:
      return "cursor_expired";
    case ErrorCode::kDrawClosed:
      return "draw_closed";
  }
  return "unavailable";
}

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kOutOfStock:
    case ErrorCode::kInsufficientFunds:
    case ErrorCode::kSeatUnavailable:
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kReservationExpired:
    case ErrorCode::kInvalidState:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kDrawClosed:
      return 409;
    case ErrorCode::kCursorExpired:
      return 410;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUriTooLong:
      return 414;
    case ErrorCode::kHeadersTooLarge:
      return 431;
    case ErrorCode::kIdempotencyKeyReused:
      return 422;
    case ErrorCode::kOverloaded:
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kOutcomeUnknown:
      // Not 503: a 503 promises that nothing was done.
      return 500;
  }
  return 503;
}

const DetailValue* Error::Detail(std::string_view key) const {
  for (const auto& [k, v] : details) {
    if (k == key) return &v;
  }
  return nullptr;
}

Error InvalidField(std::string field, std::string message) {
  Error e{ErrorCode::kInvalidRequest, std::move(message), {}};
  e.With("field", std::move(field));
  return e;
}

Error NotFound(std::string resource, std::string id) {
  Error e{ErrorCode::kNotFound, "No " + resource + " has the id '" + id + "'.", {}};
  e.With("resource", std::move(resource)).With("id", std::move(id));
  return e;
}

Error NotYours(std::string resource, std::string id) {
  Error e{
      ErrorCode::kForbidden, "The " + resource + " '" + id + "' belongs to another client.", {}};
  e.With("resource", std::move(resource)).With("id", std::move(id));
  return e;
}

Error Unavailable(std::string message) {
  return Error{ErrorCode::kUnavailable, std::move(message), {}};
}

}  // namespace allot
