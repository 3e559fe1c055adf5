// The journal: one ordered record of every committed change. Each change
// has a `seq` that is gapless and strictly increasing in commit order, a
// type, the instant it happened, the resource as it is right after the
// change, and the counter movements it made. It is at once the ledger (the
// audit recomputes every counter from the movements), the change feed and,
// for the single-process store, the recovery log and the record store.
//
// Stores keep changes in blocks: a block is a run of consecutive changes
// written as one row (seq of its first change, count, instant, encoded
// body). All changes of a block share the instant of the batch that
// committed them. See journal/change_codec.h for the encoding.
#ifndef ALLOT_JOURNAL_H_
#define ALLOT_JOURNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "allot/model.h"

namespace allot {

// The contract's change types ("Changes" in docs/api.md). The numbers are
// stored: never renumber, only append.
enum class ChangeType : std::uint8_t {
  kItemCreated = 1,
  kItemAdjusted = 2,
  kReservationCreated = 3,
  kReservationConfirmed = 4,
  kReservationCancelled = 5,
  kReservationExpired = 6,
  kReservationExtended = 7,
  kOrderPlaced = 8,
  kOrderCancelled = 9,
  kAccountCreated = 10,
  kTransferPosted = 11,
  kTransferHeld = 12,
  kTransferConfirmed = 13,
  kTransferCancelled = 14,
  kTransferExpired = 15,
  kEventCreated = 16,
  kWaitlistJoined = 17,
  kWaitlistOffered = 18,
  kWaitlistLapsed = 19,
  kWaitlistLeft = 20,
  kDrawCreated = 21,
  kDrawEntered = 22,
  kDrawDrawn = 23,
};
inline constexpr int kLastChangeType = 23;

// "reservation.created"; nullopt for an unknown name or number.
std::string_view ToString(ChangeType type);
std::optional<ChangeType> ParseChangeType(std::string_view name);
std::optional<ChangeType> ChangeTypeFromNumber(int number);

// One item's counters moved by a change, with the counters right after it.
// Accounts and seats are items (model.h): a debit moves an account's
// on_hand (its balance).
struct Movement {
  std::string item_id;
  LedgerKind kind = LedgerKind::kAdjust;
  std::int64_t on_hand_delta = 0;
  std::int64_t held_delta = 0;
  std::int64_t sold_delta = 0;
  std::int64_t on_hand = 0;  // after
  std::int64_t held = 0;     // after
  std::int64_t sold = 0;     // after
  // What a client said (an adjustment's reason, an order cancel's reason);
  // empty when the kind says it all.
  std::string reason;
  friend bool operator==(const Movement&, const Movement&) = default;
};

// The reason shown for a movement: its own, else one derived from its kind
// and the record it belongs to ("reserved", "transfer to bob", ...).
std::string MovementReason(const Movement& movement, std::string_view counterpart_account = {});

// The resource a change is about, as it is right after the change. Items
// carry accounts too (an account is an item, model.h); events their seat
// counts at the change.
using ChangeData =
    std::variant<Item, Reservation, Order, Transfer, EventCounts, WaitlistEntry, Draw, DrawEntry>;

struct Change {
  std::int64_t seq = 0;
  ChangeType type = ChangeType::kItemCreated;
  std::int64_t at_ms = 0;
  // The principal whose record this is; "" for items, accounts and events,
  // which everyone may see.
  std::string owner;
  ChangeData data;
  std::vector<Movement> movements;
  friend bool operator==(const Change&, const Change&) = default;
};

// The id of the record a change is about ("mug", "$ann", "rsv_...").
const std::string& RecordIdOf(const ChangeData& data);

// A block of encoded changes, ready to be stored as one row.
struct JournalBlock {
  std::int64_t first_seq = 0;  // 0 until the store assigns seqs
  std::int64_t count = 0;
  std::int64_t at_ms = 0;
  std::string body;  // change_codec.h
  // Ids of the reservations, orders and transfers changed in this block
  // (each once), for stores that find a record's latest change through a
  // table of heads.
  std::vector<std::string> records;
  // The terms of its changes (journal/terms.h), sorted, each once: what the
  // store indexes the block under for lists and history. Not stored in the
  // block itself.
  std::vector<std::uint64_t> terms;
  friend bool operator==(const JournalBlock&, const JournalBlock&) = default;
};

}  // namespace allot

#endif  // ALLOT_JOURNAL_H_
