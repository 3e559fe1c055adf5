// Encoding of records and errors as the contract's JSON. See json_codec.h.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <type_traits>
#include <variant>

#include "core/time_format.h"
#include "core/utf8.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

namespace json = boost::json;

json::string_view View(std::string_view text) { return {text.data(), text.size()}; }

json::value ItemJson(const Item& item) {
  json::object out;
  out["id"] = View(item.id);
  out["name"] = item.name ? json::value(View(*item.name)) : json::value(nullptr);
  out["onHand"] = item.on_hand;
  out["held"] = item.held;
  out["available"] = item.available();
  out["sold"] = item.sold;
  out["maxPerUser"] = item.max_per_user ? json::value(*item.max_per_user) : json::value(nullptr);
  return out;
}

json::value LinesJson(const std::vector<Line>& lines) {
  json::array out;
  out.reserve(lines.size());
  for (const Line& line : lines) {
    json::object entry;
    if (auto seat = SeatOfItem(line.item_id)) {
      entry["eventId"] = View(seat->event_id);
      entry["seat"] = View(seat->seat);
    } else {
      entry["itemId"] = View(line.item_id);
      entry["qty"] = line.qty;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

json::value Timestamp(std::int64_t unix_ms) { return json::value(View(FormatTimestamp(unix_ms))); }

json::value ReservationJson(const Reservation& reservation) {
  json::object out;
  out["id"] = View(reservation.id);
  out["userId"] = View(reservation.user_id);
  out["status"] = View(ToString(reservation.status));
  out["lines"] = LinesJson(reservation.lines);
  out["createdAt"] = Timestamp(reservation.created_at_ms);
  out["expiresAt"] = Timestamp(reservation.expires_at_ms);
  if (reservation.confirmed_at_ms) out["confirmedAt"] = Timestamp(*reservation.confirmed_at_ms);
  if (reservation.order_id) out["orderId"] = View(*reservation.order_id);
  return out;
}

json::value OrderJson(const Order& order) {
  json::object out;
  out["id"] = View(order.id);
  out["userId"] = View(order.user_id);
  out["status"] = View(ToString(order.status));
  out["lines"] = LinesJson(order.lines);
  out["createdAt"] = Timestamp(order.created_at_ms);
  if (order.reservation_id) out["reservationId"] = View(*order.reservation_id);
  if (order.payment_ref) out["paymentRef"] = View(*order.payment_ref);
  return out;
}

json::value AccountJson(const Account& account) {
  json::object out;
  out["id"] = View(account.id);
  out["balance"] = account.balance;
  out["held"] = account.held;
  out["available"] = account.available();
  return out;
}

json::value TransferJson(const Transfer& transfer) {
  json::object out;
  out["id"] = View(transfer.id);
  out["fromId"] = View(transfer.from_id);
  out["toId"] = View(transfer.to_id);
  out["amount"] = transfer.amount;
  out["status"] = View(ToString(transfer.status));
  out["createdAt"] = Timestamp(transfer.created_at_ms);
  if (transfer.expires_at_ms) out["expiresAt"] = Timestamp(*transfer.expires_at_ms);
  return out;
}

json::value EventJson(const EventCounts& counts) {
  json::object seats;
  seats["available"] = counts.available;
  seats["held"] = counts.held;
  seats["sold"] = counts.sold;
  json::object out;
  out["id"] = View(counts.event.id);
  out["name"] = counts.event.name ? json::value(View(*counts.event.name)) : json::value(nullptr);
  out["seats"] = std::move(seats);
  return out;
}

json::value ConfirmationJson(const Confirmation& confirmation) {
  json::object out;
  out["reservation"] = ReservationJson(confirmation.reservation);
  out["order"] = OrderJson(confirmation.order);
  return out;
}

}  // namespace

std::string EncodeItem(const Item& item) { return json::serialize(ItemJson(item)); }

std::string EncodeItemPage(const ItemPage& page) {
  json::array items;
  items.reserve(page.items.size());
  for (const Item& item : page.items) items.push_back(ItemJson(item));
  json::object out;
  out["items"] = std::move(items);
  out["next"] = page.next ? json::value(View(*page.next)) : json::value(nullptr);
  return json::serialize(out);
}

std::string EncodeReservation(const Reservation& reservation) {
  return json::serialize(ReservationJson(reservation));
}

std::string EncodeOrder(const Order& order) { return json::serialize(OrderJson(order)); }

std::string EncodeAccount(const Account& account) { return json::serialize(AccountJson(account)); }

std::string EncodeTransfer(const Transfer& transfer) {
  return json::serialize(TransferJson(transfer));
}

std::string EncodeEvent(const EventCounts& event) { return json::serialize(EventJson(event)); }

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
  return json::serialize(ConfirmationJson(confirmation));
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
