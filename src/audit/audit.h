// The audit: recomputes every stored counter from the records behind it and
// reports where they disagree ("drift"). Pure: records go in, a report comes
// out; reading them from a database is audit_source.h's job.
//
// What is checked (see docs/architecture.md, "Counters and the ledger"):
//   - every item (client items, accounts `$id`, seats `#event/seat`):
//       held    = the lines of reservations whose status is `held` (a hold
//                 past its expiry that no sweep has ended yet still counts:
//                 the stored column keeps it until the sweep), and the sum
//                 of its ledger rows' held deltas;
//       sold    = the lines of `placed` orders (a cancelled order gave its
//                 units back), and the ledger's sold deltas;
//       on_hand = created_on_hand + adjustments - sold + money moved by
//                 posted transfers, and the ledger's on-hand deltas;
//       exactly one `create` movement, for created_on_hand;
//     where "the ledger" is the movements of the journal's changes;
//   - the journal: seqs 1, 2, 3, ... without a gap, and the counters each
//     movement records as "after" are what the movements up to it add up to;
//       no counter negative, held <= on_hand (available >= 0).
//   - the live-holds table has one row per line of each held reservation
//     (same item, quantity and expiry) and nothing else.
//   - per-user usage of capped items: held and bought as their lines say.
//   - transfers: a posted one has one debit of its amount on the source and
//     one credit on the destination, any other none; a held transfer's hold
//     (the reservation with its id) agrees with its status; the accounts'
//     balances sum to their opening balances and the debits and credits to 0.
//   - seats: held or sold by at most one reservation or order; the seat's
//     status (available / held / sold) is what its records say; each event
//     has as many seat items as seats.
//
// Feed every item (AddItem) before the reservations and orders, so a line on
// an item that does not exist can be told at once; other records may come
// in any order. Memory grows with items, transfers, live holds and usage
// rows, not with the ledger or the history of reservations and orders.
#ifndef ALLOT_AUDIT_AUDIT_H_
#define ALLOT_AUDIT_AUDIT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "allot/journal.h"
#include "allot/model.h"

namespace allot::audit {

// A row of the live-holds table.
struct HoldRow {
  std::string reservation_id;
  std::int64_t line_no = 0;
  std::string item_id;
  std::int64_t qty = 0;
  std::int64_t expires_at_ms = 0;
};

// One disagreement: what (e.g. "item mug held"), the value stored, and the
// value the records give.
struct Drift {
  std::string what;
  std::string stored;
  std::string recomputed;
  friend bool operator==(const Drift&, const Drift&) = default;
};

// How many records of each kind the audit looked at.
struct AuditCounts {
  std::int64_t items = 0;     // client items
  std::int64_t accounts = 0;  // account items
  std::int64_t events = 0;
  std::int64_t seats = 0;         // seat items
  std::int64_t reservations = 0;  // client reservations (not transfer holds)
  std::int64_t orders = 0;
  std::int64_t transfers = 0;
  std::int64_t changes = 0;  // in the journal
};

// An item's stored counters, and how much of `held` is in holds already
// past expiry at the audit's instant (a sweep will end them).
struct AuditedItem {
  std::string id;
  std::int64_t on_hand = 0;
  std::int64_t held = 0;
  std::int64_t sold = 0;
  std::int64_t held_due = 0;
};

struct AuditReport {
  AuditCounts checked;
  std::vector<Drift> drifts;  // ordered by what they are about
  std::int64_t at_ms = 0;     // the audit's instant
  // Records by status ("held", "confirmed", ...), as their latest change says.
  std::map<std::string, std::int64_t> reservations_by_status;
  std::map<std::string, std::int64_t> orders_by_status;
  std::map<std::string, std::int64_t> transfers_by_status;
  std::vector<AuditedItem> items;  // by id
  bool clean() const { return drifts.empty(); }
};

class Auditor {
 public:
  Auditor();
  ~Auditor();
  Auditor(const Auditor&) = delete;
  Auditor& operator=(const Auditor&) = delete;

  // The instant held_due is counted at (see AuditedItem).
  void SetInstant(std::int64_t at_ms) { at_ms_ = at_ms; }
  // The store keeps a table of live holds: compare it (AddHold) with the
  // held reservations.
  void ExpectHoldRows() { hold_rows_ = true; }
  // A drift found outside the Auditor (a record table that disagrees with
  // the journal, a head that points at the wrong block).
  void AddDrift(Drift drift) { drifts_.push_back(std::move(drift)); }

  void AddItem(const Item& item);
  void AddEvent(const Event& event);
  // lines[i] is the stored line number i.
  void AddReservation(const Reservation& reservation);
  void AddHold(const HoldRow& hold);
  void AddOrder(const Order& order);
  void AddUsage(const UserUsage& usage);
  void AddTransfer(const Transfer& transfer);
  // The journal's blocks in seq order (first seq, number of changes): the
  // seqs must run 1, 2, 3, ... without a gap.
  void AddJournalBlock(std::int64_t first_seq, std::int64_t count);
  // A change of the journal, in seq order: its movements are the ledger,
  // and the counters each one records as "after" must be what the
  // movements up to it add up to.
  void AddChange(const Change& change);

  // Compares everything fed; the Auditor is spent afterwards.
  AuditReport Finish();

 private:
  struct ItemTally;
  struct TransferTally;
  struct UsageTally;
  struct HoldExpectation;

  ItemTally& Tally(const std::string& item_id);
  // The tally of an item a line names, or nullptr (and a drift) if the item
  // was not fed.
  ItemTally* LineItem(const std::string& record, std::size_t line_no, const std::string& item_id);
  UsageTally* CappedUsage(const ItemTally& item, const std::string& user_id);
  void ApplyTransfers();
  void CheckItems();
  void CheckItem(const ItemTally& tally);
  void CheckSeat(const ItemTally& tally);
  void CheckEvents();
  void CheckHolds();
  void CheckUsage();
  void CheckTransfers();
  void CheckMoneyTotals();
  void AddMovement(const Movement& movement, const std::optional<std::string>& transfer_id,
                   std::int64_t seq);
  void Report(std::string what, std::string stored, std::string recomputed);

  std::map<std::string, ItemTally> items_;
  std::map<std::string, TransferTally> transfers_;
  std::map<std::pair<std::string, std::string>, UsageTally> usage_;
  // Keyed by (reservation id, line number).
  std::map<std::pair<std::string, std::int64_t>, HoldExpectation> expected_holds_;
  std::map<std::pair<std::string, std::int64_t>, HoldRow> stored_holds_;
  std::map<std::string, std::int64_t> event_seat_counts_;  // stored seat_count
  std::map<std::string, std::int64_t> seat_items_per_event_;
  std::int64_t transfer_ledger_sum_ = 0;
  std::int64_t journal_head_ = 0;  // last seq of the blocks fed so far
  std::int64_t at_ms_ = 0;
  bool hold_rows_ = false;
  std::map<std::string, std::int64_t> reservations_by_status_;
  std::map<std::string, std::int64_t> orders_by_status_;
  std::map<std::string, std::int64_t> transfers_by_status_;
  AuditCounts checked_;
  std::vector<Drift> drifts_;
};

// "drift: <what>: stored <stored>, recomputed <recomputed>"
std::string FormatDrift(const Drift& drift);
// "3 items, 2 accounts, 1 event (2 seats), 4 reservations, 3 orders,
// 2 transfers, 21 changes"
std::string FormatCounts(const AuditCounts& counts);

}  // namespace allot::audit

#endif  // ALLOT_AUDIT_AUDIT_H_
