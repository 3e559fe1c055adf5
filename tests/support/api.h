// Helpers for speaking the allot HTTP API v1 in black-box tests: JSON access
// that reports a gtest failure instead of throwing, and a thin typed client.
#ifndef ALLOT_TESTS_SUPPORT_API_H_
#define ALLOT_TESTS_SUPPORT_API_H_

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http_client.h"

namespace allot::testing {

namespace json = boost::json;

inline constexpr std::string_view kApi = "/api/v1";

// "/api/v1" + suffix.
std::string ApiPath(std::string_view suffix);

// The body parsed as a JSON object; adds a gtest failure and returns an empty
// object when it is not one.
json::object JsonBody(const Response& response);
// error.code of an error body, or "" when there is none.
std::string ErrorCode(const Response& response);
// The error object of an error body (empty if missing).
json::object ErrorObject(const Response& response);
// "<status> <body>" (or the transport error), for assertion messages.
std::string Describe(const Response& response);

// A member as int64 / string; nullopt when missing or of another type.
std::optional<std::int64_t> GetInt(const json::object& object, std::string_view key);
std::optional<std::string> GetString(const json::object& object, std::string_view key);

// Milliseconds since the epoch of an RFC 3339 UTC timestamp with
// milliseconds ("2026-11-23T10:00:00.000Z"); nullopt for any other shape.
std::optional<std::int64_t> ParseTimestampMs(std::string_view text);

// A string never used before in this process: prefix + counter + pid.
std::string UniqueId(std::string_view prefix);

struct ItemCounts {
  std::int64_t on_hand = -1;
  std::int64_t held = -1;
  std::int64_t available = -1;
  std::int64_t sold = -1;
  friend bool operator==(const ItemCounts&, const ItemCounts&) = default;
};
std::ostream& operator<<(std::ostream& out, const ItemCounts& counts);
// The counters of an Item object (fields missing stay -1).
ItemCounts CountsOf(const json::object& item);

// A typed client over one keep-alive connection.
class Api {
 public:
  explicit Api(int port, std::chrono::milliseconds timeout = std::chrono::seconds(15))
      : client_(port, timeout) {}
  HttpClient& client() { return client_; }

  Response CreateItem(std::string_view id, std::int64_t on_hand,
                      std::optional<std::int64_t> max_per_user = std::nullopt,
                      std::optional<std::string> name = std::nullopt);
  Response GetItem(std::string_view id) {
    return client_.Get(ApiPath("/items/" + std::string(id)));
  }
  // GET /items/{id}; a gtest failure (and -1 counters) unless 200.
  ItemCounts Counts(std::string_view id);
  Response Adjust(std::string_view id, std::int64_t delta, std::string_view reason = "count");

  // One-line form of POST /reservations.
  Response Reserve(std::string_view user, std::string_view item, std::int64_t qty,
                   std::optional<std::int64_t> ttl_seconds = std::nullopt);
  // Lines form: lines is an array of {"itemId","qty"}.
  Response ReserveLines(std::string_view user, const json::array& lines,
                        std::optional<std::int64_t> ttl_seconds = std::nullopt);
  Response GetReservation(std::string_view id) {
    return client_.Get(ApiPath("/reservations/" + std::string(id)));
  }
  Response Confirm(std::string_view id, std::string_view body = "{}");
  Response CancelReservation(std::string_view id, std::string_view body = "{}");

  Response Order(std::string_view user, std::string_view item, std::int64_t qty);
  Response GetOrder(std::string_view id) {
    return client_.Get(ApiPath("/orders/" + std::string(id)));
  }
  Response CancelOrder(std::string_view id, std::string_view body = "{}");

  Response Post(std::string_view suffix, std::string_view body, const Headers& headers = {}) {
    return client_.Post(ApiPath(suffix), body, headers);
  }
  Response Get(std::string_view suffix, const Headers& headers = {}) {
    return client_.Get(ApiPath(suffix), headers);
  }

 private:
  HttpClient client_;
};

// One {"itemId","qty"} line.
json::object Line(std::string_view item, std::int64_t qty);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_API_H_
