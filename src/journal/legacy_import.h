// The journal of a database written before the journal existed (schema
// version 2): its history rebuilt from the ledgers and the records, so that
// after the upgrade the journal holds every movement since the first item,
// exactly as if the journal had always been kept. Used once, by the
// migration that adds the journal, on both stores.
//
// Each group of ledger rows that one command wrote becomes one change:
// reserve rows a reservation.created (or transfer.held), confirm rows a
// reservation.confirmed followed by the order.placed it made, a debit and
// its credit a transfer.posted (or transfer.confirmed), the create rows of
// an event's seats one event.created, and so on. The movements are the
// ledger rows themselves, with the counters after each recomputed by
// replaying them in order; the record in each change is the stored record
// as it was at that point (e.g. `held`, without confirmedAt, in its
// reservation.created). Changes are ordered by time, then by ledger order.
//
// Pure: records in, changes out.
#ifndef ALLOT_JOURNAL_LEGACY_IMPORT_H_
#define ALLOT_JOURNAL_LEGACY_IMPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "allot/model.h"

namespace allot::journal {

// A row of the item ledger (transfer_id unset) or of the transfer ledger
// (kind debit or credit, on_hand_delta = the balance delta); `seq` is its
// order within its own ledger.
struct LegacyLedgerRow {
  std::int64_t seq = 0;
  LedgerEntry entry;
};

struct LegacyRecords {
  std::vector<Item> items;  // accounts and seats included
  std::vector<Reservation> reservations;  // with their lines; transfer holds included
  std::vector<Order> orders;
  std::vector<Transfer> transfers;
  std::vector<Event> events;
  std::vector<LegacyLedgerRow> item_ledger;
  std::vector<LegacyLedgerRow> transfer_ledger;
};

struct LegacyHistory {
  std::vector<Change> changes;  // seq 1, 2, ...
  // Items whose stored counters differ from what their ledger rows add up
  // to (drift the old release left): the import keeps the ledger's story;
  // `allot audit` reports the difference.
  std::vector<std::string> drifted_items;
};

// Fails when a ledger row names a record or item that is not there, or a
// group of rows cannot be one command's (kUnavailable, naming the row).
Expected<LegacyHistory> ImportLegacy(const LegacyRecords& records);

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_LEGACY_IMPORT_H_
