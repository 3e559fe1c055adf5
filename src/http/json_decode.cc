// Decoding of request bodies into commands. See json_codec.h for the rules.
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <optional>
#include <string>

#include "api/validate.h"
#include "core/time_format.h"
#include "http/json_codec.h"
#include "http/json_duplicate_keys.h"

namespace allot::http {
namespace {

namespace json = boost::json;

bool IsBlank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Scratch memory for the DOM of one body, which lives only while it is
// decoded: a buffer on the stack first, so that a typical body parses
// without touching the heap.
class Arena {
 public:
  Arena() : resource_(buffer_, sizeof buffer_) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  json::storage_ptr storage() { return json::storage_ptr(&resource_); }

 private:
  alignas(16) unsigned char buffer_[4096];
  json::monotonic_resource resource_;
};

// Parses `body` as one JSON object, in `arena` (which must outlive it). An
// empty (or all-whitespace) body is the empty object when `empty_ok`.
Expected<json::object> ParseObject(std::string_view body, bool empty_ok, Arena& arena) {
  if (IsBlank(body)) {
    if (empty_ok) return json::object(arena.storage());
    return Fail(ErrorCode::kInvalidRequest, "The request body must be a JSON object.");
  }
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value value =
      json::parse(json::string_view(body.data(), body.size()), ec, arena.storage(), options);
  if (ec) {
    return Fail(ErrorCode::kInvalidRequest,
                "The request body is not valid JSON: " + ec.message() + ".");
  }
  if (!value.is_object()) {
    return Fail(ErrorCode::kInvalidRequest, "The request body must be a JSON object.");
  }
  if (auto repeated = FirstDuplicateKey(body)) {
    return Fail(InvalidField(*repeated, "The field '" + *repeated + "' is given more than once."));
  }
  return std::move(value.as_object());
}

// Typed access to the fields of one JSON object; `prefix` is prepended to
// field names in errors ("lines[2].").
class Fields {
 public:
  Fields(const json::object& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  Status OnlyKnown(std::initializer_list<std::string_view> allowed) const {
    for (const auto& entry : object_) {
      std::string_view key(entry.key().data(), entry.key().size());
      bool known = false;
      for (std::string_view name : allowed) known = known || name == key;
      if (!known) {
        return Fail(InvalidField(Name(key), "The field '" + Name(key) + "' is not known here."));
      }
    }
    return {};
  }

  // Present and not null.
  bool Has(std::string_view name) const {
    const json::value* value = object_.if_contains(name);
    return value != nullptr && !value->is_null();
  }

  Expected<std::string> RequiredString(std::string_view name) const {
    if (!Has(name)) return Fail(Missing(name));
    return String(name);
  }

  Expected<std::optional<std::string>> OptionalString(std::string_view name) const {
    if (!Has(name)) return std::optional<std::string>();
    auto text = String(name);
    if (!text) return Fail(std::move(text.error()));
    return std::optional<std::string>(std::move(*text));
  }

  Expected<std::int64_t> RequiredInt(std::string_view name) const {
    if (!Has(name)) return Fail(Missing(name));
    return Int(name);
  }

  Expected<std::optional<std::int64_t>> OptionalInt(std::string_view name) const {
    if (!Has(name)) return std::optional<std::int64_t>();
    auto number = Int(name);
    if (!number) return Fail(std::move(number.error()));
    return std::optional<std::int64_t>(*number);
  }

  const json::value* Get(std::string_view name) const { return object_.if_contains(name); }
  std::string Name(std::string_view name) const { return prefix_ + std::string(name); }

  Error Missing(std::string_view name) const {
    return InvalidField(Name(name), "The field '" + Name(name) + "' is required.");
  }
  Error WrongType(std::string_view name, std::string_view what) const {
    return InvalidField(Name(name),
                        "The field '" + Name(name) + "' must be " + std::string(what) + ".");
  }

 private:
  Expected<std::string> String(std::string_view name) const {
    const json::value& value = object_.at(name);
    if (!value.is_string()) return Fail(WrongType(name, "a string"));
    return std::string(value.get_string().data(), value.get_string().size());
  }

  Expected<std::int64_t> Int(std::string_view name) const {
    const json::value& value = object_.at(name);
    if (value.is_int64()) return value.get_int64();
    if (value.is_uint64()) return Fail(WrongType(name, "an integer that fits in 64 bits"));
    return Fail(WrongType(name, "an integer"));
  }

  const json::object& object_;
  std::string prefix_;
};

// A seat line {"eventId","seat"} is its seat item, one unit (see model.h).
// Its parts are checked here, unlike other ids, because the seat item id
// that carries them on is only well formed when they are.
Expected<Line> DecodeSeatLine(const Fields& fields) {
  if (auto known = fields.OnlyKnown({"eventId", "seat"}); !known) return Fail(known.error());
  auto event_id = fields.RequiredString("eventId");
  if (!event_id) return Fail(event_id.error());
  auto seat = fields.RequiredString("seat");
  if (!seat) return Fail(seat.error());
  if (!api::IsValidId(*event_id)) {
    return Fail(InvalidField(fields.Name("eventId"),
                             "An id must be 1 to 128 characters from A-Z a-z 0-9 . _ : -."));
  }
  if (!api::IsValidSeatName(*seat)) {
    return Fail(InvalidField(fields.Name("seat"),
                             "A seat name must be 1 to 64 characters from A-Z a-z 0-9 . _ : -."));
  }
  return Line{SeatItemId(*event_id, *seat), 1};
}

Expected<Line> DecodeLine(const json::value& value, std::size_t index) {
  std::string prefix = "lines[" + std::to_string(index) + "]";
  if (!value.is_object()) {
    return Fail(InvalidField(prefix, "Each entry of 'lines' must be an object."));
  }
  Fields fields(value.get_object(), prefix + ".");
  if (fields.Has("eventId") || fields.Has("seat")) return DecodeSeatLine(fields);
  if (auto known = fields.OnlyKnown({"itemId", "qty"}); !known) return Fail(known.error());
  auto item_id = fields.RequiredString("itemId");
  if (!item_id) return Fail(item_id.error());
  auto qty = fields.RequiredInt("qty");
  if (!qty) return Fail(qty.error());
  return Line{std::move(*item_id), *qty};
}

// Reads either "lines" or the one-line form "itemId" + "qty".
Expected<std::vector<Line>> DecodeLines(const Fields& fields, bool* one_line_form) {
  bool one_line = fields.Has("itemId") || fields.Has("qty");
  if (one_line_form != nullptr) *one_line_form = one_line && !fields.Has("lines");
  if (fields.Has("lines")) {
    if (one_line) {
      return Fail(InvalidField("lines", "Give either 'lines' or 'itemId' and 'qty', not both."));
    }
    const json::value& lines = *fields.Get("lines");
    if (!lines.is_array()) return Fail(fields.WrongType("lines", "an array"));
    std::vector<Line> out;
    out.reserve(lines.get_array().size());
    for (const json::value& entry : lines.get_array()) {
      auto line = DecodeLine(entry, out.size());
      if (!line) return Fail(line.error());
      out.push_back(std::move(*line));
    }
    return out;
  }
  if (!one_line) {
    return Fail(InvalidField("lines", "The field 'lines' (or 'itemId' and 'qty') is required."));
  }
  auto item_id = fields.RequiredString("itemId");
  if (!item_id) return Fail(item_id.error());
  auto qty = fields.RequiredInt("qty");
  if (!qty) return Fail(qty.error());
  return std::vector<Line>{Line{std::move(*item_id), *qty}};
}

}  // namespace

Expected<CreateItem> DecodeCreateItem(std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"id", "onHand", "name", "maxPerUser"}); !known) {
    return Fail(known.error());
  }
  CreateItem command;
  auto id = fields.RequiredString("id");
  if (!id) return Fail(id.error());
  command.id = std::move(*id);
  auto on_hand = fields.RequiredInt("onHand");
  if (!on_hand) return Fail(on_hand.error());
  command.on_hand = *on_hand;
  auto name = fields.OptionalString("name");
  if (!name) return Fail(name.error());
  command.name = std::move(*name);
  auto max_per_user = fields.OptionalInt("maxPerUser");
  if (!max_per_user) return Fail(max_per_user.error());
  command.max_per_user = *max_per_user;
  return command;
}

