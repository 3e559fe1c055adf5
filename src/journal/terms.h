// The terms a change is found by: what the queries of "Queries and history"
// (docs/api.md) ask for, as 64-bit hashes. A store indexes each journal
// block under the terms of its changes (each term once per block, see
// JournalBlock::terms), and a query reads only the blocks of its term,
// then checks every change it decodes against what it asked: a hash that
// collides costs a block read, never a wrong answer.
//
//   history(item)                 every change with a movement of the item
//                                 (accounts and seats are items)
//   reservations(owner)           reservation.created
//   reservations_of_user(owner, user), reservations_of_item(owner, item)
//   orders(owner), orders_of_user(owner, user)            order.placed
//   transfers(owner), transfers_of_account(owner, acct)   transfer.posted,
//                                                         transfer.held
//
// Record terms come twice: with owner "" (everyone's, for admins and the
// open service) and, when the record has an owner, with it (a client's
// own, so a client's list reads only its own records). The hash is
// stable across builds and machines: indexes keep it on disk.
#ifndef ALLOT_JOURNAL_TERMS_H_
#define ALLOT_JOURNAL_TERMS_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "allot/journal.h"
#include "allot/model.h"

namespace allot::journal {

// Stored in hashes: never renumber.
enum class TermKind : std::uint8_t {
  kHistory = 1,
  kReservations = 2,
  kReservationsOfUser = 3,
  kReservationsOfItem = 4,
  kOrders = 5,
  kOrdersOfUser = 6,
  kTransfers = 7,
  kTransfersOfAccount = 8,
};

std::uint64_t Term(TermKind kind, std::string_view owner, std::string_view key = {});
inline std::uint64_t HistoryTerm(std::string_view item_id) {
  return Term(TermKind::kHistory, {}, item_id);
}

// Appends the terms of one change to `out` (repeats allowed: the caller
// dedupes per block).
void AppendTerms(ChangeType type, std::string_view owner, const Item& item,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
void AppendTerms(ChangeType type, std::string_view owner, const Reservation& r,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
void AppendTerms(ChangeType type, std::string_view owner, const Order& order,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
void AppendTerms(ChangeType type, std::string_view owner, const Transfer& t,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
void AppendTerms(ChangeType type, std::string_view owner, const EventCounts& event,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
// Waiting-list entries are rows, read by id and by item: no terms.
void AppendTerms(ChangeType type, std::string_view owner, const WaitlistEntry& entry,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
// Draws and their entries are rows: no terms.
void AppendTerms(ChangeType type, std::string_view owner, const Draw& draw,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
void AppendTerms(ChangeType type, std::string_view owner, const DrawEntry& entry,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out);
// The same from a decoded change (rebuilding an index from the journal).
void AppendTerms(const Change& change, std::vector<std::uint64_t>& out);

// Sorts and dedupes a block's terms.
void NormalizeTerms(std::vector<std::uint64_t>& terms);

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_TERMS_H_
