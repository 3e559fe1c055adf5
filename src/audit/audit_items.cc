// The Auditor's checks of items (accounts and seats included), events, the
// live-holds table and per-user usage.
#include <iterator>

#include "audit/audit.h"
#include "audit/audit_tallies.h"
#include "core/time_format.h"

namespace allot::audit {
namespace {

std::string N(std::int64_t value) { return std::to_string(value); }

// "3", or "3 from the records, 4 from the ledger" when the two disagree.
std::string Recomputed(std::int64_t from_records, std::int64_t from_ledger) {
  if (from_records == from_ledger) return N(from_records);
  return N(from_records) + " from the records, " + N(from_ledger) + " from the ledger";
}

std::string Joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

std::string DescribeHold(const std::string& item_id, std::int64_t qty, std::int64_t expires_at_ms) {
  return N(qty) + " of " + Subject(item_id) + " until " + FormatTimestamp(expires_at_ms);
}

}  // namespace

void Auditor::CheckItems() {
  for (const auto& [id, tally] : items_) {
    CheckItem(tally);
    if (tally.stored && SeatOfItem(id)) CheckSeat(tally);
  }
}

void Auditor::CheckItem(const ItemTally& tally) {
  const std::string subject = Subject(tally.id);
  if (!tally.stored) {
    Report(subject, "none", "named by the ledger or a transfer");
    return;
  }
  const Item& item = *tally.stored;
  const std::string on_hand = OnHandName(item.id);
  const std::pair<std::string, std::int64_t> counters[] = {
      {on_hand, item.on_hand}, {"held", item.held}, {"sold", item.sold}};
  for (const auto& [name, value] : counters) {
    if (value < 0) Report(subject + " " + name, N(value), "at least 0");
  }
  if (item.available() < 0) Report(subject + " available", N(item.available()), "at least 0");

  auto counter = [&](const std::string& name, std::int64_t stored, std::int64_t from_records,
                     std::int64_t from_ledger) {
    if (stored == from_records && stored == from_ledger) return;
    Report(subject + " " + name, N(stored), Recomputed(from_records, from_ledger));
  };
  counter(on_hand, item.on_hand,
          item.created_on_hand + tally.adjusted - tally.sold_lines + tally.transferred,
          tally.ledger_on_hand);
  counter("held", item.held, tally.held_lines, tally.ledger_held);
  counter("sold", item.sold, tally.sold_lines, tally.ledger_sold);
  if (tally.create_rows != 1 || tally.created_delta != item.created_on_hand) {
    Report(subject + " created " + on_hand, N(item.created_on_hand),
           tally.create_rows == 1 ? N(tally.created_delta) + " from the ledger"
                                  : N(tally.create_rows) + " create rows in the ledger, adding " +
                                        N(tally.created_delta));
  }
}

// A seat is one unit: held by at most one reservation or sold by one order,
// and its status follows from which.
void Auditor::CheckSeat(const ItemTally& tally) {
  const std::string subject = Subject(tally.id);
  const Item& item = *tally.stored;
  ++seat_items_per_event_[SeatOfItem(item.id)->event_id];
  if (item.created_on_hand != 1) {
    Report(subject + " created onHand", N(item.created_on_hand), "1 (a seat is one unit)");
  }
  std::vector<std::string> takers = tally.holders;
  takers.insert(takers.end(), tally.buyers.begin(), tally.buyers.end());
  if (takers.size() > 1) {
    Report(subject + " taken by", Joined(takers), "at most one reservation or order");
  }
  const SeatStatus recomputed = !tally.buyers.empty()    ? SeatStatus::kSold
                                : !tally.holders.empty() ? SeatStatus::kHeld
                                                         : SeatStatus::kAvailable;
  const SeatStatus stored = SeatStatusOf(item);
  if (stored != recomputed) {
    Report(subject + " status", std::string(ToString(stored)), std::string(ToString(recomputed)));
  }
}

void Auditor::CheckEvents() {
  for (const auto& [event_id, seat_count] : event_seat_counts_) {
    auto found = seat_items_per_event_.find(event_id);
    const std::int64_t seats = found == seat_items_per_event_.end() ? 0 : found->second;
    if (seats != seat_count) Report("event " + event_id + " seats", N(seat_count), N(seats));
  }
  for (const auto& [event_id, seats] : seat_items_per_event_) {
    if (!event_seat_counts_.contains(event_id)) {
      Report("event " + event_id, "none", N(seats) + " seat items");
    }
  }
}

// A merge of two maps ordered by (reservation id, line number).
void Auditor::CheckHolds() {
  auto expected = expected_holds_.begin();
  auto stored = stored_holds_.begin();
  while (expected != expected_holds_.end() || stored != stored_holds_.end()) {
    const bool take_expected =
        stored == stored_holds_.end() ||
        (expected != expected_holds_.end() && expected->first <= stored->first);
    const bool take_stored = expected == expected_holds_.end() ||
                             (stored != stored_holds_.end() && stored->first <= expected->first);
    const auto& key = take_expected ? expected->first : stored->first;
    const std::string what = "hold " + key.first + " line " + N(key.second);
    const std::string want = take_expected
                                 ? DescribeHold(expected->second.item_id, expected->second.qty,
                                                expected->second.expires_at_ms)
                                 : "none (no held reservation has this line)";
    const std::string have = take_stored ? DescribeHold(stored->second.item_id, stored->second.qty,
                                                        stored->second.expires_at_ms)
                                         : "none";
    if (want != have) Report(what, have, want);
    if (take_expected) ++expected;
    if (take_stored) ++stored;
  }
}

void Auditor::CheckUsage() {
  for (const auto& [key, tally] : usage_) {
    const auto& [user_id, item_id] = key;
    const std::string what = "usage of " + Subject(item_id) + " by " + user_id;
    if (!tally.stored) {
      if (tally.held_lines != 0 || tally.bought_lines != 0) {
        Report(what, "none", "held " + N(tally.held_lines) + ", bought " + N(tally.bought_lines));
      }
      continue;
    }
    if (tally.stored->held != tally.held_lines) {
      Report(what + " held", N(tally.stored->held), N(tally.held_lines));
    }
    if (tally.stored->bought != tally.bought_lines) {
      Report(what + " bought", N(tally.stored->bought), N(tally.bought_lines));
    }
  }
}

}  // namespace allot::audit
