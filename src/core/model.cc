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
constexpr std::array<std::pair<WaitlistStatus, std::string_view>, 5> kWaitlistStatuses{{
    {WaitlistStatus::kWaiting, "waiting"},
    {WaitlistStatus::kOffered, "offered"},
    {WaitlistStatus::kLapsed, "lapsed"},
    {WaitlistStatus::kLeft, "left"},
    {WaitlistStatus::kFulfilled, "fulfilled"},
}};

constexpr std::array<std::pair<TransferStatus, std::string_view>, 4> kTransferStatuses{{
    {TransferStatus::kPosted, "posted"},
    {TransferStatus::kHeld, "held"},
    {TransferStatus::kCancelled, "cancelled"},
    {TransferStatus::kExpired, "expired"},
}};

constexpr std::array<std::pair<SeatStatus, std::string_view>, 3> kSeatStatuses{{
    {SeatStatus::kAvailable, "available"},
    {SeatStatus::kHeld, "held"},
    {SeatStatus::kSold, "sold"},
}};

constexpr char kAccountMark = '$';
constexpr char kSeatMark = '#';

constexpr std::array<std::pair<LedgerKind, std::string_view>, 10> kLedgerKinds{{
    {LedgerKind::kCreate, "create"},
    {LedgerKind::kAdjust, "adjust"},
    {LedgerKind::kReserve, "reserve"},
    {LedgerKind::kRelease, "release"},
    {LedgerKind::kExpire, "expire"},
    {LedgerKind::kConfirm, "confirm"},
    {LedgerKind::kOrder, "order"},
    {LedgerKind::kReturn, "return"},
    {LedgerKind::kDebit, "debit"},
    {LedgerKind::kCredit, "credit"},
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
std::string_view ToString(WaitlistStatus status) { return Name(kWaitlistStatuses, status); }
std::optional<WaitlistStatus> ParseWaitlistStatus(std::string_view text) {
  return Parse(kWaitlistStatuses, text);
}
std::string_view ToString(DrawStatus status) {
  return status == DrawStatus::kOpen ? "open" : "drawn";
}
std::string_view ToString(DrawOutcome outcome) {
  return outcome == DrawOutcome::kOffered ? "offered" : "waitlisted";
}
bool IsDrawHoldId(std::string_view id) { return id.starts_with("drw_"); }
std::string_view ToString(TransferStatus status) { return Name(kTransferStatuses, status); }
std::optional<TransferStatus> ParseTransferStatus(std::string_view text) {
  return Parse(kTransferStatuses, text);
}
std::string_view ToString(SeatStatus status) { return Name(kSeatStatuses, status); }
std::optional<SeatStatus> ParseSeatStatus(std::string_view text) {
  return Parse(kSeatStatuses, text);
}

std::string AccountItemId(std::string_view account_id) {
  return std::string(1, kAccountMark).append(account_id);
}

std::string SeatItemId(std::string_view event_id, std::string_view seat) {
  return std::string(1, kSeatMark).append(event_id).append(1, '/').append(seat);
}

std::optional<std::string> AccountOfItem(std::string_view item_id) {
  if (item_id.size() < 2 || item_id.front() != kAccountMark) return std::nullopt;
  return std::string(item_id.substr(1));
}

std::optional<SeatRef> SeatOfItem(std::string_view item_id) {
  if (item_id.size() < 4 || item_id.front() != kSeatMark) return std::nullopt;
  // Event ids cannot contain '/', so the first one ends the event id.
  const std::size_t slash = item_id.find('/');
  if (slash == std::string_view::npos || slash == 1 || slash + 1 == item_id.size()) {
    return std::nullopt;
  }
  return SeatRef{std::string(item_id.substr(1, slash - 1)), std::string(item_id.substr(slash + 1))};
}

std::pair<std::string, std::string> SeatItemRange(std::string_view event_id) {
  // Every seat item of the event starts with "#<event>/"; '0' follows '/'.
  std::string first = std::string(1, kSeatMark).append(event_id).append(1, '/');
  std::string last = first;
  last.back() = '0';
  return {std::move(first), std::move(last)};
}

Account AccountFromItem(const Item& item) {
  return Account{AccountOfItem(item.id).value_or(item.id), item.on_hand, item.held};
}

bool IsTransferId(std::string_view id) { return id.starts_with("trf_"); }

SeatStatus SeatStatusOf(const Item& seat_item) {
  if (seat_item.on_hand == 0) return SeatStatus::kSold;
  if (seat_item.held > 0) return SeatStatus::kHeld;
  return SeatStatus::kAvailable;
}

void CountSeat(EventCounts& counts, SeatStatus status) {
  switch (status) {
    case SeatStatus::kAvailable:
      ++counts.available;
      break;
    case SeatStatus::kHeld:
      ++counts.held;
      break;
    case SeatStatus::kSold:
      ++counts.sold;
      break;
  }
}

EventCounts CountSeats(Event event, const std::vector<SeatState>& seats) {
  EventCounts counts{.event = std::move(event)};
  for (const SeatState& seat : seats) CountSeat(counts, seat.status);
  return counts;
}

std::string_view ToString(LedgerKind kind) { return Name(kLedgerKinds, kind); }
std::optional<LedgerKind> ParseLedgerKind(std::string_view text) {
  return Parse(kLedgerKinds, text);
}

std::optional<Reservation> HoldOfTransfer(const Transfer& t) {
  if (!t.expires_at_ms) return std::nullopt;
  Reservation r{.id = t.id,
                .user_id = t.from_id,
                .owner = t.owner,
                .lines = {Line{AccountItemId(t.from_id), t.amount}},
                .created_at_ms = t.created_at_ms,
                .expires_at_ms = *t.expires_at_ms};
  switch (t.status) {
    case TransferStatus::kHeld:
      r.status = ReservationStatus::kHeld;
      break;
    case TransferStatus::kPosted:
      r.status = ReservationStatus::kConfirmed;
      r.confirmed_at_ms = t.posted_at_ms;
      break;
    case TransferStatus::kCancelled:
      r.status = ReservationStatus::kCancelled;
      r.released_at_ms = t.released_at_ms;
      break;
    case TransferStatus::kExpired:
      r.status = ReservationStatus::kExpired;
      r.released_at_ms = t.released_at_ms;
      break;
  }
  return r;
}

}  // namespace allot
