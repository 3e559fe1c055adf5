// RFC 3339 UTC timestamps with milliseconds, as the contract writes them:
// "2026-11-23T10:00:00.000Z".
#ifndef ALLOT_CORE_TIME_FORMAT_H_
#define ALLOT_CORE_TIME_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allot {

std::string FormatTimestamp(std::int64_t unix_ms);
// Accepts exactly the format FormatTimestamp writes.
std::optional<std::int64_t> ParseTimestamp(std::string_view text);

}  // namespace allot

#endif  // ALLOT_CORE_TIME_FORMAT_H_
