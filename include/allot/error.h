// Errors that allot reports for expected failures (refusals, bad input,
// storage faults). Functions that can fail return Expected<T> or Status;
// exceptions are used only at the program's edges.
#ifndef ALLOT_ERROR_H_
#define ALLOT_ERROR_H_

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace allot {

// One code per row of the contract's error table (docs/api.md).
enum class ErrorCode {
  kInvalidRequest,        // 400
  kUnauthorized,          // 401
  kForbidden,             // 403
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kOutOfStock,            // 409
  kInsufficientFunds,     // 409
  kSeatUnavailable,       // 409
  kLimitExceeded,         // 409
  kReservationExpired,    // 409
  kInvalidState,          // 409
  kAlreadyExists,         // 409
  kPayloadTooLarge,       // 413
  kUriTooLong,            // 414
  kHeadersTooLarge,       // 431
  kIdempotencyKeyReused,  // 422
  kOverloaded,            // 503, nothing was done
  kUnavailable,           // 503, storage failed, nothing was done
  kOutcomeUnknown,        // 500, the commit got no answer: done or not, resend to learn
  kCursorExpired,         // 410, a change cursor older than what the feed keeps
  kDrawClosed,            // 409, a draw entry outside the draw's window
};
// The last code above: loops over every code end here.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kDrawClosed;

// The wire name of a code ("out_of_stock") and its HTTP status.
std::string_view ErrorCodeName(ErrorCode code);
int HttpStatusOf(ErrorCode code);

// A detail value is a string or an integer; keys are the contract's
// camelCase names ("itemId", "requested", "available", "field", ...).
using DetailValue = std::variant<std::string, std::int64_t>;

struct Error {
  ErrorCode code = ErrorCode::kUnavailable;
  std::string message;  // one human sentence
  std::vector<std::pair<std::string, DetailValue>> details;

  Error& With(std::string key, DetailValue value) {
    details.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  // The value of a detail, or nullptr.
  const DetailValue* Detail(std::string_view key) const;
};

template <typename T>
using Expected = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message), {}});
}
inline std::unexpected<Error> Fail(Error error) { return std::unexpected(std::move(error)); }

// Shorthands for the common refusals.
Error InvalidField(std::string field, std::string message);
Error NotFound(std::string resource, std::string id);
// 403: `resource` `id` belongs to another principal.
Error NotYours(std::string resource, std::string id);
Error Unavailable(std::string message);

}  // namespace allot

#endif  // ALLOT_ERROR_H_
