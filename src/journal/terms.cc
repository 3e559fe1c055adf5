#include "journal/terms.h"

#include <algorithm>

namespace allot::journal {
namespace {

// FNV-1a over the bytes, then splitmix64's finalizer so that terms that
// differ in one byte spread over the whole range. Written out here (not
// std::hash) because the value is stored and must never change.
constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

std::uint64_t Mix(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

std::uint64_t Finalize(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Appends `term` unless one of the last few is the same: the terms every
// change of a hot item repeats (its history, the item's and everyone's
// reservation terms) then cost a block one entry each before the block's
// sort, not one per change.
void Push(std::vector<std::uint64_t>& out, std::uint64_t term) {
  constexpr std::size_t kLookBack = 8;
  const std::size_t from = out.size() > kLookBack ? out.size() - kLookBack : 0;
  for (std::size_t i = from; i < out.size(); ++i) {
    if (out[i] == term) return;
  }
  out.push_back(term);
}

// A record term twice: everyone's, and the owner's own.
void Both(TermKind kind, std::string_view owner, std::string_view key,
          std::vector<std::uint64_t>& out) {
  Push(out, Term(kind, {}, key));
  if (!owner.empty()) Push(out, Term(kind, owner, key));
}

void History(std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  for (const Movement& m : movements) Push(out, HistoryTerm(m.item_id));
}

// Client items only: a seat line is found through its event, not here.
bool IsClientItem(std::string_view item_id) {
  return !AccountOfItem(item_id) && !SeatOfItem(item_id);
}

}  // namespace

std::uint64_t Term(TermKind kind, std::string_view owner, std::string_view key) {
  std::uint64_t h = kFnvOffset;
  h = (h ^ static_cast<std::uint8_t>(kind)) * kFnvPrime;
  h = Mix(h, owner);
  h = (h ^ 0) * kFnvPrime;  // ids never hold a NUL: owner and key stay apart
  h = Mix(h, key);
  return Finalize(h);
}

void AppendTerms(ChangeType, std::string_view, const Item&, std::span<const Movement> movements,
                 std::vector<std::uint64_t>& out) {
  History(movements, out);
}

void AppendTerms(ChangeType type, std::string_view owner, const Reservation& r,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  History(movements, out);
  if (type != ChangeType::kReservationCreated) return;
  Both(TermKind::kReservations, owner, {}, out);
  Both(TermKind::kReservationsOfUser, owner, r.user_id, out);
  for (const Line& line : r.lines) {
    if (IsClientItem(line.item_id)) Both(TermKind::kReservationsOfItem, owner, line.item_id, out);
  }
}

void AppendTerms(ChangeType type, std::string_view owner, const Order& order,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  History(movements, out);
  if (type != ChangeType::kOrderPlaced) return;
  Both(TermKind::kOrders, owner, {}, out);
  Both(TermKind::kOrdersOfUser, owner, order.user_id, out);
}

void AppendTerms(ChangeType type, std::string_view owner, const Transfer& t,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  History(movements, out);
  if (type != ChangeType::kTransferPosted && type != ChangeType::kTransferHeld) return;
  Both(TermKind::kTransfers, owner, {}, out);
  Both(TermKind::kTransfersOfAccount, owner, t.from_id, out);
  Both(TermKind::kTransfersOfAccount, owner, t.to_id, out);
}

void AppendTerms(ChangeType, std::string_view, const EventCounts&,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  History(movements, out);
}

void AppendTerms(ChangeType, std::string_view, const WaitlistEntry&,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  History(movements, out);
}

void AppendTerms(ChangeType, std::string_view, const Draw&, std::span<const Movement> movements,
                 std::vector<std::uint64_t>& out) {
  History(movements, out);
}

void AppendTerms(ChangeType, std::string_view, const DrawEntry&,
                 std::span<const Movement> movements, std::vector<std::uint64_t>& out) {
  History(movements, out);
}

void AppendTerms(const Change& change, std::vector<std::uint64_t>& out) {
  std::visit(
      [&](const auto& data) { AppendTerms(change.type, change.owner, data, change.movements, out); },
      change.data);
}

void NormalizeTerms(std::vector<std::uint64_t>& terms) {
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
}

}  // namespace allot::journal
