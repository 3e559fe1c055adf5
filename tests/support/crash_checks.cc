#include "crash_checks.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "api.h"
#include "audit_run.h"
#include "crash_workload.h"
#include "crash_writes.h"

namespace allot::testing {
namespace {

std::vector<QtyLine> LinesOf(const json::object& object) {
  std::vector<QtyLine> lines;
  const json::value* array = object.if_contains("lines");
  if (array == nullptr || !array->is_array()) return lines;
  for (const json::value& line : array->as_array()) {
    if (!line.is_object()) continue;
    lines.push_back({GetString(line.as_object(), "itemId").value_or("?"),
                     GetInt(line.as_object(), "qty").value_or(-1)});
  }
  return lines;
}

std::string Show(const std::vector<QtyLine>& lines) {
  std::string text;
  for (const QtyLine& line : lines) text += line.item + "x" + std::to_string(line.qty) + " ";
  return text;
}

void CheckReservation(Api& api, const std::string& id, const ReservationState& expected,
                      CrashModel& model) {
  Response read = api.GetReservation(id);
  ASSERT_EQ(read.status, 200) << "acknowledged reservation " << id << ": " << Describe(read);
  json::object body = JsonBody(read);
  const std::string status = GetString(body, "status").value_or("");
  EXPECT_EQ(LinesOf(body), expected.lines)
      << id << " lines " << Show(LinesOf(body)) << "expected " << Show(expected.lines);
  if (status == "expired" && expected.status == "held") {
    // The sweeper (or a reservation on its items) expired it: only allowed
    // once its expiry passed.
    EXPECT_LE(expected.expires_at_ms, WallNowMs() + kClockSkewMs)
        << id << " expired early: " << Describe(read);
    model.MarkExpired(id);
    return;
  }
  EXPECT_EQ(status, expected.status) << "reservation " << id << ": " << Describe(read);
  if (expected.status == "confirmed") {
    EXPECT_EQ(GetString(body, "orderId"), expected.order_id) << Describe(read);
  }
}

void CheckOrder(Api& api, const std::string& id, const OrderState& expected) {
  Response read = api.GetOrder(id);
  ASSERT_EQ(read.status, 200) << "acknowledged order " << id << ": " << Describe(read);
  json::object body = JsonBody(read);
  EXPECT_EQ(GetString(body, "status"), expected.status) << "order " << id << ": " << Describe(read);
  EXPECT_EQ(LinesOf(body), expected.lines) << "order " << id << ": " << Describe(read);
  if (!expected.reservation_id.empty()) {
    EXPECT_EQ(GetString(body, "reservationId"), expected.reservation_id) << Describe(read);
  }
}

void CheckItem(Api& api, const std::string& item, const CrashModel& model) {
  const std::int64_t from_ms = WallNowMs() - kClockSkewMs;
  Response read = api.GetItem(item);
  const std::int64_t to_ms = WallNowMs() + kClockSkewMs;
  ASSERT_EQ(read.status, 200) << item << ": " << Describe(read);
  const ItemCounts counts = CountsOf(JsonBody(read));
  const ExpectedCounts expected = model.Expected(item, from_ms, to_ms);
  EXPECT_EQ(counts.sold, expected.sold) << item << " " << counts;
  EXPECT_EQ(counts.on_hand, expected.on_hand) << item << " " << counts;
  EXPECT_GE(counts.held, expected.held_min) << item << " " << counts;
  EXPECT_LE(counts.held, expected.held_max) << item << " " << counts;
  // Never oversold: what is held fits in what is on hand.
  EXPECT_EQ(counts.available, counts.on_hand - counts.held) << item << " " << counts;
  EXPECT_GE(counts.available, 0) << item << " " << counts;
  EXPECT_GE(counts.held, 0) << item << " " << counts;
}

}  // namespace

std::int64_t ResolveUnanswered(int port, const std::vector<WriteRequest>& unanswered,
                               CrashModel& model) {
  HttpClient client(port, std::chrono::seconds(15));
  std::int64_t applied = 0;
  for (const WriteRequest& request : unanswered) {
    Response again = Send(client, request);
    if (!again.ok()) {
      ADD_FAILURE() << "resending " << request.path << " after the restart: " << Describe(again);
      continue;
    }
    if (again.Header("Idempotent-Replayed") == "true") ++applied;
    EXPECT_NE(model.Apply(request, again), WriteOutcome::kUnknown);
  }
  return applied;
}

std::int64_t CheckRecordsOverHttp(int port, CrashModel& model) {
  Api api(port);
  std::int64_t checked = 0;
  for (const auto& [id, reservation] : model.reservations()) {
    CheckReservation(api, id, reservation, model);
    ++checked;
  }
  for (const auto& [id, order] : model.orders()) {
    CheckOrder(api, id, order);
    ++checked;
  }
  for (const auto& [item, stock] : model.initial_stock()) CheckItem(api, item, model);
  return checked;
}

std::int64_t CheckReplays(int port, const std::vector<AcknowledgedWrite>& writes) {
  HttpClient client(port, std::chrono::seconds(15));
  for (const AcknowledgedWrite& write : writes) {
    Response replay = Send(client, write.request);
    EXPECT_EQ(replay.status, write.status) << write.request.path << ": " << Describe(replay);
    EXPECT_EQ(replay.body, write.body) << write.request.path;
    EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true") << write.request.path;
  }
  return static_cast<std::int64_t>(writes.size());
}

void CheckDatabaseAgainstModel(const SqlQuery& query, const CrashModel& model) {
  auto sql = [&](const std::string& text) {
    std::optional<std::string> value = query(text);
    EXPECT_TRUE(value.has_value()) << text;
    return value.value_or("<error>");
  };
  // Each counter agrees with the rows behind it (its agreement with the
  // journal, the ledger, is CheckAuditAgainstModel's).
  EXPECT_EQ(sql(R"sql(
SELECT count(*) FROM items i WHERE
  i.held <> coalesce((SELECT sum(qty) FROM holds h WHERE h.item_id = i.id), 0)
  OR i.held <> coalesce((SELECT sum(l.qty) FROM reservation_lines l
                         JOIN reservations r ON r.id = l.reservation_id
                         WHERE r.status = 'held' AND l.item_id = i.id), 0)
  OR i.sold <> coalesce((SELECT sum(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id
                         WHERE o.status = 'placed' AND l.item_id = i.id), 0)
  OR i.held > i.on_hand OR i.on_hand < 0
)sql"),
            "0");
  // A held reservation has a hold for each line, nothing else has any.
  EXPECT_EQ(sql("SELECT count(*) FROM holds h JOIN reservations r ON r.id = h.reservation_id "
                "WHERE r.status <> 'held'"),
            "0");
  EXPECT_EQ(sql("SELECT count(*) FROM reservation_lines l JOIN reservations r "
                "ON r.id = l.reservation_id WHERE r.status = 'held' AND NOT EXISTS "
                "(SELECT 1 FROM holds h WHERE h.reservation_id = l.reservation_id "
                "AND h.line_no = l.line_no)"),
            "0");
  // Exactly the records the model knows, in the states it knows.
  // One instant for the model and the SQL: exact, whatever the clocks.
  const std::int64_t now_ms = WallNowMs();
  for (const auto& [item, stock] : model.initial_stock()) {
    const ExpectedCounts expected = model.Expected(item, now_ms, now_ms);
    const std::string where = " FROM items i WHERE i.id = '" + item + "'";
    EXPECT_EQ(sql("SELECT on_hand" + where), std::to_string(expected.on_hand)) << item;
    EXPECT_EQ(sql("SELECT sold" + where), std::to_string(expected.sold)) << item;
    // Holds past their expiry that no sweep has ended yet do not count.
    EXPECT_EQ(sql("SELECT held - coalesce((SELECT sum(qty) FROM holds h WHERE h.item_id = i.id "
                  "AND h.expires_at_ms <= " +
                  std::to_string(now_ms) + "), 0)" + where),
              std::to_string(expected.held_min))
        << item;
  }
  for (std::string_view status : {"confirmed", "cancelled"}) {
    EXPECT_EQ(sql("SELECT count(*) FROM reservations WHERE status = '" + std::string(status) + "'"),
              std::to_string(model.CountReservations(status)))
        << status;
  }
  // Held ones past their expiry may have been swept since the model saw them.
  EXPECT_EQ(sql("SELECT count(*) FROM reservations WHERE status IN ('held', 'expired')"),
            std::to_string(model.CountReservations("held") + model.CountReservations("expired")));
  EXPECT_EQ(sql("SELECT count(*) FROM reservations"), std::to_string(model.reservations().size()));
  for (std::string_view status : {"placed", "cancelled"}) {
    EXPECT_EQ(sql("SELECT count(*) FROM orders WHERE status = '" + std::string(status) + "'"),
              std::to_string(model.CountOrders(status)))
        << status;
  }
}

namespace {

std::int64_t Count(const json::object& by_status, std::string_view status) {
  return GetInt(by_status, status).value_or(0);
}

}  // namespace

void CheckAuditAgainstModel(const std::string& db, const CrashModel& model) {
  const AuditRun run = RunAudit(db, true);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  json::value parsed;
  try {
    parsed = json::parse(run.output);
  } catch (const std::exception& e) {
    FAIL() << "allot audit --json printed no JSON (" << e.what() << "): " << run.output;
  }
  ASSERT_TRUE(parsed.is_object()) << run.output;
  const json::object& report = parsed.as_object();
  ASSERT_TRUE(report.contains("clean") && report.at("clean").is_bool()) << run.output;
  EXPECT_TRUE(report.at("clean").as_bool()) << run.output;
  // The model at the audit's instant: exact, whatever the clocks.
  auto at = ParseTimestampMs(GetString(report, "at").value_or(""));
  ASSERT_TRUE(at.has_value()) << run.output;
  std::map<std::string, json::object> items;
  for (const json::value& item : report.at("items").as_array()) {
    items[GetString(item.as_object(), "id").value_or("")] = item.as_object();
  }
  for (const auto& [item, stock] : model.initial_stock()) {
    const ExpectedCounts expected = model.Expected(item, *at, *at);
    ASSERT_TRUE(items.contains(item)) << item;
    const json::object& counts = items[item];
    EXPECT_EQ(GetInt(counts, "onHand"), expected.on_hand) << item;
    EXPECT_EQ(GetInt(counts, "sold"), expected.sold) << item;
    // Holds past their expiry that no sweep has ended yet do not count.
    EXPECT_EQ(GetInt(counts, "held").value_or(-1) - GetInt(counts, "heldDue").value_or(-1),
              expected.held_min)
        << item;
  }
  // Exactly the records the model knows, in the states it knows.
  const json::object& reservations = report.at("reservations").as_object();
  for (std::string_view status : {"confirmed", "cancelled"}) {
    EXPECT_EQ(Count(reservations, status), model.CountReservations(status)) << status;
  }
  // Held ones past their expiry may have been swept since the model saw them.
  EXPECT_EQ(Count(reservations, "held") + Count(reservations, "expired"),
            model.CountReservations("held") + model.CountReservations("expired"));
  EXPECT_EQ(GetInt(report.at("checked").as_object(), "reservations"),
            static_cast<std::int64_t>(model.reservations().size()));
  const json::object& orders = report.at("orders").as_object();
  for (std::string_view status : {"placed", "cancelled"}) {
    EXPECT_EQ(Count(orders, status), model.CountOrders(status)) << status;
  }
}

}  // namespace allot::testing
