#include "http/change_query.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "allot/journal.h"
#include "api/validate.h"

namespace allot::http {
namespace {

std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Expected<std::vector<ChangeType>> ParseTypes(std::string_view text) {
  std::vector<ChangeType> types;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view name = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (name.empty()) continue;
    auto type = ParseChangeType(name);
    if (!type) {
      return Fail(InvalidField("types", "'" + std::string(name) +
                                            "' is not a change type (see the list in the API "
                                            "document)."));
    }
    if (std::find(types.begin(), types.end(), *type) == types.end()) types.push_back(*type);
  }
  return types;
}

}  // namespace

Expected<ChangeQuery> ParseChangeQuery(const ParamList& query, ChangeRoute route) {
  ChangeQuery out;
  bool seen_after = false, seen_limit = false, seen_types = false, seen_wait = false,
       seen_token = false;
  auto once = [](bool& seen, const std::string& key) -> Status {
    if (seen) return Fail(InvalidField(key, "Give '" + key + "' once."));
    seen = true;
    return {};
  };
  const bool list = route == ChangeRoute::kList;
  for (const auto& [key, value] : query) {
    if (key == "after") {
      if (auto ok = once(seen_after, key); !ok) return Fail(ok.error());
      if (value.empty()) continue;
      auto seq = ParseInteger(value);
      if (!seq || *seq < 0) {
        return Fail(InvalidField("after", "'after' must be a seq: an integer, 0 or more."));
      }
      out.after = *seq;
    } else if (key == "limit" && list) {
      if (auto ok = once(seen_limit, key); !ok) return Fail(ok.error());
      if (value.empty()) continue;
      auto limit = ParseInteger(value);
      if (!limit || *limit < 1 || *limit > static_cast<std::int64_t>(api::kMaxPageSize)) {
        return Fail(InvalidField("limit", "'limit' must be an integer from 1 to 1000."));
      }
      out.limit = static_cast<std::size_t>(*limit);
    } else if (key == "types") {
      if (auto ok = once(seen_types, key); !ok) return Fail(ok.error());
      auto types = ParseTypes(value);
      if (!types) return Fail(types.error());
      out.types = std::move(*types);
    } else if (key == "waitMs" && list) {
      if (auto ok = once(seen_wait, key); !ok) return Fail(ok.error());
      if (value.empty()) continue;
      auto wait = ParseInteger(value);
      if (!wait || *wait < 0 || *wait > kMaxChangeWaitMs) {
        return Fail(InvalidField("waitMs", "'waitMs' must be an integer from 0 to 30000."));
      }
      out.wait_ms = *wait;
    } else if (key == "token" && !list) {
      if (auto ok = once(seen_token, key); !ok) return Fail(ok.error());
    } else {
      return Fail(InvalidField(key, "The query parameter '" + key + "' is not known here."));
    }
  }
  return out;
}

Expected<std::int64_t> ParseLastEventId(std::string_view value) {
  auto seq = ParseInteger(value);
  if (!seq || *seq < 0) {
    return Fail(InvalidField("Last-Event-ID",
                             "The Last-Event-ID header must be a seq: an integer, 0 or more."));
  }
  return *seq;
}

}  // namespace allot::http
