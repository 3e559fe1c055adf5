// Encoding of records and errors as the contract's JSON. See json_codec.h.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <chrono>
#include <type_traits>
#include <variant>

#include "core/digest.h"
#include "core/time_format.h"
#include "core/utf8.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

namespace json = boost::json;

json::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// The records of the hot path are written straight into their string, in
// the bytes Boost.JSON's serializer would give the same object (the tests
// hold them to that): a reservation answer costs one allocation instead of
// a DOM of a dozen. Escaping as Boost does: '"', '\\', and control
// characters (\b \t \n \f \r by name, the others as \u00xx); every other
// byte as it is.
void AppendString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\f':
        out += 'f';
        break;
      case '\r':
        out += 'r';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void AppendInt(std::string& out, std::int64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void AppendDigits(char* at, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "2026-11-23T10:00:00.000Z" in quotes, as FormatTimestamp writes it.
void AppendTimestamp(std::string& out, std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{unix_ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // never in practice; the general path
    out += '"';
    out += FormatTimestamp(unix_ms);
    out += '"';
    return;
  }
  const hh_mm_ss hms{tp - day};
  char text[] = "\"0000-00-00T00:00:00.000Z\"";
  AppendDigits(text + 1, static_cast<unsigned>(year), 4);
  AppendDigits(text + 6, static_cast<unsigned>(ymd.month()), 2);
  AppendDigits(text + 9, static_cast<unsigned>(ymd.day()), 2);
  AppendDigits(text + 12, static_cast<unsigned>(hms.hours().count()), 2);
  AppendDigits(text + 15, static_cast<unsigned>(hms.minutes().count()), 2);
  AppendDigits(text + 18, static_cast<unsigned>(hms.seconds().count()), 2);
  AppendDigits(text + 21, static_cast<unsigned>(hms.subseconds().count()), 3);
  out.append(text, sizeof text - 1);
}

// `,"key":` (no comma before the first field: `first` is cleared).
void AppendKey(std::string& out, std::string_view key, bool& first) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out += key;
  out += "\":";
}

void AppendOptionalString(std::string& out, const std::optional<std::string>& text) {
  if (text) {
    AppendString(out, *text);
  } else {
    out += "null";
  }
}

void AppendItem(std::string& out, const Item& item) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, item.id);
  AppendKey(out, "name", first);
  AppendOptionalString(out, item.name);
  AppendKey(out, "onHand", first);
  AppendInt(out, item.on_hand);
  AppendKey(out, "held", first);
  AppendInt(out, item.held);
  AppendKey(out, "available", first);
  AppendInt(out, item.available());
  AppendKey(out, "withheld", first);
  AppendInt(out, item.withheld());
  AppendKey(out, "sold", first);
  AppendInt(out, item.sold);
  AppendKey(out, "maxPerUser", first);
  if (item.max_per_user) {
    AppendInt(out, *item.max_per_user);
  } else {
    out += "null";
  }
  out += '}';
}

void AppendWaitlistEntry(std::string& out, const WaitlistEntry& e) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, e.id);
  AppendKey(out, "itemId", first);
  AppendString(out, e.item_id);
  AppendKey(out, "userId", first);
  AppendString(out, e.user_id);
  AppendKey(out, "qty", first);
  AppendInt(out, e.qty);
  AppendKey(out, "status", first);
  AppendString(out, ToString(e.status));
  if (e.position && e.status == WaitlistStatus::kWaiting) {
    AppendKey(out, "position", first);
    AppendInt(out, *e.position);
  }
  if (e.reservation_id) {
    AppendKey(out, "reservationId", first);
    AppendString(out, *e.reservation_id);
  }
  out += '}';
}

