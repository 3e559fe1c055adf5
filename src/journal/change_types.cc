// Names of change types and movement reasons (include/allot/journal.h).
#include <array>
#include <utility>

#include "allot/journal.h"

namespace allot {
namespace {

constexpr std::array<std::pair<ChangeType, std::string_view>, kLastChangeType> kNames{{
    {ChangeType::kItemCreated, "item.created"},
    {ChangeType::kItemAdjusted, "item.adjusted"},
    {ChangeType::kReservationCreated, "reservation.created"},
    {ChangeType::kReservationConfirmed, "reservation.confirmed"},
    {ChangeType::kReservationCancelled, "reservation.cancelled"},
    {ChangeType::kReservationExpired, "reservation.expired"},
    {ChangeType::kReservationExtended, "reservation.extended"},
    {ChangeType::kOrderPlaced, "order.placed"},
    {ChangeType::kOrderCancelled, "order.cancelled"},
    {ChangeType::kAccountCreated, "account.created"},
    {ChangeType::kTransferPosted, "transfer.posted"},
    {ChangeType::kTransferHeld, "transfer.held"},
    {ChangeType::kTransferConfirmed, "transfer.confirmed"},
    {ChangeType::kTransferCancelled, "transfer.cancelled"},
    {ChangeType::kTransferExpired, "transfer.expired"},
    {ChangeType::kEventCreated, "event.created"},
    {ChangeType::kWaitlistJoined, "waitlist.joined"},
    {ChangeType::kWaitlistOffered, "waitlist.offered"},
    {ChangeType::kWaitlistLapsed, "waitlist.lapsed"},
    {ChangeType::kWaitlistLeft, "waitlist.left"},
    {ChangeType::kDrawCreated, "draw.created"},
    {ChangeType::kDrawEntered, "draw.entered"},
    {ChangeType::kDrawDrawn, "draw.drawn"},
}};

}  // namespace

std::string_view ToString(ChangeType type) {
  for (const auto& [value, name] : kNames) {
    if (value == type) return name;
  }
  return "?";
}

std::optional<ChangeType> ParseChangeType(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::optional<ChangeType> ChangeTypeFromNumber(int number) {
  if (number < 1 || number > kLastChangeType) return std::nullopt;
  return static_cast<ChangeType>(number);
}

std::string MovementReason(const Movement& m, std::string_view counterpart_account) {
  if (!m.reason.empty()) return m.reason;
  switch (m.kind) {
    case LedgerKind::kCreate:
      if (AccountOfItem(m.item_id)) return "account opened";
      if (SeatOfItem(m.item_id)) return "seat created";
      return "created";
    case LedgerKind::kAdjust:
      return "adjusted";
    case LedgerKind::kReserve:
      return AccountOfItem(m.item_id) ? "transfer held" : "reserved";
    case LedgerKind::kRelease:
      return "cancelled";
    case LedgerKind::kExpire:
      return "expired";
    case LedgerKind::kConfirm:
      return "confirmed";
    case LedgerKind::kOrder:
      return "ordered";
    case LedgerKind::kReturn:
      return "order cancelled";
    case LedgerKind::kDebit:
      return "transfer to " + std::string(counterpart_account);
    case LedgerKind::kCredit:
      return "transfer from " + std::string(counterpart_account);
  }
  return "";
}

const std::string& RecordIdOf(const ChangeData& data) {
  return std::visit(
      [](const auto& record) -> const std::string& {
        if constexpr (std::is_same_v<std::decay_t<decltype(record)>, EventCounts>) {
          return record.event.id;
        } else if constexpr (std::is_same_v<std::decay_t<decltype(record)>, DrawEntry>) {
          return record.draw_id;
        } else {
          return record.id;
        }
      },
      data);
}

}  // namespace allot
