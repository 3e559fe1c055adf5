#include "api.h"

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <ostream>
#include <regex>

namespace allot::testing {

std::string ApiPath(std::string_view suffix) {
  std::string path(kApi);
  path.append(suffix);
  return path;
}

json::object JsonBody(const Response& response) {
  boost::system::error_code ec;
  json::value value = json::parse(response.body, ec);
  if (ec) {
    ADD_FAILURE() << "response body is not JSON (" << ec.message() << "): " << Describe(response);
    return {};
  }
  if (!value.is_object()) {
    ADD_FAILURE() << "response body is not a JSON object: " << Describe(response);
    return {};
  }
  return std::move(value.as_object());
}

json::object ErrorObject(const Response& response) {
  boost::system::error_code ec;
  json::value value = json::parse(response.body, ec);
  if (ec || !value.is_object()) return {};
  const json::value* error = value.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return {};
  return error->as_object();
}

std::string ErrorCode(const Response& response) {
  return GetString(ErrorObject(response), "code").value_or("");
}

std::string Describe(const Response& response) {
  if (!response.ok()) return "<no response: " + response.error + ">";
  std::string body =
      response.body.size() > 2000 ? response.body.substr(0, 2000) + "..." : response.body;
  return std::to_string(response.status) + " " + body;
}

std::optional<std::int64_t> GetInt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64() && value->as_uint64() <= INT64_MAX) {
    return static_cast<std::int64_t>(value->as_uint64());
  }
  return std::nullopt;
}

std::optional<std::string> GetString(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->as_string());
}

std::optional<std::int64_t> ParseTimestampMs(std::string_view text) {
  static const std::regex kShape(R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, kShape)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1].str()) - 1900;
  tm.tm_mon = std::stoi(m[2].str()) - 1;
  tm.tm_mday = std::stoi(m[3].str());
  tm.tm_hour = std::stoi(m[4].str());
  tm.tm_min = std::stoi(m[5].str());
  tm.tm_sec = std::stoi(m[6].str());
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + std::stoi(m[7].str());
}

std::string UniqueId(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

std::ostream& operator<<(std::ostream& out, const ItemCounts& c) {
  return out << "{onHand " << c.on_hand << ", held " << c.held << ", available " << c.available
             << ", sold " << c.sold << "}";
}

ItemCounts CountsOf(const json::object& item) {
  ItemCounts counts;
  counts.on_hand = GetInt(item, "onHand").value_or(-1);
  counts.held = GetInt(item, "held").value_or(-1);
  counts.available = GetInt(item, "available").value_or(-1);
  counts.sold = GetInt(item, "sold").value_or(-1);
  return counts;
}

json::object Line(std::string_view item, std::int64_t qty) {
  return json::object{{"itemId", item}, {"qty", qty}};
}

Response Api::CreateItem(std::string_view id, std::int64_t on_hand,
                         std::optional<std::int64_t> max_per_user,
                         std::optional<std::string> name) {
  json::object body{{"id", id}, {"onHand", on_hand}};
  if (max_per_user) body["maxPerUser"] = *max_per_user;
  if (name) body["name"] = *name;
  return client_.Post(ApiPath("/items"), json::serialize(body));
}

ItemCounts Api::Counts(std::string_view id) {
  Response response = GetItem(id);
  if (response.status != 200) {
    ADD_FAILURE() << "GET item " << id << ": " << Describe(response);
    return {};
  }
  return CountsOf(JsonBody(response));
}

Response Api::Adjust(std::string_view id, std::int64_t delta, std::string_view reason) {
  json::object body{{"delta", delta}, {"reason", reason}};
  return client_.Post(ApiPath("/items/" + std::string(id) + "/adjustments"), json::serialize(body));
}

Response Api::Reserve(std::string_view user, std::string_view item, std::int64_t qty,
                      std::optional<std::int64_t> ttl_seconds) {
  json::object body{{"userId", user}, {"itemId", item}, {"qty", qty}};
  if (ttl_seconds) body["ttlSeconds"] = *ttl_seconds;
  return client_.Post(ApiPath("/reservations"), json::serialize(body));
}

Response Api::ReserveLines(std::string_view user, const json::array& lines,
                           std::optional<std::int64_t> ttl_seconds) {
  json::object body{{"userId", user}, {"lines", lines}};
  if (ttl_seconds) body["ttlSeconds"] = *ttl_seconds;
  return client_.Post(ApiPath("/reservations"), json::serialize(body));
}

Response Api::Confirm(std::string_view id, std::string_view body) {
  return client_.Post(ApiPath("/reservations/" + std::string(id) + "/confirm"), body);
}

Response Api::CancelReservation(std::string_view id, std::string_view body) {
  return client_.Post(ApiPath("/reservations/" + std::string(id) + "/cancel"), body);
}

Response Api::Order(std::string_view user, std::string_view item, std::int64_t qty) {
  json::object body{{"userId", user}, {"itemId", item}, {"qty", qty}};
  return client_.Post(ApiPath("/orders"), json::serialize(body));
}

Response Api::CancelOrder(std::string_view id, std::string_view body) {
  return client_.Post(ApiPath("/orders/" + std::string(id) + "/cancel"), body);
}

}  // namespace allot::testing
