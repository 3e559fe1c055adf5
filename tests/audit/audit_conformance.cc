#include "audit_conformance.h"

#include <gmock/gmock.h>

#include <regex>
#include <utility>

#include "audit/audit_source.h"

namespace allot::audit_test {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Matcher;
using ::testing::MatchesRegex;

constexpr std::int64_t kStart = 1'800'000'000'000;

// A drift pattern of Tamper::drifts as a regular expression.
std::string PatternRegex(const std::string& pattern) {
  static const std::regex kSpecial(R"([.^$|()\[\]{}*+?])");
  std::string out;
  std::size_t at = 0;
  while (at < pattern.size()) {
    const std::size_t open = pattern.find('{', at);
    const std::size_t end = open == std::string::npos ? pattern.size() : open;
    out += std::regex_replace(pattern.substr(at, end - at), kSpecial, R"(\$&)");
    if (open == std::string::npos) break;
    const std::size_t close = pattern.find('}', open);
    const std::string name = pattern.substr(open + 1, close - open - 1);
    out += name == "id" ? "[A-Za-z0-9_]+" : "[0-9T:.Z-]+";
    at = close + 1;
  }
  return out;
}

std::vector<std::string> DriftLines(const audit::AuditReport& report) {
  std::vector<std::string> lines;
  for (const audit::Drift& drift : report.drifts) lines.push_back(audit::FormatDrift(drift));
  return lines;
}

}  // namespace

void PrintTo(const AuditTargetFactory& factory, std::ostream* out) { *out << factory.name; }
void PrintTo(const Tamper& tamper, std::ostream* out) { *out << tamper.name << ": " << tamper.sql; }

std::string TargetName(const ::testing::TestParamInfo<AuditTargetFactory>& info) {
  return info.param.name;
}

std::string TamperName(
    const ::testing::TestParamInfo<std::tuple<AuditTargetFactory, Tamper>>& info) {
  return std::get<0>(info.param).name + "_" + std::get<1>(info.param).name;
}

Scenario::Scenario(const AuditTargetFactory& factory) : target_(factory.make()), clock_(kStart) {}

Scenario::~Scenario() { StopEngine(); }

void Scenario::StopEngine() {
  if (engine_) engine_->Stop();
  engine_.reset();
}

Outcome Scenario::Run(CommandBody body) {
  CommandResult result = engine_->Execute(Command{std::move(body)});
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result ? *result : Outcome{};
}

std::string Scenario::Reserve(const std::string& user, std::vector<Line> lines,
                              std::int64_t ttl_seconds) {
  Outcome outcome = Run(allot::Reserve{user, std::move(lines), ttl_seconds});
  auto* reservation = std::get_if<Reservation>(&outcome.value);
  return reservation ? reservation->id : "";
}

std::string Scenario::Order(const std::string& user, std::vector<Line> lines) {
  Outcome outcome = Run(PlaceOrder{user, std::move(lines)});
  auto* order = std::get_if<allot::Order>(&outcome.value);
  return order ? order->id : "";
}

std::string Scenario::Transfer(const std::string& from, const std::string& to, std::int64_t amount,
                               bool hold, std::int64_t ttl_seconds) {
  Outcome outcome = Run(CreateTransfer{from, to, amount, hold, ttl_seconds});
  auto* transfer = std::get_if<allot::Transfer>(&outcome.value);
  return transfer ? transfer->id : "";
}

