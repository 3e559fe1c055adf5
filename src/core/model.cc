#include "allot/model.h"

#include <array>
#include <utility>

namespace allot {
namespace {

// Looks a name up in a table of (enum, name) pairs.
template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table,
                       std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<ReservationStatus, std::string_view>, 4> kReservationStatuses{{
    {ReservationStatus::kHeld, "held"},
    {ReservationStatus::kConfirmed, "confirmed"},
    {ReservationStatus::kCancelled, "cancelled"},
    {ReservationStatus::kExpired, "expired"},
}};

constexpr std::array<std::pair<OrderStatus, std::string_view>, 2> kOrderStatuses{{
    {OrderStatus::kPlaced, "placed"},
    {OrderStatus::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<LedgerKind, std::string_view>, 8> kLedgerKinds{{
    {LedgerKind::kCreate, "create"},
    {LedgerKind::kAdjust, "adjust"},
    {LedgerKind::kReserve, "reserve"},
    {LedgerKind::kRelease, "release"},
    {LedgerKind::kExpire, "expire"},
    {LedgerKind::kConfirm, "confirm"},
    {LedgerKind::kOrder, "order"},
    {LedgerKind::kReturn, "return"},
}};

}  // namespace

std::string_view ToString(ReservationStatus status) { return Name(kReservationStatuses, status); }
std::optional<ReservationStatus> ParseReservationStatus(std::string_view text) {
  return Parse(kReservationStatuses, text);
}
std::string_view ToString(OrderStatus status) { return Name(kOrderStatuses, status); }
std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
  return Parse(kOrderStatuses, text);
}
std::string_view ToString(LedgerKind kind) { return Name(kLedgerKinds, kind); }
std::optional<LedgerKind> ParseLedgerKind(std::string_view text) {
  return Parse(kLedgerKinds, text);
}

}  // namespace allot
