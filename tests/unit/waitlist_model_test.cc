// A randomized test of waiting lists against a simple reference model.
// Batches of random commands (joins, leaves, reservations, orders,
// confirms, cancels, restocks, and expiries as time moves) are decided
// together, as the engine batches concurrent requests, and after every
// command the rules' state must equal the model's:
//   - offers follow strict queue order (the model serves head-first only);
//   - no unit reaches the public while anyone waits (a public reserve or
//     order succeeds only when the model's list is empty);
//   - nothing is oversold (0 <= held <= onHand, held = the live holds);
//   - every offered unit is accounted for (each offer is a reservation of
//     the entry's qty for its user, in the state its entry says).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "rules_fixture.h"

namespace allot::testing {
namespace {

struct ModelHold {
  std::string user;
  std::int64_t qty = 0;
  std::int64_t expires_at_ms = 0;
  ReservationStatus status = ReservationStatus::kHeld;
  std::string entry;  // the entry it was offered to, if any
};

struct ModelEntry {
  std::string id;
  std::string user;
  std::int64_t qty = 0;
  std::int64_t ttl_seconds = 0;
  WaitlistStatus status = WaitlistStatus::kWaiting;
  std::string offer;
};

// The rules as plainly as they can be said: one item, entries in join
// order, the head served while it fits.
class Model {
 public:
  std::int64_t on_hand = 0;
  std::int64_t held = 0;
  std::map<std::string, ModelHold> holds;
  std::vector<ModelEntry> entries;  // join order
  // Offers made since the last call, to be given the rules' ids.
  std::vector<std::size_t> new_offers;

  bool AnyoneWaits() const {
    for (const ModelEntry& e : entries) {
      if (e.status == WaitlistStatus::kWaiting) return true;
    }
    return false;
  }
  void Serve() {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      ModelEntry& e = entries[i];
      if (e.status != WaitlistStatus::kWaiting) continue;
      if (e.qty > on_hand - held) return;  // strict order: nobody overtakes it
      e.status = WaitlistStatus::kOffered;
      held += e.qty;
      new_offers.push_back(i);
    }
  }
  void End(const std::string& id, ReservationStatus end) {
    ModelHold& h = holds.at(id);
    h.status = end;
    held -= h.qty;
    if (!h.entry.empty()) {
      ModelEntry& e = EntryById(h.entry);
      if (e.status == WaitlistStatus::kOffered) e.status = WaitlistStatus::kLapsed;
    }
  }
  void ExpireDue(std::int64_t now_ms) {
    for (auto& [id, h] : holds) {
      if (h.status == ReservationStatus::kHeld && h.expires_at_ms <= now_ms) {
        End(id, ReservationStatus::kExpired);
      }
    }
    Serve();
  }
  ModelEntry& EntryById(const std::string& id) {
    for (ModelEntry& e : entries) {
      if (e.id == id) return e;
    }
    throw std::runtime_error("no entry " + id);
  }
  bool Active(const std::string& user) const {
    for (const ModelEntry& e : entries) {
      if (e.user == user &&
          (e.status == WaitlistStatus::kWaiting || e.status == WaitlistStatus::kOffered)) {
        return true;
      }
    }
    return false;
  }
};

class WaitlistModelTest : public RulesTest {
 protected:
  // Decides `body` inside the open batch and checks the outcome the model
  // expects: success or the error code.
  CommandResult Decide(domain::WorkingSet& ws, const CommandBody& body) {
    domain::Context ctx{.now_ms = now_, .ids = &ids_};
    return domain::Decide(body, ws, ctx);
  }

