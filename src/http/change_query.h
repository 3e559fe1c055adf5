// The query of GET /api/v1/changes and GET /api/v1/changes/stream, decoded
// and checked ("Changes" in docs/api.md): `after` (a seq >= 0), `limit`
// (1..1000, the list only), `types` (a comma-separated list of change type
// names), `waitMs` (0..30000, the list only); the stream also takes `token`
// (checked by authentication, since EventSource cannot send headers). Each
// at most once; anything else is a 400 naming the parameter. Pure.
#ifndef ALLOT_HTTP_CHANGE_QUERY_H_
#define ALLOT_HTTP_CHANGE_QUERY_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "allot/error.h"
#include "allot/store.h"
#include "http/router.h"

namespace allot::http {

inline constexpr std::int64_t kMaxChangeWaitMs = 30'000;

struct ChangeQuery {
  std::optional<std::int64_t> after;  // absent: from the oldest kept change
  std::size_t limit = 100;
  std::vector<ChangeType> types;  // empty: every type
  std::int64_t wait_ms = 0;
};

enum class ChangeRoute { kList, kStream };

Expected<ChangeQuery> ParseChangeQuery(const ParamList& query, ChangeRoute route);

// A Last-Event-ID header's value as a cursor (a seq >= 0), or a 400 naming
// the header.
Expected<std::int64_t> ParseLastEventId(std::string_view value);

}  // namespace allot::http

#endif  // ALLOT_HTTP_CHANGE_QUERY_H_
