#include "crash_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "api.h"

namespace allot::testing {
namespace {

// The lines of a reservation or order body, or of a request body in either
// the one-line or the lines form.
std::vector<QtyLine> LinesOf(const json::object& object) {
  std::vector<QtyLine> lines;
  if (const json::value* array = object.if_contains("lines"); array && array->is_array()) {
    for (const json::value& line : array->as_array()) {
      if (!line.is_object()) continue;
      lines.push_back({GetString(line.as_object(), "itemId").value_or("?"),
                       GetInt(line.as_object(), "qty").value_or(-1)});
    }
  } else if (auto item = GetString(object, "itemId")) {
    lines.push_back({*item, GetInt(object, "qty").value_or(-1)});
  }
  return lines;
}

json::object ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.as_object());
}

json::object Member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? value->as_object() : json::object{};
}

std::string Describe(const WriteRequest& request) {
  return std::string(KindName(request.kind)) + " " + request.path + " " + request.body + " (key " +
         request.key + ")";
}

}  // namespace

std::int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* KindName(WriteKind kind) {
  switch (kind) {
    case WriteKind::kReserve:
      return "reserve";
    case WriteKind::kConfirm:
      return "confirm";
    case WriteKind::kCancelReservation:
      return "cancel-reservation";
    case WriteKind::kOrder:
      return "order";
    case WriteKind::kCancelOrder:
      return "cancel-order";
    case WriteKind::kAdjust:
      return "adjust";
  }
  return "?";
}

CrashModel::CrashModel(std::map<std::string, std::int64_t> initial_stock)
    : initial_stock_(std::move(initial_stock)) {}

void CrashModel::set_cycle(int cycle) {
  std::lock_guard lock(mu_);
  cycle_ = cycle;
}

WriteOutcome CrashModel::Apply(const WriteRequest& request, const Response& response) {
  std::lock_guard lock(mu_);
  return ApplyLocked(request, response);
}

WriteOutcome CrashModel::ApplyLocked(const WriteRequest& request, const Response& response) {
  if (!response.ok()) return WriteOutcome::kUnknown;
  // The commit got no answer (e.g. the database failed over under it): done
  // or not, as a lost answer; resolved by resending.
  if (response.status == 500 && ErrorCode(response) == "outcome_unknown") {
    ++outcome_unknown_;
    return WriteOutcome::kUnknown;
  }
  if (response.status == 503) {
    const std::string code = ErrorCode(response);
    EXPECT_TRUE(code == "overloaded" || code == "unavailable")
        << Describe(request) << ": " << allot::testing::Describe(response);
    if (code == "unavailable") ++unavailable_;
    return WriteOutcome::kRefused;
  }
  bool known = false;
  switch (request.kind) {
    case WriteKind::kReserve:
      known = ApplyReserve(request, response);
      break;
    case WriteKind::kConfirm:
      known = ApplyConfirm(request, response);
      break;
    case WriteKind::kCancelReservation:
      known = ApplyCancelReservation(request, response);
      break;
    case WriteKind::kOrder:
      known = ApplyOrder(request, response);
      break;
    case WriteKind::kCancelOrder:
      known = ApplyCancelOrder(request, response);
      break;
    case WriteKind::kAdjust:
      known = ApplyAdjust(request, response);
      break;
  }
  EXPECT_TRUE(known) << "an answer this workload does not allow: " << Describe(request) << " -> "
                     << allot::testing::Describe(response);
  if (response.status / 100 != 2) return WriteOutcome::kRefused;
  acknowledged_.push_back({request, response.status, response.body, cycle_});
  return WriteOutcome::kAcknowledged;
}

bool CrashModel::ApplyReserve(const WriteRequest& request, const Response& response) {
  if (response.status == 409) return ErrorCode(response) == "out_of_stock";
  if (response.status != 201) return false;
  json::object body = ParseObject(response.body);
  const std::string id = GetString(body, "id").value_or("");
  const auto expires = ParseTimestampMs(GetString(body, "expiresAt").value_or(""));
  ReservationState state{.lines = LinesOf(body),
                         .status = GetString(body, "status").value_or(""),
                         .expires_at_ms = expires.value_or(0),
                         .thread = request.thread};
  if (id.empty() || !expires || state.status != "held" ||
      state.lines != LinesOf(ParseObject(request.body)) || reservations_.contains(id)) {
    return false;
  }
  reservations_[id] = std::move(state);
  return true;
}

