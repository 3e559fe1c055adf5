// Events and seats through the real server (contract: "Events and seats"),
// seat lines mixed with item lines in reservations.
#include <chrono>
#include <thread>

#include "blackbox.h"

namespace allot::testing {
namespace {

json::object SeatLine(std::string_view event, std::string_view seat) {
  return json::object{{"eventId", event}, {"seat", seat}};
}

class SeatsTest : public BlackboxTest {
 protected:
  void SetUp() override {
    BlackboxTest::SetUp();
    Response r = api().Post("/events", R"({"id":"gig","name":"Gig","seats":["A-1","A-2","B-1"]})");
    ASSERT_EQ(r.status, 201) << Describe(r);
    ASSERT_EQ(r.body, R"({"id":"gig","name":"Gig","seats":{"available":3,"held":0,"sold":0}})");
    MakeItem("tee", 1);
  }
  std::string Seats(std::string_view query = "") {
    return api().Get("/events/gig/seats" + std::string(query)).body;
  }
  std::string Counts() {
    Response r = api().Get("/events/gig");
    EXPECT_EQ(r.status, 200) << Describe(r);
    return json::serialize(JsonBody(r)["seats"]);
  }
};

TEST_F(SeatsTest, EventsAreCreatedOnce) {
  Response same = api().Post("/events", R"({"id":"gig","name":"Gig","seats":["B-1","A-2","A-1"]})");
  EXPECT_EQ(same.status, 200) << Describe(same);
  EXPECT_TRUE(IsError(api().Post("/events", R"({"id":"gig","name":"Gig","seats":["A-1"]})"), 409,
                      "already_exists"));
  EXPECT_TRUE(IsNotFound(api().Get("/events/nope"), "event", "nope"));
  EXPECT_TRUE(IsNotFound(api().Get("/events/nope/seats"), "event", "nope"));
  EXPECT_TRUE(IsInvalidField(api().Post("/events", R"({"id":"e","seats":[]})"), "seats"));
  EXPECT_TRUE(IsInvalidField(api().Post("/events", R"({"id":"e","seats":["a","a"]})"), "seats[1]"));
  EXPECT_TRUE(IsInvalidField(api().Post("/events", R"({"id":"e","seats":["a",1]})"), "seats[1]"));
  EXPECT_TRUE(IsInvalidField(api().Post("/events", R"({"id":"e","seats":["a b"]})"), "seats[0]"));
  EXPECT_TRUE(IsInvalidField(api().Get("/events/gig/seats?status=gone"), "status"));
  EXPECT_TRUE(IsNotFound(api().GetItem("gig"), "item", "gig"));
}

TEST_F(SeatsTest, AnEventMayHaveTheContractsHundredThousandSeats) {
  // About 1.1 MB of seat names: far past the 64 KiB limit of other bodies.
  std::string body = R"({"id":"stadium","seats":[)";
  for (int i = 0; i < 100'000; ++i) {
    if (i > 0) body += ',';
    body += "\"S-" + std::to_string(i) + "\"";
  }
  body += "]}";
  // Storing 100,000 seats takes a while under the sanitizers.
  Api patient(port(), std::chrono::minutes(2));
  Response r = patient.Post("/events", body);
  ASSERT_EQ(r.status, 201) << Describe(r);
  EXPECT_EQ(json::serialize(JsonBody(r)["seats"]), R"({"available":100000,"held":0,"sold":0})");
  // One more seat is refused as a bad request, not as a too-large body.
  std::string too_many = body.substr(0, body.size() - 2) + R"(,"S-extra"]})";
  EXPECT_TRUE(IsInvalidField(patient.Post("/events", too_many), "seats"));
  // The larger limit is the event route's alone.
  std::string big_item = R"({"id":"x","onHand":1,"name":")" + std::string(70'000, 'n') + R"("})";
  EXPECT_EQ(api().Post("/items", big_item).status, 413);
}

TEST_F(SeatsTest, ASeatIsHeldConfirmedAndFreedLikeStock) {
  Response r = api().ReserveLines("u1", {SeatLine("gig", "A-1"), Line("tee", 1)});
  ASSERT_EQ(r.status, 201) << Describe(r);
  json::object reservation = JsonBody(r);
  EXPECT_EQ(json::serialize(reservation["lines"]),
            R"([{"eventId":"gig","seat":"A-1"},{"itemId":"tee","qty":1}])");
  const std::string id = GetString(reservation, "id").value_or("");
  EXPECT_EQ(Counts(), R"({"available":2,"held":1,"sold":0})");
  EXPECT_EQ(Seats("?status=held"), R"({"seats":[{"seat":"A-1","status":"held"}]})");

  Response taken = api().ReserveLines("u2", {SeatLine("gig", "A-1")});
  ASSERT_TRUE(IsError(taken, 409, "seat_unavailable"));
  EXPECT_EQ(GetString(ErrorObject(taken), "eventId"), "gig");
  EXPECT_EQ(GetString(ErrorObject(taken), "seat"), "A-1");

  Response confirmed = api().Confirm(id);
  ASSERT_EQ(confirmed.status, 200) << Describe(confirmed);
  EXPECT_EQ(Counts(), R"({"available":2,"held":0,"sold":1})");
  EXPECT_EQ(Seats(),
            R"({"seats":[{"seat":"A-1","status":"sold"},)"
            R"({"seat":"A-2","status":"available"},{"seat":"B-1","status":"available"}]})");

  Response other = api().ReserveLines("u2", {SeatLine("gig", "A-2")});
  ASSERT_EQ(other.status, 201);
  ASSERT_EQ(api().CancelReservation(GetString(JsonBody(other), "id").value_or("")).status, 200);
  EXPECT_EQ(Counts(), R"({"available":2,"held":0,"sold":1})");
}

TEST_F(SeatsTest, MixedLinesFailTogether) {
  Response r = api().ReserveLines("u1", {SeatLine("gig", "B-1"), Line("tee", 2)});
  EXPECT_TRUE(IsOutOfStock(r, "tee", 2, 1));
  EXPECT_EQ(Seats("?status=available"),
            R"({"seats":[{"seat":"A-1","status":"available"},)"
            R"({"seat":"A-2","status":"available"},{"seat":"B-1","status":"available"}]})");
  EXPECT_EQ(api().Counts("tee"), (ItemCounts{1, 0, 1, 0}));
  EXPECT_TRUE(IsError(api().ReserveLines("u1", {SeatLine("gig", "B-1"), SeatLine("gig", "B-1")}),
                      409, "seat_unavailable"));
}

TEST_F(SeatsTest, UnknownEventsAndSeatsAre404AndBadSeatLines400) {
  Response no_seat = api().ReserveLines("u1", {SeatLine("gig", "Z-9")});
  EXPECT_TRUE(IsNotFound(no_seat, "seat", "Z-9"));
  EXPECT_EQ(GetString(ErrorObject(no_seat), "eventId"), "gig");
  EXPECT_TRUE(IsNotFound(api().ReserveLines("u1", {SeatLine("nope", "A-1")}), "event", "nope"));
  EXPECT_TRUE(IsInvalidField(api().ReserveLines("u1", {SeatLine("gig", "")}), "lines[0].seat"));
  EXPECT_TRUE(
      IsInvalidField(api().ReserveLines("u1", {SeatLine("g/x", "A-1")}), "lines[0].eventId"));
  EXPECT_TRUE(IsInvalidField(
      api().ReserveLines("u1", {json::object{{"eventId", "gig"}, {"seat", "A-1"}, {"qty", 1}}}),
      "lines[0].qty"));
}

TEST_F(SeatsTest, AnExpiredHoldFreesTheSeatAtOnce) {
  ASSERT_EQ(api().ReserveLines("u1", {SeatLine("gig", "A-1")}, 1).status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(Counts(), R"({"available":3,"held":0,"sold":0})");
  EXPECT_EQ(api().ReserveLines("u2", {SeatLine("gig", "A-1")}).status, 201);
}

}  // namespace
}  // namespace allot::testing
