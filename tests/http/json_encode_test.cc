#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/time_format.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

constexpr std::int64_t kT0 = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z
constexpr std::int64_t kT1 = kT0 + 600'000;

TEST(JsonEncodeTest, TimestampFormat) {
  EXPECT_EQ(FormatTimestamp(kT0), "2026-11-23T10:00:00.000Z");
}

TEST(JsonEncodeTest, ItemWithAndWithoutOptionals) {
  Item item{.id = "sku-1", .name = std::nullopt, .on_hand = 10, .held = 3, .sold = 2};
  EXPECT_EQ(EncodeItem(item),
            R"({"id":"sku-1","name":null,"onHand":10,"held":3,"available":7,"withheld":0,"sold":2,)"
            R"("maxPerUser":null})");
  item.name = "Shoe \"red\"";
  item.max_per_user = 4;
  EXPECT_EQ(EncodeItem(item),
            R"({"id":"sku-1","name":"Shoe \"red\"","onHand":10,"held":3,"available":7,"withheld":0,"sold":2,)"
            R"("maxPerUser":4})");
}

// The records are written by hand, not through Boost.JSON: they must come
// out byte for byte as its serializer writes them (stored idempotent answers
// from before must replay identically), escapes and timestamps included.
TEST(JsonEncodeTest, HandWrittenRecordsMatchBoostJsonByteForByte) {
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
  for (const std::string& name :
       {std::string("plain"), std::string("q\"uote\\back/slash"),
        std::string("\b\f\n\r\t\x01\x1f\x7f"), std::string("caf\xc3\xa9 \xe2\x82\xac"), every_byte,
        std::string()}) {
    Item item{.id = "sku", .name = name, .on_hand = -5, .held = 0, .sold = 9'000'000'000'000};
    boost::json::object expected;
    expected["id"] = "sku";
    expected["name"] = boost::json::string_view(name.data(), name.size());
    expected["onHand"] = item.on_hand;
    expected["held"] = item.held;
    expected["available"] = item.available();
    expected["withheld"] = item.withheld();
    expected["sold"] = item.sold;
    expected["maxPerUser"] = nullptr;
    EXPECT_EQ(EncodeItem(item), boost::json::serialize(expected));
  }
  for (std::int64_t ms :
       {std::int64_t{0}, kT0, std::int64_t{4'102'444'799'999}, std::int64_t{951'782'400'123}}) {
    Reservation reservation{.id = "r",
                            .user_id = "u",
                            .lines = {{"a", 1}},
                            .created_at_ms = ms,
                            .expires_at_ms = ms + 1};
    const std::string text = EncodeReservation(reservation);
    EXPECT_NE(text.find("\"createdAt\":\"" + FormatTimestamp(ms) + "\""), std::string::npos)
        << text;
    EXPECT_NE(text.find("\"expiresAt\":\"" + FormatTimestamp(ms + 1) + "\""), std::string::npos)
        << text;
  }
}

TEST(JsonEncodeTest, ItemPage) {
  ItemPage page;
  page.items.push_back(Item{.id = "a", .on_hand = 1});
  EXPECT_EQ(EncodeItemPage(page),
            R"({"items":[{"id":"a","name":null,"onHand":1,"held":0,"available":1,"withheld":0,"sold":0,)"
            R"("maxPerUser":null}],"next":null})");
  page.next = "a";
  page.items.clear();
  EXPECT_EQ(EncodeItemPage(page), R"({"items":[],"next":"a"})");
}

Reservation HeldReservation() {
  Reservation r;
  r.id = "r1";
  r.user_id = "u1";
  r.owner = "someone";  // never shown
  r.lines = {{"a", 2}, {"b", 1}};
  r.created_at_ms = kT0;
  r.expires_at_ms = kT1;
  r.released_at_ms = kT1;  // never shown
  return r;
}

TEST(JsonEncodeTest, Reservation) {
  Reservation r = HeldReservation();
  EXPECT_EQ(EncodeReservation(r),
            R"({"id":"r1","userId":"u1","status":"held","lines":[{"itemId":"a","qty":2},)"
            R"({"itemId":"b","qty":1}],"createdAt":"2026-11-23T10:00:00.000Z",)"
            R"("expiresAt":"2026-11-23T10:10:00.000Z"})");
  r.status = ReservationStatus::kConfirmed;
  r.confirmed_at_ms = kT0 + 1'234;
  r.order_id = "o1";
  EXPECT_EQ(EncodeReservation(r),
            R"({"id":"r1","userId":"u1","status":"confirmed","lines":[{"itemId":"a","qty":2},)"
            R"({"itemId":"b","qty":1}],"createdAt":"2026-11-23T10:00:00.000Z",)"
            R"("expiresAt":"2026-11-23T10:10:00.000Z","confirmedAt":"2026-11-23T10:00:01.234Z",)"
            R"("orderId":"o1"})");
}

Order PlacedOrder() {
  Order o;
  o.id = "o1";
  o.user_id = "u1";
  o.lines = {{"a", 2}};
  o.created_at_ms = kT0;
  o.cancel_reason = "not shown";
  return o;
}

TEST(JsonEncodeTest, Order) {
  Order o = PlacedOrder();
  EXPECT_EQ(EncodeOrder(o),
            R"({"id":"o1","userId":"u1","status":"placed","lines":[{"itemId":"a","qty":2}],)"
            R"("createdAt":"2026-11-23T10:00:00.000Z"})");
  o.status = OrderStatus::kCancelled;
  o.reservation_id = "r1";
  o.payment_ref = "pay-1";
  EXPECT_EQ(EncodeOrder(o),
            R"({"id":"o1","userId":"u1","status":"cancelled","lines":[{"itemId":"a","qty":2}],)"
            R"("createdAt":"2026-11-23T10:00:00.000Z","reservationId":"r1","paymentRef":"pay-1"})");
}

TEST(JsonEncodeTest, ConfirmationAndOutcome) {
  Confirmation c{HeldReservation(), PlacedOrder()};
  std::string expected = "{\"reservation\":" + EncodeReservation(c.reservation) +
                         ",\"order\":" + EncodeOrder(c.order) + "}";
  EXPECT_EQ(EncodeConfirmation(c), expected);
  EXPECT_EQ(EncodeOutcome(Outcome{c, false}), expected);
  EXPECT_EQ(EncodeOutcome(Outcome{PlacedOrder(), true}), EncodeOrder(PlacedOrder()));
  EXPECT_EQ(EncodeOutcome(Outcome{ExpirySummary{3}, false}), R"({"expired":3})");
  EXPECT_EQ(EncodeOutcome(Outcome{Replay{201, "{\"stored\":1}"}, false}), "{\"stored\":1}");
}

TEST(JsonEncodeTest, ErrorWithDetails) {
  Error error{ErrorCode::kOutOfStock, "Not enough units.", {}};
  error.With("itemId", std::string("a"))
      .With("requested", std::int64_t{5})
      .With("available", std::int64_t{2});
  EXPECT_EQ(EncodeError(error),
            R"({"error":{"code":"out_of_stock","message":"Not enough units.","itemId":"a",)"
            R"("requested":5,"available":2}})");
  EXPECT_EQ(EncodeError(NotFound("route", "/x")),
            R"({"error":{"code":"not_found","message":"No route has the id '/x'.",)"
            R"("resource":"route","id":"/x"}})");
}

// Found by fuzz/handler_fuzzer: a 404 echoed a path holding byte 0xF5, and
// the error body was not valid JSON.
TEST(JsonEncodeTest, ErrorEchoingInvalidUtf8IsValidJson) {
  Error error = NotFound("route",
                         "/api/v\xF5"
                         "1/\xED\xA0\x80\xC3");
  error.message = "No route matches '\xE0\x80\xAF' or '\xC3\xA9'.";
  EXPECT_EQ(EncodeError(error),
            "{\"error\":{\"code\":\"not_found\",\"message\":\"No route matches "
            "'\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD' or '\xC3\xA9'.\",\"resource\":\"route\","
            "\"id\":\"/api/v\xEF\xBF\xBD"
            "1/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}}");
}

TEST(JsonEncodeTest, Status) { EXPECT_EQ(EncodeStatus("ok"), R"({"status":"ok"})"); }

}  // namespace
}  // namespace allot::http