bool CrashModel::ApplyConfirm(const WriteRequest& request, const Response& response) {
  auto found = reservations_.find(request.target);
  if (found == reservations_.end()) return false;
  ReservationState& reservation = found->second;
  if (response.status == 409) {
    const std::string code = ErrorCode(response);
    if (code == "invalid_state") return reservation.status == "cancelled";
    if (code != "reservation_expired") return false;
    // Decided at the server's clock, before this answer arrived.
    if (reservation.expires_at_ms > WallNowMs() + kClockSkewMs) return false;
    if (reservation.status == "held") reservation.status = "expired";
    return reservation.status == "expired";
  }
  if (response.status != 200) return false;
  json::object body = ParseObject(response.body);
  json::object confirmed = Member(body, "reservation");
  json::object order = Member(body, "order");
  const std::string order_id = GetString(order, "id").value_or("");
  if (GetString(confirmed, "status") != "confirmed" || order_id.empty() ||
      GetString(confirmed, "orderId") != order_id || LinesOf(order) != reservation.lines) {
    return false;
  }
  if (reservation.status == "confirmed") {
    // Confirmed before (e.g. a write resent later): the same order, as it is.
    auto existing = orders_.find(order_id);
    return order_id == reservation.order_id && existing != orders_.end() &&
           GetString(order, "status") == existing->second.status;
  }
  if (reservation.status != "held" || GetString(order, "status") != "placed" ||
      orders_.contains(order_id)) {
    return false;
  }
  reservation.status = "confirmed";
  reservation.order_id = order_id;
  orders_[order_id] = OrderState{.lines = reservation.lines,
                                 .status = "placed",
                                 .reservation_id = request.target,
                                 .thread = reservation.thread};
  return true;
}

bool CrashModel::ApplyCancelReservation(const WriteRequest& request, const Response& response) {
  auto found = reservations_.find(request.target);
  if (found == reservations_.end()) return false;
  ReservationState& reservation = found->second;
  if (response.status == 409) {
    return ErrorCode(response) == "invalid_state" && reservation.status == "confirmed";
  }
  if (response.status != 200) return false;
  const std::string status = GetString(ParseObject(response.body), "status").value_or("");
  if (status == "expired" && reservation.expires_at_ms > WallNowMs() + kClockSkewMs) {
    return false;
  }
  if (status != "cancelled" && status != "expired") return false;
  if (reservation.status != "held" && reservation.status != status) return false;
  reservation.status = status;
  return true;
}

bool CrashModel::ApplyOrder(const WriteRequest& request, const Response& response) {
  if (response.status == 409) return ErrorCode(response) == "out_of_stock";
  if (response.status != 201) return false;
  json::object body = ParseObject(response.body);
  const std::string id = GetString(body, "id").value_or("");
  OrderState state{.lines = LinesOf(body),
                   .status = GetString(body, "status").value_or(""),
                   .thread = request.thread};
  if (id.empty() || state.status != "placed" || state.lines != LinesOf(ParseObject(request.body)) ||
      orders_.contains(id)) {
    return false;
  }
  orders_[id] = std::move(state);
  return true;
}

bool CrashModel::ApplyCancelOrder(const WriteRequest& request, const Response& response) {
  auto found = orders_.find(request.target);
  if (found == orders_.end() || response.status != 200) return false;
  if (GetString(ParseObject(response.body), "status") != "cancelled") return false;
  found->second.status = "cancelled";
  return true;
}

bool CrashModel::ApplyAdjust(const WriteRequest& request, const Response& response) {
  if (response.status == 409) return ErrorCode(response) == "out_of_stock";
  if (response.status != 200) return false;
  const auto delta = GetInt(ParseObject(request.body), "delta");
  if (!delta || GetString(ParseObject(response.body), "id") != request.target) return false;
  adjusted_[request.target] += *delta;
  return true;
}

