// Shape rules of the contract that need no state: id syntax, quantity and
// TTL ranges, text lengths, line counts. A command that passes can still be
// refused by the domain (out of stock, unknown item, ...).
#ifndef ALLOT_API_VALIDATE_H_
#define ALLOT_API_VALIDATE_H_

#include <cstdint>
#include <string_view>

#include "allot/commands.h"
#include "allot/error.h"

namespace allot::api {

inline constexpr std::size_t kMaxIdLength = 128;
inline constexpr std::int64_t kMaxQuantity = 1'000'000'000;
inline constexpr std::int64_t kMaxTtlSeconds = 604'800;
inline constexpr std::int64_t kDefaultTtlSeconds = 600;
inline constexpr std::size_t kMaxLinesPerRequest = 100;
inline constexpr std::size_t kMaxTextLength = 500;  // name, reason, paymentRef
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
inline constexpr std::size_t kDefaultPageSize = 100;
inline constexpr std::size_t kMaxPageSize = 1000;
inline constexpr std::size_t kMaxSeatNameLength = 64;
inline constexpr std::size_t kMaxSeatsPerEvent = 100'000;
// Balances and transfer amounts, in minor units: far from int64 overflow.
inline constexpr std::int64_t kMaxMoney = 1'000'000'000'000'000;

// 1..128 characters from [A-Za-z0-9._:-].
bool IsValidId(std::string_view id);
// 1..64 characters from the same alphabet.
bool IsValidSeatName(std::string_view seat);
// 1..255 printable ASCII characters.
bool IsValidIdempotencyKey(std::string_view key);

// kInvalidRequest with `field` naming the first bad field (camelCase, lines
// as "lines[2].qty"), or success.
Status Validate(const CommandBody& body);

// A stable digest of a request, to tell a replay from a reuse of its key.
std::string Fingerprint(std::string_view method, std::string_view path, std::string_view body);

}  // namespace allot::api

#endif  // ALLOT_API_VALIDATE_H_