// A draw's entry; `drawId` is left out inside a draw's results.
void AppendDrawEntry(std::string& out, const DrawEntry& e, bool with_draw) {
  bool first = true;
  out += '{';
  if (with_draw) {
    AppendKey(out, "drawId", first);
    AppendString(out, e.draw_id);
  }
  AppendKey(out, "userId", first);
  AppendString(out, e.user_id);
  AppendKey(out, "qty", first);
  AppendInt(out, e.qty);
  if (e.rank) {
    AppendKey(out, "rank", first);
    AppendInt(out, *e.rank);
  }
  if (e.outcome) {
    AppendKey(out, "outcome", first);
    AppendString(out, ToString(*e.outcome));
  }
  if (e.reservation_id) {
    AppendKey(out, "reservationId", first);
    AppendString(out, *e.reservation_id);
  }
  out += '}';
}

void AppendDraw(std::string& out, const Draw& d) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, d.id);
  AppendKey(out, "itemId", first);
  AppendString(out, d.item_id);
  AppendKey(out, "units", first);
  AppendInt(out, d.units);
  AppendKey(out, "status", first);
  AppendString(out, ToString(d.status));
  AppendKey(out, "closesAt", first);
  AppendTimestamp(out, d.closes_at_ms);
  AppendKey(out, "offerTtlSeconds", first);
  AppendInt(out, d.offer_ttl_seconds);
  AppendKey(out, "entries", first);
  AppendInt(out, d.entries);
  AppendKey(out, "seedHash", first);
  AppendString(out, d.seed_hash);
  if (d.status == DrawStatus::kDrawn) {
    AppendKey(out, "seed", first);
    AppendString(out, ToHex(d.seed));
    AppendKey(out, "results", first);
    out += '[';
    for (std::size_t i = 0; i < d.results.size(); ++i) {
      if (i > 0) out += ',';
      AppendDrawEntry(out, d.results[i], /*with_draw=*/false);
    }
    out += ']';
  }
  out += '}';
}

void AppendLines(std::string& out, const std::vector<Line>& lines) {
  out += '[';
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (i > 0) out += ',';
    bool first = true;
    out += '{';
    if (auto seat = SeatOfItem(line.item_id)) {
      AppendKey(out, "eventId", first);
      AppendString(out, seat->event_id);
      AppendKey(out, "seat", first);
      AppendString(out, seat->seat);
    } else {
      AppendKey(out, "itemId", first);
      AppendString(out, line.item_id);
      AppendKey(out, "qty", first);
      AppendInt(out, line.qty);
    }
    out += '}';
  }
  out += ']';
}

void AppendReservation(std::string& out, const Reservation& reservation) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, reservation.id);
  AppendKey(out, "userId", first);
  AppendString(out, reservation.user_id);
  AppendKey(out, "status", first);
  AppendString(out, ToString(reservation.status));
  AppendKey(out, "lines", first);
  AppendLines(out, reservation.lines);
  AppendKey(out, "createdAt", first);
  AppendTimestamp(out, reservation.created_at_ms);
  AppendKey(out, "expiresAt", first);
  AppendTimestamp(out, reservation.expires_at_ms);
  if (reservation.confirmed_at_ms) {
    AppendKey(out, "confirmedAt", first);
    AppendTimestamp(out, *reservation.confirmed_at_ms);
  }
  if (reservation.order_id) {
    AppendKey(out, "orderId", first);
    AppendString(out, *reservation.order_id);
  }
  out += '}';
}

void AppendOrder(std::string& out, const Order& order) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, order.id);
  AppendKey(out, "userId", first);
  AppendString(out, order.user_id);
  AppendKey(out, "status", first);
  AppendString(out, ToString(order.status));
  AppendKey(out, "lines", first);
  AppendLines(out, order.lines);
  AppendKey(out, "createdAt", first);
  AppendTimestamp(out, order.created_at_ms);
  if (order.reservation_id) {
    AppendKey(out, "reservationId", first);
    AppendString(out, *order.reservation_id);
  }
  if (order.payment_ref) {
    AppendKey(out, "paymentRef", first);
    AppendString(out, *order.payment_ref);
  }
  out += '}';
}

