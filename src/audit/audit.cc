// Feeding the Auditor: each record adds to the tallies of what it names.
// The comparisons are in audit_items.cc and audit_money.cc.
#include "audit/audit.h"

#include <utility>

#include "audit/audit_tallies.h"

namespace allot::audit {
namespace {

std::string Plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string Subject(const std::string& item_id) {
  if (auto account = AccountOfItem(item_id)) return "account " + *account;
  if (auto seat = SeatOfItem(item_id)) return "seat " + seat->event_id + "/" + seat->seat;
  return "item " + item_id;
}

std::string OnHandName(const std::string& item_id) {
  return AccountOfItem(item_id) ? "balance" : "onHand";
}

std::string FormatDrift(const Drift& drift) {
  return "drift: " + drift.what + ": stored " + drift.stored + ", recomputed " + drift.recomputed;
}

std::string FormatCounts(const AuditCounts& c) {
  return Plural(c.items, "item", "items") + ", " + Plural(c.accounts, "account", "accounts") +
         ", " + Plural(c.events, "event", "events") + " (" + Plural(c.seats, "seat", "seats") +
         "), " + Plural(c.reservations, "reservation", "reservations") + ", " +
         Plural(c.orders, "order", "orders") + ", " + Plural(c.transfers, "transfer", "transfers") +
         ", " + Plural(c.changes, "change", "changes");
}

Auditor::Auditor() = default;
Auditor::~Auditor() = default;

Auditor::ItemTally& Auditor::Tally(const std::string& item_id) {
  ItemTally& tally = items_[item_id];
  tally.id = item_id;
  return tally;
}

Auditor::ItemTally* Auditor::LineItem(const std::string& record, std::size_t line_no,
                                      const std::string& item_id) {
  auto found = items_.find(item_id);
  if (found != items_.end() && found->second.stored) return &found->second;
  Report(record + " line " + std::to_string(line_no), Subject(item_id), "no such item");
  return nullptr;
}

Auditor::UsageTally* Auditor::CappedUsage(const ItemTally& item, const std::string& user_id) {
  if (!item.stored || !item.stored->max_per_user) return nullptr;
  return &usage_[{user_id, item.id}];
}

void Auditor::Report(std::string what, std::string stored, std::string recomputed) {
  drifts_.push_back(Drift{std::move(what), std::move(stored), std::move(recomputed)});
}

void Auditor::AddItem(const Item& item) {
  if (AccountOfItem(item.id)) {
    ++checked_.accounts;
  } else if (SeatOfItem(item.id)) {
    ++checked_.seats;
  } else {
    ++checked_.items;
  }
  Tally(item.id).stored = item;
}

void Auditor::AddEvent(const Event& event) {
  ++checked_.events;
  event_seat_counts_[event.id] = event.seat_count;
}

void Auditor::AddReservation(const Reservation& r) {
  const bool transfer_hold = IsTransferId(r.id);
  if (transfer_hold) {
    TransferTally& transfer = transfers_[r.id];
    transfer.hold_status = r.status;
    transfer.hold_lines = r.lines;
  } else {
    ++checked_.reservations;
    ++reservations_by_status_[std::string(ToString(r.status))];
  }
  if (r.status != ReservationStatus::kHeld) return;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const Line& line = r.lines[i];
    ItemTally* item = LineItem("reservation " + r.id, i, line.item_id);
    if (item == nullptr) continue;
    item->held_lines += line.qty;
    if (r.expires_at_ms <= at_ms_) item->held_due += line.qty;
    if (SeatOfItem(item->id)) item->holders.push_back(r.id);
    if (UsageTally* usage = CappedUsage(*item, r.user_id)) usage->held_lines += line.qty;
    expected_holds_[{r.id, static_cast<std::int64_t>(i)}] =
        HoldExpectation{line.item_id, line.qty, r.expires_at_ms};
  }
}

void Auditor::AddHold(const HoldRow& hold) {
  stored_holds_[{hold.reservation_id, hold.line_no}] = hold;
}

void Auditor::AddOrder(const Order& o) {
  ++checked_.orders;
  ++orders_by_status_[std::string(ToString(o.status))];
  if (o.status != OrderStatus::kPlaced) return;
  for (std::size_t i = 0; i < o.lines.size(); ++i) {
    const Line& line = o.lines[i];
    ItemTally* item = LineItem("order " + o.id, i, line.item_id);
    if (item == nullptr) continue;
    item->sold_lines += line.qty;
    if (SeatOfItem(item->id)) item->buyers.push_back(o.id);
    if (UsageTally* usage = CappedUsage(*item, o.user_id)) usage->bought_lines += line.qty;
  }
}

void Auditor::AddUsage(const UserUsage& usage) {
  usage_[{usage.user_id, usage.item_id}].stored = usage;
}

void Auditor::AddTransfer(const Transfer& transfer) {
  ++checked_.transfers;
  ++transfers_by_status_[std::string(ToString(transfer.status))];
  transfers_[transfer.id].stored = transfer;
}

void Auditor::AddJournalBlock(std::int64_t first_seq, std::int64_t count) {
  if (first_seq != journal_head_ + 1) {
    Report("journal block at seq " + std::to_string(first_seq), "seq " + std::to_string(first_seq),
           "seq " + std::to_string(journal_head_ + 1) + " (no gap)");
  }
  journal_head_ = first_seq + count - 1;
}

void Auditor::AddChange(const Change& change) {
  ++checked_.changes;
  std::optional<std::string> transfer_id;
  if (const auto* transfer = std::get_if<Transfer>(&change.data)) transfer_id = transfer->id;
  for (const Movement& movement : change.movements) AddMovement(movement, transfer_id, change.seq);
}

void Auditor::AddMovement(const Movement& m, const std::optional<std::string>& transfer_id,
                          std::int64_t seq) {
  const LedgerEntry e{.item_id = m.item_id,
                      .kind = m.kind,
                      .on_hand_delta = m.on_hand_delta,
                      .held_delta = m.held_delta,
                      .sold_delta = m.sold_delta,
                      .transfer_id = transfer_id};
  ItemTally& item = Tally(e.item_id);
  item.ledger_on_hand += e.on_hand_delta;
  item.ledger_held += e.held_delta;
  item.ledger_sold += e.sold_delta;
  switch (e.kind) {
    case LedgerKind::kCreate:
      ++item.create_rows;
      item.created_delta += e.on_hand_delta;
      break;
    case LedgerKind::kAdjust:
      item.adjusted += e.on_hand_delta;
      break;
    case LedgerKind::kDebit:
    case LedgerKind::kCredit: {
      transfer_ledger_sum_ += e.on_hand_delta;
      TransferTally& transfer = transfers_[e.transfer_id.value_or("")];
      PostingSide& side = e.kind == LedgerKind::kDebit ? transfer.debits : transfer.credits;
      if (side.rows == 0) {
        side.item_id = e.item_id;
      } else if (side.item_id != e.item_id) {
        side.mixed_items = true;
      }
      ++side.rows;
      side.balance_delta += e.on_hand_delta;
      side.held_delta += e.held_delta;
      break;
    }
    default:
      break;
  }
  // The first movement whose counters-after disagree is reported; later
  // ones on the item would only repeat it.
  if (item.after_reported) return;
  const std::pair<std::string, std::pair<std::int64_t, std::int64_t>> afters[] = {
      {OnHandName(item.id), {m.on_hand, item.ledger_on_hand}},
      {"held", {m.held, item.ledger_held}},
      {"sold", {m.sold, item.ledger_sold}}};
  for (const auto& [name, values] : afters) {
    if (values.first != values.second) {
      Report("journal change " + std::to_string(seq) + " " + Subject(item.id) + " " + name +
                 " after",
             std::to_string(values.first), std::to_string(values.second));
      item.after_reported = true;
    }
  }
}

AuditReport Auditor::Finish() {
  // Transfers first: what posted transfers moved is part of each account's
  // recomputed balance.
  ApplyTransfers();
  CheckItems();
  CheckEvents();
  if (hold_rows_) CheckHolds();
  CheckUsage();
  CheckTransfers();
  CheckMoneyTotals();
  AuditReport report{checked_, std::move(drifts_)};
  report.at_ms = at_ms_;
  report.reservations_by_status = std::move(reservations_by_status_);
  report.orders_by_status = std::move(orders_by_status_);
  report.transfers_by_status = std::move(transfers_by_status_);
  for (const auto& [id, tally] : items_) {
    if (!tally.stored) continue;
    report.items.push_back(AuditedItem{id, tally.stored->on_hand, tally.stored->held,
                                       tally.stored->sold, tally.held_due});
  }
  return report;
}

}  // namespace allot::audit