Expected<AdjustItem> DecodeAdjustItem(std::string_view item_id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"delta", "reason", "expectedOnHand"}); !known) {
    return Fail(known.error());
  }
  AdjustItem command;
  command.id = std::string(item_id);
  auto delta = fields.RequiredInt("delta");
  if (!delta) return Fail(delta.error());
  command.delta = *delta;
  auto reason = fields.RequiredString("reason");
  if (!reason) return Fail(reason.error());
  command.reason = std::move(*reason);
  auto expected = fields.OptionalInt("expectedOnHand");
  if (!expected) return Fail(expected.error());
  command.expected_on_hand = *expected;
  return command;
}

Expected<ExtendReservation> DecodeExtendReservation(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"ttlSeconds"}); !known) return Fail(known.error());
  ExtendReservation command;
  command.id = std::string(id);
  auto ttl = fields.RequiredInt("ttlSeconds");
  if (!ttl) return Fail(ttl.error());
  command.ttl_seconds = *ttl;
  return command;
}

Expected<JoinWaitlist> DecodeJoinWaitlist(std::string_view item_id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"userId", "qty", "offerTtlSeconds"}); !known) {
    return Fail(known.error());
  }
  JoinWaitlist command;
  command.item_id = std::string(item_id);
  auto user_id = fields.RequiredString("userId");
  if (!user_id) return Fail(user_id.error());
  command.user_id = std::move(*user_id);
  auto qty = fields.RequiredInt("qty");
  if (!qty) return Fail(qty.error());
  command.qty = *qty;
  auto ttl = fields.OptionalInt("offerTtlSeconds");
  if (!ttl) return Fail(ttl.error());
  if (*ttl) command.offer_ttl_seconds = **ttl;
  return command;
}

