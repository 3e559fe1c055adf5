#include "http/batch_request.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/validate.h"
#include "http/json_codec.h"
#include "http/json_spans.h"
#include "http/write_routes.h"

namespace allot::http {
namespace {

namespace json = boost::json;

std::string_view View(json::string_view text) { return {text.data(), text.size()}; }

Expected<BatchEntry> DecodeEntry(const json::value& value, std::string_view text,
                                 std::size_t index) {
  const std::string name = "requests[" + std::to_string(index) + "]";
  if (!value.is_object()) return Fail(InvalidField(name, "Each request must be an object."));
  const json::object& entry = value.get_object();
  // Boost.JSON keeps the last of two equal keys, so an object that lost
  // members to that has fewer than its text shows.
  const std::vector<std::string_view> spans = MemberValueSpans(text);
  if (spans.size() != entry.size()) {
    return Fail(InvalidField(name, "A field of this request is given more than once."));
  }
  const json::value* method = nullptr;
  const json::value* path = nullptr;
  const json::value* key = nullptr;
  std::size_t body_index = 0;
  bool has_body = false;
  std::size_t at = 0;
  for (const auto& member : entry) {
    const std::string_view field = View(member.key());
    if (field == "method") {
      method = &member.value();
    } else if (field == "path") {
      path = &member.value();
    } else if (field == "idempotencyKey") {
      key = &member.value();
    } else if (field == "body") {
      has_body = !member.value().is_null();
      body_index = at;
    } else {
      return Fail(InvalidField(name + "." + std::string(field),
                               "The field '" + std::string(field) +
                                   "' is not known here; a request has method, path, body "
                                   "and idempotencyKey."));
    }
    ++at;
  }
  if (method == nullptr || method->is_null()) {
    return Fail(InvalidField(name + ".method", "The field 'method' is required."));
  }
  if (!method->is_string() || View(method->get_string()) != "POST") {
    return Fail(
        InvalidField(name + ".method", "A batch runs writes only: 'method' must be \"POST\"."));
  }
  if (path == nullptr || path->is_null()) {
    return Fail(InvalidField(name + ".path", "The field 'path' is required."));
  }
  if (!path->is_string()) {
    return Fail(InvalidField(name + ".path", "The field 'path' must be a string."));
  }
  const std::string_view target = View(path->get_string());
  auto route = Route("POST", target);
  if (target.find_first_of("?#") != std::string_view::npos || !route || !IsWrite(route->id)) {
    return Fail(InvalidField(name + ".path",
                             "'" + std::string(target) +
                                 "' is not the path of a write (a POST route of /api/v1 other "
                                 "than /batch, without a query)."));
  }
  BatchEntry out{std::move(*route), {}, std::nullopt};
  if (key != nullptr && !key->is_null()) {
    if (!key->is_string() || !api::IsValidIdempotencyKey(View(key->get_string()))) {
      return Fail(InvalidField(name + ".idempotencyKey",
                               "An idempotencyKey must be 1 to 255 printable ASCII characters."));
    }
    out.idempotency_key = std::string(View(key->get_string()));
  }
  if (has_body) out.body = spans[body_index];
  return out;
}

}  // namespace

Expected<std::vector<BatchEntry>> DecodeBatch(std::string_view body) {
  // The entries' bodies sit three levels down (object, list, entry): they
  // may nest as deep as a request of their own.
  json::parse_options options;
  options.max_depth = kMaxJsonDepth + 3;
  json::monotonic_resource arena;
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(body.data(), body.size()), ec, &arena, options);
  if (ec) {
    return Fail(ErrorCode::kInvalidRequest,
                "The request body is not valid JSON: " + ec.message() + ".");
  }
  if (!value.is_object()) {
    return Fail(InvalidField("requests", "The body must be an object {\"requests\": [...]}."));
  }
  const json::object& top = value.get_object();
  const std::vector<std::string_view> top_spans = MemberValueSpans(body);
  if (top_spans.size() != top.size()) {
    return Fail(InvalidField("requests", "The field 'requests' is given more than once."));
  }
  std::string_view list_text;
  const json::value* list = nullptr;
  std::size_t at = 0;
  for (const auto& member : top) {
    const std::string_view field = View(member.key());
    if (field != "requests") {
      return Fail(InvalidField(std::string(field),
                               "The field '" + std::string(field) + "' is not known here."));
    }
    list = &member.value();
    list_text = top_spans[at++];
  }
  if (list == nullptr || list->is_null()) {
    return Fail(InvalidField("requests", "The field 'requests' is required."));
  }
  if (!list->is_array()) {
    return Fail(InvalidField("requests", "The field 'requests' must be a list of requests."));
  }
  const json::array& requests = list->get_array();
  if (requests.empty()) {
    return Fail(InvalidField("requests", "A batch holds 1 to 1000 requests; this one is empty."));
  }
  if (requests.size() > kMaxBatchRequests) {
    return Fail(InvalidField("requests[" + std::to_string(kMaxBatchRequests) + "]",
                             "A batch holds at most 1000 requests."));
  }
  const std::vector<std::string_view> texts = ElementSpans(list_text);
  if (texts.size() != requests.size()) {  // cannot happen for valid JSON; never read past
    return Fail(InvalidField("requests", "The list of requests could not be read."));
  }
  std::vector<BatchEntry> entries;
  entries.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto entry = DecodeEntry(requests[i], texts[i], i);
    if (!entry) return Fail(std::move(entry.error()));
    entries.push_back(std::move(*entry));
  }
  return entries;
}

}  // namespace allot::http
