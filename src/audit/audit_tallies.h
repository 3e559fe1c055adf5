// What the Auditor accumulates per item, transfer, usage row and live hold
// while records are fed, and the naming shared by its checks. Internal to
// src/audit.
#ifndef ALLOT_AUDIT_AUDIT_TALLIES_H_
#define ALLOT_AUDIT_AUDIT_TALLIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allot/model.h"
#include "audit/audit.h"

namespace allot::audit {

struct Auditor::ItemTally {
  std::string id;
  std::optional<Item> stored;  // nullopt: named by some record, never fed
  // From the records.
  std::int64_t held_lines = 0;   // lines of held reservations
  std::int64_t held_due = 0;     // of those, lines of holds past expiry at the audit's instant
  std::int64_t sold_lines = 0;   // lines of placed orders
  std::int64_t adjusted = 0;     // adjustments (recorded in the ledger only)
  std::int64_t transferred = 0;  // credits less debits of posted transfers
  // Seats only: the held reservations and placed orders that have it.
  std::vector<std::string> holders;
  std::vector<std::string> buyers;
  // From the item ledger and the transfer ledger.
  std::int64_t ledger_on_hand = 0;
  std::int64_t ledger_held = 0;
  std::int64_t ledger_sold = 0;
  std::int64_t create_rows = 0;
  std::int64_t created_delta = 0;
  bool after_reported = false;  // a movement's counters-after disagreed
};

// One side (debits or credits) of a transfer's rows in the transfer ledger.
struct PostingSide {
  std::int64_t rows = 0;
  std::int64_t balance_delta = 0;  // summed over the rows
  std::int64_t held_delta = 0;
  std::string item_id;       // of the first row
  bool mixed_items = false;  // rows on more than one item
  friend bool operator==(const PostingSide&, const PostingSide&) = default;
};

struct Auditor::TransferTally {
  std::optional<Transfer> stored;
  // The reservation with the transfer's id that held its funds, if any.
  std::optional<ReservationStatus> hold_status;
  std::vector<Line> hold_lines;
  PostingSide debits;
  PostingSide credits;
};

struct Auditor::UsageTally {
  std::optional<UserUsage> stored;
  std::int64_t held_lines = 0;
  std::int64_t bought_lines = 0;
};

struct Auditor::HoldExpectation {
  std::string item_id;
  std::int64_t qty = 0;
  std::int64_t expires_at_ms = 0;
};

// "item mug", "account ann", "seat gig/A-1".
std::string Subject(const std::string& item_id);
// The name of on_hand for that item: "balance" for accounts, else "onHand".
std::string OnHandName(const std::string& item_id);

}  // namespace allot::audit

#endif  // ALLOT_AUDIT_AUDIT_TALLIES_H_
