// Reservations over HTTP: hold, confirm, cancel, limits, all-or-nothing
// lines, expiry.
#include <chrono>
#include <string>
#include <thread>

#include "blackbox.h"

namespace allot::testing {
namespace {

using ReservationsTest = BlackboxTest;

// Checks the shape of a Reservation and returns its id.
std::string CheckReservation(const json::object& r, std::string_view user, std::string_view status,
                             const json::array& lines, std::int64_t ttl_seconds) {
  std::string id = GetString(r, "id").value_or("");
  EXPECT_FALSE(id.empty()) << json::serialize(r);
  EXPECT_EQ(GetString(r, "userId"), user) << json::serialize(r);
  EXPECT_EQ(GetString(r, "status"), status) << json::serialize(r);
  EXPECT_EQ(r.contains("lines") ? r.at("lines") : json::value(), json::value(lines))
      << json::serialize(r);
  auto created = ParseTimestampMs(GetString(r, "createdAt").value_or(""));
  auto expires = ParseTimestampMs(GetString(r, "expiresAt").value_or(""));
  EXPECT_TRUE(created && expires) << "timestamps: " << json::serialize(r);
  if (created && expires) {
    EXPECT_NEAR(static_cast<double>(*expires - *created), ttl_seconds * 1000.0, 1000.0)
        << json::serialize(r);
  }
  return id;
}

TEST_F(ReservationsTest, OneLineReserveHoldsUnits) {
  MakeItem("r-1", 10);
  Response held = api().Reserve("u1", "r-1", 3);
  ASSERT_EQ(held.status, 201) << Describe(held);
  json::object body = JsonBody(held);
  std::string id = CheckReservation(body, "u1", "held", json::array{Line("r-1", 3)}, 600);
  EXPECT_EQ(api().Counts("r-1"), (ItemCounts{10, 3, 7, 0}));
  Response fetched = api().GetReservation(id);
  ASSERT_EQ(fetched.status, 200) << Describe(fetched);
  EXPECT_EQ(JsonBody(fetched), body);
}

TEST_F(ReservationsTest, LinesFormAndShortReservePathHoldUnits) {
  MakeItem("r-2a", 10);
  MakeItem("r-2b", 5);
  json::array lines{Line("r-2a", 2), Line("r-2b", 5)};
  Response held = api().ReserveLines("u1", lines, 60);
  ASSERT_EQ(held.status, 201) << Describe(held);
  CheckReservation(JsonBody(held), "u1", "held", lines, 60);

  Response short_form =
      api().Post("/reserve", R"({"userId":"u2","itemId":"r-2a","qty":4,"ttlSeconds":120})");
  ASSERT_EQ(short_form.status, 201) << Describe(short_form);
  CheckReservation(JsonBody(short_form), "u2", "held", json::array{Line("r-2a", 4)}, 120);
  Response short_lines =
      api().Post("/reserve", R"({"userId":"u3","lines":[{"itemId":"r-2a","qty":1}]})");
  ASSERT_EQ(short_lines.status, 201) << Describe(short_lines);

  EXPECT_EQ(api().Counts("r-2a"), (ItemCounts{10, 7, 3, 0}));
  EXPECT_EQ(api().Counts("r-2b"), (ItemCounts{5, 5, 0, 0}));
}

TEST_F(ReservationsTest, ConfirmSellsHeldUnitsAndIsRepeatable) {
  MakeItem("r-3", 10);
  Response held = api().Reserve("u1", "r-3", 3);
  ASSERT_EQ(held.status, 201) << Describe(held);
  std::string id = GetString(JsonBody(held), "id").value_or("");

  Response confirmed = api().Confirm(id, R"({"paymentRef":"pay-123"})");
  ASSERT_EQ(confirmed.status, 200) << Describe(confirmed);
  json::object body = JsonBody(confirmed);
  ASSERT_TRUE(body.contains("reservation") && body.contains("order")) << Describe(confirmed);
  const json::object& reservation = body.at("reservation").as_object();
  const json::object& order = body.at("order").as_object();
  EXPECT_EQ(GetString(reservation, "id"), id);
  EXPECT_EQ(GetString(reservation, "status"), "confirmed");
  EXPECT_TRUE(ParseTimestampMs(GetString(reservation, "confirmedAt").value_or("")))
      << Describe(confirmed);
  std::string order_id = GetString(order, "id").value_or("");
  EXPECT_FALSE(order_id.empty());
  EXPECT_EQ(GetString(reservation, "orderId"), order_id);
  EXPECT_EQ(GetString(order, "status"), "placed");
  EXPECT_EQ(GetString(order, "userId"), "u1");
  EXPECT_EQ(GetString(order, "reservationId"), id);
  EXPECT_EQ(order.contains("lines") ? order.at("lines") : json::value(),
            json::value(json::array{Line("r-3", 3)}));
  EXPECT_EQ(api().Counts("r-3"), (ItemCounts{7, 0, 7, 3}));

  Response again = api().Confirm(id, R"({"paymentRef":"pay-123"})");
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(JsonBody(again), body);
  EXPECT_EQ(api().Counts("r-3"), (ItemCounts{7, 0, 7, 3}));

  Response fetched_order = api().GetOrder(order_id);
  ASSERT_EQ(fetched_order.status, 200) << Describe(fetched_order);
  EXPECT_EQ(JsonBody(fetched_order), order);
  Response fetched = api().GetReservation(id);
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(JsonBody(fetched), reservation);

  Response refused = api().CancelReservation(id);
  EXPECT_TRUE(IsError(refused, 409, "invalid_state"));
  EXPECT_EQ(GetString(ErrorObject(refused), "status"), "confirmed")
      << "docs/api.md: invalid_state gives the current status; " << Describe(refused);
  EXPECT_EQ(api().Counts("r-3"), (ItemCounts{7, 0, 7, 3}));
}

TEST_F(ReservationsTest, CancelReleasesUnitsAndIsRepeatable) {
  MakeItem("r-4", 10);
  Response held = api().Reserve("u1", "r-4", 4);
  ASSERT_EQ(held.status, 201) << Describe(held);
  std::string id = GetString(JsonBody(held), "id").value_or("");
  ASSERT_EQ(api().Counts("r-4"), (ItemCounts{10, 4, 6, 0}));

  Response cancelled = api().CancelReservation(id);
  ASSERT_EQ(cancelled.status, 200) << Describe(cancelled);
  EXPECT_EQ(GetString(JsonBody(cancelled), "status"), "cancelled");
  EXPECT_EQ(GetString(JsonBody(cancelled), "id"), id);
  EXPECT_EQ(api().Counts("r-4"), (ItemCounts{10, 0, 10, 0}));

  Response again = api().CancelReservation(id, "");  // an empty body is allowed
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(JsonBody(again), JsonBody(cancelled));
  EXPECT_EQ(api().Counts("r-4"), (ItemCounts{10, 0, 10, 0}));

  EXPECT_TRUE(IsError(api().Confirm(id), 409, "invalid_state"));
  EXPECT_EQ(api().Counts("r-4"), (ItemCounts{10, 0, 10, 0}));
}

TEST_F(ReservationsTest, DirectOrderSellsAndItsCancelReturnsUnits) {
  MakeItem("o-1", 10);
  Response placed = api().Order("u1", "o-1", 2);
  ASSERT_EQ(placed.status, 201) << Describe(placed);
  json::object order = JsonBody(placed);
  std::string id = GetString(order, "id").value_or("");
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(GetString(order, "userId"), "u1");
  EXPECT_EQ(GetString(order, "status"), "placed");
  EXPECT_EQ(order.contains("lines") ? order.at("lines") : json::value(),
            json::value(json::array{Line("o-1", 2)}));
  EXPECT_TRUE(ParseTimestampMs(GetString(order, "createdAt").value_or(""))) << Describe(placed);
  EXPECT_EQ(api().Counts("o-1"), (ItemCounts{8, 0, 8, 2}));
  Response fetched = api().GetOrder(id);
  ASSERT_EQ(fetched.status, 200) << Describe(fetched);
  EXPECT_EQ(JsonBody(fetched), order);

  Response lines = api().Post("/orders", R"({"userId":"u2","lines":[{"itemId":"o-1","qty":3}]})");
  ASSERT_EQ(lines.status, 201) << Describe(lines);
  EXPECT_EQ(api().Counts("o-1"), (ItemCounts{5, 0, 5, 5}));

  Response cancelled = api().CancelOrder(id, R"({"reason":"payment failed"})");
  ASSERT_EQ(cancelled.status, 200) << Describe(cancelled);
  EXPECT_EQ(GetString(JsonBody(cancelled), "status"), "cancelled");
  ItemCounts after = api().Counts("o-1");
  EXPECT_EQ(after.on_hand, 7);
  EXPECT_EQ(after.available, 7);
  EXPECT_EQ(after.held, 0);
  // The cancelled order is no longer sold: every unit is on hand or sold.
  EXPECT_EQ(after.on_hand + after.sold, 10) << after;

  Response again = api().CancelOrder(id);
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(JsonBody(again), JsonBody(cancelled));
  EXPECT_EQ(api().Counts("o-1"), after);
  EXPECT_TRUE(IsOutOfStock(api().Order("u3", "o-1", 8), "o-1", 8, 7));
  EXPECT_EQ(api().Counts("o-1"), after);
}

TEST_F(ReservationsTest, MaxPerUserCapsHeldPlusBought) {
  MakeItem("m-1", 10, 3);
  Response first = api().Reserve("u1", "m-1", 2);
  ASSERT_EQ(first.status, 201) << Describe(first);
  Response over = api().Reserve("u1", "m-1", 2);
  EXPECT_TRUE(IsError(over, 409, "limit_exceeded"));
  json::object details = ErrorObject(over);
  EXPECT_EQ(GetString(details, "itemId"), "m-1") << Describe(over);
  EXPECT_EQ(GetInt(details, "limit"), 3) << Describe(over);
  EXPECT_EQ(GetInt(details, "alreadyHeld"), 2) << Describe(over);
  EXPECT_EQ(api().Counts("m-1"), (ItemCounts{10, 2, 8, 0}));

  EXPECT_EQ(api().Reserve("u2", "m-1", 3).status, 201);  // the cap is per user
  EXPECT_EQ(api().Order("u1", "m-1", 1).status, 201);    // 2 held + 1 bought = 3
  EXPECT_TRUE(IsError(api().Reserve("u1", "m-1", 1), 409, "limit_exceeded"));
  EXPECT_TRUE(IsError(api().Order("u1", "m-1", 1), 409, "limit_exceeded"));
  EXPECT_EQ(api().Counts("m-1"), (ItemCounts{9, 5, 4, 1}));

  // Cancelling a hold gives its units back to the user's allowance.
  std::string first_id = GetString(JsonBody(first), "id").value_or("");
  ASSERT_EQ(api().CancelReservation(first_id).status, 200);
  EXPECT_EQ(api().Reserve("u1", "m-1", 2).status, 201);
  EXPECT_TRUE(IsError(api().Reserve("u1", "m-1", 1), 409, "limit_exceeded"));
}

TEST_F(ReservationsTest, LinesAreAllOrNothing) {
  MakeItem("a-1", 5);
  MakeItem("a-2", 1);
  Response refused = api().ReserveLines("u1", json::array{Line("a-1", 3), Line("a-2", 2)});
  EXPECT_TRUE(IsOutOfStock(refused, "a-2", 2, 1));
  EXPECT_EQ(api().Counts("a-1"), (ItemCounts{5, 0, 5, 0}));
  EXPECT_EQ(api().Counts("a-2"), (ItemCounts{1, 0, 1, 0}));

  Response unknown = api().ReserveLines("u1", json::array{Line("a-1", 3), Line("nope", 1)});
  EXPECT_TRUE(IsNotFound(unknown, "item", "nope"));
  EXPECT_EQ(api().Counts("a-1"), (ItemCounts{5, 0, 5, 0}));

  Response ordered = api().Post(
      "/orders", R"({"userId":"u1","lines":[{"itemId":"a-1","qty":3},{"itemId":"a-2","qty":2}]})");
  EXPECT_TRUE(IsOutOfStock(ordered, "a-2", 2, 1));
  EXPECT_EQ(api().Counts("a-1"), (ItemCounts{5, 0, 5, 0}));
}

TEST_F(ReservationsTest, LinesNamingTheSameItemCountTogether) {
  MakeItem("s-1", 5);
  Response refused = api().ReserveLines("u1", json::array{Line("s-1", 3), Line("s-1", 3)});
  EXPECT_TRUE(IsError(refused, 409, "out_of_stock"));
  EXPECT_EQ(GetString(ErrorObject(refused), "itemId"), "s-1");
  EXPECT_EQ(api().Counts("s-1"), (ItemCounts{5, 0, 5, 0}));

  Response held = api().ReserveLines("u1", json::array{Line("s-1", 2), Line("s-1", 3)});
  ASSERT_EQ(held.status, 201) << Describe(held);
  EXPECT_EQ(api().Counts("s-1"), (ItemCounts{5, 5, 0, 0}));
  std::string id = GetString(JsonBody(held), "id").value_or("");
  ASSERT_EQ(api().Confirm(id).status, 200);
  EXPECT_EQ(api().Counts("s-1"), (ItemCounts{0, 0, 0, 5}));
}

TEST_F(ReservationsTest, ExpiredHoldFreesUnitsAtOnceAndCannotBeConfirmed) {
  MakeItem("e-1", 5);
  Response held = api().Reserve("u1", "e-1", 5, 1);
  ASSERT_EQ(held.status, 201) << Describe(held);
  std::string id = GetString(JsonBody(held), "id").value_or("");
  EXPECT_TRUE(IsOutOfStock(api().Reserve("u2", "e-1", 1), "e-1", 1, 0));

  std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // past expiresAt
  EXPECT_EQ(api().Counts("e-1"), (ItemCounts{5, 0, 5, 0}));
  Response fetched = api().GetReservation(id);
  ASSERT_EQ(fetched.status, 200) << Describe(fetched);
  EXPECT_EQ(GetString(JsonBody(fetched), "status"), "expired");
  EXPECT_TRUE(IsError(api().Confirm(id), 409, "reservation_expired"));

  Response cancelled = api().CancelReservation(id);  // returned as it is
  EXPECT_EQ(cancelled.status, 200) << Describe(cancelled);
  EXPECT_EQ(GetString(JsonBody(cancelled), "status"), "expired");

  Response other = api().Reserve("u2", "e-1", 5);
  EXPECT_EQ(other.status, 201) << Describe(other);
  EXPECT_EQ(api().Counts("e-1"), (ItemCounts{5, 5, 0, 0}));
}

TEST_F(ReservationsTest, ExpiredHoldFreesUnitsForAnotherReserveBeforeAnyRead) {
  MakeItem("e-2", 4);
  ASSERT_EQ(api().Reserve("u1", "e-2", 4, 1).status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  // No read in between: the reserve itself must not count the expired hold.
  Response other = api().Reserve("u2", "e-2", 4);
  EXPECT_EQ(other.status, 201) << Describe(other);
  EXPECT_EQ(api().Counts("e-2"), (ItemCounts{4, 4, 0, 0}));
}

}  // namespace
}  // namespace allot::testing