std::optional<std::string> CrashModel::PickHeld(int thread, std::mt19937_64& rng) const {
  std::lock_guard lock(mu_);
  std::vector<const std::string*> ids;
  for (const auto& [id, reservation] : reservations_) {
    if (reservation.thread == thread && reservation.status == "held") ids.push_back(&id);
  }
  if (ids.empty()) return std::nullopt;
  return *ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)];
}

std::optional<std::string> CrashModel::PickPlaced(int thread, std::mt19937_64& rng) const {
  std::lock_guard lock(mu_);
  std::vector<const std::string*> ids;
  for (const auto& [id, order] : orders_) {
    if (order.thread == thread && order.status == "placed") ids.push_back(&id);
  }
  if (ids.empty()) return std::nullopt;
  return *ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)];
}

ExpectedCounts CrashModel::Expected(const std::string& item, std::int64_t from_ms,
                                    std::int64_t to_ms) const {
  std::lock_guard lock(mu_);
  ExpectedCounts expected;
  for (const auto& [id, order] : orders_) {
    if (order.status != "placed") continue;
    for (const QtyLine& line : order.lines) {
      if (line.item == item) expected.sold += line.qty;
    }
  }
  auto initial = initial_stock_.find(item);
  auto adjusted = adjusted_.find(item);
  expected.on_hand = (initial == initial_stock_.end() ? 0 : initial->second) +
                     (adjusted == adjusted_.end() ? 0 : adjusted->second) - expected.sold;
  for (const auto& [id, reservation] : reservations_) {
    if (reservation.status != "held" || reservation.expires_at_ms <= from_ms) continue;
    for (const QtyLine& line : reservation.lines) {
      if (line.item != item) continue;
      expected.held_max += line.qty;
      if (reservation.expires_at_ms > to_ms) expected.held_min += line.qty;
    }
  }
  return expected;
}

void CrashModel::MarkExpired(const std::string& id) {
  std::lock_guard lock(mu_);
  auto found = reservations_.find(id);
  if (found != reservations_.end() && found->second.status == "held") {
    found->second.status = "expired";
  }
}

std::map<std::string, ReservationState> CrashModel::reservations() const {
  std::lock_guard lock(mu_);
  return reservations_;
}

std::map<std::string, OrderState> CrashModel::orders() const {
  std::lock_guard lock(mu_);
  return orders_;
}

std::vector<AcknowledgedWrite> CrashModel::acknowledged_in(int cycle) const {
  std::lock_guard lock(mu_);
  std::vector<AcknowledgedWrite> writes;
  for (const AcknowledgedWrite& write : acknowledged_) {
    if (write.cycle == cycle) writes.push_back(write);
  }
  return writes;
}

std::int64_t CrashModel::acknowledged_count() const {
  std::lock_guard lock(mu_);
  return static_cast<std::int64_t>(acknowledged_.size());
}

std::int64_t CrashModel::unavailable_count() const {
  std::lock_guard lock(mu_);
  return unavailable_;
}

std::int64_t CrashModel::outcome_unknown_count() const {
  std::lock_guard lock(mu_);
  return outcome_unknown_;
}

std::int64_t CrashModel::CountReservations(std::string_view status) const {
  std::lock_guard lock(mu_);
  return std::count_if(reservations_.begin(), reservations_.end(),
                       [&](const auto& entry) { return entry.second.status == status; });
}

std::int64_t CrashModel::CountOrders(std::string_view status) const {
  std::lock_guard lock(mu_);
  return std::count_if(orders_.begin(), orders_.end(),
                       [&](const auto& entry) { return entry.second.status == status; });
}

std::int64_t CrashModel::LatestHeldExpiryBefore(std::int64_t limit_ms) const {
  std::lock_guard lock(mu_);
  std::int64_t latest = 0;
  for (const auto& [id, reservation] : reservations_) {
    if (reservation.status == "held" && reservation.expires_at_ms < limit_ms) {
      latest = std::max(latest, reservation.expires_at_ms);
    }
  }
  return latest;
}

}  // namespace allot::testing
