// Shape rules of accounts, transfers, events and seat lines.
#include <gtest/gtest.h>

#include "api/validate.h"

namespace allot::api {
namespace {

std::string FieldOf(const CommandBody& body) {
  Status s = Validate(body);
  if (s) return "<valid>";
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
  const DetailValue* field = s.error().Detail("field");
  return field ? std::get<std::string>(*field) : "<no field>";
}

TEST(ValidateMoneyTest, Accounts) {
  EXPECT_EQ(FieldOf(CreateAccount{"a", 0}), "<valid>");
  EXPECT_EQ(FieldOf(CreateAccount{"a", kMaxMoney}), "<valid>");
  EXPECT_EQ(FieldOf(CreateAccount{"a", -1}), "balance");
  EXPECT_EQ(FieldOf(CreateAccount{"a", kMaxMoney + 1}), "balance");
  EXPECT_EQ(FieldOf(CreateAccount{"a/b", 1}), "id");
}

TEST(ValidateMoneyTest, Transfers) {
  EXPECT_EQ(FieldOf(CreateTransfer{"a", "b", 1}), "<valid>");
  EXPECT_EQ(FieldOf(CreateTransfer{"a", "a", 1}), "toId");
  EXPECT_EQ(FieldOf(CreateTransfer{"a", "b", 0}), "amount");
  EXPECT_EQ(FieldOf(CreateTransfer{"a", "b", -5}), "amount");
  EXPECT_EQ(FieldOf(CreateTransfer{"", "b", 1}), "fromId");
  EXPECT_EQ(FieldOf(CreateTransfer{"a", "b", 1, true, 0}), "ttlSeconds");
  EXPECT_EQ(FieldOf(CreateTransfer{"a", "b", 1, true, 604'801}), "ttlSeconds");
  EXPECT_EQ(FieldOf(ConfirmTransfer{"a b"}), "id");
  EXPECT_EQ(FieldOf(CancelTransfer{""}), "id");
}

TEST(ValidateMoneyTest, Events) {
  EXPECT_EQ(FieldOf(CreateEvent{"gig", "Gig", {"A-1", "A-2"}}), "<valid>");
  EXPECT_EQ(FieldOf(CreateEvent{"gig", std::nullopt, {}}), "seats");
  EXPECT_EQ(FieldOf(CreateEvent{"gig", std::nullopt, {"A-1", "A-1"}}), "seats[1]");
  EXPECT_EQ(FieldOf(CreateEvent{"gig", std::nullopt, {"A 1"}}), "seats[0]");
  EXPECT_EQ(FieldOf(CreateEvent{"gig", std::nullopt, {std::string(65, 's')}}), "seats[0]");
  EXPECT_EQ(FieldOf(CreateEvent{"gig", std::string(501, 'n'), {"A"}}), "name");
  std::vector<std::string> too_many(kMaxSeatsPerEvent + 1);
  for (std::size_t i = 0; i < too_many.size(); ++i) too_many[i] = std::to_string(i);
  EXPECT_EQ(FieldOf(CreateEvent{"gig", std::nullopt, too_many}), "seats");
}

TEST(ValidateMoneyTest, SeatLines) {
  EXPECT_EQ(FieldOf(Reserve{"u", {Line{SeatItemId("gig", "A-1"), 1}, Line{"tee", 2}}}), "<valid>");
  EXPECT_EQ(FieldOf(Reserve{"u", {Line{SeatItemId("gig", "A-1"), 2}}}), "lines[0].seat");
  // Client ids can never name an account's or a seat's item directly.
  EXPECT_EQ(FieldOf(Reserve{"u", {Line{AccountItemId("a"), 1}}}), "lines[0].itemId");
  EXPECT_EQ(FieldOf(AdjustItem{SeatItemId("gig", "A-1"), 1, "x"}), "id");
}

}  // namespace
}  // namespace allot::api
