// Random sequences of commands against the pure rules; after every step the
// counters must agree with the records and the ledger, and the journal must
// tell the same story: each movement's counters-after are the running sums,
// and each record's latest change carries the record as it is.
#include <gtest/gtest.h>

#include <random>

#include "domain/holds.h"
#include "domain/rules.h"
#include "memory_state.h"

namespace allot {
namespace {

using testing::CountingIds;
using testing::ChangeRecorder;
using testing::MemoryState;

struct Totals {
  std::int64_t on_hand = 0, held = 0, sold = 0;
};

// The journal replayed: running counters per item, latest data per record.
void CheckJournal(const MemoryState& s) {
  std::map<std::string, Totals> running;
  std::map<std::string, ChangeData> latest;
  for (const Change& change : s.changes) {
    for (const Movement& m : change.movements) {
      Totals& t = running[m.item_id];
      t.on_hand += m.on_hand_delta;
      t.held += m.held_delta;
      t.sold += m.sold_delta;
      ASSERT_EQ(m.on_hand, t.on_hand) << "change " << change.seq << " " << m.item_id;
      ASSERT_EQ(m.held, t.held) << "change " << change.seq << " " << m.item_id;
      ASSERT_EQ(m.sold, t.sold) << "change " << change.seq << " " << m.item_id;
    }
    std::string key = std::string(ToString(change.type)).substr(0, 3) + RecordIdOf(change.data);
    latest.insert_or_assign(std::move(key), change.data);
  }
  for (const auto& [key, data] : latest) {
    if (const auto* r = std::get_if<Reservation>(&data)) {
      ASSERT_EQ(*r, s.reservations.at(r->id));
    } else if (const auto* o = std::get_if<Order>(&data)) {
      ASSERT_EQ(*o, s.orders.at(o->id));
    } else if (const auto* t = std::get_if<Transfer>(&data)) {
      ASSERT_EQ(*t, s.transfers.at(t->id));
    }
  }
  // Items change through movements of other records' changes too: their
  // counters are checked against the running sums above and below.
  for (const auto& [id, item] : s.items) {
    ASSERT_EQ(item.on_hand, running[id].on_hand) << id;
    ASSERT_EQ(item.held, running[id].held) << id;
    ASSERT_EQ(item.sold, running[id].sold) << id;
  }
}

void CheckInvariants(const MemoryState& s, std::int64_t now_ms) {
  CheckJournal(s);
  std::map<std::string, Totals> from_ledger;
  for (const LedgerEntry& e : s.ledger) {
    Totals& t = from_ledger[e.item_id];
    t.on_hand += e.on_hand_delta;
    t.held += e.held_delta;
    t.sold += e.sold_delta;
  }
  std::map<std::string, std::int64_t> held_by_reservations, sold_by_orders;
  for (const auto& [id, r] : s.reservations) {
    if (r.status != ReservationStatus::kHeld) continue;
    for (const Line& l : r.lines) held_by_reservations[l.item_id] += l.qty;
  }
  for (const auto& [id, o] : s.orders) {
    if (o.status != OrderStatus::kPlaced) continue;
    for (const Line& l : o.lines) sold_by_orders[l.item_id] += l.qty;
  }
  for (const auto& [id, item] : s.items) {
    SCOPED_TRACE(id);
    ASSERT_GE(item.held, 0);
    ASSERT_LE(item.held, item.on_hand);
    ASSERT_GE(item.sold, 0);
    ASSERT_EQ(item.on_hand, from_ledger[id].on_hand);
    ASSERT_EQ(item.held, from_ledger[id].held);
    ASSERT_EQ(item.sold, from_ledger[id].sold);
    ASSERT_EQ(item.held, held_by_reservations[id]);
    ASSERT_EQ(item.sold, sold_by_orders[id]);
    if (item.max_per_user) {
      for (const auto& [key, usage] : s.usage) {
        if (key.second == id) {
          ASSERT_LE(usage.held + usage.bought, *item.max_per_user);
        }
      }
    }
  }
}

TEST(DomainInvariantsTest, RandomCommandSequencesKeepCountersEqualToRecords) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    MemoryState state;
    CountingIds ids;
    std::int64_t now = 1'000'000;
    const std::vector<std::string> items{"a", "b", "c"};
    const std::vector<std::string> users{"u1", "u2", "u3", "u4"};
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    auto run = [&](CommandBody body) {
      ChangeRecorder recorder;
      domain::WorkingSet ws(state, recorder);
      domain::Context ctx{.now_ms = now, .ids = &ids};
      CommandResult r = domain::Decide(body, ws, ctx);
      state.Commit(ws.TakeWrites(), std::move(recorder.changes));
      return r;
    };
    run(CreateItem{.id = "a", .on_hand = 10});
    run(CreateItem{.id = "b", .on_hand = 5, .max_per_user = 3});
    run(CreateItem{.id = "c", .on_hand = 1});
    std::vector<std::string> reservation_ids, order_ids;
    for (int step = 0; step < 400; ++step) {
      now += rng() % 700;
      switch (rng() % 8) {
        case 0:
        case 1: {
          std::vector<Line> lines{{pick(items), 1 + static_cast<std::int64_t>(rng() % 3)}};
          if (rng() % 3 == 0) lines.push_back({pick(items), 1});
          auto r = run(Reserve{pick(users), lines, 1 + static_cast<std::int64_t>(rng() % 5)});
          if (r) reservation_ids.push_back(std::get<Reservation>(r->value).id);
          break;
        }
        case 2:
          if (!reservation_ids.empty()) run(ConfirmReservation{pick(reservation_ids)});
          break;
        case 3:
          if (!reservation_ids.empty()) run(CancelReservation{pick(reservation_ids)});
          break;
        case 4: {
          auto r = run(PlaceOrder{pick(users), {{pick(items), 1}}});
          if (r) order_ids.push_back(std::get<Order>(r->value).id);
          break;
        }
        case 5:
          if (!order_ids.empty()) run(CancelOrder{pick(order_ids)});
          break;
        case 6:
          run(AdjustItem{pick(items), (rng() % 2 ? 1 : -1) * (1 + static_cast<int>(rng() % 3)),
                         "count"});
          break;
        case 7:
          run(ExpireDue{5});
          break;
      }
      ASSERT_NO_FATAL_FAILURE(CheckInvariants(state, now));
    }
  }
}

TEST(DomainInvariantsTest, SumPerItemKeepsFirstAppearanceOrder) {
  auto summed = domain::SumPerItem({{"b", 1}, {"a", 2}, {"b", 3}});
  ASSERT_EQ(summed.size(), 2u);
  EXPECT_EQ(summed[0], (Line{"b", 4}));
  EXPECT_EQ(summed[1], (Line{"a", 2}));
}

}  // namespace
}  // namespace allot