// What the database holds afterwards (the tampers' numbers follow from it):
//   mug: created 10, adjusted +5 and -2; ann's 2 confirmed, bob's 1
//     cancelled, cat's 1 expired by a sweep, dan's 3 held, eve's order of 1,
//     fay's order of 1 cancelled, gus's 1 confirmed with seat A-1, kim's 1
//     held past its expiry with no sweep since: onHand 9, held 4, sold 4.
//   tee (cap 3): ann holds 1 and bought 1.
//   accounts ann 5000, bob 0, cat 100: ann->bob 1200 posted, ann->bob 800
//     held then confirmed, ann->cat 300 held then cancelled, bob->cat 100
//     held then expired, cat->ann 50 held: balances 3000, 2000, 100.
//   event gig: A-1 sold (gus), A-2 held (hal), A-3 cancelled (ivy), A-4
//     ordered and the order cancelled (jon).
void Scenario::Build() {
  auto store = target_->OpenStore();
  ASSERT_TRUE(store.has_value()) << store.error().message;
  // No background sweeps: the scenario says when holds expire.
  auto engine = Engine::Start(std::move(*store),
                              EngineOptions{.sweep_interval_ms = 3'600'000, .clock = &clock_});
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  engine_ = std::move(*engine);

  Run(CreateItem{.id = "mug", .on_hand = 10});
  Run(CreateItem{.id = "tee", .on_hand = 5, .max_per_user = 3});
  Run(AdjustItem{"mug", 5, "restock"});
  Run(AdjustItem{"mug", -2, "broken"});
  Run(ConfirmReservation{Reserve("ann", {{"mug", 2}}, 600)});
  Run(CancelReservation{Reserve("bob", {{"mug", 1}}, 600)});
  Reserve("cat", {{"mug", 1}}, 60);
  Reserve("dan", {{"mug", 3}}, 600);
  Order("eve", {{"mug", 1}});
  Run(CancelOrder{Order("fay", {{"mug", 1}}), "payment failed"});
  Reserve("ann", {{"tee", 1}}, 600);
  Order("ann", {{"tee", 1}});

  Run(CreateAccount{"ann", 5000});
  Run(CreateAccount{"bob", 0});
  Run(CreateAccount{"cat", 100});
  Transfer("ann", "bob", 1200, false);
  Run(ConfirmTransfer{Transfer("ann", "bob", 800, true)});
  Run(CancelTransfer{Transfer("ann", "cat", 300, true)});
  Transfer("bob", "cat", 100, true, 60);
  Transfer("cat", "ann", 50, true);

  Run(CreateEvent{.id = "gig", .seats = {"A-1", "A-2", "A-3", "A-4"}});
  Run(ConfirmReservation{Reserve("gus", {{SeatItemId("gig", "A-1"), 1}, {"mug", 1}}, 600)});
  Reserve("hal", {{SeatItemId("gig", "A-2"), 1}}, 600);
  Run(CancelReservation{Reserve("ivy", {{SeatItemId("gig", "A-3"), 1}}, 600)});
  Run(CancelOrder{Order("jon", {{SeatItemId("gig", "A-4"), 1}}), std::nullopt});

  clock_.Advance(61'000);
  Run(ExpireDue{});  // cat's reservation and bob's held transfer
  Reserve("kim", {{"mug", 1}}, 30);
  clock_.Advance(31'000);  // kim's hold is due, and no sweep runs
}

void AuditConformanceTest::SetUp() {
  scenario_ = std::make_unique<Scenario>(GetParam());
  scenario_->Build();
}

void AuditTamperTest::SetUp() {
  scenario_ = std::make_unique<Scenario>(std::get<0>(GetParam()));
  scenario_->Build();
}

TEST_P(AuditConformanceTest, EveryKindOfRecordAuditsClean) {
  ASSERT_FALSE(HasFatalFailure());
  auto report = audit::AuditDatabase(scenario_->target().db());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_THAT(DriftLines(*report), IsEmpty());
  EXPECT_EQ(audit::FormatCounts(report->checked),
            "2 items, 3 accounts, 1 event (4 seats), 9 reservations, 6 orders, 5 transfers, "
            "38 changes");
}

// The snapshot is taken when it opens: a write committed while the audit
// reads (not blocked by it) is not half-seen.
TEST_P(AuditConformanceTest, ReadsOneSnapshotBesideALiveWriter) {
  ASSERT_FALSE(HasFatalFailure());
  auto snapshot = audit::OpenSnapshot(scenario_->target().db());
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  CommandResult late =
      scenario_->engine().Execute(Command{allot::Reserve{"zoe", {{"mug", 2}}, 600}});
  ASSERT_TRUE(late.has_value()) << late.error().message;

  audit::Auditor auditor;
  ASSERT_TRUE(audit::ReadRecords(**snapshot, auditor));
  ASSERT_TRUE((*snapshot)->End());
  const audit::AuditReport before = auditor.Finish();
  EXPECT_THAT(DriftLines(before), IsEmpty());
  EXPECT_EQ(before.checked.reservations, 9);

  auto after = audit::AuditDatabase(scenario_->target().db());
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_THAT(DriftLines(*after), IsEmpty());
  EXPECT_EQ(after->checked.reservations, 10);
}

TEST_P(AuditTamperTest, ReportsTheDrift) {
  ASSERT_FALSE(HasFatalFailure());
  scenario_->StopEngine();
  const Tamper& tamper = std::get<1>(GetParam());
  ASSERT_TRUE(scenario_->target().Exec(tamper.sql));
  auto report = audit::AuditDatabase(scenario_->target().db());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  std::vector<Matcher<const std::string&>> expected;
  for (const std::string& drift : tamper.drifts) {
    expected.push_back(MatchesRegex(PatternRegex(drift)));
  }
  EXPECT_THAT(DriftLines(*report), ElementsAreArray(expected));
}

std::vector<Tamper> Concat(std::vector<Tamper> base, const std::vector<Tamper>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

std::vector<Tamper> Tampers() {
  return {
      {"HeldCounter",
       "UPDATE items SET held = held + 1 WHERE id = 'mug'",
       {"drift: item mug held: stored 5, recomputed 4"}},
      {"SoldCounter",
       "UPDATE items SET sold = sold + 2 WHERE id = 'mug'",
       {"drift: item mug sold: stored 6, recomputed 4"}},
      {"MoneyFromNowhere",
       "UPDATE items SET on_hand = on_hand + 7 WHERE id = '$bob'",
       {"drift: account bob balance: stored 2007, recomputed 2000",
        "drift: accounts total balance: stored 5107, recomputed 5100 (the opening balances)"}},
      {"UsageBought",
       "UPDATE user_usage SET bought = bought + 2",
       {"drift: usage of item tee by ann bought: stored 3, recomputed 1"}},
      {"SeatMarkedSold",
       "UPDATE items SET on_hand = 0 WHERE id = '#gig/A-3'",
       {"drift: seat gig/A-3 onHand: stored 0, recomputed 1",
        "drift: seat gig/A-3 status: stored sold, recomputed available"}},
      {"EventSeatCount",
       "UPDATE events SET seat_count = 5 WHERE id = 'gig'",
       {"drift: event gig seats: stored 5, recomputed 4"}},
  };
}

std::vector<Tamper> RecordTableTampers() {
  return {
      {"LiveHoldLost",
       "DELETE FROM holds WHERE item_id = '#gig/A-2'",
       {"drift: hold {id} line 0: stored none, recomputed 1 of seat gig/A-2 until {time}"}},
      {"HeldReservationMarkedCancelled",
       "UPDATE reservations SET status = 'cancelled' WHERE user_id = 'dan'",
       {"drift: reservation {id}: stored cancelled [mug x3] until {num}, recomputed held "
        "[mug x3] until {num}"}},
      {"CancelledOrderMarkedPlaced",
       "UPDATE orders SET status = 'placed' WHERE user_id = 'fay'",
       {"drift: order {id}: stored placed [mug x1], recomputed cancelled [mug x1]"}},
      {"HeldTransferMarkedPosted",
       "UPDATE transfers SET status = 'posted' WHERE from_id = 'cat'",
       {"drift: transfer {id}: stored posted 50 from cat to ann, recomputed held 50 from cat to "
        "ann"}},
      {"TransferAmount",
       "UPDATE transfers SET amount = 1300 WHERE amount = 1200",
       {"drift: transfer {id}: stored posted 1300 from ann to bob, recomputed posted 1200 from "
        "ann to bob"}},
      {"SeatTakenTwice",
       "INSERT INTO reservations (id, user_id, owner, status, created_at_ms, expires_at_ms) "
       "VALUES ('rsv_forged', 'mal', '', 'held', 0, 9000000000000); "
       "INSERT INTO reservation_lines (reservation_id, line_no, item_id, qty) "
       "VALUES ('rsv_forged', 0, '#gig/A-2', 1)",
       {"drift: reservation rsv_forged: stored held [#gig/A-2 x1] until 9000000000000, "
        "recomputed none in the journal"}},
      // Lines that no record has (no foreign key refuses them).
      {"LinesWithoutTheirRecord",
       "INSERT INTO reservation_lines (reservation_id, line_no, item_id, qty) "
       "VALUES ('rsv_nobody', 0, 'mug', 2); "
       "INSERT INTO order_lines (order_id, line_no, item_id, qty) "
       "VALUES ('ord_nobody', 1, '$ann', 5)",
       {"drift: order ord_nobody line 1: stored 5 of account ann, recomputed none (no such "
        "order)",
        "drift: reservation rsv_nobody line 0: stored 2 of item mug, recomputed none (no such "
        "reservation)"}},
  };
}

std::vector<Tamper> JournalOnlyTampers() {
  return {
      // The newest hold's record now points at the block before its own.
      {"HeadPointsElsewhere",
       "INSERT INTO record_heads (record, block) SELECT max(seq) * 64, max(seq) - 1 FROM journal",
       {"drift: record {id} head: stored block {num}, recomputed block {num} (its latest "
        "change)"}},
      // The newest block of the journal gone: the hold it made (and the
      // counters it moved) are no longer accounted for.
      {"NewestBlockLost",
       "DROP TRIGGER journal_no_delete; "
       "DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)",
       {"drift: item mug held: stored 4, recomputed 3"}},
      // A block in the middle gone (an adjustment of 5): a gap in the seqs,
      // and every counter-after from there on no longer adds up.
      {"JournalGap",
       "DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq = 3",
       {"drift: journal block at seq 4: stored seq 4, recomputed seq 3 (no gap)",
        "drift: journal change 4 item mug onHand after: stored 13, recomputed 8",
        "drift: item mug onHand: stored 9, recomputed 4"}},
  };
}

}  // namespace allot::audit_test