void AppendAccount(std::string& out, const Account& account) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, account.id);
  AppendKey(out, "balance", first);
  AppendInt(out, account.balance);
  AppendKey(out, "held", first);
  AppendInt(out, account.held);
  AppendKey(out, "available", first);
  AppendInt(out, account.available());
  out += '}';
}

void AppendTransfer(std::string& out, const Transfer& transfer) {
  bool first = true;
  out += '{';
  AppendKey(out, "id", first);
  AppendString(out, transfer.id);
  AppendKey(out, "fromId", first);
  AppendString(out, transfer.from_id);
  AppendKey(out, "toId", first);
  AppendString(out, transfer.to_id);
  AppendKey(out, "amount", first);
  AppendInt(out, transfer.amount);
  AppendKey(out, "status", first);
  AppendString(out, ToString(transfer.status));
  AppendKey(out, "createdAt", first);
  AppendTimestamp(out, transfer.created_at_ms);
  if (transfer.expires_at_ms) {
    AppendKey(out, "expiresAt", first);
    AppendTimestamp(out, *transfer.expires_at_ms);
  }
  out += '}';
}

void AppendEvent(std::string& out, const EventCounts& counts) {
  out += R"({"id":)";
  AppendString(out, counts.event.id);
  out += R"(,"name":)";
  AppendOptionalString(out, counts.event.name);
  out += R"(,"seats":{"available":)";
  AppendInt(out, counts.available);
  out += R"(,"held":)";
  AppendInt(out, counts.held);
  out += R"(,"sold":)";
  AppendInt(out, counts.sold);
  out += "}}";
}

// Room for a typical record, so that it is written with one allocation.
constexpr std::size_t kRecordReserve = 320;

template <typename T, typename Append>
std::string Encode(const T& record, Append append) {
  std::string out;
  out.reserve(kRecordReserve);
  append(out, record);
  return out;
}

}  // namespace

std::string EncodeItem(const Item& item) { return Encode(item, AppendItem); }

std::string EncodeItemPage(const ItemPage& page) {
  std::string out;
  out.reserve(32 + page.items.size() * 128);
  out += R"({"items":[)";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i > 0) out += ',';
    AppendItem(out, page.items[i]);
  }
  out += R"(],"next":)";
  AppendOptionalString(out, page.next);
  out += '}';
  return out;
}

std::string EncodeWaitlistEntry(const WaitlistEntry& entry) {
  return Encode(entry, AppendWaitlistEntry);
}

std::string EncodeWaitlistPage(const WaitlistPage& page) {
  std::string out;
  out.reserve(32 + page.entries.size() * 128);
  out += R"({"entries":[)";
  for (std::size_t i = 0; i < page.entries.size(); ++i) {
    if (i > 0) out += ',';
    AppendWaitlistEntry(out, page.entries[i]);
  }
  out += R"(],"next":)";
  AppendOptionalString(out, page.next);
  out += '}';
  return out;
}

std::string EncodeDraw(const Draw& draw) {
  std::string out;
  out.reserve(256 + draw.results.size() * 96);
  AppendDraw(out, draw);
  return out;
}

std::string EncodeDrawEntry(const DrawEntry& entry) {
  std::string out;
  AppendDrawEntry(out, entry, /*with_draw=*/true);
  return out;
}

std::string EncodeReservation(const Reservation& reservation) {
  return Encode(reservation, AppendReservation);
}

std::string EncodeOrder(const Order& order) { return Encode(order, AppendOrder); }

std::string EncodeAccount(const Account& account) { return Encode(account, AppendAccount); }

std::string EncodeTransfer(const Transfer& transfer) { return Encode(transfer, AppendTransfer); }

std::string EncodeEvent(const EventCounts& event) { return Encode(event, AppendEvent); }