  // The rules' state (as the batch sees it) against the model's.
  void Compare(domain::WorkingSet& ws, Model& model, const std::string& step) {
    SCOPED_TRACE(step);
    Item* item = *ws.FindItem("mug");
    ASSERT_NE(item, nullptr);
    ASSERT_EQ(item->on_hand, model.on_hand);
    ASSERT_EQ(item->held, model.held);
    ASSERT_GE(item->held, 0);
    ASSERT_LE(item->held, item->on_hand);  // never oversold
    std::int64_t waiting = 0;
    for (ModelEntry& e : model.entries) {
      WaitlistEntry* got = *ws.FindWaitlistEntry(e.id);
      ASSERT_NE(got, nullptr);
      ASSERT_EQ(got->status, e.status) << e.id << " of " << e.user;
      if (e.status == WaitlistStatus::kWaiting) ++waiting;
    }
    ASSERT_EQ(item->waiting, waiting);
    if (waiting > 0) {
      ASSERT_EQ(item->available(), 0);  // withheld from the public
    }
    // Offers made by this step get their reservation ids from the rules.
    for (std::size_t i : model.new_offers) {
      ModelEntry& e = model.entries[i];
      WaitlistEntry* got = *ws.FindWaitlistEntry(e.id);
      ASSERT_TRUE(got->reservation_id.has_value());
      e.offer = *got->reservation_id;
      Reservation* offer = *ws.FindReservation(e.offer);
      ASSERT_NE(offer, nullptr);
      ASSERT_EQ(offer->user_id, e.user);
      ASSERT_EQ(offer->lines, (std::vector<Line>{{"mug", e.qty}}));
      ASSERT_EQ(offer->expires_at_ms, now_ + e.ttl_seconds * 1000);
      model.holds[e.offer] = ModelHold{e.user, e.qty, offer->expires_at_ms,
                                       ReservationStatus::kHeld, e.id};
    }
    model.new_offers.clear();
    // Every hold the model knows is in the state it says.
    for (const auto& [id, h] : model.holds) {
      Reservation* r = *ws.FindReservation(id);
      ASSERT_NE(r, nullptr);
      ASSERT_EQ(r->status, h.status) << id;
    }
  }
};

TEST_F(WaitlistModelTest, RandomBatchesAgreeWithTheModel) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    state_ = MemoryState{};
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    Model model;
    model.on_hand = 4 + pick(6);
    Ok<Item>(CreateItem{.id = "mug", .on_hand = model.on_hand});
    const std::vector<std::string> users = {"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"};
    for (int batch = 0; batch < 60; ++batch) {
      now_ += 1000 * pick(4);
      ChangeRecorder recorder;
      domain::WorkingSet ws(state_, recorder);
      // Time moved: a sweep first (as the SQLite store starts every batch).
      ASSERT_TRUE(Decide(ws, ExpireDue{.limit = 100000}).has_value());
      model.ExpireDue(now_);
      Compare(ws, model, "sweep");
      const int commands = 1 + pick(8);
      for (int c = 0; c < commands; ++c) {
        const std::string user = users[pick(static_cast<int>(users.size()))];
        const std::int64_t qty = 1 + pick(3);
        std::vector<std::string> held_ids;
        for (const auto& [id, h] : model.holds) {
          if (h.status == ReservationStatus::kHeld) held_ids.push_back(id);
        }
        const int op = pick(10);
        std::string step = "op " + std::to_string(op);
        if (op <= 2) {  // join
          const std::int64_t ttl = 1 + pick(4);
          CommandResult r = Decide(ws, JoinWaitlist{.item_id = "mug",
                                                    .user_id = user,
                                                    .qty = qty,
                                                    .offer_ttl_seconds = ttl});
          if (model.Active(user)) {
            ASSERT_FALSE(r.has_value());
            ASSERT_EQ(r.error().code, ErrorCode::kAlreadyExists);
          } else {
            ASSERT_TRUE(r.has_value()) << r.error().message;
            const auto& entry = std::get<WaitlistEntry>(r->value);
            model.entries.push_back(ModelEntry{entry.id, user, qty, ttl});
            model.Serve();
          }
        } else if (op == 3 && !model.entries.empty()) {  // leave
          ModelEntry& e = model.entries[pick(static_cast<int>(model.entries.size()))];
          CommandResult r = Decide(ws, LeaveWaitlist{e.id});
          if (e.status == WaitlistStatus::kFulfilled) {
            ASSERT_FALSE(r.has_value());
          } else {
            ASSERT_TRUE(r.has_value()) << r.error().message;
            if (e.status == WaitlistStatus::kWaiting || e.status == WaitlistStatus::kOffered) {
              const bool offered = e.status == WaitlistStatus::kOffered;
              e.status = WaitlistStatus::kLeft;
              if (offered) model.End(e.offer, ReservationStatus::kCancelled);
              model.Serve();
            }
          }
        } else if (op <= 5) {  // the public reserves (or orders)
          const bool order = op == 5;
          CommandResult r = order ? Decide(ws, PlaceOrder{user, {{"mug", qty}}})
                                  : Decide(ws, allot::Reserve{user, {{"mug", qty}}, 1 + pick(4)});
          const bool fits = !model.AnyoneWaits() && qty <= model.on_hand - model.held;
          ASSERT_EQ(r.has_value(), fits) << (r ? "" : r.error().message);
          if (fits && order) {
            model.on_hand -= qty;
          } else if (fits) {
            const auto& res = std::get<Reservation>(r->value);
            model.holds[res.id] = ModelHold{user, qty, res.expires_at_ms};
            model.held += qty;
          }
        } else if (op <= 7 && !held_ids.empty()) {  // cancel
          const std::string id = held_ids[pick(static_cast<int>(held_ids.size()))];
          ASSERT_TRUE(Decide(ws, CancelReservation{id}).has_value());
          model.End(id, ReservationStatus::kCancelled);
          model.Serve();
        } else if (op == 8 && !held_ids.empty()) {  // confirm
          const std::string id = held_ids[pick(static_cast<int>(held_ids.size()))];
          ASSERT_TRUE(Decide(ws, ConfirmReservation{id}).has_value());
          ModelHold& h = model.holds.at(id);
          h.status = ReservationStatus::kConfirmed;
          model.held -= h.qty;
          model.on_hand -= h.qty;
          if (!h.entry.empty()) model.EntryById(h.entry).status = WaitlistStatus::kFulfilled;
        } else if (op == 9) {  // restock
          const std::int64_t delta = 1 + pick(3);
          ASSERT_TRUE(Decide(ws, AdjustItem{.id = "mug", .delta = delta, .reason = "restock"})
                          .has_value());
          model.on_hand += delta;
          model.Serve();
        } else {
          continue;
        }
        Compare(ws, model, step);
      }
      state_.Commit(ws.TakeWrites(), std::move(recorder.changes));
    }
  }
}

}  // namespace
}  // namespace allot::testing
