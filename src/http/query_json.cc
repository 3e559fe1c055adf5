#include "http/query_json.h"

#include <boost/json.hpp>

#include "core/time_format.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

namespace json = boost::json;

// A list cursor is opaque to clients: a string, though it holds a seq.
template <typename Record, typename Encode>
std::string EncodePage(std::string_view name, const api::RecordPage<Record>& page,
                       Encode encode) {
  std::string out;
  out.reserve(32 + page.records.size() * 192);
  out += "{\"";
  out += name;
  out += "\":[";
  for (std::size_t i = 0; i < page.records.size(); ++i) {
    if (i > 0) out += ',';
    out += encode(page.records[i]);
  }
  out += "],\"next\":";
  out += page.next ? "\"" + std::to_string(*page.next) + "\"" : "null";
  out += '}';
  return out;
}

void PutIds(json::object& entry, const api::HistoryEntry& e, bool item) {
  if (item) {
    if (e.reservation_id) entry["reservationId"] = *e.reservation_id;
    if (e.order_id) entry["orderId"] = *e.order_id;
  } else if (e.transfer_id) {
    entry["transferId"] = *e.transfer_id;
  }
}

template <typename Entry>
std::string EncodeHistory(const api::HistoryPage& page, Entry entry_of) {
  json::array entries;
  entries.reserve(page.entries.size());
  for (const api::HistoryEntry& e : page.entries) entries.push_back(entry_of(e));
  json::object out;
  out["entries"] = std::move(entries);
  out["next"] = page.next ? json::value(*page.next) : json::value(nullptr);
  return json::serialize(out);
}

}  // namespace

std::string EncodeReservationPage(const api::RecordPage<Reservation>& page) {
  return EncodePage("reservations", page, EncodeReservation);
}

std::string EncodeOrderPage(const api::RecordPage<Order>& page) {
  return EncodePage("orders", page, EncodeOrder);
}

std::string EncodeTransferPage(const api::RecordPage<Transfer>& page) {
  return EncodePage("transfers", page, EncodeTransfer);
}

std::string EncodeItemHistory(const api::HistoryPage& page) {
  return EncodeHistory(page, [](const api::HistoryEntry& e) {
    const Movement& m = e.movement;
    json::object entry;
    entry["seq"] = e.seq;
    entry["at"] = FormatTimestamp(e.at_ms);
    entry["kind"] = ToString(m.kind);
    entry["onHandDelta"] = m.on_hand_delta;
    entry["heldDelta"] = m.held_delta;
    entry["soldDelta"] = m.sold_delta;
    entry["onHand"] = m.on_hand;
    entry["held"] = m.held;
    entry["sold"] = m.sold;
    entry["reason"] = e.reason;
    PutIds(entry, e, /*item=*/true);
    return entry;
  });
}

std::string EncodeAccountHistory(const api::HistoryPage& page) {
  return EncodeHistory(page, [](const api::HistoryEntry& e) {
    const Movement& m = e.movement;
    json::object entry;
    entry["seq"] = e.seq;
    entry["at"] = FormatTimestamp(e.at_ms);
    entry["kind"] = ToString(m.kind);
    entry["amount"] = m.on_hand_delta != 0 ? m.on_hand_delta : m.held_delta;
    entry["balance"] = m.on_hand;
    entry["held"] = m.held;
    PutIds(entry, e, /*item=*/false);
    return entry;
  });
}

}  // namespace allot::http