std::string EncodeSeats(const std::vector<SeatState>& seats) {
  json::array list;
  list.reserve(seats.size());
  for (const SeatState& seat : seats) {
    json::object entry;
    entry["seat"] = View(seat.seat);
    entry["status"] = View(ToString(seat.status));
    list.push_back(std::move(entry));
  }
  json::object out;
  out["seats"] = std::move(list);
  return json::serialize(out);
}

std::string EncodeConfirmation(const Confirmation& confirmation) {
  std::string out;
  out.reserve(2 * kRecordReserve);
  out += R"({"reservation":)";
  AppendReservation(out, confirmation.reservation);
  out += R"(,"order":)";
  AppendOrder(out, confirmation.order);
  out += '}';
  return out;
}

std::string EncodeOutcome(const Outcome& outcome) {
  return std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, Item>) {
          return EncodeItem(value);
        } else if constexpr (std::is_same_v<T, Reservation>) {
          return EncodeReservation(value);
        } else if constexpr (std::is_same_v<T, Confirmation>) {
          return EncodeConfirmation(value);
        } else if constexpr (std::is_same_v<T, Order>) {
          return EncodeOrder(value);
        } else if constexpr (std::is_same_v<T, Account>) {
          return EncodeAccount(value);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          return EncodeTransfer(value);
        } else if constexpr (std::is_same_v<T, EventCounts>) {
          return EncodeEvent(value);
        } else if constexpr (std::is_same_v<T, Webhook>) {
          return EncodeWebhook(value);
        } else if constexpr (std::is_same_v<T, WaitlistEntry>) {
          return EncodeWaitlistEntry(value);
        } else if constexpr (std::is_same_v<T, Draw>) {
          return EncodeDraw(value);
        } else if constexpr (std::is_same_v<T, DrawEntry>) {
          return EncodeDrawEntry(value);
        } else if constexpr (std::is_same_v<T, ExpirySummary>) {
          json::object out;
          out["expired"] = static_cast<std::int64_t>(value.expired);
          return json::serialize(out);
        } else {
          static_assert(std::is_same_v<T, Replay>);
          return value.body;
        }
      },
      outcome.value);
}

std::string EncodeWebhook(const Webhook& webhook) {
  json::object out;
  out["id"] = View(webhook.id);
  out["url"] = View(webhook.url);
  json::array types;
  for (ChangeType type : webhook.types) types.emplace_back(View(ToString(type)));
  out["types"] = std::move(types);
  out["status"] = View(ToString(webhook.status));
  if (!webhook.secret.empty()) out["secret"] = View(webhook.secret);
  out["cursor"] = webhook.cursor;
  if (webhook.last_error) {
    out["lastError"] = View(ValidUtf8(*webhook.last_error));
  } else {
    out["lastError"] = nullptr;
  }
  if (webhook.failing_since_ms) {
    out["failingSince"] = View(FormatTimestamp(*webhook.failing_since_ms));
  } else {
    out["failingSince"] = nullptr;
  }
  out["createdAt"] = View(FormatTimestamp(webhook.created_at_ms));
  return json::serialize(out);
}

std::string EncodeError(const Error& error) {
  json::object inner;
  inner["code"] = View(ErrorCodeName(error.code));
  inner["message"] = json::string(ValidUtf8(error.message));
  for (const auto& [key, value] : error.details) {
    if (key == "code" || key == "message") continue;  // never shadow the two fixed fields
    if (const auto* text = std::get_if<std::string>(&value)) {
      inner[View(key)] = json::string(ValidUtf8(*text));
    } else {
      inner[View(key)] = std::get<std::int64_t>(value);
    }
  }
  json::object out;
  out["error"] = std::move(inner);
  return json::serialize(out);
}

std::string EncodeStatus(std::string_view status) {
  json::object out;
  out["status"] = View(status);
  return json::serialize(out);
}

}  // namespace allot::http