Expected<CreateDraw> DecodeCreateDraw(std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"id", "itemId", "units", "closesAt", "offerTtlSeconds"});
      !known) {
    return Fail(known.error());
  }
  CreateDraw command;
  auto id = fields.RequiredString("id");
  if (!id) return Fail(id.error());
  command.id = std::move(*id);
  auto item_id = fields.RequiredString("itemId");
  if (!item_id) return Fail(item_id.error());
  command.item_id = std::move(*item_id);
  auto units = fields.RequiredInt("units");
  if (!units) return Fail(units.error());
  command.units = *units;
  auto closes_at = fields.RequiredString("closesAt");
  if (!closes_at) return Fail(closes_at.error());
  auto closes_at_ms = ParseTimestamp(*closes_at);
  if (!closes_at_ms) {
    return Fail(InvalidField("closesAt", "closesAt must be an RFC 3339 UTC time, e.g. "
                                         "2026-11-23T10:00:00.000Z."));
  }
  command.closes_at_ms = *closes_at_ms;
  auto ttl = fields.OptionalInt("offerTtlSeconds");
  if (!ttl) return Fail(ttl.error());
  if (*ttl) command.offer_ttl_seconds = **ttl;
  return command;
}

Expected<EnterDraw> DecodeEnterDraw(std::string_view draw_id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"userId", "qty"}); !known) return Fail(known.error());
  EnterDraw command;
  command.draw_id = std::string(draw_id);
  auto user_id = fields.RequiredString("userId");
  if (!user_id) return Fail(user_id.error());
  command.user_id = std::move(*user_id);
  auto qty = fields.RequiredInt("qty");
  if (!qty) return Fail(qty.error());
  command.qty = *qty;
  return command;
}

