// The JSON of accounts, transfers, events, seats and seat lines.
#include <gtest/gtest.h>

#include "http/json_codec.h"

namespace allot::http {
namespace {

template <typename T>
std::string FieldOf(const Expected<T>& result) {
  EXPECT_FALSE(result.has_value());
  if (result.has_value()) return "<decoded>";
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest);
  const DetailValue* field = result.error().Detail("field");
  return field == nullptr ? "" : std::get<std::string>(*field);
}

constexpr std::int64_t kT = 1'795'428'000'000;  // 2026-11-23T10:00:00.000Z

TEST(JsonMoneyTest, DecodesAccountsAndTransfers) {
  auto account = DecodeCreateAccount(R"({"id":"a","balance":10})");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->balance, 10);
  EXPECT_EQ(FieldOf(DecodeCreateAccount(R"({"id":"a"})")), "balance");
  EXPECT_EQ(FieldOf(DecodeCreateAccount(R"({"id":"a","balance":"10"})")), "balance");

  auto posted = DecodeCreateTransfer(R"({"fromId":"a","toId":"b","amount":5})");
  ASSERT_TRUE(posted);
  EXPECT_FALSE(posted->hold);
  auto held =
      DecodeCreateTransfer(R"({"fromId":"a","toId":"b","amount":5,"hold":true,"ttlSeconds":9})");
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->hold);
  EXPECT_EQ(held->ttl_seconds, 9);
  EXPECT_EQ(
      DecodeCreateTransfer(R"({"fromId":"a","toId":"b","amount":5,"hold":true})")->ttl_seconds,
      600);
  EXPECT_EQ(FieldOf(DecodeCreateTransfer(R"({"fromId":"a","toId":"b","amount":5,"hold":1})")),
            "hold");
  EXPECT_EQ(FieldOf(DecodeCreateTransfer(R"({"fromId":"a","toId":"b","amount":5,"ttlSeconds":9})")),
            "ttlSeconds");
  EXPECT_EQ(FieldOf(DecodeCreateTransfer(R"({"fromId":"a","toId":"b","amount":2.5})")), "amount");
  EXPECT_EQ(FieldOf(DecodeCreateTransfer(R"({"fromId":"a","amount":2})")), "toId");
  EXPECT_TRUE(DecodeConfirmTransfer("t", ""));
  EXPECT_TRUE(DecodeCancelTransfer("t", "{}"));
  EXPECT_EQ(FieldOf(DecodeConfirmTransfer("t", R"({"x":1})")), "x");
}

TEST(JsonMoneyTest, DecodesEventsAndSeatLines) {
  auto event = DecodeCreateEvent(R"({"id":"gig","seats":["A-1","A-2"]})");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->seats, (std::vector<std::string>{"A-1", "A-2"}));
  EXPECT_FALSE(event->name);
  EXPECT_EQ(FieldOf(DecodeCreateEvent(R"({"id":"gig"})")), "seats");
  EXPECT_EQ(FieldOf(DecodeCreateEvent(R"({"id":"gig","seats":"A-1"})")), "seats");
  EXPECT_EQ(FieldOf(DecodeCreateEvent(R"({"id":"gig","seats":["A",null]})")), "seats[1]");

  auto reserve = DecodeReserve(
      R"({"userId":"u","lines":[{"eventId":"gig","seat":"A-1"},{"itemId":"tee","qty":2}]})");
  ASSERT_TRUE(reserve);
  EXPECT_EQ(reserve->lines, (std::vector<Line>{{SeatItemId("gig", "A-1"), 1}, {"tee", 2}}));
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"eventId":"gig"}]})")),
            "lines[0].seat");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"seat":"A","qty":1}]})")),
            "lines[0].qty");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"eventId":"a/b","seat":"A"}]})")),
            "lines[0].eventId");
}

TEST(JsonMoneyTest, EncodesPerTheContract) {
  EXPECT_EQ(EncodeAccount(Account{"a", 100, 30}),
            R"({"id":"a","balance":100,"held":30,"available":70})");
  Transfer t{.id = "trf_1",
             .from_id = "a",
             .to_id = "b",
             .amount = 5,
             .status = TransferStatus::kHeld,
             .created_at_ms = kT,
             .expires_at_ms = kT + 1000};
  EXPECT_EQ(EncodeTransfer(t),
            R"({"id":"trf_1","fromId":"a","toId":"b","amount":5,"status":"held",)"
            R"("createdAt":"2026-11-23T10:00:00.000Z","expiresAt":"2026-11-23T10:00:01.000Z"})");
  EXPECT_EQ(EncodeEvent(EventCounts{Event{"gig", std::nullopt, 3, "d"}, 1, 1, 1}),
            R"({"id":"gig","name":null,"seats":{"available":1,"held":1,"sold":1}})");
  EXPECT_EQ(EncodeSeats({{"A-1", SeatStatus::kSold}}),
            R"({"seats":[{"seat":"A-1","status":"sold"}]})");
  Reservation r{.id = "r", .user_id = "u", .lines = {{SeatItemId("gig", "A-1"), 1}, {"tee", 2}}};
  EXPECT_NE(EncodeReservation(r).find(
                R"("lines":[{"eventId":"gig","seat":"A-1"},{"itemId":"tee","qty":2}])"),
            std::string::npos);
}

}  // namespace
}  // namespace allot::http
