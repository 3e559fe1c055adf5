// The Auditor's checks of money: transfers against their postings and
// their holds, and the totals that transfers can never change.
#include "audit/audit.h"
#include "audit/audit_tallies.h"

namespace allot::audit {
namespace {

std::string N(std::int64_t value) { return std::to_string(value); }

std::string DescribeSide(std::string_view kind, const PostingSide& side) {
  if (side.rows == 0) return "no " + std::string(kind);
  std::string out = N(side.rows) + " " + std::string(kind) + (side.rows == 1 ? "" : "s") + " of " +
                    N(side.balance_delta) + " on " + Subject(side.item_id) +
                    (side.mixed_items ? " and others" : "");
  if (side.held_delta != 0) out += " (held " + N(side.held_delta) + ")";
  return out;
}

std::string DescribePostings(const PostingSide& debits, const PostingSide& credits) {
  return DescribeSide("debit", debits) + ", " + DescribeSide("credit", credits);
}

// The postings a transfer must have: a posted one moved its amount once
// (out of the held funds when it was held first); any other moved nothing.
std::pair<PostingSide, PostingSide> ExpectedPostings(const Transfer& t) {
  if (t.status != TransferStatus::kPosted) return {};
  const bool was_held = t.expires_at_ms.has_value();
  return {PostingSide{.rows = 1,
                      .balance_delta = -t.amount,
                      .held_delta = was_held ? -t.amount : 0,
                      .item_id = AccountItemId(t.from_id)},
          PostingSide{.rows = 1, .balance_delta = t.amount, .item_id = AccountItemId(t.to_id)}};
}

// The transfer status that goes with the status of its hold.
TransferStatus StatusOfHold(ReservationStatus hold) {
  switch (hold) {
    case ReservationStatus::kHeld:
      return TransferStatus::kHeld;
    case ReservationStatus::kConfirmed:
      return TransferStatus::kPosted;
    case ReservationStatus::kCancelled:
      return TransferStatus::kCancelled;
    case ReservationStatus::kExpired:
      return TransferStatus::kExpired;
  }
  return TransferStatus::kHeld;
}

std::string DescribeLines(const std::vector<Line>& lines) {
  std::string out;
  for (const Line& line : lines) {
    out += (out.empty() ? "" : ", ") + N(line.qty) + " of " + Subject(line.item_id);
  }
  return out.empty() ? "no lines" : out;
}

}  // namespace

void Auditor::ApplyTransfers() {
  for (const auto& [id, tally] : transfers_) {
    if (!tally.stored || tally.stored->status != TransferStatus::kPosted) continue;
    const Transfer& t = *tally.stored;
    Tally(AccountItemId(t.from_id)).transferred -= t.amount;
    Tally(AccountItemId(t.to_id)).transferred += t.amount;
  }
}

void Auditor::CheckTransfers() {
  for (const auto& [id, tally] : transfers_) {
    const std::string what = "transfer " + id;
    if (!tally.stored) {
      Report(what, "none",
             tally.hold_status ? "named by a hold reservation" : "named by the transfer ledger");
      continue;
    }
    const Transfer& t = *tally.stored;
    const auto [debits, credits] = ExpectedPostings(t);
    if (tally.debits != debits || tally.credits != credits) {
      Report(what + " postings", DescribePostings(tally.debits, tally.credits),
             DescribePostings(debits, credits));
    }
    if (!t.expires_at_ms) {
      // Made without a hold: posted at once, and no reservation holds it.
      if (t.status != TransferStatus::kPosted) {
        Report(what + " status", std::string(ToString(t.status)), "posted (made without a hold)");
      }
      if (tally.hold_status) {
        Report(what + " hold", std::string(ToString(*tally.hold_status)),
               "none (made without a hold)");
      }
      continue;
    }
    if (!tally.hold_status) {
      Report(what + " hold", "none",
             "a reservation of " + N(t.amount) + " of " + Subject(AccountItemId(t.from_id)));
      continue;
    }
    const TransferStatus from_hold = StatusOfHold(*tally.hold_status);
    if (t.status != from_hold) {
      Report(what + " status", std::string(ToString(t.status)),
             std::string(ToString(from_hold)) + " (its hold is " +
                 std::string(ToString(*tally.hold_status)) + ")");
    }
    const std::vector<Line> hold_lines{Line{AccountItemId(t.from_id), t.amount}};
    if (tally.hold_lines != hold_lines) {
      Report(what + " hold lines", DescribeLines(tally.hold_lines), DescribeLines(hold_lines));
    }
  }
}

// Transfers move money between accounts and never create or destroy it.
void Auditor::CheckMoneyTotals() {
  std::int64_t balances = 0;
  std::int64_t opening = 0;
  for (const auto& [id, tally] : items_) {
    if (!tally.stored || !AccountOfItem(id)) continue;
    balances += tally.stored->on_hand;
    opening += tally.stored->created_on_hand;
  }
  if (balances != opening) {
    Report("accounts total balance", N(balances), N(opening) + " (the opening balances)");
  }
  if (transfer_ledger_sum_ != 0) Report("transfer ledger total", N(transfer_ledger_sum_), "0");
}

}  // namespace allot::audit