Expected<RunDraw> DecodeRunDraw(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({}); !known) return Fail(known.error());
  return RunDraw{std::string(id)};
}

Expected<LeaveWaitlist> DecodeLeaveWaitlist(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({}); !known) return Fail(known.error());
  return LeaveWaitlist{std::string(id)};
}

Expected<Reserve> DecodeReserve(std::string_view body, bool* one_line_form) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"userId", "lines", "itemId", "qty", "ttlSeconds"}); !known) {
    return Fail(known.error());
  }
  Reserve command;
  auto user_id = fields.RequiredString("userId");
  if (!user_id) return Fail(user_id.error());
  command.user_id = std::move(*user_id);
  auto lines = DecodeLines(fields, one_line_form);
  if (!lines) return Fail(lines.error());
  command.lines = std::move(*lines);
  auto ttl = fields.OptionalInt("ttlSeconds");
  if (!ttl) return Fail(ttl.error());
  command.ttl_seconds = ttl->value_or(api::kDefaultTtlSeconds);
  return command;
}

Expected<ConfirmReservation> DecodeConfirmReservation(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"paymentRef"}); !known) return Fail(known.error());
  auto payment_ref = fields.OptionalString("paymentRef");
  if (!payment_ref) return Fail(payment_ref.error());
  return ConfirmReservation{std::string(id), std::move(*payment_ref)};
}

Expected<CancelReservation> DecodeCancelReservation(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({}); !known) return Fail(known.error());
  return CancelReservation{std::string(id)};
}

Expected<PlaceOrder> DecodePlaceOrder(std::string_view body, bool* one_line_form) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"userId", "lines", "itemId", "qty"}); !known) {
    return Fail(known.error());
  }
  PlaceOrder command;
  auto user_id = fields.RequiredString("userId");
  if (!user_id) return Fail(user_id.error());
  command.user_id = std::move(*user_id);
  auto lines = DecodeLines(fields, one_line_form);
  if (!lines) return Fail(lines.error());
  command.lines = std::move(*lines);
  return command;
}

Expected<CancelOrder> DecodeCancelOrder(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"reason"}); !known) return Fail(known.error());
  auto reason = fields.OptionalString("reason");
  if (!reason) return Fail(reason.error());
  return CancelOrder{std::string(id), std::move(*reason)};
}

Expected<CreateAccount> DecodeCreateAccount(std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"id", "balance"}); !known) return Fail(known.error());
  auto id = fields.RequiredString("id");
  if (!id) return Fail(id.error());
  auto balance = fields.RequiredInt("balance");
  if (!balance) return Fail(balance.error());
  return CreateAccount{std::move(*id), *balance};
}

Expected<CreateTransfer> DecodeCreateTransfer(std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"fromId", "toId", "amount", "hold", "ttlSeconds"}); !known) {
    return Fail(known.error());
  }
  CreateTransfer command;
  auto from_id = fields.RequiredString("fromId");
  if (!from_id) return Fail(from_id.error());
  command.from_id = std::move(*from_id);
  auto to_id = fields.RequiredString("toId");
  if (!to_id) return Fail(to_id.error());
  command.to_id = std::move(*to_id);
  auto amount = fields.RequiredInt("amount");
  if (!amount) return Fail(amount.error());
  command.amount = *amount;
  if (fields.Has("hold")) {
    const json::value& hold = *fields.Get("hold");
    if (!hold.is_bool()) return Fail(fields.WrongType("hold", "true or false"));
    command.hold = hold.get_bool();
  }
  auto ttl = fields.OptionalInt("ttlSeconds");
  if (!ttl) return Fail(ttl.error());
  if (*ttl && !command.hold) {
    return Fail(InvalidField("ttlSeconds", "ttlSeconds is only for a held transfer."));
  }
  command.ttl_seconds = ttl->value_or(api::kDefaultTtlSeconds);
  return command;
}

Expected<ConfirmTransfer> DecodeConfirmTransfer(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  if (auto known = Fields(*object, "").OnlyKnown({}); !known) return Fail(known.error());
  return ConfirmTransfer{std::string(id)};
}

Expected<CancelTransfer> DecodeCancelTransfer(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  if (auto known = Fields(*object, "").OnlyKnown({}); !known) return Fail(known.error());
  return CancelTransfer{std::string(id)};
}

Expected<CreateEvent> DecodeCreateEvent(std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"id", "name", "seats"}); !known) return Fail(known.error());
  CreateEvent command;
  auto id = fields.RequiredString("id");
  if (!id) return Fail(id.error());
  command.id = std::move(*id);
  auto name = fields.OptionalString("name");
  if (!name) return Fail(name.error());
  command.name = std::move(*name);
  if (!fields.Has("seats")) return Fail(fields.Missing("seats"));
  const json::value& seats = *fields.Get("seats");
  if (!seats.is_array()) return Fail(fields.WrongType("seats", "an array of seat names"));
  command.seats.reserve(seats.get_array().size());
  for (const json::value& seat : seats.get_array()) {
    if (!seat.is_string()) {
      return Fail(InvalidField("seats[" + std::to_string(command.seats.size()) + "]",
                               "Each seat must be a string."));
    }
    command.seats.emplace_back(seat.get_string().data(), seat.get_string().size());
  }
  return command;
}

Expected<CreateWebhook> DecodeCreateWebhook(std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"url", "types", "after"}); !known) return Fail(known.error());
  CreateWebhook command;
  auto url = fields.RequiredString("url");
  if (!url) return Fail(url.error());
  command.url = std::move(*url);
  if (fields.Has("types")) {
    const json::value& types = *fields.Get("types");
    if (!types.is_array()) return Fail(fields.WrongType("types", "an array of change types"));
    for (const json::value& type : types.get_array()) {
      const std::string field = "types[" + std::to_string(command.types.size()) + "]";
      if (!type.is_string()) return Fail(InvalidField(field, "Each type must be a string."));
      const std::string_view name(type.get_string().data(), type.get_string().size());
      auto parsed = ParseChangeType(name);
      if (!parsed) {
        return Fail(InvalidField(field, "'" + std::string(name) + "' is not a change type."));
      }
      command.types.push_back(*parsed);
    }
  }
  auto after = fields.OptionalInt("after");
  if (!after) return Fail(after.error());
  command.after = *after;
  return command;
}

Expected<ReplayWebhook> DecodeReplayWebhook(std::string_view id, std::string_view body) {
  Arena arena;
  auto object = ParseObject(body, false, arena);
  if (!object) return Fail(object.error());
  Fields fields(*object, "");
  if (auto known = fields.OnlyKnown({"after"}); !known) return Fail(known.error());
  auto after = fields.RequiredInt("after");
  if (!after) return Fail(after.error());
  return ReplayWebhook{std::string(id), *after};
}

Expected<SetWebhookStatus> DecodeSetWebhookStatus(std::string_view id, std::string_view body,
                                                  WebhookStatus status) {
  Arena arena;
  auto object = ParseObject(body, true, arena);
  if (!object) return Fail(object.error());
  if (auto known = Fields(*object, "").OnlyKnown({}); !known) return Fail(known.error());
  return SetWebhookStatus{std::string(id), status};
}

std::optional<ErrorCode> DecodeErrorCode(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::value* error = parsed.get_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  const json::value* code = error->get_object().if_contains("code");
  if (code == nullptr || !code->is_string()) return std::nullopt;
  const std::string_view name(code->get_string().data(), code->get_string().size());
  for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
    if (ErrorCodeName(static_cast<ErrorCode>(i)) == name) return static_cast<ErrorCode>(i);
  }
  return std::nullopt;
}

}  // namespace allot::http
